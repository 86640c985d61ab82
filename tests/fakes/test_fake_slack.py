"""Smoke tests of the Slack fake against a real, minimal Bolt AsyncApp (no ideabot code)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from tests.fakes.slack import FakeChannel, FakeSlack, FakeUser, SlackError, serve_app

BUTTON = {
    "type": "actions",
    "block_id": "vote",
    "elements": [
        {
            "type": "button",
            "action_id": "some_action",
            "text": {"type": "plain_text", "text": "Vote"},
            "value": "idea-1",
        }
    ],
}


@dataclass
class World:
    slack: FakeSlack
    ideas: FakeChannel
    alice: FakeUser
    bob: FakeUser
    seen: list[dict[str, Any]] = field(default_factory=list)


def client_for(slack: FakeSlack) -> AsyncWebClient:
    return AsyncWebClient(token=slack.bot_token, base_url=slack.api_url)


def build_app(w: World, client: AsyncWebClient | None = None) -> AsyncApp:
    """A tiny Bolt app, written here, exercising the listener kinds ideabot uses."""
    app = AsyncApp(
        client=client or client_for(w.slack),
        signing_secret=w.slack.signing_secret,
        process_before_response=True,
    )

    @app.event("message")
    async def on_message(event: dict[str, Any], client: AsyncWebClient) -> None:
        w.seen.append(event)
        if event.get("subtype") or event.get("thread_ts"):
            return
        channel, ts = event["channel"], event["ts"]
        await client.chat_postMessage(channel=channel, thread_ts=ts, text=f"noted: {event['text']}")
        await client.reactions_add(channel=channel, timestamp=ts, name="bulb")

    @app.event("reaction_added")
    async def on_reaction(event: dict[str, Any], client: AsyncWebClient) -> None:
        item = event["item"]
        text = f"<@{event['user']}> voted :{event['reaction']}:"
        await client.chat_postMessage(channel=item["channel"], thread_ts=item["ts"], text=text)

    @app.event("member_joined_channel")
    async def on_join(event: dict[str, Any]) -> None:
        w.seen.append(event)

    @app.command("/idea")
    async def idea(ack: Any, command: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        user, channel = command["user_id"], command["channel_id"]
        await client.chat_postEphemeral(
            channel=channel, user=user, text=f"saved: {command['text']}"
        )

    @app.shortcut("save_as_idea")
    async def save(
        ack: Any, shortcut: dict[str, Any], client: AsyncWebClient, respond: Any
    ) -> None:
        await ack()
        title = {"type": "plain_text", "text": "Save idea"}
        await client.views_open(
            trigger_id=shortcut["trigger_id"], view={"type": "modal", "title": title, "blocks": []}
        )
        await respond(f"saving: {shortcut['message']['text']}")

    @app.action("some_action")
    async def clicked(ack: Any, body: dict[str, Any], respond: Any) -> None:
        await ack()
        await respond(replace_original=True, text=f"voted by {body['user']['id']}")

    return app


@pytest.fixture
async def world() -> AsyncIterator[World]:
    async with FakeSlack() as slack:
        alice, bob = slack.add_user("alice"), slack.add_user("bob", admin=True)
        yield World(slack, slack.add_channel("ideas"), alice, bob)


async def test_message_gets_a_thread_reply_and_a_reaction(world: World) -> None:
    slack, app = world.slack, build_app(world)
    message, body = slack.post(world.ideas, world.alice, "Dark mode please")
    assert body["event"]["user"] == world.alice.id and body["event_id"].startswith("Ev")

    response = await slack.dispatch(app, body)

    assert response.status == 200
    assert [c.method for c in slack.calls] == ["auth.test", "chat.postMessage", "reactions.add"]
    assert all(c.token == slack.bot_token for c in slack.calls)
    (reply,) = slack.replies(message)
    assert reply.text == "noted: Dark mode please" and reply.user is slack.bot
    assert message.reactions == {"bulb": [slack.bot_user_id]}
    history = await client_for(slack).conversations_history(channel=world.ideas.id)
    (parent,) = history["messages"]
    assert parent["reply_count"] == 1 and parent["reactions"][0]["name"] == "bulb"
    # The bot's own message comes back as an event: Bolt ignores it (bot_id from auth.test).
    assert (await slack.dispatch(app, slack.event_body(slack.event_for(reply)))).status == 200
    assert len(slack.bot_messages(world.ideas)) == 1


async def test_edit_delete_and_join_events_change_state(world: World) -> None:
    slack, app = world.slack, build_app(world)
    message, _ = slack.post(world.ideas, world.alice, "Dark mode")
    await slack.dispatch(app, slack.edit(message, "Dark mode, please"))
    await slack.dispatch(app, slack.delete(message))
    carol = slack.add_user("carol")
    world.ideas.members.discard(carol.id)
    await slack.dispatch(app, slack.join(carol, world.ideas))

    changed, deleted, joined = world.seen
    assert changed["subtype"] == "message_changed"
    assert changed["message"]["text"] == "Dark mode, please"
    assert changed["previous_message"]["text"] == "Dark mode"
    assert deleted["subtype"] == "message_deleted" and deleted["deleted_ts"] == message.ts
    assert joined["type"] == "member_joined_channel" and carol.id in world.ideas.members
    assert slack.messages(world.ideas) == []


async def test_slash_command_acks_and_posts_an_ephemeral(world: World) -> None:
    slack, app = world.slack, build_app(world)
    body = slack.slash_command_body("/idea", "Offline mode", world.alice, world.ideas)

    response = await slack.dispatch(app, body)

    assert response.status == 200 and response.body == ""
    (ephemeral,) = slack.ephemerals(world.alice)
    assert ephemeral.text == "saved: Offline mode" and ephemeral.channel is world.ideas
    assert slack.messages(world.ideas) == []


async def test_message_shortcut_opens_a_view_and_responds(world: World) -> None:
    slack, app = world.slack, build_app(world)
    message, _ = slack.post(world.ideas, world.bob, "We should add tags")
    body = slack.message_shortcut_body("save_as_idea", world.alice, world.ideas, message)

    assert (await slack.dispatch(app, body)).status == 200

    (view,) = slack.views
    assert view.trigger_id == body["trigger_id"] and view.view["title"]["text"] == "Save idea"
    (post,) = slack.interaction(body["response_url"]).posts
    assert post.text == "saving: We should add tags" and post.response_type == "ephemeral"
    assert [e.text for e in slack.ephemerals(world.alice)] == ["saving: We should add tags"]


async def test_block_action_replaces_the_original_through_response_url(world: World) -> None:
    slack, app = world.slack, build_app(world)
    posted = await client_for(slack).chat_postMessage(
        channel=world.ideas.id, text="Idea #1", blocks=[BUTTON]
    )
    body = slack.block_action_body("some_action", "idea-1", world.alice, world.ideas, posted["ts"])
    assert body["actions"][0]["block_id"] == "vote"

    assert (await slack.dispatch(app, body)).status == 200

    (post,) = slack.response_posts
    assert post.body["replace_original"] is True
    message = slack.message(world.ideas, posted["ts"])
    assert message.text == f"voted by {world.alice.id}" and message.edited is not None


async def test_reaction_added_and_repeat_reaction_refused(world: World) -> None:
    slack, app = world.slack, build_app(world)
    message, _ = slack.post(world.ideas, world.alice, "Idea")
    body = slack.react(message, world.bob, "thumbsup")
    assert body["event"]["item_user"] == world.alice.id

    assert (await slack.dispatch(app, body)).status == 200

    (reply,) = slack.replies(message)
    assert reply.text == f"<@{world.bob.id}> voted :thumbsup:"
    with pytest.raises(SlackError, match="already_reacted"):
        slack.react(message, world.bob, "thumbsup")
    slack.unreact(message, world.bob, "thumbsup")
    assert message.reactions == {}


async def test_forged_signature_and_stale_timestamp_get_401(world: World) -> None:
    slack, app = world.slack, build_app(world)
    raw, headers = slack.encode(slack.post(world.ideas, world.alice, "hi")[1])
    forged = slack.signed_headers(raw, secret="not-the-secret")
    stale = slack.signed_headers(raw, timestamp=int(headers["x-slack-request-timestamp"]) - 301)

    assert (await slack.dispatch(app, raw, forged)).status == 401
    assert (await slack.dispatch(app, raw, stale)).status == 401
    assert slack.bot_messages(world.ideas) == []
    assert (await slack.dispatch(app, raw, headers)).status == 200


async def test_same_app_over_real_http(world: World) -> None:
    slack, app = world.slack, build_app(world)
    async with serve_app(app) as url:
        message, body = slack.post(world.ideas, world.alice, "Over HTTP")
        assert (await slack.post_http(url, body)).status == 200
        command = slack.slash_command_body("/idea", "via http", world.alice, world.ideas)
        assert (await slack.post_http(url, command)).status == 200
        raw, _ = slack.encode(body)
        assert (
            await slack.post_http(url, raw, slack.signed_headers(raw, secret="x"))
        ).status == 401
    assert [r.text for r in slack.replies(message)] == ["noted: Over HTTP"]
    assert [e.text for e in slack.ephemerals(world.alice)] == ["saved: via http"]


async def test_socket_mode_envelopes_acks_and_reconnect(world: World) -> None:
    slack, app = world.slack, build_app(world)
    handler = AsyncSocketModeHandler(app, slack.app_token)
    await handler.connect_async()
    try:
        await slack.wait_until_connected()
        message, body = slack.post(world.ideas, world.alice, "Over the socket")
        ack = await slack.socket_send("events_api", body)
        assert set(ack) == {"envelope_id"}
        await slack.wait_for(lambda: slack.replies(message))
        command = slack.slash_command_body("/idea", "socket", world.alice, world.ideas)
        assert (await slack.socket_send(None, command))["envelope_id"]
        assert [e.text for e in slack.ephemerals(world.alice)] == ["saved: socket"]
        (open_call,) = slack.calls_to("apps.connections.open")
        assert open_call.token == slack.app_token and open_call.ok

        await slack.socket_disconnect()
        await slack.wait_for(lambda: len(slack.connections) == 2 and slack.connections[0].closed)
        await slack.wait_until_connected()
        assert len(slack.calls_to("apps.connections.open")) == 2
        _, body = slack.post(world.ideas, world.bob, "After reconnect")
        assert await slack.socket_send("events_api", body)
    finally:
        await handler.close_async()
    await slack.wait_for(lambda: not slack.connected)


async def test_history_paging_with_oldest_and_cursor(world: World) -> None:
    slack, client = world.slack, client_for(world.slack)
    posted = [slack.post(world.ideas, world.alice, f"idea {i}")[0] for i in range(6)]
    slack.post(world.ideas, world.bob, "a reply", thread_ts=posted[0].ts)
    assert all(a.ts < b.ts for a, b in itertools.pairwise(posted))

    first = await client.conversations_history(channel=world.ideas.id, oldest=posted[1].ts, limit=2)
    assert [m["text"] for m in first["messages"]] == ["idea 3", "idea 2"]  # closest to oldest
    assert first["has_more"] is True
    texts = [m["text"] for m in first["messages"]]
    cursor = first["response_metadata"]["next_cursor"]
    while cursor:
        page = await client.conversations_history(
            channel=world.ideas.id, oldest=posted[1].ts, limit=2, cursor=cursor
        )
        texts += [m["text"] for m in page["messages"]]
        cursor = (page.get("response_metadata") or {}).get("next_cursor")
    assert sorted(texts) == ["idea 2", "idea 3", "idea 4", "idea 5"]

    newest = await client.conversations_history(channel=world.ideas.id, limit=2)
    assert [m["text"] for m in newest["messages"]] == ["idea 5", "idea 4"]
    inclusive = await client.conversations_history(
        channel=world.ideas.id, oldest=posted[4].ts, inclusive=True
    )
    assert [m["text"] for m in inclusive["messages"]] == ["idea 5", "idea 4"]
    thread = await client.conversations_replies(channel=world.ideas.id, ts=posted[0].ts)
    assert [m["text"] for m in thread["messages"]] == ["idea 0", "a reply"]


async def test_rate_limit_is_retried_by_the_retry_handler(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    slack = world.slack
    # slack_sdk sleeps int(Retry-After) + random.random(): make that 0 s.
    monkeypatch.setattr(builtin_async_handlers.random, "random", lambda: 0.0)
    client = client_for(slack)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=1))
    slack.fail_next("chat.postMessage", retry_after=0)

    posted = await client.chat_postMessage(channel=world.ideas.id, text="after a 429")

    assert [c.status for c in slack.calls_to("chat.postMessage")] == [429, 200]
    assert slack.message(world.ideas, posted["ts"]).text == "after a 429"
    slack.fail_next("chat.postMessage")
    with pytest.raises(SlackApiError) as raised:
        await client_for(slack).chat_postMessage(channel=world.ideas.id, text="no handler")
    assert raised.value.response.status_code == 429
    assert raised.value.response["error"] == "ratelimited"


async def test_web_api_errors_and_lookups(world: World) -> None:
    slack, client = world.slack, client_for(world.slack)
    channel = world.ideas.id

    async def error(call: Any) -> str:
        with pytest.raises(SlackApiError) as raised:
            await call
        return str(raised.value.response["error"])

    bad = AsyncWebClient(token="xoxb-wrong", base_url=slack.api_url)
    assert await error(bad.auth_test()) == "invalid_auth"
    with pytest.warns(UserWarning, match="`text` argument is missing"):
        assert await error(client.chat_postMessage(channel=channel)) == "no_text"
    assert (
        await error(client.chat_postMessage(channel=channel, text="x" * 40_001)) == "msg_too_long"
    )
    many = [{"type": "divider"}] * 51
    assert (
        await error(client.chat_postMessage(channel=channel, text="t", blocks=many))
        == "invalid_blocks"
    )
    long_section = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    too_long = client.chat_postMessage(channel=channel, text="t", blocks=long_section)
    assert await error(too_long) == "invalid_blocks"
    assert await error(client.api_call("ideas.frobnicate")) == "unknown_method"
    assert [c.method for c in slack.unhandled] == ["ideas.frobnicate"]
    app_client = AsyncWebClient(token=slack.app_token, base_url=slack.api_url)
    assert await error(app_client.auth_test()) == "not_allowed_token_type"

    auth = await client.auth_test()
    assert (auth["user_id"], auth["bot_id"], auth["team_id"]) == (
        slack.bot_user_id,
        slack.bot_id,
        slack.team_id,
    )
    user = (await client.users_info(user=world.bob.id))["user"]
    assert user["is_admin"] and not user["is_owner"] and user["profile"]["display_name"] == "bob"
    info = await client.conversations_info(channel=channel)
    assert info["channel"]["name"] == "ideas"
    posted = await client.chat_postMessage(channel="#ideas", text="v1")
    await client.chat_update(channel=channel, ts=posted["ts"], text="v2")
    link = await client.chat_getPermalink(channel=channel, message_ts=posted["ts"])
    assert link["permalink"].endswith(posted["ts"].replace(".", ""))
    await client.reactions_add(channel=channel, timestamp=posted["ts"], name="eyes")
    again = client.reactions_add(channel=channel, timestamp=posted["ts"], name="eyes")
    assert await error(again) == "already_reacted"
    got = await client.reactions_get(channel=channel, timestamp=posted["ts"])
    assert got["message"]["text"] == "v2"
    assert got["message"]["reactions"] == [
        {"name": "eyes", "users": [slack.bot_user_id], "count": 1}
    ]
    assert slack.calls_to("chat.update")[0].body == "json"
    # slack_sdk POSTs "params" methods (reactions.add, ...) with arguments in the query string.
    assert slack.calls_to("reactions.add")[0].body == "query"

"""The Slack app end to end: signed requests in, the fake Web API out, the real core between."""

from __future__ import annotations

import time

import pytest

from bot.app import App
from bot.domain import Where
from tests.adapters.slack.conftest import Workspace
from tests.fakes.embedder import TestEmbedder
from tests.fakes.slack import FakeMessage, FakeSlack, serve_app


def where(slack: FakeSlack) -> Where:
    return Where(platform="slack", workspace_id=slack.team_id)


async def ideas(app: App, slack: FakeSlack) -> dict[int, int]:
    board = await app.core.board_for(where(slack))
    return {i.number: i.votes for i in await app.queries.all(board)}


async def post(space: Workspace, text: str, user: object = None) -> FakeMessage:
    message, body = space.slack.post(space.ideas, user or space.alice, text)  # type: ignore[arg-type]
    response = await space.send(body)
    assert response.status == 200
    return message


def bot_replies(space: Workspace, message: FakeMessage) -> list[FakeMessage]:
    return [m for m in space.slack.replies(message) if m.user.id == space.slack.bot_user_id]


async def test_message_becomes_idea_with_thread_reply_and_vote_reaction(
    workspace: Workspace, app: App
) -> None:
    message = await post(workspace, "Dark mode for the map\nMy eyes at night <!channel>")
    assert await ideas(app, workspace.slack) == {1: 0}
    reply = bot_replies(workspace, message)[0]
    assert "#1" in reply.text
    assert workspace.slack.bot_user_id in message.reactions.get("+1", [])
    board = await app.core.board_for(where(workspace.slack))
    assert (await app.queries.show(board, 1)).permalink


async def test_replies_bots_and_joins_are_not_ideas(workspace: Workspace, app: App) -> None:
    parent = await post(workspace, "Offline maps for whole regions")
    slack = workspace.slack
    _, body = slack.post(workspace.ideas, workspace.bob, "+1 to this", thread_ts=parent.ts)
    await workspace.send(body)
    await workspace.send(
        slack.event_body(
            slack.message_event(
                workspace.ideas,
                workspace.bob,
                "deploy finished",
                subtype="bot_message",
                bot_id="B1",
            )
        )
    )
    await workspace.send(slack.event_body(slack.member_joined(workspace.carol, workspace.ideas)))
    _, elsewhere = slack.post(workspace.general, workspace.bob, "Export routes as GPX")
    await workspace.send(elsewhere)
    assert list(await ideas(app, slack)) == [1]


async def test_votes_added_removed_redelivered_and_on_merged_ideas(
    workspace: Workspace, app: App
) -> None:
    slack = workspace.slack
    one = await post(workspace, "Dark mode for the map screen")
    two = await post(workspace, "Export routes as GPX files", workspace.bob)
    added = slack.react(one, workspace.bob, "+1")
    await workspace.send(added)
    redelivered = await workspace.send(added)  # Slack retries with the same event_id
    assert redelivered.status == 200
    # Slack names a skin-toned 👍 "+1::skin-tone-3": it is the same vote
    toned = slack.reaction_event(True, workspace.carol, workspace.ideas, one.ts, "+1::skin-tone-3")
    await workspace.send(slack.event_body(toned))
    await workspace.send(slack.react(one, workspace.alice, "tada"))
    assert await ideas(app, slack) == {1: 2, 2: 0}
    untoned = slack.reaction_event(
        False, workspace.carol, workspace.ideas, one.ts, "+1::skin-tone-3"
    )
    await workspace.send(slack.event_body(untoned))
    assert (await ideas(app, slack))[1] == 1
    # bob takes his vote back, then Slack re-delivers his old reaction_added: no vote
    await workspace.send(slack.unreact(one, workspace.bob, "+1"))
    await workspace.send(added)
    assert (await ideas(app, slack))[1] == 0
    await workspace.send(slack.react(one, workspace.bob, "+1"))
    await workspace.command("/ideabot", "merge 2 1", workspace.admin)
    await workspace.send(slack.react(two, workspace.bob, "+1"))  # bob again: counts once
    await workspace.send(slack.react(two, workspace.carol, "+1"))
    assert (await ideas(app, slack))[1] == 2


async def test_edit_and_delete_follow(workspace: Workspace, app: App) -> None:
    slack = workspace.slack
    message = await post(workspace, "Dark mode for the map screen")
    await workspace.send(slack.edit(message, "Export routes as GPX files"))
    board = await app.core.board_for(where(slack))
    assert (await app.queries.show(board, 1)).title == "Export routes as GPX files"
    await workspace.send(slack.delete(message))
    assert await ideas(app, slack) == {}


async def test_idea_command_and_save_shortcut(workspace: Workspace, app: App) -> None:
    slack = workspace.slack
    answer = await workspace.command("/idea", "Heart rate zones on the watch", workspace.bob)
    assert "#1" in answer
    posted = slack.bot_messages(workspace.general)[-1]
    assert "#1" in posted.text and slack.bot_user_id in posted.reactions.get("+1", [])
    await workspace.send(slack.react(posted, workspace.carol, "+1"))
    assert await ideas(app, slack) == {1: 1}
    chat, _ = slack.post(workspace.general, workspace.carol, "we really need GPX export")
    await workspace.send(
        slack.message_shortcut_body("save_as_idea", workspace.admin, workspace.general, chat)
    )
    assert "#2" in slack.ephemerals(workspace.admin)[-1].text
    board = await app.core.board_for(where(slack))
    assert (await app.queries.show(board, 2)).author.user_id == workspace.carol.id
    empty = await workspace.command("/idea", "   ", workspace.bob)
    assert "empty" in empty and len(await ideas(app, slack)) == 2


@pytest.mark.real_model  # the real model decides, end to end: a repost is merged
async def test_auto_merge(workspace: Workspace, app: App) -> None:
    await post(workspace, "Add a dark mode to the app. The white screen is too bright at night.")
    dup = await post(
        workspace,
        "Add a dark mode to the app, the white screen is far too bright at night.",
        workspace.bob,
    )
    assert "merged there" in bot_replies(workspace, dup)[0].text
    board = await app.core.board_for(where(workspace.slack))
    assert (await app.queries.show(board, 2)).merged_into == 1


@pytest.mark.parametrize("same", [True, False])
async def test_duplicate_buttons(
    workspace: Workspace, app: App, embedder: TestEmbedder, same: bool
) -> None:
    embedder.likely(
        "Dark mode for the map screen",
        "Dark theme for the map screen please, white is too bright at night",
    )
    slack = workspace.slack
    await post(workspace, "Dark mode for the map screen")
    message = await post(
        workspace,
        "Dark theme for the map screen please, white is too bright at night",
        workspace.bob,
    )
    question = bot_replies(workspace, message)[0]
    action = "ideabot_dup_merge_1" if same else "ideabot_dup_different"
    value = "2:1:1" if same else "2:1:0"
    stranger = slack.block_action_body(action, value, workspace.carol, workspace.ideas, question.ts)
    await workspace.send(stranger)
    assert "author or a moderator" in slack.ephemerals(workspace.carol)[-1].text
    await workspace.send(
        slack.block_action_body(action, value, workspace.bob, workspace.ideas, question.ts)
    )
    board = await app.core.board_for(where(slack))
    assert ((await app.queries.show(board, 2)).merged_into == 1) is same


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("merge 2 1", "Merged #2 into #1"),
        ("unmerge 2", "is not merged into another idea"),
        ("config channel digest", "is now an digest channel"),
        ("status 1 planned Q1 @channel", "#1 is now planned"),
        ("delete 2", "Deleted #2"),
        ("config set suggest 0.6", "`suggest` is now `0.6`"),
        ("config set public on", "is now public"),
        ("config set read_link new", "Secret read link"),
        ("config show", "vote_emoji"),
        ("config show", "Duplicate thresholds (pair score): suggest 0.57"),
        ("config reset thresholds", "back to the defaults"),
        ("config show", "web board: private, no read link"),
        ("digest preview", "ideas on the board"),
        ("link", "Link code"),
        ("join ABCDEFGHJK", "not known"),
    ],
)
async def test_moderator_commands_allowed_and_refused(
    workspace: Workspace, app: App, text: str, answer: str
) -> None:
    await post(workspace, "Dark mode for the map screen")
    await post(workspace, "Export routes as GPX files", workspace.bob)
    before = await ideas(app, workspace.slack)
    refused = await workspace.command("/ideabot", text, workspace.carol)
    assert "moderator" in refused.lower() or "author" in refused.lower()
    assert await ideas(app, workspace.slack) == before
    allowed = await workspace.command("/ideabot", text, workspace.admin)
    assert answer in allowed


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("merge 1 1", "into itself"),
        ("status 9 done", "no idea #9"),
        ("merge x y", "not an idea"),
        ("", "Usage"),
        ("config set timezone Mars/Base", "unknown time zone"),
        ("config set public maybe", "public takes on or off"),
        ("config set read_link <!channel>", "read_link takes new"),
    ],
)
async def test_bad_moderator_input(workspace: Workspace, app: App, text: str, answer: str) -> None:
    await post(workspace, "Dark mode for the map screen")
    assert answer in await workspace.command("/ideabot", text, workspace.admin)
    assert await ideas(app, workspace.slack) == {1: 0}


async def test_member_commands(workspace: Workspace, embedder: TestEmbedder) -> None:
    embedder.likely("Export routes as GPX files", "gpx track")
    await post(workspace, "Dark mode for the map screen")
    await post(workspace, "Export routes as GPX files", workspace.bob)
    assert "#2" in await workspace.command("/ideas", "search gpx track", workspace.carol)
    assert "no idea #7" in await workspace.command("/ideas", "show 7", workspace.carol)
    assert "Usage" in await workspace.command("/ideas", "frobnicate", workspace.carol)


async def test_status_change_mentions_the_voters_in_the_thread(
    workspace: Workspace, app: App
) -> None:
    slack = workspace.slack
    one = await post(workspace, "Dark mode for the map screen <!here>")
    two = await post(workspace, "Export routes as GPX files", workspace.bob)
    await workspace.send(slack.react(one, workspace.bob, "+1"))
    await workspace.send(slack.react(two, workspace.carol, "+1"))
    await workspace.command("/ideabot", "merge 2 1", workspace.admin)
    await workspace.command("/ideabot", "status 1 done Shipped <!channel>", workspace.admin)
    announcement = bot_replies(workspace, one)[-1]
    assert "now *done*" in announcement.text
    assert f"<@{workspace.bob.id}>" in announcement.text
    assert f"<@{workspace.carol.id}>" in announcement.text
    # Slack's <!channel> is stored as the "@channel" a reader saw: plain text that pings nobody
    assert "<!channel>" not in announcement.text and "Shipped @channel" in announcement.text
    for message in slack.bot_messages(workspace.ideas) + [
        m for parent in slack.messages(workspace.ideas) for m in bot_replies(workspace, parent)
    ]:
        assert "<!channel>" not in message.text and "<!here>" not in message.text


async def test_catch_up_after_downtime_counts_once(workspace: Workspace, app: App) -> None:
    slack = workspace.slack
    existing = await post(workspace, "Dark mode for the map screen")
    await workspace.send(slack.react(existing, workspace.bob, "+1"))
    # the app is down: these reach the fake workspace but not the app
    missed, _ = slack.post(workspace.ideas, workspace.carol, "Export routes as GPX files")
    slack.react(missed, workspace.bob, "+1")
    slack.react(existing, workspace.carol, "+1")
    slack.unreact(existing, workspace.bob, "+1")
    for _ in range(2):
        await workspace.handlers.catch_up(slack.team_id)
        await app.reconciler.idle["slack"].wait()
        assert await ideas(app, slack) == {1: 1, 2: 1}
    assert len(bot_replies(workspace, missed)) == 1


async def test_forged_and_stale_requests_are_rejected(workspace: Workspace, app: App) -> None:
    slack = workspace.slack
    _, body = slack.post(workspace.ideas, workspace.alice, "Dark mode for the map screen")
    raw, headers = slack.encode(body)
    forged = dict(headers, **{"X-Slack-Signature": "v0=" + "0" * 64})
    assert (await workspace.send(raw, forged)).status == 401
    stale = slack.signed_headers(raw, timestamp=str(int(time.time()) - 3600))
    assert (await workspace.send(raw, stale)).status == 401
    assert await ideas(app, slack) == {}


async def test_oversized_and_hostile_ideas(workspace: Workspace, app: App) -> None:
    slack = workspace.slack
    await post(workspace, "*@here* <https://evil.example|click> " + "x" * 3950)
    too_long = await post(workspace, "y" * 4001, workspace.bob)
    refusal = next(m for m in slack.replies(too_long) if m.user.id == slack.bot_user_id)
    assert "limit is 4,000" in refusal.text
    assert list(await ideas(app, slack)) == [1]


async def test_rate_limited_web_api_is_retried(
    workspace: Workspace, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    from slack_sdk.http_retry import builtin_async_handlers

    monkeypatch.setattr(builtin_async_handlers.random, "random", lambda: 0.0)
    workspace.slack.fail_next("chat.postMessage", 429, retry_after=0)
    message = await post(workspace, "Dark mode for the map screen")
    assert bot_replies(workspace, message), "the reply was retried after the 429"
    workspace.slack.fail_next("chat.postMessage", 500, times=5)
    await post(workspace, "Export routes as GPX files", workspace.bob)
    assert list(await ideas(app, workspace.slack)) == [1, 2]  # stored although posting failed


async def test_over_real_http(workspace: Workspace, app: App) -> None:
    slack = workspace.slack
    async with serve_app(workspace.bolt) as url:
        _, body = slack.post(workspace.ideas, workspace.alice, "Dark mode for the map screen")
        assert (await slack.post_http(url, body)).status == 200
        raw, headers = slack.encode(body)
        bad = dict(headers, **{"X-Slack-Signature": "v0=" + "1" * 64})
        assert (await slack.post_http(url, raw, bad)).status == 401
    assert list(await ideas(app, slack)) == [1]


async def test_over_socket_mode(workspace: Workspace, app: App) -> None:
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    slack = workspace.slack
    handler = AsyncSocketModeHandler(workspace.bolt, slack.app_token)
    await handler.connect_async()
    try:
        await slack.wait_until_connected()
        _, body = slack.post(workspace.ideas, workspace.alice, "Dark mode for the map screen")
        ack = await slack.socket_send(None, body)
        assert "envelope_id" in ack
        await slack.wait_for(
            lambda: (
                bool(slack.bot_messages(workspace.ideas))
                or bool(
                    [
                        m
                        for p in slack.messages(workspace.ideas)
                        for m in slack.replies(p)
                        if m.user.id == slack.bot_user_id
                    ]
                )
            ),
            what="reply over socket mode",
        )
    finally:
        await handler.close_async()
    assert list(await ideas(app, slack)) == [1]

"""`/ideabot config webhook` on Slack through the bolt app: a moderator adds (the secret only
in the ephemeral answer), lists and removes endpoints with the shell's checks; members are
refused; hostile input is one clear answer and changes nothing. And the notice of an
endpoint switched off after a day of failures, posted once in the digest channel."""

from __future__ import annotations

import pytest

from adapters.webhook_http import WebhookSender
from bot.app import App
from bot.domain import Where
from bot.outbox import disable_failing
from bot.webhooks import PREFIX
from tests.adapters.slack.conftest import Workspace


async def endpoints(app: App, workspace: Workspace) -> list[tuple[int, str, tuple[str, ...]]]:
    where = Where(platform="slack", workspace_id=workspace.slack.team_id)
    board = await app.core.board_for(where)
    return [(e.id, e.url, e.events) for e in await app.core.store.webhooks.of_board(board.id)]


async def test_a_moderator_adds_lists_and_removes_an_endpoint(
    workspace: Workspace, app: App
) -> None:
    # Slack sends a typed URL as a link; & arrives as &amp;.
    text = "config webhook add <https://hooks.example.com/h?a=1&amp;b=_2_> idea.created"
    answer = await workspace.command("/ideabot", text, workspace.admin)
    [(webhook_id, url, events)] = await endpoints(app, workspace)
    assert (url, events) == ("https://hooks.example.com/h?a=1&b=_2_", ("idea.created",))
    secret = answer.split("only to you: `", 1)[1].split("`", 1)[0]
    assert secret.startswith("whsec_") and f"Webhook {webhook_id} sends idea.created" in answer
    for channel in workspace.slack.channels:
        assert not any(secret in m.text for m in workspace.slack.messages(channel, replies=True))

    listed = await workspace.command("/ideabot", "config webhook list", workspace.admin)
    assert f"{webhook_id}: active, `https://hooks.example.com/h?a=1&amp;b=_2_`" in listed
    assert secret not in listed
    removed = await workspace.command(
        "/ideabot", f"config webhook remove {webhook_id}", workspace.admin
    )
    assert removed == f"Removed webhook {webhook_id}."
    assert await endpoints(app, workspace) == []


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("config webhook add http://hooks.example.com/h", "https:// URLs only"),
        ("config webhook add <https://127.0.0.1/h>", "loopback, private"),
        ("config webhook add https://169.254.169.254/latest", "link-local"),
        ("config webhook add https://[::1]/h", "loopback, private"),
        ("config webhook add https://example.com/h idea.exploded", "not an event"),
        ("config webhook add https://example.com/h <!channel>", "not an event"),
        ("config webhook add https://example.com/" + "a" * 2100, "too long"),
        ("config webhook add", "Usage: `/ideabot config webhook"),
        ("config webhook add https://a.example https://b.example x", "Usage"),
        ("config webhook remove 12abc", "is not a webhook id"),
        ("config webhook remove 99", "has no webhook 99"),
        ("config webhook remove 99999999999999999999", "is not a webhook id"),
        ("config webhook drop 1", "Usage"),
        ("config webhook " + "x " * 3000, "too long"),
    ],
    ids=lambda v: v[:40],
)
async def test_hostile_input_is_one_answer_and_changes_nothing(
    workspace: Workspace, app: App, text: str, answer: str
) -> None:
    said = await workspace.command("/ideabot", text, workspace.admin)
    assert answer in said and "\n" not in said, said
    assert "<!channel>" not in said
    assert await endpoints(app, workspace) == []


async def test_members_are_refused(workspace: Workspace, app: App) -> None:
    for text in (
        "config webhook add https://hooks.example.com/h",
        "config webhook list",
        "config webhook remove 1",
    ):
        said = await workspace.command("/ideabot", text, workspace.carol)
        assert said == "Only moderators can do that.", said
    assert await endpoints(app, workspace) == []


async def test_an_endpoint_switched_off_is_told_once_in_the_digest_channel(
    workspace: Workspace, app: App
) -> None:
    await workspace.command("/ideabot", "config channel digest", workspace.admin)
    await workspace.command(
        "/ideabot", "config webhook add https://hooks.example.com/T0KEN", workspace.admin
    )
    [(webhook_id, _, _)] = await endpoints(app, workspace)
    where = Where(platform="slack", workspace_id=workspace.slack.team_id)
    board = await app.core.board_for(where)
    sender = WebhookSender(app.core.store, allow_private=False)
    app.outbox.register_family(PREFIX, sender.targets, sender.deliver)
    try:
        assert await disable_failing(app.core, board.id, webhook_id)
        assert not await disable_failing(app.core, board.id, webhook_id)  # once
        while await app.outbox.tick():
            pass
    finally:
        await sender.close()
    said = [
        m.text for m in workspace.slack.bot_messages(workspace.general) if "switched off" in m.text
    ]
    assert len(said) == 1 and f"Webhook {webhook_id} (to hooks.example.com)" in said[0]
    assert "T0KEN" not in said[0]
    listed = await workspace.command("/ideabot", "config webhook list", workspace.admin)
    assert f"{webhook_id}: switched off" in listed

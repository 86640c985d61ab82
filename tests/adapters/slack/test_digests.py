"""The weekly digest posted by the scheduler through slack_sdk against the fake Web API: once,
resumed after a crash half way, retried after Slack refused it; and the digest commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.slack.digests import EVENT_TYPE, SlackDigestPoster
from adapters.slack.render import LATE_NOTE
from bot.app import App
from bot.domain import Where
from bot.scheduler import DigestScheduler
from tests.adapters.digests import Died, DiesAfterPosting, each_part_once, seed_week
from tests.adapters.slack.conftest import Workspace
from tests.conftest import FakeClock
from tests.fakes.slack import FakeChannel, FakeSlack

WEEK = datetime(2026, 11, 2, tzinfo=UTC)  # Monday: the week 2026-W45
SUNDAY = datetime(2026, 11, 8, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)  # the default slot, Monday 09:00 UTC


def where(space: Workspace, channel: FakeChannel) -> Where:
    return Where(platform="slack", workspace_id=space.slack.team_id, channel_id=channel.id)


async def digest_channel(space: Workspace) -> FakeChannel:
    channel = space.slack.add_channel("digest")
    answer = await space.command("/ideabot", "config channel digest", space.admin, channel)
    assert "is now an digest channel" in answer
    return channel


def parts(slack: FakeSlack, channel: FakeChannel) -> list[tuple[str, int, int]]:
    """(key, part, parts) of each digest message in the channel, oldest first."""
    found = []
    for message in slack.messages(channel):
        assert message.user.id == slack.bot_user_id
        assert message.metadata is not None and message.metadata["event_type"] == EVENT_TYPE
        payload = message.metadata["event_payload"]
        found.append((payload["key"], payload["part"], payload["parts"]))
    return found


def poster(space: Workspace) -> SlackDigestPoster:
    return SlackDigestPoster(space.handlers.client)


async def test_the_scheduler_posts_the_digest_once_when_its_slot_comes(
    workspace: Workspace, app: App, clock: FakeClock
) -> None:
    slack = workspace.slack
    clock.now = SUNDAY
    channel = await digest_channel(workspace)
    await seed_week(app, where(workspace, workspace.ideas), WEEK, ideas=40, status_changes=10)
    assert await app.digests.tick() == []  # last Monday's slot came before the channel
    clock.now = DUE + timedelta(seconds=1)
    deliveries = await app.digests.tick()
    assert [(d.outcome, d.late, d.label) for d in deliveries] == [("posted", False, "2026-W45")]
    each_part_once(parts(slack, channel))
    messages = slack.messages(channel)
    assert deliveries[0].message_id == messages[0].ts
    assert messages[0].blocks is not None
    assert messages[0].blocks[0]["text"]["text"].endswith("ideas of 2026-W45")
    text = "\n".join(str(m.blocks) + m.text for m in messages)
    assert LATE_NOTE not in text
    # Member text like <!channel> or <@U1> is escaped: it pings nobody.
    assert "<!channel>" not in text and "<@U1>" not in text and "&lt;!channel&gt;" in text

    clock.advance(minutes=5)
    assert await app.digests.tick() == []
    assert len(slack.messages(channel)) == len(messages)


async def test_a_digest_due_while_the_app_was_down_is_posted_once_and_says_it_is_late(
    workspace: Workspace, app: App, clock: FakeClock
) -> None:
    clock.now = SUNDAY
    channel = await digest_channel(workspace)
    clock.now = DUE + timedelta(hours=6)
    deliveries = await app.digests.tick()
    assert [(d.outcome, d.late) for d in deliveries] == [("posted", True)]
    (message,) = workspace.slack.messages(channel)
    assert LATE_NOTE in str(message.blocks)
    assert await app.digests.tick() == []


@pytest.mark.parametrize("dies", ["after part 1", "after the last part"])
async def test_a_restart_in_the_middle_of_posting_never_posts_a_part_twice(
    workspace: Workspace, app: App, clock: FakeClock, dies: str
) -> None:
    slack = workspace.slack
    clock.now = SUNDAY
    channel = await digest_channel(workspace)
    await seed_week(
        app, where(workspace, workspace.ideas), WEEK, ideas=300, status_changes=150, merges=60
    )
    clock.now = DUE + timedelta(seconds=1)
    if dies == "after part 1":
        # Slack takes part 1; the process dies before part 2 is sent.
        slack.fail_next("chat.postMessage", status=500, after=1)
    app.digests.register(DiesAfterPosting(poster(workspace)))
    with pytest.raises(Died):
        await app.digests.tick()
    before = parts(slack, channel)
    total = before[0][2]
    assert total >= 2
    assert len(before) == (1 if dies == "after part 1" else total)

    app.digests.register(poster(workspace))
    assert await app.digests.tick() == []  # the dead process's claim is still running

    clock.advance(minutes=6)
    restarted = DigestScheduler(app.core, owner="restarted")
    restarted.register(poster(workspace))
    deliveries = await restarted.tick()
    assert [d.outcome for d in deliveries] == ["posted"]
    each_part_once(parts(slack, channel))
    assert deliveries[0].message_id == slack.messages(channel)[0].ts
    assert await restarted.tick() == [] and await app.digests.tick() == []


@pytest.mark.parametrize(
    ("status", "error", "says"),
    [(500, None, "internal_error"), (200, "not_in_channel", "invite the app")],
)
async def test_a_refused_post_is_retried_later_and_then_posted_once(
    workspace: Workspace,
    app: App,
    clock: FakeClock,
    status: int,
    error: str | None,
    says: str,
) -> None:
    slack = workspace.slack
    clock.now = SUNDAY
    channel = await digest_channel(workspace)
    clock.now = DUE + timedelta(seconds=1)
    slack.fail_next("chat.postMessage", status=status, error=error)
    (failed,) = await app.digests.tick()
    assert failed.outcome == "failed" and failed.retry_at is not None
    assert failed.retry_at > clock.now and says in (failed.error or "")
    assert slack.messages(channel) == []
    board = await app.core.board_for(where(workspace, channel))
    (state,) = (await app.digests.status(board)).channels
    assert state.last is not None and state.last.state != "posted"

    assert await app.digests.tick() == []  # not before retry_at
    clock.now = failed.retry_at + timedelta(seconds=1)
    (posted,) = await app.digests.tick()
    assert posted.outcome == "posted"
    assert len(slack.messages(channel)) == 1
    assert await app.digests.tick() == []


async def test_a_channel_the_app_left_fails_with_a_readable_reason(
    workspace: Workspace, app: App, clock: FakeClock
) -> None:
    clock.now = SUNDAY
    channel = await digest_channel(workspace)
    channel.bot_member = False
    clock.now = DUE + timedelta(seconds=1)
    (failed,) = await app.digests.tick()
    assert failed.outcome == "failed" and "not_in_channel" in (failed.error or "")
    assert workspace.slack.messages(channel) == []

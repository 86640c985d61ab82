"""The weekly digest posted by the scheduler through slack_sdk against the fake Web API: once,
resumed after a crash half way, retried after Slack refused it; and the digest commands."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.slack.digests import EVENT_TYPE, SlackDigestPoster
from bot.app import App
from bot.digest import MERGES_N, STATUS_N
from bot.domain import Where
from bot.render import LATE_NOTICE
from bot.scheduler import DigestScheduler
from tests.adapters.digests import (
    DUE,
    FRIDAY_IN_BERLIN,
    LONG_NOTE,
    SUNDAY,
    WEEK,
    Died,
    DiesAfterPosting,
    each_part_once,
    posts_at_0805_berlin,
    schedule_of,
    seed_week,
)
from tests.adapters.slack.conftest import Workspace
from tests.conftest import FakeClock
from tests.fakes.slack import FakeChannel, FakeSlack
from tests.fakes.slack.validate import blocks_text


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
    assert LATE_NOTICE not in text
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
    assert LATE_NOTICE in str(message.blocks)
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
    assert state.last is not None and not state.last.posted

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


# -- the digest commands --------------------------------------------------------------------


async def settings_of(app: App, space: Workspace) -> dict[str, object]:
    return (await app.core.board_for(where(space, space.general))).settings.to_json()


async def test_digest_now_posts_where_the_digest_is_missing_and_only_for_moderators(
    workspace: Workspace, app: App, clock: FakeClock
) -> None:
    space, slack = workspace, workspace.slack
    assert "no digest channel yet" in await space.command("/ideabot", "digest now", space.admin)
    clock.now = SUNDAY
    channel = await digest_channel(space)
    clock.now = DUE + timedelta(hours=2)
    assert "moderator" in await space.command("/ideabot", "digest now", space.alice)
    assert slack.messages(channel) == []

    text = await space.command("/ideabot", "digest now", space.admin)
    assert text == f"Posted the digest of 2026-W45 in <#{channel.id}>."
    (message,) = slack.messages(channel)
    assert LATE_NOTICE not in str(message.blocks)  # asked for: not late
    text = await space.command("/ideabot", "DIGEST NOW", space.admin)
    assert text.startswith(f"Skipped <#{channel.id}>: already posted")
    assert await app.digests.tick() == []
    assert len(slack.messages(channel)) == 1


async def test_digest_now_and_config_show_say_when_slack_refused_and_when_it_tries_again(
    workspace: Workspace, app: App, clock: FakeClock
) -> None:
    space = workspace
    clock.now = SUNDAY
    channel = await digest_channel(space)
    clock.now = DUE + timedelta(minutes=1)
    channel.bot_member = False
    text = await space.command("/ideabot", "digest now", space.admin)
    assert text.startswith(f"Could not post the digest of 2026-W45 in <#{channel.id}>")
    assert "invite the app" in text and "tries again Mon 09 Nov 2026 09:02 (UTC)" in text

    text = await space.command("/ideabot", "config show", space.admin)
    assert "Digest: Mondays 09:00 (UTC); next on Mon 16 Nov 2026 09:00 (UTC)" in text
    assert f"• <#{channel.id}>: 2026-W45 failed once: Slack refused" in text
    assert "next try Mon 09 Nov 2026 09:02 (UTC)" in text

    channel.bot_member = True
    text = await space.command("/ideabot", "digest now", space.admin)
    assert text == f"Posted the digest of 2026-W45 in <#{channel.id}>."
    text = await space.command("/ideabot", "config show", space.admin)
    assert f"• <#{channel.id}>: 2026-W45 posted Mon 09 Nov 2026 09:01 (UTC)" in text


async def test_digest_preview_shows_the_next_digest_to_moderators_only(
    workspace: Workspace, app: App, clock: FakeClock
) -> None:
    space = workspace
    await seed_week(app, where(space, space.ideas), WEEK, ideas=30, status_changes=5)
    clock.now = DUE + timedelta(days=1)
    assert "moderator" in await space.command("/ideabot", "digest preview", space.alice)
    text = await space.command("/ideabot", "digest preview", space.admin)
    assert "*Status changes*" in text and "&lt;!channel&gt;" in text
    assert space.slack.messages(space.general) == []


async def test_config_digest_sets_the_schedule_and_the_scheduler_follows_it(
    workspace: Workspace, app: App, clock: FakeClock
) -> None:
    space = workspace
    clock.now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # a Tuesday
    channel = await digest_channel(space)
    text = await space.command("/ideabot", "config digest Friday 17:30 Europe/Berlin", space.admin)
    assert text == FRIDAY_IN_BERLIN
    settings = await settings_of(app, space)
    assert schedule_of(settings) == ("friday", "17:30", "Europe/Berlin")
    text = await space.command("/ideabot", "config show", space.admin)
    assert "Digest: Fridays 17:30 (Europe/Berlin)" in text
    assert f"• <#{channel.id}>: nothing posted yet" in text
    text = await space.command("/ideabot", "config digest monday 8:05", space.admin)
    assert text.startswith("The digest is posted Mondays 08:05 (Europe/Berlin)")

    await posts_at_0805_berlin(app, clock)
    assert len(space.slack.messages(channel)) == 1


@pytest.mark.parametrize(
    ("who", "text", "says"),
    [
        ("alice", "config digest friday 10:00", "moderator"),
        ("admin", "config digest funday 10:00", "digest_weekday must be one of"),
        ("admin", "config digest friday 25:00", "is not a time"),
        ("admin", "config digest friday 9", "is not a time"),
        ("admin", "config digest friday", "Usage: `/ideabot config digest"),
        ("admin", "config digest", "Usage: `/ideabot config digest"),
        ("admin", "config digest friday 09:00; DROP TABLE boards", "time zone"),
        ("admin", "config digest friday 09:00 Mars/Base", "time zone"),
        ("admin", "config digest friday 09:00 ../../etc/passwd", "time zone"),
        ("admin", "config digest friday 09:00 Europe/Berlin extra", "Usage"),
        ("admin", "config digest friday 09:00 " + "Z" * 3000, "time zone"),
        ("admin", "config digest friday 09:00 " + "Z" * 5000, "too long"),
        ("admin", "config digest sunday 23:59 <!channel>", "time zone"),
        ("admin", "digest later", "Usage"),
    ],
)
async def test_bad_digest_commands_get_a_clear_answer_and_change_nothing(
    workspace: Workspace, app: App, who: str, text: str, says: str
) -> None:
    before = await settings_of(app, workspace)
    answer = await workspace.command("/ideabot", text, getattr(workspace, who))
    assert says in answer, answer
    assert "<!channel>" not in answer
    assert await settings_of(app, workspace) == before


async def test_a_week_of_500_ideas_is_posted_in_parts_within_slacks_limits(
    workspace: Workspace, app: App, clock: FakeClock
) -> None:
    slack = workspace.slack
    clock.now = SUNDAY
    channel = await digest_channel(workspace)
    await seed_week(
        app, where(workspace, workspace.ideas), WEEK, status_changes=150, merges=100, note=LONG_NOTE
    )
    clock.now = DUE + timedelta(seconds=1)
    # The fake refuses anything past a limit (invalid_blocks, msg_blocks_too_long).
    (posted,) = await app.digests.tick()
    assert posted.outcome == "posted", posted.error
    messages = slack.messages(channel)
    each_part_once(parts(slack, channel))
    assert len(messages) > 1
    for message in messages:
        assert message.blocks is not None and 1 <= len(message.blocks) <= 50
        assert blocks_text(message.blocks) <= 12_000
        assert len(message.text) <= 4000
    text = "\n".join(str(m.blocks) for m in messages)
    assert "*400* new ideas" in text  # the 100 merged into others are not new ideas
    # The first status changes and merges are listed, the rest counted.
    assert text.count(" → *") == STATUS_N + MERGES_N
    assert f"… and {150 - STATUS_N} more status changes" in text
    assert f"… and {100 - MERGES_N} more merges" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text

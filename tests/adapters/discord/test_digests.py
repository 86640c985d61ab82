"""The weekly digest posted by the scheduler through the real client: once, resumed after a
crash half way, retried after Discord refused it; and the digest commands."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from adapters.discord.bot import IdeaBot
from adapters.discord.digests import DiscordDigestPoster
from bot.app import App
from bot.channels import Channels
from bot.digest import MERGES_N, STATUS_N
from bot.domain import Actor, Person, Where
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
from tests.adapters.discord.conftest import World, connected
from tests.adapters.discord.test_moderation_and_resilience import command, log_actions
from tests.conftest import FakeClock
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeMessage

_FOOTER = re.compile(r"ideabot digest · (\S+) · part (\d+)/(\d+)")


def owner(world: World) -> Actor:
    return Actor(
        person=Person(platform="discord", user_id=str(world.owner.id), name="owner"),
        is_moderator=True,
    )


async def digest_channel(app: App, world: World) -> FakeChannel:
    """A #digest channel, set up as a moderator would with /ideabot config channel."""
    channel = world.guild.add_channel("digest")
    await Channels(app.core).set_channel(world.where(channel), owner(world), "digest", True)
    return channel


def parts(fake: FakeDiscord, channel: FakeChannel) -> list[tuple[str, int, int]]:
    """(key, part, parts) of each digest message in the channel, oldest first."""
    found = []
    for message in fake.messages(channel):
        assert message.author is fake.bot_user
        match = _FOOTER.search(message.embeds[-1].get("footer", {}).get("text", ""))
        assert match, message.embeds
        found.append((match[1], int(match[2]), int(match[3])))
    return found


def assert_no_pings(messages: list[FakeMessage]) -> None:
    for message in messages:
        assert message.allowed_mentions == {"parse": []}, message.allowed_mentions
        assert not message.pings


async def test_the_scheduler_posts_the_digest_once_when_its_slot_comes(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App, clock: FakeClock
) -> None:
    clock.now = SUNDAY
    channel = await digest_channel(app, world)
    await seed_week(app, world.where(world.ideas), WEEK, ideas=40, status_changes=10)
    # Last Monday's slot came before the channel was a digest channel: nothing for it.
    assert await app.digests.tick() == []
    clock.now = DUE + timedelta(seconds=1)
    deliveries = await app.digests.tick()
    assert [(d.outcome, d.late, d.label) for d in deliveries] == [("posted", False, "2026-W45")]
    each_part_once(parts(fake, channel))
    messages = fake.messages(channel)
    assert deliveries[0].message_id == str(messages[0].id)
    assert messages[0].embeds[0]["title"].endswith("ideas of 2026-W45")
    assert LATE_NOTICE not in messages[0].embeds[0]["description"]
    assert_no_pings(messages)
    # Raw text like "@everyone" or "<@U1>" in ideas stays inert.
    assert all(not m.mention_everyone and not m.mentions for m in messages)

    clock.advance(minutes=5)
    assert await app.digests.tick() == []
    assert len(fake.messages(channel)) == len(messages)


async def test_a_digest_due_while_the_bot_was_down_is_posted_once_and_says_it_is_late(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App, clock: FakeClock
) -> None:
    clock.now = SUNDAY
    channel = await digest_channel(app, world)
    clock.now = DUE + timedelta(hours=6)
    deliveries = await app.digests.tick()
    assert [(d.outcome, d.late) for d in deliveries] == [("posted", True)]
    (message,) = fake.messages(channel)
    assert LATE_NOTICE in message.embeds[0]["description"]
    assert await app.digests.tick() == []


@pytest.mark.parametrize("dies", ["after part 1", "after the last part"])
async def test_a_restart_in_the_middle_of_posting_never_posts_a_part_twice(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App, clock: FakeClock, dies: str
) -> None:
    clock.now = SUNDAY
    channel = await digest_channel(app, world)
    await seed_week(
        app, world.where(world.ideas), WEEK, ideas=120, status_changes=80, note="n" * 250
    )
    clock.now = DUE + timedelta(seconds=1)
    real = DiscordDigestPoster(bot)
    if dies == "after part 1":
        # Discord takes part 1; the process dies before part 2 is sent.
        fake.fail_next("POST", rf"/channels/{channel.id}/messages$", status=403, after=1)
    app.digests.register(DiesAfterPosting(real))
    with pytest.raises(Died):
        await app.digests.tick()
    before = parts(fake, channel)
    total = before[0][2]
    assert total >= 3
    assert len(before) == (1 if dies == "after part 1" else total)

    # The claim is still running: the same process looking again posts nothing.
    app.digests.register(real)
    assert await app.digests.tick() == []

    # Another process, once the dead one's claim ran out, finishes the post.
    clock.advance(minutes=6)
    restarted = DigestScheduler(app.core, owner="restarted")
    restarted.register(DiscordDigestPoster(bot))
    deliveries = await restarted.tick()
    assert [d.outcome for d in deliveries] == ["posted"]
    each_part_once(parts(fake, channel))
    assert deliveries[0].message_id == str(fake.messages(channel)[0].id)
    assert await restarted.tick() == [] and await app.digests.tick() == []
    assert_no_pings(fake.messages(channel))


@pytest.mark.parametrize(("status", "says"), [(403, "refused"), (404, "is gone")])
async def test_a_refused_post_is_retried_later_and_then_posted_once(
    fake: FakeDiscord,
    world: World,
    bot: IdeaBot,
    app: App,
    clock: FakeClock,
    status: int,
    says: str,
) -> None:
    clock.now = SUNDAY
    channel = await digest_channel(app, world)
    clock.now = DUE + timedelta(seconds=1)
    fake.fail_next("POST", rf"/channels/{channel.id}/messages$", status=status)
    (failed,) = await app.digests.tick()
    assert failed.outcome == "failed" and failed.retry_at is not None
    assert failed.retry_at > clock.now and says in (failed.error or "")
    assert fake.messages(channel) == []
    board = await app.core.board_for(world.where())
    (state,) = (await app.digests.status(board)).channels
    assert state.last is not None and not state.last.posted
    assert state.last.error == failed.error

    assert await app.digests.tick() == []  # not before retry_at
    clock.now = failed.retry_at + timedelta(seconds=1)
    (posted,) = await app.digests.tick()
    assert posted.outcome == "posted"
    assert len(fake.messages(channel)) == 1
    assert await app.digests.tick() == []


async def test_a_channel_the_bot_cannot_see_fails_with_a_readable_reason(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App, clock: FakeClock
) -> None:
    clock.now = SUNDAY
    gone = world.where(world.general)
    gone = Where(platform="discord", workspace_id=gone.workspace_id, channel_id="1234567")
    await Channels(app.core).set_channel(gone, owner(world), "digest", True)
    clock.now = DUE + timedelta(seconds=1)
    (failed,) = await app.digests.tick()
    assert failed.outcome == "failed" and "gone" in (failed.error or "")


# -- the digest commands --------------------------------------------------------------------


async def settings_of(app: App, world: World) -> dict[str, object]:
    return (await app.core.board_for(world.where())).settings.to_json()


async def test_digest_now_posts_where_the_digest_is_missing_and_only_for_moderators(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App, clock: FakeClock
) -> None:
    _, text = await command(fake, world, world.maya, ["digest", "now"])
    assert "no digest channel yet" in text
    clock.now = SUNDAY
    channel = await digest_channel(app, world)
    clock.now = DUE + timedelta(hours=2)
    fake.allow_command(world.guild, "ideabot", world.guild)
    refused, text = await command(fake, world, world.dan, ["digest", "now"])
    assert refused.ephemeral and "moderator" in text
    assert fake.messages(channel) == []

    answer, text = await command(fake, world, world.maya, ["digest", "now"])
    assert answer.ephemeral
    assert text == f"Posted the digest of 2026-W45 in <#{channel.id}>."
    (message,) = fake.messages(channel)
    assert LATE_NOTICE not in message.embeds[0]["description"]  # asked for: not late
    _, text = await command(fake, world, world.maya, ["digest", "now"])
    assert text.startswith(f"Skipped <#{channel.id}>: already posted")
    assert await app.digests.tick() == []
    assert len(fake.messages(channel)) == 1


async def test_digest_now_says_when_discord_refused_and_when_it_tries_again(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App, clock: FakeClock
) -> None:
    clock.now = SUNDAY
    channel = await digest_channel(app, world)
    clock.now = DUE + timedelta(minutes=1)
    fake.fail_next("POST", rf"/channels/{channel.id}/messages$", status=403)
    _, text = await command(fake, world, world.owner, ["digest", "now"])
    assert text.startswith(f"Could not post the digest of 2026-W45 in <#{channel.id}>")
    assert "Discord refused" in text and "tries again Mon 09 Nov 2026 09:02 (UTC)" in text

    _, text = await command(fake, world, world.owner, ["config", "show"])
    assert "Digest: Mondays 09:00 (UTC); next on Mon 16 Nov 2026 09:00 (UTC)" in text
    assert f"• <#{channel.id}>: 2026-W45 failed once: Discord refused" in text
    assert "next try Mon 09 Nov 2026 09:02 (UTC)" in text

    _, text = await command(fake, world, world.owner, ["digest", "now"])
    assert text == f"Posted the digest of 2026-W45 in <#{channel.id}>."
    _, text = await command(fake, world, world.owner, ["config", "show"])
    assert f"• <#{channel.id}>: 2026-W45 posted Mon 09 Nov 2026 09:01 (UTC)" in text


async def test_config_digest_sets_the_schedule_and_the_scheduler_follows_it(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App, clock: FakeClock
) -> None:
    clock.now = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)  # a Tuesday
    channel = await digest_channel(app, world)
    options = {"weekday": "friday", "time": "17:30", "timezone": "Europe/Berlin"}
    _, text = await command(fake, world, world.maya, ["config", "digest"], options)
    assert text == FRIDAY_IN_BERLIN
    settings = await settings_of(app, world)
    assert schedule_of(settings) == ("friday", "17:30", "Europe/Berlin")
    _, text = await command(fake, world, world.maya, ["config", "show"])
    assert "Digest: Fridays 17:30 (Europe/Berlin)" in text
    assert f"• <#{channel.id}>: nothing posted yet" in text
    # Without a zone the board's stays.
    _, text = await command(
        fake, world, world.maya, ["config", "digest"], {"weekday": "monday", "time": "8:05"}
    )
    assert text.startswith("The digest is posted Mondays 08:05 (Europe/Berlin)")

    await posts_at_0805_berlin(app, clock)
    assert len(fake.messages(channel)) == 1


@pytest.mark.parametrize(
    ("who", "options", "says"),
    [
        ("dan", {"weekday": "friday", "time": "10:00"}, "moderator"),
        ("maya", {"weekday": "friday", "time": "25:00"}, "is not a time"),
        ("maya", {"weekday": "friday", "time": "9"}, "is not a time"),
        ("maya", {"weekday": "friday", "time": " "}, "is not a time"),
        ("maya", {"weekday": "friday", "time": "09:00; DROP TABLE boards"}, "is not a time"),
        ("maya", {"weekday": "friday", "time": "09:00", "timezone": "Mars/Base"}, "time zone"),
        (
            "maya",
            {"weekday": "friday", "time": "09:00", "timezone": "../../etc/passwd"},
            "time zone",
        ),
        ("maya", {"weekday": "friday", "time": "09:00", "timezone": "Z" * 100}, "time zone"),
        # A good weekday and time with a bad zone: none of the three is applied.
        ("maya", {"weekday": "sunday", "time": "23:59", "timezone": "UTC+2"}, "time zone"),
    ],
)
async def test_bad_digest_schedules_get_a_clear_answer_and_change_nothing(
    fake: FakeDiscord,
    world: World,
    bot: IdeaBot,
    app: App,
    who: str,
    options: dict[str, object],
    says: str,
) -> None:
    fake.allow_command(world.guild, "ideabot", world.guild)
    before, log = await settings_of(app, world), log_actions(app)
    member = getattr(world, who)
    interaction, text = await command(fake, world, member, ["config", "digest"], options)
    assert interaction.ephemeral and says in text, text
    assert await settings_of(app, world) == before and log_actions(app) == log


@pytest.mark.parametrize(
    "options",
    [
        {"weekday": "funday", "time": "09:00"},
        {"weekday": "friday", "time": ""},
        {"weekday": "friday", "time": "9" * 101},
        {"weekday": "friday", "time": "09:00", "timezone": "Z" * 5000},
        {"weekday": "friday"},
        {"weekday": "friday", "time": "09:00", "zone": "UTC"},
    ],
)
async def test_options_discord_itself_refuses_never_reach_the_bot(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App, options: dict[str, object]
) -> None:
    before = await settings_of(app, world)
    with pytest.raises((ValueError, TypeError)):
        await command(fake, world, world.maya, ["config", "digest"], options)
    assert await settings_of(app, world) == before


def embeds_size(embeds: list[dict[str, object]]) -> int:
    """Characters that count towards Discord's 6,000 per message."""
    size = 0
    for embed in embeds:
        size += len(str(embed.get("title") or "")) + len(str(embed.get("description") or ""))
        size += len(str((embed.get("footer") or {}).get("text") or ""))  # type: ignore[union-attr]
    return size


async def test_a_week_of_500_ideas_is_posted_in_parts_within_discords_limits(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App, clock: FakeClock
) -> None:
    clock.now = SUNDAY
    channel = await digest_channel(app, world)
    await seed_week(
        app, world.where(world.ideas), WEEK, status_changes=150, merges=100, note=LONG_NOTE
    )
    clock.now = DUE + timedelta(seconds=1)
    # The fake answers 400 to anything past a limit, which would fail the post.
    (posted,) = await app.digests.tick()
    assert posted.outcome == "posted", posted.error
    messages = fake.messages(channel)
    each_part_once(parts(fake, channel))
    assert len(messages) > 1
    for message in messages:
        assert 1 <= len(message.embeds) <= 10
        assert embeds_size(message.embeds) <= 6000
        assert all(len(e.get("description") or "") <= 4096 for e in message.embeds)
    assert_no_pings(messages)
    text = "\n".join(e.get("description") or "" for m in messages for e in m.embeds)
    assert "**400 new ideas**" in text  # the 100 merged into others are not new ideas
    # The first status changes and merges are listed, the rest counted.
    assert text.count("(automatically)") == MERGES_N
    assert text.count("→ **") == STATUS_N + MERGES_N
    assert f"… and {150 - STATUS_N} more status changes" in text
    assert f"… and {100 - MERGES_N} more merges" in text
    assert len(messages) <= 3
    assert "@everyone" not in text and "@\u200deveryone" in text


async def test_a_post_while_discord_is_not_connected_fails_instead_of_waiting_for_ever(
    fake: FakeDiscord, world: World, app: App, clock: FakeClock
) -> None:
    clock.now = SUNDAY
    channel = await digest_channel(app, world)
    clock.now = DUE + timedelta(seconds=1)
    async with connected(fake, app) as client:
        pass  # connected once, then gone (closed)
    (failed,) = await app.digests.tick()
    assert failed.outcome == "failed" and "not connected to Discord" in (failed.error or "")
    never_ready = DiscordDigestPoster(IdeaBot(app), ready_timeout=0.01)
    app.digests.register(never_ready)
    clock.now = failed.retry_at or clock.now
    (failed,) = await app.digests.tick()
    assert failed.outcome == "failed" and "not connected to Discord" in (failed.error or "")
    assert fake.messages(channel) == [] and client.is_closed()

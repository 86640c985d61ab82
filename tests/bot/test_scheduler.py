"""The digest scheduler: on time in each board's zone, exactly once, late once, retried.

The platforms are stood in for by ``ChannelPoster``, a hand-written fake of the port
that keeps the messages of each channel and, like the real adapters, skips the parts
of a digest already in the channel. The Discord and Slack posters themselves are
tested end to end in tests/adapters.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.channels import Channels
from bot.digest_posts import DigestPost, NoDigestChannel, PostFailed
from bot.domain import Where
from bot.errors import NotAllowed
from bot.scheduler import LEASE, DigestScheduler
from bot.settings import Settings
from tests.conftest import FakeClock, draft, member, moderator, vote
from tests.fakes.embedder import TestEmbedder

DISCORD = Where(platform="discord", workspace_id="g1", channel_id="c-ideas")
DISCORD_DIGEST = Where(platform="discord", workspace_id="g1", channel_id="c-digest")
SLACK_DIGEST = Where(platform="slack", workspace_id="T1", channel_id="C-digest")


def utc(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


@dataclass
class Message:
    channel: str
    key: str
    label: str
    late: bool
    quiet: bool
    at: datetime


@dataclass
class ChannelPoster:
    """A platform's channels as the scheduler sees them through the port."""

    platform: str
    clock: FakeClock
    messages: list[Message] = field(default_factory=list)
    # Exceptions to raise on the next attempts, in order.
    failures: list[BaseException] = field(default_factory=list)
    # Raised after the message went out: the process dies before recording it.
    die_after_post: BaseException | None = None
    entered: asyncio.Event = field(default_factory=asyncio.Event)
    gate: asyncio.Event | None = None

    async def post_digest(self, where: Where, post: DigestPost) -> str:
        self.entered.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.failures:
            raise self.failures.pop(0)
        assert where.channel_id is not None
        mine = [m for m in self.in_channel(where.channel_id) if m.key == post.key]
        if not mine:  # parts already posted by an attempt that died are not posted again
            self.messages.append(
                Message(
                    channel=where.channel_id,
                    key=post.key,
                    label=post.digest.period.label,
                    late=post.digest.late,
                    quiet=post.digest.quiet,
                    at=self.clock(),
                )
            )
        if self.die_after_post is not None:
            dying, self.die_after_post = self.die_after_post, None
            raise dying
        return f"m{len(self.messages)}"

    def in_channel(self, channel_id: str) -> list[Message]:
        return [m for m in self.messages if m.channel == channel_id]


class Died(BaseException):
    """The process stopped (a BaseException, like a cancellation or SIGTERM)."""


@pytest.fixture
def clock() -> FakeClock:
    # Sunday before the first Monday slot of the tests.
    return FakeClock(utc(11, 1, 12))


@pytest.fixture
def discord(app: App, clock: FakeClock) -> ChannelPoster:
    poster = ChannelPoster("discord", clock)
    app.digests.register(poster)
    return poster


async def add_digest_channel(app: App, where: Where = DISCORD_DIGEST) -> None:
    await Channels(app.core).set_channel(where, moderator(), "digest", True)


async def test_posts_once_when_due_and_never_again(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    await add_digest_channel(app)
    await app.ideas.submit(draft("Offline maps for whole regions", message_id="m1", at=utc(11, 1)))
    assert await app.digests.tick() == []  # not due yet
    clock.now = utc(11, 2, 9)
    [delivery] = await app.digests.tick()
    assert (delivery.outcome, delivery.label, delivery.late) == ("posted", "2026-W44", False)
    assert [m.label for m in discord.messages] == ["2026-W44"]
    assert not discord.messages[0].quiet
    clock.advance(hours=3)
    assert await app.digests.tick() == []
    clock.now = utc(11, 9, 9, 1)
    await app.digests.tick()
    assert [m.label for m in discord.messages] == ["2026-W44", "2026-W45"]
    [row] = await app.core.store.digests.latest((await app.core.all_boards())[0].id)
    assert (row.state, row.label, row.attempts) == ("posted", "2026-W45", 1)


async def test_an_empty_week_is_a_quiet_digest(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    await add_digest_channel(app)
    clock.now = utc(11, 2, 9)
    [delivery] = await app.digests.tick()
    assert delivery.outcome == "posted"
    assert discord.messages[0].quiet


async def test_a_channel_added_after_the_slot_waits_for_the_next(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    clock.now = utc(11, 4, 12)  # Wednesday: Monday's slot has passed
    await add_digest_channel(app)
    assert await app.digests.tick() == []
    clock.now = utc(11, 9, 9)
    assert [d.label for d in await app.digests.tick()] == ["2026-W45"]


async def test_two_time_zones_across_dst_by_the_loop(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    """The loop sleeps until each board's slot; its sleeps move the clock, no time passes."""
    slack = ChannelPoster("slack", clock)
    app.digests.register(slack)
    clock.now = utc(10, 12)
    await add_digest_channel(app, DISCORD_DIGEST)
    await add_digest_channel(app, SLACK_DIGEST)
    await app.moderation.configure(DISCORD, moderator(), "timezone", "Europe/Berlin")
    slack_home = Where(platform="slack", workspace_id="T1", channel_id="C-digest")
    await app.moderation.configure_many(
        slack_home,
        moderator(),
        {"timezone": "America/New_York", "digest_weekday": "tuesday", "digest_time": "08:30"},
    )
    naps: list[float] = []

    async def sleep(seconds: float) -> None:
        naps.append(seconds)
        clock.advance(seconds=seconds)
        if len(discord.messages) >= 4 and len(slack.messages) >= 4:
            raise asyncio.CancelledError

    # Waking daily between slots instead of every ten minutes keeps the test quick.
    app.digests.max_nap = timedelta(days=1)
    with pytest.raises(asyncio.CancelledError):
        await app.digests.run(sleep)
    # Berlin, Mondays 09:00: summer time until Sun 25 Oct, then winter time.
    assert [m.at for m in discord.messages] == [
        utc(10, 12, 7),
        utc(10, 19, 7),
        utc(10, 26, 8),
        utc(11, 2, 8),
    ]
    assert [m.label for m in discord.messages] == ["2026-W41", "2026-W42", "2026-W43", "2026-W44"]
    # New York, Tuesdays 08:30: daylight time until Sun 1 Nov.
    assert [m.at for m in slack.messages] == [
        utc(10, 13, 12, 30),
        utc(10, 20, 12, 30),
        utc(10, 27, 12, 30),
        utc(11, 3, 13, 30),
    ]
    assert slack.messages[-1].label == "27 Oct–02 Nov 2026"
    assert not any(m.late for m in discord.messages + slack.messages)
    # It slept until each slot, waking at least daily in between.
    assert max(naps) <= 86400
    assert len(naps) < 4 * 7 * 2


async def test_only_the_latest_missed_period_is_posted_once_and_marked_late(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    await add_digest_channel(app)
    clock.now = utc(11, 2, 9)
    await app.digests.tick()
    clock.now = utc(11, 25, 15)  # down for three weeks; back on a Wednesday
    [delivery] = await app.digests.tick()
    assert (delivery.label, delivery.late) == ("2026-W47", True)
    assert await app.digests.tick() == []
    assert [(m.label, m.late) for m in discord.messages] == [
        ("2026-W44", False),
        ("2026-W47", True),
    ]


async def test_a_clock_turned_back_never_posts_again(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    await add_digest_channel(app)
    clock.now = utc(11, 9, 9)
    await app.digests.tick()
    clock.now = utc(11, 2, 10)  # NTP steps the clock back a week
    assert await app.digests.tick() == []
    clock.now = utc(11, 9, 9, 30)
    assert await app.digests.tick() == []
    assert [m.label for m in discord.messages] == ["2026-W45"]


async def test_a_failed_post_is_retried_with_backoff_while_others_post(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    slack = ChannelPoster("slack", clock)
    app.digests.register(slack)
    await add_digest_channel(app, DISCORD_DIGEST)
    await add_digest_channel(app, SLACK_DIGEST)
    discord.failures = [PostFailed("503 Service Unavailable"), PostFailed("503 again")]
    clock.now = utc(11, 2, 9)
    outcomes = {d.where.platform: d for d in await app.digests.tick()}
    assert outcomes["slack"].outcome == "posted"  # one platform's trouble stops nobody else
    failed = outcomes["discord"]
    assert (failed.outcome, failed.error) == ("failed", "503 Service Unavailable")
    assert failed.retry_at == utc(11, 2, 9, 1)
    assert await app.digests.next_wake() == utc(11, 2, 9, 1)
    assert await app.digests.tick() == []  # waits out the backoff
    clock.now = utc(11, 2, 9, 1)
    [again] = await app.digests.tick()
    assert (again.outcome, again.retry_at) == ("failed", utc(11, 2, 9, 3))  # 2 minutes now
    clock.now = utc(11, 2, 9, 3)
    [done] = await app.digests.tick()
    assert done.outcome == "posted"
    assert [m.label for m in discord.messages] == ["2026-W44"]
    assert [m.label for m in slack.messages] == ["2026-W44"]
    board = (await app.core.all_boards())[0]
    rows = {r.platform: r for r in await app.core.store.digests.latest(board.id)}
    assert (rows["discord"].attempts, rows["discord"].last_error) == (3, None)


async def test_a_bug_in_a_poster_is_a_failed_post_not_a_dead_scheduler(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    await add_digest_channel(app)
    discord.failures = [RuntimeError()]
    clock.now = utc(11, 2, 9)
    [delivery] = await app.digests.tick()
    assert (delivery.outcome, delivery.error) == ("failed", "RuntimeError")


async def test_a_restart_in_the_middle_of_posting_does_not_post_twice(
    tmp_path: Path, embedder: TestEmbedder, clock: FakeClock
) -> None:
    settings = Settings(db=tmp_path / "ideabot.db")
    first = await build_app(settings, embedder=embedder, clock=clock)
    channel = ChannelPoster("discord", clock, die_after_post=Died())
    first.digests.register(channel)
    await add_digest_channel(first)
    clock.now = utc(11, 2, 9)
    with pytest.raises(Died):
        await first.digests.tick()  # the platform took it; the process died before recording
    await first.close()

    second = await build_app(settings, embedder=embedder, clock=clock)
    try:
        second.digests.register(channel)
        assert await second.digests.tick() == []  # the dead process's claim still runs
        assert await second.digests.next_wake() == utc(11, 2, 9) + LEASE
        clock.now = utc(11, 2, 9) + LEASE
        [delivery] = await second.digests.tick()
        assert delivery.outcome == "posted"
        assert [m.label for m in channel.messages] == ["2026-W44"]
        clock.advance(days=1)
        assert await second.digests.tick() == []
    finally:
        await second.close()


async def test_two_processes_on_one_database_post_once(
    tmp_path: Path, embedder: TestEmbedder, clock: FakeClock
) -> None:
    settings = Settings(db=tmp_path / "ideabot.db")
    one = await build_app(settings, embedder=embedder, clock=clock)
    two = await build_app(settings, embedder=embedder, clock=clock)
    try:
        gate = asyncio.Event()
        channel = ChannelPoster("discord", clock, gate=gate)
        one.digests.register(channel)
        two.digests.register(channel)
        await add_digest_channel(one)
        clock.now = utc(11, 2, 9)
        ticks = [
            asyncio.ensure_future(one.digests.tick()),
            asyncio.ensure_future(two.digests.tick()),
        ]
        await channel.entered.wait()  # one of them holds the claim and is posting
        done, pending = await asyncio.wait(ticks, return_when=asyncio.FIRST_COMPLETED)
        assert [t.result() for t in done] == [[]]  # the other found it claimed
        gate.set()
        [winner] = pending
        [delivery] = await winner
        assert delivery.outcome == "posted"
        assert len(channel.messages) == 1
        assert await one.digests.tick() == await two.digests.tick() == []
    finally:
        await one.close()
        await two.close()


async def test_post_now_posts_records_and_is_not_repeated_by_the_schedule(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    clock.now = utc(11, 4, 12)
    with pytest.raises(NoDigestChannel, match="config channel digest"):
        await app.digests.post_now(DISCORD, moderator())
    await add_digest_channel(app)
    with pytest.raises(NotAllowed):
        await app.digests.post_now(DISCORD, member("mallory"))
    assert discord.messages == []
    # A process that does not serve the channel's platform says so and posts nothing.
    [elsewhere] = await DigestScheduler(app.core).post_now(DISCORD, moderator())
    assert elsewhere.outcome == "skipped"
    assert "not connected to discord" in (elsewhere.error or "")
    deliveries = {d.where.platform: d for d in await app.digests.post_now(DISCORD, moderator())}
    assert (deliveries["discord"].outcome, deliveries["discord"].late) == ("posted", False)
    again = {d.where.platform: d for d in await app.digests.post_now(DISCORD, moderator())}
    assert again["discord"].outcome == "skipped"
    assert "already posted" in (again["discord"].error or "")
    assert await app.digests.tick() == []
    assert [m.label for m in discord.messages] == ["2026-W44"]


async def test_preview_is_the_digest_the_next_post_carries(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    await app.ideas.submit(draft("Dark mode for the map", message_id="m1", at=utc(10, 28)))
    await app.ideas.react(vote("m1", "bob", at=utc(10, 29)))
    clock.now = utc(11, 4)
    with pytest.raises(NotAllowed):
        await app.digests.preview(DISCORD, member("mallory"))
    digest = await app.digests.preview(DISCORD, moderator())
    assert digest.period.label == "2026-W44"
    assert [r.idea.title for r in digest.top] == ["Dark mode for the map"]
    assert discord.messages == []


async def test_status_shows_schedule_next_slot_and_last_posts(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    await add_digest_channel(app)
    discord.failures = [PostFailed("Missing Access")]
    clock.now = utc(11, 2, 9)
    await app.digests.tick()
    board = await app.core.board_for(DISCORD)
    status = await app.digests.status(board)
    assert status.schedule.describe() == "Mondays 09:00 (UTC)"
    assert status.next_due == utc(11, 9, 9)
    [state] = status.channels
    assert state.where.channel_id == "c-digest"
    assert state.last is not None
    assert (state.last.posted, state.last.error) == (False, "Missing Access")
    assert (state.last.attempts, state.last.next_try_at) == (1, utc(11, 2, 9, 1))


async def test_poke_wakes_the_loop_for_a_changed_schedule(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    await add_digest_channel(app)
    clock.now = utc(11, 2, 10)
    napping = asyncio.Event()
    woke = asyncio.Event()

    async def sleep(seconds: float) -> None:
        napping.set()
        await woke.wait()  # never woken by time: only a poke can end this nap

    loop = asyncio.ensure_future(app.digests.run(sleep))
    try:
        await napping.wait()
        napping.clear()
        await app.moderation.configure(DISCORD, moderator(), "digest_time", "09:30")
        app.digests.poke()
        await napping.wait()  # went round again instead of sleeping on
        assert [m.label for m in discord.messages] == ["2026-W44"]  # and posted nothing twice
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop


async def test_a_schedule_changed_by_another_process_wakes_the_loop(
    app: App, database: Path | str, discord: ChannelPoster, clock: FakeClock
) -> None:
    """No poke reaches a process from another one: the napping loop reads the boards'
    schedules every few seconds and goes round again when one changed."""
    await add_digest_channel(app)
    clock.now = utc(11, 2, 10)  # Monday 10:00 UTC: this week's 09:00 digest is posted
    await app.digests.tick()
    assert [m.label for m in discord.messages] == ["2026-W44"]
    clock.now = utc(11, 4, 12)  # Wednesday noon: the next slot is next Monday
    app.digests.watch_seconds = 0.01
    napping = asyncio.Event()
    never = asyncio.Event()

    async def sleep(seconds: float) -> None:
        napping.set()
        await never.wait()  # time never passes here: only a change can end this nap

    loop = asyncio.ensure_future(app.digests.run(sleep))
    other = await build_app(Settings(db=database), embedder=TestEmbedder(), clock=clock)
    try:
        await napping.wait()
        napping.clear()
        # Another process moves the digest to Wednesdays 11:00: one is due now.
        await other.moderation.configure_many(
            DISCORD, moderator(), {"digest_weekday": "wednesday", "digest_time": "11:00"}
        )
        await asyncio.wait_for(napping.wait(), timeout=120)  # went round again
        assert [m.label for m in discord.messages] == ["2026-W44", "28 Oct–03 Nov 2026"]
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop
        await other.close()


async def test_a_post_given_up_with_its_channel_does_not_keep_the_loop_awake(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    await add_digest_channel(app)
    discord.failures = [PostFailed("Unknown Channel")]
    clock.now = utc(11, 2, 9)
    await app.digests.tick()
    await Channels(app.core).set_channel(DISCORD_DIGEST, moderator(), "digest", False)
    clock.now = utc(11, 2, 9, 5)  # past the retry: nothing is due any more
    assert await app.digests.tick() == []
    assert await app.digests.next_wake() == utc(11, 2, 9, 15)  # the longest nap, not now


async def test_a_platform_that_hangs_holds_up_no_other_channel(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    slack = ChannelPoster("slack", clock)
    app.digests.register(slack)
    await add_digest_channel(app, DISCORD_DIGEST)
    await add_digest_channel(app, SLACK_DIGEST)
    discord.gate = asyncio.Event()  # Discord takes its time
    clock.now = utc(11, 2, 9)
    tick = asyncio.ensure_future(app.digests.tick())
    await discord.entered.wait()
    await slack.entered.wait()
    # Slack's digest went out while Discord's still hangs.
    assert [m.label for m in slack.messages] == ["2026-W44"]
    assert not tick.done() and discord.messages == []
    discord.gate.set()
    assert sorted(d.outcome for d in await tick) == ["posted", "posted"]


async def test_a_poke_during_a_round_makes_another_round(
    app: App, discord: ChannelPoster, clock: FakeClock
) -> None:
    """A platform that connects while a round is under way is served at once, not after
    the loop's next nap (ten minutes in production)."""
    await add_digest_channel(app, DISCORD_DIGEST)
    await add_digest_channel(app, SLACK_DIGEST)
    discord.gate = asyncio.Event()
    clock.now = utc(11, 2, 9)
    never = asyncio.Event()

    async def sleep(seconds: float) -> None:
        await never.wait()  # time never passes here: only a poke ends a nap

    loop = asyncio.ensure_future(app.digests.run(sleep))
    try:
        await discord.entered.wait()  # the round is under way
        slack = ChannelPoster("slack", clock)
        app.digests.register(slack)  # Slack connects now
        discord.gate.set()
        await asyncio.wait_for(slack.entered.wait(), timeout=120)
        assert [m.label for m in slack.messages] == ["2026-W44"]
    finally:
        loop.cancel()
        with pytest.raises(asyncio.CancelledError):
            await loop

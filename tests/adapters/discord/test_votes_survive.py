"""Every vote Discord shows is counted exactly once, through crashes, downtime and a gateway
session that cannot be resumed: the real `ideabot run` subprocess against the fake Discord
with its REST rate limits switched on (Discord's global 50/s and per-route budgets).

- ``test_votes_through_a_crash_and_downtime_are_counted_after_restart`` proves that
  (a) a storm of reactions (270 people on an idea, 60 on the bot's reply in its thread, 30
  of them on both: 300 people) followed at once by SIGKILL ends, after a restart on the same
  database, with exactly the 300 votes Discord shows, nobody twice; and (b) votes added and
  taken back while the bot was down are counted after the restart, on the bot's reply in an
  idea's thread (archived meanwhile) and on an idea 500 messages back in its channel.
- ``test_votes_changed_during_a_session_that_cannot_resume_are_counted`` proves that after
  INVALID_SESSION (a fresh IDENTIFY: Discord never replays what happened meanwhile) the
  votes changed in between are counted once the new session is READY, without a restart.

Each waits, reading the board through `ideabot ideas --format json`, until the stored votes
of the ideas equal what Discord shows (generous timeouts: the machine may be busy); a
failure names every idea whose count differs and prints the bot's last log lines.
"""

from __future__ import annotations

from pathlib import Path

from tests.adapters.discord.conftest import World
from tests.adapters.discord.running import (
    VOTE,
    make_idea_channel,
    post_idea,
    shown,
    start_bot,
    throttled,
)
from tests.adapters.process import await_votes
from tests.fakes.discord import FakeDiscord
from tests.fakes.discord.ratelimit import RateLimits


async def test_votes_through_a_crash_and_downtime_are_counted_after_restart(
    fake: FakeDiscord, world: World, tmp_path: Path
) -> None:
    fake.set_rate_limits(RateLimits())
    db = tmp_path / "run.db"
    people = [world.guild.add_member(f"member{i:03}") for i in range(300)]
    ideas_channel, old_channel = world.ideas, world.guild.add_channel("roadmap")

    first = await start_bot(fake, db, tmp_path)
    try:
        await make_idea_channel(fake, world, ideas_channel)
        await make_idea_channel(fake, world, old_channel)
        stormed = await post_idea(fake, world, ideas_channel, "Offline maps for whole regions")
        threaded = await post_idea(fake, world, ideas_channel, "Export my hikes as GPX files")
        old = await post_idea(fake, world, old_channel, "A night mode for the trail map")
        # Live votes, counted before anything goes wrong.
        await fake.react(threaded.reply, world.carol, VOTE)
        await fake.react(old.message, world.bob, VOTE)
        await fake.react(old.message, world.dan, VOTE)
        await await_votes(
            db, lambda: shown(threaded, old), bot=first, diagnose=lambda: throttled(fake)
        )

        # (a) The storm, then SIGKILL right after the last event is written to the socket.
        await fake.react_many(stormed.message, people[:270], VOTE)
        await fake.react_many(stormed.reply, people[240:], VOTE)
    finally:
        await first.kill()
    assert len(stormed.voters()) == 300

    # (b) While it is down: votes added and taken back on a thread reply (the thread then
    # archived) and on an idea that 500 newer messages push far back in its channel.
    await fake.react(threaded.reply, world.dan, VOTE)
    await fake.unreact(threaded.reply, world.carol, VOTE)
    await fake.react_many(threaded.reply, people[:12], VOTE)
    assert threaded.message.thread is not None
    fake.archive_thread(threaded.message.thread)
    await fake.unreact(old.message, world.bob, VOTE)
    await fake.react_many(old.message, people[100:120], VOTE)
    feed = world.guild.add_member("release-feed", bot=True)
    for n in range(500):
        await fake.post_message(old_channel, feed, f"build {n} deployed")

    second = await start_bot(fake, db, tmp_path)
    try:
        expected = shown(stormed, threaded, old)
        assert expected == {stormed.number: 300, threaded.number: 13, old.number: 21}
        await await_votes(
            db,
            lambda: shown(stormed, threaded, old),
            bot=second,
            timeout=240,
            diagnose=lambda: throttled(fake),
        )
    finally:
        await second.stop()


async def test_votes_changed_during_a_session_that_cannot_resume_are_counted(
    fake: FakeDiscord, world: World, tmp_path: Path
) -> None:
    fake.set_rate_limits(RateLimits())
    db = tmp_path / "run.db"
    people = [world.guild.add_member(f"member{i:02}") for i in range(20)]
    bot = await start_bot(fake, db, tmp_path)
    try:
        await make_idea_channel(fake, world, world.ideas)
        idea = await post_idea(fake, world, world.ideas, "Share a planned route with friends")
        await fake.react(idea.message, world.alice, VOTE)
        await fake.react(idea.reply, world.bob, VOTE)
        await await_votes(db, lambda: shown(idea), bot=bot, diagnose=lambda: throttled(fake))
        identifies = fake.identifies

        await fake.invalidate_session(stay_offline=True)
        # Between INVALID_SESSION and the new READY: no session, no events, ever.
        await fake.unreact(idea.message, world.alice, VOTE)
        await fake.react_many(idea.message, people[:10], VOTE)
        await fake.react_many(idea.reply, people[5:], VOTE)
        fake.allow_reconnect()
        await fake.wait_for(lambda: fake.identifies > identifies, 120, "a fresh IDENTIFY and READY")
        assert shown(idea) == {idea.number: 21}
        await await_votes(db, lambda: shown(idea), bot=bot, diagnose=lambda: throttled(fake))
    finally:
        await bot.stop()

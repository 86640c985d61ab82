"""Every vote Slack shows is counted exactly once, through crashes after acknowledgement,
downtime and socket refreshes: the real `ideabot run` subprocess against the fake Slack, with
Slack's method tiers enforced (429 + Retry-After) and reaction lists truncated as Slack does.

- ``test_socket_mode_votes_through_a_crash_and_downtime_are_counted_after_restart`` (Socket
  Mode) proves (a) that a storm of reaction_added envelopes (270 people on an idea, 60 on the
  bot's reply in its thread, 30 of them on both: 300 people), each acknowledged, followed by
  SIGKILL right after the last ack, ends after a restart on the same database with exactly
  the 300 votes Slack shows, nobody twice: Slack never re-sends an acknowledged event, so an
  ack must mean the vote is durable; and (b) that votes added and taken back while the bot was
  down are counted after the restart, on the bot's reply in an idea's thread and on an idea
  500 messages back in its channel.
- ``test_http_mode_votes_acknowledged_before_a_crash_are_counted_after_restart`` proves (a)
  in HTTP mode: signed POSTs, each answered 200, SIGKILL right after the last 200.
- ``test_votes_changed_around_a_socket_refresh_are_counted`` proves that after Slack's
  ``disconnect`` envelope (the app reconnects on a new URL) the votes that changed without
  any event reaching the app are counted, without a restart.

The tiers are Slack's own budgets: a bot that asks users.info (Tier 4, about 100 a minute)
for every voter before it counts the vote needs three minutes for a storm of 300 people;
on failure the 429s Slack answered are listed by method.

Each waits, reading the board through `ideabot ideas --format json`, until the stored votes
of the ideas equal what Slack shows (generous timeouts: the machine may be busy); a failure
names every idea whose count differs and prints the bot's last log lines.
"""

from __future__ import annotations

from pathlib import Path

from tests.adapters.process import await_votes
from tests.adapters.slack.running import (
    VOTE,
    Idea,
    SlackBot,
    make_idea_channel,
    post_idea,
    shown,
    throttled,
)
from tests.fakes.slack import FakeSlack, FakeUser
from tests.fakes.slack.tiers import SlackTiers


def storm(slack: FakeSlack, idea: Idea, people: list[FakeUser]) -> list[dict[str, object]]:
    """reaction_added bodies: people 0-269 on the idea, 240-299 on the bot's reply."""
    bodies = [slack.react(idea.message, p, VOTE) for p in people[:270]]
    return bodies + [slack.react(idea.reply, p, VOTE) for p in people[240:300]]


async def test_socket_mode_votes_through_a_crash_and_downtime_are_counted_after_restart(
    slack: FakeSlack, tmp_path: Path
) -> None:
    slack.set_tiers(SlackTiers())
    db = tmp_path / "run.db"
    ideas, roadmap = slack.add_channel("ideas"), slack.add_channel("roadmap")
    admin = slack.add_user("ana", admin=True)
    alice, bob, carol, dan = (slack.add_user(n) for n in ("alice", "bob", "carol", "dan"))
    people = [slack.add_user(f"member{i:03}") for i in range(300)]

    first = await SlackBot(slack, db, tmp_path, http=False).start()
    try:
        await make_idea_channel(first, admin, ideas)
        await make_idea_channel(first, admin, roadmap)
        stormed = await post_idea(first, ideas, alice, "Offline maps for whole regions")
        threaded = await post_idea(first, ideas, alice, "Export my hikes as GPX files")
        old = await post_idea(first, roadmap, alice, "A night mode for the trail map")
        await first.deliver_all(
            [
                slack.react(threaded.reply, carol, VOTE),
                slack.react(old.message, bob, VOTE),
                slack.react(old.message, dan, VOTE),
            ]
        )
        await await_votes(
            db, lambda: shown(threaded, old), bot=first.process, diagnose=lambda: throttled(slack)
        )

        # (a) The storm, each envelope acked, then SIGKILL right after the last ack.
        await first.deliver_all(storm(slack, stormed, people))
    finally:
        await first.kill()
    assert len(stormed.voters()) == 300

    # (b) While it is down (nothing is delivered): votes added and taken back on a thread
    # reply, and on an idea that 500 newer messages push far back in its channel.
    slack.react(threaded.reply, dan, VOTE)
    slack.unreact(threaded.reply, carol, VOTE)
    for person in people[:12]:
        slack.react(threaded.reply, person, VOTE)
    slack.unreact(old.message, bob, VOTE)
    for person in people[100:120]:
        slack.react(old.message, person, VOTE)
    feed = slack.add_user("release-feed", bot=True)
    for n in range(500):
        slack.post(roadmap, feed, f"build {n} deployed")

    second = await SlackBot(slack, db, tmp_path, http=False).start()
    try:
        expected = shown(stormed, threaded, old)
        assert expected == {stormed.number: 300, threaded.number: 13, old.number: 21}
        await await_votes(
            db,
            lambda: shown(stormed, threaded, old),
            bot=second.process,
            timeout=240,
            diagnose=lambda: throttled(slack),
        )
    finally:
        await second.stop()


async def test_http_mode_votes_acknowledged_before_a_crash_are_counted_after_restart(
    slack: FakeSlack, tmp_path: Path
) -> None:
    slack.set_tiers(SlackTiers())
    db = tmp_path / "run.db"
    ideas = slack.add_channel("ideas")
    admin, alice = slack.add_user("ana", admin=True), slack.add_user("alice")
    people = [slack.add_user(f"member{i:03}") for i in range(300)]

    first = await SlackBot(slack, db, tmp_path, http=True).start()
    try:
        await make_idea_channel(first, admin, ideas)
        stormed = await post_idea(first, ideas, alice, "Offline maps for whole regions")
        await first.deliver_all(storm(slack, stormed, people))  # each answered 200
    finally:
        await first.kill()

    second = await SlackBot(slack, db, tmp_path, http=True).start()
    try:
        assert shown(stormed) == {stormed.number: 300}
        await await_votes(
            db,
            lambda: shown(stormed),
            bot=second.process,
            timeout=240,
            diagnose=lambda: throttled(slack),
        )
    finally:
        await second.stop()


async def test_votes_changed_around_a_socket_refresh_are_counted(
    slack: FakeSlack, tmp_path: Path
) -> None:
    slack.set_tiers(SlackTiers())
    db = tmp_path / "run.db"
    ideas = slack.add_channel("ideas")
    admin, alice, bob = (slack.add_user(n, admin=n == "ana") for n in ("ana", "alice", "bob"))
    people = [slack.add_user(f"member{i:02}") for i in range(20)]
    bot = await SlackBot(slack, db, tmp_path, http=False).start()
    try:
        await make_idea_channel(bot, admin, ideas)
        idea = await post_idea(bot, ideas, alice, "Share a planned route with friends")
        await bot.deliver_all([slack.react(idea.message, alice, VOTE)])
        await bot.deliver_all([slack.react(idea.reply, bob, VOTE)])
        await await_votes(
            db, lambda: shown(idea), bot=bot.process, diagnose=lambda: throttled(slack)
        )

        # Changed without any event reaching the app, then Slack refreshes the socket.
        slack.unreact(idea.message, alice, VOTE)
        for person in people[:10]:
            slack.react(idea.message, person, VOTE)
        for person in people[5:]:
            slack.react(idea.reply, person, VOTE)
        connections = len(slack.connections)
        await slack.socket_disconnect()
        await slack.wait_for(
            lambda: len(slack.connections) > connections and slack.connected,
            120,
            "the app to reconnect after the disconnect envelope",
        )
        assert shown(idea) == {idea.number: 21}
        await await_votes(
            db, lambda: shown(idea), bot=bot.process, diagnose=lambda: throttled(slack)
        )
    finally:
        await bot.stop()

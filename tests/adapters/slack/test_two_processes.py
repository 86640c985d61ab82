"""Two `ideabot run` processes in Slack's HTTP mode behind one URL, on one PostgreSQL
database: events spread over them, some delivered to both, each counted once."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.adapters.process import await_votes
from tests.adapters.slack.running import VOTE, SlackBot, make_idea_channel, post_idea, shown
from tests.fakes.slack import FakeSlack


async def test_two_http_workers_on_one_database_count_every_event_once(
    slack: FakeSlack, postgres_url: str, tmp_path: Path
) -> None:
    ideas = slack.add_channel("ideas")
    admin, alice = slack.add_user("ana", admin=True), slack.add_user("alice")
    people = [slack.add_user(f"member{i:02}") for i in range(60)]
    first = await SlackBot(slack, postgres_url, tmp_path, http=True).start()
    second = await SlackBot(slack, postgres_url, tmp_path, http=True).start()
    try:
        await make_idea_channel(first, admin, ideas)
        maps = await post_idea(first, ideas, alice, "Offline maps for whole regions")
        gpx = await post_idea(second, ideas, alice, "Export my hikes as GPX files")
        bodies = [slack.react(maps.message, p, VOTE) for p in people]
        bodies += [slack.react(gpx.message, p, VOTE) for p in people[:25]]
        # A load balancer spreads them; every fourth reaches both (a retry that went to
        # the other worker).
        await asyncio.gather(
            first.deliver_all(bodies[0::2]),
            second.deliver_all(bodies[1::2]),
            second.deliver_all(bodies[0::4]),
            first.deliver_all(bodies[1::4]),
        )
        assert shown(maps, gpx) == {maps.number: 60, gpx.number: 25}
        assert (maps.number, gpx.number) == (1, 2)  # numbered once each, no gap
        await await_votes(postgres_url, lambda: shown(maps, gpx), bot=first.process)
    finally:
        await first.stop()
        await second.stop()

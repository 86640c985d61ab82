"""The webhook events a board's activity queues, on both engines: ``idea.votes_reached``
once per idea and threshold (also when two processes vote at once), ``digest.posted``
with the post's record, and an endpoint switched off after a day, told once."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bot.admin import Admin, operator
from bot.app import App, build_app
from bot.channels import Channels
from bot.domain import MergeIdeas, Where
from bot.outbox import NOTICE, disable_failing
from bot.results import VoteChanged
from bot.settings import Settings
from bot.webhooks import PREFIX
from tests.conftest import HERE, FakeClock, draft, moderator, vote
from tests.fakes.embedder import TestEmbedder

URL = "https://hooks.example.com/ideabot"
DIGEST = Where(platform="discord", workspace_id="g1", channel_id="c-digest")


async def subscribe(app: App, events: tuple[str, ...], thresholds: str | None = None) -> int:
    board = await app.core.board_for(HERE)
    if thresholds is not None:
        await app.moderation.configure_on(
            board, operator(), {"webhook_vote_thresholds": thresholds}
        )
    webhook_id, _ = await Admin(app.core).add_webhook(board, operator(), URL, events, False)
    return webhook_id


async def queued(app: App, event: str) -> list[dict[str, Any]]:
    board = await app.core.board_for(HERE)
    rows = await app.core.store.outbox.recent(board.id, PREFIX, 100)
    return [r.payload for r in reversed(rows) if r.payload["event"] == event]


async def test_votes_reached_once_per_threshold(app: App) -> None:
    await subscribe(app, ("idea.votes_reached",), "2,3")
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    await app.ideas.react(vote("m1", "carol"))
    await app.ideas.react(vote("m1", "dave"))
    await app.ideas.react(vote("m1", "dave", added=False))
    await app.ideas.react(vote("m1", "dave"))
    assert [p["data"] for p in await queued(app, "idea.votes_reached")] == [
        {"threshold": 2, "votes": 2}
    ]
    await app.ideas.react(vote("m1", "erin"))
    told = await queued(app, "idea.votes_reached")
    assert [p["data"]["threshold"] for p in told] == [2, 3]
    assert told[1]["idea"]["number"] == 1 and told[1]["idea"]["votes"] == 3


async def test_a_merge_fires_for_its_target(app: App) -> None:
    await subscribe(app, ("idea.votes_reached",), "3")
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    await app.ideas.submit(draft("Offline maps", "bob", message_id="m2"))
    for message, voter in (("m1", "carol"), ("m1", "dave"), ("m2", "dave"), ("m2", "erin")):
        await app.ideas.react(vote(message, voter))
    assert await queued(app, "idea.votes_reached") == []
    await app.moderation.merge(MergeIdeas(where=HERE, actor=moderator(), number=2, into=1))
    [told] = await queued(app, "idea.votes_reached")
    assert told["data"] == {"threshold": 3, "votes": 3} and told["idea"]["number"] == 1


async def test_two_processes_voting_at_once_fire_each_threshold_once(
    database: Path | str, embedder: TestEmbedder, clock: FakeClock
) -> None:
    one = await build_app(Settings(db=database), embedder=embedder, clock=clock)
    two = await build_app(Settings(db=database), embedder=embedder, clock=clock)
    try:
        await subscribe(one, ("idea.votes_reached",), "4,7,10")
        await one.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
        results = await asyncio.gather(
            *((one if n % 2 else two).ideas.react(vote("m1", f"voter{n}")) for n in range(12))
        )
        assert all(isinstance(r, VoteChanged) and r.changed for r in results)
        told = await queued(one, "idea.votes_reached")
    finally:
        await one.close()
        await two.close()
    assert sorted((p["data"]["threshold"], p["data"]["votes"]) for p in told) == [
        (4, 4),
        (7, 7),
        (10, 10),
    ]


async def test_a_digest_post_queues_one_event_with_its_record(app: App, clock: FakeClock) -> None:
    clock.now = datetime(2026, 11, 1, 12, tzinfo=UTC)

    class Poster:
        platform = "discord"

        async def post_digest(self, where: Where, post: Any) -> str:
            return "posted-1"

    app.digests.register(Poster())
    await Channels(app.core).set_channel(DIGEST, moderator(), "digest", True)
    await subscribe(app, ("digest.posted",))
    await app.ideas.submit(draft("Offline maps", message_id="m1", at=clock()))
    clock.now = datetime(2026, 11, 2, 9, tzinfo=UTC)
    [delivery] = await app.digests.tick()
    assert delivery.outcome == "posted"
    assert await app.digests.tick() == []
    [told] = await queued(app, "digest.posted")
    assert told["data"]["channel"] == {
        "platform": "discord",
        "workspace_id": "g1",
        "channel_id": "c-digest",
        "message_id": "posted-1",
    }
    assert told["data"]["period"]["label"] == "2026-W44"
    assert [i["number"] for i in told["data"]["ideas"]["new"]] == [1]


async def test_an_endpoint_switched_off_is_told_once(app: App) -> None:
    await Channels(app.core).set_channel(DIGEST, moderator(), "digest", True)
    webhook_id = await subscribe(app, ("idea.created",))
    board = await app.core.board_for(HERE)
    assert await disable_failing(app.core, board.id, webhook_id)
    assert not await disable_failing(app.core, board.id, webhook_id)
    [item] = await app.core.store.outbox.claim(
        ["discord"], "me", app.core.now(), app.core.now(), 10
    )
    assert item.payload["kind"] == NOTICE and item.payload["channel_id"] == "c-digest"
    assert "hooks.example.com" in item.payload["text"] and "/ideabot" not in item.payload["text"]
    [endpoint] = await app.core.store.webhooks.of_board(board.id)
    assert endpoint.disabled_at is not None


async def test_no_digest_channel_tells_the_idea_channels(app: App) -> None:
    await Channels(app.core).set_channel(HERE, moderator(), "ideas", True)
    webhook_id = await subscribe(app, ("idea.created",))
    board = await app.core.board_for(HERE)
    assert await disable_failing(app.core, board.id, webhook_id)
    [item] = await app.core.store.outbox.claim(
        ["discord"], "me", app.core.now(), app.core.now(), 10
    )
    assert item.payload["channel_id"] == "c-ideas"

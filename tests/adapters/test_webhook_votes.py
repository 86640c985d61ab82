"""``idea.votes_reached`` through the real path: votes through the service, the event in
the outbox of the vote's transaction, delivered signed to the loopback receiver (which
checks each signature with the README's code), on both engines."""

from __future__ import annotations

import asyncio
from typing import Any

from adapters.webhook_http import WebhookSender
from bot.admin import operator
from bot.app import App
from bot.domain import MergeIdeas
from bot.results import VoteChanged
from bot.webhooks import PREFIX
from tests.adapters.test_webhooks import Receiver, endpoint, receiver, sender_for
from tests.conftest import HERE, draft, moderator, vote

__all__ = ["receiver"]  # the fixture, shared with test_webhooks
REACHED = ("idea.votes_reached",)


async def thresholds(app: App, value: str) -> None:
    board = await app.core.board_for(HERE)
    await app.moderation.configure_on(board, operator(), {"webhook_vote_thresholds": value})


async def delivered(app: App, sender: WebhookSender, receiver: Receiver) -> list[dict[str, Any]]:
    while await app.outbox.tick():
        pass
    assert receiver.bad_signatures == 0
    return [b for b in receiver.got if b["event"] == "idea.votes_reached"]


async def test_each_threshold_fires_once_even_when_votes_go_and_come(
    app: App, receiver: Receiver
) -> None:
    await thresholds(app, "2, 3")
    _, receiver.secret = await endpoint(app, receiver.url, REACHED)
    sender = sender_for(app)
    try:
        await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
        await app.ideas.react(vote("m1", "carol"))
        assert await delivered(app, sender, receiver) == []
        await app.ideas.react(vote("m1", "dave"))
        [two] = await delivered(app, sender, receiver)
        # Taken back and cast again: 2 was reached already, nothing more.
        await app.ideas.react(vote("m1", "dave", added=False))
        await app.ideas.react(vote("m1", "dave"))
        await app.ideas.react(vote("m1", "dave"))  # a repeat changes nothing either
        assert len(await delivered(app, sender, receiver)) == 1
        result = await app.ideas.react(vote("m1", "erin"))
        assert isinstance(result, VoteChanged) and result.changed and result.number == 1
        reached = await delivered(app, sender, receiver)
    finally:
        await sender.close()
    assert [b["data"] for b in reached] == [
        {"threshold": 2, "votes": 2},
        {"threshold": 3, "votes": 3},
    ]
    assert reached[0] == two
    assert [(b["idea"]["number"], b["idea"]["votes"]) for b in reached] == [(1, 2), (1, 3)]
    assert reached[0]["board"]["name"] == "guild-one" and reached[0]["version"] == 1
    assert reached[0]["id"] != reached[1]["id"]


async def test_a_merge_that_brings_the_target_over_a_threshold_fires_for_the_target(
    app: App, receiver: Receiver
) -> None:
    await thresholds(app, "3")
    _, receiver.secret = await endpoint(app, receiver.url, REACHED)
    sender = sender_for(app)
    try:
        await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
        await app.ideas.submit(draft("Offline maps", "bob", message_id="m2"))
        for message, voter in (("m1", "carol"), ("m1", "dave"), ("m2", "dave"), ("m2", "erin")):
            await app.ideas.react(vote(message, voter))
        assert await delivered(app, sender, receiver) == []
        await app.moderation.merge(MergeIdeas(where=HERE, actor=moderator(), number=2, into=1))
        [reached] = await delivered(app, sender, receiver)
        # A vote on the merged idea's message counts for the target: 3 is already told.
        await app.ideas.react(vote("m2", "frank"))
        assert len(await delivered(app, sender, receiver)) == 1
    finally:
        await sender.close()
    # dave voted on both: one person, one vote.
    assert reached["data"] == {"threshold": 3, "votes": 3}
    assert (reached["idea"]["number"], reached["idea"]["votes"]) == (1, 3)


async def test_votes_arriving_together_fire_a_threshold_exactly_once(
    app: App, receiver: Receiver
) -> None:
    await thresholds(app, "5,8")
    _, receiver.secret = await endpoint(app, receiver.url, REACHED)
    sender = sender_for(app)
    try:
        await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
        results = await asyncio.gather(
            *(app.ideas.react(vote("m1", f"voter{n}")) for n in range(10))
        )
        assert all(isinstance(r, VoteChanged) and r.changed for r in results)
        reached = await delivered(app, sender, receiver)
    finally:
        await sender.close()
    assert sorted(b["data"]["threshold"] for b in reached) == [5, 8]
    assert sorted(b["data"]["votes"] for b in reached) == [5, 8]


async def test_a_board_without_an_endpoint_for_the_event_queues_nothing(
    app: App, receiver: Receiver
) -> None:
    await thresholds(app, "1")
    _, receiver.secret = await endpoint(app, receiver.url, ("idea.created",))
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    await app.ideas.react(vote("m1", "carol"))
    board = await app.core.board_for(HERE)
    queued = await app.core.store.outbox.recent(board.id, PREFIX, 10)
    assert [q.payload["event"] for q in queued] == ["idea.created"]
    # An endpoint added in this process is seen by the next vote, without waiting for
    # the cache to expire.
    await endpoint(app, receiver.url, REACHED)
    await app.ideas.react(vote("m1", "dave"))
    queued = await app.core.store.outbox.recent(board.id, PREFIX, 10)
    events = sorted(q.payload["event"] for q in queued)
    assert events == ["idea.created", "idea.votes_reached"]
    [told] = [q.payload for q in queued if q.payload["event"] == "idea.votes_reached"]
    assert told["data"] == {"threshold": 1, "votes": 2}


async def test_thresholds_none_turns_the_event_off(app: App, receiver: Receiver) -> None:
    await thresholds(app, "none")
    _, receiver.secret = await endpoint(app, receiver.url, REACHED)
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    for voter in ("carol", "dave", "erin"):
        await app.ideas.react(vote("m1", voter))
    board = await app.core.board_for(HERE)
    assert await app.core.store.outbox.recent(board.id, PREFIX, 10) == []
    assert board.settings.webhook_vote_thresholds == ()

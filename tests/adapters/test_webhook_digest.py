"""``digest.posted`` through the real scheduler: one signed event per digest post, written
with the post's record, delivered to the loopback receiver; none for a post not recorded
by this process, and none again when a restart resumes a post."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.domain import Where
from bot.settings import Settings
from bot.webhooks import PREFIX
from tests.adapters.test_webhooks import Receiver, endpoint, receiver, sender_for
from tests.bot.test_scheduler import (
    LEASE,
    ChannelPoster,
    Died,
    add_digest_channel,
    utc,
)
from tests.conftest import FakeClock, draft, vote
from tests.fakes.embedder import TestEmbedder

__all__ = ["receiver"]  # the fixture, shared with test_webhooks
SECOND_DIGEST = Where(platform="discord", workspace_id="g1", channel_id="c-digest-2")
POSTED = ("digest.posted",)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(utc(11, 1, 12))  # the Sunday before the first Monday slot


async def test_each_post_of_a_digest_is_one_signed_event_with_its_ideas(
    app: App, receiver: Receiver, clock: FakeClock
) -> None:
    poster = ChannelPoster("discord", clock)
    app.digests.register(poster)
    await add_digest_channel(app)
    await add_digest_channel(app, SECOND_DIGEST)
    _, receiver.secret = await endpoint(app, receiver.url, POSTED)
    sender = sender_for(app)
    try:
        await app.ideas.submit(
            draft("Offline maps for whole regions", message_id="m1", at=utc(11, 1))
        )
        await app.ideas.react(vote("m1", "carol", at=utc(11, 1, 10)))
        clock.now = utc(11, 2, 9)
        deliveries = await app.digests.tick()
        assert sorted(d.outcome for d in deliveries) == ["posted", "posted"]
        assert await app.digests.tick() == []  # posted: nothing more, no event more
        while await app.outbox.tick():
            pass
    finally:
        await sender.close()
    assert receiver.bad_signatures == 0
    assert [b["event"] for b in receiver.got] == ["digest.posted", "digest.posted"]
    channels = sorted(b["data"]["channel"]["channel_id"] for b in receiver.got)
    assert channels == ["c-digest", "c-digest-2"]
    first = receiver.got[0]
    assert first["idea"] is None and first["board"]["name"] == "discord-g1"
    assert first["data"]["period"]["label"] == "2026-W44"
    assert first["data"]["period"]["start"].startswith("2026-10-26")
    assert first["data"]["channel"]["platform"] == "discord"
    assert first["data"]["channel"]["message_id"].startswith("m")
    [new] = first["data"]["ideas"]["new"]
    assert (new["number"], new["title"], new["votes"]) == (1, "Offline maps for whole regions", 1)
    assert [i["number"] for i in first["data"]["ideas"]["top"]] == [1]
    assert receiver.got[0]["id"] != receiver.got[1]["id"]


async def test_a_post_resumed_after_a_crash_is_told_once(
    tmp_path: Path, embedder: TestEmbedder, clock: FakeClock
) -> None:
    settings = Settings(db=tmp_path / "ideabot.db")
    first = await build_app(settings, embedder=embedder, clock=clock)
    channel = ChannelPoster("discord", clock, die_after_post=Died())
    first.digests.register(channel)
    await add_digest_channel(first)
    await endpoint(first, "http://127.0.0.1:9/hook", POSTED)
    clock.now = utc(11, 2, 9)
    with pytest.raises(Died):
        await first.digests.tick()  # the platform took it; the process died before recording
    board = (await first.core.all_boards())[0]
    assert await first.core.store.outbox.recent(board.id, PREFIX, 5) == []
    await first.close()

    second = await build_app(settings, embedder=embedder, clock=clock)
    try:
        second.digests.register(channel)
        clock.now = utc(11, 2, 9) + LEASE
        [delivery] = await second.digests.tick()
        assert delivery.outcome == "posted"
        clock.advance(days=1)
        assert await second.digests.tick() == []
        queued = await second.core.store.outbox.recent(board.id, PREFIX, 5)
    finally:
        await second.close()
    assert [q.payload["event"] for q in queued] == ["digest.posted"]
    assert queued[0].payload["data"]["period"]["label"] == "2026-W44"

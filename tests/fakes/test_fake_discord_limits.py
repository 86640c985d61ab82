"""The Discord fake's rate limits, archived threads and INVALID_SESSION, against a real
discord.py client (no ideabot code) and raw aiohttp."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import discord
import pytest

from tests.fakes.discord import FakeDiscord, running
from tests.fakes.discord.ratelimit import RateLimits
from tests.fakes.test_fake_discord import TOKEN, Recorder, World
from tests.fakes.test_fake_discord import world as world


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as server:
        yield server
        assert server.unhandled == []


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, dict[str, str], object]:
    headers = {"Authorization": f"Bot {TOKEN}"}
    async with session.get(url, headers=headers) as response:
        return response.status, dict(response.headers), await response.json()


async def test_rate_limit_headers_count_down_per_bucket_and_refuse_with_429(
    fake: FakeDiscord, world: World
) -> None:
    fake.set_rate_limits(RateLimits(per_route=3, window=30.0, global_per_second=1000))
    message = await fake.post_message(world.ideas, world.alice, "Dark mode")
    other = world.guild.add_channel("other")
    base = f"{fake.api_base}/channels/{world.ideas.id}/messages/{message.id}"
    async with aiohttp.ClientSession() as session:
        answers = [await _get(session, base) for _ in range(4)]
        elsewhere = await _get(session, f"{fake.api_base}/channels/{other.id}/messages")
    statuses = [status for status, _, _ in answers]
    assert statuses == [200, 200, 200, 429]
    remaining = [h["X-RateLimit-Remaining"] for _, h, _ in answers]
    assert remaining == ["2", "1", "0", "0"]
    first = answers[0][1]
    assert first["X-RateLimit-Limit"] == "3"
    assert 0 < float(first["X-RateLimit-Reset-After"]) <= 30
    assert len({h["X-RateLimit-Bucket"] for _, h, _ in answers}) == 1
    refused = answers[3]
    assert refused[1]["X-RateLimit-Scope"] == "user"
    assert refused[1]["Via"] == "1.1 google"  # else discord.py takes it for a ban
    assert isinstance(refused[2], dict) and refused[2]["global"] is False
    assert refused[2]["retry_after"] > 0
    assert elsewhere[0] == 200  # another channel, another budget
    assert fake.rate_limited == 1


async def test_the_global_limit_refuses_across_buckets(fake: FakeDiscord, world: World) -> None:
    fake.set_rate_limits(
        RateLimits(per_route=100, window=60.0, global_per_second=2, global_window=60.0)
    )
    async with aiohttp.ClientSession() as session:
        answers = [await _get(session, f"{fake.api_base}/channels/{world.ideas.id}")]
        answers.append(await _get(session, f"{fake.api_base}/guilds/{world.guild.id}"))
        answers.append(await _get(session, f"{fake.api_base}/users/@me"))
    assert [a[0] for a in answers] == [200, 200, 429]
    assert answers[2][1]["X-RateLimit-Global"] == "true"
    fake.set_rate_limits(None)
    async with aiohttp.ClientSession() as session:
        status, headers, _ = await _get(session, f"{fake.api_base}/users/@me")
    assert status == 200 and "X-RateLimit-Limit" not in headers  # off again


async def test_discord_py_pages_300_reaction_users_within_the_limits(
    fake: FakeDiscord, world: World
) -> None:
    fake.set_rate_limits(RateLimits(per_route=2, window=0.2, global_per_second=5))
    message = await fake.post_message(world.ideas, world.alice, "Offline maps")
    people = [world.guild.add_member(f"p{i}") for i in range(300)]
    for person in people:
        await fake.react(message, person, "👍")
    client = Recorder()
    async with running(fake, client, token=TOKEN, timeout=120):
        channel = client.get_channel(world.ideas.id)
        assert isinstance(channel, discord.TextChannel)
        fetched = await channel.fetch_message(message.id)
        users = [u.id async for u in fetched.reactions[0].users(limit=None)]
    assert sorted(users) == sorted(p.id for p in people)
    pages = [r for r in fake.requests if "/reactions/" in r.path and r.method == "GET"]
    assert len(pages) >= 3 and all(r.query.get("limit") == "100" for r in pages)


async def test_archived_threads_are_listed_and_their_messages_stay_readable(
    fake: FakeDiscord, world: World
) -> None:
    message = await fake.post_message(world.ideas, world.alice, "Trail ratings")
    thread = await fake.create_thread(world.ideas, world.alice, "Trail ratings", message=message)
    reply = await fake.post_message(thread, world.bob, "yes please")
    await fake.react(reply, world.alice, "👍")
    fake.archive_thread(thread)
    assert thread.archived
    async with aiohttp.ClientSession() as session:
        listed = await _get(
            session, f"{fake.api_base}/channels/{world.ideas.id}/threads/archived/public"
        )
        read = await _get(session, f"{fake.api_base}/channels/{thread.id}/messages/{reply.id}")
        active = await _get(session, f"{fake.api_base}/guilds/{world.guild.id}/threads/active")
        private = await _get(
            session, f"{fake.api_base}/channels/{world.ideas.id}/users/@me/threads/archived/private"
        )
    assert listed[0] == 200 and isinstance(listed[2], dict)
    assert [t["id"] for t in listed[2]["threads"]] == [str(thread.id)]
    assert listed[2]["threads"][0]["thread_metadata"]["archived"] is True
    assert read[0] == 200 and isinstance(read[2], dict)
    assert read[2]["reactions"][0]["count"] == 1
    assert isinstance(active[2], dict) and active[2]["threads"] == []
    assert isinstance(private[2], dict) and private[2]["threads"] == []  # public, not private


async def test_invalid_session_forces_a_fresh_identify_and_loses_what_happened_meanwhile(
    fake: FakeDiscord, world: World
) -> None:
    client = Recorder()
    async with running(fake, client, token=TOKEN):
        first = await fake.post_message(world.ideas, world.alice, "before")
        await client.wait_seen("message", 1)
        await fake.invalidate_session(stay_offline=True)
        await fake.react(first, world.bob, "👍")  # nobody is connected: never delivered
        identifies = fake.identifies
        fake.allow_reconnect()
        await fake.wait_for(
            lambda: fake.identifies > identifies,
            timeout=120,
            what="a new READY after INVALID_SESSION",
        )
        await fake.wait_until_connected(timeout=120)
        await fake.post_message(world.ideas, world.alice, "after")
        seen = await client.wait_seen("message", 2)
    assert [m.content for m in seen] == ["before", "after"]
    assert client.seen["reaction_add"] == []

"""The store's contract, on every engine: the same tests on a SQLite file and on
PostgreSQL, each through two stores opened on one database (as two processes would
hold it), so what must hold across processes is tested too."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.engines import open_store
from storage.errors import StoreError
from storage.port import Store, Transaction
from storage.rows import NewIdea, PostKey, VoteEvent

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def stores(database: Path | str) -> AsyncIterator[tuple[Store, Store]]:
    first = await open_store(database)
    second = await open_store(database)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def board_and_author(store: Store) -> tuple[int, int]:
    board = await store.boards.ensure_for_workspace("discord", "g1", "guild-one", AT)
    author = await store.members.ensure("discord", "u-alice", "alice")
    return board.id, author


def new_idea(board_id: int, author: int, n: int, *, message: str | None = None) -> NewIdea:
    return NewIdea(
        board_id=board_id,
        author_id=author,
        title=f"idea {n}",
        body=f"idea {n} body",
        platform="discord",
        channel_id="c1",
        message_id=message or f"m{n}",
        permalink=None,
        embedding=b"\x00" * 8,
        created_at=AT + timedelta(minutes=n),
    )


async def test_times_come_back_aware_and_equal(stores: tuple[Store, Store]) -> None:
    one, two = stores
    board_id, author = await board_and_author(one)
    idea_id, number = await one.ideas.insert(new_idea(board_id, author, 1))
    row = await two.ideas.by_id(board_id, idea_id)
    assert row is not None and number == 1
    assert row.created_at == AT + timedelta(minutes=1)
    assert row.created_at.utcoffset() == timedelta(0)


async def test_a_transaction_that_raises_leaves_nothing(stores: tuple[Store, Store]) -> None:
    one, two = stores
    board_id, author = await board_and_author(one)
    with pytest.raises(RuntimeError, match="changed my mind"):
        async with one.transaction() as tx:
            await tx.ideas.insert(new_idea(board_id, author, 1))
            await tx.log.add(board_id, author, "test", {}, AT)
            raise RuntimeError("changed my mind")
    assert await two.ideas.next_number(board_id) == 1
    assert await two.ideas.by_number(board_id, 1) is None
    async with one.transaction() as tx:
        _, number = await tx.ideas.insert(new_idea(board_id, author, 2))
    assert number == 1  # the number the rolled-back idea took is given again


async def test_transact_commits_what_it_returns_and_runs_its_callbacks_once(
    stores: tuple[Store, Store],
) -> None:
    one, two = stores
    board_id, author = await board_and_author(one)
    told: list[int] = []

    async def store_two(tx: Transaction) -> list[int]:
        numbers = [(await tx.ideas.insert(new_idea(board_id, author, n)))[1] for n in (1, 2)]
        await tx.log.add(board_id, author, "test", {"numbers": numbers}, AT)
        tx.on_commit(lambda: told.append(len(numbers)))
        return numbers

    assert await one.transact(store_two) == [1, 2]
    assert told == [2]
    assert await two.ideas.next_number(board_id) == 3
    numbers = await asyncio.gather(*(s.transact(store_two) for s in (one, two, one)))
    assert sorted(n for pair in numbers for n in pair) == list(range(3, 9))
    assert told == [2, 2, 2, 2]


async def test_transact_that_raises_leaves_nothing_and_calls_back_nothing(
    stores: tuple[Store, Store],
) -> None:
    one, two = stores
    board_id, author = await board_and_author(one)
    told: list[str] = []

    async def half(tx: Transaction) -> None:
        await tx.ideas.insert(new_idea(board_id, author, 1))
        tx.on_commit(lambda: told.append("committed"))
        raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError, match="changed my mind"):
        await one.transact(half)
    assert told == []
    assert await two.ideas.by_number(board_id, 1) is None
    assert await two.ideas.next_number(board_id) == 1


async def test_concurrent_ideas_from_two_stores_are_numbered_without_gaps_or_repeats(
    stores: tuple[Store, Store],
) -> None:
    one, two = stores
    board_id, author = await board_and_author(one)

    async def add(store: Store, n: int) -> int:
        async with store.transaction() as tx:
            _, number = await tx.ideas.insert(new_idea(board_id, author, n))
        return number

    numbers = await asyncio.gather(*(add(one if n % 2 else two, n) for n in range(1, 31)))
    assert sorted(numbers) == list(range(1, 31))
    assert await one.ideas.next_number(board_id) == 31


async def test_an_event_id_counts_once_across_stores(stores: tuple[Store, Store]) -> None:
    one, two = stores
    seen = await asyncio.gather(
        *(s.events.first_seen("slack", "Ev1", AT) for s in (one, two, one, two))
    )
    assert sorted(seen) == [False, False, False, True]


async def test_a_reaction_delivered_to_both_stores_is_one_vote(
    stores: tuple[Store, Store],
) -> None:
    one, two = stores
    board_id, author = await board_and_author(one)
    await one.ideas.insert(new_idea(board_id, author, 1))
    event = VoteEvent(
        board_id=board_id,
        platform="discord",
        channel_id="c1",
        message_id="m1",
        user_id="u-bob",
        user_name="bob",
        emoji="👍",
        added=True,
        at=AT,
        event_id="e-1",
    )
    outcomes = await asyncio.gather(one.votes.record([event]), two.votes.record([event]))
    flat = [o for batch in outcomes for o in batch]
    assert sorted(flat, key=str) == sorted([None, (1, True)], key=str)
    row = await two.ideas.by_number(board_id, 1)
    assert row is not None and row.votes == 1


async def test_a_failing_vote_fails_alone(stores: tuple[Store, Store]) -> None:
    one, _ = stores
    board_id, author = await board_and_author(one)
    await one.ideas.insert(new_idea(board_id, author, 1))
    good = VoteEvent(board_id, "discord", "c1", "m1", "u-bob", "bob", "👍", True, AT, "e-1")
    # A NUL byte is refused by PostgreSQL's text and stored by SQLite: both must answer
    # each event on its own, whatever the engine makes of it.
    odd = VoteEvent(board_id, "discord", "c1", "m1", "u-\x00", "nul", "👍", True, AT, "e-2")
    results = await one.votes.record([good, odd, good])
    assert results[0] == (1, True)
    assert results[2] is None  # e-1 again: a repeat
    assert results[1] == (1, True) or isinstance(results[1], Exception)


async def test_exactly_one_store_claims_a_digest_and_another_takes_over_a_dead_claim(
    stores: tuple[Store, Store],
) -> None:
    one, two = stores
    board_id, _ = await board_and_author(one)
    key = PostKey(
        board_id=board_id,
        platform="discord",
        workspace_id="g1",
        channel_id="digest",
        period_start=AT - timedelta(days=7),
        period_end=AT,
        label="2026-W45",
    )
    lease = timedelta(minutes=5)
    claims = await asyncio.gather(
        one.digests.claim(key, "one", AT, AT + lease, False),
        two.digests.claim(key, "two", AT, AT + lease, False),
    )
    assert sorted(c is None for c in claims) == [False, True]
    # The holder dies without posting: once its lease ran out, the other takes over.
    owner, other = ("one", "two") if claims[0] is not None else ("two", "one")
    taker = two if other == "two" else one
    assert await taker.digests.claim(key, other, AT + lease / 2, AT + lease * 2, False) is None
    later = AT + lease + timedelta(seconds=1)
    took = await taker.digests.claim(key, other, later, later + lease, False)
    assert took is not None and took.resumed and took.attempt == 2
    assert not await one.digests.posted(key, owner, "late-message", later)
    assert await taker.digests.posted(key, other, "message-1", later)
    assert await one.digests.claim(key, owner, later + lease * 9, later + lease * 10, False) is None
    [row] = await two.digests.latest(board_id)
    assert (row.state, row.attempts, row.posted_at) == ("posted", 2, later)


async def test_merge_and_unmerge_move_no_vote(stores: tuple[Store, Store]) -> None:
    one, two = stores
    board_id, author = await board_and_author(one)
    first, _ = await one.ideas.insert(new_idea(board_id, author, 1))
    second, _ = await one.ideas.insert(new_idea(board_id, author, 2))
    for who, message in (("bob", "m1"), ("carol", "m2"), ("bob", "m2")):
        await one.votes.record(
            [VoteEvent(board_id, "discord", "c1", message, who, who, "👍", True, AT)]
        )
    await one.ideas.merge(board_id, second, first, first, 0.9, True, None, AT)
    merged = await two.ideas.by_id(board_id, first)
    assert merged is not None and merged.votes == 2  # bob once, carol
    await two.ideas.unmerge(board_id, second, AT + timedelta(hours=1))
    apart = await one.ideas.by_ids(board_id, [first, second])
    assert (apart[first].votes, apart[second].votes) == (1, 2)


async def test_a_store_opened_to_read_writes_nothing(database: Path | str) -> None:
    made = await open_store(database)
    await made.boards.ensure_for_workspace("discord", "g1", "guild-one", AT)
    await made.close()
    reader = await open_store(database, create=False)
    try:
        assert [b.name for b in await reader.boards.all()] == ["guild-one"]
        with pytest.raises(StoreError, match="read-only"):
            await reader.boards.ensure_for_workspace("discord", "g2", "guild-two", AT)
        assert [b.name for b in await reader.boards.all()] == ["guild-one"]
    finally:
        await reader.close()

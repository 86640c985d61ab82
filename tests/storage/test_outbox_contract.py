"""The outbox's contract on both engines, through two stores on one database (as two
processes hold it): a row is written with its change or not at all, claimed by one owner
at a time, delivered in order per idea, retried when due, reclaimed after a lease ends."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storage.engines import open_store
from storage.port import Store

AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
LEASE = timedelta(minutes=2)


@pytest.fixture
async def stores(database: Path | str) -> AsyncIterator[tuple[Store, Store]]:
    first = await open_store(database)
    second = await open_store(database)
    try:
        yield first, second
    finally:
        await first.close()
        await second.close()


async def board(store: Store) -> int:
    return (await store.boards.ensure_for_workspace("slack", "T1", "team", AT)).id


async def test_a_row_rolled_back_with_its_change_is_never_delivered(
    stores: tuple[Store, Store],
) -> None:
    one, two = stores
    board_id = await board(one)
    with pytest.raises(RuntimeError):
        async with one.transaction() as tx:
            await tx.outbox.add(board_id, "slack", "idea:1", {"n": 1}, AT)
            raise RuntimeError("the change failed")
    assert await two.outbox.claim(["slack"], "b", AT, AT + LEASE, 10) == []
    async with one.transaction() as tx:
        await tx.outbox.add(board_id, "slack", "idea:1", {"n": 2, "text": "é ✓"}, AT)
    [item] = await two.outbox.claim(["slack"], "b", AT, AT + LEASE, 10)
    assert (item.payload, item.attempts, item.created_at) == ({"n": 2, "text": "é ✓"}, 1, AT)


async def test_one_owner_at_a_time_until_the_lease_ends(stores: tuple[Store, Store]) -> None:
    one, two = stores
    board_id = await board(one)
    await one.outbox.add(board_id, "slack", "idea:1", {"n": 1}, AT)
    assert len(await one.outbox.claim(["slack"], "a", AT, AT + LEASE, 10)) == 1
    assert await two.outbox.claim(["slack"], "b", AT + LEASE / 2, AT + LEASE, 10) == []
    # "a" died after delivering and before marking it done: "b" takes it over (again).
    [again] = await two.outbox.claim(["slack"], "b", AT + LEASE * 2, AT + LEASE * 3, 10)
    assert again.attempts == 2
    await two.outbox.done(again.id, AT + LEASE * 2)
    assert await one.outbox.claim(["slack"], "a", AT + LEASE * 9, AT + LEASE * 10, 10) == []


async def test_rows_of_one_idea_go_out_in_order_others_do_not_wait(
    stores: tuple[Store, Store],
) -> None:
    one, two = stores
    board_id = await board(one)
    first = await one.outbox.add(board_id, "slack", "idea:1", {"n": 1}, AT)
    second = await one.outbox.add(board_id, "slack", "idea:1", {"n": 2}, AT)
    other = await one.outbox.add(board_id, "slack", "idea:2", {"n": 3}, AT)
    discord = await one.outbox.add(board_id, "discord", "idea:1", {"n": 4}, AT)
    claimed = await two.outbox.claim(["slack"], "b", AT, AT + LEASE, 10)
    assert [i.id for i in claimed] == [first, other]
    # The first fails: the second stays behind it until it is done.
    await two.outbox.failed(first, "HTTP 500", AT + timedelta(seconds=10), AT)
    assert await two.outbox.claim(["slack"], "b", AT + timedelta(seconds=5), AT + LEASE, 10) == []
    assert await two.outbox.next_due(["slack"]) == AT + timedelta(seconds=10)
    [retried] = await one.outbox.claim(["slack"], "a", AT + timedelta(seconds=10), AT + LEASE, 10)
    assert (retried.id, retried.attempts) == (first, 2)
    await one.outbox.done(first, AT + timedelta(seconds=11))
    [after] = await one.outbox.claim(["slack"], "a", AT + timedelta(seconds=11), AT + LEASE, 10)
    assert after.id == second
    assert [i.id for i in await one.outbox.claim(["discord"], "a", AT, AT + LEASE, 10)] == [discord]
    listed = await two.outbox.recent(board_id, "slack", 10)
    assert [(r.id, r.last_error, r.done_at is not None) for r in listed] == [
        (other, None, False),
        (second, None, False),
        (first, None, True),
    ]


async def test_a_row_given_up_is_done_with_its_error(stores: tuple[Store, Store]) -> None:
    one, two = stores
    board_id = await board(one)
    item = await one.outbox.add(board_id, "webhook:1", "idea:1", {"n": 1}, AT)
    await two.outbox.claim(["webhook:1"], "b", AT, AT + LEASE, 10)
    await two.outbox.failed(item, "x" * 2000, None, AT)
    [record] = await one.outbox.recent(board_id, "webhook:", 10)
    assert record.done_at == AT and record.last_error == "x" * 500
    assert await one.outbox.claim(["webhook:1"], "a", AT + LEASE * 9, AT, 10) == []
    assert await one.outbox.next_due(["webhook:1"]) is None

"""The async SQLite layer: migrations, WAL, grouped writes that fail alone, clear errors."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlite_utils import Database

from storage.database import AsyncDatabase, InlineAwait, InlineCalls, StoreError
from storage.schema import migrations


async def test_schema_is_created_once_and_wal_is_on(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    db = await AsyncDatabase.open(path)
    mode = await db.read(lambda d: d.execute("PRAGMA journal_mode").fetchone()[0])
    assert mode == "wal"
    await db.close()
    again = await AsyncDatabase.open(path)  # re-opening applies nothing twice
    applied = await again.read(lambda d: [m.name for m in migrations.applied(d)])
    assert applied == [m.name for m in migrations._migrations]
    assert applied[0] == "0001_initial" and len(applied) >= 4
    assert migrations.pending(again._writer_db) == []
    await again.close()


async def test_grouped_writes_fail_alone(tmp_path: Path) -> None:
    db = await AsyncDatabase.open(tmp_path / "a.db")

    def good(d: Database, name: str) -> int:
        return int(
            d.execute("INSERT INTO boards (name, created_at) VALUES (?, 'x')", [name]).lastrowid
            or 0
        )

    def bad(d: Database) -> None:
        d.execute("INSERT INTO boards (name, created_at) VALUES ('partial', 'x')")
        raise RuntimeError("boom")

    jobs = [db.write(good, f"b{i}") for i in range(20)] + [db.write(bad)]
    jobs += [db.write(good, f"c{i}") for i in range(20)]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    assert isinstance(results[20], RuntimeError)
    assert all(isinstance(r, int) for i, r in enumerate(results) if i != 20)
    names = await db.read(lambda d: [r[0] for r in d.execute("SELECT name FROM boards")])
    assert len(names) == 40 and "partial" not in names
    await db.close()


async def test_reads_cannot_write(tmp_path: Path) -> None:
    db = await AsyncDatabase.open(tmp_path / "a.db")
    with pytest.raises(sqlite3.OperationalError):
        await db.read(
            lambda d: d.execute("INSERT INTO boards (name, created_at) VALUES ('x', 'y')")
        )
    await db.close()


async def test_clear_errors_for_bad_files(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database"):
        await AsyncDatabase.open(tmp_path / "missing.db", create=False)
    assert not (tmp_path / "missing.db").exists()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not"):
        await AsyncDatabase.open(junk)
    assert junk.read_bytes() == b"this is not sqlite at all" * 100
    with pytest.raises(StoreError, match="does not exist"):
        await AsyncDatabase.open(tmp_path / "nowhere" / "a.db")


async def test_closed_database_refuses_work(tmp_path: Path) -> None:
    db = await AsyncDatabase.open(tmp_path / "a.db")
    await db.close()
    with pytest.raises(StoreError, match="closed"):
        await db.write(lambda d: None)


async def test_after_commit_runs_only_for_committed_writes(tmp_path: Path) -> None:
    from storage.database import after_commit

    db = await AsyncDatabase.open(tmp_path / "a.db")
    seen: list[str] = []

    def ok(d: Database) -> None:
        d.execute("INSERT INTO boards (name, created_at) VALUES ('ok', 'x')")
        after_commit(d, lambda: seen.append("ok"))

    def doomed(d: Database) -> None:
        after_commit(d, lambda: seen.append("doomed"))
        raise RuntimeError("boom")

    results = await asyncio.gather(db.write(ok), db.write(doomed), return_exceptions=True)
    assert isinstance(results[1], RuntimeError)
    assert seen == ["ok"]
    await db.close()


async def test_a_session_cancelled_while_waiting_its_turn_does_not_stop_the_writer(
    tmp_path: Path,
) -> None:
    db = await AsyncDatabase.open(tmp_path / "a.db")

    def add(d: Database, name: str) -> None:
        d.execute("INSERT INTO boards (name, created_at) VALUES (?, 'x')", [name])

    queued = asyncio.Event()

    async def waits_its_turn() -> None:
        queued.set()  # then, without yielding, it queues its session and waits for it
        async with db.session() as session:
            await session.call(add, "never")

    holding = asyncio.Event()
    release = asyncio.Event()

    async def holds_the_writer() -> None:
        async with db.session() as session:
            await session.call(add, "first")
            holding.set()
            await release.wait()

    first = asyncio.ensure_future(holds_the_writer())
    await holding.wait()
    waiting = asyncio.ensure_future(waits_its_turn())
    await queued.wait()
    waiting.cancel()
    release.set()
    await first
    with pytest.raises(asyncio.CancelledError):
        await waiting
    # The writer rolled the cancelled session back and goes on: writes and close finish
    # (before the fix it waited for the cancelled session's calls for ever).
    await asyncio.wait_for(db.write(add, "after"), timeout=120)
    names = await db.read(lambda d: [r[0] for r in d.execute("SELECT name FROM boards")])
    assert sorted(names) == ["after", "first"]  # "never" was rolled back
    await db.close()


async def test_an_inline_write_runs_whole_on_the_writer_and_fails_alone(tmp_path: Path) -> None:
    db = await AsyncDatabase.open(tmp_path / "a.db")
    threads: list[str] = []

    def add(d: Database, name: str) -> int:
        threads.append(threading.current_thread().name)
        d.execute("INSERT INTO boards (name, created_at) VALUES (?, 'x')", [name])
        return int(d.execute("SELECT COUNT(*) FROM boards").fetchone()[0])

    async def two(d: Database) -> int:
        calls = InlineCalls(d)
        await calls.call(add, "first")
        return await calls.call(add, "second")

    async def waits(d: Database) -> None:
        await InlineCalls(d).call(add, "lost")
        await asyncio.sleep(0)  # the event loop's: not for a write run on the writer

    assert await db.write_inline(two) == 2
    assert threads == ["ideabot-write", "ideabot-write"]
    # Beside other writes in one group: the one that awaits fails alone, with its rows.
    jobs = [db.write(add, f"b{i}") for i in range(5)] + [db.write_inline(waits)]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    assert isinstance(results[5], InlineAwait)
    assert "only its calls" in str(results[5])
    assert results[:5] == [3, 4, 5, 6, 7]
    names = await db.read(lambda d: [r[0] for r in d.execute("SELECT name FROM boards")])
    assert len(names) == 2 + 5 and "lost" not in names
    await db.close()

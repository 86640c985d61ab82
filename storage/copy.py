"""Copying a whole database from one engine to the other (SQLite to PostgreSQL or back):
every table, every row, its ids kept, in one transaction on the target.

The two schemas hold the same tables and columns (``storage.schema``,
``storage.postgres.schema``); only the types differ: times are ISO text in SQLite and
``timestamptz`` in PostgreSQL, flags 0/1 against booleans, JSON text against
``jsonb``. Rows are read from the source without writing to it.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from storage.engines import is_postgres, open_store
from storage.errors import StoreError
from storage.opening import readonly_uri
from storage.times import from_db, to_db

BATCH = 2_000


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]
    times: frozenset[str] = frozenset()
    flags: frozenset[str] = frozenset()
    documents: frozenset[str] = frozenset()
    identity: bool = True  # an id column whose sequence follows the rows copied


def _table(name: str, spec: str, *, identity: bool = True) -> Table:
    """A table from its columns: ``name:time``, ``name:flag`` and ``name:json`` mark types."""
    columns: list[str] = []
    kinds: dict[str, set[str]] = {"time": set(), "flag": set(), "json": set()}
    for word in spec.split():
        column, _, kind = word.partition(":")
        columns.append(column)
        if kind:
            kinds[kind].add(column)
    return Table(
        name,
        tuple(columns),
        frozenset(kinds["time"]),
        frozenset(kinds["flag"]),
        frozenset(kinds["json"]),
        identity,
    )


# Parents before children, so every foreign key finds its row.
TABLES = (
    _table("boards", "id name created_at:time settings:json next_number"),
    _table("workspaces", "platform workspace_id board_id name", identity=False),
    _table(
        "channels",
        "board_id platform workspace_id channel_id purpose added_at:time",
        identity=False,
    ),
    _table("members", "id platform user_id name"),
    _table(
        "ideas",
        "id board_id number title body author_id platform channel_id message_id permalink"
        " status status_note merged_into canonical_id embedding created_at:time"
        " updated_at:time deleted_at:time",
    ),
    _table("messages", "id board_id idea_id platform channel_id message_id kind"),
    _table(
        "reactions",
        "id board_id idea_id message_id member_id emoji added_at:time removed_at:time",
    ),
    _table(
        "anonymous_votes",
        "id board_id idea_id message_id emoji count added_at:time removed_at:time",
    ),
    _table("processed_events", "platform event_id seen_at:time", identity=False),
    _table("status_changes", "id board_id idea_id old_status new_status note actor_id at:time"),
    _table(
        "merges",
        "id board_id idea_id into_id score automatic:flag actor_id at:time undone_at:time",
    ),
    _table(
        "suggestions",
        "board_id idea_id candidate_id score state decided_by decided_at:time",
        identity=False,
    ),
    _table("moderation_log", "id board_id actor_id action details:json at:time"),
    _table("channel_cursors", "platform channel_id last_message_id", identity=False),
    _table(
        "link_codes",
        "code board_id created_by created_at:time expires_at:time used_at:time"
        " used_by_platform used_by_workspace",
        identity=False,
    ),
    _table(
        "digest_posts",
        "board_id platform workspace_id channel_id period_start:time period_end:time label"
        " state claimed_by claimed_until:time attempts next_try_at:time last_error late:flag"
        " posted_at:time message_id",
        identity=False,
    ),
    _table("inbox", "id platform event_id body received_at:time done_at:time"),
    _table("web_access", "board_id public:flag key_sha256 changed_at:time", identity=False),
    _table(
        "pair_labels",
        "id board_id idea_id other_id same:flag source features score actor_id at:time"
        " retired_at:time",
    ),
    _table(
        "reconcile_places",
        "platform board_id started_at:time place finished_at:time",
        identity=False,
    ),
    _table("webhooks", "id board_id url secret events:json created_at:time disabled_at:time"),
    _table("votes_reached", "board_id idea_id threshold reached_at:time", identity=False),
    _table(
        "outbox",
        "id board_id target ordering payload:json created_at:time next_try_at:time attempts"
        " claimed_by claimed_until:time done_at:time last_error",
    ),
)

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Copied:
    rows: dict[str, int]


def _to_postgres(table: Table, row: tuple[Any, ...]) -> tuple[Any, ...]:
    out = []
    for column, value in zip(table.columns, row, strict=True):
        if value is not None and column in table.times:
            value = from_db(value)
        elif value is not None and column in table.flags:
            value = bool(value)
        elif value is not None and column in table.documents:
            value = Jsonb(json.loads(value))
        out.append(value)
    return tuple(out)


def _to_sqlite(table: Table, row: tuple[Any, ...]) -> tuple[Any, ...]:
    out = []
    for column, value in zip(table.columns, row, strict=True):
        if isinstance(value, datetime):
            value = to_db(value)
        elif column in table.flags and value is not None:
            value = int(value)
        elif column in table.documents and value is not None:
            value = json.dumps(value, sort_keys=True)
        out.append(value)
    return tuple(out)


def _read_sqlite(path: Path, table: Table) -> Iterator[list[tuple[Any, ...]]]:
    conn = sqlite3.connect(readonly_uri(path), uri=True)
    try:
        cursor = conn.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}")
        while batch := cursor.fetchmany(BATCH):
            yield batch
    finally:
        conn.close()


def _count_sqlite(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(readonly_uri(path), uri=True)
    try:
        return {
            t.name: conn.execute(f"SELECT COUNT(*) FROM {t.name}").fetchone()[0] for t in TABLES
        }
    finally:
        conn.close()


def _count(conn: sqlite3.Connection, table: str) -> int:
    return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def _count_postgres(conn: psycopg.Connection[Any]) -> dict[str, int]:
    counts = {}
    for t in TABLES:
        row = conn.execute(f"SELECT COUNT(*) FROM {t.name}".encode()).fetchone()
        counts[t.name] = int(row[0]) if row else 0
    return counts


async def _prepare(target: str | Path) -> None:
    store = await open_store(target)  # creates and migrates the target
    await store.close()


def copy_database(
    source: str | Path,
    target: str | Path,
    *,
    replace: bool = False,
    progress: Progress | None = None,
) -> Copied:
    """Copy every row of ``source`` into ``target`` (the other engine), in one transaction.

    StoreError when both are the same engine, when the source holds no ideabot
    database at the current schema, or when the target holds boards already (unless
    ``replace``: then its rows are deleted first, in the same transaction).
    """
    if is_postgres(source) == is_postgres(target):
        raise StoreError("copy-db copies between SQLite and PostgreSQL: give one of each")
    asyncio.run(_check_source(source))
    asyncio.run(_prepare(target))
    if is_postgres(target):
        return _sqlite_to_postgres(Path(source), str(target), replace, progress)
    return _postgres_to_sqlite(str(source), Path(target), replace, progress)


async def _check_source(source: str | Path) -> None:
    store = await open_store(source, create=False)  # StoreError when it is not one
    await store.close()


def _sqlite_to_postgres(
    source: Path, target: str, replace: bool, progress: Progress | None
) -> Copied:
    counts = _count_sqlite(source)
    total = sum(counts.values())
    done = 0
    with psycopg.connect(target) as conn:  # one transaction: commits at the end
        conn.execute("SET TIME ZONE 'UTC'")
        conn.execute("SET CONSTRAINTS ALL DEFERRED")
        _refuse_or_clear_postgres(conn, target, replace)
        for table in TABLES:
            marks = ", ".join("%s" for _ in table.columns)
            sql = f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({marks})"
            for batch in _read_sqlite(source, table):
                with conn.cursor() as cursor:
                    cursor.executemany(sql.encode(), [_to_postgres(table, r) for r in batch])
                done += len(batch)
                if progress is not None:
                    progress("rows copied", done, total)
            if table.identity:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'),"
                    f" GREATEST((SELECT MAX(id) FROM {table.name}), 1))".encode()
                )
    return Copied(rows=counts)


def _refuse_or_clear_postgres(conn: psycopg.Connection[Any], target: str, replace: bool) -> None:
    held = _count_postgres(conn)
    if any(held.values()):
        if not replace:
            raise StoreError(
                f"{_shown(target)} is not empty ({held['boards']} boards, {held['ideas']}"
                " ideas); copy into an empty database, or give --replace to delete them"
            )
        for table in reversed(TABLES):
            conn.execute(f"DELETE FROM {table.name}".encode())


def _postgres_to_sqlite(
    source: str, target: Path, replace: bool, progress: Progress | None
) -> Copied:
    from storage.connection import connect

    counts: dict[str, int] = {}
    db = connect(target)
    conn3 = db.conn
    try:
        with psycopg.connect(source) as pg:
            pg.execute("SET TIME ZONE 'UTC'")
            pg.execute("SET default_transaction_read_only = on")
            counts = _count_postgres(pg)
            total, done = sum(counts.values()), 0
            conn3.execute("BEGIN IMMEDIATE")
            conn3.execute("PRAGMA defer_foreign_keys = ON")
            held = {
                t.name: conn3.execute(f"SELECT COUNT(*) FROM {t.name}").fetchone()[0]
                for t in TABLES
            }
            if any(held.values()):
                if not replace:
                    raise StoreError(
                        f"{target} is not empty ({held['boards']} boards, {held['ideas']}"
                        " ideas); copy into an empty database, or give --replace to delete them"
                    )
                for table in reversed(TABLES):
                    conn3.execute(f"DELETE FROM {table.name}")
            for table in TABLES:
                marks = ", ".join("?" for _ in table.columns)
                sql = f"INSERT INTO {table.name} ({', '.join(table.columns)}) VALUES ({marks})"
                with pg.cursor(name=f"copy_{table.name}") as cursor:
                    cursor.execute(f"SELECT {', '.join(table.columns)} FROM {table.name}".encode())
                    while batch := cursor.fetchmany(BATCH):
                        conn3.executemany(sql, [_to_sqlite(table, r) for r in batch])
                        done += len(batch)
                        if progress is not None:
                            progress("rows copied", done, total)
            conn3.execute("COMMIT")
    except BaseException:
        if conn3.in_transaction:
            conn3.execute("ROLLBACK")
        raise
    finally:
        db.close()
    return Copied(rows=counts)


def _shown(url: str) -> str:
    from storage.postgres.connect import redact

    return redact(url)

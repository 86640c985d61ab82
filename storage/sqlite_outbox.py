"""The outbox on SQLite: rows written in a change's transaction, claimed with a lease by
the one process delivering them (every write goes through the one writer, so a claim is
atomic), marked done after delivery."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage import port
from storage.rows import OutboxItem, OutboxRecord
from storage.sqlite_runner import PortBase
from storage.times import from_db, to_db

ERROR_MAX = 500


def add(
    db: Database,
    board_id: int,
    target: str,
    ordering: str,
    payload: dict[str, Any],
    at: str,
) -> int:
    cursor = db.execute(
        "INSERT INTO outbox (board_id, target, ordering, payload, created_at, next_try_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [board_id, target, ordering, json.dumps(payload, ensure_ascii=False), at, at],
    )
    return int(cursor.lastrowid or 0)


def claim(
    db: Database, targets: Sequence[str], owner: str, now: str, until: str, limit: int
) -> list[OutboxItem]:
    if not targets:
        return []
    marks = ", ".join("?" for _ in targets)
    found = db.execute(
        "SELECT o.id, o.board_id, o.target, o.payload, o.attempts, o.created_at FROM outbox o"
        f" WHERE o.target IN ({marks}) AND o.done_at IS NULL AND o.next_try_at <= ?"
        " AND (o.claimed_until IS NULL OR o.claimed_until < ?)"
        " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.target = o.target"
        " AND e.ordering = o.ordering AND e.done_at IS NULL AND e.id < o.id)"
        " ORDER BY o.id LIMIT ?",
        [*targets, now, now, limit],
    ).fetchall()
    for row in found:
        db.execute(
            "UPDATE outbox SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1"
            " WHERE id = ?",
            [owner, until, row[0]],
        )
    return [
        OutboxItem(
            id=r[0],
            board_id=r[1],
            target=r[2],
            payload=json.loads(r[3]),
            attempts=r[4] + 1,
            created_at=from_db(r[5]),
        )
        for r in found
    ]


def done(db: Database, item_id: int, at: str) -> None:
    db.execute(
        "UPDATE outbox SET done_at = ?, claimed_until = NULL, last_error = NULL"
        " WHERE id = ? AND done_at IS NULL",
        [at, item_id],
    )


def failed(db: Database, item_id: int, error: str, next_try_at: str | None, at: str) -> None:
    if next_try_at is None:
        db.execute(
            "UPDATE outbox SET done_at = ?, last_error = ?, claimed_until = NULL WHERE id = ?",
            [at, error[:ERROR_MAX], item_id],
        )
        return
    db.execute(
        "UPDATE outbox SET next_try_at = ?, last_error = ?, claimed_until = NULL WHERE id = ?",
        [next_try_at, error[:ERROR_MAX], item_id],
    )


def recent(db: Database, board_id: int, prefix: str, limit: int) -> list[OutboxRecord]:
    rows = db.execute(
        "SELECT id, target, payload, attempts, created_at, done_at, last_error FROM outbox"
        " WHERE board_id = ? AND substr(target, 1, ?) = ? ORDER BY id DESC LIMIT ?",
        [board_id, len(prefix), prefix, limit],
    ).fetchall()
    return [
        OutboxRecord(
            id=r[0],
            target=r[1],
            payload=json.loads(r[2]),
            attempts=r[3],
            created_at=from_db(r[4]),
            done_at=from_db(r[5]) if r[5] else None,
            last_error=r[6],
        )
        for r in rows
    ]


def next_due(db: Database, targets: Sequence[str]) -> str | None:
    if not targets:
        return None
    marks = ", ".join("?" for _ in targets)
    row = db.execute(
        "SELECT MIN(max(o.next_try_at, coalesce(o.claimed_until, o.next_try_at))) FROM outbox o"
        f" WHERE o.target IN ({marks}) AND o.done_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.target = o.target"
        " AND e.ordering = o.ordering AND e.done_at IS NULL AND e.id < o.id)",
        list(targets),
    ).fetchone()
    return row[0] if row else None


class Outbox(PortBase, port.Outbox):
    async def add(
        self, board_id: int, target: str, ordering: str, payload: dict[str, Any], at: datetime
    ) -> int:
        return await self._run.write(add, board_id, target, ordering, payload, to_db(at))

    async def claim(
        self, targets: Sequence[str], owner: str, now: datetime, until: datetime, limit: int
    ) -> list[OutboxItem]:
        return await self._run.write(claim, list(targets), owner, to_db(now), to_db(until), limit)

    async def done(self, item_id: int, at: datetime) -> None:
        await self._run.write(done, item_id, to_db(at))

    async def failed(
        self, item_id: int, error: str, next_try_at: datetime | None, at: datetime
    ) -> None:
        later = None if next_try_at is None else to_db(next_try_at)
        await self._run.write(failed, item_id, error, later, to_db(at))

    async def recent(self, board_id: int, target_prefix: str, limit: int) -> list[OutboxRecord]:
        return await self._run.read(recent, board_id, target_prefix, limit)

    async def next_due(self, targets: Sequence[str]) -> datetime | None:
        found = await self._run.read(next_due, list(targets))
        return None if found is None else from_db(found)

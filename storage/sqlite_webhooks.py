"""Outgoing webhook endpoints on SQLite."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlite_utils import Database

from storage import port
from storage import scores as idea_scores
from storage.rows import WebhookRow
from storage.sqlite_runner import PortBase
from storage.times import from_db, to_db

_COLUMNS = "id, board_id, url, secret, events, created_at, disabled_at"


def _row(r: tuple[Any, ...]) -> WebhookRow:
    return WebhookRow(
        id=r[0],
        board_id=r[1],
        url=r[2],
        secret=r[3],
        events=tuple(json.loads(r[4])),
        created_at=from_db(r[5]),
        disabled_at=from_db(r[6]) if r[6] else None,
    )


def add(db: Database, board_id: int, url: str, secret: str, events: list[str], at: str) -> int:
    cursor = db.execute(
        "INSERT INTO webhooks (board_id, url, secret, events, created_at) VALUES (?, ?, ?, ?, ?)",
        [board_id, url, secret, json.dumps(events), at],
    )
    return int(cursor.lastrowid or 0)


def of_board(db: Database, board_id: int) -> list[WebhookRow]:
    rows = db.execute(
        f"SELECT {_COLUMNS} FROM webhooks WHERE board_id = ? ORDER BY id", [board_id]
    ).fetchall()
    return [_row(r) for r in rows]


def by_id(db: Database, webhook_id: int) -> WebhookRow | None:
    row = db.execute(f"SELECT {_COLUMNS} FROM webhooks WHERE id = ?", [webhook_id]).fetchone()
    return None if row is None else _row(row)


def remove(db: Database, board_id: int, webhook_id: int) -> bool:
    cursor = db.execute(
        "DELETE FROM webhooks WHERE id = ? AND board_id = ?", [webhook_id, board_id]
    )
    if cursor.rowcount != 1:
        return False
    db.execute("DELETE FROM outbox WHERE target = ? AND done_at IS NULL", [f"webhook:{webhook_id}"])
    return True


def active_ids(db: Database) -> list[int]:
    rows = db.execute("SELECT id FROM webhooks WHERE disabled_at IS NULL ORDER BY id").fetchall()
    return [r[0] for r in rows]


def disable(db: Database, webhook_id: int, at: str) -> bool:
    return (
        db.execute(
            "UPDATE webhooks SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL",
            [at, webhook_id],
        ).rowcount
        > 0
    )


def votes_reached(
    db: Database, board_id: int, canonical_id: int, thresholds: Sequence[int], at: str
) -> tuple[int, list[int]]:
    # One writer: nothing else commits between the count and the insert.
    votes = idea_scores.score(db, board_id, canonical_id)
    reached = []
    for threshold in sorted(t for t in set(thresholds) if t <= votes):
        cursor = db.execute(
            "INSERT OR IGNORE INTO votes_reached (board_id, idea_id, threshold, reached_at)"
            " VALUES (?, ?, ?, ?)",
            [board_id, canonical_id, threshold, at],
        )
        if cursor.rowcount > 0:
            reached.append(threshold)
    return votes, reached


class Webhooks(PortBase, port.Webhooks):
    async def add(
        self, board_id: int, url: str, secret: str, events: Sequence[str], at: datetime
    ) -> int:
        return await self._run.write(add, board_id, url, secret, list(events), to_db(at))

    async def of_board(self, board_id: int) -> list[WebhookRow]:
        return await self._run.read(of_board, board_id)

    async def by_id(self, webhook_id: int) -> WebhookRow | None:
        return await self._run.read(by_id, webhook_id)

    async def remove(self, board_id: int, webhook_id: int) -> bool:
        return await self._run.write(remove, board_id, webhook_id)

    async def active_ids(self) -> list[int]:
        return await self._run.read(active_ids)

    async def disable(self, webhook_id: int, at: datetime) -> bool:
        return bool(await self._run.write(disable, webhook_id, to_db(at)))

    async def votes_reached(
        self, board_id: int, canonical_id: int, thresholds: Sequence[int], at: datetime
    ) -> tuple[int, list[int]]:
        return await self._run.write(
            votes_reached, board_id, canonical_id, list(thresholds), to_db(at)
        )

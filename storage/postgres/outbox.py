"""The outbox on PostgreSQL (see ``storage.sqlite_outbox``): a claim takes rows with
``FOR UPDATE SKIP LOCKED``, so processes claiming at once never take the same row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from storage import port
from storage.postgres.runner import PortBase
from storage.rows import OutboxItem, OutboxRecord

ERROR_MAX = 500


class Outbox(PortBase, port.Outbox):
    async def add(
        self, board_id: int, target: str, ordering: str, payload: dict[str, Any], at: datetime
    ) -> int:
        row = await self._run.one(
            "INSERT INTO outbox (board_id, target, ordering, payload, created_at, next_try_at)"
            " VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            [board_id, target, ordering, Jsonb(payload), at, at],
        )
        assert row is not None
        return int(row[0])

    async def claim(
        self, targets: Sequence[str], owner: str, now: datetime, until: datetime, limit: int
    ) -> list[OutboxItem]:
        if not targets:
            return []
        rows = await self._run.all(
            "UPDATE outbox SET claimed_by = %s, claimed_until = %s, attempts = attempts + 1"
            " WHERE id IN (SELECT o.id FROM outbox o"
            " WHERE o.target = ANY(%s) AND o.done_at IS NULL AND o.next_try_at <= %s"
            " AND (o.claimed_until IS NULL OR o.claimed_until < %s)"
            " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.target = o.target"
            " AND e.ordering = o.ordering AND e.done_at IS NULL AND e.id < o.id)"
            " ORDER BY o.id LIMIT %s FOR UPDATE SKIP LOCKED)"
            " RETURNING id, board_id, target, payload, attempts, created_at",
            [owner, until, list(targets), now, now, limit],
        )
        return sorted(
            (
                OutboxItem(
                    id=r[0],
                    board_id=r[1],
                    target=r[2],
                    payload=dict(r[3]),
                    attempts=r[4],
                    created_at=r[5],
                )
                for r in rows
            ),
            key=lambda item: item.id,
        )

    async def done(self, item_id: int, at: datetime) -> None:
        await self._run.run(
            "UPDATE outbox SET done_at = %s, claimed_until = NULL, last_error = NULL"
            " WHERE id = %s AND done_at IS NULL",
            [at, item_id],
        )

    async def failed(
        self, item_id: int, error: str, next_try_at: datetime | None, at: datetime
    ) -> None:
        if next_try_at is None:
            await self._run.run(
                "UPDATE outbox SET done_at = %s, last_error = %s, claimed_until = NULL"
                " WHERE id = %s",
                [at, error[:ERROR_MAX], item_id],
            )
            return
        await self._run.run(
            "UPDATE outbox SET next_try_at = %s, last_error = %s, claimed_until = NULL"
            " WHERE id = %s",
            [next_try_at, error[:ERROR_MAX], item_id],
        )

    async def recent(self, board_id: int, target_prefix: str, limit: int) -> list[OutboxRecord]:
        rows = await self._run.all(
            "SELECT id, target, payload, attempts, created_at, done_at, last_error FROM outbox"
            " WHERE board_id = %s AND left(target, %s) = %s ORDER BY id DESC LIMIT %s",
            [board_id, len(target_prefix), target_prefix, limit],
        )
        return [
            OutboxRecord(
                id=r[0],
                target=r[1],
                payload=dict(r[2]),
                attempts=r[3],
                created_at=r[4],
                done_at=r[5],
                last_error=r[6],
            )
            for r in rows
        ]

    async def next_due(self, targets: Sequence[str]) -> datetime | None:
        if not targets:
            return None
        row = await self._run.one(
            "SELECT MIN(GREATEST(o.next_try_at, coalesce(o.claimed_until, o.next_try_at)))"
            " FROM outbox o WHERE o.target = ANY(%s) AND o.done_at IS NULL"
            " AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.target = o.target"
            " AND e.ordering = o.ordering AND e.done_at IS NULL AND e.id < o.id)",
            [list(targets)],
        )
        return None if row is None else row[0]

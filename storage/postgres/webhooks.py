"""Outgoing webhook endpoints on PostgreSQL (see ``storage.sqlite_webhooks``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from storage import port
from storage.postgres.runner import PortBase
from storage.rows import WebhookRow

_COLUMNS = "id, board_id, url, secret, events, created_at, disabled_at"


# Distinct people voting on the idea or an idea merged into it, plus anonymous counts
# (the score ``IDEA_SELECT`` gives a canonical idea).
_SCORE = """
SELECT (SELECT COUNT(DISTINCT r.member_id) FROM ideas d JOIN reactions r
        ON r.board_id = d.board_id AND r.idea_id = d.id
        WHERE d.board_id = %(board)s AND d.canonical_id = %(idea)s AND r.removed_at IS NULL)
    + (SELECT COALESCE(SUM(a.count), 0) FROM ideas d JOIN anonymous_votes a
        ON a.board_id = d.board_id AND a.idea_id = d.id
        WHERE d.board_id = %(board)s AND d.canonical_id = %(idea)s AND a.removed_at IS NULL)
"""


def _row(r: tuple[Any, ...]) -> WebhookRow:
    return WebhookRow(
        id=r[0],
        board_id=r[1],
        url=r[2],
        secret=r[3],
        events=tuple(r[4]),
        created_at=r[5],
        disabled_at=r[6],
    )


class Webhooks(PortBase, port.Webhooks):
    async def add(
        self, board_id: int, url: str, secret: str, events: Sequence[str], at: datetime
    ) -> int:
        row = await self._run.one(
            "INSERT INTO webhooks (board_id, url, secret, events, created_at)"
            " VALUES (%s, %s, %s, %s, %s) RETURNING id",
            [board_id, url, secret, Jsonb(list(events)), at],
        )
        assert row is not None
        return int(row[0])

    async def of_board(self, board_id: int) -> list[WebhookRow]:
        rows = await self._run.all(
            f"SELECT {_COLUMNS} FROM webhooks WHERE board_id = %s ORDER BY id", [board_id]
        )
        return [_row(r) for r in rows]

    async def by_id(self, webhook_id: int) -> WebhookRow | None:
        row = await self._run.one(f"SELECT {_COLUMNS} FROM webhooks WHERE id = %s", [webhook_id])
        return None if row is None else _row(row)

    async def remove(self, board_id: int, webhook_id: int) -> bool:
        async with self._run.conn() as conn:
            cursor = await conn.execute(
                "DELETE FROM webhooks WHERE id = %s AND board_id = %s", [webhook_id, board_id]
            )
            if cursor.rowcount != 1:
                return False
            await conn.execute(
                "DELETE FROM outbox WHERE target = %s AND done_at IS NULL",
                [f"webhook:{webhook_id}"],
            )
            return True

    async def active_ids(self) -> list[int]:
        rows = await self._run.all("SELECT id FROM webhooks WHERE disabled_at IS NULL ORDER BY id")
        return [int(r[0]) for r in rows]

    async def disable(self, webhook_id: int, at: datetime) -> bool:
        return (
            await self._run.run(
                "UPDATE webhooks SET disabled_at = %s WHERE id = %s AND disabled_at IS NULL",
                [at, webhook_id],
            )
            > 0
        )

    async def votes_reached(
        self, board_id: int, canonical_id: int, thresholds: Sequence[int], at: datetime
    ) -> tuple[int, list[int]]:
        keys = {"board": board_id, "idea": canonical_id}
        async with self._run.conn() as conn:
            # NO KEY UPDATE: votes of other transactions (which take KEY SHARE on the idea
            # through their foreign key) go on; a second count waits for this one's commit.
            await conn.execute(
                "SELECT 1 FROM ideas WHERE id = %(idea)s AND board_id = %(board)s"
                " FOR NO KEY UPDATE",
                keys,
            )
            cursor = await conn.execute(_SCORE, keys)
            found = await cursor.fetchone()
            votes = int(found[0]) if found is not None else 0
            due = sorted(t for t in set(thresholds) if t <= votes)
            if not due:
                return votes, []
            cursor = await conn.execute(
                "INSERT INTO votes_reached (board_id, idea_id, threshold, reached_at)"
                " SELECT %(board)s, %(idea)s, t, %(at)s FROM unnest(%(due)s::integer[]) t"
                " ON CONFLICT DO NOTHING RETURNING threshold",
                {**keys, "due": due, "at": at},
            )
            return votes, sorted(int(r[0]) for r in await cursor.fetchall())

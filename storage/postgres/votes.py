"""Reaction events on PostgreSQL: a batch in one transaction, one statement per event,
all sent in one pipeline (one round trip for the batch instead of several per event).

Each event's statement records its event id (a repeat changes nothing), makes sure of
the member, and adds or ends the reaction fact, all or nothing. When any statement of
the batch fails, the batch is undone and run again one event at a time, each in a
savepoint, so only the failing event fails (as SQLite's writer does with its groups).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Any

import psycopg

from storage import port
from storage.postgres.runner import PortBase
from storage.rows import VoteEvent

VOTE_SQL = """
WITH ev AS (
    INSERT INTO processed_events (platform, event_id, seen_at)
    SELECT %(platform)s, %(event_id)s, %(at)s WHERE %(event_id)s::text IS NOT NULL
    ON CONFLICT DO NOTHING RETURNING 1
), fresh AS (
    SELECT (%(event_id)s::text IS NULL OR EXISTS (SELECT 1 FROM ev)) AS ok
), msg AS (
    SELECT m.idea_id, m.id AS message_row, i.number
    FROM messages m JOIN ideas i ON i.id = m.idea_id
    WHERE m.platform = %(platform)s AND m.channel_id = %(channel)s
    AND m.message_id = %(message)s AND m.board_id = %(board)s
), mem AS (
    INSERT INTO members (platform, user_id, name)
    SELECT %(platform)s, %(user)s, %(name)s FROM fresh WHERE fresh.ok
    ON CONFLICT (platform, user_id) DO UPDATE SET name = CASE
        WHEN %(given_name)s = '' THEN members.name ELSE excluded.name END
    RETURNING id
), added AS (
    INSERT INTO reactions (board_id, idea_id, message_id, member_id, emoji, added_at)
    SELECT %(board)s, msg.idea_id, msg.message_row, mem.id, %(emoji)s, %(at)s
    FROM msg, mem WHERE %(added)s
    ON CONFLICT DO NOTHING RETURNING 1
), removed AS (
    UPDATE reactions r SET removed_at = %(at)s FROM msg, mem
    WHERE NOT %(added)s AND r.message_id = msg.message_row AND r.member_id = mem.id
    AND r.emoji = %(emoji)s AND r.removed_at IS NULL
    RETURNING 1
)
SELECT (SELECT ok FROM fresh), (SELECT number FROM msg),
    (SELECT COUNT(*) FROM added) + (SELECT COUNT(*) FROM removed)
"""


def _params(event: VoteEvent) -> dict[str, Any]:
    return {
        "platform": event.platform,
        "event_id": event.event_id or None,
        "at": event.at,
        "channel": event.channel_id,
        "message": event.message_id,
        "board": event.board_id,
        "user": event.user_id,
        "name": event.user_name or event.user_id,
        "given_name": event.user_name,
        "emoji": event.emoji,
        "added": event.added,
    }


def _outcome(row: tuple[Any, ...] | None) -> port.VoteOutcome:
    assert row is not None
    fresh, number, changed = row
    if not fresh:
        return None  # a repeated event
    return number, bool(number is not None and changed)


class Votes(PortBase, port.Votes):
    def record(
        self, events: Sequence[VoteEvent]
    ) -> asyncio.Future[list[port.VoteOutcome | Exception]]:
        # Started now: the batch is on its way before the caller's next await.
        return asyncio.ensure_future(self._record(list(events)))

    async def _record(self, events: Sequence[VoteEvent]) -> list[port.VoteOutcome | Exception]:
        async with self._run.conn() as conn:
            # One failed statement undoes the batch (a savepoint); each runs again alone.
            with contextlib.suppress(psycopg.Error):
                return await self._batch(conn, events)
            out: list[port.VoteOutcome | Exception] = []
            for event in events:
                try:
                    async with conn.transaction():
                        cursor = await conn.execute(VOTE_SQL, _params(event))
                        out.append(_outcome(await cursor.fetchone()))
                except psycopg.Error as exc:
                    out.append(exc)
            return out

    @staticmethod
    async def _batch(
        conn: psycopg.AsyncConnection, events: Sequence[VoteEvent]
    ) -> list[port.VoteOutcome | Exception]:
        # People in one order (each person's events keep theirs), the order reconciliation
        # stores them in too: two transactions storing the same new people in different
        # orders (batches in two processes, or a batch and a reconciliation) deadlocked.
        order = sorted(range(len(events)), key=lambda i: (events[i].platform, events[i].user_id))
        async with conn.transaction():
            cursors: dict[int, psycopg.AsyncCursor[Any]] = {}
            async with conn.pipeline():
                for i in order:
                    cursor = conn.cursor()
                    await cursor.execute(VOTE_SQL, _params(events[i]))
                    cursors[i] = cursor
            return [_outcome(await cursors[i].fetchone()) for i in range(len(events))]

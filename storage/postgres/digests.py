"""Digest posts on PostgreSQL: claimed before posting (row locks make one process the
holder), recorded once the platform accepted them, taken over when a claim's lease
ran out (its holder died)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from storage import port
from storage.postgres.runner import PortBase
from storage.rows import (
    Claim,
    PostKey,
    PostRow,
)

POSTING = "posting"
POSTED = "posted"


_KEY = "board_id = %s AND platform = %s AND channel_id = %s AND period_start = %s"


def _key(key: PostKey) -> list[Any]:
    return [key.board_id, key.platform, key.channel_id, key.period_start]


class Digests(PortBase, port.Digests):
    async def claim(
        self,
        key: PostKey,
        owner: str,
        now: datetime,
        until: datetime,
        late: bool,
        *,
        ignore_backoff: bool = False,
    ) -> Claim | None:
        async with self._run.conn():
            newer = await self._run.one(
                "SELECT 1 FROM digest_posts WHERE board_id = %s AND platform = %s"
                " AND channel_id = %s AND period_start > %s AND state = %s LIMIT 1",
                [key.board_id, key.platform, key.channel_id, key.period_start, POSTED],
            )
            if newer is not None:
                return None
            inserted = await self._run.run(
                "INSERT INTO digest_posts (board_id, platform, workspace_id, channel_id,"
                " period_start, period_end, label, state, claimed_by, claimed_until, attempts,"
                " late) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 1, %s)"
                " ON CONFLICT DO NOTHING",
                [
                    key.board_id,
                    key.platform,
                    key.workspace_id,
                    key.channel_id,
                    key.period_start,
                    key.period_end,
                    key.label,
                    POSTING,
                    owner,
                    until,
                    late,
                ],
            )
            if inserted == 1:
                return Claim(attempt=1, resumed=False)
            # Another process may hold it: the row lock waits for its transaction.
            row = await self._run.one(
                "SELECT state, claimed_by, claimed_until, attempts, next_try_at"
                f" FROM digest_posts WHERE {_KEY} FOR UPDATE",
                _key(key),
            )
            if row is None:
                return None
            state, claimed_by, claimed_until, attempts, next_try_at = row
            if state == POSTED:
                return None
            if claimed_until is not None and claimed_until > now:
                return None  # an attempt is under way, here or in another process
            if next_try_at is not None and next_try_at > now and not ignore_backoff:
                return None
            await self._run.run(
                "UPDATE digest_posts SET claimed_by = %s, claimed_until = %s,"
                f" attempts = attempts + 1, late = %s WHERE {_KEY}",
                [owner, until, late, *_key(key)],
            )
            return Claim(attempt=attempts + 1, resumed=claimed_by is not None)

    async def posted(self, key: PostKey, owner: str, message_id: str, now: datetime) -> bool:
        changed = await self._run.run(
            "UPDATE digest_posts SET state = %s, posted_at = %s, message_id = %s,"
            " claimed_by = NULL, claimed_until = NULL, next_try_at = NULL, last_error = NULL"
            f" WHERE {_KEY} AND claimed_by = %s",
            [POSTED, now, message_id, *_key(key), owner],
        )
        return changed == 1

    async def failed(self, key: PostKey, owner: str, error: str, next_try_at: datetime) -> None:
        await self._run.run(
            "UPDATE digest_posts SET claimed_by = NULL, claimed_until = NULL, next_try_at = %s,"
            f" last_error = %s WHERE {_KEY} AND claimed_by = %s",
            [next_try_at, error[:500], *_key(key), owner],
        )

    async def pending_times(self, now: datetime) -> list[datetime]:
        rows = await self._run.all(
            "SELECT t FROM (SELECT GREATEST(next_try_at, claimed_until) AS t FROM digest_posts"
            " WHERE state = %s) p WHERE t > %s",
            [POSTING, now],
        )
        return [r[0] for r in rows]

    async def latest(self, board_id: int) -> list[PostRow]:
        rows = await self._run.all(
            "SELECT DISTINCT ON (platform, channel_id) platform, channel_id, period_start,"
            " label, state, attempts, next_try_at, last_error, claimed_until, posted_at, late"
            " FROM digest_posts WHERE board_id = %s"
            " ORDER BY platform, channel_id, period_start DESC",
            [board_id],
        )
        return [
            PostRow(
                platform=r[0],
                channel_id=r[1],
                period_start=r[2],
                label=r[3],
                state=r[4],
                attempts=r[5],
                next_try_at=r[6],
                last_error=r[7],
                claimed_until=r[8],
                posted_at=r[9],
                late=bool(r[10]),
            )
            for r in rows
        ]

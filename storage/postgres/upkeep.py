"""The store's ports on PostgreSQL around the backlog: channels and cursors, digest
claims, the moderation log, link codes, the inbox, reconciliation places."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from psycopg.types.json import Jsonb

from storage import port
from storage.postgres.runner import PortBase
from storage.rows import (
    ChannelRow,
    LinkCodeRow,
    PairLabel,
    StoredVotes,
)

OPEN_STATUSES = ["open", "under_review", "planned", "in_progress"]


class Channels(PortBase, port.Channels):
    async def set(
        self,
        board_id: int,
        platform: str,
        workspace_id: str,
        channel_id: str,
        purpose: str,
        enabled: bool,
        at: datetime,
    ) -> None:
        if enabled:
            # A channel set up again keeps the time it was first added.
            await self._run.run(
                "INSERT INTO channels"
                " (board_id, platform, workspace_id, channel_id, purpose, added_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (platform, workspace_id, channel_id, purpose)"
                " DO UPDATE SET board_id = excluded.board_id",
                [board_id, platform, workspace_id, channel_id, purpose, at],
            )
        else:
            await self._run.run(
                "DELETE FROM channels WHERE board_id = %s AND platform = %s"
                " AND workspace_id = %s AND channel_id = %s AND purpose = %s",
                [board_id, platform, workspace_id, channel_id, purpose],
            )

    async def of_board(self, board_id: int, purpose: str) -> list[ChannelRow]:
        rows = await self._run.all(
            "SELECT platform, workspace_id, channel_id, added_at FROM channels"
            " WHERE board_id = %s AND purpose = %s ORDER BY platform, channel_id",
            [board_id, purpose],
        )
        return [ChannelRow(r[0], r[1], r[2], r[3] if purpose == "digest" else None) for r in rows]

    async def board_of(self, platform: str, channel_id: str, purpose: str) -> int | None:
        row = await self._run.one(
            "SELECT board_id FROM channels WHERE platform = %s AND channel_id = %s"
            " AND purpose = %s",
            [platform, channel_id, purpose],
        )
        return None if row is None else int(row[0])

    async def cursor(self, platform: str, channel_id: str) -> str | None:
        row = await self._run.one(
            "SELECT last_message_id FROM channel_cursors WHERE platform = %s AND channel_id = %s",
            [platform, channel_id],
        )
        return None if row is None else str(row[0])

    async def advance_cursor(self, platform: str, channel_id: str, message_id: str) -> None:
        async with self._run.conn():
            row = await self._run.one(
                "SELECT last_message_id FROM channel_cursors"
                " WHERE platform = %s AND channel_id = %s FOR UPDATE",
                [platform, channel_id],
            )
            if row is not None and _decimal(row[0]) >= _decimal(message_id):
                return
            await self._run.run(
                "INSERT INTO channel_cursors (platform, channel_id, last_message_id)"
                " VALUES (%s, %s, %s) ON CONFLICT (platform, channel_id)"
                " DO UPDATE SET last_message_id = excluded.last_message_id",
                [platform, channel_id, message_id],
            )


def _decimal(value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        return Decimal(0)


class ModerationLog(PortBase, port.ModerationLog):
    async def add(
        self,
        board_id: int,
        actor_id: int | None,
        action: str,
        details: dict[str, Any],
        at: datetime,
    ) -> None:
        await self._run.run(
            "INSERT INTO moderation_log (board_id, actor_id, action, details, at)"
            " VALUES (%s, %s, %s, %s, %s)",
            [board_id, actor_id, action, Jsonb(details), at],
        )


class LinkCodes(PortBase, port.LinkCodes):
    async def add(
        self,
        code: str,
        board_id: int,
        actor_id: int | None,
        created_at: datetime,
        expires_at: datetime,
    ) -> None:
        await self._run.run(
            "INSERT INTO link_codes (code, board_id, created_by, created_at, expires_at)"
            " VALUES (%s, %s, %s, %s, %s)",
            [code, board_id, actor_id, created_at, expires_at],
        )

    async def get(self, code: str) -> LinkCodeRow | None:
        row = await self._run.one(
            "SELECT board_id, expires_at, used_at FROM link_codes WHERE code = %s", [code]
        )
        return None if row is None else LinkCodeRow(int(row[0]), row[1], row[2])

    async def use(self, code: str, platform: str, workspace_id: str, at: datetime) -> bool:
        changed = await self._run.run(
            "UPDATE link_codes SET used_at = %s, used_by_platform = %s, used_by_workspace = %s"
            " WHERE code = %s AND used_at IS NULL",
            [at, platform, workspace_id, code],
        )
        return changed == 1


class Inbox(PortBase, port.Inbox):
    async def put(self, platform: str, event_id: str, body: str, at: datetime) -> bool:
        changed = await self._run.run(
            "INSERT INTO inbox (platform, event_id, body, received_at) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            [platform, event_id, body, at],
        )
        return changed == 1

    async def done(self, platform: str, event_ids: Sequence[str], at: datetime) -> None:
        await self._run.run(
            "UPDATE inbox SET done_at = %s WHERE platform = %s AND event_id = ANY(%s)"
            " AND done_at IS NULL",
            [at, platform, list(event_ids)],
        )

    async def pending(self, platform: str, after: int, limit: int) -> list[tuple[int, str, str]]:
        rows = await self._run.all(
            "SELECT id, event_id, body FROM inbox WHERE platform = %s AND done_at IS NULL"
            " AND id > %s ORDER BY id LIMIT %s",
            [platform, after, limit],
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def forget_done(self, before: datetime) -> int:
        return await self._run.run(
            "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < %s", [before]
        )


class ReconcilePlaces(PortBase, port.ReconcilePlaces):
    async def messages_to_check(
        self, board_id: int, platform: str, since: datetime, below: int | None, limit: int
    ) -> list[tuple[int, str, str]]:
        ideas = await self._run.all(
            "SELECT i.id FROM ideas i JOIN ideas c ON c.id = i.canonical_id"
            " WHERE i.board_id = %s AND i.deleted_at IS NULL AND c.deleted_at IS NULL"
            " AND c.status = ANY(%s) AND i.created_at >= %s AND i.id < %s"
            " ORDER BY i.id DESC LIMIT %s",
            [board_id, OPEN_STATUSES, since, below if below is not None else 2**62, limit],
        )
        if not ideas:
            return []
        ids = [r[0] for r in ideas]
        rows = await self._run.all(
            "SELECT idea_id, channel_id, message_id FROM messages"
            " WHERE platform = %s AND idea_id = ANY(%s) ORDER BY idea_id DESC, id",
            [platform, ids],
        )
        found = [(r[0], r[1], r[2]) for r in rows]
        with_messages = {r[0] for r in found}
        found += [(i, "", "") for i in ids if i not in with_messages]
        return sorted(found, key=lambda m: -m[0])

    async def stored_votes(
        self, board_id: int, platform: str, channel_id: str, message_id: str, emoji: str
    ) -> StoredVotes | None:
        row = await self._run.one(
            "SELECT id, idea_id FROM messages WHERE platform = %s AND channel_id = %s"
            " AND message_id = %s AND board_id = %s",
            [platform, channel_id, message_id, board_id],
        )
        if row is None:
            return None
        rows = await self._run.all(
            "SELECT m.user_id, m.id, bool_or(r.removed_at IS NULL)"
            " FROM reactions r JOIN members m ON m.id = r.member_id"
            " WHERE r.message_id = %s AND r.emoji = %s GROUP BY m.id, m.user_id",
            [row[0], emoji],
        )
        return StoredVotes(row[0], row[1], {r[0]: (r[1], bool(r[2])) for r in rows})

    async def add_votes(
        self,
        board_id: int,
        idea_id: int,
        message_row: int,
        member_ids: Sequence[int],
        emoji: str,
        at: datetime,
    ) -> int:
        return await self._run.many(
            "INSERT INTO reactions (board_id, idea_id, message_id, member_id, emoji, added_at)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [(board_id, idea_id, message_row, m, emoji, at) for m in member_ids],
        )

    async def remove_votes(
        self, message_row: int, member_ids: Sequence[int], emoji: str, at: datetime
    ) -> int:
        if not member_ids:
            return 0
        return await self._run.run(
            "UPDATE reactions SET removed_at = %s WHERE message_id = %s AND member_id = ANY(%s)"
            " AND emoji = %s AND removed_at IS NULL",
            [at, message_row, list(member_ids), emoji],
        )

    async def end_anonymous(self, message_row: int, emoji: str, at: datetime) -> int:
        row = await self._run.one(
            "WITH ended AS (UPDATE anonymous_votes SET removed_at = %s"
            " WHERE message_id = %s AND emoji = %s AND removed_at IS NULL RETURNING count)"
            " SELECT COALESCE(SUM(count), 0) FROM ended",
            [at, message_row, emoji],
        )
        return int(row[0]) if row else 0

    async def place(self, platform: str, board_id: int) -> int | None:
        row = await self._run.one(
            "SELECT place FROM reconcile_places WHERE platform = %s AND board_id = %s"
            " AND finished_at IS NULL",
            [platform, board_id],
        )
        return None if row is None else row[0]

    async def start(self, platform: str, board_id: int, at: datetime) -> None:
        await self._run.run(
            "INSERT INTO reconcile_places (platform, board_id, started_at, place, finished_at)"
            " VALUES (%s, %s, %s, NULL, NULL) ON CONFLICT (platform, board_id) DO UPDATE SET"
            " started_at = excluded.started_at, place = NULL, finished_at = NULL"
            " WHERE reconcile_places.finished_at IS NOT NULL",
            [platform, board_id, at],
        )

    async def advance(self, platform: str, board_id: int, idea_id: int) -> None:
        await self._run.run(
            "UPDATE reconcile_places SET place = %s WHERE platform = %s AND board_id = %s",
            [idea_id, platform, board_id],
        )

    async def finish(self, platform: str, board_id: int, at: datetime) -> None:
        await self._run.run(
            "UPDATE reconcile_places SET finished_at = %s, place = NULL"
            " WHERE platform = %s AND board_id = %s",
            [at, platform, board_id],
        )


class PairLabels(PortBase, port.PairLabels):
    async def add(
        self,
        board_id: int,
        idea_id: int,
        other_id: int,
        *,
        same: bool,
        source: str,
        features: Sequence[float],
        score: float,
        actor_id: int | None,
        at: datetime,
    ) -> None:
        await self._run.run(
            "INSERT INTO pair_labels (board_id, idea_id, other_id, same, source, features,"
            " score, actor_id, at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                board_id,
                idea_id,
                other_id,
                same,
                source,
                json.dumps(list(features)),
                score,
                actor_id,
                at,
            ],
        )

    async def current(self, board_id: int) -> list[PairLabel]:
        rows = await self._run.all(
            "SELECT idea_id, other_id, same, source, features, score FROM pair_labels"
            " WHERE board_id = %s AND retired_at IS NULL ORDER BY id",
            [board_id],
        )
        latest: dict[tuple[int, int], PairLabel] = {}
        for idea_id, other_id, same, source, features, score in rows:
            key = (min(idea_id, other_id), max(idea_id, other_id))
            latest.pop(key, None)  # re-inserted, so the order follows the latest decision
            latest[key] = PairLabel(
                idea_id=idea_id,
                other_id=other_id,
                same=bool(same),
                source=source,
                features=tuple(float(x) for x in json.loads(features)),
                score=float(score),
            )
        return list(latest.values())

    async def retire(self, board_id: int, at: datetime) -> int:
        return await self._run.run(
            "UPDATE pair_labels SET retired_at = %s WHERE board_id = %s AND retired_at IS NULL",
            [at, board_id],
        )

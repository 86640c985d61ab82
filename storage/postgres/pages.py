"""The web board's reads and its read access on PostgreSQL: the questions of
``storage.pages`` in PostgreSQL's SQL. A ranking is read fresh each time (SQLite's
``data_version`` has no cheap equivalent here)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage import port
from storage.postgres.runner import PortBase
from storage.rows import Access, RankedRow, Ranking, StatusEvent

_RANKED = """
WITH v AS (
    SELECT d.canonical_id AS cid, COUNT(DISTINCT r.member_id) AS n,
        COUNT(DISTINCT CASE WHEN r.added_at >= %(since)s THEN r.member_id END) AS g
    FROM reactions r JOIN ideas d ON d.id = r.idea_id
    WHERE r.board_id = %(board)s AND r.removed_at IS NULL GROUP BY d.canonical_id
), a AS (
    SELECT d.canonical_id AS cid, SUM(x.count) AS n,
        SUM(CASE WHEN x.added_at >= %(since)s THEN x.count ELSE 0 END) AS g
    FROM anonymous_votes x JOIN ideas d ON d.id = x.idea_id
    WHERE x.board_id = %(board)s AND x.removed_at IS NULL GROUP BY d.canonical_id
), dup AS (
    SELECT canonical_id AS cid, COUNT(*) AS n FROM ideas
    WHERE board_id = %(board)s AND merged_into IS NOT NULL AND deleted_at IS NULL
    GROUP BY canonical_id
)
SELECT i.id, i.number, i.status, COALESCE(v.n, 0) + COALESCE(a.n, 0),
    COALESCE(v.g, 0) + COALESCE(a.g, 0), COALESCE(dup.n, 0)
FROM ideas i LEFT JOIN v ON v.cid = i.id LEFT JOIN a ON a.cid = i.id
LEFT JOIN dup ON dup.cid = i.id
WHERE i.board_id = %(board)s AND i.merged_into IS NULL AND i.deleted_at IS NULL
"""

_STATUS = (
    "SELECT s.id, s.idea_id, i.number, i.title, s.old_status, s.new_status, s.note, s.at"
    " FROM status_changes s JOIN ideas i ON i.id = s.idea_id"
)


class Pages(PortBase, port.Pages):
    async def ranking(self, board_id: int, since: datetime) -> Ranking:
        rows = await self._run.all(_RANKED, {"board": board_id, "since": since})
        ranked = tuple(RankedRow(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5])) for r in rows)
        return Ranking(version=0, rows=ranked)

    async def duplicate_counts(self, board_id: int, ids: Sequence[int]) -> dict[int, int]:
        if not ids:
            return {}
        rows = await self._run.all(
            "SELECT canonical_id, COUNT(*) FROM ideas WHERE board_id = %s"
            " AND merged_into IS NOT NULL AND deleted_at IS NULL AND canonical_id = ANY(%s)"
            " GROUP BY canonical_id",
            [board_id, list(ids)],
        )
        return {r[0]: int(r[1]) for r in rows}

    async def duplicates(self, board_id: int, idea_id: int) -> list[tuple[int, str]]:
        rows = await self._run.all(
            "SELECT number, title FROM ideas WHERE board_id = %s AND canonical_id = %s"
            " AND id <> %s AND deleted_at IS NULL ORDER BY number",
            [board_id, idea_id, idea_id],
        )
        return [(r[0], r[1]) for r in rows]

    async def status_history(self, board_id: int, idea_id: int) -> list[StatusEvent]:
        rows = await self._run.all(
            f"{_STATUS} WHERE s.board_id = %s AND s.idea_id = %s ORDER BY s.at DESC, s.id DESC",
            [board_id, idea_id],
        )
        return [StatusEvent(*r) for r in rows]

    async def recent_status_changes(self, board_id: int, limit: int) -> list[StatusEvent]:
        rows = await self._run.all(
            f"{_STATUS} WHERE s.board_id = %s AND i.deleted_at IS NULL"
            " ORDER BY s.at DESC, s.id DESC LIMIT %s",
            [board_id, limit],
        )
        return [StatusEvent(*r) for r in rows]

    async def newest_ids(self, board_id: int, limit: int) -> list[int]:
        rows = await self._run.all(
            "SELECT id FROM ideas WHERE board_id = %s AND deleted_at IS NULL"
            " ORDER BY created_at DESC, number DESC LIMIT %s",
            [board_id, limit],
        )
        return [r[0] for r in rows]

    async def roadmap(self, board_id: int, statuses: Sequence[str]) -> list[tuple[int, datetime]]:
        rows = await self._run.all(
            "SELECT i.id, COALESCE((SELECT MAX(s.at) FROM status_changes s"
            " WHERE s.idea_id = i.id), i.updated_at) AS changed FROM ideas i"
            " WHERE i.board_id = %s AND i.merged_into IS NULL AND i.deleted_at IS NULL"
            " AND i.status = ANY(%s) ORDER BY changed DESC, i.number",
            [board_id, list(statuses)],
        )
        return [(r[0], r[1]) for r in rows]

    async def first_idea_at(self, board_id: int) -> datetime | None:
        row = await self._run.one(
            "SELECT MIN(created_at) FROM ideas WHERE board_id = %s", [board_id]
        )
        return None if row is None else row[0]

    async def last_change(self, board_id: int) -> datetime | None:
        row = await self._run.one(
            "SELECT MAX(t) FROM ("
            " SELECT MAX(updated_at) AS t FROM ideas WHERE board_id = %(b)s"
            " UNION ALL SELECT MAX(added_at) FROM reactions WHERE board_id = %(b)s"
            " UNION ALL SELECT MAX(removed_at) FROM reactions WHERE board_id = %(b)s"
            " UNION ALL SELECT MAX(added_at) FROM anonymous_votes WHERE board_id = %(b)s"
            " UNION ALL SELECT MAX(removed_at) FROM anonymous_votes WHERE board_id = %(b)s"
            " UNION ALL SELECT MAX(at) FROM status_changes WHERE board_id = %(b)s"
            " UNION ALL SELECT changed_at FROM web_access WHERE board_id = %(b)s) x",
            {"b": board_id},
        )
        return None if row is None else row[0]

    async def access(self, board_id: int) -> Access:
        row = await self._run.one(
            "SELECT public, key_sha256 FROM web_access WHERE board_id = %s", [board_id]
        )
        return (
            Access(public=False, key_sha256=None) if row is None else Access(bool(row[0]), row[1])
        )

    async def public_boards(self) -> list[tuple[int, str]]:
        rows = await self._run.all(
            "SELECT b.id, b.name FROM boards b JOIN web_access w ON w.board_id = b.id"
            " WHERE w.public ORDER BY b.name"
        )
        return [(r[0], r[1]) for r in rows]

    async def set_public(self, board_id: int, public: bool, at: datetime) -> None:
        await self._run.run(
            "INSERT INTO web_access (board_id, public, changed_at) VALUES (%s, %s, %s)"
            " ON CONFLICT (board_id) DO UPDATE SET public = excluded.public,"
            " changed_at = excluded.changed_at",
            [board_id, public, at],
        )

    async def set_key(self, board_id: int, key_sha256: str | None, at: datetime) -> None:
        await self._run.run(
            "INSERT INTO web_access (board_id, key_sha256, changed_at) VALUES (%s, %s, %s)"
            " ON CONFLICT (board_id) DO UPDATE SET key_sha256 = excluded.key_sha256,"
            " changed_at = excluded.changed_at",
            [board_id, key_sha256, at],
        )

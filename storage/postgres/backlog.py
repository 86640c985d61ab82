"""The store's ports on PostgreSQL for the backlog itself: boards, members, event ids,
ideas, suggestions and votes. Same semantics as SQLite's: votes derived from reaction
facts at read time, merges and unmerges that move nothing, numbers without gaps
(the board's row lock serialises them across processes)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from psycopg.types.json import Jsonb

from storage import port
from storage.board_merge import DROPPED_TABLES, MOVED_TABLES
from storage.postgres.runner import PortBase
from storage.rows import BoardRow


def _board(r: tuple[Any, ...] | None) -> BoardRow | None:
    return None if r is None else BoardRow(id=r[0], name=r[1], settings=dict(r[2]))


class Boards(PortBase, port.Boards):
    async def by_id(self, board_id: int) -> BoardRow | None:
        return _board(
            await self._run.one("SELECT id, name, settings FROM boards WHERE id = %s", [board_id])
        )

    async def by_name(self, name: str) -> BoardRow | None:
        return _board(
            await self._run.one("SELECT id, name, settings FROM boards WHERE name = %s", [name])
        )

    async def all(self) -> list[BoardRow]:
        rows = await self._run.all("SELECT id, name, settings FROM boards ORDER BY id")
        return [b for b in map(_board, rows) if b is not None]

    async def of_workspace(self, platform: str, workspace_id: str) -> BoardRow | None:
        return _board(
            await self._run.one(
                "SELECT b.id, b.name, b.settings FROM workspaces w"
                " JOIN boards b ON b.id = w.board_id"
                " WHERE w.platform = %s AND w.workspace_id = %s",
                [platform, workspace_id],
            )
        )

    async def ensure_for_workspace(
        self, platform: str, workspace_id: str, name: str, at: datetime
    ) -> BoardRow:
        async with self._run.conn() as conn:
            # Two processes meeting a new workspace at once: one makes the board.
            await conn.execute(
                "SELECT pg_advisory_xact_lock(hashtext(%s))",
                [f"workspace:{platform}:{workspace_id}"],
            )
            found = await self.of_workspace(platform, workspace_id)
            if found is not None:
                return found
            base, n = name, 1
            while await self._run.one("SELECT 1 FROM boards WHERE name = %s", [name]):
                n += 1
                name = f"{base}-{n}"
            row = await self._run.one(
                "INSERT INTO boards (name, created_at) VALUES (%s, %s) RETURNING id", [name, at]
            )
            assert row is not None
            await conn.execute(
                "INSERT INTO workspaces (platform, workspace_id, board_id, name)"
                " VALUES (%s, %s, %s, %s)",
                [platform, workspace_id, row[0], name],
            )
            return BoardRow(id=row[0], name=name, settings={})

    async def save_settings(self, board_id: int, settings: dict[str, Any]) -> None:
        await self._run.run(
            "UPDATE boards SET settings = %s WHERE id = %s",
            [Jsonb(settings), board_id],
        )

    async def idea_count(self, board_id: int) -> int:
        row = await self._run.one(
            "SELECT COUNT(*) FROM ideas WHERE board_id = %s AND deleted_at IS NULL", [board_id]
        )
        return int(row[0]) if row else 0

    async def move_workspace(self, platform: str, workspace_id: str, board_id: int) -> None:
        async with self._run.conn() as conn:
            for table in ("workspaces", "channels"):
                await conn.execute(
                    f"UPDATE {table} SET board_id = %s WHERE platform = %s AND workspace_id = %s",
                    [board_id, platform, workspace_id],
                )

    async def attach_workspace(
        self, platform: str, workspace_id: str, board_id: int, name: str | None
    ) -> None:
        await self._run.run(
            "INSERT INTO workspaces (platform, workspace_id, board_id, name)"
            " VALUES (%s, %s, %s, %s)",
            [platform, workspace_id, board_id, name],
        )

    async def create(self, name: str, at: datetime) -> BoardRow | None:
        row = await self._run.one(
            "INSERT INTO boards (name, created_at) VALUES (%s, %s)"
            " ON CONFLICT (name) DO NOTHING RETURNING id",
            [name, at],
        )
        return None if row is None else BoardRow(id=row[0], name=name, settings={})

    async def rename(self, board_id: int, name: str) -> bool:
        row = await self._run.one(
            "UPDATE boards SET name = %s WHERE id = %s"
            " AND NOT EXISTS (SELECT 1 FROM boards WHERE name = %s AND id <> %s) RETURNING id",
            [name, board_id, name, board_id],
        )
        return row is not None

    async def workspaces(self, board_id: int) -> list[tuple[str, str, str | None]]:
        rows = await self._run.all(
            "SELECT platform, workspace_id, name FROM workspaces WHERE board_id = %s"
            " ORDER BY platform, workspace_id",
            [board_id],
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def merge(self, source_id: int, into_id: int, at: datetime) -> list[tuple[int, int, int]]:
        async with self._run.conn() as conn:
            # Both boards' rows locked (in id order: two merges never wait on each other
            # in a circle): no idea is numbered on either while the numbers move.
            locked = await conn.execute(
                "SELECT id, next_number FROM boards WHERE id = ANY(%s) ORDER BY id FOR UPDATE",
                [[source_id, into_id]],
            )
            next_numbers = {r[0]: r[1] for r in await locked.fetchall()}
            top = await conn.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM ideas WHERE board_id = %s", [into_id]
            )
            highest = await top.fetchone()
            into_next = max(int(next_numbers[into_id]), int(highest[0] if highest else 1))
            cursor = await conn.execute(
                "UPDATE ideas SET board_id = %(into)s, number = %(next)s + m.rank - 1,"
                " updated_at = %(at)s"
                " FROM (SELECT id, number AS old, row_number() OVER (ORDER BY number) AS rank"
                " FROM ideas WHERE board_id = %(source)s) AS m"
                " WHERE ideas.id = m.id RETURNING ideas.id, m.old, ideas.number",
                {"into": into_id, "source": source_id, "next": into_next, "at": at},
            )
            renumbered = sorted(
                ((int(r[0]), int(r[1]), int(r[2])) for r in await cursor.fetchall()),
                key=lambda r: r[1],
            )
            await conn.execute(
                "UPDATE boards SET next_number = %s WHERE id = %s",
                [into_next + len(renumbered), into_id],
            )
            for table in MOVED_TABLES:
                await conn.execute(
                    f"UPDATE {table} SET board_id = %s WHERE board_id = %s", [into_id, source_id]
                )
            # As on SQLite: the target's record of a period posted under both stands.
            await conn.execute(
                "DELETE FROM digest_posts s WHERE s.board_id = %(source)s AND EXISTS"
                " (SELECT 1 FROM digest_posts d WHERE d.board_id = %(into)s"
                " AND d.platform = s.platform AND d.channel_id = s.channel_id"
                " AND d.period_start = s.period_start)",
                {"into": into_id, "source": source_id},
            )
            await conn.execute(
                "UPDATE digest_posts SET board_id = %s WHERE board_id = %s", [into_id, source_id]
            )
            for table in DROPPED_TABLES:
                await conn.execute(f"DELETE FROM {table} WHERE board_id = %s", [source_id])
            await conn.execute("DELETE FROM boards WHERE id = %s", [source_id])
        return renumbered


class Members(PortBase, port.Members):
    async def ensure(self, platform: str, user_id: str, name: str) -> int:
        key = (platform, user_id)
        cached = self._members.ids.get(key)
        if cached is not None and (cached[1] == name or not name):
            return cached[0]
        row = await self._run.one(
            "INSERT INTO members (platform, user_id, name) VALUES (%s, %s, %s)"
            " ON CONFLICT (platform, user_id) DO UPDATE SET name = CASE"
            " WHEN %s = '' THEN members.name ELSE excluded.name END"
            " RETURNING id",
            [platform, user_id, name or user_id, name],
        )
        assert row is not None
        member_id = int(row[0])
        self._run.after_commit(lambda: self._members.ids.__setitem__(key, (member_id, name)))
        return member_id

    async def ensure_many(self, platform: str, people: Sequence[tuple[str, str]]) -> dict[str, int]:
        await self._run.many(
            "INSERT INTO members (platform, user_id, name) VALUES (%s, %s, %s)"
            " ON CONFLICT (platform, user_id) DO NOTHING",
            [(platform, uid, name or uid) for uid, name in people],
        )
        await self._run.many(
            "UPDATE members SET name = %s WHERE platform = %s AND user_id = %s AND name <> %s",
            [(name, platform, uid, name) for uid, name in people if name],
        )
        rows = await self._run.all(
            "SELECT user_id, id FROM members WHERE platform = %s AND user_id = ANY(%s)",
            [platform, [p[0] for p in people]],
        )
        return {r[0]: r[1] for r in rows}

    async def names(self, ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
        if not ids:
            return {}
        rows = await self._run.all(
            "SELECT id, platform, user_id, name FROM members WHERE id = ANY(%s)", [list(ids)]
        )
        return {r[0]: (r[1], r[2], r[3]) for r in rows}


class Events(PortBase, port.Events):
    async def first_seen(self, platform: str, event_id: str, at: datetime) -> bool:
        changed = await self._run.run(
            "INSERT INTO processed_events (platform, event_id, seen_at) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            [platform, event_id, at],
        )
        return changed == 1


class Suggestions(PortBase, port.Suggestions):
    async def add(self, board_id: int, idea_id: int, candidates: list[tuple[int, float]]) -> None:
        await self._run.many(
            "INSERT INTO suggestions (board_id, idea_id, candidate_id, score)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [(board_id, idea_id, candidate, score) for candidate, score in candidates],
        )

    async def pending(self, board_id: int, idea_id: int) -> list[int]:
        rows = await self._run.all(
            "SELECT candidate_id FROM suggestions WHERE board_id = %s AND idea_id = %s"
            " AND state = 'pending' ORDER BY score DESC",
            [board_id, idea_id],
        )
        return [r[0] for r in rows]

    async def state(self, board_id: int, idea_id: int, candidate_id: int) -> str | None:
        row = await self._run.one(
            "SELECT state FROM suggestions"
            " WHERE board_id = %s AND idea_id = %s AND candidate_id = %s",
            [board_id, idea_id, candidate_id],
        )
        return None if row is None else str(row[0])

    async def decide(
        self,
        board_id: int,
        idea_id: int,
        candidate_id: int | None,
        state: str,
        actor_id: int | None,
        at: datetime,
    ) -> None:
        await self._run.run(
            "UPDATE suggestions SET state = %s, decided_by = %s, decided_at = %s"
            " WHERE board_id = %s AND idea_id = %s AND state = 'pending'"
            " AND (%s::bigint IS NULL OR candidate_id = %s)",
            [state, actor_id, at, board_id, idea_id, candidate_id, candidate_id],
        )

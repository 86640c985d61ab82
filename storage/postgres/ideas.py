"""Ideas on PostgreSQL: reading them with their votes (derived from the reaction facts
at read time), storing, numbering (the board's row lock serialises numbers across
processes, without gaps), merging and unmerging (nothing moves), and their vectors."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from storage import port
from storage.postgres.runner import PortBase
from storage.rows import CandidateRow, IdeaRow, MemberRow, MessageTarget, NewIdea

SPARE_ROWS = 1024

_NAMED = """(SELECT COUNT(DISTINCT r.member_id) FROM ideas d JOIN reactions r
    ON r.board_id = d.board_id AND r.idea_id = d.id
    WHERE d.board_id = i.board_id AND d.canonical_id = i.id AND r.removed_at IS NULL)"""
_ANONYMOUS = """(SELECT COALESCE(SUM(a.count), 0) FROM ideas d JOIN anonymous_votes a
    ON a.board_id = d.board_id AND a.idea_id = d.id
    WHERE d.board_id = i.board_id AND d.canonical_id = i.id AND a.removed_at IS NULL)"""
IDEA_SELECT = f"""
    SELECT i.id, i.board_id, i.number, i.title, i.body,
        m.id, m.platform, m.user_id, m.name,
        i.platform, i.channel_id, i.message_id, i.permalink, i.status, i.status_note,
        i.merged_into, p.number, i.canonical_id, i.created_at, i.updated_at, i.deleted_at,
        CASE WHEN i.merged_into IS NULL THEN {_NAMED} ELSE 0 END,
        CASE WHEN i.merged_into IS NULL THEN {_ANONYMOUS} ELSE 0 END
    FROM ideas i
    JOIN members m ON m.id = i.author_id
    LEFT JOIN ideas p ON p.id = i.merged_into
"""


def idea_row(r: tuple[Any, ...]) -> IdeaRow:
    named, anonymous = int(r[21]), int(r[22])
    return IdeaRow(
        id=r[0],
        board_id=r[1],
        number=r[2],
        title=r[3],
        body=r[4],
        author=MemberRow(id=r[5], platform=r[6], user_id=r[7], name=r[8]),
        platform=r[9],
        channel_id=r[10],
        message_id=r[11],
        permalink=r[12],
        status=r[13],
        status_note=r[14],
        merged_into=r[15],
        merged_into_number=r[16],
        canonical_id=r[17],
        created_at=r[18],
        updated_at=r[19],
        deleted_at=r[20],
        votes=named + anonymous,
        anonymous_votes=anonymous,
    )


class Ideas(PortBase, port.Ideas):
    async def by_number(self, board_id: int, number: int) -> IdeaRow | None:
        r = await self._run.one(
            f"{IDEA_SELECT} WHERE i.board_id = %s AND i.number = %s", [board_id, number]
        )
        return None if r is None else idea_row(r)

    async def by_id(self, board_id: int, idea_id: int) -> IdeaRow | None:
        r = await self._run.one(
            f"{IDEA_SELECT} WHERE i.board_id = %s AND i.id = %s", [board_id, idea_id]
        )
        return None if r is None else idea_row(r)

    async def by_ids(self, board_id: int, ids: Sequence[int]) -> dict[int, IdeaRow]:
        if not ids:
            return {}
        rows = await self._run.all(
            f"{IDEA_SELECT} WHERE i.board_id = %s AND i.id = ANY(%s)", [board_id, list(ids)]
        )
        return {r[0]: idea_row(r) for r in rows}

    async def listing(self, board_id: int, *, include_deleted: bool) -> list[IdeaRow]:
        live = "" if include_deleted else " AND i.deleted_at IS NULL"
        rows = await self._run.all(
            f"{IDEA_SELECT} WHERE i.board_id = %s{live} ORDER BY i.number", [board_id]
        )
        return [idea_row(r) for r in rows]

    async def top_ids(self, board_id: int, limit: int, statuses: list[str] | None) -> list[int]:
        where, params = "", list[Any]([board_id, board_id, board_id])
        if statuses is not None:
            where = " AND i.status = ANY(%s)"
            params.append(statuses)
        rows = await self._run.all(
            "SELECT i.id FROM ideas i LEFT JOIN ("
            "  SELECT d.canonical_id AS cid, COUNT(DISTINCT r.member_id) AS votes"
            "  FROM reactions r JOIN ideas d ON d.id = r.idea_id"
            "  WHERE r.board_id = %s AND r.removed_at IS NULL GROUP BY d.canonical_id"
            ") s ON s.cid = i.id LEFT JOIN ("
            "  SELECT d.canonical_id AS cid, SUM(a.count) AS votes"
            "  FROM anonymous_votes a JOIN ideas d ON d.id = a.idea_id"
            "  WHERE a.board_id = %s AND a.removed_at IS NULL GROUP BY d.canonical_id"
            ") x ON x.cid = i.id"
            " WHERE i.board_id = %s AND i.merged_into IS NULL AND i.deleted_at IS NULL"
            + where
            + " ORDER BY COALESCE(s.votes, 0) + COALESCE(x.votes, 0) DESC, i.number LIMIT %s",
            [*params, limit],
        )
        return [r[0] for r in rows]

    async def insert(self, idea: NewIdea) -> tuple[int, int]:
        async with self._run.conn() as conn:
            cursor = await conn.execute(
                "UPDATE boards SET next_number = next_number + 1 WHERE id = %s"
                " RETURNING next_number - 1",
                [idea.board_id],
            )
            numbered = await cursor.fetchone()
            assert numbered is not None, f"no board {idea.board_id}"
            number = int(numbered[0])
            cursor = await conn.execute(
                "INSERT INTO ideas (board_id, number, title, body, author_id, platform,"
                " channel_id, message_id, permalink, embedding, created_at, updated_at,"
                " canonical_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, 0)"
                " RETURNING id",
                [
                    idea.board_id,
                    number,
                    idea.title,
                    idea.body,
                    idea.author_id,
                    idea.platform,
                    idea.channel_id,
                    idea.message_id,
                    idea.permalink,
                    idea.embedding,
                    idea.created_at,
                    idea.created_at,
                ],
            )
            inserted = await cursor.fetchone()
            assert inserted is not None
            idea_id = int(inserted[0])
            await conn.execute("UPDATE ideas SET canonical_id = id WHERE id = %s", [idea_id])
            if idea.channel_id is not None and idea.message_id is not None:
                await self.link_message(
                    idea.board_id,
                    idea_id,
                    idea.platform,
                    idea.channel_id,
                    idea.message_id,
                    "source",
                )
        return idea_id, number

    async def link_message(
        self,
        board_id: int,
        idea_id: int,
        platform: str,
        channel_id: str,
        message_id: str,
        kind: str,
    ) -> bool:
        changed = await self._run.run(
            "INSERT INTO messages (board_id, idea_id, platform, channel_id, message_id, kind)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [board_id, idea_id, platform, channel_id, message_id, kind],
        )
        return changed == 1

    async def message_target(
        self, platform: str, channel_id: str, message_id: str
    ) -> MessageTarget | None:
        r = await self._run.one(
            "SELECT board_id, idea_id, id FROM messages"
            " WHERE platform = %s AND channel_id = %s AND message_id = %s",
            [platform, channel_id, message_id],
        )
        return None if r is None else MessageTarget(board_id=r[0], idea_id=r[1], message_row=r[2])

    async def messages_of(self, board_id: int, idea_id: int) -> list[tuple[str, str, str, str]]:
        rows = await self._run.all(
            "SELECT platform, channel_id, message_id, kind FROM messages"
            " WHERE board_id = %s AND idea_id = %s ORDER BY id",
            [board_id, idea_id],
        )
        return [(r[0], r[1], r[2], r[3]) for r in rows]

    async def update_text(
        self, board_id: int, idea_id: int, title: str, body: str, embedding: bytes, at: datetime
    ) -> None:
        await self._run.run(
            "UPDATE ideas SET title = %s, body = %s, embedding = %s, updated_at = %s"
            " WHERE board_id = %s AND id = %s",
            [title, body, embedding, at, board_id, idea_id],
        )

    async def set_status(
        self,
        board_id: int,
        idea_id: int,
        old: str,
        new: str,
        note: str | None,
        actor_id: int | None,
        at: datetime,
    ) -> None:
        async with self._run.conn() as conn:
            await conn.execute(
                "UPDATE ideas SET status = %s, status_note = %s, updated_at = %s"
                " WHERE board_id = %s AND id = %s",
                [new, note, at, board_id, idea_id],
            )
            await conn.execute(
                "INSERT INTO status_changes"
                " (board_id, idea_id, old_status, new_status, note, actor_id, at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [board_id, idea_id, old, new, note, actor_id, at],
            )

    async def _subtree(self, board_id: int, idea_id: int) -> list[int]:
        rows = await self._run.all(
            "WITH RECURSIVE t(id) AS (SELECT %s::bigint UNION SELECT i.id FROM ideas i"
            " JOIN t ON i.merged_into = t.id WHERE i.board_id = %s) SELECT id FROM t",
            [idea_id, board_id],
        )
        return [r[0] for r in rows]

    async def merge(
        self,
        board_id: int,
        idea_id: int,
        into_id: int,
        into_canonical: int,
        score: float | None,
        automatic: bool,
        actor_id: int | None,
        at: datetime,
    ) -> None:
        async with self._run.conn() as conn:
            members = await self._subtree(board_id, idea_id)
            await conn.execute(
                "UPDATE ideas SET merged_into = %s, updated_at = %s"
                " WHERE board_id = %s AND id = %s",
                [into_id, at, board_id, idea_id],
            )
            await conn.execute(
                "UPDATE ideas SET canonical_id = %s WHERE board_id = %s AND id = ANY(%s)",
                [into_canonical, board_id, members],
            )
            await conn.execute(
                "INSERT INTO merges (board_id, idea_id, into_id, score, automatic, actor_id, at)"
                " VALUES (%s, %s, %s, %s, %s, %s, %s)",
                [board_id, idea_id, into_id, score, automatic, actor_id, at],
            )

    async def unmerge(self, board_id: int, idea_id: int, at: datetime) -> None:
        async with self._run.conn() as conn:
            await conn.execute(
                "UPDATE merges SET undone_at = %s"
                " WHERE board_id = %s AND idea_id = %s AND undone_at IS NULL",
                [at, board_id, idea_id],
            )
            await conn.execute(
                "UPDATE ideas SET merged_into = NULL, updated_at = %s"
                " WHERE board_id = %s AND id = %s",
                [at, board_id, idea_id],
            )
            members = await self._subtree(board_id, idea_id)
            await conn.execute(
                "UPDATE ideas SET canonical_id = %s WHERE board_id = %s AND id = ANY(%s)",
                [idea_id, board_id, members],
            )

    async def mark_deleted(self, board_id: int, idea_id: int, at: datetime) -> list[int]:
        async with self._run.conn() as conn:
            await conn.execute(
                "UPDATE ideas SET deleted_at = %s, updated_at = %s WHERE board_id = %s AND id = %s",
                [at, at, board_id, idea_id],
            )
            rows = await self._run.all(
                "SELECT id FROM ideas WHERE board_id = %s AND merged_into = %s"
                " AND deleted_at IS NULL ORDER BY id",
                [board_id, idea_id],
            )
            children = [r[0] for r in rows]
            for child in children:
                await self.unmerge(board_id, child, at)
        return children

    async def canonical_vectors(
        self, board_id: int, dim: int, from_number: int = 1
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        rows = await self.canonical_embeddings(board_id, from_number)
        keys = np.fromiter((key for key, _ in rows), dtype=np.int64, count=len(rows))
        # Spare rows after the last, so the first ideas added need no new matrix.
        matrix = np.empty((len(rows) + SPARE_ROWS, dim), dtype=np.float32)
        if rows:
            block = np.frombuffer(b"".join(blob for _, blob in rows), dtype=np.float32)
            matrix[: len(rows)] = block.reshape(len(rows), dim)
        return keys, matrix

    async def canonical_embeddings(
        self, board_id: int, from_number: int = 1
    ) -> list[tuple[int, bytes]]:
        rows = await self._run.all(
            "SELECT id, embedding FROM ideas WHERE board_id = %s AND number >= %s"
            " AND merged_into IS NULL AND deleted_at IS NULL AND embedding IS NOT NULL"
            " ORDER BY id",
            [board_id, from_number],
        )
        return [(r[0], bytes(r[1])) for r in rows]

    async def next_number(self, board_id: int) -> int:
        row = await self._run.one("SELECT next_number FROM boards WHERE id = %s", [board_id])
        return int(row[0]) if row is not None else 1

    async def candidates(self, board_id: int, idea_ids: Sequence[int]) -> dict[int, CandidateRow]:
        if not idea_ids:
            return {}
        rows = await self._run.all(
            "SELECT i.id, i.body, m.platform, m.user_id, i.created_at FROM ideas i"
            " JOIN members m ON m.id = i.author_id"
            " WHERE i.board_id = %s AND i.deleted_at IS NULL AND i.id = ANY(%s)",
            [board_id, list(idea_ids)],
        )
        return {r[0]: CandidateRow(r[1], r[2], r[3], r[4]) for r in rows}

    async def bodies(self, board_id: int, start: int, stop: int) -> list[str]:
        rows = await self._run.all(
            "SELECT body FROM ideas WHERE board_id = %s AND number >= %s AND number < %s",
            [board_id, start, stop],
        )
        return [r[0] for r in rows]

    async def index_version(self, board_id: int) -> tuple[int, int]:
        row = await self._run.one(
            "SELECT (SELECT next_number FROM boards WHERE id = %(b)s), COALESCE((SELECT id"
            " FROM moderation_log WHERE board_id = %(b)s AND action = ANY(%(actions)s)"
            " ORDER BY at DESC, id DESC LIMIT 1), 0)",
            {"b": board_id, "actions": ["merge", "unmerge", "delete", "import", "board merge"]},
        )
        return (int(row[0] or 1), int(row[1])) if row else (1, 0)

    async def embedding_of(self, board_id: int, idea_id: int) -> bytes | None:
        row = await self._run.one(
            "SELECT embedding FROM ideas WHERE board_id = %s AND id = %s", [board_id, idea_id]
        )
        return None if row is None or row[0] is None else bytes(row[0])

    async def voters(self, board_id: int, canonical_id: int) -> list[MemberRow]:
        rows = await self._run.all(
            "SELECT DISTINCT m.id, m.platform, m.user_id, m.name FROM ideas d"
            " JOIN reactions r ON r.board_id = d.board_id AND r.idea_id = d.id"
            " JOIN members m ON m.id = r.member_id"
            " WHERE d.board_id = %s AND d.canonical_id = %s AND r.removed_at IS NULL"
            " ORDER BY m.id",
            [board_id, canonical_id],
        )
        return [MemberRow(*r) for r in rows]

"""What happened on a board in a period (the digest's raw material) on PostgreSQL, and
the bulk writes of an import. The same questions as ``storage.activity`` and
``storage.imports`` ask of SQLite, in PostgreSQL's SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage import port
from storage.postgres.runner import PortBase
from storage.rows import (
    ExistingMessage,
    IdeaInsert,
    MergeRow,
    PeriodVotes,
    StatusChangeRow,
    StoredAnonymous,
    StoredReaction,
)

# A vote is on at a time t when added_at <= t and (removed_at IS NULL or removed_at > t).
_ON_AT_END = "(removed_at IS NULL OR removed_at > %(end)s)"


class Activity(PortBase, port.Activity):
    async def merged_ideas(self, board_id: int) -> dict[int, int]:
        rows = await self._run.all(
            "SELECT id, canonical_id FROM ideas WHERE board_id = %s AND canonical_id <> id",
            [board_id],
        )
        return {r[0]: r[1] for r in rows}

    async def _vote_gains(
        self, board_id: int, start: datetime, end: datetime
    ) -> list[tuple[int, int, int]]:
        rows = await self._run.all(
            "SELECT x.idea_id, i.author_id, SUM(x.n) FROM ("
            "  SELECT idea_id, COUNT(*) AS n FROM reactions WHERE board_id = %(board)s"
            f"  AND added_at > %(start)s AND added_at <= %(end)s AND {_ON_AT_END}"
            "  GROUP BY idea_id"
            "  UNION ALL"
            "  SELECT idea_id, SUM(count) FROM anonymous_votes WHERE board_id = %(board)s"
            f"  AND added_at > %(start)s AND added_at <= %(end)s AND {_ON_AT_END}"
            "  GROUP BY idea_id"
            ") x JOIN ideas i ON i.id = x.idea_id GROUP BY x.idea_id, i.author_id",
            {"board": board_id, "start": start, "end": end},
        )
        return [(r[0], r[1], int(r[2])) for r in rows]

    async def period_votes(
        self, board_id: int, start: datetime, end: datetime, since: datetime, half_life_h: float
    ) -> PeriodVotes:
        async with self._run.conn():  # one snapshot for all four
            gains = await self._vote_gains(board_id, start, end)
            weights = await self._trend_weights(board_id, since, end, half_life_h)
            own = await self.self_votes(board_id, start, end)
            cast = await self.votes_cast(board_id, start, end)
        return PeriodVotes(
            gains=[g for g in gains if g[2] > 0], weights=weights, own=own, cast=cast
        )

    async def vote_losses(self, board_id: int, start: datetime, end: datetime) -> dict[int, int]:
        rows = await self._run.all(
            "SELECT idea_id, COUNT(*) FROM reactions WHERE board_id = %s"
            " AND removed_at IS NOT NULL AND removed_at > %s AND removed_at <= %s"
            " AND added_at <= %s GROUP BY idea_id",
            [board_id, start, end, start],
        )
        return {r[0]: int(r[1]) for r in rows}

    async def self_votes(self, board_id: int, start: datetime, end: datetime) -> dict[int, int]:
        rows = await self._run.all(
            "SELECT i.author_id, COUNT(*) FROM ideas i JOIN reactions r"
            " ON r.board_id = i.board_id AND r.idea_id = i.id AND r.member_id = i.author_id"
            " WHERE i.board_id = %(board)s AND r.added_at > %(start)s AND r.added_at <= %(end)s"
            " AND (r.removed_at IS NULL OR r.removed_at > %(end)s) GROUP BY i.author_id",
            {"board": board_id, "start": start, "end": end},
        )
        return {r[0]: int(r[1]) for r in rows}

    async def exact_gains(
        self, board_id: int, canonicals: list[int], start: datetime, end: datetime
    ) -> dict[int, int]:
        if not canonicals:
            return {}
        on_end = "(added_at <= %(end)s AND (removed_at IS NULL OR removed_at > %(end)s))"
        on_start = "(added_at <= %(start)s AND (removed_at IS NULL OR removed_at > %(start)s))"
        a_end = "(a.added_at <= %(end)s AND (a.removed_at IS NULL OR a.removed_at > %(end)s))"
        a_start = "(a.added_at <= %(start)s AND (a.removed_at IS NULL OR a.removed_at > %(start)s))"
        rows = await self._run.all(
            f"""
            SELECT c, SUM(g) FROM (
                SELECT c, SUM(e) - SUM(s) AS g FROM (
                    SELECT d.canonical_id AS c,
                        MAX({on_end}::int) AS e, MAX({on_start}::int) AS s
                    FROM ideas d JOIN reactions r ON r.board_id = d.board_id AND r.idea_id = d.id
                    WHERE d.board_id = %(board)s AND d.canonical_id = ANY(%(ids)s)
                    AND r.added_at <= %(end)s
                    GROUP BY d.canonical_id, r.member_id
                ) people GROUP BY c
                UNION ALL
                SELECT d.canonical_id AS c,
                    SUM(a.count * ({a_end}::int - {a_start}::int)) AS g
                FROM ideas d JOIN anonymous_votes a ON a.board_id = d.board_id AND a.idea_id = d.id
                WHERE d.board_id = %(board)s AND d.canonical_id = ANY(%(ids)s)
                AND a.added_at <= %(end)s
                GROUP BY d.canonical_id
            ) g GROUP BY c
            """,
            {"board": board_id, "ids": list(canonicals), "start": start, "end": end},
        )
        return {r[0]: int(r[1]) for r in rows}

    async def _trend_weights(
        self, board_id: int, since: datetime, end: datetime, half_life_h: float
    ) -> dict[int, float]:
        weight = (
            "exp(-0.6931471805599453 * EXTRACT(EPOCH FROM (%(end)s - added_at)) / 3600.0"
            " / %(half)s)"
        )
        within = (
            " WHERE board_id = %(board)s AND added_at >= %(since)s AND added_at < %(end)s"
            " AND (removed_at IS NULL OR removed_at >= %(end)s) GROUP BY idea_id"
        )
        rows = await self._run.all(
            f"SELECT idea_id, SUM(w) FROM ("
            f" SELECT idea_id, SUM({weight}) AS w FROM reactions{within}"
            " UNION ALL"
            f" SELECT idea_id, SUM(count * {weight}) AS w FROM anonymous_votes{within}"
            ") x GROUP BY idea_id",
            {"board": board_id, "since": since, "end": end, "half": half_life_h},
        )
        return {r[0]: float(r[1]) for r in rows}

    async def votes_cast(self, board_id: int, start: datetime, end: datetime) -> int:
        row = await self._run.one(
            "SELECT (SELECT COUNT(*) FROM reactions WHERE board_id = %(board)s"
            f" AND added_at > %(start)s AND added_at <= %(end)s AND {_ON_AT_END})"
            " + (SELECT COALESCE(SUM(count), 0) FROM anonymous_votes WHERE board_id = %(board)s"
            f" AND added_at > %(start)s AND added_at <= %(end)s AND {_ON_AT_END})",
            {"board": board_id, "start": start, "end": end},
        )
        return int(row[0]) if row else 0

    async def created_between(
        self, board_id: int, start: datetime, end: datetime
    ) -> list[tuple[int, int, bool]]:
        rows = await self._run.all(
            "SELECT id, author_id, merged_into IS NOT NULL FROM ideas WHERE board_id = %s"
            " AND created_at >= %s AND created_at < %s AND deleted_at IS NULL ORDER BY id",
            [board_id, start, end],
        )
        return [(r[0], r[1], bool(r[2])) for r in rows]

    async def status_changes(
        self, board_id: int, start: datetime, end: datetime
    ) -> list[StatusChangeRow]:
        rows = await self._run.all(
            "SELECT s.idea_id, s.old_status, s.new_status, s.note, s.at, m.name"
            " FROM status_changes s LEFT JOIN members m ON m.id = s.actor_id"
            " WHERE s.board_id = %s AND s.at >= %s AND s.at < %s ORDER BY s.at, s.id",
            [board_id, start, end],
        )
        return [StatusChangeRow(*r) for r in rows]

    async def merges(self, board_id: int, start: datetime, end: datetime) -> list[MergeRow]:
        rows = await self._run.all(
            "SELECT g.idea_id, g.into_id, g.automatic, g.score, g.at, m.name FROM merges g"
            " LEFT JOIN members m ON m.id = g.actor_id WHERE g.board_id = %s AND g.at >= %s"
            " AND g.at < %s AND g.undone_at IS NULL ORDER BY g.at, g.id",
            [board_id, start, end],
        )
        return [MergeRow(r[0], r[1], bool(r[2]), r[3], r[4], r[5]) for r in rows]

    async def open_ideas(self, board_id: int, at: datetime) -> int:
        row = await self._run.one(
            "SELECT COUNT(*) FROM ideas WHERE board_id = %s AND created_at <= %s"
            " AND deleted_at IS NULL AND merged_into IS NULL",
            [board_id, at],
        )
        return int(row[0]) if row else 0


class Imports(PortBase, port.Imports):
    async def existing_messages(
        self, platform: str, channel_ids: Sequence[str]
    ) -> dict[tuple[str, str], ExistingMessage]:
        rows = await self._run.all(
            "SELECT channel_id, message_id, board_id, idea_id, id FROM messages"
            " WHERE platform = %s AND channel_id = ANY(%s)",
            [platform, sorted(set(channel_ids))],
        )
        return {(r[0], r[1]): ExistingMessage(r[2], r[3], r[4]) for r in rows}

    async def reactions_on(
        self, board_id: int, message_rows: Sequence[int]
    ) -> list[StoredReaction]:
        rows = await self._run.all(
            "SELECT r.id, r.message_id, r.emoji, m.user_id, false, r.removed_at IS NULL"
            " FROM reactions r JOIN members m ON m.id = r.member_id"
            " WHERE r.board_id = %s AND r.message_id = ANY(%s) ORDER BY r.id",
            [board_id, list(message_rows)],
        )
        return [StoredReaction(*r) for r in rows]

    async def anonymous_on(
        self, board_id: int, message_rows: Sequence[int]
    ) -> list[StoredAnonymous]:
        rows = await self._run.all(
            "SELECT id, message_id, emoji, count FROM anonymous_votes WHERE board_id = %s"
            " AND removed_at IS NULL AND message_id = ANY(%s) ORDER BY id",
            [board_id, list(message_rows)],
        )
        return [StoredAnonymous(r[0], r[1], r[2], int(r[3])) for r in rows]

    async def reserve(self, board_id: int, count: int) -> tuple[int, int, int]:
        async with self._run.conn() as conn:
            # No other insert into these tables until this transaction ends, so the
            # ranges of ids taken here stay this import's.
            await conn.execute("LOCK TABLE ideas, messages IN SHARE ROW EXCLUSIVE MODE")
            firsts = []
            for table in ("ideas", "messages"):
                row = await self._run.one(
                    f"SELECT GREATEST(nextval(pg_get_serial_sequence('{table}', 'id')),"
                    f" (SELECT COALESCE(MAX(id), 0) + 1 FROM {table}))"
                )
                first = int(row[0]) if row else 1
                await conn.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, 'id'), %s)",
                    [table, first + max(count, 1) - 1],
                )
                firsts.append(first)
            row = await self._run.one(
                "UPDATE boards SET next_number = next_number + %s WHERE id = %s"
                " RETURNING next_number - %s",
                [count, board_id, count],
            )
            assert row is not None
        return firsts[0], firsts[1], int(row[0])

    async def insert_ideas(
        self, board_id: int, ideas: Sequence[IdeaInsert], first_row: int
    ) -> None:
        await self._run.many(
            "INSERT INTO ideas (id, board_id, number, title, body, author_id, platform,"
            " channel_id, message_id, permalink, embedding, created_at, updated_at, merged_into,"
            " canonical_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                (
                    i.id,
                    board_id,
                    i.number,
                    i.title,
                    i.body,
                    i.author_id,
                    i.platform,
                    i.channel_id,
                    i.message_id,
                    i.permalink,
                    i.embedding,
                    i.created_at,
                    i.updated_at,
                    i.merged_into,
                    i.canonical_id,
                )
                for i in ideas
            ],
        )
        await self._run.many(
            "INSERT INTO messages (id, board_id, idea_id, platform, channel_id, message_id, kind)"
            " VALUES (%s, %s, %s, %s, %s, %s, 'source')",
            [
                (first_row + n, board_id, i.id, i.platform, i.channel_id, i.message_id)
                for n, i in enumerate(ideas)
            ],
        )

    async def insert_merges(
        self, board_id: int, merges: Sequence[tuple[int, int, float, datetime]]
    ) -> None:
        await self._run.many(
            "INSERT INTO merges (board_id, idea_id, into_id, score, automatic, actor_id, at)"
            " VALUES (%s, %s, %s, %s, true, NULL, %s)",
            [(board_id, *m) for m in merges],
        )

    async def insert_suggestions(
        self, board_id: int, suggestions: Sequence[tuple[int, int, float]]
    ) -> None:
        await self._run.many(
            "INSERT INTO suggestions (board_id, idea_id, candidate_id, score)"
            " VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [(board_id, *s) for s in suggestions],
        )

    async def insert_reactions(
        self,
        board_id: int,
        rows: Sequence[tuple[int, int, int, str, datetime]],
        *,
        unless_withdrawn: bool,
    ) -> int:
        if unless_withdrawn:
            sql = (
                "INSERT INTO reactions (board_id, idea_id, message_id, member_id, emoji, added_at)"
                " SELECT %(b)s, %(i)s, %(m)s, %(p)s, %(e)s, %(a)s WHERE NOT EXISTS ("
                " SELECT 1 FROM reactions WHERE board_id = %(b)s AND idea_id = %(i)s"
                " AND member_id = %(p)s AND message_id = %(m)s AND emoji = %(e)s)"
                " ON CONFLICT DO NOTHING"
            )
        else:
            sql = (
                "INSERT INTO reactions (board_id, idea_id, message_id, member_id, emoji, added_at)"
                " VALUES (%(b)s, %(i)s, %(m)s, %(p)s, %(e)s, %(a)s) ON CONFLICT DO NOTHING"
            )
        return await self._run.many(
            sql,
            [{"b": board_id, "i": i, "m": m, "p": p, "e": e, "a": a} for i, m, p, e, a in rows],
        )

    async def set_anonymous(
        self,
        board_id: int,
        ended: Sequence[int],
        rows: Sequence[tuple[int, int, str, int, datetime]],
    ) -> None:
        if ended:
            await self._run.run(
                "UPDATE anonymous_votes SET removed_at = added_at"
                " WHERE id = ANY(%s) AND removed_at IS NULL",
                [list(ended)],
            )
        await self._run.many(
            "INSERT INTO anonymous_votes (board_id, idea_id, message_id, emoji, count, added_at)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            [(board_id, *row) for row in rows if row[3] > 0],
        )

"""What happened on a board in a period: the raw material of the digest.

Built to stay fast at a million reaction facts: vote changes come from one pass
over the covering index ``reactions_votes`` (grouped in index order, no sort, no
join), period counts from range scans of ``reactions_added``, and whole ideas are
read only for the few the digest shows.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from storage.ideas import ideas_where
from storage.rows import IdeaRow

# Per (idea, member): on at the period's end (e), on at its start (s), cast in it and kept (n).
_PAIR_STATE = """
    MAX(added_at <= :end AND (removed_at IS NULL OR removed_at > :end)) AS e,
    MAX(added_at <= :start AND (removed_at IS NULL OR removed_at > :start)) AS s,
    MAX(added_at >= :start AND added_at < :end AND (removed_at IS NULL OR removed_at >= :end))
        AS n
"""


def vote_changes(db: Database, board_id: int, start: str, end: str) -> list[tuple[int, int, int]]:
    """(idea_id, votes gained, votes cast and kept) of each idea whose votes moved in the period.

    Per idea, not yet per canonical idea: see ``group_gains`` for merged ideas.
    """
    rows = db.execute(
        f"""
        SELECT idea_id, SUM(e) - SUM(s), SUM(n) FROM (
            SELECT idea_id, {_PAIR_STATE} FROM reactions INDEXED BY reactions_votes
            WHERE board_id = :board AND added_at < :end
            GROUP BY idea_id, member_id
        ) GROUP BY idea_id HAVING SUM(e) != SUM(s) OR SUM(n) > 0
        """,
        {"board": board_id, "start": start, "end": end},
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def merged_ideas(db: Database, board_id: int) -> dict[int, int]:
    """idea id -> canonical id of every idea merged into another."""
    rows = db.execute(
        "SELECT id, canonical_id FROM ideas WHERE board_id = ? AND canonical_id != id",
        [board_id],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def group_gains(
    db: Database, board_id: int, canonicals: list[int], start: str, end: str
) -> dict[int, int]:
    """Votes gained by canonical ideas counted with their merged ideas, each person once."""
    if not canonicals:
        return {}
    params: dict[str, Any] = {"board": board_id, "start": start, "end": end}
    params.update({f"c{i}": c for i, c in enumerate(canonicals)})
    marks = ", ".join(f":c{i}" for i in range(len(canonicals)))
    rows = db.execute(
        f"""
        SELECT c, SUM(e) - SUM(s) FROM (
            SELECT d.canonical_id AS c, {_PAIR_STATE}
            FROM ideas d CROSS JOIN reactions r INDEXED BY reactions_votes
            WHERE d.board_id = :board AND d.canonical_id IN ({marks})
            AND r.board_id = :board AND r.idea_id = d.id AND r.added_at < :end
            GROUP BY d.canonical_id, r.member_id
        ) GROUP BY c
        """,
        params,
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def recent_votes(db: Database, board_id: int, since: str, end: str) -> list[tuple[int, str]]:
    """(idea_id, added_at) of votes cast in [since, end) and still on at ``end``."""
    rows = db.execute(
        "SELECT idea_id, added_at FROM reactions INDEXED BY reactions_added"
        " WHERE board_id = ? AND added_at >= ? AND added_at < ?"
        " AND (removed_at IS NULL OR removed_at >= ?)",
        [board_id, since, end, end],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def votes_cast(db: Database, board_id: int, start: str, end: str) -> int:
    """Votes cast in [start, end) and not taken back by its end, a person once per idea."""
    return int(
        db.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT idea_id, member_id"
            " FROM reactions INDEXED BY reactions_added"
            " WHERE board_id = ? AND added_at >= ? AND added_at < ?"
            " AND (removed_at IS NULL OR removed_at >= ?))",
            [board_id, start, end, end],
        ).fetchone()[0]
    )


def votes_received(db: Database, board_id: int, start: str, end: str) -> dict[int, int]:
    """Per author (member id): votes from others cast in the period on their ideas, still on."""
    rows = db.execute(
        "SELECT i.author_id, COUNT(*) FROM reactions r INDEXED BY reactions_added"
        " JOIN ideas i ON i.id = r.idea_id"
        " WHERE r.board_id = ? AND r.added_at >= ? AND r.added_at < ?"
        " AND (r.removed_at IS NULL OR r.removed_at >= ?) AND r.member_id != i.author_id"
        " GROUP BY i.author_id",
        [board_id, start, end, end],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def created_between(
    db: Database, board_id: int, start: str, end: str
) -> list[tuple[int, int, bool]]:
    """(id, author member id, merged?) of ideas posted in [start, end) that are still up."""
    rows = db.execute(
        "SELECT id, author_id, merged_into IS NOT NULL FROM ideas"
        " WHERE board_id = ? AND created_at >= ? AND created_at < ? AND deleted_at IS NULL",
        [board_id, start, end],
    ).fetchall()
    return [(r[0], r[1], bool(r[2])) for r in rows]


def ideas_by_ids(db: Database, board_id: int, ids: list[int]) -> dict[int, IdeaRow]:
    if not ids:
        return {}
    rows = ideas_where(db, board_id, f"i.id IN ({', '.join('?' for _ in ids)})", list(ids))
    return {r.id: r for r in rows}


def status_changes(db: Database, board_id: int, start: str, end: str) -> list[dict[str, Any]]:
    rows = db.execute(
        "SELECT s.idea_id, s.old_status, s.new_status, s.note, s.at, m.name FROM status_changes s"
        " LEFT JOIN members m ON m.id = s.actor_id"
        " WHERE s.board_id = ? AND s.at >= ? AND s.at < ? ORDER BY s.at",
        [board_id, start, end],
    ).fetchall()
    return [
        {"idea_id": r[0], "old": r[1], "new": r[2], "note": r[3], "at": r[4], "actor": r[5]}
        for r in rows
    ]


def merges(db: Database, board_id: int, start: str, end: str) -> list[dict[str, Any]]:
    """Merges made in [start, end) that still stand."""
    rows = db.execute(
        "SELECT g.idea_id, g.into_id, g.automatic, g.score, g.at, m.name FROM merges g"
        " LEFT JOIN members m ON m.id = g.actor_id"
        " WHERE g.board_id = ? AND g.at >= ? AND g.at < ? AND g.undone_at IS NULL ORDER BY g.at",
        [board_id, start, end],
    ).fetchall()
    return [
        {
            "idea_id": r[0],
            "into_id": r[1],
            "automatic": bool(r[2]),
            "score": r[3],
            "at": r[4],
            "actor": r[5],
        }
        for r in rows
    ]


def member_names(db: Database, ids: list[int]) -> dict[int, tuple[str, str, str]]:
    """member id -> (platform, user_id, name)."""
    if not ids:
        return {}
    rows = db.execute(
        "SELECT id, platform, user_id, name FROM members"
        f" WHERE id IN ({', '.join('?' for _ in ids)})",
        list(ids),
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def open_ideas(db: Database, board_id: int, at: str) -> int:
    """Live canonical ideas posted by ``at``."""
    return int(
        db.execute(
            "SELECT COUNT(*) FROM ideas WHERE board_id = ? AND created_at <= ?"
            " AND deleted_at IS NULL AND merged_into IS NULL",
            [board_id, at],
        ).fetchone()[0]
    )

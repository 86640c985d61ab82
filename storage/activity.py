"""What happened on a board in a period: the raw material of the digest."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from storage.ideas import ideas_where
from storage.rows import IdeaRow


def scores_at(db: Database, board_id: int, at: str) -> dict[int, int]:
    """Votes each canonical idea had at ``at`` (merges as they stand now)."""
    rows = db.execute(
        "SELECT d.canonical_id, COUNT(DISTINCT r.member_id) FROM reactions r"
        " JOIN ideas d ON d.id = r.idea_id"
        " WHERE r.board_id = ? AND r.added_at <= ? AND (r.removed_at IS NULL OR r.removed_at > ?)"
        " GROUP BY d.canonical_id",
        [board_id, at, at],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def new_votes(db: Database, board_id: int, start: str, end: str) -> list[tuple[int, int, str]]:
    """(canonical_id, member_id, added_at) of votes cast in [start, end) and still on at end."""
    rows = db.execute(
        "SELECT d.canonical_id, r.member_id, MIN(r.added_at) FROM reactions r"
        " JOIN ideas d ON d.id = r.idea_id"
        " WHERE r.board_id = ? AND r.added_at >= ? AND r.added_at < ?"
        " AND (r.removed_at IS NULL OR r.removed_at >= ?)"
        " GROUP BY d.canonical_id, r.member_id",
        [board_id, start, end, end],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def ideas_by_ids(db: Database, board_id: int, ids: list[int]) -> dict[int, IdeaRow]:
    if not ids:
        return {}
    rows = ideas_where(db, board_id, f"i.id IN ({', '.join('?' for _ in ids)})", list(ids))
    return {r.id: r for r in rows}


def created_between(db: Database, board_id: int, start: str, end: str) -> list[IdeaRow]:
    """Ideas posted in [start, end) that are still up, merged or not."""
    return ideas_where(
        db,
        board_id,
        "i.created_at >= ? AND i.created_at < ? AND i.deleted_at IS NULL",
        [start, end],
    )


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


def votes_received(db: Database, board_id: int, start: str, end: str) -> dict[int, int]:
    """Per author (member id): votes cast in the period on their ideas and still on."""
    rows = db.execute(
        "SELECT i.author_id, COUNT(*) FROM reactions r JOIN ideas i ON i.id = r.idea_id"
        " WHERE r.board_id = ? AND r.added_at >= ? AND r.added_at < ?"
        " AND (r.removed_at IS NULL OR r.removed_at >= ?) AND r.member_id != i.author_id"
        " GROUP BY i.author_id",
        [board_id, start, end, end],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


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


def totals(db: Database, board_id: int, at: str) -> dict[str, int]:
    """Board-wide counts at ``at``: live canonical ideas and active votes."""
    ideas = db.execute(
        "SELECT COUNT(*) FROM ideas WHERE board_id = ? AND created_at <= ? AND deleted_at IS NULL"
        " AND merged_into IS NULL",
        [board_id, at],
    ).fetchone()[0]
    votes = db.execute(
        "SELECT COUNT(*) FROM reactions WHERE board_id = ? AND added_at <= ?"
        " AND (removed_at IS NULL OR removed_at > ?)",
        [board_id, at, at],
    ).fetchone()[0]
    return {"ideas": int(ideas), "votes": int(votes)}

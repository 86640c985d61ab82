"""What happened on a board in a period: the raw material of the digest.

Built to stay fast at a million reaction facts: what changed in a period comes
from range scans of the votes cast (``reactions_added``) and taken back
(``reactions_removed``) in it, so the cost follows the period's activity, not the
board's history; exact counts and whole ideas are read only for the few ideas the
digest shows.
"""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from storage.ideas import ideas_where
from storage.rows import IdeaRow

# On at a time t: added_at <= t and (removed_at IS NULL or removed_at > t).


def period_votes(
    db: Database, board_id: int, start: str, end: str, since: str, half_life_h: float
) -> tuple[list[tuple[int, int, int]], dict[int, float]]:
    """The period's votes per idea, from one range scan of the votes cast in it:

    - (idea_id, author member id, votes) of votes cast in (start, end] and still on at its
      end, for ideas that gained any (a person who voted on two messages of one idea
      counts twice here; ``exact_gains`` counts people);
    - idea_id -> votes cast in [since, end) and still on at ``end``, each weighing half
      per ``half_life_h`` hours before ``end`` (trending), for ideas with any.

    ``since`` is within the period (the trend window is its last days). The scan of
    ``reactions_added`` is shared: its cost follows the period's votes, not the board's.
    """
    gain = "added_at > :start AND added_at <= :end AND (removed_at IS NULL OR removed_at > :end)"
    trend = "added_at >= :since AND added_at < :end AND (removed_at IS NULL OR removed_at >= :end)"
    weight = "exp(-0.6931471805599453 * (julianday(:end) - julianday(added_at)) * 24.0 / :half)"
    within = "board_id = :board AND added_at >= :low AND added_at <= :end GROUP BY idea_id"
    rows = db.execute(
        "SELECT x.idea_id, i.author_id, SUM(x.n), SUM(x.w) FROM ("
        f"  SELECT idea_id, SUM({gain}) AS n, SUM(CASE WHEN {trend} THEN {weight} END) AS w"
        f"  FROM reactions INDEXED BY reactions_added WHERE {within}"
        "  UNION ALL"
        f"  SELECT idea_id, SUM(CASE WHEN {gain} THEN count ELSE 0 END),"
        f"  SUM(CASE WHEN {trend} THEN count * {weight} END)"
        f"  FROM anonymous_votes INDEXED BY anonymous_votes_added WHERE {within}"
        # Authors from the narrow ``ideas_keys``: an idea row carries its 1.5 KB vector.
        ") x JOIN ideas i INDEXED BY ideas_keys ON i.board_id = :board AND i.id = x.idea_id"
        " GROUP BY x.idea_id",
        {
            "board": board_id,
            "start": start,
            "end": end,
            "since": since,
            "low": min(start, since),
            "half": half_life_h,
        },
    ).fetchall()
    gains = [(r[0], r[1], r[2]) for r in rows if r[2] > 0]
    weights = {r[0]: float(r[3]) for r in rows if r[3] is not None}
    return gains, weights


def vote_losses(db: Database, board_id: int, start: str, end: str) -> dict[int, int]:
    """idea_id -> people whose vote, on at the period's start, was taken back in it."""
    rows = db.execute(
        "SELECT idea_id, COUNT(*) FROM reactions INDEXED BY reactions_removed"
        " WHERE board_id = ? AND removed_at IS NOT NULL AND removed_at > ? AND removed_at <= ?"
        " AND added_at <= ? GROUP BY idea_id",
        [board_id, start, end, start],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def self_votes(db: Database, board_id: int, start: str, end: str) -> dict[int, int]:
    """author member id -> votes they cast in the period on their own ideas, still on."""
    # Each idea's (id, author) from ``ideas_keys`` (the rows themselves carry a vector
    # each), then one seek per idea for its author's own votes in the period.
    rows = db.execute(
        "SELECT i.author_id, COUNT(*) FROM ideas i INDEXED BY ideas_keys"
        " CROSS JOIN reactions r INDEXED BY reactions_votes"
        " WHERE i.board_id = :board AND r.board_id = :board AND r.idea_id = i.id"
        " AND r.member_id = i.author_id AND r.added_at > :start AND r.added_at <= :end"
        " AND (r.removed_at IS NULL OR r.removed_at > :end) GROUP BY i.author_id",
        {"board": board_id, "start": start, "end": end},
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def merged_ideas(db: Database, board_id: int) -> dict[int, int]:
    """idea id -> canonical id of every idea merged into another."""
    rows = db.execute(
        "SELECT id, canonical_id FROM ideas WHERE board_id = ? AND canonical_id != id",
        [board_id],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def exact_gains(
    db: Database, board_id: int, canonicals: list[int], start: str, end: str
) -> dict[int, int]:
    """Votes gained by canonical ideas with every idea merged into them, each person once.

    Exact where the range counts are not: a person with votes on two messages of one
    idea (or on two merged duplicates) counts once here.
    """
    if not canonicals:
        return {}
    params: dict[str, Any] = {"board": board_id, "start": start, "end": end}
    params.update({f"c{i}": c for i, c in enumerate(canonicals)})
    marks = ", ".join(f":c{i}" for i in range(len(canonicals)))
    # Anonymous votes are people of their own: each counts by its count, on or off.
    rows = db.execute(
        f"""
        SELECT c, SUM(g) FROM (
            SELECT c, SUM(e) - SUM(s) AS g FROM (
                SELECT d.canonical_id AS c,
                    MAX(added_at <= :end AND (removed_at IS NULL OR removed_at > :end)) AS e,
                    MAX(added_at <= :start AND (removed_at IS NULL OR removed_at > :start)) AS s
                FROM ideas d CROSS JOIN reactions r INDEXED BY reactions_votes
                WHERE d.board_id = :board AND d.canonical_id IN ({marks})
                AND r.board_id = :board AND r.idea_id = d.id AND r.added_at <= :end
                GROUP BY d.canonical_id, r.member_id
            ) GROUP BY c
            UNION ALL
            SELECT d.canonical_id AS c, SUM(a.count * (
                (a.added_at <= :end AND (a.removed_at IS NULL OR a.removed_at > :end))
                - (a.added_at <= :start AND (a.removed_at IS NULL OR a.removed_at > :start))
            )) AS g
            FROM ideas d CROSS JOIN anonymous_votes a INDEXED BY anonymous_votes_ideas
            WHERE d.board_id = :board AND d.canonical_id IN ({marks})
            AND a.board_id = :board AND a.idea_id = d.id AND a.added_at <= :end
            GROUP BY d.canonical_id
        ) GROUP BY c
        """,
        params,
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def votes_cast(db: Database, board_id: int, start: str, end: str) -> int:
    """Vote reactions cast in the period and not taken back by its end."""
    return int(
        db.execute(
            "SELECT (SELECT COUNT(*) FROM reactions INDEXED BY reactions_added"
            " WHERE board_id = ?1 AND added_at > ?2 AND added_at <= ?3"
            " AND (removed_at IS NULL OR removed_at > ?3))"
            " + (SELECT COALESCE(SUM(count), 0) FROM anonymous_votes"
            " INDEXED BY anonymous_votes_added WHERE board_id = ?1 AND added_at > ?2"
            " AND added_at <= ?3 AND (removed_at IS NULL OR removed_at > ?3))",
            [board_id, start, end],
        ).fetchone()[0]
    )


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

"""Votes of canonical ideas: named people counted once each, plus anonymous imported counts.

A score is read at query time from the reaction facts of an idea and every idea merged
into it (``ideas.canonical_id``), so merges and unmerges move nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

# Distinct people with an active vote on an idea or on any idea merged into it.
# CROSS JOIN fixes the join order: from the few ideas of the group to their reactions.
# Left to itself SQLite may scan every reaction of the board first (200 ms at 1M facts).
NAMED_SQL = """
    SELECT COUNT(DISTINCT r.member_id) FROM ideas d
    CROSS JOIN reactions r INDEXED BY reactions_votes
    WHERE d.board_id = ?1 AND d.canonical_id = ?2
    AND r.board_id = ?1 AND r.idea_id = d.id AND r.removed_at IS NULL
"""

# The anonymous votes an import recorded (a reaction's count beyond the people it names),
# stored as counts: each is a different person from every other vote.
ANONYMOUS_SQL = """
    SELECT COALESCE(SUM(a.count), 0) FROM ideas d
    CROSS JOIN anonymous_votes a INDEXED BY anonymous_votes_ideas
    WHERE d.board_id = ?1 AND d.canonical_id = ?2
    AND a.board_id = ?1 AND a.idea_id = d.id AND a.removed_at IS NULL
"""

SCORE_SQL = f"SELECT ({NAMED_SQL}) + ({ANONYMOUS_SQL})"

# Anonymous votes per canonical idea, for a whole board at once.
ANONYMOUS_BY_CANONICAL_SQL = """
    SELECT d.canonical_id, SUM(a.count) AS votes FROM anonymous_votes a
    JOIN ideas d ON d.id = a.idea_id
    WHERE a.board_id = ? AND a.removed_at IS NULL GROUP BY d.canonical_id
"""


def score(db: Database, board_id: int, canonical_id: int) -> int:
    return int(db.execute(SCORE_SQL, [board_id, canonical_id]).fetchone()[0])


def anonymous_votes(db: Database, board_id: int, canonical_ids: list[int]) -> dict[int, int]:
    """Anonymous imported votes of canonical ideas that have any (none without imports)."""
    if not canonical_ids or not _any_anonymous(db):
        return {}
    if len(canonical_ids) <= 50:
        found = {i: db.execute(ANONYMOUS_SQL, [board_id, i]).fetchone()[0] for i in canonical_ids}
        return {i: n for i, n in found.items() if n}
    rows = db.execute(ANONYMOUS_BY_CANONICAL_SQL, [board_id]).fetchall()
    return {r[0]: r[1] for r in rows}


def _any_anonymous(db: Database) -> bool:
    # One probe: boards that never imported anonymous votes pay nothing more.
    return db.execute("SELECT 1 FROM anonymous_votes LIMIT 1").fetchone() is not None


# At most this many ideas are scored one index range each; more read the board's facts
# in one GROUP BY (``scores``). Ids go into IN lists of at most this many.
FEW = 1000
_CHUNK = 500


def scores_of(
    db: Database, board_id: int, canonical_ids: Sequence[int]
) -> tuple[dict[int, int], dict[int, int]]:
    """Votes (named and anonymous) and anonymous votes alone of these canonical ideas, for
    those that have any: what ``score`` and ``anonymous_votes`` give each, in a few
    queries that read only these ideas' facts (not the board's million)."""
    named: dict[int, int] = {}
    anonymous: dict[int, int] = {}
    probe = _any_anonymous(db)
    ids = sorted(set(canonical_ids))
    for lo in range(0, len(ids), _CHUNK):
        part = ids[lo : lo + _CHUNK]
        marks = _marks(part)
        named.update(
            db.execute(
                "SELECT d.canonical_id, COUNT(DISTINCT r.member_id) FROM ideas d"
                " CROSS JOIN reactions r INDEXED BY reactions_votes"
                f" WHERE d.board_id = ? AND d.canonical_id IN ({marks})"
                " AND r.board_id = ? AND r.idea_id = d.id AND r.removed_at IS NULL"
                " GROUP BY d.canonical_id",
                [board_id, *part, board_id],
            ).fetchall()
        )
        if probe:
            anonymous.update(
                db.execute(
                    "SELECT d.canonical_id, SUM(a.count) FROM ideas d"
                    " CROSS JOIN anonymous_votes a INDEXED BY anonymous_votes_ideas"
                    f" WHERE d.board_id = ? AND d.canonical_id IN ({marks})"
                    " AND a.board_id = ? AND a.idea_id = d.id AND a.removed_at IS NULL"
                    " GROUP BY d.canonical_id",
                    [board_id, *part, board_id],
                ).fetchall()
            )
    anonymous = {k: n for k, n in anonymous.items() if n}
    total = dict(named)
    for k, n in anonymous.items():
        total[k] = total.get(k, 0) + n
    return {k: n for k, n in total.items() if n}, anonymous


def scores(db: Database, board_id: int) -> dict[int, int]:
    """Current votes of every canonical idea of the board that has any."""
    rows = db.execute(
        "SELECT d.canonical_id, COUNT(DISTINCT r.member_id) FROM reactions r"
        " JOIN ideas d ON d.id = r.idea_id"
        " WHERE r.board_id = ? AND r.removed_at IS NULL GROUP BY d.canonical_id",
        [board_id],
    ).fetchall()
    votes = {r[0]: r[1] for r in rows}
    if _any_anonymous(db):
        for canonical, count in db.execute(ANONYMOUS_BY_CANONICAL_SQL, [board_id]).fetchall():
            votes[canonical] = votes.get(canonical, 0) + count
    return votes


def top_ids(db: Database, board_id: int, limit: int, statuses: list[str] | None) -> list[int]:
    """Ids of the board's live canonical ideas with the most votes; ties to the older idea."""
    where = ""
    params: list[Any] = [board_id, board_id]
    if statuses is not None:
        where = f" AND i.status IN ({_marks(statuses)})"
        params += statuses
    rows = db.execute(
        "SELECT i.id FROM ideas i LEFT JOIN ("
        "  SELECT d.canonical_id AS cid, COUNT(DISTINCT r.member_id) AS votes FROM reactions r"
        "  JOIN ideas d ON d.id = r.idea_id WHERE r.board_id = ? AND r.removed_at IS NULL"
        "  GROUP BY d.canonical_id) s ON s.cid = i.id"
        f" LEFT JOIN ({ANONYMOUS_BY_CANONICAL_SQL}) x ON x.canonical_id = i.id"
        " WHERE i.board_id = ? AND i.merged_into IS NULL AND i.deleted_at IS NULL"
        + where
        + " ORDER BY COALESCE(s.votes, 0) + COALESCE(x.votes, 0) DESC, i.number LIMIT ?",
        [board_id, *params, limit],
    ).fetchall()
    return [r[0] for r in rows]


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)

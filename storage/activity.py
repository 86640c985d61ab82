"""What happened on a board in a period: the raw material of the digest.

Built to stay fast at a million reaction facts: the votes cast in a period come from
one pass that also yields each idea's author, its owner's own votes and the headline's
count (``period_votes``: by time for a board with a long history, so the cost follows
the period's activity, or in idea order over the covering index for a young or busy
board, where that is cheaper than sorting the period's votes; see ``IDEA_ORDER_SPAN``);
the votes taken back come from a range scan of ``reactions_removed``; exact counts and
whole ideas are read only for the few ideas the digest shows.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any

from sqlite_utils import Database

from storage.ideas import ideas_where
from storage.rows import IdeaRow, PeriodVotes
from storage.times import from_db

# On at a time t: added_at <= t and (removed_at IS NULL or removed_at > t).

# The period's votes are read in one of two ways (``period_votes``):
#
# - by time: a range scan of ``reactions_added`` over the period's votes, then SQLite sorts
#   them by idea (a temporary B-tree) for the GROUP BY, and each idea's author is looked
#   up; the authors' own votes take a second query (one seek per idea). Its cost follows
#   the period's votes, so it is the plan for a board with a long history.
# - in idea order: one pass over the covering ``reactions_votes`` (board_id, idea_id, ...)
#   joined to ``ideas_keys``, in idea order with no sort, skipping the facts outside the
#   period; each row knows its idea's author, so the authors' own votes come in the same
#   pass. Its cost follows all the board's facts (it is the plain aggregate's own scan).
#
# Sorting a fact costs several times reading one past (measured at 1M facts: about 1.7
# against 0.5 microseconds), so the idea-order pass is the cheaper while the period holds
# more than about a quarter of the board's facts, or a fifth counting the authors' own
# votes it reads on the way: a young board, or a board that is busy now. The facts are
# not counted (that would cost a scan); the span of the board's history stands in for
# them: the idea-order pass when its first vote falls within ``IDEA_ORDER_SPAN`` periods
# of the period's end.
IDEA_ORDER_SPAN = 5.0

_GAIN = (
    "r.added_at > :start AND r.added_at <= :end AND (r.removed_at IS NULL OR r.removed_at > :end)"
)
_TREND = (
    "r.added_at >= :since AND r.added_at < :end AND (r.removed_at IS NULL OR r.removed_at >= :end)"
)
_WEIGHT = "exp(-0.6931471805599453 * (julianday(:end) - julianday(r.added_at)) * 24.0 / :half)"


def period_votes(
    db: Database,
    board_id: int,
    start: str,
    end: str,
    since: str,
    half_life_h: float,
    *,
    idea_order: bool | None = None,
) -> PeriodVotes:
    """The period's votes per idea (see ``PeriodVotes``), read by time or in idea order.

    ``since`` is within the period (the trend window is its last days). ``idea_order``
    chooses the plan (both give the same figures); by default the board's history does.
    """
    low = min(start, since)
    params = {
        "board": board_id,
        "start": start,
        "end": end,
        "since": since,
        "low": low,
        "half": half_life_h,
    }
    own: dict[int, int] = {}
    if idea_order is None:
        idea_order = idea_order_fits(db, board_id, low, end)
    if idea_order:
        # Ideas in id order, each one's facts from the covering index: no sort.
        rows = db.execute(
            f"SELECT i.id, i.author_id, SUM({_GAIN}), SUM(CASE WHEN {_TREND} THEN {_WEIGHT} END),"
            f" SUM(CASE WHEN r.member_id = i.author_id THEN {_GAIN} END)"
            " FROM ideas i INDEXED BY ideas_keys CROSS JOIN reactions r INDEXED BY reactions_votes"
            " WHERE i.board_id = :board AND r.board_id = :board AND r.idea_id = i.id"
            " AND r.added_at >= :low AND r.added_at <= :end GROUP BY i.id",
            params,
        ).fetchall()
        for author, mine in [(r[1], r[4]) for r in rows if r[4]]:
            own[author] = own.get(author, 0) + mine
    else:
        rows = db.execute(
            f"SELECT x.idea_id, i.author_id, x.n, x.w FROM ("
            f"  SELECT r.idea_id, SUM({_GAIN}) AS n,"
            f"  SUM(CASE WHEN {_TREND} THEN {_WEIGHT} END) AS w"
            "  FROM reactions r INDEXED BY reactions_added WHERE r.board_id = :board"
            "  AND r.added_at >= :low AND r.added_at <= :end GROUP BY r.idea_id"
            # Authors from the narrow ``ideas_keys``: an idea row carries its 1.5 KB vector.
            ") x JOIN ideas i INDEXED BY ideas_keys ON i.board_id = :board AND i.id = x.idea_id",
            params,
        ).fetchall()
        own = self_votes(db, board_id, start, end)
    # One row per idea so far (comprehensions: tens of thousands of rows at 1M facts).
    gains = [(r[0], r[1], r[2]) for r in rows if r[2] > 0]
    weights = {r[0]: float(r[3]) for r in rows if r[3] is not None}
    # Anonymous votes are few: read by time, apart (each counts by its count).
    anonymous = db.execute(
        f"SELECT x.idea_id, i.author_id, x.n, x.w FROM ("
        f"  SELECT r.idea_id, SUM(CASE WHEN {_GAIN} THEN r.count ELSE 0 END) AS n,"
        f"  SUM(CASE WHEN {_TREND} THEN r.count * {_WEIGHT} END) AS w"
        "  FROM anonymous_votes r INDEXED BY anonymous_votes_added WHERE r.board_id = :board"
        "  AND r.added_at >= :low AND r.added_at <= :end GROUP BY r.idea_id"
        ") x JOIN ideas i INDEXED BY ideas_keys ON i.board_id = :board AND i.id = x.idea_id",
        params,
    ).fetchall()
    for idea_id, author, people, weight in anonymous:
        if people > 0:
            gains.append((idea_id, author, people))
        if weight is not None:
            weights[idea_id] = weights.get(idea_id, 0.0) + weight
    cast = sum(map(itemgetter(2), gains))
    return PeriodVotes(gains=gains, weights=weights, own=own, cast=cast)


def idea_order_fits(db: Database, board_id: int, low: str, end: str) -> bool:
    """Whether the board's first vote is recent enough for the idea-order pass."""
    first = db.execute(
        "SELECT MIN(added_at) FROM reactions INDEXED BY reactions_added WHERE board_id = ?",
        [board_id],
    ).fetchone()[0]
    if first is None:
        return False
    span = (from_db(end) - from_db(first)).total_seconds()
    return span <= IDEA_ORDER_SPAN * (from_db(end) - from_db(low)).total_seconds()


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

"""What the web board reads (ranked lists, an idea's history, the roadmap, feed events) and
who may read a board there (public, or holding its secret read key).

The web's SQL lives here alone, so that it can move behind the store interface as one
piece. Every function takes a sqlite-utils ``Database`` and names its board.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlite_utils import Database

from storage.rows import Access, RankedRow, Ranking

# Votes, votes gained since :since and merged duplicates of each live canonical idea.
_RANKED = """
WITH v AS (
    SELECT d.canonical_id AS cid, COUNT(DISTINCT r.member_id) AS n,
        COUNT(DISTINCT CASE WHEN r.added_at >= :since THEN r.member_id END) AS g
    FROM reactions r JOIN ideas d ON d.id = r.idea_id
    WHERE r.board_id = :board AND r.removed_at IS NULL GROUP BY d.canonical_id
), a AS (
    SELECT d.canonical_id AS cid, SUM(x.count) AS n,
        SUM(CASE WHEN x.added_at >= :since THEN x.count ELSE 0 END) AS g
    FROM anonymous_votes x JOIN ideas d ON d.id = x.idea_id
    WHERE x.board_id = :board AND x.removed_at IS NULL GROUP BY d.canonical_id
), dup AS (
    SELECT canonical_id AS cid, COUNT(*) AS n FROM ideas
    WHERE board_id = :board AND merged_into IS NOT NULL AND deleted_at IS NULL
    GROUP BY canonical_id
), ranked AS (
    SELECT i.id AS id, i.number AS number, i.status AS status,
        COALESCE(v.n, 0) + COALESCE(a.n, 0) AS votes,
        COALESCE(v.g, 0) + COALESCE(a.g, 0) AS gained,
        COALESCE(dup.n, 0) AS duplicates
    FROM ideas i LEFT JOIN v ON v.cid = i.id LEFT JOIN a ON a.cid = i.id
    LEFT JOIN dup ON dup.cid = i.id
    WHERE i.board_id = :board AND i.merged_into IS NULL AND i.deleted_at IS NULL
)
SELECT id, number, status, votes, gained, duplicates FROM ranked
"""


@dataclass(frozen=True, slots=True)
class StatusRow:
    id: int
    idea_id: int
    number: int
    title: str
    old: str
    new: str
    note: str | None
    at: str


def ranking(db: Database, board_id: int, since: str, memo: dict[Any, Ranking]) -> Ranking:
    """The board's ranking figures (votes, votes gained since ``since``, duplicates).

    Counting every vote of a board takes a scan of its reactions (hundreds of ms at 100k
    facts): ``memo`` keeps the last ranking per connection, board and ``since``, and it
    is read again only when another connection committed since (``PRAGMA
    data_version``): the web board's readers never write, so any change is another's.
    """
    version = int(db.execute("PRAGMA data_version").fetchone()[0])
    key = (id(db.conn), board_id, since)
    known = memo.get(key)
    if known is not None and known.version == version:
        return known
    rows = db.execute(_RANKED, {"board": board_id, "since": since}).fetchall()
    fresh = Ranking(version=version, rows=tuple(RankedRow(*r) for r in rows))
    if len(memo) >= 64:  # old hours and boards nobody reads any more
        memo.clear()
    memo[key] = fresh
    return fresh


def duplicate_counts(db: Database, board_id: int, ids: Sequence[int]) -> dict[int, int]:
    """Live ideas merged (directly or through others) into each of ``ids``."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = db.execute(
        "SELECT canonical_id, COUNT(*) FROM ideas WHERE board_id = ? AND merged_into IS NOT NULL"
        f" AND deleted_at IS NULL AND canonical_id IN ({marks}) GROUP BY canonical_id",
        [board_id, *ids],
    ).fetchall()
    return {r[0]: r[1] for r in rows}


def duplicates(db: Database, board_id: int, idea_id: int) -> list[tuple[int, str]]:
    """(number, title) of the live ideas merged into the idea, by number."""
    rows = db.execute(
        "SELECT number, title FROM ideas WHERE board_id = ? AND canonical_id = ? AND id != ?"
        " AND deleted_at IS NULL ORDER BY number",
        [board_id, idea_id, idea_id],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


_STATUS_COLUMNS = (
    "SELECT s.id, s.idea_id, i.number, i.title, s.old_status, s.new_status, s.note, s.at"
    " FROM status_changes s JOIN ideas i ON i.id = s.idea_id"
)


def status_history(db: Database, board_id: int, idea_id: int) -> list[StatusRow]:
    """The idea's status changes, newest first."""
    rows = db.execute(
        f"{_STATUS_COLUMNS} WHERE s.board_id = ? AND s.idea_id = ? ORDER BY s.at DESC, s.id DESC",
        [board_id, idea_id],
    ).fetchall()
    return [StatusRow(*r) for r in rows]


def recent_status_changes(db: Database, board_id: int, limit: int) -> list[StatusRow]:
    """The board's latest status changes of live ideas, newest first."""
    rows = db.execute(
        f"{_STATUS_COLUMNS} WHERE s.board_id = ? AND i.deleted_at IS NULL"
        " ORDER BY s.at DESC, s.id DESC LIMIT ?",
        [board_id, limit],
    ).fetchall()
    return [StatusRow(*r) for r in rows]


def newest_ids(db: Database, board_id: int, limit: int) -> list[int]:
    """Ids of the board's latest live ideas, newest first."""
    rows = db.execute(
        "SELECT id FROM ideas WHERE board_id = ? AND deleted_at IS NULL"
        " ORDER BY created_at DESC, number DESC LIMIT ?",
        [board_id, limit],
    ).fetchall()
    return [r[0] for r in rows]


def roadmap(db: Database, board_id: int, statuses: Sequence[str]) -> list[tuple[int, str]]:
    """(id, when its status last changed) of live canonical ideas in ``statuses``, latest
    change first."""
    marks = ", ".join("?" for _ in statuses)
    rows = db.execute(
        "SELECT i.id, COALESCE((SELECT MAX(s.at) FROM status_changes s WHERE s.idea_id = i.id),"
        " i.updated_at) AS changed FROM ideas i WHERE i.board_id = ? AND i.merged_into IS NULL"
        f" AND i.deleted_at IS NULL AND i.status IN ({marks}) ORDER BY changed DESC, i.number",
        [board_id, *statuses],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def first_idea_at(db: Database, board_id: int) -> str | None:
    row = db.execute("SELECT MIN(created_at) FROM ideas WHERE board_id = ?", [board_id]).fetchone()
    return None if row is None else row[0]


def last_change(db: Database, board_id: int) -> str | None:
    """When anything shown about the board last changed: an idea, a vote, a status."""
    row = db.execute(
        "SELECT MAX(t) FROM ("
        " SELECT MAX(updated_at) AS t FROM ideas WHERE board_id = ?1"
        " UNION ALL SELECT MAX(added_at) FROM reactions WHERE board_id = ?1"
        " UNION ALL SELECT MAX(removed_at) FROM reactions WHERE board_id = ?1"
        " AND removed_at IS NOT NULL"
        " UNION ALL SELECT MAX(added_at) FROM anonymous_votes WHERE board_id = ?1"
        " UNION ALL SELECT MAX(removed_at) FROM anonymous_votes WHERE board_id = ?1"
        " UNION ALL SELECT MAX(at) FROM status_changes WHERE board_id = ?1"
        " UNION ALL SELECT changed_at FROM web_access WHERE board_id = ?1)",
        [board_id],
    ).fetchone()
    return None if row is None else row[0]


# -- who may read a board --------------------------------------------------------------


def access(db: Database, board_id: int) -> Access:
    row = db.execute(
        "SELECT public, key_sha256 FROM web_access WHERE board_id = ?", [board_id]
    ).fetchone()
    return Access(public=False, key_sha256=None) if row is None else Access(bool(row[0]), row[1])


def public_boards(db: Database) -> list[tuple[int, str]]:
    """(id, name) of the public boards, by name."""
    rows = db.execute(
        "SELECT b.id, b.name FROM boards b JOIN web_access w ON w.board_id = b.id"
        " WHERE w.public = 1 ORDER BY b.name"
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def set_public(db: Database, board_id: int, public: bool, at: str) -> None:
    db.execute(
        "INSERT INTO web_access (board_id, public, changed_at) VALUES (?, ?, ?)"
        " ON CONFLICT (board_id) DO UPDATE SET public = excluded.public,"
        " changed_at = excluded.changed_at",
        [board_id, int(public), at],
    )


def set_key(db: Database, board_id: int, key_sha256: str | None, at: str) -> None:
    db.execute(
        "INSERT INTO web_access (board_id, key_sha256, changed_at) VALUES (?, ?, ?)"
        " ON CONFLICT (board_id) DO UPDATE SET key_sha256 = excluded.key_sha256,"
        " changed_at = excluded.changed_at",
        [board_id, key_sha256, at],
    )

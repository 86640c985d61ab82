"""Ideas, the messages that stand for them, merges, statuses and duplicate suggestions.

Every query names its board: an idea number means nothing outside its board, and
a row of another board is never read or changed through these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlite_utils import Database

from storage.rows import IdeaRow, MemberRow, MessageTarget
from storage.scores import FEW, anonymous_votes, score, scores, scores_of
from storage.scores import SCORE_SQL as SCORE_SQL  # callers know the scores from here
from storage.scores import top_ids as top_ids
from storage.times import from_db

_IDEA_COLUMNS = """
    i.id, i.board_id, i.number, i.title, i.body,
    m.id, m.platform, m.user_id, m.name,
    i.platform, i.channel_id, i.message_id, i.permalink, i.status, i.status_note,
    i.merged_into, p.number, i.canonical_id, i.created_at, i.updated_at, i.deleted_at
"""
_IDEA_FROM = """
    FROM ideas i
    JOIN members m ON m.id = i.author_id
    LEFT JOIN ideas p ON p.id = i.merged_into
"""


def _idea(row: tuple[Any, ...], votes: int = 0, anonymous: int = 0) -> IdeaRow:
    author = MemberRow(id=row[5], platform=row[6], user_id=row[7], name=row[8])
    return IdeaRow(
        id=row[0],
        board_id=row[1],
        number=row[2],
        title=row[3],
        body=row[4],
        author=author,
        platform=row[9],
        channel_id=row[10],
        message_id=row[11],
        permalink=row[12],
        status=row[13],
        status_note=row[14],
        merged_into=row[15],
        merged_into_number=row[16],
        canonical_id=row[17],
        created_at=from_db(row[18]),
        updated_at=from_db(row[19]),
        deleted_at=None if row[20] is None else from_db(row[20]),
        votes=votes,
        anonymous_votes=anonymous,
    )


def _scored(db: Database, board_id: int, row: tuple[Any, ...]) -> IdeaRow:
    if row[15] is not None:  # merged: its votes count on the canonical idea
        return _idea(row)
    anonymous = anonymous_votes(db, board_id, [row[17]]).get(row[17], 0)
    return _idea(row, score(db, board_id, row[17]), anonymous)


def idea_by_number(db: Database, board_id: int, number: int) -> IdeaRow | None:
    row = db.execute(
        f"SELECT {_IDEA_COLUMNS} {_IDEA_FROM} WHERE i.board_id = ? AND i.number = ?",
        [board_id, number],
    ).fetchone()
    return None if row is None else _scored(db, board_id, row)


def idea_by_id(db: Database, board_id: int, idea_id: int) -> IdeaRow | None:
    row = db.execute(
        f"SELECT {_IDEA_COLUMNS} {_IDEA_FROM} WHERE i.board_id = ? AND i.id = ?",
        [board_id, idea_id],
    ).fetchone()
    return None if row is None else _scored(db, board_id, row)


def ideas_where(
    db: Database, board_id: int, where: str = "1", params: list[Any] | None = None
) -> list[IdeaRow]:
    """Ideas of the board matching an extra SQL condition on ``i``, with their votes."""
    rows = db.execute(
        f"SELECT {_IDEA_COLUMNS} {_IDEA_FROM} WHERE i.board_id = ? AND ({where}) ORDER BY i.number",
        [board_id, *(params or [])],
    ).fetchall()
    canonical = [r[0] for r in rows if r[15] is None]
    if len(canonical) > FEW:
        votes = scores(db, board_id)
        anonymous = anonymous_votes(db, board_id, canonical)
    else:
        votes, anonymous = scores_of(db, board_id, canonical)
    return [
        _idea(r, votes.get(r[0], 0), anonymous.get(r[0], 0)) if r[15] is None else _idea(r)
        for r in rows
    ]


def insert_idea(
    db: Database,
    *,
    board_id: int,
    author_id: int,
    title: str,
    body: str,
    platform: str,
    channel_id: str | None,
    message_id: str | None,
    permalink: str | None,
    embedding: bytes | None,
    created_at: str,
) -> tuple[int, int]:
    """Store a new canonical idea; its (id, number)."""
    number = db.execute(
        "UPDATE boards SET next_number = next_number + 1 WHERE id = ? RETURNING next_number - 1",
        [board_id],
    ).fetchone()[0]
    cursor = db.execute(
        "INSERT INTO ideas (board_id, number, title, body, author_id, platform, channel_id,"
        " message_id, permalink, embedding, created_at, updated_at, canonical_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
        [
            board_id,
            number,
            title,
            body,
            author_id,
            platform,
            channel_id,
            message_id,
            permalink,
            embedding,
            created_at,
            created_at,
        ],
    )
    idea_id = int(cursor.lastrowid or 0)
    db.execute("UPDATE ideas SET canonical_id = id WHERE id = ?", [idea_id])
    if channel_id is not None and message_id is not None:
        link_message(db, board_id, idea_id, platform, channel_id, message_id, "source")
    return idea_id, int(number)


def link_message(
    db: Database,
    board_id: int,
    idea_id: int,
    platform: str,
    channel_id: str,
    message_id: str,
    kind: str,
) -> bool:
    """Attach a message to an idea; False when the message already stands for one."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO messages (board_id, idea_id, platform, channel_id, message_id, kind)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [board_id, idea_id, platform, channel_id, message_id, kind],
    )
    return cursor.rowcount == 1


def message_target(
    db: Database, platform: str, channel_id: str, message_id: str
) -> MessageTarget | None:
    row = db.execute(
        "SELECT board_id, idea_id, id FROM messages"
        " WHERE platform = ? AND channel_id = ? AND message_id = ?",
        [platform, channel_id, message_id],
    ).fetchone()
    return (
        None if row is None else MessageTarget(board_id=row[0], idea_id=row[1], message_row=row[2])
    )


def messages_of(db: Database, board_id: int, idea_id: int) -> list[tuple[str, str, str, str]]:
    """(platform, channel_id, message_id, kind) of every message of an idea."""
    rows = db.execute(
        "SELECT platform, channel_id, message_id, kind FROM messages"
        " WHERE board_id = ? AND idea_id = ? ORDER BY id",
        [board_id, idea_id],
    ).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def update_text(
    db: Database, board_id: int, idea_id: int, title: str, body: str, embedding: bytes, at: str
) -> None:
    db.execute(
        "UPDATE ideas SET title = ?, body = ?, embedding = ?, updated_at = ?"
        " WHERE board_id = ? AND id = ?",
        [title, body, embedding, at, board_id, idea_id],
    )


def set_status(
    db: Database,
    board_id: int,
    idea_id: int,
    old: str,
    new: str,
    note: str | None,
    actor_id: int | None,
    at: str,
) -> None:
    db.execute(
        "UPDATE ideas SET status = ?, status_note = ?, updated_at = ?"
        " WHERE board_id = ? AND id = ?",
        [new, note, at, board_id, idea_id],
    )
    db.execute(
        "INSERT INTO status_changes (board_id, idea_id, old_status, new_status, note, actor_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [board_id, idea_id, old, new, note, actor_id, at],
    )


def subtree(db: Database, board_id: int, idea_id: int) -> list[int]:
    """The idea and every idea merged into it, directly or through others."""
    rows = db.execute(
        "WITH RECURSIVE t(id) AS (SELECT ? UNION SELECT i.id FROM ideas i JOIN t"
        " ON i.merged_into = t.id WHERE i.board_id = ?) SELECT id FROM t",
        [idea_id, board_id],
    ).fetchall()
    return [r[0] for r in rows]


def merge(
    db: Database,
    board_id: int,
    idea_id: int,
    into_id: int,
    into_canonical: int,
    score_value: float | None,
    automatic: bool,
    actor_id: int | None,
    at: str,
) -> None:
    """Point ``idea_id`` (and all merged into it) at ``into_id``; nothing else moves."""
    members = subtree(db, board_id, idea_id)
    db.execute(
        "UPDATE ideas SET merged_into = ?, updated_at = ? WHERE board_id = ? AND id = ?",
        [into_id, at, board_id, idea_id],
    )
    db.execute(
        f"UPDATE ideas SET canonical_id = ? WHERE board_id = ? AND id IN ({_marks(members)})",
        [into_canonical, board_id, *members],
    )
    db.execute(
        "INSERT INTO merges (board_id, idea_id, into_id, score, automatic, actor_id, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        [board_id, idea_id, into_id, score_value, int(automatic), actor_id, at],
    )


def unmerge(db: Database, board_id: int, idea_id: int, at: str) -> None:
    """Make ``idea_id`` canonical again, with every idea that was merged into it."""
    db.execute(
        "UPDATE merges SET undone_at = ? WHERE board_id = ? AND idea_id = ? AND undone_at IS NULL",
        [at, board_id, idea_id],
    )
    db.execute(
        "UPDATE ideas SET merged_into = NULL, updated_at = ? WHERE board_id = ? AND id = ?",
        [at, board_id, idea_id],
    )
    members = subtree(db, board_id, idea_id)
    db.execute(
        f"UPDATE ideas SET canonical_id = ? WHERE board_id = ? AND id IN ({_marks(members)})",
        [idea_id, board_id, *members],
    )


def mark_deleted(db: Database, board_id: int, idea_id: int, at: str) -> list[int]:
    """Withdraw an idea, keeping its rows; the ids of ideas merged into it, now unmerged."""
    db.execute(
        "UPDATE ideas SET deleted_at = ?, updated_at = ? WHERE board_id = ? AND id = ?",
        [at, at, board_id, idea_id],
    )
    children = [
        r[0]
        for r in db.execute(
            "SELECT id FROM ideas WHERE board_id = ? AND merged_into = ? AND deleted_at IS NULL",
            [board_id, idea_id],
        ).fetchall()
    ]
    for child in children:
        unmerge(db, board_id, child, at)
    return children


def canonical_embeddings(
    db: Database, board_id: int, from_number: int = 1
) -> list[tuple[int, bytes]]:
    """(id, embedding) of the board's live canonical ideas numbered ``from_number`` or
    more, for the similarity index."""
    rows = db.execute(
        "SELECT id, embedding FROM ideas WHERE board_id = ? AND number >= ?"
        " AND merged_into IS NULL AND deleted_at IS NULL AND embedding IS NOT NULL ORDER BY id",
        [board_id, from_number],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def next_number(db: Database, board_id: int) -> int:
    """The number the board's next idea will get: it grows with every idea stored."""
    row = db.execute("SELECT next_number FROM boards WHERE id = ?", [board_id]).fetchone()
    return int(row[0]) if row is not None else 1


def embedding_of(db: Database, board_id: int, idea_id: int) -> bytes | None:
    row = db.execute(
        "SELECT embedding FROM ideas WHERE board_id = ? AND id = ?", [board_id, idea_id]
    ).fetchone()
    return None if row is None else row[0]


def voters(db: Database, board_id: int, canonical_id: int) -> list[MemberRow]:
    """Everyone with an active vote on the idea or on an idea merged into it."""
    rows = db.execute(
        "SELECT DISTINCT m.id, m.platform, m.user_id, m.name FROM ideas d"
        " CROSS JOIN reactions r INDEXED BY reactions_votes JOIN members m ON m.id = r.member_id"
        " WHERE d.board_id = ?1 AND d.canonical_id = ?2 AND r.board_id = ?1 AND r.idea_id = d.id"
        " AND r.removed_at IS NULL AND m.anonymous = 0 ORDER BY m.id",
        [board_id, canonical_id],
    ).fetchall()
    return [MemberRow(*r) for r in rows]


def add_suggestions(
    db: Database, board_id: int, idea_id: int, candidates: list[tuple[int, float]]
) -> None:
    for candidate_id, value in candidates:
        db.execute(
            "INSERT OR IGNORE INTO suggestions (board_id, idea_id, candidate_id, score)"
            " VALUES (?, ?, ?, ?)",
            [board_id, idea_id, candidate_id, value],
        )


def suggestion_state(db: Database, board_id: int, idea_id: int, candidate_id: int) -> str | None:
    row = db.execute(
        "SELECT state FROM suggestions WHERE board_id = ? AND idea_id = ? AND candidate_id = ?",
        [board_id, idea_id, candidate_id],
    ).fetchone()
    return None if row is None else str(row[0])


def pending_candidates(db: Database, board_id: int, idea_id: int) -> list[int]:
    """The ids of the ideas still offered as the idea's duplicate, best score first."""
    rows = db.execute(
        "SELECT candidate_id FROM suggestions WHERE board_id = ? AND idea_id = ?"
        " AND state = 'pending' ORDER BY score DESC",
        [board_id, idea_id],
    ).fetchall()
    return [r[0] for r in rows]


def decide_suggestions(
    db: Database,
    board_id: int,
    idea_id: int,
    candidate_id: int | None,
    state: str,
    actor_id: int | None,
    at: str,
) -> None:
    """Close the idea's pending suggestions: one (``candidate_id``) or all of them."""
    where = "board_id = ? AND idea_id = ? AND state = 'pending'"
    params: list[Any] = [board_id, idea_id]
    if candidate_id is not None:
        where += " AND candidate_id = ?"
        params.append(candidate_id)
    db.execute(
        f"UPDATE suggestions SET state = ?, decided_by = ?, decided_at = ? WHERE {where}",
        [state, actor_id, at, *params],
    )


def _marks(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values)

"""Bulk reads and writes of an import: many ideas, messages and reaction facts at once.

The rows are the same ones live capture writes one at a time (``storage.ideas``,
``storage.votes``); here they go in with ``executemany`` inside the import's single
transaction, so a large history costs about what the SQL costs. Ids are taken
from the end of each table, which is safe inside the writer's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlite_utils import Database

from storage.rows import ExistingMessage, IdeaInsert, StoredAnonymous, StoredReaction
from storage.times import to_db

CHUNK = 500  # bound parameters per IN (...) query


def _chunks(values: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def existing_messages(
    db: Database, platform: str, channel_ids: Sequence[str]
) -> dict[tuple[str, str], ExistingMessage]:
    """(channel, message) -> where it stands, for every stored message of the channels."""
    out: dict[tuple[str, str], ExistingMessage] = {}
    for chunk in _chunks(sorted(set(channel_ids))):
        rows = db.execute(
            "SELECT channel_id, message_id, board_id, idea_id, id FROM messages"
            f" WHERE platform = ? AND channel_id IN ({', '.join('?' for _ in chunk)})",
            [platform, *chunk],
        ).fetchall()
        for r in rows:
            out[(r[0], r[1])] = ExistingMessage(board_id=r[2], idea_id=r[3], message_row=r[4])
    return out


def reactions_on(db: Database, board_id: int, message_rows: Sequence[int]) -> list[StoredReaction]:
    """Every reaction fact, active or taken back, on the board's given message rows."""
    out: list[StoredReaction] = []
    for start in range(0, len(message_rows), CHUNK):
        chunk = message_rows[start : start + CHUNK]
        rows = db.execute(
            "SELECT r.id, r.message_id, r.emoji, m.user_id, m.anonymous, r.removed_at IS NULL"
            " FROM reactions r JOIN members m ON m.id = r.member_id"
            f" WHERE r.board_id = ? AND r.message_id IN ({', '.join('?' for _ in chunk)})",
            [board_id, *chunk],
        ).fetchall()
        out += [StoredReaction(r[0], r[1], r[2], r[3], bool(r[4]), bool(r[5])) for r in rows]
    return out


def anonymous_on(db: Database, board_id: int, message_rows: Sequence[int]) -> list[StoredAnonymous]:
    """The active anonymous-vote counts on the board's given message rows."""
    out: list[StoredAnonymous] = []
    for start in range(0, len(message_rows), CHUNK):
        chunk = message_rows[start : start + CHUNK]
        rows = db.execute(
            "SELECT id, message_id, emoji, count FROM anonymous_votes"
            " WHERE board_id = ? AND removed_at IS NULL"
            f" AND message_id IN ({', '.join('?' for _ in chunk)})",
            [board_id, *chunk],
        ).fetchall()
        out += [StoredAnonymous(r[0], r[1], r[2], r[3]) for r in rows]
    return out


def set_anonymous(
    db: Database,
    board_id: int,
    ended: Sequence[int],
    rows: Sequence[tuple[int, int, str, int, str]],
) -> None:
    """End the ``ended`` anonymous counts, then store (idea, message row, emoji, count, at).

    An ended count is taken back at the moment it was added: a zero-length vote never
    counted in any period, so no digest shows it as lost; the count that replaces it
    keeps its time.
    """
    db.conn.executemany(
        "UPDATE anonymous_votes SET removed_at = added_at WHERE id = ? AND removed_at IS NULL",
        [(row_id,) for row_id in ended],
    )
    db.conn.executemany(
        "INSERT INTO anonymous_votes (board_id, idea_id, message_id, emoji, count, added_at)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(board_id, *row) for row in rows if row[3] > 0],
    )


def ensure_members(
    db: Database, platform: str, people: Sequence[tuple[str, str]]
) -> dict[str, int]:
    """user_id -> member id for (user_id, name) people, adding who is new.

    A known member's name follows the export only when the export has one; the name
    live capture saw last is otherwise kept.
    """
    db.conn.executemany(
        "INSERT OR IGNORE INTO members (platform, user_id, name) VALUES (?, ?, ?)",
        [(platform, uid, name or uid) for uid, name in people],
    )
    db.conn.executemany(
        "UPDATE members SET name = ? WHERE platform = ? AND user_id = ? AND name != ?",
        [(name, platform, uid, name) for uid, name in people if name],
    )
    ids: dict[str, int] = {}
    for chunk in _chunks([p[0] for p in people]):
        rows = db.execute(
            "SELECT user_id, id FROM members"
            f" WHERE platform = ? AND user_id IN ({', '.join('?' for _ in chunk)})",
            [platform, *chunk],
        ).fetchall()
        ids.update({r[0]: r[1] for r in rows})
    return ids


def reserve(db: Database, board_id: int, count: int) -> tuple[int, int, int]:
    """(first idea id, first message row id, first idea number) for ``count`` new ideas."""
    idea_id = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM ideas").fetchone()[0]
    message_row = db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM messages").fetchone()[0]
    number = db.execute(
        "UPDATE boards SET next_number = next_number + ? WHERE id = ? RETURNING next_number - ?",
        [count, board_id, count],
    ).fetchone()[0]
    return int(idea_id), int(message_row), int(number)


def insert_ideas(db: Database, board_id: int, ideas: Sequence[IdeaInsert], first_row: int) -> None:
    """The ideas and their source messages (message row ids from ``first_row`` on)."""
    db.conn.executemany(
        "INSERT INTO ideas (id, board_id, number, title, body, author_id, platform, channel_id,"
        " message_id, permalink, embedding, created_at, updated_at, merged_into, canonical_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
                to_db(i.created_at),
                to_db(i.updated_at),
                i.merged_into,
                i.canonical_id,
            )
            for i in ideas
        ],
    )
    db.conn.executemany(
        "INSERT INTO messages (id, board_id, idea_id, platform, channel_id, message_id, kind)"
        " VALUES (?, ?, ?, ?, ?, ?, 'source')",
        [
            (first_row + n, board_id, i.id, i.platform, i.channel_id, i.message_id)
            for n, i in enumerate(ideas)
        ],
    )


def insert_merges(
    db: Database, board_id: int, merges: Sequence[tuple[int, int, float, str]]
) -> None:
    """Automatic merges as live capture records them: (idea, into, score, at)."""
    db.conn.executemany(
        "INSERT INTO merges (board_id, idea_id, into_id, score, automatic, actor_id, at)"
        " VALUES (?, ?, ?, ?, 1, NULL, ?)",
        [(board_id, idea, into, score, at) for idea, into, score, at in merges],
    )


def insert_suggestions(
    db: Database, board_id: int, suggestions: Sequence[tuple[int, int, float]]
) -> None:
    """Pending "same as #12?" suggestions: (idea, candidate, score)."""
    db.conn.executemany(
        "INSERT OR IGNORE INTO suggestions (board_id, idea_id, candidate_id, score)"
        " VALUES (?, ?, ?, ?)",
        [(board_id, idea, candidate, score) for idea, candidate, score in suggestions],
    )


def insert_reactions(
    db: Database,
    board_id: int,
    rows: Sequence[tuple[int, int, int, str, str]],
    *,
    unless_withdrawn: bool,
) -> int:
    """Reaction facts (idea, message row, member, emoji, added_at); how many were new.

    An active fact is never added twice (the ``reactions_active`` unique index). With
    ``unless_withdrawn`` a fact taken back since is not added again either: an old
    export must not bring back a vote its owner withdrew.
    """
    before = db.conn.total_changes
    if unless_withdrawn:
        # board_id, idea_id, member_id first: the reactions_votes index answers it.
        sql = (
            "INSERT OR IGNORE INTO reactions"
            " (board_id, idea_id, message_id, member_id, emoji, added_at)"
            " SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE NOT EXISTS (SELECT 1 FROM reactions"
            " WHERE board_id = ?1 AND idea_id = ?2 AND member_id = ?4 AND message_id = ?3"
            " AND emoji = ?5)"
        )
    else:
        sql = (
            "INSERT OR IGNORE INTO reactions"
            " (board_id, idea_id, message_id, member_id, emoji, added_at)"
            " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
        )
    db.conn.executemany(sql, [(board_id, *row) for row in rows])
    return db.conn.total_changes - before


def attach_workspace(
    db: Database, platform: str, workspace_id: str, board_id: int, name: str | None
) -> None:
    """Make the board the workspace's own, as when its live bot first created it."""
    db.execute(
        "INSERT INTO workspaces (platform, workspace_id, board_id, name) VALUES (?, ?, ?, ?)",
        [platform, workspace_id, board_id, name],
    )

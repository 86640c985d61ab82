"""What reconciliation reads and writes: the messages of ideas that can still gain votes,
the stored votes on one message with when each last changed, and the place a pass
over a board has reached."""

from __future__ import annotations

from collections.abc import Iterable

from sqlite_utils import Database

# Statuses whose ideas can still gain votes (see bot.domain.Status).
OPEN_STATUSES = ("open", "under_review", "planned", "in_progress")


def messages_to_check(
    db: Database,
    board_id: int,
    platform: str,
    since: str,
    below: int | None,
    limit: int,
) -> list[tuple[int, str, str]]:
    """(idea id, channel id, message id) of every message on ``platform`` of the board's
    ideas that can still gain votes, newest idea first, from ideas with an id below
    ``below`` (all when None), up to ``limit`` ideas."""
    ideas = db.execute(
        "SELECT i.id FROM ideas i JOIN ideas c ON c.id = i.canonical_id"
        " WHERE i.board_id = ? AND i.deleted_at IS NULL AND c.deleted_at IS NULL"
        f" AND c.status IN ({', '.join('?' * len(OPEN_STATUSES))})"
        " AND i.created_at >= ? AND i.id < ?"
        " ORDER BY i.id DESC LIMIT ?",
        [board_id, *OPEN_STATUSES, since, below if below is not None else 2**62, limit],
    ).fetchall()
    if not ideas:
        return []
    ids = [r[0] for r in ideas]
    rows = db.execute(
        "SELECT idea_id, channel_id, message_id FROM messages"
        f" WHERE platform = ? AND idea_id IN ({', '.join('?' * len(ids))})"
        " ORDER BY idea_id DESC, id",
        [platform, *ids],
    ).fetchall()
    found = [(r[0], r[1], r[2]) for r in rows]
    # An idea without a message on this platform still moves the place on.
    with_messages = {r[0] for r in found}
    found += [(i, "", "") for i in ids if i not in with_messages]
    return sorted(found, key=lambda m: -m[0])


def stored_votes(
    db: Database, board_id: int, platform: str, channel_id: str, message_id: str, emoji: str
) -> tuple[int, int, dict[str, tuple[int, bool]]] | None:
    """(message row, idea id, user id -> (member id, vote active)) for the vote emoji on
    a message; None when the message stands for no idea."""
    row = db.execute(
        "SELECT id, idea_id FROM messages WHERE platform = ? AND channel_id = ?"
        " AND message_id = ? AND board_id = ?",
        [platform, channel_id, message_id, board_id],
    ).fetchone()
    if row is None:
        return None
    votes: dict[str, tuple[int, bool]] = {}
    for user_id, member_id, active in db.execute(
        "SELECT m.user_id, m.id, MAX(r.removed_at IS NULL)"
        " FROM reactions r JOIN members m ON m.id = r.member_id"
        " WHERE r.message_id = ? AND r.emoji = ? GROUP BY m.id",
        [row[0], emoji],
    ).fetchall():
        votes[user_id] = (member_id, bool(active))
    return row[0], row[1], votes


def add_votes(
    db: Database,
    board_id: int,
    idea_id: int,
    message_row: int,
    member_ids: Iterable[int],
    emoji: str,
    at: str,
) -> int:
    """Active votes for these members; the count added comes back."""
    added = 0
    for member_id in member_ids:
        added += db.execute(
            "INSERT OR IGNORE INTO reactions"
            " (board_id, idea_id, message_id, member_id, emoji, added_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [board_id, idea_id, message_row, member_id, emoji, at],
        ).rowcount
    return added


def remove_votes(
    db: Database, message_row: int, member_ids: Iterable[int], emoji: str, at: str
) -> int:
    """Take back these members' active votes; the count taken back comes back."""
    removed = 0
    for member_id in member_ids:
        removed += db.execute(
            "UPDATE reactions SET removed_at = ? WHERE message_id = ? AND member_id = ?"
            " AND emoji = ? AND removed_at IS NULL",
            [at, message_row, member_id, emoji],
        ).rowcount
    return removed


def end_anonymous(db: Database, message_row: int, emoji: str, at: str) -> int:
    """End a message's anonymous imported votes with ``emoji``: the platform has just
    named everybody who reacts, so the export's count of unnamed people is superseded
    (keeping it would count them twice). The number of votes ended comes back."""
    row = db.execute(
        "SELECT COALESCE(SUM(count), 0) FROM anonymous_votes"
        " WHERE message_id = ? AND emoji = ? AND removed_at IS NULL",
        [message_row, emoji],
    ).fetchone()
    db.execute(
        "UPDATE anonymous_votes SET removed_at = ?"
        " WHERE message_id = ? AND emoji = ? AND removed_at IS NULL",
        [at, message_row, emoji],
    )
    return int(row[0])


def place(db: Database, platform: str, board_id: int) -> int | None:
    """The id of the last idea a pass still under way has checked; None when none is."""
    row = db.execute(
        "SELECT place FROM reconcile_places WHERE platform = ? AND board_id = ?"
        " AND finished_at IS NULL",
        [platform, board_id],
    ).fetchone()
    return None if row is None else row[0]


def start(db: Database, platform: str, board_id: int, at: str) -> None:
    """A new pass (unless one is under way: that one carries on)."""
    db.execute(
        "INSERT INTO reconcile_places (platform, board_id, started_at, place, finished_at)"
        " VALUES (?, ?, ?, NULL, NULL)"
        " ON CONFLICT (platform, board_id) DO UPDATE SET"
        " started_at = excluded.started_at, place = NULL, finished_at = NULL"
        " WHERE reconcile_places.finished_at IS NOT NULL",
        [platform, board_id, at],
    )


def advance(db: Database, platform: str, board_id: int, idea_id: int) -> None:
    db.execute(
        "UPDATE reconcile_places SET place = ? WHERE platform = ? AND board_id = ?",
        [idea_id, platform, board_id],
    )


def finish(db: Database, platform: str, board_id: int, at: str) -> None:
    db.execute(
        "UPDATE reconcile_places SET finished_at = ?, place = NULL"
        " WHERE platform = ? AND board_id = ?",
        [at, platform, board_id],
    )

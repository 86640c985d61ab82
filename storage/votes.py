"""Reaction facts: who put a vote emoji on which message, when, and when they took it off.

Votes are never stored as counts: an idea's score is derived from these facts
(see ``storage.ideas.SCORE_SQL``), so merges and unmerges move nothing.
"""

from __future__ import annotations

from sqlite_utils import Database

from storage.rows import ReactionOutcome


def record_reaction(
    db: Database,
    *,
    board_id: int,
    platform: str,
    channel_id: str,
    message_id: str,
    member_id: int,
    emoji: str,
    added: bool,
    at: str,
) -> ReactionOutcome:
    """Record one reaction event on a board's message; repeats change nothing."""
    row = db.execute(
        "SELECT m.idea_id, m.id, i.number FROM messages m JOIN ideas i ON i.id = m.idea_id"
        " WHERE m.platform = ? AND m.channel_id = ? AND m.message_id = ? AND m.board_id = ?",
        [platform, channel_id, message_id, board_id],
    ).fetchone()
    if row is None:
        return ReactionOutcome(idea_id=None, number=None, changed=False)
    idea_id, message_row, number = row
    if added:
        cursor = db.execute(
            "INSERT OR IGNORE INTO reactions"
            " (board_id, idea_id, message_id, member_id, emoji, added_at)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            [board_id, idea_id, message_row, member_id, emoji, at],
        )
    else:
        cursor = db.execute(
            "UPDATE reactions SET removed_at = ? WHERE message_id = ? AND member_id = ?"
            " AND emoji = ? AND removed_at IS NULL",
            [at, message_row, member_id, emoji],
        )
    return ReactionOutcome(idea_id=idea_id, number=number, changed=cursor.rowcount > 0)

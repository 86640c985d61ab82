"""Merging one board into another on SQLite: every row of the source board moves, its
ideas renumbered after the target's, and the source board's row goes.

Runs inside the caller's transaction (see ``storage.database``). Ideas keep their ids, so
everything that points at an idea (messages, reaction facts, merges, statuses,
suggestions, pair labels, outbox rows) stays right once its ``board_id`` follows; votes
resolve through ``ideas.canonical_id`` as before, so none is counted twice or lost.
"""

from __future__ import annotations

from sqlite_utils import Database

# Tables whose rows of the source board become the target's, as they are.
MOVED_TABLES = (
    "workspaces",
    "channels",
    "messages",
    "reactions",
    "anonymous_votes",
    "status_changes",
    "merges",
    "suggestions",
    "moderation_log",
    "pair_labels",
    "link_codes",
    "outbox",
    "webhooks",
    "votes_reached",
)
# Per-board state the target keeps its own of: the source's row is dropped. Web
# visibility stays the target's; a reconciliation pass of the target re-reads the moved
# ideas in its next pass.
DROPPED_TABLES = ("web_access", "reconcile_places")

__all__ = ["DROPPED_TABLES", "MOVED_TABLES", "merge_boards"]


def merge_boards(db: Database, source_id: int, into_id: int, at: str) -> list[tuple[int, int, int]]:
    """Move every row of board ``source_id`` onto ``into_id`` and delete the source board:
    (idea id, old number, new number) of each moved idea, in old number order. A moved
    idea is updated ``at``: its number changed."""
    (into_next,) = db.execute(
        "SELECT MAX(b.next_number, COALESCE(MAX(i.number), 0) + 1) FROM boards b"
        " LEFT JOIN ideas i ON i.board_id = b.id WHERE b.id = ?",
        [into_id],
    ).fetchone()
    moved = db.execute(
        "SELECT id, number FROM ideas WHERE board_id = ? ORDER BY number", [source_id]
    ).fetchall()
    renumbered = [(r[0], r[1], into_next + i) for i, r in enumerate(moved)]
    db.conn.executemany(
        "UPDATE ideas SET board_id = ?, number = ?, updated_at = ? WHERE id = ?",
        [(into_id, new, at, idea_id) for idea_id, _, new in renumbered],
    )
    db.execute(
        "UPDATE boards SET next_number = ? WHERE id = ?", [into_next + len(renumbered), into_id]
    )
    for table in MOVED_TABLES:
        db.execute(f"UPDATE {table} SET board_id = ? WHERE board_id = ?", [into_id, source_id])
    # A channel moved between the boards before may have a post of one period under
    # each: the target's record of that period stands (the period was posted once).
    db.execute(
        "DELETE FROM digest_posts WHERE board_id = ?1 AND EXISTS (SELECT 1 FROM digest_posts d"
        " WHERE d.board_id = ?2 AND d.platform = digest_posts.platform"
        " AND d.channel_id = digest_posts.channel_id"
        " AND d.period_start = digest_posts.period_start)",
        [source_id, into_id],
    )
    db.execute("UPDATE digest_posts SET board_id = ? WHERE board_id = ?", [into_id, source_id])
    for table in DROPPED_TABLES:
        db.execute(f"DELETE FROM {table} WHERE board_id = ?", [source_id])
    db.execute("DELETE FROM boards WHERE id = ?", [source_id])
    return renumbered

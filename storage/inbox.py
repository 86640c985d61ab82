"""The durable inbox: platform events written before they are acknowledged.

A platform that sends an event once (Slack does not send again what was
acknowledged) loses it to a crash between the acknowledgement and its handling,
unless it was written down first. Each event is stored by its platform's event id
(a redelivery is stored once) and marked done once handled.
"""

from __future__ import annotations

from sqlite_utils import Database


def put(db: Database, platform: str, event_id: str, body: str, at: str) -> bool:
    """Store an event before it is acknowledged; False when it is already here."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO inbox (platform, event_id, body, received_at) VALUES (?, ?, ?, ?)",
        [platform, event_id, body, at],
    )
    return cursor.rowcount == 1


def done(db: Database, platform: str, event_ids: list[str], at: str) -> None:
    """Mark events handled."""
    db.conn.executemany(
        "UPDATE inbox SET done_at = ? WHERE platform = ? AND event_id = ? AND done_at IS NULL",
        [(at, platform, event_id) for event_id in event_ids],
    )


def pending(db: Database, platform: str, after: int, limit: int) -> list[tuple[int, str, str]]:
    """(row id, event id, body) of events not yet handled, oldest first, after a row id."""
    rows = db.execute(
        "SELECT id, event_id, body FROM inbox WHERE platform = ? AND done_at IS NULL AND id > ?"
        " ORDER BY id LIMIT ?",
        [platform, after, limit],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def forget_done(db: Database, before: str) -> int:
    """Drop events handled before ``before``; the count dropped comes back."""
    return db.execute(
        "DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", [before]
    ).rowcount

"""Digest posts: claimed before posting, recorded once the platform accepted them.

Every function runs inside one write transaction (``BEGIN IMMEDIATE``), which SQLite
serialises across processes, so two processes on one database never both hold the
claim on a (board, channel, period).
"""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from storage.rows import Claim, PostKey, PostRow
from storage.times import from_db, to_db

POSTING = "posting"
POSTED = "posted"


_WHERE = "board_id = ? AND platform = ? AND channel_id = ? AND period_start = ?"


def _args(key: PostKey) -> list[str | int]:
    return [key.board_id, key.platform, key.channel_id, to_db(key.period_start)]


def claim(
    db: Database,
    key: PostKey,
    owner: str,
    now: str,
    until: str,
    late: bool,
    *,
    ignore_backoff: bool = False,
) -> Claim | None:
    """The claim on posting ``key`` for ``owner`` until ``until``; None when it is not ours
    to post: already posted, a newer period already posted there, another owner's
    claim still running, or a retry not yet due."""
    newer = db.execute(
        "SELECT 1 FROM digest_posts WHERE board_id = ? AND platform = ? AND channel_id = ?"
        " AND period_start > ? AND state = ? LIMIT 1",
        [key.board_id, key.platform, key.channel_id, to_db(key.period_start), POSTED],
    ).fetchone()
    if newer is not None:
        return None
    row = db.execute(
        f"SELECT state, claimed_by, claimed_until, attempts, next_try_at FROM digest_posts"
        f" WHERE {_WHERE}",
        _args(key),
    ).fetchone()
    if row is None:
        db.execute(
            "INSERT INTO digest_posts (board_id, platform, workspace_id, channel_id,"
            " period_start, period_end, label, state, claimed_by, claimed_until, attempts, late)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)",
            [
                key.board_id,
                key.platform,
                key.workspace_id,
                key.channel_id,
                to_db(key.period_start),
                to_db(key.period_end),
                key.label,
                POSTING,
                owner,
                until,
                int(late),
            ],
        )
        return Claim(attempt=1, resumed=False)
    state, claimed_by, claimed_until, attempts, next_try_at = row
    if state == POSTED:
        return None
    if claimed_until is not None and claimed_until > now:
        return None  # an attempt is under way, here or in another process
    if next_try_at is not None and next_try_at > now and not ignore_backoff:
        return None
    db.execute(
        f"UPDATE digest_posts SET claimed_by = ?, claimed_until = ?, attempts = attempts + 1,"
        f" late = ? WHERE {_WHERE}",
        [owner, until, int(late), *_args(key)],
    )
    # A claim left by a process that died may have posted some parts already.
    return Claim(attempt=attempts + 1, resumed=claimed_by is not None)


def posted(db: Database, key: PostKey, owner: str, message_id: str, now: str) -> bool:
    """Record the post as done; False when the claim was no longer ``owner``'s."""
    cursor = db.execute(
        f"UPDATE digest_posts SET state = ?, posted_at = ?, message_id = ?, claimed_by = NULL,"
        f" claimed_until = NULL, next_try_at = NULL, last_error = NULL"
        f" WHERE {_WHERE} AND claimed_by = ?",
        [POSTED, now, message_id, *_args(key), owner],
    )
    return cursor.rowcount == 1


def failed(db: Database, key: PostKey, owner: str, error: str, next_try_at: str) -> None:
    """Release the claim after a failed attempt; the next try waits until ``next_try_at``."""
    db.execute(
        f"UPDATE digest_posts SET claimed_by = NULL, claimed_until = NULL, next_try_at = ?,"
        f" last_error = ? WHERE {_WHERE} AND claimed_by = ?",
        [next_try_at, error[:500], *_args(key), owner],
    )


def pending_times(db: Database, now: str) -> list[str]:
    """When unfinished posts may be tried again (retries due, claims running out) after
    ``now``; what was due by ``now`` has just been tried, or belongs to a period or a
    channel that is no longer posted to."""
    rows = db.execute(
        "SELECT t FROM (SELECT COALESCE(MAX(next_try_at, claimed_until), next_try_at,"
        " claimed_until) AS t FROM digest_posts WHERE state = ?) WHERE t > ?",
        [POSTING, now],
    ).fetchall()
    return [r[0] for r in rows]


def latest(db: Database, board_id: int) -> list[PostRow]:
    """The newest post of each of the board's channels."""
    rows = db.execute(
        "SELECT platform, channel_id, period_start, label, state, attempts, next_try_at,"
        " last_error, claimed_until, posted_at, late FROM digest_posts p WHERE board_id = ?"
        " AND period_start = (SELECT MAX(period_start) FROM digest_posts q"
        "  WHERE q.board_id = p.board_id AND q.platform = p.platform"
        "  AND q.channel_id = p.channel_id)"
        " ORDER BY platform, channel_id",
        [board_id],
    ).fetchall()
    return [
        PostRow(
            platform=r[0],
            channel_id=r[1],
            period_start=from_db(r[2]),
            label=r[3],
            state=r[4],
            attempts=r[5],
            next_try_at=_time(r[6]),
            last_error=r[7],
            claimed_until=_time(r[8]),
            posted_at=_time(r[9]),
            late=bool(r[10]),
        )
        for r in rows
    ]


def _time(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)

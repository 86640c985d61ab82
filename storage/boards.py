"""Boards, the workspaces and channels attached to them, members, and the logs around them.

Every function takes a sqlite-utils ``Database`` and runs inside the caller's
transaction (see ``storage.database``).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from sqlite_utils import Database

from storage.rows import BoardRow, MemberRow


def _board(row: tuple[Any, ...] | None) -> BoardRow | None:
    if row is None:
        return None
    return BoardRow(id=row[0], name=row[1], settings=json.loads(row[2]))


def board_by_id(db: Database, board_id: int) -> BoardRow | None:
    return _board(
        db.execute("SELECT id, name, settings FROM boards WHERE id = ?", [board_id]).fetchone()
    )


def board_by_name(db: Database, name: str) -> BoardRow | None:
    return _board(
        db.execute("SELECT id, name, settings FROM boards WHERE name = ?", [name]).fetchone()
    )


def all_boards(db: Database) -> list[BoardRow]:
    rows = db.execute("SELECT id, name, settings FROM boards ORDER BY id").fetchall()
    return [b for b in map(_board, rows) if b is not None]


def create_board(db: Database, name: str, created_at: str) -> BoardRow:
    """A new board; its name is made unique by a numeric suffix when taken."""
    base, n = name, 1
    while db.execute("SELECT 1 FROM boards WHERE name = ?", [name]).fetchone():
        n += 1
        name = f"{base}-{n}"
    cursor = db.execute("INSERT INTO boards (name, created_at) VALUES (?, ?)", [name, created_at])
    return BoardRow(id=int(cursor.lastrowid or 0), name=name, settings={})


def create_named_board(db: Database, name: str, created_at: str) -> BoardRow | None:
    """A new board with exactly ``name``; None when a board has it already."""
    if db.execute("SELECT 1 FROM boards WHERE name = ?", [name]).fetchone():
        return None
    cursor = db.execute("INSERT INTO boards (name, created_at) VALUES (?, ?)", [name, created_at])
    return BoardRow(id=int(cursor.lastrowid or 0), name=name, settings={})


def rename_board(db: Database, board_id: int, name: str) -> bool:
    """False when another board has ``name``."""
    taken = db.execute("SELECT id FROM boards WHERE name = ?", [name]).fetchone()
    if taken is not None:
        return bool(taken[0] == board_id)
    db.execute("UPDATE boards SET name = ? WHERE id = ?", [name, board_id])
    return True


def board_workspaces(db: Database, board_id: int) -> list[tuple[str, str, str | None]]:
    rows = db.execute(
        "SELECT platform, workspace_id, name FROM workspaces WHERE board_id = ?"
        " ORDER BY platform, workspace_id",
        [board_id],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def board_for_workspace(db: Database, platform: str, workspace_id: str) -> BoardRow | None:
    row = db.execute(
        "SELECT b.id, b.name, b.settings FROM workspaces w JOIN boards b ON b.id = w.board_id"
        " WHERE w.platform = ? AND w.workspace_id = ?",
        [platform, workspace_id],
    ).fetchone()
    return _board(row)


def ensure_workspace_board(
    db: Database, platform: str, workspace_id: str, name: str, created_at: str
) -> BoardRow:
    """The workspace's board, created on first use."""
    board = board_for_workspace(db, platform, workspace_id)
    if board is not None:
        return board
    board = create_board(db, name, created_at)
    db.execute(
        "INSERT INTO workspaces (platform, workspace_id, board_id, name) VALUES (?, ?, ?, ?)",
        [platform, workspace_id, board.id, name],
    )
    return board


def save_settings(db: Database, board_id: int, settings: dict[str, Any]) -> None:
    db.execute(
        "UPDATE boards SET settings = ? WHERE id = ?",
        [json.dumps(settings, sort_keys=True), board_id],
    )


def set_channel(
    db: Database,
    board_id: int,
    platform: str,
    workspace_id: str,
    channel_id: str,
    purpose: str,
    enabled: bool,
    at: str,
) -> None:
    if enabled:
        # A channel set up again keeps the time it was first added: the digest
        # scheduler posts into it only what fell due after that.
        db.execute(
            "INSERT INTO channels (board_id, platform, workspace_id, channel_id, purpose, added_at)"
            " VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (platform, workspace_id, channel_id, purpose)"
            " DO UPDATE SET board_id = excluded.board_id",
            [board_id, platform, workspace_id, channel_id, purpose, at],
        )
    else:
        db.execute(
            "DELETE FROM channels WHERE board_id = ? AND platform = ? AND workspace_id = ?"
            " AND channel_id = ? AND purpose = ?",
            [board_id, platform, workspace_id, channel_id, purpose],
        )


def digest_channels(db: Database, board_id: int) -> list[tuple[str, str, str, str | None]]:
    """(platform, workspace_id, channel_id, added_at) of the board's digest channels."""
    rows = db.execute(
        "SELECT platform, workspace_id, channel_id, added_at FROM channels"
        " WHERE board_id = ? AND purpose = 'digest' ORDER BY platform, channel_id",
        [board_id],
    ).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def channels(db: Database, board_id: int, purpose: str) -> list[tuple[str, str, str]]:
    """(platform, workspace_id, channel_id) of the board's channels for ``purpose``."""
    rows = db.execute(
        "SELECT platform, workspace_id, channel_id FROM channels"
        " WHERE board_id = ? AND purpose = ? ORDER BY platform, channel_id",
        [board_id, purpose],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def ensure_member(db: Database, platform: str, user_id: str, name: str) -> int:
    """The member's id, created on first sight; the display name follows the latest one."""
    row = db.execute(
        "SELECT id, name FROM members WHERE platform = ? AND user_id = ?", [platform, user_id]
    ).fetchone()
    if row is None:
        cursor = db.execute(
            "INSERT INTO members (platform, user_id, name) VALUES (?, ?, ?)",
            [platform, user_id, name or user_id],
        )
        return int(cursor.lastrowid or 0)
    if name and name != row[1]:
        db.execute("UPDATE members SET name = ? WHERE id = ?", [name, row[0]])
    return int(row[0])


def member(db: Database, member_id: int) -> MemberRow | None:
    row = db.execute(
        "SELECT id, platform, user_id, name FROM members WHERE id = ?", [member_id]
    ).fetchone()
    return None if row is None else MemberRow(*row)


def first_event(db: Database, platform: str, event_id: str, seen_at: str) -> bool:
    """True the first time an event id is seen; False for a re-delivery."""
    cursor = db.execute(
        "INSERT OR IGNORE INTO processed_events (platform, event_id, seen_at) VALUES (?, ?, ?)",
        [platform, event_id, seen_at],
    )
    return cursor.rowcount == 1


def log_action(
    db: Database, board_id: int, actor_id: int | None, action: str, details: dict[str, Any], at: str
) -> None:
    db.execute(
        "INSERT INTO moderation_log (board_id, actor_id, action, details, at)"
        " VALUES (?, ?, ?, ?, ?)",
        [board_id, actor_id, action, json.dumps(details, sort_keys=True), at],
    )


def board_for_channel(db: Database, platform: str, channel_id: str, purpose: str) -> int | None:
    row = db.execute(
        "SELECT board_id FROM channels WHERE platform = ? AND channel_id = ? AND purpose = ?",
        [platform, channel_id, purpose],
    ).fetchone()
    return None if row is None else int(row[0])


def cursor(db: Database, platform: str, channel_id: str) -> str | None:
    row = db.execute(
        "SELECT last_message_id FROM channel_cursors WHERE platform = ? AND channel_id = ?",
        [platform, channel_id],
    ).fetchone()
    return None if row is None else str(row[0])


def advance_cursor(db: Database, platform: str, channel_id: str, message_id: str) -> None:
    """Move the channel's cursor forward to ``message_id``; never backwards.

    Message ids are compared as exact decimals (Discord snowflakes, Slack ``ts``).
    """
    current = cursor(db, platform, channel_id)
    if current is not None and Decimal(current) >= Decimal(message_id):
        return
    db.execute(
        "INSERT OR REPLACE INTO channel_cursors (platform, channel_id, last_message_id)"
        " VALUES (?, ?, ?)",
        [platform, channel_id, message_id],
    )


def add_link_code(
    db: Database, code: str, board_id: int, actor_id: int | None, created_at: str, expires_at: str
) -> None:
    db.execute(
        "INSERT INTO link_codes (code, board_id, created_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        [code, board_id, actor_id, created_at, expires_at],
    )


def link_code(db: Database, code: str) -> tuple[int, str, str | None] | None:
    """(board_id, expires_at, used_at) of a code, if it exists."""
    row = db.execute(
        "SELECT board_id, expires_at, used_at FROM link_codes WHERE code = ?", [code]
    ).fetchone()
    return None if row is None else (int(row[0]), str(row[1]), row[2])


def use_link_code(db: Database, code: str, platform: str, workspace_id: str, at: str) -> bool:
    """Mark the code used; False when it was used meanwhile."""
    cursor = db.execute(
        "UPDATE link_codes SET used_at = ?, used_by_platform = ?, used_by_workspace = ?"
        " WHERE code = ? AND used_at IS NULL",
        [at, platform, workspace_id, code],
    )
    return cursor.rowcount == 1


def move_workspace(db: Database, platform: str, workspace_id: str, board_id: int) -> None:
    """Attach a workspace, and its channels, to another board."""
    db.execute(
        "UPDATE workspaces SET board_id = ? WHERE platform = ? AND workspace_id = ?",
        [board_id, platform, workspace_id],
    )
    db.execute(
        "UPDATE channels SET board_id = ? WHERE platform = ? AND workspace_id = ?",
        [board_id, platform, workspace_id],
    )


def idea_count(db: Database, board_id: int) -> int:
    return int(
        db.execute(
            "SELECT COUNT(*) FROM ideas WHERE board_id = ? AND deleted_at IS NULL", [board_id]
        ).fetchone()[0]
    )

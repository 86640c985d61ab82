"""The shell's side of the end-to-end tests: `ideabot ...` as its own process, and the
outbox as the running bot leaves it."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

CLI = [sys.executable, "-c", "from bot.cli import main; main()"]


async def shell(db: Path | str, *args: str) -> str:
    """`ideabot ARGS --db DB` in its own process; its output (it must succeed)."""
    process = await asyncio.create_subprocess_exec(
        *CLI,
        *args,
        "--db",
        str(db),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, out.decode()
    return out.decode()


def undelivered(db: Path) -> int:
    """Outbox rows not yet marked done in the SQLite file ``db``."""
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM outbox WHERE done_at IS NULL").fetchone()[0])
    finally:
        conn.close()

"""SQLite's own errors during an import: one line, and the database as it was.

A file size limit (RLIMIT_FSIZE, in a child process: it is a property of the process)
makes the disk "full" half way through the import's transaction; another process holding
the write lock past the busy timeout makes it "locked".
"""

from __future__ import annotations

import os
import resource
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage import connection
from tests.bot.importing.conftest import SLACK, run, table_digest
from tests.bot.test_cli import CLEAN_ENV, assert_one_line_error, sha
from tests.fakes.embedder import TestEmbedder

ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-c", "from bot.cli import main; main()"]


def test_a_file_size_limit_during_the_import_is_one_line(db: Path) -> None:
    before, digest = sha(db), table_digest(db)
    # Files may not grow past 16 KB: the database is larger already and is only read
    # until the import's transaction fills its write-ahead log, which is new.
    limit = 16 * 1024
    assert db.stat().st_size > limit

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in CLEAN_ENV:
        env.pop(name, None)
    done = subprocess.run(
        [*CLI, "import", str(SLACK), "--db", str(db)],
        env=env,
        preexec_fn=limited,
        capture_output=True,
        check=False,
        timeout=600,
    )
    err = done.stderr.decode()
    assert done.returncode == 1, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {db}: "), lines
    assert "nothing was changed" in lines[0]
    assert table_digest(db) == digest
    assert sha(db) == before


def test_a_lock_held_past_the_timeout_is_one_line(
    db: Path, embedder: TestEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connection, "BUSY_TIMEOUT_MS", 50)
    digest = table_digest(db)
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process in the middle of a write
    try:
        result = run(["import", str(SLACK), "--db", str(db)], embedder)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    line = assert_one_line_error(result, str(db), "database is locked", "try again")
    assert "nothing was changed" in line
    assert table_digest(db) == digest

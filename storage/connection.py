"""Connections to a SQLite file: the pragmas every connection uses, the writer's
connection with its after-commit callbacks, savepoints per item, and migrations."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

from storage.opening import SCHEMA_VERSION, StoreError, inspect, sqlite_problem
from storage.schema import migrations

T = TypeVar("T")
R = TypeVar("R")

# How long a statement waits for another process's lock before "database is locked".
BUSY_TIMEOUT_MS = 30_000


class WriterDatabase(Database):
    """The writer's connection; it runs callbacks once their transaction has committed."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        super().__init__(conn, execute_plugins=False)
        self.pending_callbacks: list[Callable[[], None]] = []


def after_commit(db: Database, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the current write has committed; never if it rolls back.

    For caches of what the write stored: a cache filled before the commit would keep
    ids that a rollback took back.
    """
    if isinstance(db, WriterDatabase) and db.conn.in_transaction:
        db.pending_callbacks.append(callback)
    else:
        callback()


def each_alone(
    db: Database, fn: Callable[[Database, T], R], items: list[T]
) -> list[R | sqlite3.Error]:
    """``fn`` on each item inside the current write, as if each ran in a savepoint of its
    own: an item whose statements fail leaves nothing of itself behind (its callbacks are
    dropped too) and comes back as its error, while the others stand.

    Optimistic: all items first run under one savepoint (a savepoint per item cost more
    than a vote's own statements); only when one fails are they rolled back and run again
    one savepoint each, which gives the same outcome as running them so from the start.
    """
    callbacks = len(getattr(db, "pending_callbacks", []))
    db.execute("SAVEPOINT each_batch")
    try:
        out: list[R | sqlite3.Error] = [fn(db, item) for item in items]
    except sqlite3.Error:
        db.execute("ROLLBACK TO each_batch")
        db.execute("RELEASE each_batch")
        if isinstance(db, WriterDatabase):
            del db.pending_callbacks[callbacks:]
        return _one_by_one(db, fn, items)
    db.execute("RELEASE each_batch")
    return out


def attempt(db: Database, fn: Callable[[Database], R | None]) -> R | None:
    """``fn(db)`` inside a savepoint of the current write: kept when it returns a value;
    undone, its statements and its callbacks, when it returns None or raises a
    ``sqlite3.Error`` (then None comes back)."""
    callbacks = len(getattr(db, "pending_callbacks", []))
    db.execute("SAVEPOINT attempt")
    try:
        result = fn(db)
    except sqlite3.Error:
        result = None
    if result is None:
        db.execute("ROLLBACK TO attempt")
        if isinstance(db, WriterDatabase):
            del db.pending_callbacks[callbacks:]
    db.execute("RELEASE attempt")
    return result


def _one_by_one(
    db: Database, fn: Callable[[Database, T], R], items: list[T]
) -> list[R | sqlite3.Error]:
    out: list[R | sqlite3.Error] = []
    for item in items:
        callbacks = len(getattr(db, "pending_callbacks", []))
        db.execute("SAVEPOINT each_alone")
        try:
            out.append(fn(db, item))
        except sqlite3.Error as exc:
            db.execute("ROLLBACK TO each_alone")
            if isinstance(db, WriterDatabase):
                del db.pending_callbacks[callbacks:]
            out.append(exc)
        db.execute("RELEASE each_alone")
    return out


def connect(path: Path | str, *, readonly: bool = False, uri: bool = False) -> Database:
    """A sqlite-utils Database on ``path`` with the pragmas every connection here uses.

    With ``uri`` the path is a ``file:`` URI (``storage.opening.readonly_uri``).
    """
    conn = sqlite3.connect(
        str(path),
        check_same_thread=False,
        isolation_level=None,
        timeout=BUSY_TIMEOUT_MS / 1000,
        uri=uri,
    )
    db = Database(conn, execute_plugins=False) if readonly else WriterDatabase(conn)
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_MS)}")
    if readonly:
        conn.execute("PRAGMA query_only=ON")
    else:
        # WAL: readers never block the writer; NORMAL is durable across crashes of
        # the process (only a power cut can lose the last commits).
        db.enable_wal()
        conn.execute("PRAGMA synchronous=NORMAL")
    return db


def migrate(db: Database) -> None:
    """Create the schema or upgrade it to the newest version."""
    migrations.apply(db)


def upgrade(path: Path) -> tuple[int, int]:
    """Migrate the existing database at ``path`` to this ideabot's schema: (before, after)."""
    found = inspect(path, for_write=True)
    if found is None:
        raise StoreError(f"no database at {path}")
    try:
        db = connect(path)
        try:
            migrate(db)
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise sqlite_problem(path, exc) from None
    return found.version, SCHEMA_VERSION

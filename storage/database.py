"""One async interface over a SQLite file: reads in a thread pool, writes through one writer.

As in datasette, every write goes through a single writer thread, so writers never
contend for the lock. The writer commits in groups: it takes every write waiting in
its queue and runs them in one transaction, so a burst of chat events (reactions
arrive by the hundred) costs one commit instead of one each. A write that raises
is not allowed to spoil its group: the group is rolled back and each write is run
again in a transaction of its own, so only the failing one fails.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlite_utils import Database

from storage.opening import (
    SCHEMA_VERSION,
    StoreError,
    check_readable,
    create_private,
    inspect,
    readonly_uri,
    sqlite_problem,
)
from storage.schema import migrations

__all__ = [
    "AsyncDatabase",
    "StoreError",
    "after_commit",
    "attempt",
    "connect",
    "each_alone",
    "migrate",
    "upgrade",
]

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

# How many queued writes may share one transaction.
MAX_GROUP = 2000
# How long a statement waits for another process's lock before "database is locked".
BUSY_TIMEOUT_MS = 30_000


@dataclass
class _Job:
    fn: Callable[[Database], Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


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


class AsyncDatabase:
    """Awaitable reads and grouped writes over one SQLite file."""

    def __init__(
        self, path: Path | str, *, readers: int = 2, readonly: bool = False, live: bool = False
    ) -> None:
        self.path = Path(path)
        self.readonly = readonly
        # Read-only: no writer connection at all, and readers that cannot create files.
        self._writer_db: WriterDatabase | None = (
            None if readonly else cast(WriterDatabase, connect(self.path))
        )
        self._reader_target = readonly_uri(self.path, live=live) if readonly else str(self.path)
        self._queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._local = threading.local()
        self._reader_dbs: list[Database] = []
        self._reader_lock = threading.Lock()
        self._readers = ThreadPoolExecutor(max_workers=readers, thread_name_prefix="ideabot-read")
        self._thread = threading.Thread(target=self._run_writer, name="ideabot-write", daemon=True)
        self._closed = False

    @property
    def _writer(self) -> WriterDatabase:
        assert self._writer_db is not None, "a read-only database has no writer"
        return self._writer_db

    @classmethod
    async def open(
        cls, path: Path | str, *, create: bool = True, live: bool = False
    ) -> AsyncDatabase:
        """The database at ``path``, migrated to the current schema (created if new, 0600).

        With ``create=False`` the database is opened as it is, read-only: nothing is
        written, not even a migration, a journal-mode switch or a new file; a missing
        file, one that needs a migration, or one that is not ideabot's is a StoreError.
        A database from a newer ideabot is a StoreError either way. ``live`` (with
        ``create=False``): the readers see what other processes commit while it is open
        (see ``storage.opening.readonly_uri``).
        """
        path = Path(path)
        if not create:
            await asyncio.to_thread(check_readable, path)
            return cls(path, readonly=True, live=live)
        found = await asyncio.to_thread(inspect, path, for_write=True)
        made = found is None
        if made:
            create_private(path)
        database: AsyncDatabase | None = None
        try:
            database = cls(path)
            await asyncio.to_thread(migrate, database._writer)
        except sqlite3.Error as exc:
            if database is not None:
                database._readers.shutdown()
                database._writer.close()
            if made:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
            raise sqlite_problem(path, exc) from None
        database._thread.start()
        return database

    async def write(
        self, fn: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``fn(db, *args, **kwargs)`` on the writer connection, inside a transaction."""
        return await self.write_soon(fn, *args, **kwargs)

    def write_soon(
        self, fn: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> asyncio.Future[T]:
        """Queue ``fn`` for the writer right away, as ``write`` does; its future."""
        if self._closed:
            raise StoreError("the database is closed")
        if self.readonly:
            raise StoreError(f"{self.path} was opened read-only; this command does not write")
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._queue.put(_Job(_bind(fn, args, kwargs), future, loop))
        return future

    async def read(
        self, fn: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``fn(db, *args, **kwargs)`` on a read-only connection from the reader pool."""
        if self._closed:
            raise StoreError("the database is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._readers, self._call_reader, _bind(fn, args, kwargs))

    async def close(self) -> None:
        """Finish queued writes, then close every connection."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive():
            self._queue.put(None)
            await asyncio.get_running_loop().run_in_executor(None, self._thread.join)
        self._readers.shutdown(wait=True)
        for db in self._reader_dbs:
            db.close()
        if self._writer_db is not None:
            self._writer_db.close()

    # -- threads ---------------------------------------------------------------

    def _call_reader(self, fn: Callable[[Database], T]) -> T:
        db = getattr(self._local, "db", None)
        if db is None:
            db = connect(self._reader_target, readonly=True, uri=self.readonly)
            self._local.db = db
            with self._reader_lock:
                self._reader_dbs.append(db)
        return fn(db)

    def _run_writer(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            group = [first]
            stop = False
            while len(group) < MAX_GROUP:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                group.append(job)
            self._run_group(group)
            if stop:
                return

    def _run_group(self, group: list[_Job]) -> None:
        db = self._writer
        outcomes: list[tuple[_Job, Any, BaseException | None]] = []
        try:
            db.execute("BEGIN IMMEDIATE")
            for job in group:
                outcomes.append((job, job.fn(db), None))
            db.execute("COMMIT")
            self._committed()
        except BaseException:
            self._rollback()
            outcomes = [self._run_alone(job) for job in group]
        self._deliver(outcomes)

    def _run_alone(self, job: _Job) -> tuple[_Job, Any, BaseException | None]:
        db = self._writer
        try:
            db.execute("BEGIN IMMEDIATE")
            result = job.fn(db)
            db.execute("COMMIT")
            self._committed()
            return job, result, None
        except BaseException as exc:
            self._rollback()
            return job, None, exc

    def _committed(self) -> None:
        callbacks, self._writer.pending_callbacks = self._writer.pending_callbacks, []
        for callback in callbacks:
            callback()

    def _rollback(self) -> None:
        self._writer.pending_callbacks = []
        if self._writer.conn.in_transaction:
            self._writer.execute("ROLLBACK")

    @staticmethod
    def _deliver(outcomes: list[tuple[_Job, Any, BaseException | None]]) -> None:
        # One wake-up per event loop per group, not one per write.
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job, Any, BaseException | None]]] = {}
        for outcome in outcomes:
            by_loop.setdefault(outcome[0].loop, []).append(outcome)
        for loop, items in by_loop.items():
            # A closed loop raises RuntimeError: nobody is waiting any more.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(_settle, items)


def _bind(
    fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
) -> Callable[[Database], T]:
    if not args and not kwargs:
        return fn
    return lambda db: fn(db, *args, **kwargs)


def _settle(items: list[tuple[_Job, Any, BaseException | None]]) -> None:
    for job, result, exc in items:
        if job.future.done():
            continue
        if exc is not None:
            job.future.set_exception(exc)
        else:
            job.future.set_result(result)

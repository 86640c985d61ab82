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
from collections.abc import AsyncIterator, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlite_utils import Database

from storage.calls import Calls, InlineAwait, InlineCalls, run_inline
from storage.connection import (
    WriterDatabase,
    after_commit,
    attempt,
    connect,
    each_alone,
    migrate,
    upgrade,
)
from storage.opening import (
    StoreError,
    check_readable,
    create_private,
    inspect,
    readonly_uri,
    sqlite_problem,
)

__all__ = [
    "AsyncDatabase",
    "Calls",
    "InlineAwait",
    "InlineCalls",
    "StoreError",
    "after_commit",
    "attempt",
    "connect",
    "each_alone",
    "migrate",
    "run_inline",
    "upgrade",
]

T = TypeVar("T")
P = ParamSpec("P")

# How many queued writes may share one transaction.
MAX_GROUP = 2000


@dataclass
class _Job:
    fn: Callable[[Database], Any]
    future: asyncio.Future[Any]
    loop: asyncio.AbstractEventLoop


@dataclass
class _Session:
    """A transaction held open for one caller: its calls run on the writer in turn, and
    ``True`` (commit) or ``False`` (roll back) ends it."""

    calls: queue.SimpleQueue[_Job | bool]
    started: asyncio.Future[None]
    ended: asyncio.Future[None]
    loop: asyncio.AbstractEventLoop


class Session(Calls):
    """Calls inside one open write transaction (see ``AsyncDatabase.session``): each goes
    to the writer thread and back."""

    def __init__(self, state: _Session) -> None:
        self._state = state

    async def call(
        self, fn: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._state.calls.put(_Job(_bind(fn, args, kwargs), future, loop))
        return await future


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
        self._queue: queue.SimpleQueue[_Job | _Session | None] = queue.SimpleQueue()
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

    async def write_inline(self, fn: Callable[[Database], Coroutine[Any, Any, T]]) -> T:
        """The coroutine ``fn(db)`` run whole on the writer thread, as one write (in the
        group of writes waiting beside it, like ``write``), with no trip back to the event
        loop between its statements: it may await only ``InlineCalls`` on ``db`` (see
        ``run_inline``). Like any write it may run twice (its group failed for another's
        sake), so it must change nothing outside the database."""
        return await self.write(lambda db: run_inline(fn(db)))

    @contextlib.asynccontextmanager
    async def session(self) -> AsyncIterator[Session]:
        """One write transaction held open while the block runs: it commits when the block
        ends, or rolls back when it raises. Other writes wait meanwhile, so keep it short
        and await nothing but its own calls inside."""
        if self._closed:
            raise StoreError("the database is closed")
        if self.readonly:
            raise StoreError(f"{self.path} was opened read-only; this command does not write")
        loop = asyncio.get_running_loop()
        state = _Session(queue.SimpleQueue(), loop.create_future(), loop.create_future(), loop)
        self._queue.put(state)
        try:
            await state.started
        except BaseException:
            # Cancelled while waiting its turn: the writer will still begin the session;
            # tell it now to roll back, or it would wait for calls for ever (and every
            # later write, and close, behind it).
            state.calls.put(False)
            raise
        try:
            yield Session(state)
        except BaseException:
            state.calls.put(False)
            with contextlib.suppress(Exception):
                await asyncio.shield(state.ended)
            raise
        state.calls.put(True)
        await state.ended

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
            if isinstance(first, _Session):
                self._run_session(first)
                continue
            group = [first]
            stop = False
            session: _Session | None = None
            while len(group) < MAX_GROUP:
                try:
                    job = self._queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    stop = True
                    break
                if isinstance(job, _Session):
                    session = job
                    break
                group.append(job)
            self._run_group(group)
            if session is not None:
                self._run_session(session)
            if stop:
                return

    def _run_session(self, session: _Session) -> None:
        db = self._writer
        try:
            db.execute("BEGIN IMMEDIATE")
        except BaseException as exc:
            _resolve(session.loop, session.started, None, exc)
            return
        _resolve(session.loop, session.started, None, None)
        while True:
            call = session.calls.get()
            if call is False:
                self._rollback()
                _resolve(session.loop, session.ended, None, None)
                return
            if call is True:
                try:
                    db.execute("COMMIT")
                except BaseException as exc:
                    self._rollback()
                    _resolve(session.loop, session.ended, None, exc)
                    return
                self._committed()
                _resolve(session.loop, session.ended, None, None)
                return
            try:
                result = call.fn(db)
            except BaseException as exc:
                _resolve(call.loop, call.future, None, exc)
            else:
                _resolve(call.loop, call.future, result, None)

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


def _resolve(
    loop: asyncio.AbstractEventLoop,
    future: asyncio.Future[Any],
    result: Any,
    exc: BaseException | None,
) -> None:
    def settle() -> None:
        if future.done():
            return
        if exc is not None:
            future.set_exception(exc)
        else:
            future.set_result(result)

    # A closed loop raises RuntimeError: nobody is waiting any more.
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(settle)


def _settle(items: list[tuple[_Job, Any, BaseException | None]]) -> None:
    for job, result, exc in items:
        if job.future.done():
            continue
        if exc is not None:
            job.future.set_exception(exc)
        else:
            job.future.set_result(result)

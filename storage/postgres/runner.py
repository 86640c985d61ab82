"""Where the PostgreSQL ports' statements run: a pooled connection per call, each call
its own transaction, or the one connection of an open transaction."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool

from storage.errors import StoreError

Params = Sequence[Any] | dict[str, Any]

# The pooled connection a port call holds while it runs: calls it makes on other ports
# of the same store join its transaction instead of taking a second connection.
_CURRENT: ContextVar[
    tuple[AsyncConnectionPool, psycopg.AsyncConnection, list[Callable[[], None]]] | None
] = ContextVar("ideabot_postgres_connection", default=None)


class Runner:
    def __init__(
        self,
        pool: AsyncConnectionPool,
        conn: psycopg.AsyncConnection | None = None,
        callbacks: list[Callable[[], None]] | None = None,
        *,
        where: str = "the database",
    ) -> None:
        self.pool = pool
        self._conn = conn
        self._tx_callbacks = callbacks
        self._where = where

    def pending(self) -> list[Callable[[], None]] | None:
        """The callbacks waiting for the transaction under way to commit; None outside one."""
        if self._conn is not None:
            return self._tx_callbacks
        current = _CURRENT.get()
        return current[2] if current is not None and current[0] is self.pool else None

    def after_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once what this runner wrote has committed (at once when it has:
        a call outside any transaction commits before it returns)."""
        waiting = self.pending()
        if waiting is None:
            callback()
        else:
            waiting.append(callback)

    @asynccontextmanager
    async def conn(self) -> AsyncIterator[psycopg.AsyncConnection]:
        """A connection inside a transaction: the open one, or a pooled one whose
        transaction commits when the block ends (rolls back when it raises)."""
        if self._conn is not None:
            yield self._conn
            return
        current = _CURRENT.get()
        if current is not None and current[0] is self.pool:
            yield current[1]  # a call inside another call of this store: one transaction
            return
        callbacks: list[Callable[[], None]] = []
        try:
            async with self.pool.connection() as conn, conn.transaction():
                token = _CURRENT.set((self.pool, conn, callbacks))
                try:
                    yield conn
                finally:
                    _CURRENT.reset(token)
        except psycopg.errors.ReadOnlySqlTransaction:
            raise StoreError(
                f"{self._where} was opened read-only; this command does not write"
            ) from None
        for callback in callbacks:
            callback()

    @asynccontextmanager
    async def _statement(self) -> AsyncIterator[psycopg.AsyncConnection]:
        """A connection for one statement: the transaction's under way, else a pooled one
        in autocommit (one statement is its own transaction: no BEGIN and COMMIT trips)."""
        if self._conn is not None:
            yield self._conn
            return
        current = _CURRENT.get()
        if current is not None and current[0] is self.pool:
            yield current[1]
            return
        try:
            async with self.pool.connection() as conn:
                yield conn
        except psycopg.errors.ReadOnlySqlTransaction:
            raise StoreError(
                f"{self._where} was opened read-only; this command does not write"
            ) from None

    async def one(self, sql: str, params: Params = ()) -> tuple[Any, ...] | None:
        async with self._statement() as conn:
            cursor = await conn.execute(sql, params)
            return await cursor.fetchone()

    async def all(self, sql: str, params: Params = ()) -> list[tuple[Any, ...]]:
        async with self._statement() as conn:
            cursor = await conn.execute(sql, params)
            return await cursor.fetchall()

    async def run(self, sql: str, params: Params = ()) -> int:
        """Execute a statement; the number of rows it changed."""
        async with self._statement() as conn:
            cursor = await conn.execute(sql, params)
            return cursor.rowcount

    async def many(self, sql: str, rows: Sequence[Params]) -> int:
        """Execute a statement once per row (pipelined); the rows changed in all."""
        if not rows:
            return 0
        async with self.conn() as conn:
            cursor = conn.cursor()
            await cursor.executemany(sql, rows)
            return max(cursor.rowcount, 0)


class MemberCache:
    """member ids by (platform, user id) with the name last stored."""

    def __init__(self) -> None:
        self.ids: dict[tuple[str, str], tuple[int, str]] = {}


class PortBase:
    """A PostgreSQL port: where its statements run, and the member ids it remembers."""

    def __init__(self, run: Runner, members: MemberCache) -> None:
        self._run = run
        self._members = members

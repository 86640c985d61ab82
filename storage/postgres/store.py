"""The store on a PostgreSQL database shared by any number of processes: psycopg 3
(async) over a connection pool, plain SQL, its own migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from psycopg_pool import AsyncConnectionPool

from storage import port
from storage.errors import StoreError
from storage.postgres import (
    activity,
    backlog,
    digests,
    ideas,
    outbox,
    pages,
    upkeep,
    votes,
    webhooks,
)
from storage.postgres.connect import check_readable, migrate, postgres_problem, redact
from storage.postgres.runner import MemberCache, Runner

# Connections per process: chat events are short transactions; a few carry a burst.
POOL_MAX = 8
CONNECT_TIMEOUT_S = 10.0


def _attach(target: port.Ports, run: Runner, members: MemberCache) -> None:
    target.boards = backlog.Boards(run, members)
    target.members = backlog.Members(run, members)
    target.events = backlog.Events(run, members)
    target.ideas = ideas.Ideas(run, members)
    target.suggestions = backlog.Suggestions(run, members)
    target.labels = upkeep.PairLabels(run, members)
    target.votes = votes.Votes(run, members)
    target.channels = upkeep.Channels(run, members)
    target.digests = digests.Digests(run, members)
    target.activity = activity.Activity(run, members)
    target.log = upkeep.ModerationLog(run, members)
    target.links = upkeep.LinkCodes(run, members)
    target.inbox = upkeep.Inbox(run, members)
    target.reconcile = upkeep.ReconcilePlaces(run, members)
    target.imports = activity.Imports(run, members)
    target.pages = pages.Pages(run, members)
    target.outbox = outbox.Outbox(run, members)
    target.webhooks = webhooks.Webhooks(run, members)


class PostgresTransaction(port.Transaction):
    def __init__(
        self,
        pool: AsyncConnectionPool,
        conn: psycopg.AsyncConnection,
        members: MemberCache,
        where: str,
    ) -> None:
        super().__init__()
        _attach(self, Runner(pool, conn, self._on_commit, where=where), members)


class PostgresStore(port.Store):
    """Every port on one PostgreSQL database."""

    def __init__(self, url: str, pool: AsyncConnectionPool, *, readonly: bool) -> None:
        self.url = url
        self.location = redact(url)
        self.readonly = readonly
        self.pool = pool
        self._members = MemberCache()
        _attach(self, Runner(pool, where=self.location), self._members)

    @classmethod
    async def open(cls, url: str, *, create: bool = True) -> PostgresStore:
        """The store at ``url``, migrated to the current schema; with ``create=False``
        every transaction is read-only and nothing is migrated."""

        async def configure(conn: psycopg.AsyncConnection) -> None:
            # Times come back in UTC whatever the server's zone (as SQLite hands them
            # back); a store opened to read cannot write, even by mistake.
            await conn.execute("SET TIME ZONE 'UTC'")
            if not create:
                await conn.execute("SET default_transaction_read_only = on")

        pool = AsyncConnectionPool(
            url,
            min_size=1,
            max_size=POOL_MAX,
            kwargs={"autocommit": True},
            configure=configure,
            open=False,
            timeout=CONNECT_TIMEOUT_S,
        )
        try:
            # One plain connection first: a wrong URL fails at once with libpq's reason
            # (a pool would retry until its timeout), and the schema is settled before
            # any pooled connection is handed out.
            async with await psycopg.AsyncConnection.connect(
                url, autocommit=True, connect_timeout=int(CONNECT_TIMEOUT_S)
            ) as conn:
                if create:
                    await migrate(conn, url)
                else:
                    await check_readable(conn, url)
            await pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
        except (TimeoutError, psycopg.Error, OSError) as exc:
            await pool.close()
            raise postgres_problem(url, exc) from None
        except BaseException:
            await pool.close()
            raise
        return cls(url, pool, readonly=not create)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[port.Transaction]:
        if self.readonly:
            raise StoreError(f"{self.location} was opened read-only; this command does not write")
        async with self.pool.connection() as conn, conn.transaction():
            tx = PostgresTransaction(self.pool, conn, self._members, self.location)
            yield tx
        tx.committed()

    async def close(self) -> None:
        await self.pool.close()


async def upgrade_postgres_async(url: str) -> tuple[int, int]:
    async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
        return await migrate(conn, url)


def upgrade_postgres(url: str) -> tuple[int, int]:
    """Migrate the database at ``url``: (version before, version after)."""
    try:
        return asyncio.run(upgrade_postgres_async(url))
    except psycopg.Error as exc:
        raise postgres_problem(url, exc) from None

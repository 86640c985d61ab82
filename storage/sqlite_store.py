"""The store on one SQLite file: every port over ``storage.database.AsyncDatabase``
(reads in a thread pool, writes through one writer thread with group commit, WAL,
migrations)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TypeVar

from sqlite_utils import Database

from storage import port, sqlite_outbox, sqlite_pages, sqlite_votes, sqlite_webhooks
from storage import sqlite_backlog as backlog
from storage import sqlite_upkeep as upkeep
from storage.database import AsyncDatabase, InlineCalls
from storage.sqlite_runner import MemberCache, Runner

T = TypeVar("T")


def _attach(target: port.Ports, run: Runner, members: MemberCache) -> None:
    target.boards = backlog.Boards(run, members)
    target.members = backlog.Members(run, members)
    target.events = backlog.Events(run, members)
    target.ideas = backlog.Ideas(run, members)
    target.suggestions = backlog.Suggestions(run, members)
    target.labels = upkeep.PairLabels(run, members)
    target.votes = sqlite_votes.Votes(run, members)
    target.channels = upkeep.Channels(run, members)
    target.digests = upkeep.Digests(run, members)
    target.activity = upkeep.Activity(run, members)
    target.log = upkeep.ModerationLog(run, members)
    target.links = upkeep.LinkCodes(run, members)
    target.inbox = upkeep.Inbox(run, members)
    target.reconcile = upkeep.ReconcilePlaces(run, members)
    target.imports = upkeep.Imports(run, members)
    target.pages = sqlite_pages.Pages(run, members)
    target.outbox = sqlite_outbox.Outbox(run, members)
    target.webhooks = sqlite_webhooks.Webhooks(run, members)


class SqliteTransaction(port.Transaction):
    def __init__(self, run: Runner, members: MemberCache) -> None:
        super().__init__()
        _attach(self, run, members)


class SqliteStore(port.Store):
    """Every port on one SQLite file."""

    def __init__(self, db: AsyncDatabase) -> None:
        self.db = db
        self.path: Path = db.path
        self.location = str(db.path)
        self.readonly = db.readonly
        self._members = MemberCache()
        _attach(self, Runner(db), self._members)

    @classmethod
    async def open(
        cls, path: Path | str, *, create: bool = True, live: bool = False
    ) -> SqliteStore:
        """The store on ``path`` (see ``AsyncDatabase.open``)."""
        return cls(await AsyncDatabase.open(path, create=create, live=live))

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[port.Transaction]:
        async with self.db.session() as session:
            tx = SqliteTransaction(Runner(self.db, session), self._members)
            yield tx
        tx.committed()

    async def transact(self, fn: Callable[[port.Transaction], Awaitable[T]]) -> T:
        # Whole on the writer thread: one trip there and back instead of one per call.
        async def whole(db: Database) -> tuple[T, SqliteTransaction]:
            tx = SqliteTransaction(Runner(self.db, InlineCalls(db)), self._members)
            return await fn(tx), tx

        result, tx = await self.db.write_inline(whole)
        tx.committed()
        return result

    async def close(self) -> None:
        await self.db.close()

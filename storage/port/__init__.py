"""The store interface: what the core may ask of a database, and nothing else.

Each port is named for what it holds (ideas, votes, boards, channels, digests...);
its methods take and return plain values (``storage.rows``) and timezone-aware
datetimes, never an engine's rows or connections. A store is an engine (SQLite
embedded, PostgreSQL shared) that implements every port.

A call on ``store.<port>`` is a transaction of its own (on SQLite, writes waiting
together share one commit). Several changes that must stand or fall together go in
one explicit transaction::

    async with store.transaction() as tx:
        member = await tx.members.ensure("discord", "42", "Ada")
        await tx.log.add(board_id, member, "merge", {...}, at)

Inside it, use only ``tx``: awaiting another write on the store itself from inside a
transaction waits for that transaction to end (on SQLite: forever).

A hot path whose transaction awaits nothing but ``tx`` hands it over whole instead,
``await store.transact(fn)``: on SQLite it then runs on the writer thread in one go.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import TypeVar

from storage.errors import StoreError
from storage.port.backlog import (
    Boards,
    Events,
    Ideas,
    Members,
    PairLabels,
    Suggestions,
    VoteOutcome,
    Votes,
)
from storage.port.delivery import Outbox, Webhooks
from storage.port.upkeep import (
    Activity,
    Channels,
    Digests,
    Imports,
    Inbox,
    LinkCodes,
    ModerationLog,
    Pages,
    ReconcilePlaces,
)

T = TypeVar("T")

__all__ = [
    "Activity",
    "Boards",
    "Channels",
    "Digests",
    "Events",
    "Ideas",
    "Imports",
    "Inbox",
    "LinkCodes",
    "Members",
    "ModerationLog",
    "Outbox",
    "Pages",
    "PairLabels",
    "Ports",
    "ReconcilePlaces",
    "Store",
    "StoreError",
    "Suggestions",
    "Transaction",
    "VoteOutcome",
    "Votes",
    "Webhooks",
]


class Ports:
    """Every port of a store; a store and each of its transactions carry them all."""

    boards: Boards
    members: Members
    events: Events
    ideas: Ideas
    suggestions: Suggestions
    labels: PairLabels
    votes: Votes
    channels: Channels
    digests: Digests
    activity: Activity
    log: ModerationLog
    links: LinkCodes
    inbox: Inbox
    reconcile: ReconcilePlaces
    imports: Imports
    pages: Pages
    outbox: Outbox
    webhooks: Webhooks


class Transaction(Ports):
    """The ports inside one transaction: everything commits together, or nothing."""

    def __init__(self) -> None:
        self._on_commit: list[Callable[[], None]] = []

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed; never if it rolls back."""
        self._on_commit.append(callback)

    def committed(self) -> None:
        callbacks, self._on_commit = self._on_commit, []
        for callback in callbacks:
            callback()


class Store(Ports, ABC):
    """One database, whatever the engine."""

    # A name for messages: a file path, or a URL without its password.
    location: str
    readonly: bool

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """Ports whose changes commit together when the block ends without an error."""

    async def transact(self, fn: Callable[[Transaction], Awaitable[T]]) -> T:
        """``fn(tx)`` in one transaction: committed when it returns, rolled back when it
        raises; what it returns. ``fn`` awaits nothing but ``tx``'s ports, so an engine may
        run it whole where its connection lives (SQLite: on the writer thread, with no trip
        back to the event loop per statement); it may run more than once (a failed group
        of writes is run again), so it changes nothing but the database."""
        async with self.transaction() as tx:
            return await fn(tx)

    @abstractmethod
    async def close(self) -> None: ...

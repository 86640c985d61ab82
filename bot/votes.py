"""Reaction events written in batches: all the votes that arrive in one turn of the loop.

Chat platforms deliver reactions one event at a time, each handled in its own task.
Handing each to the writer as its own job costs a queue item, a thread wake-up and
a future per event; collecting the events of one loop turn into one job (one
transaction) keeps the cost per vote near that of the SQL itself. Every event
still gets its own answer, and one event that fails does not fail the others.
"""

from __future__ import annotations

import asyncio

from bot.core import Core
from storage.port import VoteOutcome
from storage.rows import VoteEvent

Outcome = VoteOutcome


class VoteWriter:
    """Collects reaction events and writes each loop turn's worth in one transaction."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._pending: list[tuple[VoteEvent, asyncio.Future[Outcome]]] = []
        # Batches being written: held here so that none is garbage-collected half way.
        self._writing: set[asyncio.Future[list[Outcome | Exception]]] = set()

    async def record(self, vote: VoteEvent) -> Outcome:
        """Store the reaction fact; what it did comes back once it is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Outcome] = loop.create_future()
        if not self._pending:
            loop.call_soon(self._flush)
        self._pending.append((vote, future))
        return await future

    def _flush(self) -> None:
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            # Queued for the writer now, not from a task that runs after the whole turn.
            written = self.core.store.votes.record([vote for vote, _ in batch])
        except BaseException as exc:  # the database is closed: tell every waiter
            self._settle(batch, exc)
            return
        self._writing.add(written)
        written.add_done_callback(self._writing.discard)
        written.add_done_callback(lambda done: self._settle(batch, done))

    @staticmethod
    def _settle(
        batch: list[tuple[VoteEvent, asyncio.Future[Outcome]]],
        done: asyncio.Future[list[Outcome | Exception]] | BaseException,
    ) -> None:
        if isinstance(done, BaseException):
            failed: BaseException | None = done
        elif done.cancelled():
            failed = asyncio.CancelledError()
        else:
            failed = done.exception()
        if failed is not None:  # the whole transaction failed: tell every waiter
            for _, future in batch:
                if not future.done():
                    future.set_exception(failed)
            return
        assert not isinstance(done, BaseException)
        for (_, future), result in zip(batch, done.result(), strict=True):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

"""Reaction events written in batches: all the votes that arrive in one turn of the loop.

Chat platforms deliver reactions one event at a time, each handled in its own task.
Handing each to the writer as its own job costs a queue item, a thread wake-up and
a future per event; collecting the events of one loop turn into one job (one
transaction) keeps the cost per vote near that of the SQL itself. Every event
still gets its own answer, and one event that fails does not fail the others.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from bot.core import Core
from storage.port import VoteOutcome
from storage.rows import VoteEvent

Outcome = VoteOutcome


class VoteWriter:
    """Collects reaction events and writes each loop turn's worth in one transaction."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._pending: list[tuple[VoteEvent, asyncio.Future[Outcome]]] = []
        self._flushing: set[asyncio.Task[None]] = set()

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
        task = asyncio.get_running_loop().create_task(self._write(batch))
        self._flushing.add(task)
        task.add_done_callback(self._flushing.discard)

    async def _write(self, batch: list[tuple[VoteEvent, asyncio.Future[Outcome]]]) -> None:
        try:
            results = await self._apply([vote for vote, _ in batch])
        except BaseException as exc:  # the whole transaction failed: tell every waiter
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            raise
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)

    async def _apply(self, votes: Sequence[VoteEvent]) -> list[Outcome | Exception]:
        return await self.core.store.votes.record(votes)

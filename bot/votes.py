"""Reaction events written in batches: all the votes that arrive in one turn of the loop.

Chat platforms deliver reactions one event at a time, each handled in its own task.
Handing each to the writer as its own job costs a queue item, a thread wake-up and
a future per event; collecting the events of one loop turn into one job (one
transaction) keeps the cost per vote near that of the SQL itself. Every event
still gets its own answer, and one event that fails does not fail the others.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from sqlite_utils import Database

from bot.core import Core
from bot.domain import ReactionChange
from storage import boards as board_rows
from storage import votes as vote_rows
from storage.database import each_alone

# (number of the idea reacted to or None, whether a fact changed), or None for a repeat.
Outcome = tuple[int | None, bool] | None


@dataclass(frozen=True, slots=True)
class PendingVote:
    board_id: int
    change: ReactionChange
    emoji: str
    at: str


class VoteWriter:
    """Collects reaction events and writes each loop turn's worth in one transaction."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._pending: list[tuple[PendingVote, asyncio.Future[Outcome]]] = []
        self._flushing: set[asyncio.Task[None]] = set()

    async def record(self, vote: PendingVote) -> Outcome:
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

    async def _write(self, batch: list[tuple[PendingVote, asyncio.Future[Outcome]]]) -> None:
        try:
            results = await self.core.db.write(self._apply, [vote for vote, _ in batch])
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

    def _apply(self, db: Database, votes: list[PendingVote]) -> list[Outcome | Exception]:
        # Each vote in a savepoint: one that fails half way (after its event id was
        # recorded, say) leaves no part of itself, so a redelivery is not taken for a
        # repeat; the rest of the batch stands.
        return list(each_alone(db, self._apply_one, votes))

    def _apply_one(self, db: Database, vote: PendingVote) -> Outcome:
        change = vote.change
        platform = change.where.platform
        if change.event_id and not board_rows.first_event(db, platform, change.event_id, vote.at):
            return None
        assert change.where.channel_id is not None
        outcome = vote_rows.record_reaction(
            db,
            board_id=vote.board_id,
            platform=platform,
            channel_id=change.where.channel_id,
            message_id=change.message_id,
            member_id=self.core.member_id(db, change.person),
            emoji=vote.emoji,
            added=change.added,
            at=vote.at,
        )
        return outcome.number, outcome.changed

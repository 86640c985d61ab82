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
from storage.database import attempt, each_alone

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
        if not batch:
            return
        try:
            # Queued for the writer now, not from a task that runs after the whole turn.
            written = self.core.db.write_soon(self._apply, [vote for vote, _ in batch])
        except BaseException as exc:  # the database is closed: tell every waiter
            self._settle(batch, exc)
            return
        written.add_done_callback(lambda done: self._settle(batch, done))

    @staticmethod
    def _settle(
        batch: list[tuple[PendingVote, asyncio.Future[Outcome]]],
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

    def _apply(self, db: Database, votes: list[PendingVote]) -> list[Outcome | Exception]:
        if len(votes) > 1 and all(v.change.added and not v.change.event_id for v in votes):
            added = attempt(db, lambda db: self._apply_adds(db, votes))
            if added is not None:
                return list(added)
        # Each vote in a savepoint: one that fails half way (after its event id was
        # recorded, say) leaves no part of itself, so a redelivery is not taken for a
        # repeat; the rest of the batch stands.
        return list(each_alone(db, self._apply_one, votes))

    def _apply_adds(self, db: Database, votes: list[PendingVote]) -> list[Outcome] | None:
        """A burst of new votes without event ids (the usual one: Discord gives none) in a
        few statements: their messages looked up per channel, their rows in one insert.

        What ``_apply_one`` would give each, in order; None when some vote was already on
        in the store (the caller then undoes this and records them one by one).
        """
        wanted: dict[tuple[int, str, str], list[str]] = {}
        for vote in votes:
            where = vote.change.where
            assert where.channel_id is not None
            wanted.setdefault((vote.board_id, where.platform, where.channel_id), []).append(
                vote.change.message_id
            )
        targets = {
            place: vote_rows.message_targets(db, *place, message_ids)
            for place, message_ids in wanted.items()
        }
        out: list[Outcome] = []
        rows: list[tuple[int, int, int, int, str, str]] = []
        seen: set[tuple[int, int, str]] = set()
        members: dict[tuple[str, str, str], int] = {}
        for vote in votes:
            change = vote.change
            where = change.where
            assert where.channel_id is not None
            target = targets[(vote.board_id, where.platform, where.channel_id)].get(
                change.message_id
            )
            if target is None:
                out.append((None, False))
                continue
            idea_id, message_row, number = target
            person = change.person
            known = (person.platform, person.user_id, person.name)
            member_id = members.get(known)
            if member_id is None:
                # Once per person in the burst: the core's cache fills only on commit.
                member_id = members[known] = self.core.member_id(db, person)
            fact = (message_row, member_id, vote.emoji)
            if fact in seen:  # a repeat within the burst: the first one counted
                out.append((number, False))
                continue
            seen.add(fact)
            rows.append((vote.board_id, idea_id, message_row, member_id, vote.emoji, vote.at))
            out.append((number, True))
        return out if vote_rows.add_new_reactions(db, rows) else None

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

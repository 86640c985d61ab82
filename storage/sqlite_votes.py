"""Reaction events on SQLite: a batch in one write job (one transaction with whatever else
waits for the writer), queued as soon as the batch is handed in.

A burst of new votes without event ids (the usual one: Discord gives none) goes in a few
statements: its messages looked up per channel, its rows in one insert. Anything else,
or a burst where some vote was already on, is recorded event by event, each as if in a
savepoint of its own (``each_alone``): one that fails leaves nothing of itself.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlite_utils import Database

from storage import boards as board_rows
from storage import port
from storage import votes as vote_rows
from storage.connection import attempt, each_alone
from storage.rows import VoteEvent
from storage.sqlite_runner import PortBase
from storage.times import to_db

Outcome = port.VoteOutcome


class Votes(PortBase, port.Votes):
    def record(self, events: Sequence[VoteEvent]) -> asyncio.Future[list[Outcome | Exception]]:
        batch = list(events)
        if self._run.session is not None:  # inside a transaction: its turn on the writer
            return asyncio.ensure_future(self._run.write(self._apply, batch))
        return self._run.db.write_soon(self._apply, batch)

    def _apply(self, db: Database, votes: list[VoteEvent]) -> list[Outcome | Exception]:
        if len(votes) > 1 and all(v.added and not v.event_id for v in votes):
            added = attempt(db, lambda db: self._apply_adds(db, votes))
            if added is not None:
                return list(added)
        # Each vote as if in a savepoint: one that fails half way (after its event id was
        # recorded, say) leaves no part of itself, so a redelivery is not taken for a
        # repeat; the rest of the batch stands.
        return list(each_alone(db, self._apply_one, votes))

    def _apply_adds(self, db: Database, votes: list[VoteEvent]) -> list[Outcome] | None:
        """What ``_apply_one`` would give each new vote, in order, in a few statements;
        None when some vote was already on (the caller then undoes this and records
        them one by one)."""
        wanted: dict[tuple[int, str, str], list[str]] = {}
        for vote in votes:
            place = (vote.board_id, vote.platform, vote.channel_id)
            wanted.setdefault(place, []).append(vote.message_id)
        targets = {
            place: vote_rows.message_targets(db, *place, message_ids)
            for place, message_ids in wanted.items()
        }
        out: list[Outcome] = []
        rows: list[tuple[int, int, int, int, str, str]] = []
        seen: set[tuple[int, int, str]] = set()
        members: dict[tuple[str, str, str], int] = {}
        for vote in votes:
            target = targets[(vote.board_id, vote.platform, vote.channel_id)].get(vote.message_id)
            if target is None:
                out.append((None, False))
                continue
            idea_id, message_row, number = target
            known = (vote.platform, vote.user_id, vote.user_name)
            member_id = members.get(known)
            if member_id is None:
                # Once per person in the burst: the member cache fills only on commit.
                member_id = members[known] = self._members.ensure(db, *known)
            fact = (message_row, member_id, vote.emoji)
            if fact in seen:  # a repeat within the burst: the first one counted
                out.append((number, False))
                continue
            seen.add(fact)
            at = to_db(vote.at)
            rows.append((vote.board_id, idea_id, message_row, member_id, vote.emoji, at))
            out.append((number, True))
        return out if vote_rows.add_new_reactions(db, rows) else None

    def _apply_one(self, db: Database, vote: VoteEvent) -> Outcome:
        at = to_db(vote.at)
        if vote.event_id and not board_rows.first_event(db, vote.platform, vote.event_id, at):
            return None
        outcome = vote_rows.record_reaction(
            db,
            board_id=vote.board_id,
            platform=vote.platform,
            channel_id=vote.channel_id,
            message_id=vote.message_id,
            member_id=self._members.ensure(db, vote.platform, vote.user_id, vote.user_name),
            emoji=vote.emoji,
            added=vote.added,
            at=at,
        )
        return outcome.number, outcome.changed

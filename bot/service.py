"""The idea service: capture, votes, edits and deletes, as the platforms deliver them.

Moderation (merge, status, delete, settings) lives in ``bot.moderation``; reading
(top, search, show) in ``bot.queries``. All three share one ``Core``: the store,
the embedder, the similarity indexes and the board cache.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import timedelta

from bot import votes_reached
from bot.boards import Board
from bot.core import Core, view
from bot.domain import IdeaDraft, MessageDeleted, MessageEdited, Person, ReactionChange, Where
from bot.errors import InvalidIdea, NotAllowed
from bot.results import (
    AlreadyCaptured,
    Candidate,
    Created,
    Deleted,
    Edited,
    Ignored,
    Merged,
    PossibleDuplicate,
    ReactResult,
    SubmitResult,
    VoteChanged,
)
from bot.text import title_of, validate_idea_text
from bot.votes import VoteWriter
from bot.webhooks import deleted_view, queue_event
from dedupe.pair_features import char_overlap, words_of
from dedupe.thresholds import decide
from storage.port import Transaction, VoteOutcome
from storage.rows import IdeaRow, NewIdea, VoteEvent

# How many similar ideas a possible duplicate offers, at most: the best one or two.
MAX_CANDIDATES = 2
# The nearest canonical ideas by cosine that are judged as pairs; under COSINE_FLOOR a pair
# is not judged at all (the devset's loosest duplicate scores 0.32).
CANDIDATE_POOL = 5
COSINE_FLOOR = 0.25
# An author posting again within this time is adding to a thought, not repeating an idea:
# no question unless the texts are near-identical (character trigrams, Jaccard).
SAME_AUTHOR_WINDOW = timedelta(minutes=15)
NEAR_IDENTICAL = 0.9


@dataclass(frozen=True, slots=True)
class Stored:
    """What a submit's write stored, read back inside its transaction."""

    row: IdeaRow
    into: IdeaRow | None
    candidates: list[tuple[IdeaRow, float]]


class IdeaService:
    """Capture and votes: what chat events do to a board."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self.votes = VoteWriter(core)

    async def submit(self, draft: IdeaDraft) -> SubmitResult:
        """Store the idea and decide whether it duplicates one already on the board."""
        core = self.core
        if draft.author.is_bot:
            raise InvalidIdea("Messages from bots are not captured as ideas.")
        text = validate_idea_text(draft.text, core.max_idea_length)
        board = await core.board_for(draft.where)
        if draft.author.user_id in board.settings.banned_users:
            raise NotAllowed("You can't post ideas on this board.")
        # The text is encoded while the store says whether the message was captured
        # already (a redelivery): its answer comes first and the vector is then dropped.
        encoding = asyncio.ensure_future(core.embed(text))
        try:
            if draft.message_id is not None and draft.where.channel_id is not None:
                existing = await self._idea_of_message(board, draft.where, draft.message_id)
                if existing is not None:
                    return AlreadyCaptured(idea=view(existing))
            vector = await encoding
        finally:
            if not encoding.done():
                encoding.cancel()  # its result is not wanted
            elif not encoding.cancelled():
                encoding.exception()  # seen: the caller has its answer (or this error)
        async with core.lock(board):
            index = await core.index(board)
            nearest = [
                hit for hit in index.search(vector, k=CANDIDATE_POOL) if hit[1] >= COSINE_FLOOR
            ]
            judged = await self._judge(board, draft, text, nearest)
            thresholds = (await core.pairs.thresholds(board)).thresholds
            merge_into = None
            if judged and (judged[0][2] or decide(judged[0][1], thresholds) == "merge"):
                merge_into = (judged[0][0], judged[0][1])
            hits = [(i, p) for i, p, _ in judged if decide(p, thresholds) != "new"]
            suggested = [] if merge_into else hits[:MAX_CANDIDATES]
            now = core.now()

            async def store(tx: Transaction) -> Stored | None:
                if draft.event_id and not await tx.events.first_seen(
                    draft.where.platform, draft.event_id, now
                ):
                    return None
                if (
                    draft.message_id
                    and draft.where.channel_id
                    and await tx.ideas.message_target(
                        draft.where.platform, draft.where.channel_id, draft.message_id
                    )
                ):
                    return None
                author_id = await core.member_id(tx, draft.author)
                idea_id, _ = await tx.ideas.insert(
                    NewIdea(
                        board_id=board.id,
                        author_id=author_id,
                        title=title_of(text),
                        body=text,
                        platform=draft.where.platform,
                        channel_id=draft.where.channel_id,
                        message_id=draft.message_id,
                        permalink=draft.permalink,
                        embedding=vector.tobytes(),
                        created_at=draft.created_at,
                    )
                )
                into: IdeaRow | None = None
                if merge_into is not None:
                    target = await tx.ideas.by_id(board.id, merge_into[0])
                    assert target is not None
                    await tx.ideas.merge(
                        board.id,
                        idea_id,
                        target.id,
                        target.canonical_id,
                        merge_into[1],
                        True,
                        None,
                        now,
                    )
                    into = await tx.ideas.by_id(board.id, merge_into[0])
                elif suggested:
                    await tx.suggestions.add(board.id, idea_id, suggested)
                # Read back in the same transaction: what was stored, and the candidates.
                row = await tx.ideas.by_id(board.id, idea_id)
                assert row is not None
                await queue_event(tx, board, "idea.created", row, {"source": draft.source}, now)
                if into is not None and merge_into is not None:
                    told = {"into": into.number, "automatic": True, "score": merge_into[1]}
                    await queue_event(tx, board, "idea.merged", row, told, now)
                found = await tx.ideas.by_ids(board.id, [c for c, _ in suggested])
                candidates = [
                    (found[c], score)
                    for c, score in suggested
                    if c in found and found[c].deleted_at is None
                ]
                return Stored(row=row, into=into, candidates=candidates)

            stored = await core.store.transact(store)
            if stored is None:
                again = await self._idea_of_message(board, draft.where, draft.message_id or "")
                if again is None:
                    raise InvalidIdea("This request was already handled.")
                return AlreadyCaptured(idea=view(again))
            if merge_into is None:
                index.add(stored.row.id, vector)
            core.stored_here(board, stored.row.number, text)
        if merge_into is not None:
            assert stored.into is not None
            return Merged(
                idea=view(stored.row), into=view(stored.into), score=merge_into[1], automatic=True
            )
        candidates = tuple(
            Candidate(idea=view(found), score=score) for found, score in stored.candidates
        )
        if candidates:
            return PossibleDuplicate(idea=view(stored.row), candidates=candidates)
        return Created(idea=view(stored.row))

    async def _judge(
        self, board: Board, draft: IdeaDraft, text: str, nearest: list[tuple[int, float]]
    ) -> list[tuple[int, float, bool]]:
        """The nearest ideas with their pair scores and whether each is a repost, reposts
        and then the best first, minus those the same author posted minutes before (unless
        near-identical)."""
        if not nearest:
            return []
        pairs = self.core.pairs
        # Under the board's lock, just after the index read the board's next number.
        vocabulary = await pairs.vocabulary(board, self.core.next_number_seen(board))
        rows = await self.core.store.ideas.candidates(board.id, [i for i, _ in nearest])
        mine = words_of(text)
        judged = []
        for idea_id, cosine in nearest:
            row = rows.get(idea_id)
            if row is None:
                continue
            theirs = words_of(row.body)
            score = pairs.score(cosine, mine, theirs, vocabulary)
            same_author = (row.platform, row.user_id) == (
                draft.author.platform,
                draft.author.user_id,
            )
            if (
                same_author
                and abs(draft.created_at - row.created_at) <= SAME_AUTHOR_WINDOW
                and char_overlap(mine, theirs) < NEAR_IDENTICAL
            ):
                continue
            judged.append((idea_id, score.probability, score.repost))
        judged.sort(key=lambda hit: (not hit[2], -hit[1]))
        return judged

    async def _idea_of_message(self, board: Board, where: Where, message_id: str) -> IdeaRow | None:
        if where.channel_id is None:
            return None
        target = await self.core.store.ideas.message_target(
            where.platform, where.channel_id, message_id
        )
        if target is None or target.board_id != board.id:
            return None
        return await self.core.store.ideas.by_id(board.id, target.idea_id)

    async def link_message(
        self, where: Where, number: int, message_id: str, kind: str = "reply"
    ) -> bool:
        """Let another message (the bot's reply) stand for idea ``#number``: votes on it count."""
        if where.channel_id is None:
            raise ValueError("a linked message needs its channel")
        board = await self.core.board_for(where)
        row = await self.core.idea(board, number)
        return await self.core.store.ideas.link_message(
            board.id,
            row.id,
            where.platform,
            where.channel_id,
            message_id,
            kind,
        )

    async def react(self, change: ReactionChange) -> ReactResult:
        """Record a reaction fact; only the board's vote emoji from people count."""
        core = self.core
        if change.person.is_bot:
            return Ignored(reason="reactions of bots are not votes")
        if change.where.channel_id is None:
            return Ignored(reason="no channel")
        board = await core.board_for(change.where)
        emoji = change.emoji.strip(":")
        if change.added and emoji not in board.settings.vote_emoji:
            return Ignored(reason="not a vote emoji")
        core.vote_moved(
            change.where.platform,
            change.where.channel_id,
            change.message_id,
            change.person.user_id,
        )
        vote = VoteEvent(
            board_id=board.id,
            platform=change.where.platform,
            channel_id=change.where.channel_id,
            message_id=change.message_id,
            user_id=change.person.user_id,
            user_name=change.person.name,
            emoji=emoji,
            added=change.added,
            at=change.at,
            event_id=change.event_id,
        )
        # Only an added vote can reach a threshold, and only a board with an endpoint for
        # it pays for the check: the rest go in batches (the known case costs a lookup).
        events = core.webhook_events_known(board.id) if change.added else frozenset()
        if events is None:
            events = await core.webhook_events(board.id)
        if votes_reached.EVENT in events:
            outcome = await self._record_watched(board, vote)
        else:
            outcome = await self.votes.record(vote)
        if outcome is None:
            return Ignored(reason="repeated event")
        number, changed = outcome
        if number is None:
            return Ignored(reason="the message is not an idea")
        return VoteChanged(
            board_id=board.id,
            number=number,
            person=change.person,
            added=change.added,
            changed=changed,
        )

    async def _record_watched(self, board: Board, vote: VoteEvent) -> VoteOutcome:
        """Record one vote in a transaction of its own that also queues the
        ``idea.votes_reached`` events it causes."""
        core = self.core
        async with core.store.transaction() as tx:
            (outcome,) = await tx.votes.record([vote])
            if isinstance(outcome, Exception):
                raise outcome
            if outcome is not None and outcome[0] is not None and outcome[1]:
                row = await tx.ideas.by_number(board.id, outcome[0])
                if row is not None:
                    await votes_reached.check(tx, board, row, core.now())
        return outcome

    async def edit(self, event: MessageEdited) -> Edited | Ignored:
        """Let the idea follow its edited message: new text, new embedding."""
        core = self.core
        board = await core.board_for(event.where)
        row = await self._idea_of_message(board, event.where, event.message_id)
        if row is None or row.message_id != event.message_id or row.deleted_at is not None:
            return Ignored(reason="the message is not an idea's source")
        text = validate_idea_text(event.text, core.max_idea_length)
        if text == row.body:
            return Ignored(reason="text unchanged")
        vector = await core.embed(text)
        async with core.lock(board):
            await core.store.ideas.update_text(
                board.id, row.id, title_of(text), text, vector.tobytes(), event.at
            )
            if row.merged_into is None:
                (await core.index(board)).add(row.id, vector)
        updated = await core.store.ideas.by_id(board.id, row.id)
        assert updated is not None
        return Edited(idea=view(updated))

    async def message_deleted(self, event: MessageDeleted) -> Deleted | Ignored:
        """Withdraw the idea whose source message was deleted; its history stays."""
        core = self.core
        board = await core.board_for(event.where)
        row = await self._idea_of_message(board, event.where, event.message_id)
        if row is None or row.message_id != event.message_id or row.deleted_at is not None:
            return Ignored(reason="the message is not an idea's source")
        return await withdraw(core, board, row, None, "message deleted")


async def withdraw(
    core: Core, board: Board, row: IdeaRow, actor: Person | None, reason: str
) -> Deleted:
    """Mark an idea deleted; ideas merged into it stand on their own again."""
    at = core.now()

    async with core.lock(board):
        async with core.store.transaction() as tx:
            actor_id = await core.member_id(tx, actor) if actor else None
            children = await tx.ideas.mark_deleted(board.id, row.id, at)
            details = {"number": row.number, "reason": reason}
            await tx.log.add(board.id, actor_id, "delete", details, at)
            told = {"reason": reason, "unmerged": len(children)}
            await queue_event(
                tx, board, "idea.deleted", deleted_view(row), told, at, ordering=f"idea:{row.id}"
            )
        (await core.index(board)).remove(row.id)
        await core.reindex(board, children)
        await core.index_followed(board)
    numbers = []
    for child in children:
        child_row = await core.store.ideas.by_id(board.id, child)
        if child_row is not None:
            numbers.append(child_row.number)
    deleted = replace(view(row), deleted=True)
    return Deleted(idea=deleted, unmerged=tuple(numbers))

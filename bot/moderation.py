"""What moderators do: merge and unmerge, statuses with notes, deletes, board settings.

Every action is checked here (the adapter says whether the platform counts the
actor as a moderator; the board can name more) and written to the moderation log
in the same transaction as the change itself.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from bot import votes_reached
from bot.boards import Board
from bot.core import Core, view
from bot.domain import (
    NOTIFY_STATUSES,
    Actor,
    AnswerSuggestion,
    DeleteIdea,
    MergeIdeas,
    Person,
    SetStatus,
    Status,
    UnmergeIdea,
    Where,
)
from bot.errors import InvalidMerge, InvalidStatus, NotAllowed
from bot.outbox import queue_status, status_changed
from bot.results import Deleted, Merged, StatusChanged, SuggestionDismissed, Unmerged
from bot.service import withdraw
from bot.webhooks import queue_event
from dedupe.board_thresholds import BoardThresholds
from dedupe.thresholds import DEFAULT_THRESHOLDS
from storage.rows import IdeaRow

NOTE_MAX = 1000


def is_moderator(board: Board, actor: Actor) -> bool:
    """True for a platform administrator, a holder of one of the board's moderator roles,
    or a person the board lists as a moderator."""
    settings = board.settings
    return (
        actor.is_moderator
        or actor.person.user_id in settings.moderator_users
        or any(role in settings.moderator_roles for role in actor.roles)
    )


def _check_moderator(board: Board, actor: Actor) -> None:
    if not is_moderator(board, actor):
        raise NotAllowed("Only moderators can do that.")


class Moderation:
    """Moderator commands on a board."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def moderator_board(self, where: Where, actor: Actor) -> Board:
        """The board of ``where``; NotAllowed unless ``actor`` moderates it."""
        return await self._board_for_moderator(where, actor)

    async def _board_for_moderator(self, where: Where, actor: Actor) -> Board:
        board = await self.core.board_for(where)
        if not is_moderator(board, actor):
            raise NotAllowed("Only moderators can do that.")
        return board

    async def merge(self, command: MergeIdeas) -> Merged:
        """Merge ``#number`` into ``#into``: its votes count there; nothing is lost."""
        board = await self._board_for_moderator(command.where, command.actor)
        return await self.merge_on(board, command.actor, command.number, command.into)

    async def merge_on(self, board: Board, actor: Actor, number: int, into: int) -> Merged:
        """Merge on a board already chosen (the shell's): the same checks and log."""
        _check_moderator(board, actor)
        return await self._merge(board, number, into, actor.person, None, "merge")

    async def _merge(
        self,
        board: Board,
        number: int,
        into: int,
        actor: Person,
        score: float | None,
        source_of_label: str,
    ) -> Merged:
        core = self.core
        if number == into:
            raise InvalidMerge(f"#{number} can't be merged into itself.")
        async with core.lock(board):
            source = await core.idea(board, number)
            target = await core.idea(board, into)
            if source.merged_into is not None:
                raise InvalidMerge(
                    f"#{number} is already merged into #{source.merged_into_number}; "
                    "unmerge it first."
                )
            if target.canonical_id == source.id:
                raise InvalidMerge(
                    f"#{into} is merged into #{number}: "
                    f"merging #{number} into it would make a loop."
                )
            canonical = (
                target
                if target.merged_into is None
                else await self._by_id(board, target.canonical_id)
            )
            judged = await core.pairs.score_rows(board, source, target)
            watched = votes_reached.EVENT in await core.webhook_events(board.id)
            at = core.now()

            async with core.store.transaction() as tx:
                actor_id = await core.member_id(tx, actor)
                await tx.labels.add(
                    board.id,
                    source.id,
                    target.id,
                    same=True,
                    source=source_of_label,
                    features=judged.features,
                    score=judged.probability,
                    actor_id=actor_id,
                    at=at,
                )
                await tx.ideas.merge(
                    board.id, source.id, canonical.id, canonical.id, score, False, actor_id, at
                )
                await tx.suggestions.decide(board.id, source.id, None, "merged", actor_id, at)
                details = {"number": number, "into": canonical.number}
                await tx.log.add(board.id, actor_id, "merge", details, at)
                merged_row = await tx.ideas.by_id(board.id, source.id)
                assert merged_row is not None
                told = {"into": canonical.number, "automatic": False}
                await queue_event(tx, board, "idea.merged", merged_row, told, at)
                if watched:  # the target's votes now count the merged idea's voters too
                    await votes_reached.check(tx, board, merged_row, at)
            core.pairs.forget_thresholds(board.id)
            (await core.index(board)).remove(source.id)
            await core.index_followed(board)
        merged = await self._by_id(board, source.id)
        into_row = await self._by_id(board, canonical.id)
        return Merged(idea=view(merged), into=view(into_row), score=score, automatic=False)

    async def unmerge(self, command: UnmergeIdea) -> Unmerged:
        """Make a merged idea stand alone again, with exactly the votes it had."""
        board = await self._board_for_moderator(command.where, command.actor)
        return await self.unmerge_on(board, command.actor, command.number)

    async def unmerge_on(self, board: Board, actor: Actor, number: int) -> Unmerged:
        """Unmerge on a board already chosen (the shell's): the same checks and log."""
        core = self.core
        _check_moderator(board, actor)
        async with core.lock(board):
            row = await core.idea(board, number)
            if row.merged_into is None:
                raise InvalidMerge(f"#{number} is not merged into another idea.")
            parent = await self._by_id(board, row.merged_into)
            judged = await core.pairs.score_rows(board, row, parent)
            at = core.now()

            async with core.store.transaction() as tx:
                actor_id = await core.member_id(tx, actor.person)
                await tx.labels.add(
                    board.id,
                    row.id,
                    parent.id,
                    same=False,
                    source="unmerge",
                    features=judged.features,
                    score=judged.probability,
                    actor_id=actor_id,
                    at=at,
                )
                await tx.ideas.unmerge(board.id, row.id, at)
                details = {"number": row.number, "from": parent.number}
                await tx.log.add(board.id, actor_id, "unmerge", details, at)
                alone = await tx.ideas.by_id(board.id, row.id)
                assert alone is not None
                told = {"from": parent.number}
                await queue_event(tx, board, "idea.unmerged", alone, told, at)
            core.pairs.forget_thresholds(board.id)
            await core.reindex(board, [row.id])
            await core.index_followed(board)
        return Unmerged(
            idea=view(await self._by_id(board, row.id)),
            was_in=view(await self._by_id(board, parent.canonical_id)),
        )

    async def set_status(self, command: SetStatus) -> StatusChanged:
        """Move an idea to a new status with a note; the voters to tell come back."""
        board = await self._board_for_moderator(command.where, command.actor)
        return await self.set_status_on(
            board, command.actor, command.number, command.status, command.note
        )

    async def set_status_on(
        self,
        board: Board,
        actor: Actor,
        number: int,
        wanted: str,
        given_note: str | None,
        *,
        announce_later: bool = False,
    ) -> StatusChanged:
        """Set a status on a board already chosen: the same checks and log. With
        ``announce_later`` (a process without a platform connection, like the shell) the
        announcement goes to the outbox, for the running bot to post."""
        core = self.core
        _check_moderator(board, actor)
        try:
            status = Status(wanted.strip().lower().replace(" ", "_").replace("-", "_"))
        except ValueError:
            raise InvalidStatus(
                f"{wanted[:40]!r} is not a status. Use one of: "
                + ", ".join(s.value for s in Status)
            ) from None
        note = (given_note or "").strip() or None
        if note is not None and len(note) > NOTE_MAX:
            raise InvalidStatus(
                f"The note is {len(note):,} characters; keep it under {NOTE_MAX:,}."
            )
        row = await core.idea(board, number)
        if row.merged_into is not None:
            raise InvalidStatus(
                f"#{row.number} is merged into #{row.merged_into_number}: set the status there."
            )
        at = core.now()
        platforms: set[str] = set()
        if announce_later and status in NOTIFY_STATUSES:
            platforms = {m[0] for m in await core.store.ideas.messages_of(board.id, row.id)}

        async with core.store.transaction() as tx:
            actor_id = await core.member_id(tx, actor.person)
            await tx.ideas.set_status(
                board.id, row.id, row.status, status.value, note, actor_id, at
            )
            details = {"number": row.number, "from": row.status, "to": status.value, "note": note}
            await tx.log.add(board.id, actor_id, "status", details, at)
            changed = await tx.ideas.by_id(board.id, row.id)
            assert changed is not None
            told = {"from": row.status, "to": status.value, "note": note}
            await queue_event(tx, board, "idea.status_changed", changed, told, at)
            # In the same transaction: the running bot announces it, or nobody does.
            await queue_status(tx, board, row, platforms, row.status, status.value, note, at)
        updated = await self._by_id(board, row.id)
        return await status_changed(core, board, updated, row.status, status.value, note)

    async def delete(self, command: DeleteIdea) -> Deleted:
        """Withdraw an idea (its author or a moderator may); its history is kept."""
        board = await self.core.board_for(command.where)
        return await self.delete_on(board, command.actor, command.number, command.reason)

    async def delete_on(
        self, board: Board, actor: Actor, number: int, reason: str | None = None
    ) -> Deleted:
        """Delete on a board already chosen (the shell's): the same checks and log."""
        core = self.core
        row = await core.idea(board, number)
        author = (row.author.platform, row.author.user_id)
        mine = author == (actor.person.platform, actor.person.user_id)
        if not (mine or is_moderator(board, actor)):
            raise NotAllowed("Only the idea's author or a moderator can delete it.")
        return await withdraw(core, board, row, actor.person, reason or "deleted")

    async def answer_suggestion(self, command: AnswerSuggestion) -> Merged | SuggestionDismissed:
        """Settle "same as #12?": merge into it, or remember the idea differs from all offered."""
        core = self.core
        board = await core.board_for(command.where)
        row = await core.idea(board, command.number)
        candidate = await core.idea(board, command.candidate)
        mine = (row.author.platform, row.author.user_id) == (
            command.actor.person.platform,
            command.actor.person.user_id,
        )
        if not (mine or is_moderator(board, command.actor)):
            raise NotAllowed("Only the idea's author or a moderator can answer this.")
        state = await core.store.suggestions.state(board.id, row.id, candidate.id)
        if state is None:
            raise InvalidMerge(
                f"#{row.number} was not suggested as a duplicate of #{candidate.number}."
            )
        if state != "pending" or row.merged_into is not None:
            raise InvalidMerge("This question was already answered.")
        if command.same:
            return await self._merge(
                board, row.number, candidate.number, command.actor.person, None, "answer"
            )
        offered = await core.store.suggestions.pending(board.id, row.id)
        judged = []
        for other_id in offered:
            other = await core.store.ideas.by_id(board.id, other_id)
            if other is not None:
                judged.append((other_id, await core.pairs.score_rows(board, row, other)))
        at = core.now()

        async with core.store.transaction() as tx:
            actor_id = await core.member_id(tx, command.actor.person)
            # "Different idea" answers for every candidate offered with it.
            await tx.suggestions.decide(board.id, row.id, None, "dismissed", actor_id, at)
            for other_id, pair in judged:
                await tx.labels.add(
                    board.id,
                    row.id,
                    other_id,
                    same=False,
                    source="answer",
                    features=pair.features,
                    score=pair.probability,
                    actor_id=actor_id,
                    at=at,
                )
        core.pairs.forget_thresholds(board.id)
        return SuggestionDismissed(idea=view(row), candidate=view(candidate))

    async def thresholds(self, where: Where, actor: Actor) -> tuple[Board, BoardThresholds]:
        """The board's thresholds now and the decisions they rest on (moderators only)."""
        board = await self._board_for_moderator(where, actor)
        return board, await self.core.pairs.thresholds(board)

    async def reset_thresholds(self, where: Where, actor: Actor) -> BoardThresholds:
        """Forget the board's decisions and set thresholds back to the defaults."""
        board = await self._board_for_moderator(where, actor)
        return await reset_thresholds(self.core, board, actor.person)

    async def configure(self, where: Where, actor: Actor, key: str, value: Any) -> Board:
        """Change one board setting; the new settings come back."""
        return await self.configure_many(where, actor, {key: value})

    async def configure_many(self, where: Where, actor: Actor, changes: dict[str, Any]) -> Board:
        """Change several board settings at once, all or none; the new settings come back."""
        board = await self._board_for_moderator(where, actor)
        return await self.configure_on(board, actor, changes)

    async def configure_on(self, board: Board, actor: Actor, changes: dict[str, Any]) -> Board:
        """Change settings of a board already chosen (the shell's): all or none, logged."""
        core = self.core
        _check_moderator(board, actor)
        settings = board.settings
        for key, value in changes.items():
            settings = settings.updated(key, value)
        at = core.now()

        async with core.store.transaction() as tx:
            actor_id = await core.member_id(tx, actor.person)
            await tx.boards.save_settings(board.id, settings.to_json())
            for key, value in changes.items():
                details = {"key": key, "value": str(value)[:200]}
                await tx.log.add(board.id, actor_id, "config", details, at)
        core.pairs.forget_thresholds(board.id)
        return await core.refresh_board(board.id)

    async def _by_id(self, board: Board, idea_id: int) -> IdeaRow:
        row = await self.core.store.ideas.by_id(board.id, idea_id)
        assert row is not None, f"idea {idea_id} vanished from board {board.id}"
        return row


async def reset_thresholds(core: Core, board: Board, actor: Person | None) -> BoardThresholds:
    """Retire the board's duplicate decisions and put its thresholds back to the defaults;
    what it decides with afterwards. ``actor`` None: the operator, from the shell."""
    settings = replace(
        board.settings, suggest=DEFAULT_THRESHOLDS.suggest, auto_merge=DEFAULT_THRESHOLDS.auto_merge
    )
    at = core.now()

    async with core.store.transaction() as tx:
        actor_id = await core.member_id(tx, actor) if actor else None
        retired = await tx.labels.retire(board.id, at)
        await tx.boards.save_settings(board.id, settings.to_json())
        details = {"decisions retired": retired}
        await tx.log.add(board.id, actor_id, "thresholds reset", details, at)
    core.pairs.forget_thresholds(board.id)
    return await core.pairs.thresholds(await core.refresh_board(board.id))

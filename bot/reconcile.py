"""Reconciliation: make the stored votes equal to what the platform shows.

Events get lost: a crash between a platform's acknowledgement and the write, a
gateway session that could not be resumed, votes cast while the bot was down. After
each such gap, a pass re-reads the vote-emoji reactions of every idea that can still
gain votes (not done, declined or deleted; not older than the board's
``reconcile_days``), on every message that stands for it (its source and the bot's
reply), and changes only what differs. A second pass changes nothing.

A pass runs in the background, newest ideas first, at the pace the port's platform
allows; it writes its place after each idea, so after a restart it carries on where
it stopped and then goes round to the ideas it had done before the restart.

Live events keep arriving during a pass. A person whose vote on a message a live event
changed while the platform was being read is left as the event made it: the event
may be newer than what the read showed.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from bot.boards import Board
from bot.chat import ChatPort, ChatUnavailable, MessageRef
from bot.core import Core
from bot.domain import Person, Where

log = logging.getLogger(__name__)

# Ideas read from the store at a time.
PAGE = 100
# A progress line every so many ideas.
PROGRESS_EVERY = 200


@dataclass(frozen=True, slots=True)
class VoteChanges:
    """What one message's stored votes need: people to add, user ids to take back."""

    add: tuple[Person, ...]
    remove: tuple[str, ...]


def vote_changes(
    stored: Mapping[str, bool], present: Collection[Person], moved: Collection[str] = ()
) -> VoteChanges:
    """Given who the platform shows reacting and the stored votes (user id -> whether the
    vote is active), the changes that make them agree.

    Bots never vote. People in ``moved`` had their vote changed by a live event while the
    platform was read: the event may be newer than the read, so they are left alone.
    """
    people = {p.user_id: p for p in present if not p.is_bot}
    add = tuple(
        person
        for user_id, person in people.items()
        if not stored.get(user_id, False) and user_id not in moved
    )
    remove = tuple(
        user_id
        for user_id, active in stored.items()
        if active and user_id not in people and user_id not in moved
    )
    return VoteChanges(add=add, remove=remove)


@dataclass
class PassReport:
    ideas: int = 0
    messages: int = 0
    unreadable: int = 0
    changed: int = 0
    started: float = field(default_factory=time.monotonic)


class Reconciler:
    """Runs reconciliation passes in the background, one at a time per platform."""

    def __init__(self, core: Core) -> None:
        self.core = core
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._again: dict[str, list[Where]] = {}
        # Set when a platform's latest requested pass is over (tests and shutdown wait on it).
        self.idle: dict[str, asyncio.Event] = {}

    def request(self, port: ChatPort, workspaces: list[Where]) -> None:
        """Reconcile the boards of these workspaces in the background. Asked again while a
        pass runs, another pass follows it (the new gap may touch ideas already done)."""
        platform = port.platform
        self.idle.setdefault(platform, asyncio.Event()).clear()
        running = self._tasks.get(platform)
        if running is not None and not running.done():
            self._again.setdefault(platform, []).extend(workspaces)
            return
        self._tasks[platform] = asyncio.get_running_loop().create_task(
            self._run(port, workspaces), name=f"reconcile-{platform}"
        )

    async def _run(self, port: ChatPort, workspaces: list[Where]) -> None:
        platform = port.platform
        try:
            while True:
                await self.run(port, workspaces)
                workspaces = self._again.pop(platform, [])
                if not workspaces:
                    break
        except asyncio.CancelledError:
            raise
        except Exception:  # logged, never fatal: the next catch-up tries again
            log.exception("reconciliation of %s stopped", platform)
        finally:
            self.idle[platform].set()

    async def close(self) -> None:
        for task in self._tasks.values():
            task.cancel()
        await asyncio.gather(*self._tasks.values(), return_exceptions=True)

    async def run(self, port: ChatPort, workspaces: list[Where]) -> None:
        """One pass over the boards of these workspaces, each board once."""
        seen: set[int] = set()
        for workspace in workspaces:
            board = await self.core.board_for(workspace)
            if board.id in seen:
                continue
            seen.add(board.id)
            await self.run_board(port, board, workspace.workspace_id)

    async def run_board(self, port: ChatPort, board: Board, workspace_id: str = "") -> PassReport:
        """Reconcile one board's open ideas on the port's platform, from its kept place."""
        platform = port.platform
        report = PassReport()
        await self.core.store.reconcile.start(platform, board.id, self.core.now())
        resumed_from = await self.core.store.reconcile.place(platform, board.id)
        if resumed_from is not None:
            log.info(
                "reconciling %s %s: carrying on below idea id %d",
                platform,
                workspace_id,
                resumed_from,
            )
        since = self.core.clock() - timedelta(days=board.settings.reconcile_days)
        below = resumed_from
        wrapped = resumed_from is None
        while True:
            page = await self.core.store.reconcile.messages_to_check(
                board.id, platform, since, below, PAGE
            )
            if resumed_from is not None and wrapped:
                page = [m for m in page if m[0] >= resumed_from]
            if not page:
                if wrapped:
                    break
                wrapped, below = True, None  # round to the ideas done before the restart
                continue
            for idea_id in dict.fromkeys(m[0] for m in page):
                for _, channel_id, message_id in (m for m in page if m[0] == idea_id):
                    if not message_id:
                        continue
                    ref = MessageRef(
                        where=Where(
                            platform=platform, workspace_id=workspace_id, channel_id=channel_id
                        ),
                        message_id=message_id,
                    )
                    changed = await self.check_message(port, board, ref)
                    report.messages += 1
                    if changed is None:
                        report.unreadable += 1
                    else:
                        report.changed += changed
                await self.core.store.reconcile.advance(platform, board.id, idea_id)
                report.ideas += 1
                if report.ideas % PROGRESS_EVERY == 0:
                    log.info(
                        "reconciling %s %s: %d ideas checked, %d votes changed so far",
                        platform,
                        workspace_id,
                        report.ideas,
                        report.changed,
                    )
            below = page[-1][0]
        await self.core.store.reconcile.finish(platform, board.id, self.core.now())
        log.info(
            "reconciled %s %s: %d ideas, %d messages, %d votes changed in %.1fs%s",
            platform,
            workspace_id or board.name,
            report.ideas,
            report.messages,
            report.changed,
            time.monotonic() - report.started,
            f" ({report.unreadable} messages could not be read)" if report.unreadable else "",
        )
        return report

    async def check_message(self, port: ChatPort, board: Board, ref: MessageRef) -> int | None:
        """Make one message's stored votes match the platform; the number of votes changed,
        or None when the platform could not show the message (its votes stay as stored)."""
        emoji = board.settings.vote_emoji
        with self.core.watch_votes(ref.where.platform, ref.channel_id, ref.message_id) as moved:
            try:
                shown = await port.voters(ref, emoji)
            except ChatUnavailable as exc:
                log.info("votes on message %s not read: %s", ref.message_id, exc)
                return None
            if shown is None:
                return None
            wanted = {name: tuple(shown.get(name, ())) for name in emoji}
            changed = await self._apply(board.id, ref, wanted, frozenset(moved))
        return changed

    async def _apply(
        self,
        board_id: int,
        ref: MessageRef,
        shown: dict[str, tuple[Person, ...]],
        moved: frozenset[str],
    ) -> int:
        changed = 0
        at = self.core.now()
        # The people first, in a short transaction of their own and in one order: inserted
        # one by one inside the long transaction below, new members deadlocked on PostgreSQL
        # with the live votes (and other processes) storing the same people meanwhile.
        people = {(p.platform, p.user_id): p for seen in shown.values() for p in seen}
        if people:
            async with self.core.store.transaction() as tx:
                for key in sorted(people):
                    if not people[key].is_bot:
                        await self.core.member_id(tx, people[key])
        async with self.core.store.transaction() as tx:
            for emoji, present in shown.items():
                found = await tx.reconcile.stored_votes(
                    board_id, ref.where.platform, ref.channel_id, ref.message_id, emoji
                )
                if found is None:
                    return 0
                stored = found.votes
                changes = vote_changes(
                    {user_id: active for user_id, (_, active) in stored.items()}, present, moved
                )
                members = [await self.core.member_id(tx, person) for person in changes.add]
                changed += await tx.reconcile.add_votes(
                    board_id, found.idea_id, found.message_row, members, emoji, at
                )
                taken_back = [stored[user_id][0] for user_id in changes.remove]
                changed += await tx.reconcile.remove_votes(found.message_row, taken_back, emoji, at)
                changed += await tx.reconcile.end_anonymous(found.message_row, emoji, at)
        return changed

"""The weekly digest on schedule: each board's digest in each digest channel, exactly once.

For every (board, channel, period) the scheduler first claims the post in the store
(one write transaction, so two processes on one database never both claim it), then
asks the platform's poster to post it, and records it as posted only once the
platform accepted it. A claim carries a lease: when a process dies half way, the
claim runs out and the next attempt resumes it; the poster finds the parts that
did go out (each carries the digest's key) and posts only what is missing.

Only the latest due period is ever posted: a period missed while the bot was down
goes out once, marked late, and older misses are dropped rather than flooding the
channel; a clock turned back never reposts a period older than one already posted.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.boards import Board
from bot.core import Core
from bot.digest import Digest, build_digest
from bot.digest_posts import (
    ChannelState,
    Delivery,
    DigestPost,
    DigestPoster,
    LastPost,
    NoDigestChannel,
    ScheduleStatus,
    post_key,
)
from bot.digest_webhook import record_posted
from bot.domain import Actor, Where
from bot.errors import NotAllowed
from bot.moderation import is_moderator
from bot.schedule import Schedule, Slot
from storage.rows import Claim, PostKey

log = logging.getLogger(__name__)

# How long an attempt may take before another process may take it over.
LEASE = timedelta(minutes=5)
# A digest posted later than this after its slot says it is late.
GRACE = timedelta(minutes=30)
# Retries of a failed post wait 1, 2, 4, ... minutes, at most an hour.
BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)
# The loop wakes at least this often, so changed settings and channels are seen.
MAX_NAP = timedelta(minutes=10)
# While it naps, the boards' schedules are read this often (one small read): a schedule
# changed by another process sharing the store wakes it within seconds. Changes made
# in this process poke it at once.
WATCH_SECONDS = 5.0


class DigestScheduler:
    """Posts each board's digest at its weekday and local time to its digest channels."""

    def __init__(
        self,
        core: Core,
        *,
        owner: str | None = None,
        lease: timedelta = LEASE,
        grace: timedelta = GRACE,
        max_nap: timedelta = MAX_NAP,
    ) -> None:
        self.core = core
        self.owner = owner or uuid.uuid4().hex
        self.lease = lease
        self.grace = grace
        self.max_nap = max_nap
        self.watch_seconds = WATCH_SECONDS
        self.posters: dict[str, DigestPoster] = {}
        self._wake = asyncio.Event()
        # Each board's schedule as the last round saw it.
        self._schedules: dict[int, Schedule] = {}

    def register(self, poster: DigestPoster) -> None:
        """Post digests of ``poster.platform`` channels through ``poster``."""
        self.posters[poster.platform] = poster
        log.info("digest scheduler: posting digests to %s channels", poster.platform)
        self.poke()

    def poke(self) -> None:
        """Look again now (settings or channels changed)."""
        self._wake.set()

    # -- the loop ----------------------------------------------------------------

    async def run(self, sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        """Post digests as they fall due, for ever; ``sleep`` is injected by tests."""
        while True:
            # Cleared before the round: a poke that comes during it makes another round.
            self._wake.clear()
            platforms = ", ".join(sorted(self.posters)) or "no platform yet"
            try:
                await self.tick()
                wake = await self.next_wake()
            except Exception:
                # The store or a board's data failed: log it and try again later,
                # the rest of the bot keeps running.
                log.exception("digest scheduler: a round failed")
                wake = self.core.clock() + BACKOFF
            seconds = max(0.0, (wake - self.core.clock()).total_seconds())
            log.debug(
                "digest scheduler: looked for digests due on %s; next look at %s",
                platforms,
                wake.isoformat(),
            )
            napping = asyncio.ensure_future(sleep(seconds))
            poked = asyncio.ensure_future(self._wake.wait())
            watching = asyncio.ensure_future(self._watch())
            try:
                await asyncio.wait({napping, poked, watching}, return_when=asyncio.FIRST_COMPLETED)
                if napping.done():
                    napping.result()  # a sleep that failed ends the loop with its error
            finally:
                napping.cancel()
                poked.cancel()
                watching.cancel()

    async def _watch(self) -> None:
        """Return once a board's schedule differs from what the last round saw (changed
        by another process), reading them every ``watch_seconds`` of real time."""
        while True:
            await asyncio.sleep(self.watch_seconds)
            try:
                now = await self._read_schedules()
            except Exception:  # the store is away: the nap's end or a poke still come
                log.warning("digest scheduler: could not read the boards' schedules")
                continue
            if now != self._schedules:
                log.info("digest scheduler: a board's schedule changed elsewhere; looking again")
                return

    async def _read_schedules(self) -> dict[int, Schedule]:
        return {b.id: Schedule.of(b.settings) for b in await self.core.all_boards()}

    async def next_wake(self) -> datetime:
        """When the loop should look again: the next slot, retry or expiring claim."""
        now = self.core.clock()
        times = [now + self.max_nap]
        self._schedules = await self._read_schedules()
        for schedule in self._schedules.values():
            times.append(schedule.next_due(now).due)
        times += await self.core.store.digests.pending_times(now)
        return max(now, min(times))

    async def tick(self) -> list[Delivery]:
        """Post every digest that is due now and not yet posted."""
        now = self.core.clock()
        deliveries: list[Delivery] = []
        boards = await self.core.all_boards()
        for found in await asyncio.gather(*(self._due(board, now) for board in boards)):
            deliveries += found
        return deliveries

    async def _due(self, board: Board, now: datetime) -> list[Delivery]:
        try:
            return await self._post_due(board, now)
        except Exception:
            # One board's trouble (say its digest fails to build) stops no other board.
            log.exception("digest scheduler: board %s failed", board.name)
            return []

    async def _post_due(self, board: Board, now: datetime) -> list[Delivery]:
        slot = Schedule.of(board.settings).latest_due(now)
        rows = await self.core.store.channels.of_board(board.id, "digest")
        # A channel added after the slot waits for the next one.
        places = [
            Where(platform=r.platform, workspace_id=r.workspace_id, channel_id=r.channel_id)
            for r in rows
            if r.platform in self.posters and (r.added_at is None or r.added_at <= slot.due)
        ]
        return await self._deliver(board, slot, places, now) if places else []

    # -- what moderators ask for ---------------------------------------------------

    async def post_now(self, where: Where, actor: Actor) -> list[Delivery]:
        """Post the latest digest to every digest channel that does not have it yet.

        Channels that have it, or whose platform this process does not serve, come
        back as skipped with the reason.
        """
        board = await self._board_for_moderator(where, actor)
        now = self.core.clock()
        slot = Schedule.of(board.settings).latest_due(now)
        rows = await self.core.store.channels.of_board(board.id, "digest")
        places = [
            Where(platform=r.platform, workspace_id=r.workspace_id, channel_id=r.channel_id)
            for r in rows
        ]
        if not places:
            raise NoDigestChannel(
                "This board has no digest channel yet: run `/ideabot config channel digest`"
                " in the channel that should get it."
            )
        skipped = [
            Delivery(
                board=board.name,
                where=p,
                label=slot.period.label,
                outcome="skipped",
                error=f"ideabot is not connected to {p.platform} in this process",
            )
            for p in places
            if p.platform not in self.posters
        ]
        reachable = [p for p in places if p.platform in self.posters]
        return skipped + await self._deliver(board, slot, reachable, now, asked=True)

    async def preview(self, where: Where, actor: Actor) -> Digest:
        """The digest the next post would carry, for a moderator's eyes only."""
        board = await self._board_for_moderator(where, actor)
        slot = Schedule.of(board.settings).latest_due(self.core.clock())
        return await build_digest(self.core, board, slot.period)

    async def status(self, board: Board) -> ScheduleStatus:
        """The board's schedule, its next slot and the last post in each digest channel."""
        schedule = Schedule.of(board.settings)
        rows = await self.core.store.channels.of_board(board.id, "digest")
        last = {
            (r.platform, r.channel_id): LastPost(
                label=r.label,
                posted_at=r.posted_at,
                late=r.late,
                attempts=r.attempts,
                error=r.last_error,
                next_try_at=r.next_try_at,
            )
            for r in await self.core.store.digests.latest(board.id)
        }
        return ScheduleStatus(
            schedule=schedule,
            next_due=schedule.next_due(self.core.clock()).due,
            channels=tuple(
                ChannelState(
                    where=Where(
                        platform=r.platform, workspace_id=r.workspace_id, channel_id=r.channel_id
                    ),
                    last=last.get((r.platform, r.channel_id)),
                )
                for r in rows
            ),
        )

    async def _board_for_moderator(self, where: Where, actor: Actor) -> Board:
        board = await self.core.board_for(where)
        if not is_moderator(board, actor):
            raise NotAllowed("Only moderators can do that.")
        return board

    # -- posting ---------------------------------------------------------------------

    async def _deliver(
        self,
        board: Board,
        slot: Slot,
        places: list[Where],
        now: datetime,
        *,
        asked: bool = False,
    ) -> list[Delivery]:
        # A moderator's "now" is never late, and does not wait out a retry's backoff.
        late = not asked and now - slot.due > self.grace
        skipped: list[Delivery] = []
        claimed: list[tuple[Where, PostKey, Claim]] = []
        for where in places:
            key = self._key(board, slot, where)
            claim = await self.core.store.digests.claim(
                key, self.owner, now, now + self.lease, late, ignore_backoff=asked
            )
            if claim is not None:
                claimed.append((where, key, claim))
            elif asked:
                skipped.append(
                    Delivery(
                        board=board.name,
                        where=where,
                        label=slot.period.label,
                        outcome="skipped",
                        error="already posted there (or being posted right now)",
                    )
                )
        if not claimed:
            return skipped
        built = replace(await build_digest(self.core, board, slot.period), late=late)
        post = DigestPost(key=post_key(board, slot), digest=built)
        # Channels are posted to side by side: a slow or unreachable platform holds up
        # no other channel.
        posted = await asyncio.gather(
            *(self._post(board, where, key, post, claim) for where, key, claim in claimed)
        )
        return skipped + list(posted)

    async def _post(
        self,
        board: Board,
        where: Where,
        key: PostKey,
        post: DigestPost,
        claim: Claim,
    ) -> Delivery:
        poster = self.posters[where.platform]
        digest = post.digest
        label = digest.period.label
        if claim.resumed:
            log.info("digest %s in %s: resuming an attempt that stopped half way", label, where)
        try:
            message_id = await poster.post_digest(where, post)
        except Exception as exc:  # any refusal, timeout or bug: retry later, keep running
            error = str(exc) or type(exc).__name__
            delay = min(BACKOFF * 2 ** (claim.attempt - 1), MAX_BACKOFF)
            retry_at = self.core.clock() + delay
            log.warning(
                "digest %s for board %s in %s:%s failed (attempt %d, retry at %s): %s",
                label,
                board.name,
                where.platform,
                where.channel_id,
                claim.attempt,
                retry_at.isoformat(),
                error,
            )
            await self.core.store.digests.failed(key, self.owner, error, retry_at)
            return Delivery(
                board=board.name,
                where=where,
                label=label,
                outcome="failed",
                late=digest.late,
                error=error,
                retry_at=retry_at,
            )
        recorded = await record_posted(
            self.core.store, board, key, self.owner, digest, where, message_id, self.core.now()
        )
        if not recorded:
            log.warning("digest %s in %s: the claim ran out while posting", label, where)
        log.info("digest %s for board %s posted in %s", label, board.name, where)
        return Delivery(
            board=board.name,
            where=where,
            label=label,
            outcome="posted",
            late=digest.late,
            message_id=message_id,
        )

    @staticmethod
    def _key(board: Board, slot: Slot, where: Where) -> PostKey:
        assert where.channel_id is not None
        return PostKey(
            board_id=board.id,
            platform=where.platform,
            workspace_id=where.workspace_id,
            channel_id=where.channel_id,
            period_start=slot.period.start,
            period_end=slot.period.end,
            label=slot.period.label,
        )

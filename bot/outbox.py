"""The outbox: what a change must tell other systems, delivered by the running bot.

A process without a platform connection (the shell, an import) changes an idea's status
in one transaction that also writes an outbox row per platform the idea lives on; the
running bot (`ideabot run`) claims the rows for the platforms it is connected to,
announces each in the idea's thread exactly as the chat command does, and marks it done.

Delivery is at least once, and in practice once: a claim holds a row for ``LEASE``; a
process killed after announcing and before marking the row done leaves the claim to
expire, and the next claimer announces again. So a crash in that window (a few
milliseconds: one UPDATE after the platform answered) repeats that one announcement at
most once per crash; a crash anywhere else repeats nothing and loses nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from bot.boards import Board
from bot.core import Core, view
from bot.domain import NOTIFY_STATUSES, Person
from bot.results import StatusChanged
from storage.port import Transaction
from storage.rows import ChannelRow, IdeaRow, OutboxItem

log = logging.getLogger(__name__)

STATUS = "status"
# A line for a board's moderators in one of its channels (an endpoint switched off).
NOTICE = "notice"
LEASE = timedelta(minutes=2)
# How often the running bot looks for rows other processes wrote; its own are poked.
POLL_SECONDS = 2.0
BATCH = 20
FIRST_RETRY = timedelta(seconds=10)
LAST_RETRY = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(hours=24)

Deliver = Callable[[OutboxItem], Awaitable[None]]
Targets = Callable[[], Awaitable[list[str]]]


async def queue_status(
    tx: Transaction,
    board: Board,
    row: IdeaRow,
    platforms: set[str],
    old: str,
    new: str,
    note: str | None,
    at: Any,
) -> None:
    """Queue the announcement of a status change for each platform the idea lives on."""
    payload = {"kind": STATUS, "idea_id": row.id, "old": old, "new": new, "note": note}
    for platform in sorted(platforms):
        await tx.outbox.add(board.id, platform, f"idea:{row.id}", payload, at)


async def status_changed(
    core: Core, board: Board, row: IdeaRow, old: str, new: str, note: str | None
) -> StatusChanged:
    """The change as the chat command reports it: the idea now, the voters to tell, where."""
    notify: tuple[Person, ...] = ()
    if new in NOTIFY_STATUSES and new != old:
        voters = await core.store.ideas.voters(board.id, row.id)
        notify = tuple(Person(platform=v.platform, user_id=v.user_id, name=v.name) for v in voters)
    messages = await core.store.ideas.messages_of(board.id, row.id)
    return StatusChanged(
        idea=view(row),
        old=old,
        new=new,
        note=note,
        notify=notify,
        messages=tuple((m[0], m[1], m[2]) for m in messages),
        at=core.clock(),
    )


def notice_channels_first(digest: list[ChannelRow], ideas: list[ChannelRow]) -> list[ChannelRow]:
    """Where a board's moderators are told about its integrations: the digest channels
    (where the product owners read the board's news), else the idea channels."""
    return digest or ideas


async def disable_failing(core: Core, board_id: int, webhook_id: int) -> bool:
    """Switch off an endpoint that failed for a day and tell the board's moderators, in one
    transaction: a notice per digest channel (idea channels when there are none), posted
    by the running bot. Once: False (nothing queued) when it was off already."""
    at = core.clock()
    async with core.store.transaction() as tx:
        endpoint = await tx.webhooks.by_id(webhook_id)
        if endpoint is None or not await tx.webhooks.disable(webhook_id, at):
            return False
        channels = notice_channels_first(
            await tx.channels.of_board(board_id, "digest"),
            await tx.channels.of_board(board_id, "ideas"),
        )
        # The host only: a URL's path often carries a token (Slack's incoming webhooks do).
        host = urlsplit(endpoint.url).hostname or "?"
        text = (
            f"Webhook {webhook_id} (to {host[:80]}) has failed for 24 hours and is now"
            " switched off: nothing more is sent to it. A moderator can see its last errors"
            " with `ideabot webhooks deliveries`, and add it again once it works."
        )
        for channel in channels:
            payload = {
                "kind": NOTICE,
                "workspace_id": channel.workspace_id,
                "channel_id": channel.channel_id,
                "text": text,
            }
            ordering = f"notice:{channel.channel_id}"
            await tx.outbox.add(board_id, channel.platform, ordering, payload, at)
        details = {"id": webhook_id, "host": host[:80], "told": len(channels)}
        await tx.log.add(board_id, None, "webhook disabled", details, at)
    core.forget_webhooks(board_id)
    log.warning("outbox: webhook %d switched off; %d channels told", webhook_id, len(channels))
    return True


def notice_of(item: OutboxItem) -> tuple[str, str] | None:
    """(channel id, text) of a notice row for a platform; None for any other row."""
    payload = item.payload
    if payload.get("kind") != NOTICE:
        return None
    return str(payload["channel_id"]), str(payload["text"])


def backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: doubling from 10 s, at most an hour."""
    return min(LAST_RETRY, FIRST_RETRY * (2 ** max(0, attempts - 1)))


class OutboxWorker:
    """Delivers the outbox's rows for the targets registered (the connected platforms)."""

    def __init__(self, core: Core, *, owner: str | None = None) -> None:
        self.core = core
        self.owner = owner or uuid.uuid4().hex
        self.deliverers: dict[str, Deliver] = {}
        # Targets known only from the database (a webhook endpoint each), by prefix.
        self.families: dict[str, tuple[Targets, Deliver]] = {}
        self.poll_seconds = POLL_SECONDS
        self._wake = asyncio.Event()

    def register(self, target: str, deliver: Deliver) -> None:
        """Deliver ``target``'s rows through ``deliver`` from now on."""
        self.deliverers[target] = deliver
        log.info("outbox: delivering to %s", target)
        self.poke()

    def register_family(self, prefix: str, targets: Targets, deliver: Deliver) -> None:
        """Deliver every target ``targets()`` names (all starting with ``prefix``)."""
        self.families[prefix] = (targets, deliver)
        log.info("outbox: delivering to %s*", prefix)
        self.poke()

    def poke(self) -> None:
        self._wake.set()

    async def _targets(self) -> list[str]:
        found = list(self.deliverers)
        for targets, _ in self.families.values():
            found += await targets()
        return found

    def _deliverer(self, target: str) -> Deliver:
        if target in self.deliverers:
            return self.deliverers[target]
        return next(d for p, (_, d) in self.families.items() if target.startswith(p))

    async def status_of(self, item: OutboxItem) -> StatusChanged | None:
        """The status change an announcement row stands for; None if the idea is gone
        (or the row is not an announcement: see ``notice_of``)."""
        payload = item.payload
        if payload.get("kind", STATUS) != STATUS:
            return None
        row = await self.core.store.ideas.by_id(item.board_id, int(payload["idea_id"]))
        if row is None:
            return None
        board = await self.core.board_by_id(item.board_id)
        return await status_changed(
            self.core, board, row, str(payload["old"]), str(payload["new"]), payload.get("note")
        )

    async def tick(self) -> int:
        """Claim and deliver what is due; how many rows were handled."""
        core = self.core
        now = core.clock()
        items = await core.store.outbox.claim(
            await self._targets(), self.owner, now, now + LEASE, BATCH
        )
        for item in items:
            try:
                await self._deliverer(item.target)(item)
            except Exception as exc:  # a platform or endpoint failure: try again later
                again = core.clock() + backoff(item.attempts)
                give_up = again - item.created_at > GIVE_UP_AFTER
                log.warning(
                    "outbox: delivery %d to %s failed (attempt %d): %s",
                    item.id,
                    item.target,
                    item.attempts,
                    exc,
                )
                await core.store.outbox.failed(
                    item.id,
                    f"{type(exc).__name__}: {exc}",
                    None if give_up else again,
                    core.clock(),
                )
                if give_up:
                    await self._gave_up(item)
                continue
            await core.store.outbox.done(item.id, core.clock())
            log.info("outbox: delivered %d to %s", item.id, item.target)
        return len(items)

    async def _gave_up(self, item: OutboxItem) -> None:
        log.error("outbox: gave up on delivery %d to %s after 24 hours", item.id, item.target)
        if item.target.startswith("webhook:"):
            webhook_id = int(item.target.removeprefix("webhook:"))
            if await disable_failing(self.core, item.board_id, webhook_id):
                self.poke()  # the notices are this process's to post, if it is connected

    async def run(self) -> None:
        """Deliver for ever: at once when poked, else every ``poll_seconds``."""
        while True:
            self._wake.clear()
            try:
                handled = await self.tick()
            except Exception:
                log.exception("outbox: a round failed")
                handled = 0
            if handled:
                continue  # more may be waiting behind the batch (or behind an idea's order)
            nap = self.poll_seconds
            try:
                due = await self.core.store.outbox.next_due(await self._targets())
            except Exception:
                log.exception("outbox: could not read when the next row is due")
                due = None
            if due is not None:
                nap = min(nap, max(0.0, (due - self.core.clock()).total_seconds()))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=nap)

"""The durable inbox: an event is written down before the platform hears "got it".

Slack sends an event until it is acknowledged and never again after: an event
acknowledged and then lost to a crash is lost for good. So the Slack adapter puts each
event here first (one group commit shared by every event of a burst, a few
milliseconds) and acknowledges only then; the event is handled after the
acknowledgement and marked done. On start, whatever a crash left undone is handled
again, oldest first, before catch-up reads the platform. Handling is idempotent (the
event id is recorded with what the event stored), so an event handled just before
a crash and handled again changes nothing.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from bot.core import Core

log = logging.getLogger(__name__)

# Handled events are kept this long (for looking into a problem), then dropped.
KEEP_DONE = timedelta(days=2)
REPLAY_PAGE = 200


class Inbox:
    """Platform events, written before they are acknowledged."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def put(self, platform: str, event_id: str, body: dict[str, Any]) -> bool:
        """Write the event durably; False when it was written before (a redelivery)."""
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        stored: bool = await self.core.store.inbox.put(platform, event_id, text, self.core.now())
        return stored

    async def done(self, platform: str, event_id: str) -> None:
        await self.core.store.inbox.done(platform, [event_id], self.core.now())

    async def replay(
        self, platform: str, handle: Callable[[dict[str, Any]], Awaitable[object]]
    ) -> int:
        """Handle again every event a crash left undone, oldest first; how many."""
        count, after = 0, 0
        while True:
            page = await self.core.store.inbox.pending(platform, after, REPLAY_PAGE)
            if not page:
                break
            for row_id, event_id, body in page:
                after = row_id
                try:
                    await handle(json.loads(body))
                except Exception:  # one bad event must not stop the others
                    log.exception("replaying event %s failed; it is dropped", event_id)
                await self.done(platform, event_id)
                count += 1
        if count:
            log.info("handled %d %s events left over from before a restart", count, platform)
        before = self.core.clock() - KEEP_DONE
        await self.core.store.inbox.forget_done(before)
        return count

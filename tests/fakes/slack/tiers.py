"""Slack's Web API rate limits by method tier, switchable per fake: a method called more often
than its tier allows in a minute gets HTTP 429, ``Retry-After: <seconds>`` (until a slot frees)
and ``{"ok": false, "error": "ratelimited"}``, as Slack answers.

Tiers (api.slack.com/apis/rate-limits): 1 = 1+ a minute, 2 = 20+, 3 = 50+, 4 = 100+; "+"
because Slack tolerates some burst, so tier 1 allows a few. ``chat.postMessage`` is special:
about one a second per channel. ``non_marketplace`` applies the limits of 2025 for apps not
in the Slack Marketplace: ``conversations.history`` and ``conversations.replies`` once a
minute, at most 15 messages a page."""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

TIER_PER_MINUTE = {1: 5, 2: 20, 3: 50, 4: 100}
METHOD_TIER = {
    "apps.connections.open": 1,
    "auth.test": 4,
    "chat.update": 3,
    "chat.delete": 3,
    "chat.postEphemeral": 4,
    "chat.getPermalink": 4,
    "reactions.add": 3,
    "reactions.remove": 2,
    "reactions.get": 3,
    "conversations.history": 3,
    "conversations.replies": 3,
    "conversations.info": 3,
    "conversations.members": 4,
    "conversations.list": 2,
    "conversations.join": 3,
    "users.info": 4,
    "users.list": 2,
    "views.open": 4,
}
NON_MARKETPLACE = {"conversations.history", "conversations.replies"}
NON_MARKETPLACE_PAGE = 15


@dataclass
class SlackTiers:
    """The budgets: per tier a minute, ``post_per_second`` for chat.postMessage per channel,
    ``non_marketplace`` for the 2025 history limits. Methods not listed count as tier 3."""

    per_minute: dict[int, int] = field(default_factory=lambda: dict(TIER_PER_MINUTE))
    post_per_second: float = 1
    post_burst: int = 5
    non_marketplace: bool = False

    def budget(self, method: str) -> tuple[int, float]:
        """(calls, seconds) a method may make."""
        if method == "chat.postMessage":
            return self.post_burst, self.post_burst / self.post_per_second
        if self.non_marketplace and method in NON_MARKETPLACE:
            return 1, 60.0
        return self.per_minute[METHOD_TIER.get(method, 3)], 60.0

    def page_limit(self, method: str) -> int | None:
        """The most messages a page may hold, when the 2025 limits cap it."""
        return NON_MARKETPLACE_PAGE if self.non_marketplace and method in NON_MARKETPLACE else None


@dataclass
class TierLimiter:
    tiers: SlackTiers
    calls: dict[tuple[str, str], deque[float]] = field(default_factory=dict)
    refused: int = 0

    def retry_after(self, method: str, params: dict[str, Any]) -> int | None:
        """Count one call; None if allowed, else the whole seconds to wait."""
        now = time.monotonic()
        allowed, seconds = self.tiers.budget(method)
        key = (method, str(params.get("channel") or "") if method == "chat.postMessage" else "")
        recent = self.calls.setdefault(key, deque())
        while recent and recent[0] <= now - seconds:
            recent.popleft()
        if len(recent) >= allowed:
            self.refused += 1
            return max(1, math.ceil(recent[0] + seconds - now))
        recent.append(now)
        return None

"""Discord's REST rate limits, switchable per fake: every response carries the bucket headers
(``X-RateLimit-Limit / Remaining / Reset / Reset-After / Bucket``) and a request beyond a
bucket's budget, or beyond the global budget, is answered 429 as Discord does.

A bucket is a route template (``GET /channels/{cid}/messages/{mid}``); its budget is counted
per major parameter (channel, guild or webhook id), as Discord does: reading two channels
never slows one another down, only the global limit joins them. Off by default (``None``)."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field

MAJOR = ("cid", "gid", "wid")
# Discord's own 429s come through its Google front end; a 429 without ``Via`` is a
# Cloudflare ban to discord.py, which then gives up instead of waiting.
VIA = "1.1 google"


@dataclass
class RateLimits:
    """Budgets: ``per_route`` requests per ``window`` seconds in each bucket and major
    parameter, and ``global_per_second`` requests per second in all (Discord's is 50);
    ``global_window`` stretches that second, so that a test of the global limit holds
    however slowly a busy machine sends its requests."""

    per_route: int = 50
    window: float = 1.0
    global_per_second: int = 50
    global_window: float = 1.0
    # Interaction callbacks and webhooks are outside the global limit, as on Discord.
    exempt_prefixes: tuple[str, ...] = ("/interactions/", "/webhooks/")


@dataclass
class _Window:
    reset_at: float
    remaining: int


@dataclass
class Limited:
    """The verdict for one request: the headers to send and, when refused, the 429 body."""

    headers: dict[str, str]
    refused: dict[str, object] | None = None


@dataclass
class RateLimiter:
    limits: RateLimits
    windows: dict[tuple[str, str], _Window] = field(default_factory=dict)
    global_window: _Window | None = None
    refused: int = 0  # 429s answered

    def take(self, method: str, template: str, args: dict[str, str], path: str) -> Limited:
        """Count one request to ``template`` (the route pattern) against its budgets."""
        now = time.monotonic()
        bucket = hashlib.sha1(f"{method} {template}".encode()).hexdigest()[:16]
        major = next((args[k] for k in MAJOR if k in args), "")
        if not path.startswith(self.limits.exempt_prefixes):
            limited = self._global(now)
            if limited is not None:
                return limited
        window = self.windows.get((bucket, major))
        if window is None or now >= window.reset_at:
            window = _Window(now + self.limits.window, self.limits.per_route)
            self.windows[(bucket, major)] = window
        reset_after = max(window.reset_at - now, 0.0)
        headers = {
            "X-RateLimit-Limit": str(self.limits.per_route),
            "X-RateLimit-Reset": f"{time.time() + reset_after:.3f}",
            "X-RateLimit-Reset-After": f"{reset_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        }
        if window.remaining <= 0:
            self.refused += 1
            headers |= {
                "Via": VIA,
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Scope": "user",
                "Retry-After": str(max(1, round(reset_after))),
            }
            body = {
                "message": "You are being rate limited.",
                "retry_after": round(reset_after, 3),
                "global": False,
            }
            return Limited(headers, body)
        window.remaining -= 1
        headers["X-RateLimit-Remaining"] = str(window.remaining)
        return Limited(headers)

    def _global(self, now: float) -> Limited | None:
        window = self.global_window
        if window is None or now >= window.reset_at:
            window = self.global_window = _Window(
                now + self.limits.global_window, self.limits.global_per_second
            )
        if window.remaining > 0:
            window.remaining -= 1
            return None
        self.refused += 1
        retry_after = max(window.reset_at - now, 0.001)
        headers = {
            "Via": VIA,
            "X-RateLimit-Global": "true",
            "X-RateLimit-Scope": "global",
            "Retry-After": str(max(1, round(retry_after))),
        }
        body = {"message": "You are being rate limited.", "retry_after": retry_after}
        return Limited(headers, body | {"global": True})

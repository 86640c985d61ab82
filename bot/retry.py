"""Connecting to a chat platform again, with backoff, while it is unreachable or failing.

A platform that is down or a network that is away is waited out: each failed attempt
is logged in one line (never a traceback, never a token) and tried again after 1, 2,
4, ... seconds, at most five minutes. A refused token is not waited out: it ends the
run with one line saying what to do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from bot.errors import IdeabotError

FIRST_DELAY = 1.0
MAX_DELAY = 300.0

log = logging.getLogger("ideabot.run")

Sleep = Callable[[float], Awaitable[None]]


def redact(text: str, secrets: Sequence[str]) -> str:
    """``text`` with every secret replaced by ``***``."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


async def keep_trying(
    platform: str,
    attempt: Callable[[], Awaitable[None]],
    *,
    refused: Callable[[BaseException], str | None],
    transient: Callable[[BaseException], bool],
    secrets: Sequence[str] = (),
    sleep: Sleep = asyncio.sleep,
    first: float = FIRST_DELAY,
    cap: float = MAX_DELAY,
) -> None:
    """Run ``attempt`` until it returns, again after each transient failure.

    ``refused(exc)`` gives the one-line message of a failure no retry can fix (a
    rejected token): IdeabotError with it. ``transient(exc)`` tells a failure worth
    waiting out; anything else is raised as it is.
    """
    delay = first
    failures = 0
    while True:
        try:
            await attempt()
            return
        except Exception as exc:
            message = refused(exc)
            if message is not None:
                raise IdeabotError(message) from None
            if not transient(exc):
                raise
            failures += 1
            reason = redact(f"{type(exc).__name__}: {exc}", secrets).splitlines()[0][:200]
            log.warning(
                "%s: cannot connect (%s); attempt %d failed, trying again in %.0f s",
                platform,
                reason,
                failures,
                delay,
            )
        await sleep(delay)
        delay = min(delay * 2, cap)

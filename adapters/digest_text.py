"""What both adapters tell moderators about the digest schedule and its posts, in plain
words; each adapter passes how it names a channel and how it escapes text."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.digest_posts import Delivery, ScheduleStatus
from bot.domain import Where

Place = Callable[[Where], str]
Escape = Callable[[str], str]


def when(moment: datetime, zone: ZoneInfo) -> str:
    """Like "Mon 16 Nov 2026 09:00 (Europe/Berlin)": a moment in the board's zone."""
    return f"{moment.astimezone(zone):%a %d %b %Y %H:%M} ({zone.key})"


def schedule(status: ScheduleStatus) -> str:
    """Like "Mondays 09:00 (UTC); next on Mon 16 Nov 2026 09:00 (UTC)"."""
    return f"{status.schedule.describe()}; next on {when(status.next_due, status.schedule.zone)}"


def status_lines(status: ScheduleStatus, place: Place, escape: Escape) -> list[str]:
    """The schedule, then each digest channel with what became of its latest digest."""
    zone = status.schedule.zone
    lines = [f"Digest: {schedule(status)}"]
    if not status.channels:
        return [*lines, "Digest channels: none (`/ideabot config channel digest` adds one)"]
    lines.append("Digest channels:")
    for channel in status.channels:
        last = channel.last
        if last is None:
            state = "nothing posted yet"
        elif last.posted_at is not None:
            state = f"{last.label} posted {when(last.posted_at, zone)}"
            state += " (late)" if last.late else ""
        elif last.error:
            retry = f"; next try {when(last.next_try_at, zone)}" if last.next_try_at else ""
            tries = "once" if last.attempts == 1 else f"{last.attempts} times"
            state = f"{last.label} failed {tries}: {escape(last.error[:300])}{retry}"
        else:
            state = f"{last.label} being posted"
        lines.append(f"• {place(channel.where)}: {state}")
    return lines


def delivery_lines(
    deliveries: Iterable[Delivery], zone: ZoneInfo, place: Place, escape: Escape
) -> list[str]:
    """What ``/ideabot digest now`` did in each digest channel."""
    lines = []
    for d in deliveries:
        where = place(d.where)
        error = escape((d.error or "")[:300])
        if d.outcome == "posted":
            lines.append(f"Posted the digest of {d.label} in {where}.")
        elif d.outcome == "skipped":
            lines.append(f"Skipped {where}: {error}.")
        else:
            retry = f" ideabot tries again {when(d.retry_at, zone)}." if d.retry_at else ""
            lines.append(f"Could not post the digest of {d.label} in {where}: {error}{retry}")
    return lines or ["Nothing to post: every digest channel has the latest digest."]

"""When a board's digest is due: a weekday and a local time in an IANA zone.

A digest covers the seven local days that end at midnight before its slot, so the
default (Monday 09:00) covers the ISO week just ended, and a Friday digest covers
Friday to Thursday. Slots are computed in local time and converted to UTC only
when compared, so 09:00 stays 09:00 across a daylight-saving change. A local time
that does not exist on the day of a spring-forward change resolves forwards, one
that happens twice on a fall-back day means its first occurrence: either way each
week has exactly one slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.boards import WEEKDAYS, BoardSettings, parse_time
from bot.digest import Period, days_ending


@dataclass(frozen=True, kw_only=True)
class Slot:
    """One scheduled digest: when it is due and the period it covers."""

    due: datetime  # in UTC
    period: Period


@dataclass(frozen=True, kw_only=True)
class Schedule:
    weekday: int  # Monday is 0
    at: time
    zone: ZoneInfo

    @classmethod
    def of(cls, settings: BoardSettings) -> Schedule:
        """The schedule a board's settings describe."""
        at = parse_time(settings.digest_time) or time(9, 0)
        return cls(weekday=WEEKDAYS.index(settings.digest_weekday), at=at, zone=settings.zone)

    def slot_on(self, day: date) -> Slot:
        """The slot on ``day`` (which should be the schedule's weekday)."""
        local = datetime.combine(day, self.at, tzinfo=self.zone)
        # In UTC: a time skipped by a spring-forward change moves forwards, and a
        # repeated one is never compared ambiguously (PEP 495).
        return Slot(due=local.astimezone(UTC), period=days_ending(day, self.zone))

    def latest_due(self, now: datetime) -> Slot:
        """The newest slot whose time has come by ``now``."""
        local = now.astimezone(self.zone).date()
        day = local - timedelta(days=(local.weekday() - self.weekday) % 7)
        slot = self.slot_on(day)
        if slot.due > now:
            slot = self.slot_on(day - timedelta(days=7))
        return slot

    def next_due(self, now: datetime) -> Slot:
        """The first slot after ``now``."""
        latest = self.latest_due(now)
        return self.slot_on(latest.due.astimezone(self.zone).date() + timedelta(days=7))

    def describe(self) -> str:
        """Like "Mondays 09:00 (Europe/Berlin)"."""
        return f"{WEEKDAYS[self.weekday].capitalize()}s {self.at:%H:%M} ({self.zone.key})"

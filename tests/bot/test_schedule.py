"""When digests fall due: weekday and local time in a zone, across daylight-saving changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.boards import WEEKDAYS, BoardSettings
from bot.digest import days_ending, previous
from bot.errors import InvalidSetting
from bot.schedule import Schedule

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(month: int, day: int, hour: int = 0, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def schedule(weekday: int = 0, at: str = "09:00", zone: str = "UTC") -> Schedule:
    settings = BoardSettings().updated("timezone", zone).updated("digest_time", at)
    return Schedule.of(settings.updated("digest_weekday", WEEKDAYS[weekday]))


def test_default_is_monday_nine_utc_covering_the_iso_week_before() -> None:
    plan = Schedule.of(BoardSettings())
    assert plan.describe() == "Mondays 09:00 (UTC)"
    slot = plan.latest_due(utc(11, 4, 12))  # a Wednesday
    assert slot.due == utc(11, 2, 9)
    assert slot.period.label == "2026-W44"
    assert (slot.period.start, slot.period.end) == (utc(10, 26), utc(11, 2))


def test_latest_due_switches_exactly_at_the_slot() -> None:
    plan = Schedule.of(BoardSettings())
    assert plan.latest_due(utc(11, 2, 8, 59)).due == utc(10, 26, 9)
    assert plan.latest_due(utc(11, 2, 9, 0)).due == utc(11, 2, 9)
    assert plan.next_due(utc(11, 2, 9, 0)).due == utc(11, 9, 9)
    assert plan.next_due(utc(11, 2, 8, 59)).due == utc(11, 2, 9)


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        # EU summer time ends Sun 2026-10-25: 09:00 Berlin is 07:00 UTC, then 08:00 UTC.
        ("Europe/Berlin", utc(10, 19, 7), utc(10, 26, 8)),
        # US daylight time ends Sun 2026-11-01: 09:00 New York is 13:00 UTC, then 14:00.
        ("America/New_York", utc(10, 26, 13), utc(11, 2, 14)),
    ],
)
def test_local_time_holds_across_a_dst_change(zone: str, before: datetime, after: datetime) -> None:
    plan = schedule(zone=zone)
    first = plan.next_due(before - timedelta(minutes=1))
    second = plan.next_due(first.due)
    assert (first.due, second.due) == (before, after)
    assert first.due.astimezone(ZoneInfo(zone)).time() == time(9, 0)
    assert second.due.astimezone(ZoneInfo(zone)).time() == time(9, 0)
    # The week that holds the change is 169 hours long; the digest covers all of it.
    assert second.period.start == first.period.end
    assert second.period.hours == 169


def test_a_friday_schedule_covers_friday_to_thursday() -> None:
    plan = schedule(weekday=4, at="17:30", zone="Europe/Berlin")
    slot = plan.latest_due(utc(11, 29, 12))  # Sunday
    assert slot.due == datetime(2026, 11, 27, 17, 30, tzinfo=BERLIN)
    assert slot.period.start == datetime(2026, 11, 20, tzinfo=BERLIN)
    assert slot.period.end == datetime(2026, 11, 27, tzinfo=BERLIN)
    assert slot.period.label == "20 Nov–26 Nov 2026"
    assert previous(slot.period, BERLIN).end == slot.period.start


def test_a_time_skipped_by_spring_forward_happens_once_an_hour_later() -> None:
    # Sun 2026-03-29 02:30 does not exist in Berlin (clocks go 02:00 -> 03:00).
    plan = schedule(weekday=6, at="02:30", zone="Europe/Berlin")
    slot = plan.next_due(utc(3, 28))
    assert slot.due == utc(3, 29, 1, 30)  # 03:30 summer time
    assert plan.next_due(slot.due).due == utc(4, 5, 0, 30)  # 02:30 summer time


def test_a_time_that_happens_twice_on_fall_back_is_due_once() -> None:
    # Sun 2026-10-25 02:30 happens twice in Berlin; the first one counts.
    plan = schedule(weekday=6, at="02:30", zone="Europe/Berlin")
    slot = plan.next_due(utc(10, 24))
    assert slot.due == utc(10, 25, 0, 30)
    assert plan.latest_due(utc(10, 25, 1, 30)).due == slot.due
    assert plan.next_due(slot.due).due == utc(11, 1, 1, 30)


def test_days_ending_on_a_monday_is_the_iso_week() -> None:
    period = days_ending(datetime(2026, 11, 30).date(), NEW_YORK)  # noqa: DTZ001 - a date only
    assert period.label == "2026-W48"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("25:00", "HH:MM"),
        ("9", "HH:MM"),
        ("", "HH:MM"),
        ("09:00; DROP TABLE boards", "HH:MM"),
        ("09:60", "HH:MM"),
        ("x" * 5000, "HH:MM"),
    ],
)
def test_bad_digest_times_are_refused(value: str, message: str) -> None:
    with pytest.raises(InvalidSetting, match=message) as caught:
        BoardSettings().updated("digest_time", value)
    assert len(str(caught.value)) < 200


def test_digest_time_is_normalised() -> None:
    assert BoardSettings().updated("digest_time", " 7:05 ").digest_time == "07:05"


def test_boards_stored_with_a_whole_hour_keep_their_schedule() -> None:
    settings = BoardSettings.from_json({"digest_hour": 17, "timezone": "Europe/Berlin"})
    assert settings.digest_time == "17:00"
    assert "digest_hour" not in settings.extra
    # A stored value that no longer validates falls back to the default.
    assert BoardSettings.from_json({"digest_hour": 99}).digest_time == "09:00"
    assert replace(settings, digest_time="08:15").to_json()["digest_time"] == "08:15"

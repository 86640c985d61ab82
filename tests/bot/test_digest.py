"""The weekly digest: local ISO weeks (DST included) and what a week's digest holds."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.digest import (
    TREND_HALF_LIFE_H,
    TREND_WINDOW,
    BadPeriod,
    Period,
    build_digest,
    last_full_week,
    parse_week,
    week_period,
)
from bot.domain import MergeIdeas, SetStatus
from bot.render import digest_markdown
from storage import activity
from storage.database import AsyncDatabase
from storage.rows import PeriodVotes
from storage.sqlite_store import SqliteStore
from storage.times import to_db
from tests.conftest import HERE, FakeClock, draft, moderator, vote

UTC_ZONE = ZoneInfo("UTC")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# -- periods ---------------------------------------------------------------------------------


def test_week_period_is_monday_to_monday_in_utc() -> None:
    period = week_period(2026, 46, UTC_ZONE)
    assert period.label == "2026-W46"
    assert period.start == utc(2026, 11, 9)
    assert period.end == utc(2026, 11, 16)
    assert period.hours == 168


@pytest.mark.parametrize(
    ("zone", "week", "start_utc", "end_utc", "hours"),
    [
        # EU summer time starts Sun 2026-03-29 (last Sunday of March): W13 loses an hour.
        (BERLIN, 13, utc(2026, 3, 22, 23), utc(2026, 3, 29, 22), 167),
        # EU summer time ends Sun 2026-10-25 (last Sunday of October): W43 gains one.
        (BERLIN, 43, utc(2026, 10, 18, 22), utc(2026, 10, 25, 23), 169),
        (BERLIN, 44, utc(2026, 10, 25, 23), utc(2026, 11, 1, 23), 168),
        # US daylight time starts Sun 2026-03-08, ends Sun 2026-11-01.
        (NEW_YORK, 10, utc(2026, 3, 2, 5), utc(2026, 3, 9, 4), 167),
        (NEW_YORK, 43, utc(2026, 10, 19, 4), utc(2026, 10, 26, 4), 168),
        (NEW_YORK, 44, utc(2026, 10, 26, 4), utc(2026, 11, 2, 5), 169),
    ],
)
def test_weeks_crossing_a_dst_change(
    zone: ZoneInfo, week: int, start_utc: datetime, end_utc: datetime, hours: int
) -> None:
    period = week_period(2026, week, zone)
    assert period.start == start_utc
    assert period.end == end_utc
    # Local midnights on both ends.
    assert (period.start.astimezone(zone).hour, period.end.astimezone(zone).hour) == (0, 0)
    assert period.start.astimezone(zone).weekday() == 0
    assert period.hours == hours


def test_parse_week_accepts_the_usual_spellings() -> None:
    assert parse_week("2026-W46", UTC_ZONE) == week_period(2026, 46, UTC_ZONE)
    assert parse_week(" 2026w46 ", UTC_ZONE) == week_period(2026, 46, UTC_ZONE)
    assert parse_week("2026-w05", BERLIN).start == datetime(2026, 1, 26, tzinfo=BERLIN)
    # 2026 starts on a Thursday, so it has an ISO week 53: Mon 12-28 to Mon 2027-01-04.
    w53 = parse_week("2026-W53", UTC_ZONE)
    assert (w53.start, w53.end) == (utc(2026, 12, 28), utc(2027, 1, 4))
    # ISO week 1 of 2026 starts in 2025.
    assert parse_week("2026-W01", UTC_ZONE).start == utc(2025, 12, 29)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2026-W54", "2026-W54 is not a week of the ISO calendar."),
        ("2027-W53", "2027-W53 is not a week of the ISO calendar."),
        ("2026-W00", "2026-W00 is not a week of the ISO calendar."),
        ("2026-13", "'2026-13' is not a week: write it like 2026-W46."),
        ("", "'' is not a week: write it like 2026-W46."),
        ("W46", "'W46' is not a week: write it like 2026-W46."),
        ("2026-W4", "'2026-W4' is not a week: write it like 2026-W46."),
    ],
)
def test_bad_weeks_are_refused_clearly(text: str, message: str) -> None:
    with pytest.raises(BadPeriod) as caught:
        parse_week(text, UTC_ZONE)
    assert str(caught.value) == message


def test_bad_week_number_from_code() -> None:
    with pytest.raises(BadPeriod, match=r"^2026-W54 is not a week"):
        week_period(2026, 54, BERLIN)


def test_last_full_week() -> None:
    # Monday 09:00: the week that just ended.
    assert last_full_week(utc(2026, 11, 2, 9), UTC_ZONE).label == "2026-W44"
    # The very end of Sunday: that week has not ended yet.
    assert last_full_week(utc(2026, 11, 1, 23, 59, 59), UTC_ZONE).label == "2026-W43"
    assert last_full_week(utc(2026, 11, 2), UTC_ZONE).label == "2026-W44"
    # Sun 23:30 UTC is already Monday 00:30 in Berlin.
    assert last_full_week(utc(2026, 11, 1, 23, 30), BERLIN).label == "2026-W44"
    # ... and still Sunday evening in New York.
    assert last_full_week(utc(2026, 11, 2, 4, 30), NEW_YORK).label == "2026-W43"
    assert last_full_week(utc(2026, 11, 2, 5, 0), NEW_YORK).label == "2026-W44"
    # Across the year: the first Monday of 2027 closes 2026-W53.
    week = last_full_week(utc(2027, 1, 4, 12), UTC_ZONE)
    assert (week.label, week.start, week.end) == ("2026-W53", utc(2026, 12, 28), utc(2027, 1, 4))


# -- a DST week in Europe/Berlin -------------------------------------------------------------


async def test_digest_counts_by_local_week_across_the_dst_change(
    app: App, clock: FakeClock
) -> None:
    clock.now = utc(2026, 10, 1)
    board = await app.moderation.configure(HERE, moderator(), "timezone", "Europe/Berlin")
    assert board.settings.timezone == "Europe/Berlin"
    # W43 in Berlin: Mon 10-19 00:00 CEST (10-18 22:00 UTC) to Mon 10-26 00:00 CET (10-25 23:00).
    await app.ideas.submit(
        draft("Dark mode for the map screen", "alice", message_id="m1", at=utc(2026, 10, 10, 9))
    )
    # Sun 10-18 23:30 local (21:30 UTC): the week before.
    await app.ideas.react(vote("m1", "bob", at=utc(2026, 10, 18, 21, 30)))
    # Mon 10-19 00:30 local (22:30 UTC on Sunday): inside W43, though UTC still says W42.
    await app.ideas.react(vote("m1", "carol", at=utc(2026, 10, 18, 22, 30)))
    # Sun 10-25 23:30 CET = 22:30 UTC: the last half hour of the 169-hour week; a week taken
    # as 168 hours from its start would have ended at 22:00 UTC.
    await app.ideas.submit(
        draft(
            "Offline maps for whole regions", "dan", message_id="m2", at=utc(2026, 10, 25, 22, 30)
        )
    )
    await app.ideas.react(vote("m2", "erin", at=utc(2026, 10, 25, 22, 45)))

    w43 = await build_digest(app.core, board, parse_week("2026-W43", board.settings.zone))
    assert w43.period.hours == 169
    assert [(r.idea.number, r.gained, r.idea.votes) for r in w43.top] == [(1, 1, 2), (2, 1, 1)]
    assert [i.number for i in w43.new_ideas] == [2]
    assert w43.headline.votes_cast == 2  # carol and erin; bob voted the week before

    w42 = await build_digest(app.core, board, parse_week("2026-W42", board.settings.zone))
    assert [(r.idea.number, r.gained) for r in w42.top] == [(1, 1)]  # bob alone
    assert w42.new_ideas == ()

    w44 = await build_digest(app.core, board, parse_week("2026-W44", board.settings.zone))
    assert w44.new_ideas == ()
    assert w44.top == ()
    assert w44.quiet
    assert w44.headline.previous_new_ideas == 1
    assert w44.headline.previous_votes_cast == 2

    # The same facts read in UTC weeks put carol's vote in W42 with bob's.
    utc_board = await app.moderation.configure(HERE, moderator(), "timezone", "UTC")
    u42 = await build_digest(app.core, utc_board, parse_week("2026-W42", UTC_ZONE))
    assert [(r.idea.number, r.gained) for r in u42.top] == [(1, 2)]
    u43 = await build_digest(app.core, utc_board, parse_week("2026-W43", UTC_ZONE))
    assert [i.number for i in u43.new_ideas] == [2]  # 10-25 22:30 UTC is Sunday in UTC too
    assert [(r.idea.number, r.gained) for r in u43.top] == [(2, 1)]


# -- one ordinary week, everything in it ------------------------------------------------------

W45 = week_period(2026, 45, UTC_ZONE)  # Mon 2026-11-02 to Mon 2026-11-09, UTC


async def _busy_week(app: App, clock: FakeClock) -> None:
    """W44: #1 alice, #2 bob (4 votes); W45: #3 carol, #4 dan (a duplicate of #1), merged.

    #1 voters: dan, erin before W45; in W45 frank and gina vote, erin takes hers back, and
    #4 gets gina (again), hank, ivy and dan (again, his own idea) before it is merged into #1.
    So #1 goes from {dan, erin} = 2 to {dan, frank, gina, hank, ivy} = 5: +3.
    #3 gets dan, erin, frank, gina: +4. #2's four votes all came before W45: +0.
    """
    ideas, mod = app.ideas, moderator()
    clock.now = utc(2026, 10, 28, 9)
    await ideas.submit(
        draft(
            "Offline maps for whole regions\nDownload the tiles before a trip.",
            "alice",
            message_id="m1",
            at=utc(2026, 10, 28, 9),
        )
    )
    await ideas.submit(
        draft("Export routes as GPX files", "bob", message_id="m2", at=utc(2026, 10, 28, 10))
    )
    for who in ("dan", "erin"):
        await ideas.react(vote("m1", who, at=utc(2026, 10, 29, 9)))
    for who in ("dan", "erin", "frank", "ivy"):
        await ideas.react(vote("m2", who, at=utc(2026, 10, 29, 10)))
    clock.now = utc(2026, 10, 30, 12)
    await app.moderation.set_status(
        SetStatus(where=HERE, actor=mod, number=2, status="in_progress")
    )

    await ideas.submit(
        draft(
            "Dark mode for the map screen\nThe white map blinds me at night.",
            "carol",
            message_id="m3",
            at=utc(2026, 11, 3, 8),
        )
    )
    for who in ("frank", "gina"):
        await ideas.react(vote("m1", who, at=utc(2026, 11, 3, 12)))
    for who in ("dan", "erin", "frank", "gina"):
        await ideas.react(vote("m3", who, at=utc(2026, 11, 3, 12)))
    await ideas.react(vote("m1", "erin", added=False, at=utc(2026, 11, 4, 10)))
    await ideas.submit(
        draft(
            "App is useless once I lose reception in the mountains",
            "dan",
            message_id="m4",
            at=utc(2026, 11, 4, 9),
        )
    )
    for who in ("gina", "hank", "ivy", "dan"):
        await ideas.react(vote("m4", who, at=utc(2026, 11, 4, 11)))
    clock.now = utc(2026, 11, 5, 10)
    await app.moderation.merge(MergeIdeas(where=HERE, actor=mod, number=4, into=1))
    clock.now = utc(2026, 11, 5, 11)
    await app.moderation.set_status(
        SetStatus(where=HERE, actor=mod, number=3, status="under_review")
    )
    clock.now = utc(2026, 11, 6, 11)
    await app.moderation.set_status(
        SetStatus(
            where=HERE,
            actor=mod,
            number=3,
            status="planned",
            note="Planned for the spring release.",
        )
    )
    clock.now = utc(2026, 11, 6, 12)
    await app.moderation.set_status(
        SetStatus(where=HERE, actor=mod, number=1, status="under_review")
    )
    clock.now = utc(2026, 11, 7, 12)
    await app.moderation.set_status(
        SetStatus(where=HERE, actor=mod, number=2, status="done", note="Shipped in 2.1.")
    )
    clock.now = utc(2026, 11, 20, 9)


async def test_top_ideas_by_votes_gained(app: App, clock: FakeClock) -> None:
    await _busy_week(app, clock)
    board = await app.core.board_for(HERE)
    digest = await build_digest(app.core, board, W45)
    assert digest.board == "guild-one"
    # #1 alone would gain 0 (frank, gina in; erin out); counting gina twice would give +4;
    # ignoring erin's removal would give +4; counting the votes from before W45 would give +5.
    assert [(r.idea.number, r.gained, r.idea.votes) for r in digest.top] == [(3, 4, 4), (1, 3, 5)]
    assert digest.top[1].idea.status == "under_review"
    assert 2 not in [r.idea.number for r in digest.top]  # 4 votes, none of them in W45
    assert digest.trending == ()  # the only ideas with new votes are in the top already
    assert [i.number for i in digest.new_ideas] == [3]  # #4 is merged into #1
    assert digest.headline.open_ideas == 3
    assert digest.headline.previous_new_ideas == 2
    assert digest.headline.previous_votes_cast == 6
    assert not digest.quiet


async def test_status_changes_done_first_with_notes(app: App, clock: FakeClock) -> None:
    await _busy_week(app, clock)
    digest = await build_digest(app.core, await app.core.board_for(HERE), W45)
    assert [(s.idea.number, s.old, s.new, s.note) for s in digest.status_changes] == [
        (2, "in_progress", "done", "Shipped in 2.1."),
        (3, "open", "planned", "Planned for the spring release."),  # via under_review
        (1, "open", "under_review", None),
    ]
    assert digest.status_changes[0].at == utc(2026, 11, 7, 12)
    # W44 saw only #2 go to in progress.
    w44 = await build_digest(
        app.core, await app.core.board_for(HERE), week_period(2026, 44, UTC_ZONE)
    )
    assert [(s.idea.number, s.old, s.new) for s in w44.status_changes] == [
        (2, "open", "in_progress")
    ]


async def test_merges_of_the_week(app: App, clock: FakeClock) -> None:
    await _busy_week(app, clock)
    board = await app.core.board_for(HERE)
    digest = await build_digest(app.core, board, W45)
    assert [(m.idea.number, m.into.number, m.automatic, m.at) for m in digest.merges] == [
        (4, 1, False, utc(2026, 11, 5, 10))
    ]
    assert digest.merges[0].idea.merged_into == 1
    w46 = await build_digest(app.core, board, week_period(2026, 46, UTC_ZONE))
    assert w46.merges == ()


async def test_contributors_ranked(app: App, clock: FakeClock) -> None:
    await _busy_week(app, clock)
    digest = await build_digest(app.core, await app.core.board_for(HERE), W45)
    # 3 per idea posted + 1 per vote received in W45 on one's own ideas, self-votes excluded:
    # carol 3 + 4 (#3) = 7; dan 3 + 3 (#4: gina, hank, ivy) = 6; alice 0 + 2 (#1: frank, gina).
    assert [(c.person.name, c.ideas, c.votes_received) for c in digest.contributors] == [
        ("carol", 1, 4),
        ("dan", 1, 3),
        ("alice", 0, 2),
    ]


async def test_quiet_week(app: App, clock: FakeClock) -> None:
    await _busy_week(app, clock)
    board = await app.core.board_for(HERE)
    digest = await build_digest(app.core, board, week_period(2026, 47, UTC_ZONE))
    assert digest.quiet
    assert (digest.top, digest.trending, digest.new_ideas) == ((), (), ())
    assert (digest.status_changes, digest.merges, digest.contributors) == ((), (), ())
    assert digest.headline.open_ideas == 3
    text = digest_markdown(digest)
    assert "A quiet week: no new ideas, votes or status changes." in text
    assert "## " not in text


async def test_empty_board_is_quiet(app: App) -> None:
    board = await app.core.board_for(HERE)
    digest = await build_digest(app.core, board, W45)
    assert digest.quiet
    assert digest.headline.open_ideas == 0
    assert "A quiet week" in digest_markdown(digest)


# -- trending --------------------------------------------------------------------------------


async def _trending_week(app: App) -> None:
    """Five ideas with +4 fill the top; an old idea's votes and a young idea's fresh ones."""
    fillers = [
        "Elevation profile under every route",
        "Emergency SOS button that sends my location",
        "Campsites and mountain huts as a map layer",
        "Switch between miles and kilometres",
        "Voice prompts for turns while navigating",
    ]
    monday = utc(2026, 11, 2, 10)
    for n, text in enumerate(fillers, 1):
        await app.ideas.submit(draft(text, "alice", message_id=f"f{n}", at=utc(2026, 10, 20)))
        for who in ("v1", "v2", "v3", "v4"):
            await app.ideas.react(vote(f"f{n}", who, at=monday))
    # Old idea: three votes on Monday morning, 158 hours before the end of the week.
    await app.ideas.submit(
        draft("Packing checklist per trip", "bob", message_id="old", at=utc(2026, 10, 20))
    )
    for who in ("a", "b", "c"):
        await app.ideas.react(vote("old", who, at=monday))
    # Young idea: posted on Sunday, two votes 4 hours before the end.
    await app.ideas.submit(
        draft(
            "Show sunset time and remaining daylight",
            "carol",
            message_id="young",
            at=utc(2026, 11, 8, 10),
        )
    )
    for who in ("a", "b"):
        await app.ideas.react(vote("young", who, at=utc(2026, 11, 8, 20)))


async def test_trending_favours_fresh_votes(app: App) -> None:
    """Five ideas with +4 fill the top; trending ranks what is left by decayed votes."""
    await _trending_week(app)
    digest = await build_digest(app.core, await app.core.board_for(HERE), W45)
    assert sorted(r.idea.number for r in digest.top) == [1, 2, 3, 4, 5]
    assert all(r.gained == 4 for r in digest.top)
    # Weight 0.5 ** (hours before the end / 24): young 2 x 0.5 ** (4/24) = 1.7818. The old
    # idea's votes, 158 hours before the end (weight 0.01 each), are past the 96-hour window:
    # it has plateaued and does not trend.
    assert [(r.idea.number, r.gained) for r in digest.trending] == [(7, 2)]
    assert [r.trend for r in digest.trending] == pytest.approx([1.7818], abs=1e-4)


async def test_both_plans_weigh_trending_votes_alike(sqlite_app: App) -> None:
    await _trending_week(sqlite_app)
    by_time, by_idea = await _both_plans(sqlite_app, W45)
    _same(by_time, by_idea)
    assert len(by_idea.weights) == 1


def test_period_hours_of_a_plain_period() -> None:
    period = Period(start=utc(2026, 1, 1), end=utc(2026, 1, 2), label="x")
    assert period.hours == 24


# -- the two plans of period_votes (SQLite's: PostgreSQL hash-aggregates) --------------------


async def _both_plans(app: App, period: Period) -> tuple[PeriodVotes, PeriodVotes]:
    board = await app.core.board_for(HERE)
    start, end = to_db(period.start), to_db(period.end)
    since = to_db(max(period.start, period.end - TREND_WINDOW))
    by_time, by_idea = [
        await _sqlite(app).read(
            activity.period_votes, board.id, start, end, since, TREND_HALF_LIFE_H, idea_order=order
        )
        for order in (False, True)
    ]
    return by_time, by_idea


def _same(a: PeriodVotes, b: PeriodVotes) -> None:
    assert sorted(a.gains) == sorted(b.gains)
    assert a.own == b.own
    assert a.cast == b.cast
    assert a.weights == pytest.approx(b.weights, rel=1e-12)


async def test_both_plans_read_the_same_votes(sqlite_app: App, clock: FakeClock) -> None:
    """By time (a long history) and in idea order (a young board) agree, own votes included."""
    app = sqlite_app
    await _busy_week(app, clock)
    by_time, by_idea = await _both_plans(app, W45)
    _same(by_time, by_idea)
    # dan's own vote on #4 is his; frank, gina, hank, ivy and dan on #1 and #4, four on #3.
    assert by_idea.own == {(await _member(app, "dan")): 1}
    assert by_idea.cast == 10
    _same(*await _both_plans(app, week_period(2026, 44, UTC_ZONE)))
    empty = await _both_plans(app, week_period(2026, 50, UTC_ZONE))
    _same(*empty)
    assert empty[0].gains == [] and empty[0].cast == 0


async def test_the_plan_follows_the_history_span(sqlite_app: App, clock: FakeClock) -> None:
    app = sqlite_app
    await _busy_week(app, clock)
    board = await app.core.board_for(HERE)

    async def fits(period: Period) -> bool:
        start, end = to_db(period.start), to_db(period.end)
        return bool(await _sqlite(app).read(activity.idea_order_fits, board.id, start, end))

    # The first vote is on 29 October: W45 ends 11 days later, W52 eight weeks later.
    assert await fits(W45)
    assert not await fits(week_period(2026, 52, UTC_ZONE))


async def _member(app: App, name: str) -> int:
    row = await _sqlite(app).read(
        lambda db: db.execute("SELECT id FROM members WHERE name = ?", [name]).fetchone()
    )
    return int(row[0])


def _sqlite(app: App) -> AsyncDatabase:
    """The SQLite database behind the app's store."""
    store = app.core.store
    assert isinstance(store, SqliteStore)
    return store.db

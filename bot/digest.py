"""The weekly digest: what happened on a board in a period, ready to render.

Periods are local weeks of the board's time zone (Monday 00:00 to Monday 00:00),
so a week that crosses a daylight-saving change is 167 or 169 hours long.
"""

from __future__ import annotations

import asyncio
import heapq
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot import digest_tally as tally
from bot.boards import Board
from bot.core import Core, view
from bot.domain import Person, Status
from bot.errors import IdeabotError
from bot.results import IdeaView
from storage.rows import StatusChangeRow

TOP_N = 5
TRENDING_N = 3
CONTRIBUTORS_N = 5
NEW_N = 15
# A week of mass triage must still read as a digest: the first status changes (shipped
# first) and merges are listed, the rest counted, and each note cut to a few lines.
STATUS_N = 20
MERGES_N = 15
NOTE_MAX = 280
# Trending: each vote's weight halves every this many hours before the period's end;
# votes older than the window weigh too little to matter and are not read.
TREND_HALF_LIFE_H = 24.0
TREND_WINDOW = timedelta(hours=96)
STATUS_ORDER = {
    Status.DONE: 0,
    Status.IN_PROGRESS: 1,
    Status.PLANNED: 2,
    Status.UNDER_REVIEW: 3,
    Status.DECLINED: 4,
    Status.OPEN: 5,
}
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})$", re.IGNORECASE)


# Years a --week may name: chat platforms hold nothing older; the calendar ends at 9999.
WEEK_YEARS = (1970, 9998)


class BadPeriod(IdeabotError):
    """A week that cannot be read."""


@dataclass(frozen=True, kw_only=True)
class Period:
    start: datetime
    end: datetime
    label: str

    @property
    def hours(self) -> float:
        return (self.end.timestamp() - self.start.timestamp()) / 3600


def week_period(year: int, week: int, zone: ZoneInfo) -> Period:
    """ISO week ``year-Wweek`` as local midnights in ``zone``."""
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise BadPeriod(f"{year}-W{week:02d} is not a week of the ISO calendar.") from None
    start = datetime.combine(monday, time(0), tzinfo=zone)
    end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone)
    return Period(start=start, end=end, label=f"{year}-W{week:02d}")


def parse_week(text: str, zone: ZoneInfo) -> Period:
    """The period of a week written ``YYYY-Www``; BadPeriod with an example otherwise."""
    match = _WEEK.match(text.strip())
    if not match:
        raise BadPeriod(f"{text[:30]!r} is not a week: write it like 2026-W46.")
    year = int(match[1])
    # A digest also reads the week before; the calendar's ends have no room for it.
    if not WEEK_YEARS[0] <= year <= WEEK_YEARS[1]:
        raise BadPeriod(
            f"{text.strip()} is outside the years a digest covers"
            f" ({WEEK_YEARS[0]} to {WEEK_YEARS[1]}): write it like 2026-W46."
        )
    return week_period(year, int(match[2]), zone)


def last_full_week(now: datetime, zone: ZoneInfo) -> Period:
    """The latest week in ``zone`` that has ended by ``now``."""
    local = now.astimezone(zone)
    year, week, _ = (local.date() - timedelta(days=7)).isocalendar()
    return week_period(year, week, zone)


def days_ending(end: date, zone: ZoneInfo) -> Period:
    """The seven local days before ``end`` (midnight to midnight in ``zone``).

    Labelled as an ISO week when they are one (``end`` is a Monday), else by dates.
    """
    if end.weekday() == 0:
        year, week, _ = (end - timedelta(days=7)).isocalendar()
        return week_period(year, week, zone)
    first, last = end - timedelta(days=7), end - timedelta(days=1)
    start = datetime.combine(first, time(0), tzinfo=zone)
    stop = datetime.combine(end, time(0), tzinfo=zone)
    return Period(start=start, end=stop, label=f"{first:%d %b}–{last:%d %b %Y}")


def previous(period: Period, zone: ZoneInfo) -> Period:
    """The seven days before ``period``."""
    return days_ending(period.start.astimezone(zone).date(), zone)


@dataclass(frozen=True, kw_only=True)
class Ranked:
    idea: IdeaView
    gained: int
    trend: float = 0.0


@dataclass(frozen=True, kw_only=True)
class StatusEntry:
    idea: IdeaView
    old: str
    new: str
    note: str | None
    at: datetime


@dataclass(frozen=True, kw_only=True)
class MergeEntry:
    idea: IdeaView
    into: IdeaView
    automatic: bool
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Contributor:
    person: Person
    ideas: int
    votes_received: int


@dataclass(frozen=True, kw_only=True)
class Headline:
    new_ideas: int
    votes_cast: int
    open_ideas: int
    previous_new_ideas: int
    previous_votes_cast: int


@dataclass(frozen=True, kw_only=True)
class Digest:
    board: str
    period: Period
    headline: Headline
    top: tuple[Ranked, ...]
    trending: tuple[Ranked, ...]
    new_ideas: tuple[IdeaView, ...]
    status_changes: tuple[StatusEntry, ...]
    merges: tuple[MergeEntry, ...]
    contributors: tuple[Contributor, ...]
    # Status changes and merges beyond the ones listed.
    more_status_changes: int = 0
    more_merges: int = 0
    # Set when the digest goes out after its scheduled time (the bot was down then).
    late: bool = False

    @property
    def quiet(self) -> bool:
        return not (self.top or self.new_ideas or self.status_changes or self.merges)


async def build_digest(core: Core, board: Board, period: Period) -> Digest:
    """The digest of ``board`` for ``period``."""
    activity = core.store.activity
    start, end = period.start, period.end
    before = previous(period, board.settings.zone)
    since = max(period.start, period.end - TREND_WINDOW)
    # The reads that need nothing from each other, all at once: the period's votes take
    # one reader for most of the digest's time while the others go through the next.
    reads = asyncio.gather(
        activity.period_votes(board.id, start, end, since, TREND_HALF_LIFE_H),
        activity.merged_ideas(board.id),
        activity.vote_losses(board.id, start, end),
        activity.created_between(board.id, start, end),
        activity.created_between(board.id, before.start, start),
        activity.status_changes(board.id, start, end),
    )
    more = asyncio.gather(
        activity.merges(board.id, start, end),
        activity.open_ideas(board.id, end),
        activity.votes_cast(board.id, before.start, start),
    )
    first, second = await asyncio.gather(reads, more)
    votes, merged, losses, created, prev_created, changes = first
    merge_rows, open_ideas, previous_cast = second

    # Votes gained, first from range counts per idea (fast; may count twice a person
    # with votes on two messages of one idea), then exactly for the ideas that can rank.
    gained, received = tally.gained_and_received(votes, losses, merged)
    contenders = tally.top_gainers(gained, TOP_N * 4)
    gained.update(await activity.exact_gains(board.id, contenders, start, end))
    trend = tally.top_trends(votes.weights, merged, (TOP_N + TRENDING_N) * 2)

    new_ids = [idea_id for idea_id, _author, is_merged in created if not is_merged]

    # Read whole ideas only for what the digest can show (ties and deleted ideas need slack).
    top_ids = [k for k in contenders if gained.get(k, 0) > 0]
    trend_ids = list(trend)
    shown_new = heapq.nsmallest(NEW_N, new_ids, key=lambda k: (-gained.get(k, 0), k))
    wanted = set(top_ids) | set(trend_ids) | set(shown_new)
    wanted |= {c.idea_id for c in changes} | {m.idea_id for m in merge_rows}
    wanted |= {m.into_id for m in merge_rows}
    rows = await core.store.ideas.by_ids(board.id, sorted(wanted))
    live = {k: r for k, r in rows.items() if r.deleted_at is None and r.merged_into is None}

    top = sorted(
        (Ranked(idea=view(live[k]), gained=gained[k]) for k in top_ids if k in live),
        key=lambda r: (-r.gained, -r.idea.votes, r.idea.number),
    )[:TOP_N]
    in_top = {r.idea.number for r in top}
    trending = sorted(
        (
            Ranked(idea=view(live[k]), gained=gained.get(k, 0), trend=trend[k])
            for k in trend_ids
            if k in live and live[k].number not in in_top
        ),
        key=lambda r: (-r.trend, r.idea.number),
    )[:TRENDING_N]
    statuses = sorted(
        (
            StatusEntry(
                idea=view(rows[c.idea_id]),
                old=c.old,
                new=c.new,
                note=_clip(c.note, NOTE_MAX),
                at=c.at,
            )
            for c in _latest_per_idea(changes)
            if c.idea_id in rows and rows[c.idea_id].deleted_at is None
        ),
        key=lambda s: (STATUS_ORDER.get(Status(s.new), 9), s.at),
    )
    merges = tuple(
        MergeEntry(
            idea=view(rows[m.idea_id]),
            into=view(rows[m.into_id]),
            automatic=m.automatic,
            at=m.at,
        )
        for m in merge_rows
        if m.idea_id in rows and m.into_id in rows
    )
    new_ideas = tuple(
        sorted((view(live[k]) for k in shown_new if k in live), key=lambda i: i.number)
    )
    contributors = await _contributors(core, [author for _i, author, _m in created], received)
    headline = Headline(
        new_ideas=len(new_ids),
        votes_cast=votes.cast,
        open_ideas=open_ideas,
        previous_new_ideas=sum(not is_merged for _i, _a, is_merged in prev_created),
        previous_votes_cast=previous_cast,
    )
    return Digest(
        board=board.name,
        period=period,
        headline=headline,
        top=tuple(top),
        trending=tuple(trending),
        new_ideas=new_ideas,
        status_changes=tuple(statuses[:STATUS_N]),
        merges=merges[:MERGES_N],
        contributors=contributors,
        more_status_changes=max(0, len(statuses) - STATUS_N),
        more_merges=max(0, len(merges) - MERGES_N),
    )


def _clip(text: str | None, limit: int) -> str | None:
    if text is None or len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def _latest_per_idea(changes: list[StatusChangeRow]) -> list[StatusChangeRow]:
    """One entry per idea: the status it ended the period in, moved from where it began."""
    first: dict[int, StatusChangeRow] = {}
    last: dict[int, StatusChangeRow] = {}
    for change in changes:
        first.setdefault(change.idea_id, change)
        last[change.idea_id] = change
    merged = []
    for idea_id, change in last.items():
        entry = replace(change, old=first[idea_id].old)
        if entry.old != entry.new:
            merged.append(entry)
    return merged


async def _contributors(
    core: Core, authors: list[int], received: dict[int, int]
) -> tuple[Contributor, ...]:
    """Members by ideas posted (3 points each) and votes from others received (1 each)."""
    posted: dict[int, int] = {}
    for author in authors:
        posted[author] = posted.get(author, 0) + 1
    points = {m: posted.get(m, 0) * 3 + received.get(m, 0) for m in set(posted) | set(received)}
    # Names break ties, so only the members who can rank are named (a busy week has
    # thousands of authors): everyone with at least the points of the last place.
    cut = heapq.nlargest(CONTRIBUTORS_N, points.values())
    people = sorted(m for m, p in points.items() if p >= cut[-1]) if cut else []
    names = await core.store.members.names(people)
    ranked = sorted(people, key=lambda m: (-points[m], names.get(m, ("", "", ""))[2]))
    out = []
    for member_id in ranked[:CONTRIBUTORS_N]:
        platform, user_id, name = names[member_id]
        out.append(
            Contributor(
                person=Person(platform=platform, user_id=user_id, name=name),
                ideas=posted.get(member_id, 0),
                votes_received=received.get(member_id, 0),
            )
        )
    return tuple(out)

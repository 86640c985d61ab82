"""Reading a board for the web: who may see it, ranked pages of ideas with cursors, an
idea with its duplicates and status history, the roadmap, feed events, the digest weeks."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter

from bot.boards import Board
from bot.core import Core, view
from bot.digest import Digest, Period, build_digest, last_full_week, parse_week, week_period
from bot.domain import Status
from bot.errors import IdeabotError, UnknownBoard, UnknownIdea
from bot.queries import Queries
from bot.results import IdeaView
from storage.rows import RankedRow, Ranking
from storage.rows import StatusEvent as StatusRow

# Sort keys of each view: (figure, descending?). The idea number comes last, so the order
# is total and a cursor (the last row's keys) never skips or repeats.
VIEW_KEYS: dict[str, tuple[tuple[str, bool], ...]] = {
    "top": (("votes", True), ("number", False)),
    "trending": (("gained", True), ("votes", True), ("number", False)),
    "new": (("number", True),),
}
VIEWS = tuple(VIEW_KEYS)
STATUSES = tuple(s.value for s in Status)
ROADMAP_STATUSES = ("planned", "in_progress", "done")
MAX_LIMIT = 100
TREND_DAYS = 7
FEED_SIZE = 30
# How many weeks the digest archive lists, newest first.
ARCHIVE_WEEKS = 156
_BOARD_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


class NotShown(IdeabotError):
    """No board by that name, or one this reader may not see: the same answer for both."""


class BadQuery(IdeabotError):
    """A page or API request with a parameter the board cannot answer."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Listed:
    """An idea in a list, with what the list shows beside it."""

    idea: IdeaView
    duplicates: int
    gained: int = 0
    score: float | None = None
    changed_at: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    ideas: tuple[Listed, ...]
    next_cursor: str | None


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusEvent:
    id: int
    number: int
    title: str
    old: str
    new: str
    note: str | None
    at: datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class IdeaPage:
    idea: IdeaView
    duplicates: tuple[tuple[int, str], ...]
    history: tuple[StatusEvent, ...]

    @property
    def status_changed_at(self) -> datetime | None:
        return self.history[0].at if self.history else None


@dataclass(frozen=True, kw_only=True, slots=True)
class FeedEvents:
    new_ideas: tuple[IdeaView, ...]
    status_changes: tuple[StatusEvent, ...]


def key_digest(key: str) -> str:
    """What is stored of a read key: its SHA-256, hex."""
    return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()


def encode_cursor(view_name: str, keys: tuple[int, ...]) -> str:
    raw = json.dumps([view_name, *keys], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(view_name: str, cursor: str) -> tuple[int, ...]:
    """The sort keys a cursor of ``view_name`` carries; BadQuery for anything else."""
    bad = BadQuery("That cursor is not one this list gave out: start again without it.")
    if len(cursor) > 200:
        raise bad
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise bad from None
    size = len(VIEW_KEYS[view_name])
    if (
        not isinstance(data, list)
        or len(data) != size + 1
        or data[0] != view_name
        or not all(type(k) is int and 0 <= k < 2**62 for k in data[1:])
    ):
        raise bad
    return tuple(data[1:])


class BoardPages:
    """Read-only questions the web board and its API ask; never writes."""

    def __init__(self, core: Core, queries: Queries) -> None:
        self.core = core
        self.queries = queries
        self._orders: dict[
            tuple[int, str],
            tuple[Ranking, list[tuple[int, ...]], list[RankedRow]],
        ] = {}

    # -- who may read -----------------------------------------------------------------

    async def visible_board(self, name: str, key: str | None) -> tuple[Board, bool]:
        """The board called ``name``, and whether it is public, when it is public or
        ``key`` is its read key; NotShown otherwise, whether or not the board exists."""
        hidden = NotShown("There is no such board here.")
        if not _BOARD_NAME.match(name):
            raise hidden
        try:
            board = await self.core.board_named(name)
        except UnknownBoard:
            raise hidden from None
        access = await self.core.store.pages.access(board.id)
        if access.public:
            return board, True
        keyed = key is not None and access.key_sha256 is not None and len(key) <= 200
        if keyed and hmac.compare_digest(key_digest(str(key)), str(access.key_sha256)):
            return board, False
        raise hidden

    async def public_boards(self) -> list[str]:
        return [name for _, name in await self.core.store.pages.public_boards()]

    async def is_public(self, board: Board) -> bool:
        return (await self.core.store.pages.access(board.id)).public

    async def visibility(self, board: Board) -> str:
        """Who may read the board on the web, in words (for `/ideabot config show`)."""
        access = await self.core.store.pages.access(board.id)
        seen = "public" if access.public else "private"
        link = "a read link works" if access.key_sha256 else "no read link"
        return f"{seen}, {link}"

    async def last_change(self, board: Board) -> datetime | None:
        return await self.core.store.pages.last_change(board.id)

    # -- lists ------------------------------------------------------------------------

    def trend_since(self) -> datetime:
        # Whole hours, so a page and its next page agree, and a cached copy is right
        # until the hour turns.
        now = self.core.clock().replace(minute=0, second=0, microsecond=0)
        return now - timedelta(days=TREND_DAYS)

    async def ideas(
        self,
        board: Board,
        *,
        view_name: str = "top",
        statuses: tuple[str, ...] = (),
        cursor: str | None = None,
        limit: int = 20,
    ) -> Page:
        """One page of the board's ideas in the order of ``view_name``."""
        _check(view_name, statuses, limit)
        after = _sort_key(view_name, decode_cursor(view_name, cursor)) if cursor else None
        since = self.trend_since()
        ranking = await self.core.store.pages.ranking(board.id, since)
        keys, ordered = self._ordered(ranking, view_name)
        rows: list[RankedRow] = []
        for row in ordered[bisect_right(keys, after) if after is not None else 0 :]:
            if not statuses or row.status in statuses:
                rows.append(row)
                if len(rows) > limit:
                    break
        more = len(rows) > limit
        rows = rows[:limit]
        ideas = await self.core.store.ideas.by_ids(board.id, [r.id for r in rows])
        listed = tuple(
            Listed(idea=view(ideas[r.id]), duplicates=r.duplicates, gained=r.gained)
            for r in rows
            if r.id in ideas
        )
        next_cursor = None
        if more and rows:
            last = rows[-1]
            values = tuple(getattr(last, column) for column, _ in VIEW_KEYS[view_name])
            next_cursor = encode_cursor(view_name, values)
        return Page(ideas=listed, next_cursor=next_cursor)

    def _ordered(
        self, ranking: Ranking, view_name: str
    ) -> tuple[list[tuple[int, ...]], list[RankedRow]]:
        """The ranking's rows in the order of ``view_name`` and their sort keys, sorted
        once per ranking (a 10k-idea board takes tens of ms to sort)."""
        cached = self._orders.get((id(ranking), view_name))
        if cached is not None and cached[0] is ranking:
            return cached[1], cached[2]
        fields = [name for name, _ in VIEW_KEYS[view_name]]
        keyed = sorted(
            ((_sort_key(view_name, tuple(getattr(r, f) for f in fields)), r) for r in ranking.rows),
            key=itemgetter(0),
        )
        keys, rows = [k for k, _ in keyed], [r for _, r in keyed]
        if len(self._orders) >= 64:
            self._orders.clear()
        self._orders[(id(ranking), view_name)] = (ranking, keys, rows)
        return keys, rows

    async def search(
        self, board: Board, query: str, *, statuses: tuple[str, ...] = (), limit: int = 20
    ) -> tuple[Listed, ...]:
        """Ideas closest in meaning to ``query`` (as ``/ideas search``), best first."""
        _check("top", statuses, limit)
        hits = await self.queries.search(board, query, limit=limit)
        kept = [h for h in hits if not statuses or h.idea.status in statuses]
        ids = await self._ids(board, [h.idea.number for h in kept])
        counts = await self.core.store.pages.duplicate_counts(board.id, list(ids.values()))
        return tuple(
            Listed(idea=h.idea, duplicates=counts.get(ids.get(h.idea.number, 0), 0), score=h.score)
            for h in kept
        )

    async def _ids(self, board: Board, numbers: list[int]) -> dict[int, int]:
        out = {}
        for number in numbers:
            try:
                out[number] = (await self.core.idea(board, number)).id
            except UnknownIdea:  # deleted since the search found it: it lists no duplicates
                continue
        return out

    async def idea(self, board: Board, number: int) -> IdeaPage:
        """Idea ``#number`` with its merged duplicates and status history; UnknownIdea."""
        row = await self.core.idea(board, number)
        dups = await self.core.store.pages.duplicates(board.id, row.id)
        history = await self.core.store.pages.status_history(board.id, row.id)
        return IdeaPage(
            idea=view(row),
            duplicates=tuple(dups) if row.merged_into is None else (),
            history=tuple(_event(s) for s in history),
        )

    async def roadmap(self, board: Board) -> dict[str, tuple[Listed, ...]]:
        """Planned, in progress and done ideas, the latest status change first."""
        rows = await self.core.store.pages.roadmap(board.id, ROADMAP_STATUSES)
        ideas = await self.core.store.ideas.by_ids(board.id, [i for i, _ in rows])
        counts = await self.core.store.pages.duplicate_counts(board.id, list(ideas))
        lanes: dict[str, list[Listed]] = {s: [] for s in ROADMAP_STATUSES}
        for idea_id, changed in rows:
            if idea_id in ideas:
                idea = view(ideas[idea_id])
                lanes[idea.status].append(
                    Listed(idea=idea, duplicates=counts.get(idea_id, 0), changed_at=changed)
                )
        return {s: tuple(lanes[s]) for s in ROADMAP_STATUSES}

    async def feed(self, board: Board, limit: int = FEED_SIZE) -> FeedEvents:
        """The board's newest ideas and status changes, newest first."""
        ids = await self.core.store.pages.newest_ids(board.id, limit)
        ideas = await self.core.store.ideas.by_ids(board.id, ids)
        changes = await self.core.store.pages.recent_status_changes(board.id, limit)
        return FeedEvents(
            new_ideas=tuple(view(ideas[i]) for i in ids if i in ideas),
            status_changes=tuple(_event(s) for s in changes),
        )

    # -- digests ----------------------------------------------------------------------

    async def weeks(self, board: Board) -> list[Period]:
        """The weeks from the board's first idea to the last full week, newest first."""
        first = await self.core.store.pages.first_idea_at(board.id)
        if first is None:
            return []
        zone = board.settings.zone
        start = first
        week = last_full_week(self.core.clock(), zone)
        out: list[Period] = []
        while week.end > start and len(out) < ARCHIVE_WEEKS:
            out.append(week)
            year, number, _ = (week.start.date() - timedelta(days=7)).isocalendar()
            week = week_period(year, number, zone)
        return out

    async def digest(self, board: Board, week: str) -> Digest:
        """The digest of ISO week ``week`` (like 2026-W46); BadQuery for one not yet over."""
        period = parse_week(week, board.settings.zone)
        if period.end > self.core.clock():
            raise BadQuery(f"{period.label} is not over yet: its digest comes once it is.")
        return await build_digest(self.core, board, period)


def _sort_key(view_name: str, values: tuple[int, ...]) -> tuple[int, ...]:
    """Ascending sort key of a row's figures in ``view_name`` (descending ones negated)."""
    return tuple(
        -v if desc else v for v, (_, desc) in zip(values, VIEW_KEYS[view_name], strict=True)
    )


def _check(view_name: str, statuses: tuple[str, ...], limit: int) -> None:
    if view_name not in VIEWS:
        raise BadQuery(f"view must be one of {', '.join(VIEWS)}")
    bad = [s for s in statuses if s not in STATUSES]
    if bad:
        raise BadQuery(f"status must be one of {', '.join(STATUSES)}")
    if not 1 <= limit <= MAX_LIMIT:
        raise BadQuery(f"limit must be a whole number from 1 to {MAX_LIMIT}")


def _event(row: StatusRow) -> StatusEvent:
    return StatusEvent(
        id=row.id,
        number=row.number,
        title=row.title,
        old=row.old,
        new=row.new,
        note=row.note,
        at=row.at,
    )

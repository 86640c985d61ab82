"""The web board's fixtures: a fixture board with known rankings on a real database (a
SQLite file, and a PostgreSQL schema: tests taking ``boards`` run on each), a second
board that is private, and the board served over real HTTP on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import build_web_app
from adapters.web.ratelimit import RateLimit
from bot.app import App, build_app
from bot.domain import MergeIdeas, SetStatus, Where
from bot.settings import Settings
from tests.conftest import HERE, FakeClock, draft, moderator, vote
from tests.fakes.embedder import TestEmbedder

OLD = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)  # more than 7 days before NOW
RECENT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # within the last 7 days
NOW = datetime(2026, 11, 20, 12, 30, tzinfo=UTC)
HOSTILE_TITLE = '<script>alert("x")</script> & <img src=x onerror=alert(1)> "quoted"'
PRIVATE = Where(platform="slack", workspace_id="T2", channel_id="C-ideas", workspace_name="Secret")

# The fixture board "guild-one": (votes, votes gained in the last 7 days) by number.
#   #1 Export (4 old votes, plus #6 merged into it with one more old vote): 5, 0
#   #2 Dark theme: 3, 3   #3 Offline: 2, 1   #4 Shortcuts (planned): 0, 0
#   #5 Calendar (done): 1, 1   #6 merged into #1   #7 hostile title: 0, 0
TOP = [1, 2, 3, 5, 4, 7]
TRENDING = [2, 3, 5, 1, 4, 7]
NEW = [7, 5, 4, 3, 2, 1]


@dataclass
class Boards:
    app: App
    clock: FakeClock
    public: str
    private: str
    private_key: str


async def seed(app: App, clock: FakeClock) -> Boards:
    """The fixture board (public) and a private board with a read link."""
    texts = [
        "Export backlog spreadsheet",
        "Dark theme toggle",
        "Offline sync mobile",
        "Keyboard shortcuts everywhere",
        "Calendar integration weekly",
        "Import contacts csv",
        HOSTILE_TITLE,
    ]
    for n, text in enumerate(texts, 1):
        clock.now = datetime(2026, 11, 2, 9, n, tzinfo=UTC)
        await app.ideas.submit(draft(text, f"author{n}", message_id=f"m{n}", at=clock.now))
    votes = [
        ("m1", "v1", OLD), ("m1", "v2", OLD), ("m1", "v3", OLD), ("m1", "v4", OLD),
        ("m2", "v1", RECENT), ("m2", "v2", RECENT), ("m2", "v3", RECENT),
        ("m3", "v1", OLD), ("m3", "v2", RECENT),
        ("m5", "v5", RECENT),
        ("m6", "v5", OLD),
    ]  # fmt: skip
    for message, voter, at in votes:
        clock.now = at
        await app.ideas.react(vote(message, voter, at=at))
    clock.now = datetime(2026, 11, 19, 9, 0, tzinfo=UTC)
    await app.moderation.merge(MergeIdeas(where=HERE, actor=moderator(), number=6, into=1))
    await app.moderation.set_status(
        SetStatus(where=HERE, actor=moderator(), number=4, status="planned", note="Next sprint")
    )
    clock.now = datetime(2026, 11, 19, 10, 0, tzinfo=UTC)
    await app.moderation.set_status(
        SetStatus(where=HERE, actor=moderator(), number=5, status="done", note="Shipped in 3.2")
    )
    public = await app.core.board_for(HERE)
    await app.web_access.publish(public)
    # The private board: one idea, and a read link a moderator made.
    await app.ideas.submit(draft("Secret roadmap item", "insider", message_id="s1", where=PRIVATE))
    made = await app.web_access.configure(PRIVATE, moderator(), "read_link", "new")
    assert made.link is not None
    private = await app.core.board_for(PRIVATE)
    clock.now = NOW
    return Boards(
        app=app,
        clock=clock,
        public=public.name,
        private=private.name,
        private_key=made.link.split("key=", 1)[1],
    )


@asynccontextmanager
async def seeded(db: Path | str) -> AsyncIterator[Boards]:
    """The fixture boards in ``db`` (a SQLite file or a PostgreSQL URL)."""
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    app = await build_app(Settings(db=db), embedder=TestEmbedder(), clock=clock)
    try:
        yield await seed(app, clock)
    finally:
        await app.close()


@pytest.fixture
async def boards(database: Path | str) -> AsyncIterator[Boards]:
    """The fixture boards, once on SQLite and once on PostgreSQL (``database``): the web
    board reads them through the store's Pages port, which each engine implements."""
    async with seeded(database) as made:
        yield made


@pytest.fixture
async def sqlite_boards(tmp_path: Path) -> AsyncIterator[Boards]:
    """The fixture boards on SQLite only, for tests of what the engine does not change
    (a browser's rendering, the rate limit): they run once."""
    async with seeded(tmp_path / "web.db") as made:
        yield made


@pytest.fixture
async def client(boards: Boards) -> AsyncIterator[TestClient]:
    """The web board over real HTTP on 127.0.0.1 (no rate limit in the way)."""
    async with TestClient(TestServer(build_web_app(boards.app, rate_per_minute=0))) as http:
        yield http


@pytest.fixture
def rate_clock() -> list[float]:
    return [1000.0]


@pytest.fixture
async def limited(boards: Boards, rate_clock: list[float]) -> AsyncIterator[TestClient]:
    """The web board allowing 3 requests a minute per client, on a clock the test moves."""
    rate = RateLimit(3, clock=lambda: rate_clock[0])
    async with TestClient(TestServer(build_web_app(boards.app, rate=rate))) as http:
        yield http

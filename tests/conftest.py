"""Fixtures shared by the whole suite: the real embedding model (loaded once), real SQLite files."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from bot.app import App, build_app
from bot.domain import Actor, IdeaDraft, Person, ReactionChange, Where
from bot.settings import Settings
from dedupe.embedder import SentenceTransformerEmbedder
from dedupe.onnx_embedder import OnnxEmbedder
from tests.postgres import ENV_URL, drop_schema, new_schema, start_cluster

# Property tests: no deadline (a loaded 2-core machine must not fail on time), a few
# hundred inputs per property (thousands over the suite), no example database written
# into the checkout.
settings.register_profile(
    "ideabot",
    deadline=None,
    max_examples=300,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile("ideabot")


@pytest.fixture(scope="session")
def embedder() -> OnnxEmbedder:
    # The real bundled model on the default runtime (ONNX, as `ideabot run` uses it),
    # shared by every test. Loaded here, once, rather than inside the first test that
    # embeds: on a loaded machine the load could otherwise eat a test's wait for a reply.
    model = OnnxEmbedder()
    assert model.dim > 0  # loads the model
    return model


@pytest.fixture(scope="session")
def torch_embedder() -> SentenceTransformerEmbedder:
    # The same model on sentence-transformers (torch): the path for other model folders.
    return SentenceTransformerEmbedder()


class FakeClock:
    """A clock tests move by hand: no test waits for real time to pass."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """A PostgreSQL server for the session: IDEABOT_TEST_POSTGRES, or a cluster of its own."""
    given = os.environ.get(ENV_URL)
    if given:
        yield given
        return
    cluster = start_cluster()
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_server: str) -> Iterator[str]:
    """A URL of an empty database of the test's own (a fresh schema on the server)."""
    name, url = new_schema(postgres_server)
    yield url
    drop_schema(postgres_server, name)


@pytest.fixture(params=["sqlite", "postgres"])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Path | str:
    """Where the test's store lives: a new SQLite file, or a new PostgreSQL schema. Tests
    that take it (through ``app`` or ``quick``) run once on each engine."""
    if request.param == "sqlite":
        return tmp_path / "ideabot.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def app(
    database: Path | str, embedder: SentenceTransformerEmbedder, clock: FakeClock
) -> AsyncIterator[App]:
    built = await build_app(Settings(db=database), embedder=embedder, clock=clock)
    yield built
    await built.close()


@pytest.fixture
async def sqlite_app(
    tmp_path: Path, embedder: SentenceTransformerEmbedder, clock: FakeClock
) -> AsyncIterator[App]:
    """The app on a SQLite file, for tests about the file itself."""
    built = await build_app(Settings(db=tmp_path / "ideabot.db"), embedder=embedder, clock=clock)
    yield built
    await built.close()


HERE = Where(
    platform="discord", workspace_id="g1", channel_id="c-ideas", workspace_name="Guild One"
)


def person(name: str, platform: str = "discord", *, bot: bool = False) -> Person:
    return Person(platform=platform, user_id=f"u-{name}", name=name, is_bot=bot)


def moderator(name: str = "mod") -> Actor:
    return Actor(person=person(name), is_moderator=True)


def member(name: str) -> Actor:
    return Actor(person=person(name), is_moderator=False)


def draft(
    text: str,
    author: str = "alice",
    *,
    message_id: str | None = None,
    where: Where = HERE,
    at: datetime | None = None,
    event_id: str | None = None,
) -> IdeaDraft:
    return IdeaDraft(
        where=where,
        author=person(author, where.platform),
        text=text,
        created_at=at or datetime(2026, 11, 2, 9, 0, tzinfo=UTC),
        message_id=message_id,
        permalink=f"https://chat.example/{message_id}" if message_id else None,
        event_id=event_id,
    )


def vote(
    message_id: str,
    voter: str,
    *,
    added: bool = True,
    emoji: str = "👍",
    where: Where = HERE,
    at: datetime | None = None,
    event_id: str | None = None,
    bot: bool = False,
) -> ReactionChange:
    return ReactionChange(
        where=where,
        message_id=message_id,
        person=person(voter, where.platform, bot=bot),
        emoji=emoji,
        added=added,
        at=at or datetime(2026, 11, 2, 10, 0, tzinfo=UTC),
        event_id=event_id,
    )

"""Fixtures shared by the whole suite: the test embedder, the real model for the tests about
duplicates (loaded once, before any test), real SQLite files."""

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
from dedupe.embedder import Embedder, SentenceTransformerEmbedder
from dedupe.onnx_embedder import OnnxEmbedder
from tests.fakes.embedder import TestEmbedder
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


REAL_MODEL = "real_model"  # marks a test about duplicate detection: its app runs on the model


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{REAL_MODEL}: the test is about duplicate detection; its `app` runs on the real model",
    )


def needs_model(item: pytest.Item) -> bool:
    """Whether the test runs the real model (asks for it, or is marked to)."""
    return "model" in getattr(item, "fixturenames", ()) or (
        item.get_closest_marker(REAL_MODEL) is not None
    )


@pytest.fixture(scope="session")
def model() -> OnnxEmbedder:
    """The real bundled model on the default runtime (ONNX, as `ideabot run` uses it), for
    the tests about duplicate detection. Loaded once, before the first test (`_model_first`)."""
    loaded = OnnxEmbedder()
    assert loaded.dim > 0  # loads the model
    return loaded


@pytest.fixture(scope="session", autouse=True)
def _model_first(request: pytest.FixtureRequest) -> None:
    # A session fixture is otherwise built when the first test that needs it starts, which
    # may be a test with a deadline on a busy machine: load the model before any test runs
    # when one of the selected tests needs it, and not at all when none does.
    if any(needs_model(item) for item in request.session.items):
        request.getfixturevalue("model")


@pytest.fixture(scope="session")
def torch_embedder() -> SentenceTransformerEmbedder:
    """The same model on sentence-transformers (torch): the path for other model folders.

    Loaded at its first use, not before the tests as `model` is: torch's import and the
    load take 13 s of CPU, and only the few tests of the torch path need it, so a worker
    that runs none of them never pays for it. None of those tests has a deadline.

    (Putting them all on one worker would be better still, but xdist's --dist loadgroup
    does not group under pytest 9.2, pytest-dev/pytest-xdist#1386, and a scheduler by
    scopes drops schemathesis's tests, which share one node id.)"""
    loaded = SentenceTransformerEmbedder()
    assert loaded.dim > 0  # loads the model
    return loaded


@pytest.fixture
def embedder() -> TestEmbedder:
    """The test embedder: a test says which of its texts are duplicates (tests/fakes)."""
    return TestEmbedder()


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
    that take it (through ``app``) run once on each engine."""
    if request.param == "sqlite":
        return tmp_path / "ideabot.db"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def app(
    request: pytest.FixtureRequest,
    database: Path | str,
    embedder: TestEmbedder,
    clock: FakeClock,
) -> AsyncIterator[App]:
    """The whole app on a real database (a SQLite file, then PostgreSQL: the test runs on
    each): on the test embedder, or on the real model for a test marked `real_model`."""
    chosen: Embedder = embedder
    if request.node.get_closest_marker(REAL_MODEL) is not None:
        chosen = request.getfixturevalue("model")
    built = await build_app(Settings(db=database), embedder=chosen, clock=clock)
    yield built
    await built.close()


@pytest.fixture
async def sqlite_app(
    tmp_path: Path, embedder: TestEmbedder, clock: FakeClock
) -> AsyncIterator[App]:
    """The app on a SQLite file (test embedder), for tests about the file itself."""
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

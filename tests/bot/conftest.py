"""Fixtures of the core's tests that need no model: an app on a words embedder, and a
recording chat port with an idea channel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.settings import Settings
from tests.chat import RecordingChat, WordsEmbedder
from tests.conftest import FakeClock, moderator


@pytest.fixture
async def quick(database: Path | str, clock: FakeClock) -> AsyncIterator[App]:
    """The whole app on a real database (a SQLite file, then PostgreSQL), with a words
    embedder instead of the model."""
    built = await build_app(Settings(db=database), embedder=WordsEmbedder(), clock=clock)
    yield built
    await built.close()


@pytest.fixture
async def quick_sqlite(tmp_path: Path, clock: FakeClock) -> AsyncIterator[App]:
    """The whole app on a SQLite file, for tests about the file itself."""
    built = await build_app(
        Settings(db=tmp_path / "ideabot.db"), embedder=WordsEmbedder(), clock=clock
    )
    yield built
    await built.close()


@pytest.fixture
async def chat(quick: App) -> RecordingChat:
    """A platform in memory whose channel "ideas" is an idea channel."""
    port = RecordingChat()
    await quick.channels.set_channel(port.where("ideas"), moderator(), "ideas", True)
    return port

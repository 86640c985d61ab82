"""The fake Discord server fixtures, for tests that use both platforms at once; the
adapters' tests run on SQLite (the store's contract is tested on both engines in
tests/bot and tests/storage; the adapters never touch the store themselves)."""

from pathlib import Path

import pytest

from tests.adapters.discord.conftest import fake, world  # noqa: F401 - fixtures by name


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "ideabot.db"

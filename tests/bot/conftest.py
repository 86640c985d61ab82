"""Fixtures of the core's tests: a recording chat port with an idea channel."""

from __future__ import annotations

import pytest

from bot.app import App
from tests.chat import RecordingChat
from tests.conftest import moderator


@pytest.fixture
async def chat(app: App) -> RecordingChat:
    """A platform in memory whose channel "ideas" is an idea channel."""
    port = RecordingChat()
    await app.channels.set_channel(port.where("ideas"), moderator(), "ideas", True)
    return port

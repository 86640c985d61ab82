"""Fewer, better questions: the rules around the pair score, on the real model."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.results import Created, Merged, PossibleDuplicate
from bot.service import MAX_CANDIDATES
from bot.settings import Settings
from dedupe.onnx_embedder import OnnxEmbedder
from tests.conftest import FakeClock, draft

FIRST = "Dark mode for the app. The white screen is too bright at night."
AGAIN = "A night theme with dark colours, because the white app is blinding after sunset"
OTHER_WORDS = "Please add a dark theme, the bright white app hurts my eyes at night"
LATER_WORDS = "Dark theme for the app please: the white screen is too bright at night"


@pytest.fixture
async def real_app(tmp_path: Path, model: OnnxEmbedder, clock: FakeClock) -> AsyncIterator[App]:
    built = await build_app(Settings(db=tmp_path / "ideabot.db"), embedder=model, clock=clock)
    yield built
    await built.close()


async def test_same_author_minutes_apart_is_not_asked(real_app: App, clock: FakeClock) -> None:
    start = clock.now
    await real_app.ideas.submit(draft(FIRST, "alice", message_id="m1", at=start))
    soon = await real_app.ideas.submit(
        draft(AGAIN, "alice", message_id="m2", at=start + timedelta(minutes=5))
    )
    assert isinstance(soon, Created), soon
    # Someone else posting the same thing is asked about...
    other = await real_app.ideas.submit(
        draft(OTHER_WORDS, "bob", message_id="m3", at=start + timedelta(minutes=6))
    )
    assert isinstance(other, PossibleDuplicate), other
    # ... and so is the same author a day later.
    later = await real_app.ideas.submit(
        draft(LATER_WORDS, "alice", message_id="m4", at=start + timedelta(days=1))
    )
    assert isinstance(later, PossibleDuplicate), later


async def test_same_author_reposting_verbatim_is_still_merged(
    real_app: App, clock: FakeClock
) -> None:
    await real_app.ideas.submit(draft(FIRST, "alice", message_id="m1", at=clock.now))
    repost = await real_app.ideas.submit(
        draft(FIRST.lower(), "alice", message_id="m2", at=clock.now + timedelta(minutes=1))
    )
    assert isinstance(repost, Merged) and repost.automatic


async def test_at_most_two_candidates_are_offered(real_app: App) -> None:
    texts = [
        "Dark mode for the map screen",
        "Dark theme for the whole app",
        "Night mode with dark colours",
        "A dark colour scheme for the menus",
    ]
    for n, text in enumerate(texts):
        await real_app.ideas.submit(draft(text, f"author{n}", message_id=f"m{n}"))
    asked = await real_app.ideas.submit(
        draft("Please add a dark mode, the white app is too bright", "zed", message_id="z")
    )
    assert isinstance(asked, PossibleDuplicate), asked
    assert 1 <= len(asked.candidates) <= MAX_CANDIDATES == 2
    scores = [c.score for c in asked.candidates]
    assert scores == sorted(scores, reverse=True)

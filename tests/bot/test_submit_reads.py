"""A submit does not read back what its own process just stored: the index and the pair
score's vocabulary take the new idea as it is stored. What another process stores on the
same database is still read, so both stay what a fresh count of the board gives."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.app import App, build_app
from bot.settings import Settings
from dedupe.pair_features import Vocabulary
from tests.conftest import HERE, FakeClock, draft
from tests.fakes.embedder import TestEmbedder

TEXTS = [
    "Dark mode for the map screen",
    "Offline maps for whole regions",
    "Share a trail with friends by link",
    "Elevation profile on every route",
]


@pytest.fixture
async def pair(
    database: Path | str, embedder: TestEmbedder, clock: FakeClock
) -> AsyncIterator[tuple[App, App]]:
    # Related enough to be scored against each other (the vocabulary is built for that),
    # far from duplicates.
    for text in TEXTS[1:]:
        embedder.related(TEXTS[0], text, 0.5)
    apps = [await build_app(Settings(db=database), embedder=embedder, clock=clock) for _ in "ab"]
    try:
        yield apps[0], apps[1]
    finally:
        for app in apps:
            await app.close()


def same_counts(mine: Vocabulary, texts: list[str]) -> bool:
    fresh = Vocabulary()
    fresh.count(texts)
    return mine.documents == fresh.documents and mine._df == fresh._df


def counting(monkeypatch: pytest.MonkeyPatch, app: App, *names: str) -> list[str]:
    """The names of the ideas port's reads made from now on."""
    port = type(app.core.store.ideas)
    calls: list[str] = []
    for name in names:
        real = getattr(port, name)

        def counted(self: Any, *args: Any, _real: Any = real, _name: str = name) -> Any:
            calls.append(_name)
            return _real(self, *args)

        monkeypatch.setattr(port, name, counted)
    return calls


async def test_a_submit_reads_back_nothing_its_own_process_stored(
    pair: tuple[App, App], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = pair
    for n, text in enumerate(TEXTS[:2]):
        await app.ideas.submit(draft(text, message_id=f"m{n}"))
    calls = counting(monkeypatch, app, "bodies", "canonical_embeddings", "next_number")
    for n, text in enumerate(TEXTS[2:], start=2):
        await app.ideas.submit(draft(text, message_id=f"m{n}"))
    assert calls == []
    board = await app.core.board_for(HERE)
    assert same_counts(app.core.pairs._vocabularies[board.id], TEXTS)
    assert len(await app.core.index(board)) == len(TEXTS)


async def test_ideas_stored_by_another_process_are_still_read(pair: tuple[App, App]) -> None:
    one, two = pair
    await one.ideas.submit(draft(TEXTS[0], message_id="m0"))
    await two.ideas.submit(draft(TEXTS[1], message_id="m1"))  # behind one's back
    await one.ideas.submit(draft(TEXTS[2], message_id="m2"))
    board = await one.core.board_for(HERE)
    assert same_counts(one.core.pairs._vocabularies[board.id], TEXTS[:3])
    assert len(await one.core.index(board)) == 3
    await two.ideas.submit(draft(TEXTS[3], message_id="m3"))
    assert len(await one.core.index(board)) == 4

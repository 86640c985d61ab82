"""Two apps on one database, as two processes would run them: what one changes, the other
sees once its cache has aged (``Core.cache_seconds``), on both engines."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.domain import DeleteIdea, MergeIdeas
from bot.errors import NotAllowed
from bot.results import VoteChanged
from bot.settings import Settings
from tests.conftest import HERE, FakeClock, draft, member, moderator, vote
from tests.fakes.embedder import TestEmbedder


@pytest.fixture
async def pair(
    database: Path | str, embedder: TestEmbedder, clock: FakeClock
) -> AsyncIterator[tuple[App, App]]:
    """Two apps on one database; the second trusts nothing it read (a cache of 0 s)."""
    one = await build_app(Settings(db=database), embedder=embedder, clock=clock)
    two = await build_app(Settings(db=database), embedder=embedder, clock=clock)
    two.core.cache_seconds = 0.0
    try:
        yield one, two
    finally:
        await one.close()
        await two.close()


async def test_a_setting_changed_through_one_process_applies_in_the_other(
    pair: tuple[App, App],
) -> None:
    one, two = pair
    await two.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    assert "⭐" not in (await two.core.board_for(HERE)).settings.vote_emoji
    await one.moderation.configure(HERE, moderator(), "vote_emoji", "⭐")
    assert (await two.core.board_for(HERE)).settings.vote_emoji == ("⭐",)
    assert isinstance(await two.ideas.react(vote("m1", "bob", emoji="⭐")), VoteChanged)


async def test_a_moderator_named_in_one_process_may_moderate_in_the_other(
    pair: tuple[App, App],
) -> None:
    one, two = pair
    await two.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    mallory = member("mallory")
    with pytest.raises(NotAllowed):
        await two.moderation.configure(HERE, mallory, "suggest", "0.5")
    await one.moderation.configure(HERE, moderator(), "moderator_users", "u-mallory")
    board = await two.moderation.configure(HERE, mallory, "suggest", "0.5")
    assert board.settings.thresholds.suggest == 0.5


async def test_an_idea_deleted_or_merged_in_one_process_leaves_the_others_index(
    pair: tuple[App, App], embedder: TestEmbedder
) -> None:
    one, two = pair
    embedder.same("Offline maps for whole regions", "offline maps regions")
    for n, text in enumerate(
        ("Dark mode for the map screen", "Offline maps for whole regions", "Export to CSV")
    ):
        await one.ideas.submit(draft(text, message_id=f"m{n}"))
    board = await two.core.board_for(HERE)
    found = await two.queries.search(board, "offline maps regions")
    assert found[0].idea.number == 2  # the other process has loaded its index
    await one.moderation.delete(DeleteIdea(where=HERE, actor=moderator(), number=2))
    await one.moderation.merge(MergeIdeas(where=HERE, actor=moderator(), number=3, into=1))
    left = {c.idea.number for c in await two.queries.search(board, "offline maps regions", 5)}
    assert left == {1}

"""Capture, votes, edits and deletes through the real service and SQLite file. The test
embedder makes the duplicates these tests need; the real model decides in the three tests
about duplicate detection itself."""

from __future__ import annotations

import asyncio
import gc
from datetime import UTC, datetime

import pytest

from bot.app import App
from bot.domain import MessageDeleted, MessageEdited, SetStatus, Where
from bot.errors import InvalidIdea, NotAllowed
from bot.results import AlreadyCaptured, Created, Ignored, Merged, PossibleDuplicate, VoteChanged
from tests.conftest import HERE, FakeClock, draft, moderator, person, vote
from tests.engines import count
from tests.fakes.embedder import TestEmbedder


def _status(number: int, status: str, note: str | None = None) -> SetStatus:
    return SetStatus(where=HERE, actor=moderator(), number=number, status=status, note=note)


def _at() -> datetime:
    return datetime(2026, 11, 3, 12, 0, tzinfo=UTC)


async def test_new_idea_gets_number_title_and_link(app: App) -> None:
    result = await app.ideas.submit(
        draft(
            "Dark mode for the map\nNight hikes are blinding with the white map.", message_id="m1"
        )
    )
    assert isinstance(result, Created)
    assert result.idea.number == 1
    assert result.idea.title == "Dark mode for the map"
    assert result.idea.permalink == "https://chat.example/m1"
    assert result.idea.author == person("alice")
    second = await app.ideas.submit(draft("Export routes to GPX files", message_id="m2"))
    assert second.idea.number == 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("   \n\t  ", "empty"),
        ("\u200b\u200b", "empty"),
        ("!!", "too short"),
        ("x" * 4001, "limit is 4,000"),
    ],
)
async def test_invalid_ideas_are_refused_and_nothing_is_stored(
    app: App, text: str, message: str
) -> None:
    with pytest.raises(InvalidIdea, match=message):
        await app.ideas.submit(draft(text, message_id="m1"))
    assert count(app, "SELECT COUNT(*) FROM ideas") == 0


async def test_idea_of_maximum_length_is_accepted(app: App) -> None:
    text = ("Offline maps and more detail " * 200)[:3999] + "x"
    result = await app.ideas.submit(draft(text, message_id="m1"))
    assert len(result.idea.body) == 4000
    assert len(result.idea.title) <= 121


async def test_bot_and_banned_authors_are_refused(app: App) -> None:
    bot_draft = draft("Automated idea from a bot", message_id="m1")
    bot_draft = type(bot_draft)(**{**_fields(bot_draft), "author": person("robo", bot=True)})
    with pytest.raises(InvalidIdea, match="bots"):
        await app.ideas.submit(bot_draft)
    await app.moderation.configure(HERE, moderator(), "banned_users", "u-troll")
    with pytest.raises(NotAllowed):
        await app.ideas.submit(draft("A perfectly fine idea text", "troll", message_id="m2"))
    assert count(app, "SELECT COUNT(*) FROM ideas") == 0


def _fields(obj: object) -> dict[str, object]:
    return {name: getattr(obj, name) for name in obj.__slots__}  # type: ignore[attr-defined]


async def test_same_message_twice_is_captured_once(app: App) -> None:
    first = await app.ideas.submit(draft("Offline maps for whole regions", message_id="m1"))
    again = await app.ideas.submit(draft("Offline maps for whole regions", message_id="m1"))
    assert isinstance(again, AlreadyCaptured)
    assert again.idea.number == first.idea.number
    assert count(app, "SELECT COUNT(*) FROM ideas") == 1


async def test_a_redelivery_is_answered_even_when_its_encode_fails(
    app: App, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The message check runs while the text is encoded; a captured message is answered
    from the store, and an encode that fails meanwhile is neither raised nor left unseen."""
    first = await app.ideas.submit(draft("Offline maps for whole regions", message_id="m1"))

    async def broken(text: str) -> object:
        raise RuntimeError("the model is gone")

    monkeypatch.setattr(app.core, "embed", broken)
    again = await app.ideas.submit(draft("Offline maps for whole regions", message_id="m1"))
    assert isinstance(again, AlreadyCaptured) and again.idea.number == first.idea.number
    with pytest.raises(RuntimeError, match="the model is gone"):
        await app.ideas.submit(draft("A new idea about heart rate zones", message_id="m2"))
    gc.collect()
    assert "never retrieved" not in caplog.text


async def test_concurrent_submits_of_one_message_store_one_idea(app: App) -> None:
    results = await asyncio.gather(
        *(
            app.ideas.submit(draft("Heart rate zones on the watch", message_id="m9"))
            for _ in range(4)
        )
    )
    assert sum(isinstance(r, Created) for r in results) == 1
    assert count(app, "SELECT COUNT(*) FROM ideas") == 1


@pytest.mark.real_model  # a repost with a comma for a full stop is one idea
async def test_near_certain_duplicate_merges_and_vote_follows(app: App) -> None:
    first = await app.ideas.submit(
        draft(
            "Add a dark mode to the app. The white screen is too bright at night.", message_id="m1"
        )
    )
    await app.ideas.react(vote("m1", "bob"))
    dup = await app.ideas.submit(
        draft(
            "Add a dark mode to the app, the white screen is far too bright at night.",
            "carol",
            message_id="m2",
        )
    )
    assert isinstance(dup, Merged)
    assert dup.automatic and dup.into.number == first.idea.number
    # A near-verbatim repost is merged by the repost rule; its score is the pair's probability.
    assert dup.score is not None and 0.5 < dup.score <= 1
    await app.ideas.react(vote("m2", "dan"))
    await app.ideas.react(vote("m2", "bob"))  # bob voted on both: counts once
    shown = await app.queries.show(await app.core.board_for(HERE), first.idea.number)
    assert shown.votes == 2


@pytest.mark.real_model  # a paraphrase is offered, not merged
async def test_likely_duplicate_is_offered_not_merged(app: App) -> None:
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    result = await app.ideas.submit(
        draft(
            "Dark theme for the map screen please, white is too bright at night",
            "bob",
            message_id="m2",
        )
    )
    assert isinstance(result, PossibleDuplicate), result
    assert [c.idea.number for c in result.candidates] == [1]
    settings = (await app.core.board_for(HERE)).settings
    assert settings.suggest <= result.candidates[0].score < settings.auto_merge
    assert result.idea.merged_into is None


@pytest.mark.real_model  # another subject is a new idea
async def test_unrelated_idea_is_new(app: App) -> None:
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    result = await app.ideas.submit(draft("Export my hikes as GPX files", "bob", message_id="m2"))
    assert isinstance(result, Created)


async def test_match_with_a_declined_idea_says_so(app: App, embedder: TestEmbedder) -> None:
    embedder.likely(
        "Add an augmented reality peak finder using the camera",
        "Augmented reality peak finder: point the camera to see peak names",
    )
    await app.ideas.submit(
        draft("Add an augmented reality peak finder using the camera", message_id="m1")
    )
    await app.moderation.set_status(_status(1, "declined", "Drains the battery too fast."))
    result = await app.ideas.submit(
        draft(
            "Augmented reality peak finder: point the camera to see peak names",
            "bob",
            message_id="m2",
        )
    )
    assert isinstance(result, PossibleDuplicate)
    match = result.candidates[0].idea
    assert match.status == "declined"
    assert match.status_note == "Drains the battery too fast."


async def test_votes_count_distinct_people_and_ignore_noise(app: App) -> None:
    await app.ideas.submit(draft("Offline maps for whole regions", message_id="m1"))
    assert isinstance(await app.ideas.react(vote("m1", "bob")), VoteChanged)
    repeat = await app.ideas.react(vote("m1", "bob"))
    assert isinstance(repeat, VoteChanged) and not repeat.changed
    assert isinstance(await app.ideas.react(vote("m1", "carol", emoji="😂")), Ignored)
    assert isinstance(await app.ideas.react(vote("m1", "robo", bot=True)), Ignored)
    assert isinstance(await app.ideas.react(vote("nope", "carol")), Ignored)
    await app.ideas.react(vote("m1", "alice"))  # the author's own vote counts
    board = await app.core.board_for(HERE)
    assert (await app.queries.show(board, 1)).votes == 2
    removed = await app.ideas.react(vote("m1", "bob", added=False))
    assert isinstance(removed, VoteChanged) and removed.changed
    assert (await app.queries.show(board, 1)).votes == 1
    again = await app.ideas.react(vote("m1", "bob", added=False))
    assert isinstance(again, VoteChanged) and not again.changed
    assert (await app.queries.show(board, 1)).votes == 1


async def test_redelivered_event_changes_nothing(app: App) -> None:
    await app.ideas.submit(draft("Offline maps for whole regions", message_id="m1"))
    await app.ideas.react(vote("m1", "bob", event_id="ev1"))
    await app.ideas.react(vote("m1", "bob", added=False, event_id="ev2"))
    # Slack delivers ev1 again after the removal: it must not bring the vote back.
    result = await app.ideas.react(vote("m1", "bob", event_id="ev1"))
    assert isinstance(result, Ignored)
    assert (await app.queries.show(await app.core.board_for(HERE), 1)).votes == 0


async def test_custom_vote_emoji(app: App) -> None:
    await app.ideas.submit(draft("Offline maps for whole regions", message_id="m1"))
    await app.moderation.configure(HERE, moderator(), "vote_emoji", ":upvote: 🔥")
    assert isinstance(await app.ideas.react(vote("m1", "bob", emoji="👍")), Ignored)
    await app.ideas.react(vote("m1", "bob", emoji=":upvote:"))
    await app.ideas.react(vote("m1", "carol", emoji="🔥"))
    await app.ideas.react(vote("m1", "carol", emoji="upvote"))  # same person, other vote emoji
    assert (await app.queries.show(await app.core.board_for(HERE), 1)).votes == 2


async def test_votes_on_the_bots_reply_count_for_the_idea(app: App) -> None:
    await app.ideas.submit(draft("Offline maps for whole regions", message_id="m1"))
    assert await app.ideas.link_message(HERE, 1, "bot-reply-1")
    await app.ideas.react(vote("m1", "bob"))
    await app.ideas.react(vote("bot-reply-1", "bob"))
    await app.ideas.react(vote("bot-reply-1", "carol"))
    assert (await app.queries.show(await app.core.board_for(HERE), 1)).votes == 2


async def test_edit_follows_message_and_reembeds(app: App, embedder: TestEmbedder) -> None:
    embedder.likely("Export routes as GPX files", "download a gpx track")
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    edited = await app.ideas.edit(
        MessageEdited(where=HERE, message_id="m1", text="Export routes as GPX files", at=_at())
    )
    assert edited.idea.title == "Export routes as GPX files"  # type: ignore[union-attr]
    board = await app.core.board_for(HERE)
    hits = await app.queries.search(board, "download a gpx track")
    assert hits[0].idea.number == 1 and hits[0].score > 0.5
    with pytest.raises(InvalidIdea):
        await app.ideas.edit(MessageEdited(where=HERE, message_id="m1", text="   ", at=_at()))
    assert (await app.queries.show(board, 1)).title == "Export routes as GPX files"
    unknown = await app.ideas.edit(
        MessageEdited(where=HERE, message_id="zz", text="Hello there", at=_at())
    )
    assert isinstance(unknown, Ignored)


async def test_deleted_message_withdraws_idea_but_keeps_history(app: App) -> None:
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    await app.ideas.react(vote("m1", "bob"))
    deleted = await app.ideas.message_deleted(MessageDeleted(where=HERE, message_id="m1", at=_at()))
    assert deleted.idea.deleted  # type: ignore[union-attr]
    board = await app.core.board_for(HERE)
    assert await app.queries.top(board) == []
    assert await app.queries.search(board, "dark mode") == []
    assert count(app, "SELECT COUNT(*) FROM ideas WHERE deleted_at IS NOT NULL") == 1
    assert count(app, "SELECT COUNT(*) FROM reactions") == 1
    again = await app.ideas.message_deleted(MessageDeleted(where=HERE, message_id="m1", at=_at()))
    assert isinstance(again, Ignored)


async def test_search_and_top(app: App, embedder: TestEmbedder) -> None:
    embedder.likely("Dark mode for the map screen", "night theme")
    for i, text in enumerate(
        ["Dark mode for the map screen", "Export routes as GPX", "Heart rate zones on watch"], 1
    ):
        await app.ideas.submit(draft(text, message_id=f"m{i}"))
    for voter in ("a", "b", "c"):
        await app.ideas.react(vote("m2", voter))
    await app.ideas.react(vote("m3", "a"))
    board = await app.core.board_for(HERE)
    assert [i.number for i in await app.queries.top(board, 2)] == [2, 3]
    hits = await app.queries.search(board, "night theme")
    assert hits[0].idea.number == 1
    with pytest.raises(InvalidIdea):
        await app.queries.search(board, "   ")
    with pytest.raises(InvalidIdea):
        await app.queries.search(board, "x" * 600)


async def test_index_is_rebuilt_from_the_store(
    app: App, embedder: TestEmbedder, clock: FakeClock
) -> None:
    from bot.app import build_app
    from bot.settings import Settings

    embedder.likely(
        "Dark mode for the map screen",
        "Dark theme for the map screen please, white is too bright at night",
    )
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    restarted = await build_app(
        Settings(db=app.core.store.location), embedder=embedder, clock=clock
    )
    try:
        result = await restarted.ideas.submit(
            draft(
                "Dark theme for the map screen please, white is too bright at night",
                "bob",
                message_id="m2",
            )
        )
        assert isinstance(result, PossibleDuplicate)
    finally:
        await restarted.close()


async def test_other_platform_same_ids_do_not_collide(app: App) -> None:
    slack = Where(platform="slack", workspace_id="g1", channel_id="c-ideas")
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    result = await app.ideas.submit(draft("Export routes as GPX", message_id="m1", where=slack))
    assert isinstance(result, Created)
    assert result.idea.board_id != (await app.core.board_for(HERE)).id

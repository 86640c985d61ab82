"""Moderator commands: merge and unmerge exactness, statuses, deletes, settings, refusals."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.domain import AnswerSuggestion, DeleteIdea, MergeIdeas, SetStatus, UnmergeIdea
from bot.errors import InvalidMerge, InvalidSetting, InvalidStatus, NotAllowed, UnknownIdea
from bot.results import Merged, PossibleDuplicate, SuggestionDismissed
from tests.conftest import HERE, draft, member, moderator, person, vote
from tests.engines import as_json, rows
from tests.fakes.embedder import TestEmbedder

IDEAS = [
    "Dark mode for the map screen",
    "Export routes as GPX files",
    "Heart rate zones on the watch",
    "Share my live location with friends",
]
DARK = IDEAS[0]
DARK_AGAIN = "Dark theme for the map screen please, white is too bright at night"
# voters per message: overlaps on purpose (bob votes on 1, 2 and 3)
VOTES = {"m1": ["bob", "carol"], "m2": ["bob", "dan", "erin"], "m3": ["bob", "fay"], "m4": ["gus"]}


async def seed(app: App) -> None:
    for i, text in enumerate(IDEAS, 1):
        await app.ideas.submit(draft(text, message_id=f"m{i}"))
    for message, voters in VOTES.items():
        for voter in voters:
            await app.ideas.react(vote(message, voter))


async def votes(app: App) -> dict[int, int]:
    board = await app.core.board_for(HERE)
    return {i.number: i.votes for i in await app.queries.all(board)}


def log_actions(app: App) -> list[tuple[str, dict[str, object]]]:
    found = rows(app, "SELECT action, details FROM moderation_log ORDER BY id")
    return [(r[0], as_json(r[1])) for r in found]


def merge(number: int, into: int, *, mod: bool = True) -> MergeIdeas:
    return MergeIdeas(
        where=HERE, actor=moderator() if mod else member("mallory"), number=number, into=into
    )


def unmerge(number: int) -> UnmergeIdea:
    return UnmergeIdea(where=HERE, actor=moderator(), number=number)


async def test_merge_counts_each_person_once_and_unmerge_is_exact(app: App) -> None:
    await seed(app)
    before = await votes(app)
    assert before == {1: 2, 2: 3, 3: 2, 4: 1}
    result = await app.moderation.merge(merge(2, 1))
    assert isinstance(result, Merged) and result.into.number == 1
    assert result.into.votes == 4  # bob, carol, dan, erin: bob once
    await app.moderation.merge(merge(3, 1))
    after = await votes(app)
    assert after[1] == 5 and after[2] == 0 and after[3] == 0
    # votes cast on a merged idea's message land on the canonical idea
    await app.ideas.react(vote("m2", "hana"))
    assert (await votes(app))[1] == 6
    await app.ideas.react(vote("m2", "hana", added=False))
    await app.moderation.unmerge(unmerge(2))
    await app.moderation.unmerge(unmerge(3))
    assert await votes(app) == before
    assert [a for a, _ in log_actions(app)] == ["merge", "merge", "unmerge", "unmerge"]


async def test_merge_chains_follow_to_the_root_and_unmerge_keeps_subtree(app: App) -> None:
    await seed(app)
    await app.moderation.merge(merge(3, 2))
    await app.moderation.merge(merge(2, 1))
    assert (await votes(app))[1] == 5
    board = await app.core.board_for(HERE)
    shown = await app.queries.show(board, 3)
    assert shown.merged_into == 2
    # merging into a merged idea lands on its root
    result = await app.moderation.merge(merge(4, 3))
    assert result.into.number == 1
    await app.moderation.unmerge(unmerge(2))
    assert (await votes(app))[2] == 4  # 2 with 3 still in it: bob, dan, erin, fay
    assert (await votes(app))[1] == 3  # 1 with 4: bob, carol, gus


@pytest.mark.parametrize(
    ("steps", "number", "into", "error", "message"),
    [
        ([], 1, 1, InvalidMerge, "into itself"),
        ([], 1, 99, UnknownIdea, "no idea #99"),
        ([], 99, 1, UnknownIdea, "no idea #99"),
        ([(2, 1)], 2, 3, InvalidMerge, "already merged into #1"),
        ([(2, 1)], 1, 2, InvalidMerge, "loop"),
        ([(3, 2), (2, 1)], 1, 3, InvalidMerge, "loop"),
    ],
)
async def test_bad_merges_are_refused_and_change_nothing(
    app: App,
    steps: list[tuple[int, int]],
    number: int,
    into: int,
    error: type[Exception],
    message: str,
) -> None:
    await seed(app)
    for a, b in steps:
        await app.moderation.merge(merge(a, b))
    before = await votes(app)
    log_before = log_actions(app)
    with pytest.raises(error, match=message):
        await app.moderation.merge(merge(number, into))
    assert await votes(app) == before
    assert log_actions(app) == log_before


async def test_unmerge_of_an_unmerged_idea_is_refused(app: App) -> None:
    await seed(app)
    with pytest.raises(InvalidMerge, match="not merged"):
        await app.moderation.unmerge(unmerge(1))


async def test_members_cannot_moderate(app: App) -> None:
    await seed(app)
    outsider = member("mallory")
    attempts = [
        app.moderation.merge(merge(2, 1, mod=False)),
        app.moderation.unmerge(UnmergeIdea(where=HERE, actor=outsider, number=2)),
        app.moderation.set_status(SetStatus(where=HERE, actor=outsider, number=1, status="done")),
        app.moderation.delete(DeleteIdea(where=HERE, actor=outsider, number=1)),
        app.moderation.configure(HERE, outsider, "suggest", "0.3"),
    ]
    for attempt in attempts:
        with pytest.raises(NotAllowed):
            await attempt
    assert await votes(app) == {1: 2, 2: 3, 3: 2, 4: 1}
    assert log_actions(app) == []
    board = await app.core.board_for(HERE)
    assert (await app.queries.show(board, 1)).status == "open"


async def test_board_listed_moderator_may_moderate(app: App) -> None:
    await seed(app)
    await app.moderation.configure(HERE, moderator(), "moderator_users", "u-mallory")
    await app.moderation.merge(merge(2, 1, mod=False))
    assert (await votes(app))[1] == 4


async def test_status_with_note_notifies_voters_of_merged_ideas(app: App) -> None:
    await seed(app)
    await app.moderation.merge(merge(2, 1))
    changed = await app.moderation.set_status(
        SetStatus(where=HERE, actor=moderator(), number=1, status="Done", note="Shipped in 3.2")
    )
    assert changed.old == "open" and changed.new == "done" and changed.note == "Shipped in 3.2"
    assert {p.name for p in changed.notify} == {"bob", "carol", "dan", "erin"}
    assert ("discord", "c-ideas", "m1") in changed.messages
    review = await app.moderation.set_status(
        SetStatus(where=HERE, actor=moderator(), number=3, status="under review")
    )
    assert review.notify == ()  # only planned, done and declined close the loop
    assert [a for a, _ in log_actions(app)] == ["merge", "status", "status"]


@pytest.mark.parametrize(
    ("number", "status", "note", "error"),
    [
        (1, "shipped", None, InvalidStatus),
        (1, "", None, InvalidStatus),
        (1, "done", "x" * 1001, InvalidStatus),
        (42, "done", None, UnknownIdea),
    ],
)
async def test_bad_status_changes_are_refused(
    app: App, number: int, status: str, note: str | None, error: type[Exception]
) -> None:
    await seed(app)
    with pytest.raises(error):
        await app.moderation.set_status(
            SetStatus(where=HERE, actor=moderator(), number=number, status=status, note=note)
        )
    board = await app.core.board_for(HERE)
    assert (await app.queries.show(board, 1)).status == "open"
    assert log_actions(app) == []


async def test_status_of_a_merged_idea_is_set_on_its_canonical(app: App) -> None:
    await seed(app)
    await app.moderation.merge(merge(2, 1))
    with pytest.raises(InvalidStatus, match="set the status there"):
        await app.moderation.set_status(
            SetStatus(where=HERE, actor=moderator(), number=2, status="done")
        )


async def test_delete_by_author_or_moderator_and_merged_children_stand_again(
    app: App, embedder: TestEmbedder
) -> None:
    embedder.likely("Export routes as GPX files", "export gpx")
    await seed(app)
    await app.moderation.merge(merge(2, 1))
    with pytest.raises(NotAllowed):
        await app.moderation.delete(DeleteIdea(where=HERE, actor=member("bob"), number=1))
    deleted = await app.moderation.delete(
        DeleteIdea(where=HERE, actor=member("alice"), number=1, reason="posted twice")
    )
    assert deleted.unmerged == (2,)
    assert (await votes(app)) == {2: 3, 3: 2, 4: 1}
    with pytest.raises(UnknownIdea):
        await app.moderation.delete(DeleteIdea(where=HERE, actor=moderator(), number=1))
    board = await app.core.board_for(HERE)
    hits = await app.queries.search(board, "export gpx")
    assert hits[0].idea.number == 2  # back in the similarity index


async def test_suggestion_answers(app: App, embedder: TestEmbedder) -> None:
    embedder.likely(DARK, DARK_AGAIN)
    await app.ideas.submit(draft(DARK, message_id="m1"))
    offered = await app.ideas.submit(draft(DARK_AGAIN, "bob", message_id="m2"))
    assert isinstance(offered, PossibleDuplicate)
    answer = AnswerSuggestion(where=HERE, actor=member("mallory"), number=2, candidate=1, same=True)
    with pytest.raises(NotAllowed):
        await app.moderation.answer_suggestion(answer)
    dismissed = await app.moderation.answer_suggestion(
        AnswerSuggestion(where=HERE, actor=member("bob"), number=2, candidate=1, same=False)
    )
    assert isinstance(dismissed, SuggestionDismissed)
    with pytest.raises(InvalidMerge, match="already answered"):
        await app.moderation.answer_suggestion(
            AnswerSuggestion(where=HERE, actor=moderator(), number=2, candidate=1, same=True)
        )
    with pytest.raises(InvalidMerge, match="was not suggested"):
        await app.moderation.answer_suggestion(
            AnswerSuggestion(where=HERE, actor=moderator(), number=1, candidate=2, same=True)
        )


async def test_suggestion_accepted_by_author_merges(app: App, embedder: TestEmbedder) -> None:
    embedder.likely(DARK, DARK_AGAIN)
    await app.ideas.submit(draft(DARK, message_id="m1"))
    await app.ideas.react(vote("m1", "carol"))
    await app.ideas.submit(draft(DARK_AGAIN, "bob", message_id="m2"))
    await app.ideas.react(vote("m2", "dan"))
    merged = await app.moderation.answer_suggestion(
        AnswerSuggestion(where=HERE, actor=member("bob"), number=2, candidate=1, same=True)
    )
    assert isinstance(merged, Merged) and merged.into.votes == 2


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("suggest", "high", "number between 0 and 1"),
        ("suggest", "0.97", "suggest <= auto_merge"),
        ("auto_merge", "1.5", "between 0 and 1"),
        ("digest_weekday", "funday", "monday"),
        ("digest_time", "25:00", "HH:MM"),
        ("timezone", "Mars/Olympus", "unknown time zone"),
        ("vote_emoji", "", "at least one"),
        ("favourite_colour", "blue", "unknown setting"),
    ],
)
async def test_bad_settings_are_refused(app: App, key: str, value: str, message: str) -> None:
    before = (await app.core.board_for(HERE)).settings
    with pytest.raises(InvalidSetting, match=message):
        await app.moderation.configure(HERE, moderator(), key, value)
    assert (await app.core.board_for(HERE)).settings == before


async def test_settings_persist(app: App) -> None:
    board = await app.moderation.configure(HERE, moderator(), "timezone", "Europe/Berlin")
    assert board.settings.timezone == "Europe/Berlin"
    await app.moderation.configure(HERE, moderator(), "suggest", "0.6")
    fresh = await app.core.refresh_board(board.id)
    assert fresh.settings.timezone == "Europe/Berlin" and fresh.settings.suggest == 0.6
    assert person("mod").name == "mod"

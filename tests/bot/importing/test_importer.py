"""Importing the example exports with the real model into real SQLite files.

The expected rankings are counted by hand in examples/import/README.md.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.app import App, build_app
from bot.domain import IdeaDraft, Person, ReactionChange, Where
from bot.importing.errors import ImportFileError
from bot.importing.importer import import_export
from bot.importing.reader import read_export
from bot.results import Merged
from bot.settings import Settings
from tests.bot.importing.conftest import DISCORD, SLACK
from tests.conftest import FakeClock
from tests.engines import snapshot
from tests.fakes.embedder import TestEmbedder

SLACK_PLACE = Where(platform="slack", workspace_id="T0NOTES01")
DISCORD_PLACE = Where(platform="discord", workspace_id="1100000000000000001")

# (number, votes, anonymous votes) of the open ideas, best first: examples/import/README.md.
SLACK_RANKING = [(3, 5, 3), (1, 4, 0), (8, 4, 0), (2, 3, 0), (5, 1, 0), (6, 1, 0), (7, 0, 0)]
DISCORD_RANKING = [(1, 5, 5), (4, 4, 1), (2, 2, 0), (5, 1, 0)]


async def ranking(app: App, place: Where) -> list[tuple[int, int, int]]:
    board = await app.core.board_for(place)
    listed = {i.number: i for i in await app.queries.all(board)}
    top = await app.queries.top(board, 20)
    return [(i.number, i.votes, listed[i.number].anonymous_votes) for i in top]


async def test_slack_example_ranks_as_counted_by_hand(app: App) -> None:
    report = await import_export(app.core, read_export([SLACK], channels=["feature-requests"]))
    assert (report.ideas, report.merged, report.suggested) == (8, 1, 1)
    assert (report.votes, report.anonymous_votes) == (16, 3)
    assert report.created_board and report.board == "slack-t0notes01"
    assert await ranking(app, SLACK_PLACE) == SLACK_RANKING
    board = await app.core.board_for(SLACK_PLACE)  # the board the live bot would use
    assert board.name == "slack-t0notes01"
    repost = await app.queries.show(board, 4)
    assert repost.merged_into == 1 and repost.created_at == datetime(2024, 3, 2, 11, 0, 0, 500, UTC)
    shortcut = await app.queries.show(board, 8)
    assert shortcut.created_at == datetime(2024, 3, 4, 0, 30, 0, 1100, UTC)
    assert shortcut.author.name == "cara" and shortcut.author.user_id == "U03CARA"
    pdf = await app.core.idea(board, 5)
    second = await app.core.idea(board, 2)
    state = await app.core.store.suggestions.state(board.id, pdf.id, second.id)
    assert state == "pending"  # "same as #2?", waiting for the author or a moderator


async def test_progress_is_reported_per_stage(app: App) -> None:
    seen: list[tuple[str, int, int]] = []
    await import_export(
        app.core,
        read_export([SLACK], channels=["feature-requests"]),
        progress=lambda stage, done, total: seen.append((stage, done, total)),
    )
    # 16 named votes; the 3 anonymous ones are a count, written in no time at all.
    assert seen == [("ideas embedded", 8, 8), ("votes written", 16, 16)]


async def test_discord_example_ranks_as_counted_by_hand(app: App) -> None:
    report = await import_export(app.core, read_export([DISCORD]))
    assert (report.ideas, report.merged, report.votes, report.anonymous_votes) == (5, 1, 6, 6)
    assert report.board == "trailhead-notes"
    assert await ranking(app, DISCORD_PLACE) == DISCORD_RANKING
    board = await app.core.board_for(DISCORD_PLACE)
    first = await app.queries.show(board, 1)
    assert first.created_at == datetime(2024, 4, 1, 13, 0, tzinfo=UTC)  # -04:00 in the file


async def test_reimporting_the_same_export_changes_nothing(app: App) -> None:
    await import_export(app.core, read_export([SLACK], channels=["feature-requests"]))
    await import_export(app.core, read_export([DISCORD]))
    before = snapshot(app)
    again = await import_export(app.core, read_export([SLACK], channels=["feature-requests"]))
    await import_export(app.core, read_export([DISCORD]))
    assert snapshot(app) == before
    assert (again.ideas, again.votes, again.anonymous_votes) == (0, 0, 0)
    assert again.skipped["already imported"] == 8


async def test_a_newer_overlapping_export_adds_only_what_is_new(app: App, tmp_path: Path) -> None:
    await import_export(app.core, read_export([SLACK], channels=["feature-requests"]))
    newer = tmp_path / "newer"
    shutil.copytree(SLACK, newer)
    day1 = newer / "feature-requests" / "2024-03-01.json"
    messages = json.loads(day1.read_text())
    # Slack now names two more of the five who voted for offline sync.
    messages[2]["reactions"][0]["users"] += ["U04DAN", "U05EVE"]
    day1.write_text(json.dumps(messages))
    (newer / "feature-requests" / "2024-03-05.json").write_text(
        json.dumps(
            [
                {
                    "type": "message",
                    "user": "U06FINN",
                    "text": "Password-protected notebooks",
                    "ts": "1709632800.000100",
                    "reactions": [{"name": "+1", "users": ["U01ALICE"], "count": 1}],
                }
            ]
        )
    )
    report = await import_export(app.core, read_export([newer], channels=["feature-requests"]))
    assert (report.ideas, report.votes, report.anonymous_votes) == (1, 3, 0)
    assert report.retired_anonymous == 2
    ranked = await ranking(app, SLACK_PLACE)
    assert ranked[0] == (3, 5, 1)  # still five voters: two now named, one still anonymous
    assert (9, 1, 0) in ranked


async def test_a_vote_taken_back_live_is_not_restored_by_a_reimport(app: App) -> None:
    export = read_export([SLACK], channels=["feature-requests"])
    await import_export(app.core, export)
    place = Where(platform="slack", workspace_id="T0NOTES01", channel_id="C01FEATURE")
    await app.ideas.react(
        ReactionChange(
            where=place,
            message_id="1709287200.000100",
            person=Person(platform="slack", user_id="U03CARA", name="cara"),
            emoji="+1",
            added=False,
            at=datetime(2024, 5, 1, tzinfo=UTC),
        )
    )
    await import_export(app.core, export)
    assert (1, 3, 0) in await ranking(app, SLACK_PLACE)  # bob (via #4), dan, finn


async def test_a_message_captured_live_keeps_its_idea_and_gains_its_votes(app: App) -> None:
    place = Where(platform="slack", workspace_id="T0NOTES01", channel_id="C01FEATURE")
    await app.ideas.submit(
        IdeaDraft(
            where=place,
            author=Person(platform="slack", user_id="U03CARA", name="cara"),
            text="Offline sync on mobile so I can edit notes on the plane",
            created_at=datetime(2024, 3, 1, 12, tzinfo=UTC),
            message_id="1709294400.000300",
        )
    )
    await app.ideas.react(
        ReactionChange(
            where=place,
            message_id="1709294400.000300",
            person=Person(platform="slack", user_id="U01ALICE", name="alice"),
            emoji="+1",
            added=True,
            at=datetime(2024, 3, 1, 13, tzinfo=UTC),
        )
    )
    report = await import_export(app.core, read_export([SLACK], channels=["feature-requests"]))
    assert report.ideas == 7 and report.skipped["already imported"] == 1
    board = await app.core.board_for(SLACK_PLACE)
    offline = await app.queries.show(board, 1)
    # alice (live, named in the export too), bob, and three the export only counts.
    assert (offline.votes, (await app.queries.all(board))[0].anonymous_votes) == (5, 3)


async def test_anonymous_voters_are_never_mentioned(app: App) -> None:
    await import_export(app.core, read_export([DISCORD]))
    board = await app.core.board_for(DISCORD_PLACE)
    pin = await app.core.idea(board, 4)
    voters = await app.core.store.ideas.voters(board.id, pin.id)
    assert sorted(v.name for v in voters) == ["Ben", "Dev", "cleo"]  # and one anonymous


async def test_board_option_attaches_a_workspace_without_a_board(app: App) -> None:
    other = await app.core.board_for(
        Where(platform="discord", workspace_id="g9", workspace_name="Ops")
    )
    report = await import_export(
        app.core, read_export([SLACK], channels=["feature-requests"]), board_name="ops"
    )
    assert report.board == "ops" and not report.created_board
    app.core.forget_places()
    assert (await app.core.board_for(SLACK_PLACE)).id == other.id
    await import_export(app.core, read_export([DISCORD]))
    with pytest.raises(ImportFileError, match="whose board is 'trailhead-notes'"):
        await import_export(app.core, read_export([DISCORD]), board_name="ops")


async def test_a_direct_message_export_needs_a_board(app: App, tmp_path: Path) -> None:
    data = json.loads((DISCORD / "ideas.json").read_text())
    data["guild"] = {"id": "0", "name": "Direct Messages", "iconUrl": None}
    path = tmp_path / "dm.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ImportFileError, match=r"direct messages.*--board"):
        await import_export(app.core, read_export([path]))


async def test_a_running_bot_finds_duplicates_among_ideas_imported_meanwhile(
    app: App, tmp_path: Path, embedder: TestEmbedder, clock: FakeClock
) -> None:
    """`ideabot import` runs in its own process beside the bot: the bot's similarity
    index, loaded before, must learn of the imported ideas without a restart."""
    channel = Where(platform="slack", workspace_id="T0NOTES01", channel_id="C0FEAT001")
    await app.ideas.submit(  # the bot is running: its index for the board is loaded
        IdeaDraft(
            where=channel,
            author=Person(platform="slack", user_id="U9", name="zoe"),
            text="Let me pin notes to the top of a notebook",
            created_at=datetime(2024, 3, 10, tzinfo=UTC),
            message_id="1710028800.000100",
        )
    )
    importer = await build_app(Settings(db=app.core.store.location), embedder=embedder, clock=clock)
    try:
        await import_export(importer.core, read_export([SLACK], channels=["feature-requests"]))
    finally:
        await importer.close()
    result = await app.ideas.submit(
        IdeaDraft(
            where=channel,
            author=Person(platform="slack", user_id="U8", name="yan"),
            text="Dark mode for the editor please, my eyes hurt at night",
            created_at=datetime(2024, 3, 11, tzinfo=UTC),
            message_id="1710115200.000100",
        )
    )
    assert isinstance(result, Merged)
    # The imported idea (numbered after the one the bot took first).
    assert (result.into.number, result.into.title) == (
        2,
        "Dark mode for the editor, please. My eyes hurt at night.",
    )

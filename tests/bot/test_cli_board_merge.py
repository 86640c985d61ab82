"""`ideabot boards merge` through the real CLI on both engines: the number map and the
offered duplicates (text and JSON), the question it asks first, the moderation log naming
the operator, and every malformed or hostile input refused in one line, nothing changed."""

from __future__ import annotations

import asyncio
import getpass
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.app import build_app
from bot.cli import main
from bot.domain import Where
from bot.settings import Settings
from tests.bot.test_cli_admin import AT, CLEAN_ENV, cli, fill, log_of, ok, one_line_error, place
from tests.conftest import FakeClock, draft, vote
from tests.engines import snapshot
from tests.fakes.embedder import TestEmbedder

GUILD_TWO = Where(
    platform="discord", workspace_id="g2", channel_id="c2", workspace_name="Guild Two"
)


def fill_two(database: Path | str) -> None:
    """Boards guild-one (ideas #1-#3, see test_cli_admin.fill) and guild-two: #1, and #2 a
    likely duplicate of guild-one's #2, with a vote from carol, who voted on guild-one too."""
    fill(database)
    embedder = TestEmbedder()
    embedder.likely("Dark mode for the map screen", "A dark theme for the map at night")

    async def go() -> None:
        app = await build_app(Settings(db=database), embedder=embedder, clock=FakeClock(AT))
        try:
            await app.ideas.submit(
                draft("Share rides by link", "gil", message_id="g1", where=GUILD_TWO)
            )
            await app.ideas.submit(
                draft("A dark theme for the map at night", "hal", message_id="g2", where=GUILD_TWO)
            )
            await app.ideas.react(vote("g2", "carol", where=GUILD_TWO))
        finally:
            await app.close()

    asyncio.run(go())


def test_merge_prints_the_number_map_and_the_offered_duplicates(database: Path | str) -> None:
    fill_two(database)
    out = ok(database, "boards", "merge", "guild-two", "guild-one", "--yes")
    assert out.splitlines() == [
        "merged board 'guild-two' into 'guild-one': 2 ideas renumbered",
        "  #1 -> #4",
        "  #2 -> #5",
        "possibly the same idea (answer with: ideabot idea merge N INTO):",
        out.splitlines()[-1],
    ]
    assert out.splitlines()[-1].startswith("  #5 and #2 (pair score 0.")
    listed = json.loads(ok(database, "boards", "list", "--format", "json"))
    assert [(b["name"], b["ideas"]) for b in listed] == [("guild-one", 5)]
    assert json.loads(ok(database, "idea", "show", "5", "--format", "json"))["votes"] == 1
    # Offered, not merged: the operator decides.
    assert "merged #5 into #2" in ok(database, "idea", "merge", "5", "into", "2")
    assert json.loads(ok(database, "idea", "show", "2", "--format", "json"))["votes"] == 1
    logged = [(a, p, u) for a, p, u, _ in log_of(database)]
    assert ("board merge", "cli", getpass.getuser()) in logged
    merge_log = next(d for a, _, _, d in log_of(database) if a == "board merge")
    assert merge_log["numbers"] == {"1": 4, "2": 5} and merge_log["source"] == "guild-two"


def test_merge_as_json(database: Path | str) -> None:
    fill_two(database)
    data = json.loads(
        ok(database, "boards", "merge", "guild-two", "guild-one", "--yes", "--format", "json")
    )
    assert data["source"] == "guild-two" and data["into"] == "guild-one"
    assert data["numbers"] == [{"old": 1, "new": 4}, {"old": 2, "new": 5}]
    assert [(s["number"], s["candidate"]) for s in data["suggestions"]] == [(5, 2)]


def test_merge_asks_first_and_no_changes_nothing(database: Path | str) -> None:
    fill_two(database)
    before = snapshot(place(database))
    runner = CliRunner(env=CLEAN_ENV)
    args = ["boards", "merge", "guild-two", "guild-one", "--db", str(database)]
    refused = runner.invoke(main, args, input="n\n")
    assert refused.exit_code == 1
    assert "its 2 ideas move (as #4-#5)" in refused.stderr
    assert refused.stderr.strip().splitlines()[-1] == "error: aborted"
    assert snapshot(place(database)) == before
    agreed = runner.invoke(main, args, input="y\n")
    assert agreed.exit_code == 0, agreed.output
    assert "2 ideas renumbered" in agreed.stdout


HOSTILE: list[tuple[Sequence[str], str]] = [
    (["boards", "merge", "guild-one", "guild-one", "--yes"], "cannot be merged into itself"),
    (["boards", "merge", "nope", "guild-one", "--yes"], "There is no board named 'nope'"),
    (["boards", "merge", "guild-two", "nope", "--yes"], "There is no board named 'nope'"),
    (["boards", "merge", "guild-two", "nope"], "There is no board named 'nope'"),
    (["boards", "merge", "x" * 500, "guild-one", "--yes"], "There is no board named"),
    (["boards", "merge", "'; DROP TABLE ideas; --", "guild-one", "--yes"], "no board named"),
    (["boards", "merge", "guild-two", "--yes"], "Missing argument 'INTO'"),
    (["boards", "merge", "guild-two", "guild-one", "extra", "--yes"], "unexpected extra"),
    (["boards", "merge", "guild-two", "guild-one", "--format", "xml"], "Invalid value"),
]


@pytest.mark.parametrize(("args", "message"), HOSTILE, ids=[" ".join(a)[:40] for a, _ in HOSTILE])
def test_bad_merges_are_one_line_and_change_nothing(
    database: Path | str, args: Sequence[str], message: str
) -> None:
    fill_two(database)
    before = snapshot(place(database))
    one_line_error(cli(database, *args), message)
    assert snapshot(place(database)) == before


def test_board_names_that_are_not_utf8_are_one_line(database: Path | str) -> None:
    fill_two(database)
    before = snapshot(place(database))
    one_line_error(cli(database, "boards", "merge", "bad\udcff", "guild-one", "--yes"), "UTF-8")
    assert snapshot(place(database)) == before

"""The operator's commands through the real CLI (click's runner, in-process) on both engines:
boards, channels, config and idea, with the moderation log naming the operator, and every
malformed or hostile input refused in one line with the database unchanged."""

from __future__ import annotations

import asyncio
import getpass
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from click.testing import CliRunner, Result

from bot.app import build_app
from bot.cli import main
from bot.domain import Where
from bot.settings import Settings
from tests.bot.importing.conftest import DISCORD
from tests.conftest import FakeClock, draft, vote
from tests.engines import as_json, rows, snapshot
from tests.fakes.embedder import TestEmbedder

CLEAN_ENV: dict[str, str | None] = {
    "IDEABOT_DB": None,
    "IDEABOT_MODEL_PATH": None,
    "IDEABOT_EMBED_BATCH_SIZE": None,
    "IDEABOT_MAX_IDEA_LENGTH": None,
}
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def cli(database: Path | str, *args: str) -> Result:
    return CliRunner(env=CLEAN_ENV).invoke(main, [*args, "--db", str(database)])


def ok(database: Path | str, *args: str) -> str:
    result = cli(database, *args)
    assert result.exit_code == 0, result.output
    return result.stdout


def one_line_error(result: Result, *fragments: str) -> str:
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    return lines[0]


def place(database: Path | str) -> Any:
    """Enough of an App for tests.engines to find the database."""
    return SimpleNamespace(core=SimpleNamespace(store=SimpleNamespace(location=str(database))))


def fill(database: Path | str) -> None:
    """Board guild-one (discord g1) with ideas #1 (2 votes), #2, #3 (a vote), as chat made them."""
    embedder = TestEmbedder()

    async def go() -> None:
        app = await build_app(Settings(db=database), embedder=embedder, clock=FakeClock(AT))
        try:
            await app.ideas.submit(draft("Export to CSV", "alice", message_id="m1"))
            await app.ideas.submit(draft("Dark mode for the map screen", "bob", message_id="m2"))
            await app.ideas.submit(draft("Offline maps for regions", "dan", message_id="m3"))
            await app.ideas.react(vote("m1", "carol"))
            await app.ideas.react(vote("m1", "erin"))
            await app.ideas.react(vote("m3", "frank"))
        finally:
            await app.close()

    asyncio.run(go())


def log_of(database: Path | str) -> list[tuple[str, str, str, Any]]:
    """(action, actor platform, actor user id, details) of the moderation log, oldest first."""
    found = rows(
        place(database),
        "SELECT l.action, m.platform, m.user_id, l.details FROM moderation_log l"
        " JOIN members m ON m.id = l.actor_id ORDER BY l.id",
    )
    return [(r[0], r[1], r[2], as_json(r[3])) for r in found]


def test_a_board_set_up_from_an_empty_database_with_the_cli_alone(
    database: Path | str, tmp_path: Path
) -> None:
    if isinstance(database, Path):
        assert not database.exists()
    assert "created board 'feedback'" in ok(database, "boards", "create", "feedback")
    ok(database, "channels", "add", "discord:c-ideas", "--workspace", "g1")
    ok(database, "channels", "add", "slack:C0DIGEST", "--workspace", "T1", "--purpose", "digest")
    ok(database, "config", "set", "digest_weekday", "friday")
    ok(database, "config", "set", "digest_time", "16:30")
    ok(database, "config", "set", "timezone", "Europe/Berlin")
    ok(database, "config", "set", "moderator_users", "U1, U2")
    ok(database, "config", "set", "webhook_vote_thresholds", "50, 5 20")
    assert "is now public" in ok(database, "config", "set", "public", "on")

    listed = json.loads(ok(database, "boards", "list", "--format", "json"))
    assert listed == [
        {
            "name": "feedback",
            "communities": ["discord:g1", "slack:T1"],
            "idea_channels": ["discord:c-ideas"],
            "digest_channels": ["slack:C0DIGEST"],
            "ideas": 0,
        }
    ]
    settings = json.loads(ok(database, "config", "show", "--format", "json"))
    assert settings["digest_weekday"] == "friday"
    assert settings["digest_time"] == "16:30"
    assert settings["timezone"] == "Europe/Berlin"
    assert settings["moderator_users"] == ["U1", "U2"]
    assert settings["webhook_vote_thresholds"] == [5, 20, 50]
    assert (settings["public"], settings["read_link"]) == (True, "none")
    channels = json.loads(ok(database, "channels", "list", "--format", "json"))
    assert {c["channel"]: c["purpose"] for c in channels} == {
        "discord:c-ideas": "ideas",
        "slack:C0DIGEST": "digest",
    }

    # The running bot finds the board through the channel's server: one board, not a new one.
    async def bot_sees_it() -> tuple[str, bool]:
        app = await build_app(Settings(db=database), embedder=TestEmbedder(), clock=FakeClock(AT))
        try:
            here = Where(platform="discord", workspace_id="g1", channel_id="c-ideas")
            board = await app.core.board_for(here)
            return board.name, await app.channels.is_idea_channel(here)
        finally:
            await app.close()

    assert asyncio.run(bot_sees_it()) == ("feedback", True)

    # A Direct-message export (no server) now has a board to go to.
    data = json.loads((DISCORD / "ideas.json").read_text())
    data["guild"] = {"id": "0", "name": "Direct Messages", "iconUrl": None}
    dm = tmp_path / "dm.json"
    dm.write_text(json.dumps(data))
    imported = CliRunner(env=CLEAN_ENV).invoke(
        main, ["import", str(dm), "--board", "feedback", "--db", str(database)]
    )
    assert imported.exit_code == 0, imported.output
    ideas = json.loads(ok(database, "ideas", "--format", "json"))
    assert len(ideas) >= 4
    assert json.loads(ok(database, "boards", "list", "--format", "json"))[0]["ideas"] >= 4

    user = getpass.getuser()
    actions = [(a, p, u) for a, p, u, _ in log_of(database)]
    assert actions[:9] == [
        ("board created", "cli", user),
        ("channel", "cli", user),
        ("channel", "cli", user),
        ("config", "cli", user),
        ("config", "cli", user),
        ("config", "cli", user),
        ("config", "cli", user),
        ("config", "cli", user),
        ("web_public", "cli", user),
    ]


def test_boards_rename_and_channel_remove(database: Path | str) -> None:
    fill(database)
    ok(database, "boards", "rename", "guild-one", "product")
    assert "attached discord:c-two (ideas, workspace g1)" in ok(
        database, "channels", "add", "--board", "product", "discord:c-two"
    )
    ok(database, "channels", "remove", "--board", "product", "discord:c-two")
    listed = json.loads(ok(database, "boards", "list", "--format", "json"))
    assert [(b["name"], b["communities"], b["idea_channels"], b["ideas"]) for b in listed] == [
        ("product", ["discord:g1 (guild-one)"], [], 3)
    ]
    table = ok(database, "boards", "list")
    assert table.startswith("product: 3 ideas; communities: discord:g1")


def test_idea_commands_act_as_the_operator_through_the_moderation_log(
    database: Path | str,
) -> None:
    fill(database)
    shown = json.loads(ok(database, "idea", "show", "1", "--format", "json"))
    assert (shown["number"], shown["title"], shown["votes"], shown["status"]) == (
        1,
        "Export to CSV",
        2,
        "open",
    )
    assert "#1 Export to CSV" in ok(database, "idea", "show", "1")

    assert "#1: open -> planned" in ok(
        database, "idea", "status", "1", "planned", "--note", "March release"
    )
    assert "merged #3 into #1" in ok(database, "idea", "merge", "3", "into", "1")
    assert json.loads(ok(database, "idea", "show", "1", "--format", "json"))["votes"] == 3
    assert "unmerged #3 from #1" in ok(database, "idea", "unmerge", "3")
    assert json.loads(ok(database, "idea", "show", "1", "--format", "json"))["votes"] == 2
    assert "deleted #2" in ok(database, "idea", "delete", "2")
    one_line_error(cli(database, "idea", "show", "2"), "no idea #2")

    user = getpass.getuser()
    logged = [(a, p, u) for a, p, u, _ in log_of(database)]
    assert logged == [
        ("status", "cli", user),
        ("merge", "cli", user),
        ("unmerge", "cli", user),
        ("delete", "cli", user),
    ]
    status = log_of(database)[0][3]
    assert (status["to"], status["note"]) == ("planned", "March release")


HOSTILE: list[tuple[Sequence[str], str]] = [
    (["boards", "create", "../etc"], "is not a board name"),
    (["boards", "create", ""], "is not a board name"),
    (["boards", "create", "Bad Name"], "is not a board name"),
    (["boards", "create", "x" * 200], "is not a board name"),
    (["boards", "create", "guild-one"], "exists already"),
    (["boards", "rename", "guild-one", "a;b"], "is not a board name"),
    (["boards", "rename", "nope", "fine"], "There is no board named 'nope'"),
    (["channels", "add", "c-ideas"], "is not a channel"),
    (["channels", "add", "irc:123"], "is not a channel"),
    (["channels", "add", "discord:"], "is not a channel"),
    (["channels", "add", "discord:1;DROP TABLE ideas"], "is not a channel"),
    (["channels", "add", "slack:C1/../2"], "is not a channel"),
    (["channels", "add", "slack:C0123"], "has no slack workspaces"),
    (["channels", "add", "discord:c9", "--workspace", "../g"], "is not a workspace"),
    (["channels", "add", "discord:c9", "--purpose", "spam"], "Invalid value for '--purpose'"),
    (["channels", "remove", "discord:c-never"], "is not a ideas channel"),
    (["config", "set", "colour", "red"], "Invalid value for 'KEY'"),
    (["config", "set", "digest_time", "25:00"], "is not a time"),
    (["config", "set", "timezone", "../../etc/passwd"], "unknown time zone"),
    (["config", "set", "suggest", "nan"], "between 0 and 1"),
    (["config", "set", "reconcile_days", "1e9"], "reconcile_days"),
    (["config", "set", "vote_emoji", ""], "at least one emoji"),
    (["config", "set", "public", "maybe"], "public takes on or off"),
    (["config", "set", "read_link", "<script>"], "read_link takes new"),
    (["config", "set", "webhook_vote_thresholds", "0"], "webhook_vote_thresholds takes"),
    (["config", "set", "webhook_vote_thresholds", "10,abc"], "whole numbers of votes"),
    (["config", "set", "webhook_vote_thresholds", "2.5"], "whole numbers of votes"),
    (["config", "set", "webhook_vote_thresholds", ","], "whole numbers of votes"),
    (["config", "set", "webhook_vote_thresholds", "1 2 3 4 5 6 7 8 9 10 11"], "up to 10"),
    (["config", "set", "webhook_vote_thresholds", "9" * 400], "webhook_vote_thresholds"),
    (["config", "set", "webhook_vote_thresholds", "1000001"], "1 to 1,000,000"),
    (["config", "show", "--board", "nope"], "no board named"),
    (["idea", "show", "99"], "99"),
    (["idea", "show", "0"], "Invalid value for 'NUMBER'"),
    (["idea", "show", "-1"], "No such option"),
    (["idea", "show", "99999999999999999999"], "Invalid value for 'NUMBER'"),
    (["idea", "status", "1", "shipped"], "Invalid value for 'STATUS'"),
    (["idea", "status", "1", "done", "--note", "x" * 1001], "keep it under 1,000"),
    (["idea", "merge", "1", "into", "1"], "merged into itself"),
    (["idea", "merge", "1", "onto", "2"], "Invalid value for 'into'"),
    (["idea", "merge", "1", "into", "42"], "42"),
    (["idea", "unmerge", "1"], "is not merged"),
    (["idea", "delete", "42"], "42"),
]


@pytest.mark.parametrize(("args", "message"), HOSTILE, ids=[" ".join(a)[:40] for a, _ in HOSTILE])
def test_bad_input_is_one_line_and_changes_nothing(
    database: Path | str, args: Sequence[str], message: str
) -> None:
    fill(database)
    before = snapshot(place(database))
    one_line_error(cli(database, *args), message)
    assert snapshot(place(database)) == before


def test_text_that_is_not_utf8_is_one_line(database: Path | str) -> None:
    fill(database)
    before = snapshot(place(database))
    one_line_error(cli(database, "boards", "create", "bad\udcff"), "UTF-8")
    one_line_error(cli(database, "idea", "status", "1", "done", "--note", "\udcff"), "UTF-8")
    assert snapshot(place(database)) == before


def test_commands_on_a_missing_database_do_not_create_it(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    for args in (["boards", "list"], ["config", "show"], ["idea", "show", "1"]):
        one_line_error(cli(missing, *args))
    assert not missing.exists()


@pytest.mark.parametrize(
    "group", ["boards", "channels", "config", "idea", "webhooks"], ids=lambda g: str(g)
)
def test_every_admin_command_has_help_with_an_example(group: str) -> None:
    runner = CliRunner(env=CLEAN_ENV)
    top = runner.invoke(main, [group, "--help"])
    assert top.exit_code == 0 and "Example:" in top.output
    commands = [
        line.split()[0] for line in top.output.split("Commands:")[1].splitlines() if line.strip()
    ]
    assert commands
    for name in commands:
        shown = runner.invoke(main, [group, name, "--help"])
        assert shown.exit_code == 0, shown.output
        assert "Example:" in shown.output, (group, name)

"""Bad input through the real command: one clear line naming the file, and nothing changed."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path

import pytest

from tests.bot.importing.conftest import DISCORD, SLACK, counts, run, table_digest, zip_folder
from tests.bot.test_cli import assert_one_line_error
from tests.fakes.embedder import TestEmbedder


def refused(args: Sequence[str], db: Path, embedder: TestEmbedder, *fragments: str) -> str:
    before = table_digest(db)
    line = assert_one_line_error(run([*args, "--db", str(db)], embedder), *fragments)
    assert table_digest(db) == before
    return line


@pytest.fixture
def broken_day(tmp_path: Path) -> Path:
    copy = tmp_path / "export"
    shutil.copytree(SLACK, copy)
    day = copy / "feature-requests" / "2024-03-02.json"
    day.write_text(day.read_text()[:-40])  # cut off mid-message
    return copy


def test_a_truncated_zip(db: Path, tmp_path: Path, embedder: TestEmbedder) -> None:
    whole = zip_folder(SLACK, tmp_path / "export.zip")
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    refused(["import", str(cut)], db, embedder, str(cut), "truncated or damaged")


def test_a_file_that_is_neither_format(db: Path, tmp_path: Path, embedder: TestEmbedder) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("feature requests:\n- dark mode\n")
    refused(["import", str(text)], db, embedder, str(text), "neither a Slack export nor")
    other = tmp_path / "package.json"
    other.write_text(json.dumps({"name": "x", "version": "1.0"}))
    refused(["import", str(other)], db, embedder, str(other), "neither a Slack export nor")
    empty = tmp_path / "empty"
    empty.mkdir()
    refused(["import", str(empty)], db, embedder, str(empty), "neither a Slack export")


def test_invalid_json_in_one_daily_file_stops_the_import(
    db: Path, broken_day: Path, embedder: TestEmbedder
) -> None:
    name = str(broken_day / "feature-requests" / "2024-03-02.json")
    line = refused(["import", str(broken_day)], db, embedder, name, "invalid JSON at line")
    assert "--skip-bad-files" in line


def test_skip_bad_files_imports_everything_else_and_names_what_it_left_out(
    db: Path, broken_day: Path, embedder: TestEmbedder
) -> None:
    before = counts(db)
    args = ["import", str(broken_day), "--channel", "feature-requests", "--skip-bad-files"]
    result = run([*args, "--db", str(db)], embedder)
    assert result.exit_code == 0, result.output
    assert "2024-03-02.json: invalid JSON" in result.stderr
    # The other two days: three ideas on 1 March, one on 4 March.
    assert counts(db)["ideas"] == before["ideas"] + 4


def test_a_message_with_fields_of_the_wrong_type(
    db: Path, tmp_path: Path, embedder: TestEmbedder
) -> None:
    copy = tmp_path / "export"
    shutil.copytree(SLACK, copy)
    day = copy / "feature-requests" / "2024-03-01.json"
    messages = json.loads(day.read_text())
    messages[1]["reactions"][0]["count"] = "three"
    messages[2]["ts"] = 1709294400.0003  # a number loses the ts's digits
    day.write_text(json.dumps(messages))
    refused(["import", str(copy)], db, embedder, str(day), "message 2", "count is not a whole")


def test_unknown_fields_are_no_problem(tmp_path: Path, embedder: TestEmbedder) -> None:
    data = json.loads((DISCORD / "ideas.json").read_text())
    data["schemaVersion"] = 99
    for message in data["messages"]:
        message["futureField"] = {"nested": [1, 2]}
        message["author"]["pronouns"] = "they/them"
    path = tmp_path / "ideas.json"
    path.write_text(json.dumps(data))
    db = tmp_path / "fresh.db"
    result = run(["import", str(path), "--db", str(db)], embedder)
    assert result.exit_code == 0, result.output
    assert counts(db)["ideas"] == 4


def test_a_bad_dce_file_among_good_ones(db: Path, tmp_path: Path, embedder: TestEmbedder) -> None:
    folder = tmp_path / "dce"
    shutil.copytree(DISCORD, folder)
    bad = folder / "ideas-thread-widget.json"
    bad.write_text(bad.read_text()[:200])
    refused(["import", str(folder)], db, embedder, str(bad), "invalid JSON")


def test_unknown_board_channel_or_path(db: Path, tmp_path: Path, embedder: TestEmbedder) -> None:
    refused(["import", str(SLACK), "--board", "nope"], db, embedder, "no board named 'nope'")
    refused(["import", str(SLACK), "--channel", "ideas"], db, embedder, "no channel 'ideas'")
    missing = tmp_path / "missing.zip"
    refused(["import", str(missing)], db, embedder, str(missing), "no such file")
    refused(["import", str(DISCORD), "--board", "slack-t0notes01"], db, embedder, "no board named")


def test_a_board_of_another_workspace_is_refused(db: Path, embedder: TestEmbedder) -> None:
    assert run(["import", str(SLACK), "--db", str(db)], embedder).exit_code == 0
    refused(
        ["import", str(DISCORD), "--board", "slack-t0notes01"],
        db,
        embedder,
        "whose board is 'trailhead-notes'",
    )


def test_no_database_is_created_for_an_unknown_board(
    tmp_path: Path, embedder: TestEmbedder
) -> None:
    db = tmp_path / "new.db"
    result = run(["import", str(SLACK), "--board", "main", "--db", str(db)], embedder)
    assert_one_line_error(result, "no database at", "'main'")
    assert not db.exists()

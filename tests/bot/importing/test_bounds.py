"""What an export claims is checked before it costs anything: dates, depth, sizes, odd files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.importing import bounds, reader
from bot.importing.errors import ImportFileError
from bot.importing.reader import read_export
from tests.bot.importing.conftest import DISCORD, SLACK, counts, run
from tests.bot.test_cli import assert_one_line_error
from tests.fakes.embedder import TestEmbedder


def dce_copy(tmp_path: Path) -> tuple[Path, dict[str, object]]:
    folder = tmp_path / "dce"
    folder.mkdir()
    data = json.loads((DISCORD / "ideas.json").read_text())
    return folder / "ideas.json", data


@pytest.mark.parametrize(
    "stamp",
    [
        "9999-12-31T23:59:59-05:00",  # past the calendar once in UTC
        "0001-01-01T00:00:00+01:00",  # before it
        "1970-01-01T00:00:00+00:00",  # a real date, but no chat had messages then
        "2200-01-01T00:00:00+00:00",
    ],
)
def test_a_dce_timestamp_outside_chat_dates_is_refused_per_message(
    stamp: str, tmp_path: Path, embedder: TestEmbedder
) -> None:
    path, data = dce_copy(tmp_path)
    data["messages"][0]["timestamp"] = stamp  # type: ignore[index]
    path.write_text(json.dumps(data))
    db = tmp_path / "a.db"
    line = assert_one_line_error(run(["import", str(path), "--db", str(db)], embedder))
    assert "message 1" in line and "2000 to 2099" in line, line
    assert not db.exists()
    result = run(["import", str(path), "--db", str(db), "--skip-bad-files"], embedder)
    assert result.exit_code == 0, result.output
    assert counts(db)["ideas"] == 3  # the other three ideas of the file


@pytest.mark.parametrize("ts", ["999999999999.000001", "100.000001", "253402300800.000000"])
def test_a_slack_ts_outside_chat_dates_is_refused_per_message(
    ts: str, tmp_path: Path, embedder: TestEmbedder
) -> None:
    copy = tmp_path / "export"
    shutil.copytree(SLACK, copy)
    day = copy / "feature-requests" / "2024-03-01.json"
    messages = json.loads(day.read_text())
    first = next(i for i, m in enumerate(messages) if "subtype" not in m and "thread_ts" not in m)
    messages[first]["ts"] = ts
    day.write_text(json.dumps(messages))
    db = tmp_path / "a.db"
    line = assert_one_line_error(run(["import", str(copy), "--db", str(db)], embedder))
    assert f"message {first + 1}" in line and "2000 to 2099" in line, line
    assert not db.exists()


def test_deeply_nested_json_is_one_line(tmp_path: Path, embedder: TestEmbedder) -> None:
    path = tmp_path / "deep.json"
    path.write_text('{"guild": ' + "[" * 200_000 + "]" * 200_000 + "}")
    line = assert_one_line_error(
        run(["import", str(path), "--db", str(tmp_path / "a.db")], embedder)
    )
    assert str(path) in line and "nested too deeply" in line, line
    copy = tmp_path / "export"
    shutil.copytree(SLACK, copy)
    (copy / "users.json").write_text("[" * 100_000 + "]" * 100_000)
    line = assert_one_line_error(
        run(["import", str(copy), "--db", str(tmp_path / "b.db")], embedder)
    )
    assert "users.json" in line and "nested too deeply" in line, line


def test_a_folder_named_like_a_json_file_is_not_read(
    tmp_path: Path, embedder: TestEmbedder
) -> None:
    folder = tmp_path / "dce"
    shutil.copytree(DISCORD, folder)
    (folder / "more.json").mkdir()
    db = tmp_path / "a.db"
    result = run(["import", str(folder), "--db", str(db)], embedder)
    assert result.exit_code == 0, result.output
    slack = tmp_path / "slack"
    shutil.copytree(SLACK, slack)
    (slack / "feature-requests" / "2024-12-31.json").mkdir()
    result = run(["import", str(slack), "--db", str(tmp_path / "b.db")], embedder)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_as_the_export_is_one_line(
    device: str, tmp_path: Path, embedder: TestEmbedder
) -> None:
    db = tmp_path / "a.db"
    line = assert_one_line_error(run(["import", device, "--db", str(db)], embedder))
    assert device in line and "not a file or folder" in line
    assert not db.exists()


def test_a_file_past_the_size_bound_is_not_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reader, "MAX_JSON_BYTES", 1000)
    with pytest.raises(ImportFileError, match="larger than"):
        read_export([DISCORD / "ideas.json"])
    with pytest.raises(ImportFileError, match="larger than"):
        read_export([SLACK])


def test_a_reaction_count_past_any_channel_is_refused(
    tmp_path: Path, embedder: TestEmbedder
) -> None:
    path, data = dce_copy(tmp_path)
    data["messages"][0]["reactions"][0]["count"] = bounds.MAX_REACTION_COUNT + 1  # type: ignore[index]
    path.write_text(json.dumps(data))
    line = assert_one_line_error(
        run(["import", str(path), "--db", str(tmp_path / "a.db")], embedder)
    )
    assert "more than any channel has people" in line

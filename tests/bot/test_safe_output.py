"""Output that cannot harm its reader, and output failures that end in one line.

CSV cells a spreadsheet would evaluate are neutralised; invisible and bidirectional
control characters never reach a stored title; a closed pipe, a full device, a week
at the calendar's ends and a --search that is not UTF-8 are one line each.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from bot.cli_store import safe_cell
from bot.text import clean_text, validate_idea_text
from tests.bot.importing.conftest import DISCORD
from tests.bot.test_cli import CLEAN_ENV, assert_one_line_error, sha
from tests.fakes.embedder import TestEmbedder

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-c", "from bot.cli import main; main()"]
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


def run(args: Sequence[str], embedder: TestEmbedder) -> Result:
    return CliRunner(env=CLEAN_ENV).invoke(main, list(args), obj={"embedder": embedder})


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Discord example with ideas written to hurt a spreadsheet and a listing."""
    embedder = TestEmbedder()  # module-wide: a fresh one, nothing declared
    folder = tmp_path_factory.mktemp("hostile")
    data = json.loads((DISCORD / "ideas.json").read_text())
    texts = [
        '=HYPERLINK("http://evil.example","click")',
        "+1 for offline maps please",
        "@SUM(1+1) in the export",
        "Report \u202egnp.exe\u202c for every idea \u2066hidden\u2069 marks\u200e",
    ]
    ideas = [m for m in data["messages"] if m["type"] == "Default" and not m["author"].get("isBot")]
    for message, text in zip(ideas, texts, strict=False):
        message["content"] = text
    path = folder / "ideas.json"
    path.write_text(json.dumps(data))
    db = folder / "ideabot.db"
    result = run(["import", str(path), "--db", str(db)], embedder)
    assert result.exit_code == 0, result.output
    return db


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1 please", "'+1 please"),
        ("-2 votes", "'-2 votes"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tTab", "'\tTab"),
        ("\rCR", "'\rCR"),
        ("Dark mode", "Dark mode"),
        ("", ""),
        (3, 3),
        (None, None),
    ],
)
def test_safe_cell_follows_the_owasp_rule(cell: object, safe: object) -> None:
    assert safe_cell(cell) == safe


def test_csv_export_neutralises_formulas(hostile_db: Path, embedder: TestEmbedder) -> None:
    result = run(["export", "--db", str(hostile_db), "--format", "csv"], embedder)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    titles = [r["title"] for r in rows]
    assert '\'=HYPERLINK("http://evil.example","click")' in titles
    assert "'+1 for offline maps please" in titles
    assert "'@SUM(1+1) in the export" in titles
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value
    # JSON is data, not a spreadsheet: it keeps the text as it was.
    exported = run(["export", "--db", str(hostile_db), "--format", "json"], embedder)
    assert '=HYPERLINK(\\"http://evil.example\\",\\"click\\")' in exported.stdout


def test_bidi_and_invisible_characters_never_reach_a_stored_title(
    hostile_db: Path, embedder: TestEmbedder
) -> None:
    result = run(["export", "--db", str(hostile_db), "--format", "json"], embedder)
    ideas = json.loads(result.stdout)
    report = next(i for i in ideas if i["title"].startswith("Report"))
    assert report["title"] == "Report gnp.exe for every idea hidden marks"
    for idea in ideas:
        assert not set(idea["title"] + idea["body"]) & set(BIDI)


def test_clean_text_removes_every_control_and_format_character() -> None:
    text = f"a{BIDI}b\u200b\u200d\u00ad\ufeff\x00\x1b[31mc\x7f\u0085d\u2028e"
    assert clean_text(text) == "ab[31mc\nd\ne"
    assert clean_text("keep\ttabs\nand lines") == "keep tabs\nand lines"
    assert validate_idea_text("Dark \u202emode\u202c", 100) == "Dark mode"


@pytest.mark.parametrize("week", ["0001-W01", "9999-W52", "9999-W01", "1969-W52"])
def test_a_week_at_the_calendars_ends_is_one_line(
    week: str, hostile_db: Path, embedder: TestEmbedder
) -> None:
    before = sha(hostile_db)
    result = run(["digest", "--db", str(hostile_db), "--week", week], embedder)
    assert_one_line_error(result, week, "1970 to 9998")
    assert sha(hostile_db) == before


def _cli(args: Sequence[str], **kwargs: object) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for name in CLEAN_ENV:
        env.pop(name, None)
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [*CLI, *args],
        env=env,
        check=False,
        **kwargs,
    )


def test_a_search_that_is_not_utf8_is_one_line(hostile_db: Path) -> None:
    before = sha(hostile_db)
    search = os.fsdecode(b"dark \xff\xfe mode")
    done = _cli(
        ["ideas", "--db", str(hostile_db), "--search", search], capture_output=True, timeout=120
    )
    assert done.returncode != 0
    lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
    assert len(lines) == 1 and "--search" in lines[0] and "UTF-8" in lines[0], lines
    assert sha(hostile_db) == before


def test_writing_to_a_full_device_is_one_line(hostile_db: Path) -> None:
    with open("/dev/full", "wb") as full:
        done = _cli(
            ["export", "--db", str(hostile_db), "--format", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=120,
        )
    assert done.returncode == 1
    lines = done.stderr.decode().strip().splitlines()
    assert lines == [
        "error: no space left on the device being written; free some space and run it again"
    ]


def test_a_closed_pipe_is_one_line(hostile_db: Path) -> None:
    proc = subprocess.Popen(
        [*CLI, "export", "--db", str(hostile_db), "--format", "json"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before the first byte (`| head -0`)
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 1
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        "error: the output was closed before everything was written (closed pipe)"
    ]


@pytest.mark.parametrize("kind", ["folder", "device"])
def test_eval_dedupe_on_a_folder_or_device_is_one_line(
    kind: str, tmp_path: Path, embedder: TestEmbedder
) -> None:
    target = tmp_path if kind == "folder" else Path("/dev/zero")
    assert_one_line_error(run(["eval-dedupe", str(target)], embedder), str(target), "not a file")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["ideas", "--top", "0"], "Invalid value for '--top'"),
        (["export"], "Missing option '--format'. Choose from: csv, json"),
        (["--bogus"], "No such option '--bogus'"),
        (["nosuch"], "No such command 'nosuch'"),
        (["import"], "Missing argument 'PATH...'"),
    ],
)
def test_a_bad_option_or_argument_is_one_line_too(
    args: list[str], says: str, embedder: TestEmbedder
) -> None:
    result = run(args, embedder)
    assert result.exit_code == 2
    line = assert_one_line_error(result, says)
    assert line.endswith("--help)")


def test_help_and_version_still_exit_zero(embedder: TestEmbedder) -> None:
    assert run(["--help"], embedder).exit_code == 0
    assert run(["ideas", "--help"], embedder).exit_code == 0
    assert run(["--version"], embedder).exit_code == 0

"""The `ideabot` command line, run in-process with click's CliRunner on real SQLite files.

One `demo` run (one model load) is shared by every test that reads the demo board; the
expected numbers come from examples/README.md, counted by hand from examples/community.jsonl.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.app import build_app
from bot.cli import EXPORT_FIELDS, main
from bot.domain import Where
from bot.settings import Settings
from tests.conftest import FakeClock, draft, vote
from tests.fakes.embedder import TestEmbedder

# Settings come from the environment and .env: keep the caller's IDEABOT_* out of the runs.
CLEAN_ENV: dict[str, str | None] = {
    "IDEABOT_DB": None,
    "IDEABOT_MODEL_PATH": None,
    "IDEABOT_EMBED_BATCH_SIZE": None,
    "IDEABOT_MAX_IDEA_LENGTH": None,
}


def run(args: Sequence[str]) -> Result:
    return CliRunner(env=CLEAN_ENV).invoke(main, list(args))


def assert_one_line_error(result: Result, *fragments: str) -> str:
    """The command failed with exactly one `error: ...` line on stderr and no traceback."""
    assert result.exit_code != 0, result.output
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0]
    return lines[0]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class DemoRun:
    result: Result
    db: Path


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    """`ideabot demo` once for the module (it loads its own model: about 8 s)."""
    db = tmp_path_factory.mktemp("demo") / "demo.db"
    result = run(["demo", "--db", str(db)])
    assert result.exit_code == 0, result.output
    return DemoRun(result=result, db=db)


@pytest.fixture(scope="module")
def other_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A non-demo ideabot database with two boards: guild-one (2 ideas) and acme-team (1)."""
    embedder = TestEmbedder()  # module-wide: a fresh one, nothing declared
    path = tmp_path_factory.mktemp("other") / "other.db"
    slack = Where(platform="slack", workspace_id="T1", channel_id="C1", workspace_name="Acme Team")
    at = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    async def fill() -> None:
        app = await build_app(Settings(db=path), embedder=embedder, clock=FakeClock(at))
        try:
            await app.ideas.submit(
                draft(
                    'Export to CSV, with "quotes" please\nThe body, with a comma.',
                    "alice",
                    message_id="m1",
                )
            )
            await app.ideas.submit(draft("Dark mode for the map screen", "bob", message_id="m2"))
            await app.ideas.react(vote("m1", "carol"))
            await app.ideas.submit(
                draft("Offline maps for whole regions", "dan", message_id="s1", where=slack)
            )
        finally:
            await app.close()

    asyncio.run(fill())
    return path


# -- demo ------------------------------------------------------------------------------------

# README: top 5 of W46 by votes gained, with their all-time votes and authors.
W46_TOP = [
    "1. **#2** Offline maps for whole regions — +10 this week, 13 votes in all · by chen",
    "2. **#29** Trail condition reports from other hikers — +9 this week, 9 votes in all · by dara",
    "3. **#30** Attach photos to points on my route — +8 this week, 8 votes in all · by alice",
    "4. **#16** Share my live location with hiking buddies"
    " — +7 this week, 8 votes in all · by chen",
    "5. **#32** Plan routes on a desktop web page — +6 this week, 6 votes in all · by chen",
]


def section(markdown: str, heading: str) -> list[str]:
    """The non-empty lines under ``## heading`` up to the next blank line."""
    lines = markdown.splitlines()
    start = lines.index(f"## {heading}") + 1
    out = []
    for line in lines[start:]:
        if not line.strip():
            break
        out.append(line)
    return out


def test_demo_prints_the_w46_digest_of_the_readme(demo: DemoRun) -> None:
    md = demo.result.stdout
    assert md.startswith(
        "# trailmix: ideas of 2026-W46\n_Mon 09 Nov 2026 – Sun 15 Nov 2026 (UTC)_\n"
    )
    assert section(md, "Top ideas this week") == W46_TOP
    assert section(md, "Merged duplicates") == [
        "- #31 → **#16** Share my live location with hiking buddies (by a moderator)",
        "- #28 → **#2** Offline maps for whole regions (by a moderator)",
    ]
    # Done first, then planned, under review, declined.
    statuses = section(md, "Status changes")
    assert [line.split("**")[1] for line in statuses] == ["#4", "#2", "#29", "#12"]
    assert statuses[0].startswith(
        "- ✅ **#4** Export routes as GPX: in progress → **done** — Shipped in 3.2.1: "
    )
    assert [line.split("**")[1] for line in section(md, "Trending")] == ["#35", "#36", "#37"]
    assert [line.split("**")[1] for line in section(md, "New ideas")] == [
        "#29",
        "#30",
        "#32",
        "#33",
        "#34",
        "#35",
        "#36",
        "#37",
    ]
    # 3 per idea posted + 1 per vote received: alice 19, chen 16, dara 13, gus 10, jo 8.
    assert section(md, "Most active members") == [
        "- alice: 2 ideas posted, 13 votes received",
        "- chen: 1 idea posted, 13 votes received",
        "- dara: 1 idea posted, 10 votes received",
        "- gus: 1 idea posted, 7 votes received",
        "- jo: 1 idea posted, 5 votes received",
    ]
    assert "32 ideas** on the board" in md  # 37 posted, 5 merged
    assert "Replayed 219 events" in demo.result.stderr


def test_demo_asks_the_duplicate_questions_of_the_readme(demo: DemoRun) -> None:
    # examples/README.md, "Duplicate questions": four questions, one of them wrong
    # (garmin-sync #5 offered as gpx-export #4); every real duplicate pair is asked about
    # or merged by the moderator.
    lines = demo.result.stderr.splitlines()
    assert 'Asked "same as #N?" 4 times: #5 → #4, #7 → #5, #17 → #1, #31 → #16' in lines
    assert "Merged on its own 0 times: -" in lines


def test_demo_runs_again_on_its_own_database_and_replaces_it(demo: DemoRun, tmp_path: Path) -> None:
    copy = tmp_path / "again.db"
    shutil.copyfile(demo.db, copy)
    assert not Path(f"{demo.db}-wal").exists() or Path(f"{demo.db}-wal").stat().st_size == 0
    assert len(json.loads(run(["ideas", "--db", str(copy), "--format", "json"]).stdout)) == 37
    # A one-event file (a vote on no idea) needs no model, so the second run is cheap.
    events = tmp_path / "tiny.jsonl"
    events.write_text(
        '{"at": "2026-11-18T10:00:00+00:00", "type": "vote", "key": "none", "user": "zoe"}\n',
        encoding="utf-8",
    )
    result = run(["demo", "--db", str(copy), "--events", str(events)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# trailmix: ideas of 2026-W47\n")
    assert "A quiet week" in result.stdout
    listed = run(["ideas", "--db", str(copy), "--format", "json"])
    assert listed.exit_code == 0, listed.output
    assert json.loads(listed.stdout) == []  # the old board's 37 ideas are gone


def test_demo_refuses_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("my shopping list, not a database\n", encoding="utf-8")
    before = sha(notes)
    result = run(["demo", "--db", str(notes)])
    line = assert_one_line_error(result, str(notes), "not a demo database")
    assert line == f"error: {notes} is not a demo database; give the demo another --db path"
    assert sha(notes) == before


def test_demo_refuses_an_ideabot_database_of_another_board(other_db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "production.db"
    shutil.copyfile(other_db, copy)
    before = sha(copy)
    result = run(["demo", "--db", str(copy)])
    assert_one_line_error(result, str(copy), "not a demo database")
    assert sha(copy) == before
    still = run(["ideas", "--db", str(copy), "--board", "guild-one", "--format", "json"])
    assert [i["number"] for i in json.loads(still.stdout)] == [1, 2]


# -- ideas -----------------------------------------------------------------------------------


def test_ideas_top_json_is_the_all_time_top_five(demo: DemoRun) -> None:
    result = run(["ideas", "--db", str(demo.db), "--top", "5", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list)
    for row in rows:
        assert {"number", "title", "votes", "status", "merged_into", "permalink"} <= row.keys()
        assert type(row["votes"]) is int
        assert row["merged_into"] is None
        assert row["permalink"] is None  # the demo's messages have no links
    # README: dark-mode (with #17) 16, offline-maps (with #28) 13, elevation-profile 11,
    # garmin-sync (with #7) 10, trail-conditions 9.
    assert [(r["number"], r["votes"], r["status"]) for r in rows] == [
        (1, 16, "planned"),
        (2, 13, "planned"),
        (3, 11, "open"),
        (5, 10, "open"),
        (29, 9, "under_review"),
    ]
    assert rows[0]["title"] == "Dark mode for the map screen"


def test_ideas_top_table(demo: DemoRun) -> None:
    result = run(["ideas", "--db", str(demo.db), "--top", "5"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "    #  votes  status        title",
        "    1     16  planned       Dark mode for the map screen",
        "    2     13  planned       Offline maps for whole regions",
        "    3     11  open          Elevation profile under every route",
        "    5     10  open          Sync planned routes to my Garmin watch",
        "   29      9  under_review  Trail condition reports from other hikers",
    ]


def test_ideas_without_top_lists_every_idea_with_merges(demo: DemoRun) -> None:
    result = run(["ideas", "--db", str(demo.db), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["number"] for r in rows] == list(range(1, 38))
    merged = {r["number"]: r["merged_into"] for r in rows if r["merged_into"] is not None}
    assert merged == {7: 5, 17: 1, 19: 8, 28: 2, 31: 16}
    table = run(["ideas", "--db", str(demo.db)]).stdout.splitlines()
    assert "   17      0  → #1          Dark mode please!! my eyes" in table
    assert len(table) == 38


def test_ideas_search_ranks_dark_mode_first(demo: DemoRun) -> None:
    # "night mode": #1 scores 0.62, the sunset idea #23 0.50. ("night theme" puts #23 first,
    # 0.42 against 0.41: the model reads "night" as daylight as much as as a dark theme.)
    result = run(
        ["ideas", "--db", str(demo.db), "--search", "night mode", "--top", "3", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 3
    assert rows[0]["number"] == 1
    assert rows[0]["title"] == "Dark mode for the map screen"
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True)
    assert all(r["merged_into"] is None for r in rows)  # merged duplicates are not searched


def test_ideas_on_a_database_with_two_boards_asks_for_one(other_db: Path) -> None:
    result = run(["ideas", "--db", str(other_db)])
    assert_one_line_error(result, "--board", "guild-one", "acme-team")


# -- digest ----------------------------------------------------------------------------------


def test_digest_markdown_for_a_week(demo: DemoRun) -> None:
    result = run(["digest", "--db", str(demo.db), "--week", "2026-W46"])
    assert result.exit_code == 0, result.output
    # The same document the demo printed.
    assert result.stdout == demo.result.stdout
    assert section(result.stdout, "Top ideas this week") == W46_TOP


def test_digest_json_for_a_week(demo: DemoRun) -> None:
    result = run(["digest", "--db", str(demo.db), "--week", "2026-w46", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["board"] == "trailmix"
    assert data["period"] == {
        "label": "2026-W46",
        "start": "2026-11-09T00:00:00+00:00",
        "end": "2026-11-16T00:00:00+00:00",
    }
    assert [(r["idea"]["number"], r["gained"]) for r in data["top"]] == [
        (2, 10),
        (29, 9),
        (30, 8),
        (16, 7),
        (32, 6),
    ]
    # Each vote weighs 0.5 ** (hours before Mon 11-16 00:00 / 24). strava-sync: votes at
    # 11-14 08:30, 13:20, 21:35, 11-15 08:50, 16:00 -> 2.5923; kid-friendly: 11-14 12:30,
    # 11-15 10:05, 14:40 -> 1.7914; compass-heading: 11-15 12:00, 18:00 -> 1.5480.
    # (README rounds these to "about 2.6, 1.8 and 1.6".)
    assert [r["idea"]["number"] for r in data["trending"]] == [35, 36, 37]
    assert [r["trend"] for r in data["trending"]] == pytest.approx(
        [2.5923, 1.7914, 1.5480], abs=1e-4
    )
    assert [r["gained"] for r in data["trending"]] == [5, 3, 2]
    assert [i["number"] for i in data["new_ideas"]] == [29, 30, 32, 33, 34, 35, 36, 37]
    assert [i["votes"] for i in data["new_ideas"]] == [9, 8, 6, 2, 2, 5, 3, 2]
    assert [(s["idea"]["number"], s["old"], s["new"]) for s in data["status_changes"]] == [
        (4, "in_progress", "done"),
        (2, "open", "planned"),
        (29, "open", "under_review"),
        (12, "open", "declined"),
    ]
    assert [(m["idea"]["number"], m["into"]["number"], m["automatic"]) for m in data["merges"]] == [
        (31, 16, False),
        (28, 2, False),
    ]
    assert [m["at"] for m in data["merges"]] == [
        "2026-11-11T09:15:00+00:00",
        "2026-11-13T16:00:00+00:00",
    ]
    assert [
        (c["person"]["name"], c["ideas"], c["votes_received"]) for c in data["contributors"]
    ] == [("alice", 2, 13), ("chen", 1, 13), ("dara", 1, 10), ("gus", 1, 7), ("jo", 1, 5)]
    assert data["headline"]["open_ideas"] == 32
    assert "board_id" not in data["top"][0]["idea"]


def test_digest_headline_counts_the_new_ideas_it_lists(demo: DemoRun) -> None:
    """README: 8 new ideas in W46, "the merged #28 and #31 are not counted".

    The headline says "10 new ideas" while the New ideas section lists 8: build_digest counts
    every idea posted (merged duplicates included) for the headline, both for this week and
    the week before.
    """
    result = run(["digest", "--db", str(demo.db), "--week", "2026-W46", "--format", "json"])
    data = json.loads(result.stdout)
    assert len(data["new_ideas"]) == 8
    assert data["headline"]["new_ideas"] == 8
    assert "**8 new ideas**" in demo.result.stdout


@pytest.mark.parametrize(
    ("week", "message"),
    [
        ("2026-W99", "error: 2026-W99 is not a week of the ISO calendar."),
        ("banana", "error: 'banana' is not a week: write it like 2026-W46."),
        ("2026-13", "error: '2026-13' is not a week: write it like 2026-W46."),
    ],
)
def test_digest_bad_week_is_one_clear_line(demo: DemoRun, week: str, message: str) -> None:
    result = run(["digest", "--db", str(demo.db), "--week", week])
    assert assert_one_line_error(result) == message
    assert result.stdout == ""


def test_digest_on_a_missing_database_does_not_create_it(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    for command in (["digest"], ["ideas"], ["export", "--format", "csv"]):
        result = run([*command, "--db", str(missing)])
        assert assert_one_line_error(result) == f"error: no database at {missing}"
        assert not missing.exists()
    assert list(tmp_path.iterdir()) == []


def test_digest_unknown_board_lists_the_boards(demo: DemoRun) -> None:
    result = run(["digest", "--db", str(demo.db), "--board", "nope", "--week", "2026-W46"])
    line = assert_one_line_error(result)
    assert line == "error: There is no board named 'nope'. Boards: trailmix."


# -- export ----------------------------------------------------------------------------------


def test_export_csv_has_every_idea_with_merges(demo: DemoRun) -> None:
    result = run(["export", "--db", str(demo.db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == ",".join(EXPORT_FIELDS)
    assert EXPORT_FIELDS[:6] == ["number", "title", "votes", "status", "status_note", "merged_into"]
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 37  # bodies span lines: csv quoting keeps one row per idea
    assert [int(r["number"]) for r in rows] == list(range(1, 38))
    first = rows[0]
    assert (first["title"], first["votes"], first["status"], first["author"]) == (
        "Dark mode for the map screen",
        "16",
        "planned",
        "alice",
    )
    assert {r["number"]: r["merged_into"] for r in rows if r["merged_into"]} == {
        "7": "5",
        "17": "1",
        "19": "8",
        "28": "2",
        "31": "16",
    }
    assert rows[3]["status"] == "done"
    assert rows[3]["status_note"].startswith("Shipped in 3.2.1")


def test_export_json_has_every_idea(demo: DemoRun) -> None:
    result = run(["export", "--db", str(demo.db), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert len(rows) == 37
    assert rows[16]["number"] == 17 and rows[16]["merged_into"] == 1 and rows[16]["votes"] == 0
    assert rows[0]["author"] == {"platform": "demo", "user_id": "alice", "name": "alice"}
    assert rows[0]["created_at"] == "2026-10-26T09:14:00+00:00"


def test_export_csv_escapes_commas_quotes_and_newlines(other_db: Path) -> None:
    result = run(["export", "--db", str(other_db), "--board", "guild-one", "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert '1,"Export to CSV, with ""quotes"" please",1,open,,,alice,' in result.stdout
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 2
    assert rows[0]["title"] == 'Export to CSV, with "quotes" please'
    assert rows[0]["body"] == 'Export to CSV, with "quotes" please\nThe body, with a comma.'
    assert rows[0]["permalink"] == "https://chat.example/m1"
    assert rows[1]["title"] == "Dark mode for the map screen"
    as_json = run(["export", "--db", str(other_db), "--board", "acme-team", "--format", "json"])
    assert [r["title"] for r in json.loads(as_json.stdout)] == ["Offline maps for whole regions"]


def test_export_needs_a_format(demo: DemoRun) -> None:
    result = run(["export", "--db", str(demo.db)])
    assert result.exit_code == 2
    assert "--format" in result.stderr


# -- eval-dedupe -----------------------------------------------------------------------------

# Two near-verbatim duplicates (cosine > 0.9), two paraphrases (about 0.7), four unrelated
# non-duplicates (under 0.2): every ranking metric is perfect; auto_merge catches half.
PAIRS = [
    (
        "Dark mode for the map screen. The white map is blinding on night hikes.",
        "dark mode for the map screen the white map is blinding on night hikes",
        True,
    ),
    ("Export routes as GPX files.", "Add a sleep timer that stops background audio.", False),
    ("Offline maps for whole regions.", "offline maps for whole regions", True),
    (
        "Emergency SOS button that sends my location.",
        "Let me pick a different font for the menus.",
        False,
    ),
    (
        "Sync my planned routes to my Garmin watch.",
        "Send routes from the app straight to a Garmin device.",
        True,
    ),
    ("Elevation profile under every route.", "Filter the store by price and rating.", False),
    ("Show water sources on the map.", "Display water refill points on the map.", True),
    ("Packing checklist per trip.", "Voice prompts for upcoming turns.", False),
]
SCORE_METRICS = [
    "average_precision",
    "roc_auc",
    "best_f1",
    "best_f1_threshold",
    "suggest_threshold",
    "suggest_precision",
    "suggest_recall",
    "suggest_target_precision",
    "suggest_threshold_at_target",
    "suggest_recall_at_target",
    "auto_merge_threshold",
    "auto_merge_precision",
    "auto_merge_recall",
    "auto_merge_target_precision",
    "auto_merge_threshold_at_target",
    "auto_merge_recall_at_target",
]
METRIC_NAMES = [
    "pairs",
    "duplicates",
    "folds",
    *(f"cosine_{name}" for name in SCORE_METRICS),
    *(f"pair_{name}" for name in SCORE_METRICS),
    "recall_at_1",
    "recall_at_3",
]


def write_pairs(path: Path) -> Path:
    path.write_text(
        "".join(json.dumps({"a": a, "b": b, "duplicate": d}) + "\n" for a, b, d in PAIRS),
        encoding="utf-8",
    )
    return path


def test_eval_dedupe_prints_every_metric(tmp_path: Path) -> None:
    result = run(["eval-dedupe", str(write_pairs(tmp_path / "pairs.jsonl"))])
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert lines[0].startswith("note: pair_* figures are cross-validated (4 folds, the mean of 10")
    values = dict(line.split(": ", 1) for line in lines[1:])
    assert list(values) == METRIC_NAMES
    assert (values["pairs"], values["duplicates"], values["folds"]) == ("8", "4", "4")
    for name in (
        "cosine_average_precision",
        "cosine_roc_auc",
        "cosine_best_f1",
        "cosine_suggest_precision",
        "cosine_suggest_recall",
        "cosine_auto_merge_precision",
        "cosine_suggest_recall_at_target",
        "pair_roc_auc",
        "recall_at_1",
        "recall_at_3",
    ):
        assert values[name] == "1.0000", name
    assert values["cosine_auto_merge_recall"] == "0.5000"
    assert values["cosine_suggest_target_precision"] == "0.7500"
    assert values["pair_auto_merge_target_precision"] == "0.9700"
    # The best F1 threshold is the lowest duplicate score, a paraphrase around 0.70.
    assert 0.6 < float(values["cosine_best_f1_threshold"]) < 0.8
    # Pair scores are probabilities.
    assert 0 < float(values["pair_best_f1_threshold"]) <= 1


def test_eval_dedupe_says_when_it_cannot_cross_validate(tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text(
        json.dumps({"a": "Dark mode please", "b": "A dark theme", "duplicate": True}) + "\n",
        encoding="utf-8",
    )
    result = run(["eval-dedupe", str(path)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("note: too few duplicates or non-duplicates")
    assert "pair_roc_auc" not in result.stdout
    assert "folds: 0" in result.stdout


def test_eval_dedupe_names_the_bad_line(tmp_path: Path) -> None:
    path = write_pairs(tmp_path / "pairs.jsonl")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = '{"a": "Offline maps", "b": '
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run(["eval-dedupe", str(path)])
    line = assert_one_line_error(result, f"{path}:3:", "invalid JSON")
    assert result.stdout == ""
    assert line.startswith(f"error: {path}:3: invalid JSON")


def test_eval_dedupe_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.jsonl"
    result = run(["eval-dedupe", str(missing)])
    assert assert_one_line_error(result) == f"error: {missing}: no such file"
    assert not missing.exists()


# -- help ------------------------------------------------------------------------------------


def test_every_command_has_help_with_an_example() -> None:
    assert set(main.commands) == {
        "demo",
        "ideas",
        "digest",
        "export",
        "eval-dedupe",
        "run",
        "import",
        "migrate",
        "copy-db",
        "model",
        "thresholds",
        "serve",
        "boards",
        "channels",
        "config",
        "idea",
        "webhooks",
    }
    admin = [
        f"{group} {sub}"
        for group in ("boards", "channels", "config", "idea", "webhooks")
        for sub in main.commands[group].commands  # type: ignore[attr-defined]
    ]
    for name in [*main.commands, "model export", *admin]:
        result = run([*name.split(), "--help"])
        assert result.exit_code == 0, (name, result.output)
        assert "Example" in result.stdout, name
        assert f"ideabot {name}" in result.stdout, name
    top = run(["--help"])
    assert top.exit_code == 0
    assert all(name in top.stdout for name in main.commands)

"""`ideabot import` end to end: the summary, dry runs, exports with anonymous votes."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from pathlib import Path

from tests.bot.importing.conftest import DISCORD, SLACK, counts, run, table_digest
from tests.fakes.embedder import TestEmbedder


def test_import_prints_a_summary_and_the_zip_is_read_like_the_folder(
    tmp_path: Path, slack_zip: Path, embedder: TestEmbedder
) -> None:
    db = tmp_path / "ideabot.db"
    result = run(
        ["import", str(slack_zip), "--channel", "#feature-requests", "--db", str(db)], embedder
    )
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Imported Slack export into board slack-t0notes01 (new): #feature-requests" in out
    assert "  ideas:           8\n    merged:        1" in out
    assert "    named:         16\n    anonymous:     3" in out
    assert "    thread replies: 2\n" in out
    assert "#4 'Dark mode for the editor please, my eyes hurt at night' merged into #1" in out
    assert "#5 'Could we have a way to export notes to PDF?' may be the same as #2" in out
    assert "      #3      5  Offline sync on mobile" in out
    again = run(["import", str(SLACK), "--channel", "feature-requests", "--db", str(db)], embedder)
    assert again.exit_code == 0 and "already imported: 8" in again.stdout


def test_dry_run_writes_nothing_not_even_a_new_database(
    tmp_path: Path, embedder: TestEmbedder
) -> None:
    db = tmp_path / "ideabot.db"
    result = run(["import", str(DISCORD), "--db", str(db), "--dry-run"], embedder)
    assert result.exit_code == 0, result.output
    assert not db.exists()
    out = result.stdout
    assert out.startswith("Would import DiscordChatExporter export into board trailhead-notes")
    assert "Top new ideas by imported votes:" in out
    assert "       -      5  Sync bookmarks between the desktop and phone apps" in out
    assert out.rstrip().endswith("Dry run: nothing was written.")
    assert run(["import", str(DISCORD), "--db", str(db)], embedder).exit_code == 0
    before = table_digest(db)
    assert run(["import", str(SLACK), "--db", str(db), "--dry-run"], embedder).exit_code == 0
    assert table_digest(db) == before


def test_export_marks_anonymous_votes(tmp_path: Path, embedder: TestEmbedder) -> None:
    db = tmp_path / "ideabot.db"
    assert run(["import", str(DISCORD), "--db", str(db)], embedder).exit_code == 0
    rows = list(
        csv.DictReader(
            io.StringIO(run(["export", "--db", str(db), "--format", "csv"], embedder).stdout)
        )
    )
    assert [(r["number"], r["votes"], r["anonymous_votes"]) for r in rows] == [
        ("1", "5", "5"),
        ("2", "2", "0"),
        ("3", "0", "0"),
        ("4", "4", "1"),
        ("5", "1", "0"),
    ]
    listed = json.loads(run(["export", "--db", str(db), "--format", "json"], embedder).stdout)
    assert [i["anonymous_votes"] for i in listed] == [5, 0, 0, 1, 0]
    # anna, ben, cleo, dev (authors or voters): the six anonymous votes are counts, not people.
    assert counts(db)["members"] == 4
    conn = sqlite3.connect(db)
    stored = conn.execute("SELECT SUM(count) FROM anonymous_votes WHERE removed_at IS NULL")
    assert stored.fetchone()[0] == 6
    conn.close()

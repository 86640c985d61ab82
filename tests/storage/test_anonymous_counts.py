"""Anonymous imported votes are one row with a count: a tiny export cannot blow up the store,
and databases that stored them as one member per vote are converted exactly."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from storage.database import connect
from storage.schema import migrations
from tests.bot.test_cli import CLEAN_ENV
from tests.fakes.embedder import TestEmbedder

AT = "2024-04-01T09:00:00+00:00"


def test_a_tiny_export_claiming_millions_of_votes_stays_tiny(
    tmp_path: Path, embedder: TestEmbedder
) -> None:
    doc = {
        "guild": {"id": "1", "name": "g"},
        "channel": {"id": "2", "name": "ideas", "type": "GuildTextChat"},
        "messages": [
            {
                "id": "3",
                "type": "Default",
                "timestamp": AT,
                "content": "Dark mode please",
                "author": {"id": "4", "name": "a"},
                "reactions": [{"emoji": {"id": None, "name": "👍"}, "count": 2_000_000}],
            }
        ],
    }
    export = tmp_path / "tiny.json"
    export.write_text(json.dumps(doc))
    assert export.stat().st_size < 400
    db = tmp_path / "tiny.db"
    runner = CliRunner(env=CLEAN_ENV)
    result = runner.invoke(
        main, ["import", str(export), "--db", str(db)], obj={"embedder": embedder}
    )
    assert result.exit_code == 0, result.output
    assert "anonymous:     2000000" in result.stdout
    assert db.stat().st_size < 1_000_000  # one row, not two million
    listed = runner.invoke(main, ["ideas", "--db", str(db), "--format", "json"])
    assert json.loads(listed.stdout)[0]["votes"] == 2_000_000


def _old_database(path: Path) -> None:
    """A database as 0007 left it: three anonymous members voting on idea 1, one ended."""
    db = connect(path)
    migrations.apply(db, stop_before="0009_anonymous_vote_counts")
    statements = [
        "INSERT INTO boards (id, name, created_at) VALUES (1, 'b', '2024-01-01')",
        "INSERT INTO members (id, platform, user_id, name) VALUES (1, 'discord', 'u1', 'ann')",
        "INSERT INTO members (id, platform, user_id, name, anonymous) VALUES"
        " (2, 'discord', 'anonymous:c:m:👍:1', 'anonymous (imported)', 1),"
        " (3, 'discord', 'anonymous:c:m:👍:2', 'anonymous (imported)', 1),"
        " (4, 'discord', 'anonymous:c:m:👍:3', 'anonymous (imported)', 1)",
        "INSERT INTO ideas (id, board_id, number, title, body, author_id, platform,"
        " canonical_id, created_at, updated_at) VALUES"
        f" (1, 1, 1, 'Dark mode', 'Dark mode', 1, 'discord', 1, '{AT}', '{AT}')",
        "INSERT INTO messages (id, board_id, idea_id, platform, channel_id, message_id, kind)"
        " VALUES (1, 1, 1, 'discord', 'c', 'm', 'source')",
        "INSERT INTO reactions (board_id, idea_id, message_id, member_id, emoji, added_at,"
        f" removed_at) VALUES (1, 1, 1, 1, '👍', '{AT}', NULL), (1, 1, 1, 2, '👍', '{AT}', NULL),"
        f" (1, 1, 1, 3, '👍', '{AT}', NULL), (1, 1, 1, 4, '👍', '{AT}', '{AT}')",
    ]
    for statement in statements:
        db.execute(statement)
    db.close()


def test_migrate_turns_anonymous_members_into_counts_exactly(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    _old_database(path)
    runner = CliRunner(env=CLEAN_ENV)
    result = runner.invoke(main, ["migrate", "--db", str(path)])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("SELECT COUNT(*) FROM members").fetchone()[0] == 1
        assert conn.execute("SELECT COUNT(*) FROM reactions").fetchone()[0] == 1
        rows = conn.execute(
            "SELECT idea_id, message_id, emoji, count, added_at FROM anonymous_votes"
        )
        assert rows.fetchall() == [(1, 1, "👍", 2, AT)]
    finally:
        conn.close()
    listed = runner.invoke(main, ["ideas", "--db", str(path), "--format", "json"])
    idea = json.loads(listed.stdout)[0]
    assert (idea["votes"], idea["anonymous_votes"]) == (3, 2)  # ann and two anonymous

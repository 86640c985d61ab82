"""A demo events file with a missing or wrong field: one line naming the line, no database."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bot.test_cli import assert_one_line_error, run

AT = '"at": "2026-11-18T10:00:00+00:00"'


@pytest.mark.parametrize(
    ("line", "says"),
    [
        ('{"type": "idea", "key": "a", "author": "zoe", "text": "Dark mode"}', "not a demo event"),
        ("{" + AT + ', "type": "idea", "key": "a", "author": "zoe"}', "needs 'text'"),
        ("{" + AT + ', "type": "vote", "key": "a"}', "needs 'user'"),
        ("{" + AT + ', "type": "idea", "key": "a", "author": 7, "text": "x"}', "needs 'author'"),
        ("{" + AT + ', "type": "status", "key": "a", "by": "m", "status": "done"}', "no idea 'a'"),
        ("{" + AT + ', "type": "launch"}', "unknown demo event type 'launch'"),
        ("[1, 2]", "not a demo event"),
        ('{"at": "2026-11-18T10:00:00", "type": "vote", "key": "a", "user": "b"}', "no offset"),
        ("[" * 100_000, "not a demo event"),
    ],
)
def test_a_bad_demo_event_is_one_line_and_touches_no_database(
    line: str, says: str, tmp_path: Path
) -> None:
    events = tmp_path / "events.jsonl"
    events.write_text(line + "\n", encoding="utf-8")
    db = tmp_path / "demo.db"
    result = run(["demo", "--db", str(db), "--events", str(events)])
    assert_one_line_error(result, f"{events}:1", says)
    assert not db.exists()

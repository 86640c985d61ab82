"""0011_pair_labels: the decisions table, and cosine thresholds dropped from stored settings."""

from __future__ import annotations

import json
from pathlib import Path

from bot.boards import BoardSettings
from dedupe.thresholds import DEFAULT_THRESHOLDS
from storage.database import connect, migrate
from storage.schema import migrations


def test_old_cosine_thresholds_give_way_to_the_new_defaults(tmp_path: Path) -> None:
    db = connect(tmp_path / "old.db")
    migrations.apply(db, stop_before="0011_pair_labels")
    old = {"suggest": 0.45, "auto_merge": 0.9, "timezone": "Europe/Berlin", "extra": {"k": 1}}
    db.execute(
        "INSERT INTO boards (id, name, created_at, settings) VALUES"
        " (1, 'tuned', '2026-01-01', ?), (2, 'broken', '2026-01-01', 'not json')",
        [json.dumps(old)],
    )
    db.conn.commit()
    migrate(db)
    rows = dict(db.execute("SELECT name, settings FROM boards").fetchall())
    kept = json.loads(rows["tuned"])
    assert kept == {"timezone": "Europe/Berlin", "extra": {"k": 1}}
    settings = BoardSettings.from_json(kept)
    assert settings.thresholds == DEFAULT_THRESHOLDS and settings.timezone == "Europe/Berlin"
    assert rows["broken"] == "not json"  # left as it was; reading it falls back to defaults
    assert db["pair_labels"].exists()
    db.close()

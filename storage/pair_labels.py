"""Labelled pairs: the duplicate decisions a board's people made, for its thresholds.

Every function takes a sqlite-utils ``Database`` and runs inside the caller's
transaction (see ``storage.database``); every query names its board.
"""

from __future__ import annotations

import json

from sqlite_utils import Database

from storage.rows import PairLabel


def add_label(
    db: Database,
    board_id: int,
    idea_id: int,
    other_id: int,
    *,
    same: bool,
    source: str,
    features: list[float],
    score: float,
    actor_id: int | None,
    at: str,
) -> None:
    """Keep one decision about the pair (idea, other); a later one about it wins."""
    db.execute(
        "INSERT INTO pair_labels (board_id, idea_id, other_id, same, source, features, score,"
        " actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            board_id,
            idea_id,
            other_id,
            int(same),
            source,
            json.dumps(features),
            score,
            actor_id,
            at,
        ],
    )


def current_labels(db: Database, board_id: int) -> list[PairLabel]:
    """The board's live decisions, the latest one per pair (in either order), oldest first."""
    rows = db.execute(
        "SELECT idea_id, other_id, same, source, features, score FROM pair_labels"
        " WHERE board_id = ? AND retired_at IS NULL ORDER BY id",
        [board_id],
    ).fetchall()
    latest: dict[tuple[int, int], PairLabel] = {}
    for idea_id, other_id, same, source, features, score in rows:
        key = (min(idea_id, other_id), max(idea_id, other_id))
        latest.pop(key, None)  # re-inserted, so the order follows the latest decision
        latest[key] = PairLabel(
            idea_id=idea_id,
            other_id=other_id,
            same=bool(same),
            source=source,
            features=tuple(float(x) for x in json.loads(features)),
            score=float(score),
        )
    return list(latest.values())


def retire_labels(db: Database, board_id: int, at: str) -> int:
    """Retire every live decision of the board (a moderator's reset); how many there were."""
    cursor = db.execute(
        "UPDATE pair_labels SET retired_at = ? WHERE board_id = ? AND retired_at IS NULL",
        [at, board_id],
    )
    return cursor.rowcount

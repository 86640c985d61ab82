"""The store's hot-path reads (storage.vectors, storage.scores.scores_of) give what the
plain reads they replace give, on a real SQLite file."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from sqlite_utils import Database

from storage import boards as board_rows
from storage import ideas as idea_rows
from storage.database import connect, migrate
from storage.scores import score, scores_of
from storage.vectors import SPARE, canonical_vectors

DIM = 4


def _board(tmp_path: Path) -> tuple[Database, int, list[int]]:
    db = connect(tmp_path / "hot.db")
    migrate(db)
    board = board_rows.create_board(db, "hot", "2026-11-30T00:00:00+00:00")
    author = board_rows.ensure_member(db, "discord", "u1", "ann")
    ids = []
    for n in range(6):
        vector = np.full(DIM, n + 1, dtype=np.float32)
        idea_id, _ = idea_rows.insert_idea(
            db,
            board_id=board.id,
            author_id=author,
            title=f"idea {n}",
            body=f"idea {n}",
            platform="discord",
            channel_id="c1",
            message_id=f"m{n}",
            permalink=None,
            embedding=vector.tobytes(),
            created_at="2026-11-30T00:00:00+00:00",
        )
        ids.append(idea_id)
    return db, board.id, ids


def test_canonical_vectors_are_the_live_canonical_ideas(tmp_path: Path) -> None:
    db, board_id, ids = _board(tmp_path)
    idea_rows.merge(db, board_id, ids[1], ids[0], ids[0], 0.9, True, None, "t")
    idea_rows.mark_deleted(db, board_id, ids[2], "t")
    keys, matrix = canonical_vectors(db, board_id, DIM)
    expected = idea_rows.canonical_embeddings(db, board_id)
    assert keys.tolist() == [key for key, _ in expected] == [ids[0], *ids[3:]]
    for row, (_, blob) in enumerate(expected):
        assert matrix[row].tobytes() == blob
    assert matrix.shape[0] >= len(keys) + SPARE - 6  # room for the ideas to come
    later, _ = canonical_vectors(db, board_id, DIM, from_number=5)
    assert later.tolist() == [ids[4], ids[5]]
    db.close()


def test_scores_of_match_score_one_by_one(tmp_path: Path) -> None:
    db, board_id, ids = _board(tmp_path)
    idea_rows.merge(db, board_id, ids[1], ids[0], ids[0], 0.9, True, None, "t")
    voters = [board_rows.ensure_member(db, "discord", f"v{n}", f"v{n}") for n in range(4)]
    message_rows = dict(db.execute("SELECT idea_id, id FROM messages").fetchall())
    facts = [(ids[0], voters[0]), (ids[1], voters[0]), (ids[1], voters[1]), (ids[3], voters[2])]
    for idea_id, member in facts:
        db.execute(
            "INSERT INTO reactions (board_id, idea_id, message_id, member_id, emoji, added_at)"
            " VALUES (?, ?, ?, ?, '👍', 't')",
            [board_id, idea_id, message_rows[idea_id], member],
        )
    db.execute(
        "INSERT INTO anonymous_votes (board_id, idea_id, message_id, emoji, count, added_at)"
        " VALUES (?, ?, ?, '👍', 3, 't')",
        [board_id, ids[3], message_rows[ids[3]]],
    )
    canonical = [ids[0], *ids[2:]]
    votes, anonymous = scores_of(db, board_id, canonical)
    assert votes == {i: score(db, board_id, i) for i in canonical if score(db, board_id, i)}
    assert votes == {ids[0]: 2, ids[3]: 4} and anonymous == {ids[3]: 3}
    assert scores_of(db, board_id, []) == ({}, {})
    db.close()

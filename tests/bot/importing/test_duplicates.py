"""Batch duplicate decisions: the rules of live capture, on hand-made unit vectors."""

from __future__ import annotations

import numpy as np

from bot.importing.duplicates import BLOCK, batch_key, decide_batch
from dedupe.thresholds import Thresholds

RULES = Thresholds(suggest=0.5, auto_merge=0.9)


def unit(*values: float) -> np.ndarray:
    vector = np.array(values, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def at(similarity: float) -> np.ndarray:
    """A vector whose cosine with (1, 0, 0) is ``similarity``."""
    return unit(similarity, float(np.sqrt(1 - similarity**2)), 0.0)


def test_within_the_batch_the_first_idea_stays_and_later_ones_merge_or_ask() -> None:
    vectors = np.stack([unit(1, 0, 0), at(0.95), at(0.7), unit(0, 0, 1)])
    verdicts = decide_batch([], np.zeros((0, 3), np.float32), vectors, RULES, 3)
    assert [v.decision for v in verdicts] == ["new", "merge", "suggest", "new"]
    assert verdicts[1].targets[0][0] == batch_key(0)
    # A merged idea is no candidate: the third is compared with the first only.
    assert [k for k, _ in verdicts[2].targets] == [batch_key(0)]


def test_stored_ideas_are_candidates_and_the_best_wins() -> None:
    stored = np.stack([at(0.6), unit(1, 0, 0)])
    verdicts = decide_batch([10, 20], stored, np.stack([at(0.92)]), RULES, 3)
    assert verdicts[0].decision == "merge"
    assert verdicts[0].targets[0][0] == 20


def test_suggestions_are_the_best_three_at_or_above_suggest() -> None:
    stored = np.stack([at(s) for s in (0.55, 0.8, 0.6, 0.7, 0.4)])
    verdicts = decide_batch([1, 2, 3, 4, 5], stored, np.stack([unit(1, 0, 0)]), RULES, 3)
    assert [k for k, _ in verdicts[0].targets] == [2, 4, 3]


def test_blocks_see_the_canonical_ideas_of_earlier_blocks() -> None:
    rng = np.random.default_rng(7)
    noise = rng.normal(size=(BLOCK + 5, 64)).astype(np.float32)
    noise /= np.linalg.norm(noise, axis=1, keepdims=True)
    vectors = noise.copy()
    vectors[BLOCK + 2] = noise[3]  # a repost, one block later
    verdicts = decide_batch([], np.zeros((0, 64), np.float32), vectors, RULES, 3)
    assert verdicts[BLOCK + 2].decision == "merge"
    assert verdicts[BLOCK + 2].targets[0][0] == batch_key(3)
    assert sum(v.decision == "merge" for v in verdicts) == 1

"""Batch duplicate decisions: the rules of live capture, on hand-made unit vectors."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.importing.duplicates import BLOCK, Verdict, batch_key, decide_batch
from dedupe.thresholds import Thresholds, decide

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


def one_at_a_time(
    keys: list[int], stored: np.ndarray, vectors: np.ndarray, rules: Thresholds, most: int
) -> list[Verdict]:
    """Live capture's rule, idea by idea: every canonical idea so far is a candidate."""
    canon = [(k, stored[n]) for n, k in enumerate(keys)]
    out = []
    for position, vector in enumerate(vectors):
        scores = [(key, float(np.float32(vector @ other))) for key, other in canon]
        hits = sorted((hit for hit in scores if hit[1] >= rules.suggest), key=lambda h: -h[1])
        if not hits:
            verdict = Verdict("new")
        elif decide(hits[0][1], rules) == "merge":
            verdict = Verdict("merge", (hits[0],))
        else:
            verdict = Verdict("suggest", tuple(hits[:most]))
        if verdict.decision != "merge":
            canon.append((batch_key(position), vector))
        out.append(verdict)
    return out


@settings(max_examples=80, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    stored=st.integers(0, 12),
    count=st.integers(1, 40),
    block=st.integers(1, 9),
    most=st.integers(1, 4),
)
def test_blocks_decide_as_live_capture_does_one_idea_at_a_time(
    seed: int, stored: int, count: int, block: int, most: int
) -> None:
    """Clusters of near copies (many hits an idea, and ties) across blocks of any size:
    the same verdicts, targets and order as the rule applied idea by idea.

    The vectors are small multiples of 1/4 or 1/8, so every dot product is exact whatever the
    order of its sums, and equal scores are equal: ties go to the earlier idea.
    """
    rng = np.random.default_rng(seed)
    centres = rng.integers(-3, 4, size=(3, 8))
    picks = rng.integers(0, 3, size=stored + count)
    noise = rng.integers(-1, 2, size=(stored + count, 8)) * (rng.random((stored + count, 8)) < 0.3)
    scale = rng.choice([4, 8])  # mostly merges, or mostly suggestions
    rows = (np.clip(centres[picks] + noise, -3, 3) / scale).astype(np.float32)
    keys = [100 + 3 * n for n in range(stored)]
    batch = decide_batch(keys, rows[:stored], rows[stored:], RULES, most, block_size=block)
    expected = one_at_a_time(keys, rows[:stored], rows[stored:], RULES, most)
    assert batch == expected

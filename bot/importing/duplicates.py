"""Duplicate decisions for a whole batch of new ideas at once, by live capture's rules.

Live capture compares each new idea with the board's canonical ideas, one at a time,
and an idea it does not merge becomes canonical for the ideas after it. Here the
same happens in time order, but the similarities come from one matrix product per
block of ideas (against every canonical idea so far) plus one within the block, so
a history of tens of thousands of ideas costs seconds, not a search per idea.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedupe.thresholds import Decision, Thresholds, decide

BLOCK = 512


@dataclass(frozen=True, slots=True)
class Verdict:
    """What live capture would do with one idea of the batch.

    ``targets`` are (key, score), best first: the idea merged into, or the suggested
    candidates. A key >= 0 is a stored idea's id; a key < 0 is ``-(i + 1)`` for the
    batch's idea ``i``.
    """

    decision: Decision
    targets: tuple[tuple[int, float], ...] = ()


def batch_key(position: int) -> int:
    """The key that stands for the batch's idea at ``position`` before it has an id."""
    return -(position + 1)


def decide_batch(
    keys: list[int],
    matrix: npt.NDArray[np.float32],
    vectors: npt.NDArray[np.float32],
    thresholds: Thresholds,
    max_candidates: int,
) -> list[Verdict]:
    """One verdict per row of ``vectors`` (in time order) against the canonical ``matrix``."""
    count, dim = vectors.shape
    canon = np.empty((len(keys) + count, dim), dtype=np.float32)
    canon[: len(keys)] = matrix.reshape(len(keys), dim)
    canon_keys = np.empty(len(keys) + count, dtype=np.int64)
    canon_keys[: len(keys)] = keys
    size = len(keys)
    verdicts: list[Verdict] = []
    for start in range(0, count, BLOCK):
        block = vectors[start : start + BLOCK]
        scores = block @ canon[:size].T
        rows, cols = np.nonzero(scores >= thresholds.suggest)
        bounds = np.searchsorted(rows, np.arange(len(block) + 1))
        within = block @ block.T
        is_canonical = np.zeros(len(block), dtype=bool)  # stayed canonical, in this block
        close_all = within >= thresholds.suggest
        keep = max_candidates + 2  # live capture searches this many, then filters
        for i in range(len(block)):
            found = cols[bounds[i] : bounds[i + 1]]
            found, values = _best(found, scores[i, found], keep)
            hits = list(zip(canon_keys[found].tolist(), values.tolist(), strict=True))
            close = np.nonzero(close_all[i, :i] & is_canonical[:i])[0]
            if len(close):
                close, values = _best(close, within[i, close], keep)
                hits += [
                    (batch_key(start + j), v)
                    for j, v in zip(close.tolist(), values.tolist(), strict=True)
                ]
            hits.sort(key=lambda hit: -hit[1])
            verdict = _verdict(hits, thresholds, max_candidates)
            is_canonical[i] = verdict.decision != "merge"
            verdicts.append(verdict)
        canonical = np.nonzero(is_canonical)[0]
        added = len(canonical)
        canon[size : size + added] = block[canonical]
        canon_keys[size : size + added] = -(start + canonical + 1)  # batch_key, vectorised
        size += added
    return verdicts


def _best(
    positions: npt.NDArray[np.intp], values: npt.NDArray[np.float32], keep: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    """The ``keep`` highest values (with their positions): a popular topic may match
    hundreds of ideas, and only the best few can be merged into or suggested."""
    if len(values) <= keep:
        return positions, values
    top = np.argpartition(-values, keep - 1)[:keep]
    return positions[top], values[top]


def _verdict(hits: list[tuple[int, float]], thresholds: Thresholds, max_candidates: int) -> Verdict:
    if not hits:
        return Verdict("new")
    if decide(hits[0][1], thresholds) == "merge":
        return Verdict("merge", (hits[0],))
    return Verdict("suggest", tuple(hits[:max_candidates]))

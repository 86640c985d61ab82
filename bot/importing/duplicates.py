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
    *,
    block_size: int = BLOCK,
) -> list[Verdict]:
    """One verdict per row of ``vectors`` (in time order) against the canonical ``matrix``."""
    count, dim = vectors.shape
    canon = np.empty((len(keys) + count, dim), dtype=np.float32)
    canon[: len(keys)] = matrix.reshape(len(keys), dim)
    canon_keys = np.empty(len(keys) + count, dtype=np.int64)
    canon_keys[: len(keys)] = keys
    size = len(keys)
    keep = max_candidates + 2  # live capture searches this many, then filters
    verdicts: list[Verdict] = []
    for start in range(0, count, block_size):
        block = vectors[start : start + block_size]
        # Row i's best canonical ideas: found[at[i]:at[i + 1]], best first.
        at, found, values = _ranked(block @ canon[:size].T, thresholds.suggest, keep)
        found_keys = canon_keys[found].tolist()
        # The block's earlier ideas close to each, best first: canonical or not is only
        # known as the block is decided.
        within = np.tril(block @ block.T, -1)  # each idea against the ones before it
        near_at, near, near_values = _ranked(within, thresholds.suggest, None)
        near_list = near.tolist()
        is_canonical: list[bool] = []  # stayed canonical, in this block
        for i in range(len(block)):
            hits = list(zip(found_keys[at[i] : at[i + 1]], values[at[i] : at[i + 1]], strict=True))
            if near_at[i] != near_at[i + 1]:
                close = [
                    (batch_key(start + j), v)
                    for j, v in zip(
                        near_list[near_at[i] : near_at[i + 1]],
                        near_values[near_at[i] : near_at[i + 1]],
                        strict=True,
                    )
                    if is_canonical[j]
                ][:keep]
                if close:
                    hits = sorted(hits + close, key=lambda hit: -hit[1])
            verdict = _verdict(hits, thresholds, max_candidates)
            is_canonical.append(verdict.decision != "merge")
            verdicts.append(verdict)
        canonical = np.flatnonzero(is_canonical)
        added = len(canonical)
        canon[size : size + added] = block[canonical]
        canon_keys[size : size + added] = -(start + canonical + 1)  # batch_key, vectorised
        size += added
    return verdicts


def _ranked(
    scores: npt.NDArray[np.float32], floor: float, keep: int | None
) -> tuple[list[int], npt.NDArray[np.intp], list[float]]:
    """The scores of at least ``floor`` in each row, best first (ties: lower column
    first), at most ``keep`` a row: (row i's start, for i in 0..rows; columns; scores).

    A popular topic may match hundreds of ideas and only the best few can be merged into
    or suggested. One sort for the whole block, not one per idea; and the flat index of
    a hit is found ten times faster than its (row, column) pair.
    """
    count, width = scores.shape
    flat = np.flatnonzero(scores >= floor)
    rows, cols = np.divmod(flat, max(width, 1))
    values = scores.ravel()[flat]
    # Row first, then the score downwards: 1 - score stays within [0, 2] for a cosine
    # (a hair below 0 when rounding takes one past 1), so rows never mix, and both terms
    # are exact in float64. A stable sort keeps the columns in order on ties.
    order = np.argsort(rows * 4.0 + (1.0 - values.astype(np.float64)), kind="stable")
    rows, cols, values = rows[order], cols[order], values[order]
    at = np.searchsorted(rows, np.arange(count + 1))
    if keep is not None:
        top = np.arange(len(rows)) - at[rows] < keep
        rows, cols, values = rows[top], cols[top], values[top]
        at = np.searchsorted(rows, np.arange(count + 1))
    return at.tolist(), cols, values.tolist()


def _verdict(hits: list[tuple[int, float]], thresholds: Thresholds, max_candidates: int) -> Verdict:
    if not hits:
        return Verdict("new")
    if decide(hits[0][1], thresholds) == "merge":
        return Verdict("merge", (hits[0],))
    return Verdict("suggest", tuple(hits[:max_candidates]))

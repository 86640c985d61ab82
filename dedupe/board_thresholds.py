"""A board's own thresholds, re-fitted on the duplicate decisions its people made.

Each decision is a labelled pair: the pair score the bot gives it, and whether the author
or a moderator said "same idea" (a "Same idea" press, a merge) or "different" (a
"Different idea" press, an unmerge). Once a board has `MIN_DECISIONS` of them with both
kinds, its thresholds are chosen at the same precision targets as the shipped defaults,
on its decisions instead of the devset. Two guards keep a few clicks from making the bot
reckless: the fitted values are pulled toward the base thresholds in proportion to how few
decisions there are, and they never leave `BOUNDS`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from dedupe.thresholds import MERGE_PRECISION, SUGGEST_PRECISION, Thresholds

__all__ = [
    "BOUNDS",
    "MIN_DECISIONS",
    "PRIOR_WEIGHT",
    "BoardThresholds",
    "Bounds",
    "fit_board_thresholds",
]

# Decisions needed (with at least one of each kind) before a board's own figures count.
MIN_DECISIONS = 20
# How many decisions the base thresholds are worth: with n decisions the fitted value
# moves n / (n + PRIOR_WEIGHT) of the way from the base toward what the decisions say.
PRIOR_WEIGHT = 20


@dataclass(frozen=True)
class Bounds:
    """The range each learned threshold stays in, whatever the decisions say."""

    suggest_min: float
    suggest_max: float
    merge_min: float
    merge_max: float


# suggest never drops to where the devset's precision falls under one half; auto-merge never
# drops to where a wrong merge would be more than a rare event on the devset (pair scores).
BOUNDS = Bounds(suggest_min=0.3, suggest_max=0.9, merge_min=0.8, merge_max=0.99)


@dataclass(frozen=True)
class BoardThresholds:
    """The thresholds a board decides with, and what they rest on."""

    thresholds: Thresholds
    base: Thresholds  # what they start from: the defaults, or what a moderator set
    learned: bool  # False: the base thresholds (too few decisions, or one kind only)
    decisions: int
    same: int
    # Of the decisions scoring at or above each threshold, the share that were "same"
    # (NaN when no decision scores that high).
    suggest_precision: float
    merge_precision: float


def _clip(value: float, low: float, high: float) -> float:
    return min(max(value, low), high)


def _precision(scores: Sequence[float], labels: Sequence[bool], threshold: float) -> float:
    flagged = [same for score, same in zip(scores, labels, strict=True) if score >= threshold]
    return sum(flagged) / len(flagged) if flagged else math.nan


def _toward(base: float, fitted: float, n: int) -> float:
    return base + (fitted - base) * n / (n + PRIOR_WEIGHT)


def _lowest_reaching(
    scores: Sequence[float], labels: Sequence[bool], target: float, low: float, high: float
) -> float:
    """The lowest threshold in [low, high] whose decisions at or above it reach `target`
    precision; `high` when none does. Only thresholds inside the bounds are tried, so a run
    of good decisions under the floor cannot vouch for bad ones above it."""
    inside = sorted({s for s in scores if low <= s <= high} | {low, high})
    for threshold in inside:
        precision = _precision(scores, labels, threshold)
        if not math.isnan(precision) and precision >= target:
            return threshold
    return high


def fit_board_thresholds(
    scores: Sequence[float],
    labels: Sequence[bool],
    base: Thresholds,
    bounds: Bounds = BOUNDS,
) -> BoardThresholds:
    """Return the board's thresholds given its decisions (pair score, same?) and its base.

    With fewer than `MIN_DECISIONS`, or only one kind of decision, the base stands.
    Otherwise each threshold is the lowest score within its bounds at which the decisions
    reach its precision target; when none does (a "different" at the very top), it is the
    bound's maximum. The result is pulled toward the base and clipped to `bounds`, and
    auto_merge never falls under suggest.
    """
    if len(scores) != len(labels):
        raise ValueError(f"{len(scores)} scores but {len(labels)} labels")
    if any(not math.isfinite(s) for s in scores):
        raise ValueError("decision scores must be finite numbers")
    same = sum(1 for label in labels if label)
    n = len(labels)
    chosen = base
    learned = n >= MIN_DECISIONS and 0 < same < n
    if learned:
        fitted = [
            _lowest_reaching(
                scores, labels, SUGGEST_PRECISION, bounds.suggest_min, bounds.suggest_max
            ),
            _lowest_reaching(scores, labels, MERGE_PRECISION, bounds.merge_min, bounds.merge_max),
        ]
        suggest = _clip(_toward(base.suggest, fitted[0], n), bounds.suggest_min, bounds.suggest_max)
        merge = _clip(_toward(base.auto_merge, fitted[1], n), bounds.merge_min, bounds.merge_max)
        chosen = Thresholds(suggest=suggest, auto_merge=max(merge, suggest))
    return BoardThresholds(
        thresholds=chosen,
        base=base,
        learned=learned,
        decisions=n,
        same=same,
        suggest_precision=_precision(scores, labels, chosen.suggest),
        merge_precision=_precision(scores, labels, chosen.auto_merge),
    )

"""Thresholds that turn a pair score (a probability) into a dedupe decision."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = [
    "COSINE_THRESHOLDS",
    "DEFAULT_THRESHOLDS",
    "MERGE_PRECISION",
    "SUGGEST_PRECISION",
    "Decision",
    "Thresholds",
    "decide",
]

Decision = Literal["merge", "suggest", "new"]


@dataclass(frozen=True)
class Thresholds:
    """Score cut-offs: ask the user at `suggest`, merge on our own at `auto_merge`."""

    suggest: float
    auto_merge: float

    def __post_init__(self) -> None:
        if not 0.0 < self.suggest <= self.auto_merge <= 1.0:
            raise ValueError(
                "thresholds must satisfy 0 < suggest <= auto_merge <= 1, got "
                f"suggest={self.suggest}, auto_merge={self.auto_merge}"
            )


# The precision each decision is held to: a wrong "same as #12?" is posted in public with
# buttons, so most questions must be right; a wrong automatic merge hides an idea, so
# almost none may be wrong.
SUGGEST_PRECISION = 0.75
MERGE_PRECISION = 0.97

# Pair-score (probability) cut-offs, chosen by `python -m dedupe.fit_pairs` on the devset's
# cross-validated pair scores (10 repeats of 5 folds, pooled):
# - suggest 0.57: the lowest score at which precision reaches 0.75 (0.752 at 0.566), recall
#   0.39. The bare cosine reaches 0.75 at 0.641 with recall 0.41: on these pairs the pair
#   score is no sharper than the cosine, but it is a probability, so boards can learn it.
# - auto_merge 0.95: no devset threshold reaches precision 0.97 (non-duplicates sit among the
#   top scores; the shipped model scores no devset pair above 0.8 and nothing above 0.87),
#   so merging on
#   the score alone is left to boards that learn it from their moderators (dedupe.
#   board_thresholds, never under 0.8). Near-verbatim reposts are merged by their own rule
#   (dedupe.pair_features.is_repost): 97% of the devset texts lower-cased and stripped of
#   punctuation meet it, and no devset pair does.
DEFAULT_THRESHOLDS = Thresholds(suggest=0.57, auto_merge=0.95)

# The bare cosine cut-offs, still used by the bulk import (bot/importing), which decides on
# the embedding alone. Tuned with all-MiniLM-L6-v2 on the devset: suggest 0.5 is the best-F1
# point (precision 0.53, recall 0.70); auto_merge 0.9 catches near-verbatim reposts only.
COSINE_THRESHOLDS = Thresholds(suggest=0.5, auto_merge=0.9)


def decide(score: float, thresholds: Thresholds) -> Decision:
    """Return "merge" at or above auto_merge, "suggest" at or above suggest, else "new"."""
    if score >= thresholds.auto_merge:
        return "merge"
    if score >= thresholds.suggest:
        return "suggest"
    return "new"

"""The pair score measured on labelled pairs: features of a pairs file, cross-validation,
and the operating points that thresholds are chosen at.

The shipped coefficients are fitted on the devset itself, so scoring the devset with them
would flatter the model; `cross_validated` fits on k-1 folds and scores the held-out fold,
which is what `ideabot eval-dedupe` and `python -m dedupe.fit_pairs` report.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from dedupe.embedder import Embedder
from dedupe.evaluate import (
    Pair,
    average_precision,
    best_f1,
    precision_recall_at,
    roc_auc,
)
from dedupe.pair_features import Vocabulary, pair_features, words_of
from dedupe.pair_model import fit_logistic
from dedupe.thresholds import MERGE_PRECISION, SUGGEST_PRECISION, Thresholds

__all__ = [
    "FOLDS",
    "L2",
    "MODEL_FEATURES",
    "REPEATS",
    "OperatingPoint",
    "PairData",
    "cross_validated",
    "mean_metrics",
    "operating_point",
    "pair_data",
    "pair_folds",
    "repeated_scores",
    "score_metrics",
]

# Five folds, repeated over ten shuffles (44 duplicates make one split's figures noisy).
FOLDS = 5
REPEATS = 10
# The features the shipped model uses, and its penalty: chosen by `python -m dedupe.fit_pairs`
# (which prints every candidate set) as the only set whose cross-validated scores still reach
# the suggest precision target on the devset at a useful recall. Word and character overlap
# and the length ratio raise ROC AUC a little but put more hard negatives (same product, same
# words, another request) at the top; they are computed and kept with every decision, so a
# later fit on boards' own decisions can use them.
MODEL_FEATURES = (True, True, False, False, False)
L2 = 10.0


@dataclass(frozen=True)
class PairData:
    """The features (one row per pair), labels and bare cosines of a pairs file."""

    features: npt.NDArray[np.float64]
    labels: npt.NDArray[np.bool_]
    cosines: npt.NDArray[np.float64]


async def pair_data(pairs: Sequence[Pair], embedder: Embedder) -> PairData:
    """Return the pair features of `pairs`, TF-IDF fitted on their distinct texts (the
    "board" of a pairs file), each distinct text embedded once."""
    if not pairs:
        raise ValueError("no pairs to evaluate")
    texts = list(dict.fromkeys(t for p in pairs for t in (p.a, p.b)))
    row = {text: i for i, text in enumerate(texts)}
    vectors = await embedder.embed(texts)
    words = [words_of(t) for t in texts]
    vocabulary = Vocabulary()
    for item in words:
        vocabulary.add(item)
    rows = []
    cosines = []
    for pair in pairs:
        a, b = row[pair.a], row[pair.b]
        cosine = float(np.dot(vectors[a], vectors[b]))
        cosines.append(cosine)
        rows.append(pair_features(cosine, words[a], words[b], vocabulary))
    return PairData(
        features=np.asarray(rows, dtype=np.float64),
        labels=np.fromiter((p.duplicate for p in pairs), dtype=bool, count=len(pairs)),
        cosines=np.asarray(cosines, dtype=np.float64),
    )


def _folds(labels: npt.NDArray[np.bool_], folds: int, seed: int) -> npt.NDArray[np.int64]:
    """Return a fold number per pair, duplicates and non-duplicates spread evenly."""
    rng = np.random.default_rng(seed)
    fold = np.empty(labels.size, dtype=np.int64)
    for value in (True, False):
        members = np.flatnonzero(labels == value)
        rng.shuffle(members)
        fold[members] = np.arange(members.size) % folds
    return fold


def cross_validated(
    data: PairData,
    *,
    folds: int = FOLDS,
    l2: float = L2,
    use: Sequence[bool] = MODEL_FEATURES,
    seed: int = 0,
) -> npt.NDArray[np.float64]:
    """Return each pair's probability from a model fitted on the other folds only."""
    if folds < 2:
        raise ValueError(f"cross-validation needs at least 2 folds, got {folds}")
    fold = _folds(data.labels, folds, seed)
    out = np.empty(data.labels.size, dtype=np.float64)
    for k in range(folds):
        held = fold == k
        model = fit_logistic(data.features[~held], data.labels[~held], l2=l2, use=use)
        out[held] = model.probabilities(data.features[held])
    return out


@dataclass(frozen=True)
class OperatingPoint:
    """A threshold and what it gives on labelled scores (NaN threshold: none reaches it)."""

    threshold: float
    precision: float
    recall: float
    flagged: int


def operating_point(
    scores: npt.ArrayLike, labels: npt.ArrayLike, target_precision: float
) -> OperatingPoint:
    """Return the lowest threshold (so the highest recall) at which precision is at least
    `target_precision`; NaN threshold and zero recall when no threshold reaches it."""
    s = np.asarray(scores, dtype=np.float64).ravel()
    y = np.asarray(labels, dtype=bool).ravel()
    if s.shape != y.shape:
        raise ValueError(f"scores and labels differ in length: {s.size} vs {y.size}")
    order = np.argsort(-s, kind="stable")
    sorted_s = s[order]
    tp = np.cumsum(y[order])
    # The last position of each run of equal scores closes one threshold.
    ends = np.flatnonzero(np.diff(sorted_s, append=-np.inf) != 0)
    precision = tp[ends] / (ends + 1)
    good = np.flatnonzero(precision >= target_precision)
    if good.size == 0:
        return OperatingPoint(math.nan, 0.0, 0.0, 0)
    last = int(good[-1])
    end = ends[last]
    positives = int(y.sum())
    return OperatingPoint(
        threshold=float(sorted_s[end]),
        precision=float(precision[last]),
        recall=float(tp[end] / positives) if positives else math.nan,
        flagged=int(end + 1),
    )


def score_metrics(
    scores: npt.ArrayLike, labels: npt.ArrayLike, thresholds: Thresholds, prefix: str
) -> dict[str, float | int]:
    """Return the ranking figures of `scores`, the operating points at the precision
    targets, and what `thresholds` give; every name starts with `prefix`."""
    f1, f1_threshold = best_f1(scores, labels)
    out: dict[str, float | int] = {
        f"{prefix}average_precision": average_precision(scores, labels),
        f"{prefix}roc_auc": roc_auc(scores, labels),
        f"{prefix}best_f1": f1,
        f"{prefix}best_f1_threshold": f1_threshold,
    }
    for name, target, threshold in (
        ("suggest", SUGGEST_PRECISION, thresholds.suggest),
        ("auto_merge", MERGE_PRECISION, thresholds.auto_merge),
    ):
        precision, recall = precision_recall_at(scores, labels, threshold)
        point = operating_point(scores, labels, target)
        out[f"{prefix}{name}_threshold"] = threshold
        out[f"{prefix}{name}_precision"] = precision
        out[f"{prefix}{name}_recall"] = recall
        out[f"{prefix}{name}_target_precision"] = target
        out[f"{prefix}{name}_threshold_at_target"] = point.threshold
        out[f"{prefix}{name}_recall_at_target"] = point.recall
    return out


def pair_folds(labels: npt.NDArray[np.bool_]) -> int:
    """Return how many folds the labels allow (at most FOLDS; each fold needs a duplicate
    and a non-duplicate to hold out): 0 when cross-validation is impossible."""
    positives = int(labels.sum())
    folds = min(FOLDS, positives, labels.size - positives)
    return folds if folds >= 2 else 0


def repeated_scores(
    data: PairData, *, folds: int = FOLDS, repeats: int = REPEATS, **fit: Any
) -> list[npt.NDArray[np.float64]]:
    """Return the cross-validated probabilities of `repeats` different fold splits."""
    return [cross_validated(data, folds=folds, seed=seed, **fit) for seed in range(repeats)]


def mean_metrics(
    runs: Sequence[npt.NDArray[np.float64]],
    labels: npt.NDArray[np.bool_],
    thresholds: Thresholds,
    prefix: str,
) -> dict[str, float | int]:
    """Return `score_metrics` averaged over several runs of cross-validated scores."""
    each = [score_metrics(scores, labels, thresholds, prefix) for scores in runs]
    out: dict[str, float | int] = {}
    for name in each[0]:
        values = np.array([m[name] for m in each], dtype=np.float64)
        finite = values[np.isfinite(values)]
        out[name] = float(finite.mean()) if finite.size else math.nan
    return out

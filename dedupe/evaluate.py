"""Offline evaluation of duplicate detection on labelled text pairs (JSON lines).

Metric functions are plain numpy (no scikit-learn). Convention for undefined values: metrics
that need at least one duplicate (or one of each class) return NaN when the data lack it;
precision when nothing is predicted positive is 0.0 (see `precision_recall_at`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from dedupe.embedder import Embedder
from dedupe.thresholds import Thresholds

__all__ = [
    "Pair",
    "PairsFileError",
    "average_precision",
    "best_f1",
    "evaluate_pairs",
    "format_metrics",
    "load_pairs",
    "precision_recall_at",
    "recall_at_k",
    "roc_auc",
    "target_ranks",
]

# Queries scored per block in `target_ranks`, bounding memory to block x pool floats.
_RANK_BLOCK = 1024


@dataclass(frozen=True)
class Pair:
    """One labelled pair of idea texts."""

    a: str
    b: str
    duplicate: bool
    source: str | None = None


class PairsFileError(ValueError):
    """Raised when a pairs file is missing or malformed; the message names file and line."""


def load_pairs(path: Path) -> list[Pair]:
    """Return the pairs of a JSON-lines file of `{"a", "b", "duplicate", "source"?}` objects.

    Blank lines are skipped. Raises `PairsFileError` naming the file (and line) on any problem.
    """
    if Path(path).exists() and not Path(path).is_file():
        raise PairsFileError(f"{path}: not a file (a folder or a device?)")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PairsFileError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PairsFileError(f"{path}: cannot read: {exc}") from None
    pairs: list[Pair] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        pairs.append(_parse_pair(line, f"{path}:{lineno}"))
    if not pairs:
        raise PairsFileError(f"{path}: no pairs found (the file is empty)")
    return pairs


def _parse_pair(line: str, where: str) -> Pair:
    try:
        record: Any = json.loads(line)
    except json.JSONDecodeError as exc:
        raise PairsFileError(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(record, dict):
        raise PairsFileError(f"{where}: expected a JSON object, got {type(record).__name__}")
    for field in ("a", "b"):
        value = record.get(field)
        if not isinstance(value, str) or not value.strip():
            raise PairsFileError(f"{where}: field {field!r} must be a non-empty string")
    duplicate = record.get("duplicate")
    if not isinstance(duplicate, bool):
        raise PairsFileError(f"{where}: field 'duplicate' must be true or false")
    source = record.get("source")
    if source is not None and not isinstance(source, str):
        raise PairsFileError(f"{where}: field 'source' must be a string or null")
    return Pair(a=record["a"], b=record["b"], duplicate=duplicate, source=source)


# -- metrics on arrays ---------------------------------------------------------------------


def _as_arrays(
    scores: npt.ArrayLike, labels: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]]:
    score_array = np.asarray(scores, dtype=np.float64).ravel()
    label_array = np.asarray(labels).ravel()
    if score_array.shape != label_array.shape:
        raise ValueError(
            f"scores and labels differ in length: {score_array.size} vs {label_array.size}"
        )
    if np.isnan(score_array).any():
        raise ValueError("scores contain NaN")
    return score_array, label_array.astype(bool)


def _threshold_counts(
    scores: npt.NDArray[np.float64], labels: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return (thresholds descending, true positives, predicted positives) at each threshold.

    Predicting "duplicate" for score >= threshold; tied scores form one threshold so that
    results do not depend on the order of tied items.
    """
    order = np.argsort(-scores, kind="stable")
    sorted_scores = scores[order]
    true_pos = np.cumsum(labels[order], dtype=np.int64)
    # The last position of each run of equal scores closes one threshold.
    ends = np.flatnonzero(np.diff(sorted_scores, append=-np.inf) != 0)
    return sorted_scores[ends], true_pos[ends], ends.astype(np.int64) + 1


def average_precision(scores: npt.ArrayLike, labels: npt.ArrayLike) -> float:
    """Return average precision: sum over thresholds of (recall gain) x precision.

    Same definition as scikit-learn's `average_precision_score` (step-wise, no
    interpolation; tied scores count as one threshold). NaN if there are no duplicates.
    """
    score_array, label_array = _as_arrays(scores, labels)
    positives = int(label_array.sum())
    if positives == 0:
        return math.nan
    _, true_pos, predicted = _threshold_counts(score_array, label_array)
    precision = true_pos / predicted
    recall_gain = np.diff(true_pos, prepend=0) / positives
    return float(np.sum(recall_gain * precision))


def _average_ranks(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Return 1-based ranks of `values`, tied values sharing the mean of their ranks."""
    _, inverse, counts = np.unique(values, return_inverse=True, return_counts=True)
    first_rank = np.cumsum(counts) - counts + 1  # rank of the first member of each group
    mean_rank = first_rank + (counts - 1) / 2.0
    return np.asarray(mean_rank[inverse.ravel()], dtype=np.float64)


def roc_auc(scores: npt.ArrayLike, labels: npt.ArrayLike) -> float:
    """Return ROC AUC: the chance a random duplicate outscores a random non-duplicate.

    Computed as the Mann-Whitney U statistic with average ranks, so a tie counts one half.
    NaN unless both classes are present.
    """
    score_array, label_array = _as_arrays(scores, labels)
    positives = int(label_array.sum())
    negatives = label_array.size - positives
    if positives == 0 or negatives == 0:
        return math.nan
    ranks = _average_ranks(score_array)
    rank_sum = float(ranks[label_array].sum())
    return (rank_sum - positives * (positives + 1) / 2.0) / (positives * negatives)


def best_f1(scores: npt.ArrayLike, labels: npt.ArrayLike) -> tuple[float, float]:
    """Return (best F1, threshold reaching it) over thresholds equal to the observed scores.

    Predicts "duplicate" for score >= threshold. Among equal F1 values the highest threshold
    (the most conservative) wins. (0.0, NaN) if there are no duplicates.
    """
    score_array, label_array = _as_arrays(scores, labels)
    positives = int(label_array.sum())
    if positives == 0:
        return 0.0, math.nan
    thresholds, true_pos, predicted = _threshold_counts(score_array, label_array)
    f1 = 2.0 * true_pos / (predicted + positives)  # == 2PR/(P+R), without dividing by zero
    best = int(np.argmax(f1))  # first maximum = highest threshold, thresholds descend
    return float(f1[best]), float(thresholds[best])


def precision_recall_at(
    scores: npt.ArrayLike, labels: npt.ArrayLike, threshold: float
) -> tuple[float, float]:
    """Return (precision, recall) when predicting "duplicate" for score >= threshold.

    If nothing scores >= threshold, precision is reported as 0.0, not 1.0: a threshold that
    flags nothing should not look perfect in a report. Recall is NaN if there are no duplicates.
    """
    score_array, label_array = _as_arrays(scores, labels)
    predicted = score_array >= threshold
    true_pos = int(np.sum(predicted & label_array))
    predicted_count = int(predicted.sum())
    positives = int(label_array.sum())
    precision = true_pos / predicted_count if predicted_count else 0.0
    recall = true_pos / positives if positives else math.nan
    return precision, recall


def target_ranks(
    embeddings: npt.ArrayLike, queries: Sequence[tuple[int, int]]
) -> npt.NDArray[np.int64]:
    """Return, per (query row, target row), how many pool rows outscore the target.

    `embeddings` is the pool (one normalised row per distinct text); the query's own row is
    never counted. Rank 0 means the target is the query's nearest neighbour. Ties go in the
    target's favour (only strictly higher scores count).
    """
    pool = np.asarray(embeddings, dtype=np.float32)
    if pool.ndim != 2:
        raise ValueError(f"embeddings must be 2-dimensional, got shape {pool.shape}")
    query_array = np.asarray(queries, dtype=np.int64).reshape(-1, 2)
    if (query_array[:, 0] == query_array[:, 1]).any():
        raise ValueError("a query cannot target its own row")
    ranks = np.empty(len(query_array), dtype=np.int64)
    for start in range(0, len(query_array), _RANK_BLOCK):
        block = query_array[start : start + _RANK_BLOCK]
        rows = np.arange(len(block))
        similarity = pool[block[:, 0]] @ pool.T
        similarity[rows, block[:, 0]] = -np.inf  # the query text itself is not a candidate
        target_scores = similarity[rows, block[:, 1]]
        ranks[start : start + len(block)] = np.sum(similarity > target_scores[:, None], axis=1)
    return ranks


def recall_at_k(embeddings: npt.ArrayLike, queries: Sequence[tuple[int, int]], k: int) -> float:
    """Return the share of queries whose target is among the query's k nearest pool rows.

    See `target_ranks` for the pool and tie conventions. NaN if there are no queries.
    """
    if k < 1:
        raise ValueError(f"k must be >= 1, got {k}")
    ranks = target_ranks(embeddings, queries)
    if ranks.size == 0:
        return math.nan
    return float(np.mean(ranks < k))


# -- end to end ----------------------------------------------------------------------------


async def evaluate_pairs(
    pairs: Sequence[Pair], embedder: Embedder, thresholds: Thresholds
) -> dict[str, float | int]:
    """Return the dedupe metrics for `pairs`, embedding each distinct text once.

    recall@k: every distinct text of the pairs forms one pool; each duplicate pair gives two
    queries (a→b and b→a), a hit when the other text is among the k most similar pool texts
    other than the query itself. Duplicate pairs of two identical texts give no query.
    """
    if not pairs:
        raise ValueError("no pairs to evaluate")
    row_of: dict[str, int] = {}
    for pair in pairs:
        row_of.setdefault(pair.a, len(row_of))
        row_of.setdefault(pair.b, len(row_of))
    vectors = await embedder.embed(list(row_of))
    a_rows = np.fromiter((row_of[p.a] for p in pairs), dtype=np.int64, count=len(pairs))
    b_rows = np.fromiter((row_of[p.b] for p in pairs), dtype=np.int64, count=len(pairs))
    # Row-wise dot products: cosine similarity, since embedder rows are unit length.
    scores = np.einsum("ij,ij->i", vectors[a_rows], vectors[b_rows]).astype(np.float64)
    labels = np.fromiter((p.duplicate for p in pairs), dtype=bool, count=len(pairs))

    queries: list[tuple[int, int]] = []
    for a_row, b_row, duplicate in zip(a_rows, b_rows, labels, strict=True):
        if duplicate and a_row != b_row:
            queries += [(int(a_row), int(b_row)), (int(b_row), int(a_row))]
    ranks = target_ranks(vectors, queries)

    f1, f1_threshold = best_f1(scores, labels)
    suggest_p, suggest_r = precision_recall_at(scores, labels, thresholds.suggest)
    merge_p, merge_r = precision_recall_at(scores, labels, thresholds.auto_merge)
    return {
        "pairs": len(pairs),
        "duplicates": int(labels.sum()),
        "average_precision": average_precision(scores, labels),
        "roc_auc": roc_auc(scores, labels),
        "best_f1": f1,
        "best_f1_threshold": f1_threshold,
        "suggest_threshold": thresholds.suggest,
        "suggest_precision": suggest_p,
        "suggest_recall": suggest_r,
        "auto_merge_threshold": thresholds.auto_merge,
        "auto_merge_precision": merge_p,
        "auto_merge_recall": merge_r,
        "recall_at_1": float(np.mean(ranks < 1)) if ranks.size else math.nan,
        "recall_at_3": float(np.mean(ranks < 3)) if ranks.size else math.nan,
    }


def format_metrics(metrics: Mapping[str, float | int]) -> str:
    """Return one `name: value` line per metric, floats with 4 decimals, in dict order."""
    lines = []
    for name, value in metrics.items():
        text = str(value) if isinstance(value, int) else f"{value:.4f}"
        lines.append(f"{name}: {text}")
    return "\n".join(lines)

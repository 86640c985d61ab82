"""Fit the pair model and its default thresholds on a labelled pairs file; print them.

    python -m dedupe.fit_pairs [PAIRS.jsonl]

Prints, for a few candidate feature sets and penalties, the cross-validated figures (each
pair scored by a model that never saw it, over REPEATS fold splits): average precision,
ROC AUC, best F1 and the recall at the suggest precision target. Then, for the shipped set
(pair_eval.MODEL_FEATURES, L2), the thresholds chosen on those honest scores and the
coefficients fitted on every pair: the numbers to paste into dedupe/pair_model.py
(DEFAULT_MODEL) and dedupe/thresholds.py (DEFAULT_THRESHOLDS).
"""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path

import numpy as np

from dedupe.embedder import build_embedder
from dedupe.evaluate import Pair, PairsFileError, load_pairs
from dedupe.pair_eval import (
    L2,
    MODEL_FEATURES,
    REPEATS,
    mean_metrics,
    operating_point,
    pair_data,
    repeated_scores,
    score_metrics,
)
from dedupe.pair_features import FEATURE_NAMES, REPOST_CHARS, REPOST_COSINE
from dedupe.pair_model import fit_logistic
from dedupe.thresholds import (
    COSINE_THRESHOLDS,
    DEFAULT_THRESHOLDS,
    MERGE_PRECISION,
    SUGGEST_PRECISION,
)

DEVSET = Path(__file__).resolve().parents[2] / "shared" / "data" / "dedupe-devset.jsonl"
CANDIDATES = (
    (True, False, False, False, False),
    (True, True, False, False, False),
    (True, False, True, False, False),
    (True, False, False, True, False),
    (True, False, False, False, True),
    (True, True, True, True, True),
)
PENALTIES = (1.0, 10.0, 100.0)


def _reposts(pairs: list[Pair]) -> list[Pair]:
    # A near-verbatim repost of each devset text: lower-cased, punctuation stripped.
    texts = list(dict.fromkeys(t for p in pairs for t in (p.a, p.b)))
    return [Pair(a=t, b=" ".join(re.findall(r"\w+", t.lower())), duplicate=True) for t in texts]


def _line(name: str, metrics: dict[str, float | int], prefix: str) -> str:
    return (
        f"{name}: AP {metrics[prefix + 'average_precision']:.4f}"
        f" AUC {metrics[prefix + 'roc_auc']:.4f} best F1 {metrics[prefix + 'best_f1']:.4f}"
        f" recall at precision {SUGGEST_PRECISION}:"
        f" {metrics[prefix + 'suggest_recall_at_target']:.4f}"
    )


def main(argv: list[str]) -> int:
    path = Path(argv[0]) if argv else DEVSET
    try:
        pairs = load_pairs(path)
    except PairsFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    embedder = build_embedder()
    data = asyncio.run(pair_data(pairs, embedder))
    labels = data.labels
    print(f"pairs: {labels.size}, duplicates: {int(labels.sum())}, repeats: {REPEATS}")
    cosine = score_metrics(data.cosines, labels, COSINE_THRESHOLDS, "")
    print(_line("bare cosine (no fitting)", cosine, ""))
    for use in CANDIDATES:
        names = "+".join(n for n, on in zip(FEATURE_NAMES, use, strict=True) if on)
        for l2 in PENALTIES:
            runs = repeated_scores(data, l2=l2, use=use)
            print(
                _line(f"{names} l2={l2:g}", mean_metrics(runs, labels, DEFAULT_THRESHOLDS, ""), "")
            )
    runs = repeated_scores(data, l2=L2, use=MODEL_FEATURES)
    pooled = np.concatenate(runs)
    pooled_labels = np.tile(labels, len(runs))
    print(f"shipped set, thresholds on the {len(runs)} cross-validated runs pooled:")
    for name, target in (("suggest", SUGGEST_PRECISION), ("auto_merge", MERGE_PRECISION)):
        point = operating_point(pooled, pooled_labels, target)
        print(
            f"  {name} at precision >= {target}: threshold {point.threshold:.4f}"
            f" precision {point.precision:.4f} recall {point.recall:.4f}"
        )
    model = fit_logistic(data.features, labels, l2=L2, use=MODEL_FEATURES)
    reposts = asyncio.run(pair_data(_reposts(pairs), embedder))
    caught = model.probabilities(reposts.features) >= DEFAULT_THRESHOLDS.auto_merge
    print(
        f"near-verbatim reposts (lower-cased, no punctuation) at or above auto_merge"
        f" {DEFAULT_THRESHOLDS.auto_merge}: {caught.mean():.4f} of {caught.size}"
        " (with the model fitted on every pair)"
    )
    rule = (reposts.cosines >= REPOST_COSINE) & (reposts.features[:, 3] >= REPOST_CHARS)
    devset_rule = (data.cosines >= REPOST_COSINE) & (data.features[:, 3] >= REPOST_CHARS)
    print(
        f"the repost rule merges {rule.mean():.4f} of those reposts"
        f" and {int(devset_rule.sum())} devset pairs"
    )
    print("fitted on every pair (paste into dedupe/pair_model.py):")
    weights = ", ".join(f"{w:.4f}" for w in model.weights)
    print(f"DEFAULT_MODEL = PairModel(intercept={model.intercept:.4f}, weights=({weights}))")
    print("  # " + ", ".join(FEATURE_NAMES))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

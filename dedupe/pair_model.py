"""The pair score: a small logistic model over the cosine and the lexical features of a pair.

Its output is a probability that the two texts ask for the same thing, so one threshold
means the same on every board. The shipped coefficients (`DEFAULT_MODEL`) were fitted on
the devset by `python -m dedupe.fit_pairs`, which prints them; fitting is plain numpy
(Newton's method with an L2 penalty), no scikit-learn.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from dedupe.pair_features import FEATURE_NAMES

__all__ = ["DEFAULT_MODEL", "PairModel", "fit_logistic"]


@dataclass(frozen=True)
class PairModel:
    """P(duplicate) = sigmoid(intercept + weights . features), features as `FEATURE_NAMES`."""

    intercept: float
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURE_NAMES):
            raise ValueError(
                f"a pair model needs {len(FEATURE_NAMES)} weights, got {len(self.weights)}"
            )

    def probability(self, features: Sequence[float]) -> float:
        """Return P(duplicate) for one pair's features."""
        z = self.intercept + sum(w * x for w, x in zip(self.weights, features, strict=True))
        # Written so that neither branch overflows for a large |z|.
        if z >= 0:
            return 1.0 / (1.0 + math.exp(-z))
        e = math.exp(z)
        return e / (1.0 + e)

    def probabilities(self, features: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Return P(duplicate) for each row of a (pairs x features) matrix."""
        matrix = np.asarray(features, dtype=np.float64).reshape(-1, len(self.weights))
        z = self.intercept + matrix @ np.asarray(self.weights, dtype=np.float64)
        return np.asarray(0.5 * (1.0 + np.tanh(0.5 * z)), dtype=np.float64)


def fit_logistic(
    features: npt.ArrayLike,
    labels: npt.ArrayLike,
    *,
    l2: float = 1.0,
    use: Sequence[bool] | None = None,
    iterations: int = 50,
) -> PairModel:
    """Return the L2-penalised logistic regression of `labels` on `features`.

    Features are standardised for the fit (so one penalty suits all of them) and the
    coefficients are turned back to raw units, so the model needs no scaler at run time.
    The intercept and the first feature (the cosine, the model's backbone: the lexical
    features are corrections to it) are not (or barely) penalised. A feature whose `use`
    flag is False gets weight 0.
    """
    all_columns = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64).ravel()
    if all_columns.ndim != 2 or all_columns.shape[0] != y.size:
        raise ValueError(f"features {all_columns.shape} and labels ({y.size},) do not match")
    mask = np.ones(all_columns.shape[1], dtype=bool) if use is None else np.asarray(use, bool)
    if mask.shape != (all_columns.shape[1],) or not mask.any():
        raise ValueError("use needs one flag per feature, at least one of them true")
    x = all_columns[:, mask]
    if y.min() == y.max():
        raise ValueError("fitting needs both duplicates and non-duplicates")
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([np.ones((x.shape[0], 1)), (x - mean) / scale])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[0] = 0.0
    if mask[0]:
        # Barely penalised: enough to keep the fit finite on separable pairs.
        penalty[1] = 1e-3
    for _ in range(iterations):
        p = 0.5 * (1.0 + np.tanh(0.5 * (z @ beta)))
        gradient = z.T @ (p - y) + penalty * beta
        hessian = (z.T * (p * (1.0 - p))) @ z + np.diag(penalty) + 1e-9 * np.eye(z.shape[1])
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.max(np.abs(step))) < 1e-10:
            break
    used = beta[1:] / scale
    intercept = float(beta[0] - np.sum(used * mean))
    weights = np.zeros(mask.size)
    weights[mask] = used
    return PairModel(intercept=intercept, weights=tuple(float(w) for w in weights))


# Fitted by `python -m dedupe.fit_pairs` on /work/shared/data/dedupe-devset.jsonl (156 pairs,
# 44 duplicates), all-MiniLM-L6-v2 on ONNX, TF-IDF fitted on the devset's own texts; the
# features pair_eval.MODEL_FEATURES leaves out have weight 0. TF-IDF's weight is negative: at
# equal cosine, a pair sharing more of the board's rare words is more often a hard negative
# (same product, same words, another request).
DEFAULT_MODEL = PairModel(intercept=-4.1419, weights=(7.2368, -1.2006, 0.0, 0.0, 0.0))

"""The digest's sums per idea and per author, in numpy.

A busy week on a large board has votes on tens of thousands of ideas: adding them up
per canonical idea and per author, and picking the few that rank, one Python step per
row cost the digest a third of its time at 1M reaction facts. Here each is a handful of
array operations; the results are the same numbers, in plain dicts and lists.
"""

from __future__ import annotations

import heapq
from itertools import chain

import numpy as np
import numpy.typing as npt

from storage.rows import PeriodVotes

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# A trend is ranked by its value rounded to this many decimals (see ``top_trends``).
TREND_DECIMALS = 6


def _ints(values: list[int]) -> IntArray:
    return np.fromiter(values, dtype=np.int64, count=len(values))


def canonical(ids: IntArray, merged: dict[int, int]) -> IntArray:
    """Each id, or the idea it was merged into."""
    if not merged or ids.size == 0:
        return ids
    keys = _ints(list(merged))
    into = _ints(list(merged.values()))
    order = np.argsort(keys)
    keys, into = keys[order], into[order]
    at = np.searchsorted(keys, ids).clip(max=len(keys) - 1)
    return np.where(keys[at] == ids, into[at], ids)


def _sum_by(keys: IntArray, values: FloatArray) -> tuple[IntArray, FloatArray]:
    """The distinct keys, ascending, and each one's values added up in the given order."""
    unique, inverse = np.unique(keys, return_inverse=True)
    sums = np.asarray(np.bincount(inverse, weights=values, minlength=len(unique)), np.float64)
    return unique, sums


def _gains(votes: PeriodVotes) -> IntArray:
    """``votes.gains`` as an array of (idea_id, author_id, votes) rows."""
    flat = np.fromiter(chain.from_iterable(votes.gains), dtype=np.int64, count=3 * len(votes.gains))
    return flat.reshape(-1, 3)


def gained_and_received(
    votes: PeriodVotes, losses: dict[int, int], merged: dict[int, int]
) -> tuple[dict[int, int], dict[int, int]]:
    """Canonical idea -> votes gained in the period (range counts; see ``PeriodVotes``),
    and author member id -> votes their ideas gained from others."""
    rows = _gains(votes)
    return _gained(rows, losses, merged), _received(rows, votes.own)


def _gained(rows: IntArray, losses: dict[int, int], merged: dict[int, int]) -> dict[int, int]:
    if not len(rows) and not losses:
        return {}
    ids = np.concatenate([rows[:, 0], _ints(list(losses))])
    people = np.concatenate([rows[:, 2], -_ints(list(losses.values()))])
    unique, sums = _sum_by(canonical(ids, merged), people.astype(np.float64))
    # Vote counts are far below 2**53: the float sums are exact.
    return dict(zip(unique.tolist(), sums.astype(np.int64).tolist(), strict=True))


def _received(rows: IntArray, own: dict[int, int]) -> dict[int, int]:
    if not len(rows):
        return {}
    unique, sums = _sum_by(rows[:, 1], rows[:, 2].astype(np.float64))
    out = dict(zip(unique.tolist(), sums.astype(np.int64).tolist(), strict=True))
    for author_id, mine in own.items():
        out[author_id] -= mine
    return out


def top_gainers(gains: dict[int, int], n: int) -> list[int]:
    """The ``n`` ideas that gained most (at least one vote), ties by id."""
    keys = _ints(list(gains))
    values = _ints(list(gains.values()))
    keep = values > 0
    keys, values = keys[keep], values[keep]
    if len(keys) > n:
        nth = np.partition(values, len(values) - n)[len(values) - n]
        keep = values >= nth
        keys, values = keys[keep], values[keep]
    return keys[np.lexsort((keys, -values))][:n].tolist()


def top_trends(weights: dict[int, float], merged: dict[int, int], n: int) -> dict[int, float]:
    """The ``n`` canonical ideas trending most, ties by id: idea -> trend, in rank order.

    A trend is its ideas' weights added up in the order given, then rounded to
    ``TREND_DECIMALS`` (engines differ in the last bits). Only the ideas that can rank
    are rounded: rounding moves a value by at most half a unit of the last decimal, so
    an idea whose sum is a whole unit below the ``n``-th largest ranks after ``n`` others.
    """
    if not weights:
        return {}
    ids = _ints(list(weights))
    values = np.fromiter(weights.values(), dtype=np.float64, count=len(weights))
    unique, sums = _sum_by(canonical(ids, merged), values)
    if len(unique) > n:
        nth = np.partition(sums, len(sums) - n)[len(sums) - n]
        keep = sums >= nth - 10.0**-TREND_DECIMALS
        unique, sums = unique[keep], sums[keep]
    trend = {
        k: round(v, TREND_DECIMALS) for k, v in zip(unique.tolist(), sums.tolist(), strict=True)
    }
    ranked = heapq.nsmallest(n, trend, key=lambda k: (-trend[k], k))
    return {k: trend[k] for k in ranked}

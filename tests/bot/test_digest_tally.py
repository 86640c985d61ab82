"""The digest's numpy sums give exactly what one Python step per row gives."""

from __future__ import annotations

import heapq
import random

import pytest

from bot import digest_tally as tally
from storage.rows import PeriodVotes


def reference(
    votes: PeriodVotes, losses: dict[int, int], merged: dict[int, int], top: int, trends: int
) -> tuple[dict[int, int], dict[int, int], list[int], dict[int, float]]:
    """The sums as the digest made them before numpy: a Python step per row."""
    gained: dict[int, int] = {}
    received: dict[int, int] = {}
    for idea_id, author_id, people in votes.gains:
        canonical = merged.get(idea_id, idea_id)
        gained[canonical] = gained.get(canonical, 0) + people
        received[author_id] = received.get(author_id, 0) + people
    for idea_id, people in losses.items():
        canonical = merged.get(idea_id, idea_id)
        gained[canonical] = gained.get(canonical, 0) - people
    for author_id, own in votes.own.items():
        received[author_id] -= own
    contenders = heapq.nsmallest(
        top, (k for k, g in gained.items() if g > 0), key=lambda k: (-gained[k], k)
    )
    trend: dict[int, float] = {}
    for idea_id, weight in votes.weights.items():
        canonical = merged.get(idea_id, idea_id)
        trend[canonical] = trend.get(canonical, 0.0) + weight
    trend = {k: round(v, 6) for k, v in trend.items()}
    ranked = heapq.nsmallest(trends, trend, key=lambda k: (-trend[k], k))
    return gained, received, contenders, {k: trend[k] for k in ranked}


def random_week(seed: int, ideas: int) -> tuple[PeriodVotes, dict[int, int], dict[int, int]]:
    rng = random.Random(seed)
    ids = rng.sample(range(1, ideas * 10), ideas)
    author = {i: rng.randrange(1, max(2, ideas // 4)) for i in ids}
    merged = {i: rng.choice(ids) for i in rng.sample(ids, ideas // 10)}
    merged = {k: v for k, v in merged.items() if k != v and v not in merged}
    gains = [(i, author[i], rng.randrange(1, 6)) for i in ids if rng.random() < 0.7]
    # An idea may come twice: its members' votes and its anonymous ones.
    gains += [(i, author[i], 1) for i, _a, _p in gains[: len(gains) // 20]]
    own: dict[int, int] = {}
    for _i, a, _p in gains[::7]:
        own[a] = min(own.get(a, 0) + 1, sum(q for _j, b, q in gains if b == a))
    # Weights on a coarse grid of ties, and a few sitting on a rounding half-way point.
    weights = {i: rng.choice([0.25, 0.5, 1.0, 1.5, 0.1234565, 2.0000005]) for i in ids[::2]}
    weights.update({i: rng.random() * 3 for i in ids[1::5]})
    losses = {i: rng.randrange(1, 4) for i in rng.sample(ids, ideas // 8)}
    votes = PeriodVotes(gains=gains, weights=weights, own=own, cast=sum(p for *_x, p in gains))
    return votes, losses, merged


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("ideas", [1, 7, 60, 3_000])
def test_the_sums_match_a_step_per_row(seed: int, ideas: int) -> None:
    votes, losses, merged = random_week(seed, ideas)
    gained, received, contenders, trend = reference(votes, losses, merged, 20, 16)

    assert tally.gained_and_received(votes, losses, merged) == (gained, received)
    assert tally.top_gainers(gained, 20) == contenders
    got = tally.top_trends(votes.weights, merged, 16)
    assert list(got) == list(trend)
    assert got == trend


def test_an_empty_week_sums_to_nothing() -> None:
    votes = PeriodVotes(gains=[], weights={}, own={}, cast=0)
    assert tally.gained_and_received(votes, {}, {}) == ({}, {})
    assert tally.top_gainers({}, 5) == []
    assert tally.top_trends({}, {}, 5) == {}


def test_losses_alone_leave_no_gainer() -> None:
    votes = PeriodVotes(gains=[], weights={}, own={}, cast=0)
    gained, _received = tally.gained_and_received(votes, {4: 2, 9: 1}, {9: 4})
    assert gained == {4: -3}
    assert tally.top_gainers(gained, 5) == []


def test_ties_rank_by_id_and_the_cut_keeps_every_tie() -> None:
    gains = {10: 3, 3: 5, 7: 3, 1: 3, 2: 0, 5: -1}
    assert tally.top_gainers(gains, 2) == [3, 1]
    assert tally.top_gainers(gains, 4) == [3, 1, 7, 10]
    # Sums that differ below the sixth decimal tie once rounded, and then rank by id.
    weights = {8: 1.0000001, 4: 1.0000002, 6: 0.9999999, 2: 0.5}
    assert list(tally.top_trends(weights, {}, 2)) == [4, 6]

"""A board's thresholds re-fitted on its decisions: toward them, and never past the bounds."""

from __future__ import annotations

import math

import pytest

from dedupe.board_thresholds import BOUNDS, MIN_DECISIONS, fit_board_thresholds
from dedupe.pair_eval import operating_point
from dedupe.thresholds import DEFAULT_THRESHOLDS, Thresholds


def test_too_few_decisions_or_one_kind_keep_the_base() -> None:
    few = fit_board_thresholds(
        [0.6] * (MIN_DECISIONS - 1), [False] * (MIN_DECISIONS - 1), DEFAULT_THRESHOLDS
    )
    assert few.thresholds == DEFAULT_THRESHOLDS and not few.learned
    assert few.decisions == MIN_DECISIONS - 1 and few.same == 0
    assert few.suggest_precision == 0.0
    same_only = fit_board_thresholds([0.6] * 40, [True] * 40, DEFAULT_THRESHOLDS)
    assert same_only.thresholds == DEFAULT_THRESHOLDS and not same_only.learned
    none = fit_board_thresholds([], [], DEFAULT_THRESHOLDS)
    assert none.decisions == 0 and math.isnan(none.suggest_precision)


def test_moderators_who_reject_most_questions_raise_suggest() -> None:
    # Questions at 0.57-0.75 are mostly answered "different"; above 0.8 they are the same.
    scores = [0.58, 0.6, 0.62, 0.65, 0.68, 0.7, 0.72, 0.74] * 3 + [0.82, 0.84, 0.86]
    labels = [False] * 24 + [True] * 3
    fitted = fit_board_thresholds(scores, labels, DEFAULT_THRESHOLDS)
    assert fitted.learned
    assert fitted.thresholds.suggest > DEFAULT_THRESHOLDS.suggest
    # Halfway there with 27 decisions (the base counts as 20); the precision its own
    # decisions imply is reported as it is.
    assert fitted.suggest_precision == pytest.approx(3 / 9)
    more = fit_board_thresholds(scores * 8, labels * 8, DEFAULT_THRESHOLDS)
    assert more.thresholds.suggest > 0.78 and more.suggest_precision == 1.0


def test_moderators_who_accept_low_questions_lower_suggest_but_not_past_the_floor() -> None:
    scores = [0.3 + 0.01 * n for n in range(40)]
    labels = [True] * 38 + [False] * 2
    fitted = fit_board_thresholds(scores, labels, DEFAULT_THRESHOLDS)
    assert BOUNDS.suggest_min <= fitted.thresholds.suggest < DEFAULT_THRESHOLDS.suggest


def test_a_stream_of_decisions_moves_thresholds_step_by_step_within_bounds() -> None:
    # Moderators who call everything above 0.5 the same idea and everything under different.
    scores: list[float] = []
    labels: list[bool] = []
    seen = []
    for n in range(200):
        score = 0.3 + (n * 37 % 60) / 100  # 0.30 .. 0.89, spread over the stream
        scores.append(score)
        labels.append(score >= 0.5)
        fitted = fit_board_thresholds(scores, labels, DEFAULT_THRESHOLDS)
        t = fitted.thresholds
        assert BOUNDS.suggest_min <= t.suggest <= BOUNDS.suggest_max
        assert BOUNDS.merge_min <= t.auto_merge <= BOUNDS.merge_max or not fitted.learned
        assert t.suggest <= t.auto_merge
        seen.append(t.suggest)
    # Learning starts at MIN_DECISIONS and then closes in on the lowest score at which the
    # moderators' own decisions are still 75% "same" (0.37 here: 40 same of the 53 above it).
    target = operating_point(scores, labels, 0.75).threshold
    assert target == pytest.approx(0.37)
    assert seen[: MIN_DECISIONS - 1] == [DEFAULT_THRESHOLDS.suggest] * (MIN_DECISIONS - 1)
    assert abs(seen[-1] - target) < abs(seen[MIN_DECISIONS] - target)
    assert abs(seen[-1] - target) < 0.03


def test_even_unanimous_clicks_cannot_push_past_the_bounds() -> None:
    # Everything "same", down to scores of 0.01, with one "different" at the bottom.
    low = fit_board_thresholds(
        [0.01 * n for n in range(1, 301)], [n > 1 for n in range(1, 301)], DEFAULT_THRESHOLDS
    )
    assert BOUNDS.suggest_min <= low.thresholds.suggest < BOUNDS.suggest_min + 0.02
    assert BOUNDS.merge_min <= low.thresholds.auto_merge < BOUNDS.merge_min + 0.02
    flood = fit_board_thresholds([0.01] * 5000 + [0.0], [True] * 5000 + [False], DEFAULT_THRESHOLDS)
    assert flood.thresholds.suggest >= BOUNDS.suggest_min
    assert flood.thresholds.auto_merge >= BOUNDS.merge_min
    # A "different" at the very top: auto-merge goes to its ceiling, suggest too.
    high = fit_board_thresholds(
        [0.99] * 5 + [0.5] * 300,
        [False] * 5 + [True] * 300,
        Thresholds(suggest=0.9, auto_merge=0.99),
    )
    assert high.thresholds.suggest <= BOUNDS.suggest_max
    assert high.thresholds.auto_merge == BOUNDS.merge_max


@pytest.mark.parametrize(
    ("scores", "labels", "message"),
    [([0.5], [True, False], "1 scores but 2 labels"), ([math.nan], [True], "finite")],
)
def test_bad_decisions_are_refused(scores: list[float], labels: list[bool], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        fit_board_thresholds(scores, labels, DEFAULT_THRESHOLDS)

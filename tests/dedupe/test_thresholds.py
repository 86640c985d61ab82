"""Tests for dedupe.thresholds."""

from __future__ import annotations

import dataclasses

import pytest

from dedupe.thresholds import DEFAULT_THRESHOLDS, Thresholds, decide


@pytest.mark.parametrize(
    ("suggest", "auto_merge"),
    [(0.0, 0.5), (-0.1, 0.5), (0.8, 0.7), (0.5, 1.01), (1.2, 1.5)],
)
def test_invalid_thresholds_are_rejected(suggest: float, auto_merge: float) -> None:
    with pytest.raises(ValueError, match="0 < suggest <= auto_merge <= 1"):
        Thresholds(suggest=suggest, auto_merge=auto_merge)


@pytest.mark.parametrize(("suggest", "auto_merge"), [(0.5, 0.5), (0.01, 1.0), (0.6, 0.9)])
def test_valid_thresholds(suggest: float, auto_merge: float) -> None:
    thresholds = Thresholds(suggest=suggest, auto_merge=auto_merge)
    assert (thresholds.suggest, thresholds.auto_merge) == (suggest, auto_merge)


def test_thresholds_are_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        DEFAULT_THRESHOLDS.suggest = 0.1  # type: ignore[misc]


def test_defaults_are_ordered_with_room_between() -> None:
    assert 0 < DEFAULT_THRESHOLDS.suggest < DEFAULT_THRESHOLDS.auto_merge <= 1


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (1.0, "merge"),
        (0.9, "merge"),
        (0.8999, "suggest"),
        (0.6, "suggest"),
        (0.5999, "new"),
        (-0.3, "new"),
    ],
)
def test_decide_boundaries_are_inclusive(score: float, expected: str) -> None:
    assert decide(score, Thresholds(suggest=0.6, auto_merge=0.9)) == expected


def test_decide_with_equal_thresholds_never_suggests() -> None:
    thresholds = Thresholds(suggest=0.7, auto_merge=0.7)
    assert decide(0.7, thresholds) == "merge"
    assert decide(0.69, thresholds) == "new"

"""Tests for dedupe.evaluate: hand-computed metrics, pairs-file errors, one real end-to-end run."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from dedupe.embedder import SentenceTransformerEmbedder
from dedupe.evaluate import (
    Pair,
    PairsFileError,
    average_precision,
    best_f1,
    evaluate_pairs,
    format_metrics,
    load_pairs,
    precision_recall_at,
    recall_at_k,
    roc_auc,
    target_ranks,
)
from dedupe.thresholds import DEFAULT_THRESHOLDS, Thresholds

# Ranked 0.9, 0.8, 0.7, 0.6 with labels 1, 0, 1, 0:
#   AP  = (1/1 + 2/3) / 2 = 5/6
#   AUC = 3 of the 4 (duplicate, non-duplicate) pairs correctly ordered = 0.75
#   F1 by threshold: 0.9 → 2/3, 0.8 → 1/2, 0.7 → 4/5, 0.6 → 2/3
MIXED_SCORES = [0.9, 0.8, 0.7, 0.6]
MIXED_LABELS = [True, False, True, False]


# -- metrics ----------------------------------------------------------------------------------


def test_perfect_ranking() -> None:
    scores = [0.95, 0.9, 0.3, 0.1]
    labels = [1, 1, 0, 0]
    assert average_precision(scores, labels) == pytest.approx(1.0)
    assert roc_auc(scores, labels) == pytest.approx(1.0)
    assert best_f1(scores, labels) == (pytest.approx(1.0), pytest.approx(0.9))


def test_inverted_ranking() -> None:
    scores = [0.1, 0.2, 0.8, 0.9]
    labels = [1, 1, 0, 0]
    assert roc_auc(scores, labels) == pytest.approx(0.0)
    # Duplicates found at ranks 3 and 4: (1/3 + 2/4) / 2.
    assert average_precision(scores, labels) == pytest.approx(5 / 12)


def test_mixed_ranking_by_hand() -> None:
    assert average_precision(MIXED_SCORES, MIXED_LABELS) == pytest.approx(5 / 6)
    assert roc_auc(MIXED_SCORES, MIXED_LABELS) == pytest.approx(0.75)
    assert best_f1(MIXED_SCORES, MIXED_LABELS) == (pytest.approx(0.8), pytest.approx(0.7))


def test_metrics_do_not_depend_on_input_order() -> None:
    permutation = [2, 0, 3, 1]
    scores = np.array(MIXED_SCORES)[permutation]
    labels = np.array(MIXED_LABELS)[permutation]
    assert average_precision(scores, labels) == pytest.approx(5 / 6)
    assert roc_auc(scores, labels) == pytest.approx(0.75)


def test_ties_count_half_and_form_one_threshold() -> None:
    # Duplicates 0.9 and 0.5, non-duplicates 0.5 and 0.1: the tied pair counts 1/2.
    scores = [0.9, 0.5, 0.5, 0.1]
    labels = [1, 1, 0, 0]
    assert roc_auc(scores, labels) == pytest.approx(3.5 / 4)
    # Thresholds 0.9 (P=1, R=1/2) and 0.5 (P=2/3, R=1): 1/2 * 1 + 1/2 * 2/3.
    assert average_precision(scores, labels) == pytest.approx(5 / 6)
    # Swapping the labels of the tied items changes nothing.
    assert average_precision(scores, [1, 0, 1, 0]) == pytest.approx(5 / 6)
    assert roc_auc(scores, [1, 0, 1, 0]) == pytest.approx(3.5 / 4)
    assert roc_auc([0.5, 0.5], [1, 0]) == pytest.approx(0.5)
    assert average_precision([0.5, 0.5], [1, 0]) == pytest.approx(0.5)


def test_best_f1_prefers_the_higher_threshold_on_equal_f1() -> None:
    # F1: 0.9 → 2/3, 0.8 → 1/2, 0.7 → 2/5, 0.6 → 2/3.
    f1, threshold = best_f1([0.9, 0.8, 0.7, 0.6], [1, 0, 0, 1])
    assert f1 == pytest.approx(2 / 3)
    assert threshold == pytest.approx(0.9)


def test_precision_recall_at_threshold() -> None:
    assert precision_recall_at(MIXED_SCORES, MIXED_LABELS, 0.7) == (
        pytest.approx(2 / 3),
        pytest.approx(1.0),
    )
    # The threshold itself counts as positive.
    assert precision_recall_at(MIXED_SCORES, MIXED_LABELS, 0.9) == (1.0, 0.5)
    # Nothing predicted positive: precision is reported as 0.0, not a flattering 1.0.
    assert precision_recall_at(MIXED_SCORES, MIXED_LABELS, 0.95) == (0.0, 0.0)


def test_undefined_metrics_are_nan() -> None:
    assert math.isnan(average_precision([0.3, 0.2], [0, 0]))
    assert math.isnan(roc_auc([0.3, 0.2], [1, 1]))
    assert math.isnan(best_f1([0.3], [0])[1])
    assert math.isnan(precision_recall_at([0.3], [0], 0.1)[1])


def test_metrics_reject_mismatched_lengths() -> None:
    with pytest.raises(ValueError, match="length"):
        roc_auc([0.1, 0.2], [1])


def _pool_at_angles(*degrees: float) -> npt.NDArray[np.float32]:
    radians = np.deg2rad(degrees)
    return np.stack([np.cos(radians), np.sin(radians)], axis=1).astype(np.float32)


def test_recall_at_k_by_hand() -> None:
    pool = _pool_at_angles(0, 10, 30, 90)
    queries = [
        (0, 2),  # 10° is closer than the 30° target: rank 1
        (3, 2),  # target at 60° beats 80° and 90°: rank 0
        (1, 0),  # target at 10° beats 20°: rank 0
    ]
    # Without excluding the query's own row, query 0 would rank its target 2nd, not 1st.
    assert list(target_ranks(pool, queries)) == [1, 0, 0]
    assert recall_at_k(pool, queries, 1) == pytest.approx(2 / 3)
    assert recall_at_k(pool, queries, 2) == pytest.approx(1.0)
    assert math.isnan(recall_at_k(pool, [], 1))
    with pytest.raises(ValueError, match="own row"):
        recall_at_k(pool, [(1, 1)], 1)
    with pytest.raises(ValueError, match="k must be"):
        recall_at_k(pool, queries, 0)


# -- pairs files ------------------------------------------------------------------------------

GOOD = json.dumps({"a": "Dark mode", "b": "Night theme", "duplicate": True, "source": "x#1"})


def write_lines(path: Path, lines: Sequence[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_load_pairs_reads_objects_and_skips_blank_lines(tmp_path: Path) -> None:
    other = json.dumps({"a": "CSV export", "b": "Dark mode", "duplicate": False})
    path = write_lines(tmp_path / "pairs.jsonl", [GOOD, "", "   ", other])
    assert load_pairs(path) == [
        Pair("Dark mode", "Night theme", True, "x#1"),
        Pair("CSV export", "Dark mode", False, None),
    ]


@pytest.mark.parametrize(
    ("bad_line", "complaint"),
    [
        ('{"a": "x", "b": ', "invalid JSON"),
        ('["a", "b", true]', "expected a JSON object, got list"),
        ('{"b": "y", "duplicate": true}', "'a' must be a non-empty string"),
        ('{"a": "x", "b": "  ", "duplicate": true}', "'b' must be a non-empty string"),
        ('{"a": "x", "b": 3, "duplicate": true}', "'b' must be a non-empty string"),
        ('{"a": "x", "b": "y"}', "'duplicate' must be true or false"),
        ('{"a": "x", "b": "y", "duplicate": "yes"}', "'duplicate' must be true or false"),
        ('{"a": "x", "b": "y", "duplicate": 1}', "'duplicate' must be true or false"),
        ('{"a": "x", "b": "y", "duplicate": false, "source": 5}', "'source'"),
    ],
)
def test_load_pairs_names_file_and_line(tmp_path: Path, bad_line: str, complaint: str) -> None:
    path = write_lines(tmp_path / "pairs.jsonl", [GOOD, "", bad_line, GOOD])
    with pytest.raises(PairsFileError) as raised:
        load_pairs(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:3: ")
    assert complaint in message


def test_load_pairs_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.jsonl"
    with pytest.raises(PairsFileError, match="no such file") as raised:
        load_pairs(path)
    assert str(path) in str(raised.value)


@pytest.mark.parametrize("content", ["", "\n  \n\n"])
def test_load_pairs_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PairsFileError, match="no pairs"):
        load_pairs(path)


def test_pairs_file_error_is_a_value_error() -> None:
    assert issubclass(PairsFileError, ValueError)


# -- formatting -------------------------------------------------------------------------------


def test_format_metrics() -> None:
    text = format_metrics({"pairs": 6, "roc_auc": 0.123456, "best_f1_threshold": math.nan})
    assert text == "pairs: 6\nroc_auc: 0.1235\nbest_f1_threshold: nan"


# -- end to end with the real model ----------------------------------------------------------

SPONSOR_SUBMIT = (
    "[Feature Request]: Sponsorblock Submit segments. Currently Freetube only allows Sponsorblock"
    " to work if the segments have already been created thus forcing me back to a web browser"
    " to create and submit segments."
)
SPONSOR_MARK = (
    "[Feature Request]: Integrating SponsorBlock marking and report feature. SponsorBlock is"
    " integrated into Freetube, but it's only the skipping marked sponsor feature lacking the"
    " ability to mark and upload sponsor and other segments."
)
SPONSOR_TOGGLE = (
    "[Feature Request]: Toggle/Shortcut for in-video sponsorblock. I would like to be able to"
    " toggle the Sponsorblock feature on/off either by a toggle switch while watching the video,"
    " or by keyboard shortcut."
)
SCROLL_SHOT = (
    "[Feature request] Capture a Scrolling Screenshot. The feature is like scrolling a screenshot"
    " on your mobile phone."
)
FULL_PAGE_SHOT = (
    "Ability to capture full websites/pages or screenshot by scrolling. It would be great if you"
    " could be able to capture the visible browser windows, or select and scroll, or"
    " automatically scroll and capture."
)
SCHEDULER_MATRIX = (
    "[Wishlist] Enhanced Scheduler Matrix. The only reason I don't totally abandon uTorrent is"
    " the robust scheduler: a day-to-day, hour-to-hour, multiple setting matrix."
)
SCHEDULER_HOURLY = (
    "New Feature request #2. extensive scheduler like utorrent so i can schedule torrent by the"
    " hour every day; the current scheduler only gives the ability to schedule a single period."
)
WRAP_LINES = (
    'Wrapping long lines. Is it possible to wrap long lines in helix? (something like "Toggle'
    ' Word Wrap Alt+Z" in Visual Studio Code)'
)
PLAYBACK_SPEED = (
    "Playback speed by library. Have a function to control the playback speed by library"
    " (or item(s))."
)

REAL_PAIRS = [
    Pair(SPONSOR_SUBMIT, SPONSOR_MARK, True, "FreeTube#5694 vs #2170"),
    Pair(SCROLL_SHOT, FULL_PAGE_SHOT, True, "flameshot#1735 vs #1130"),
    Pair(SCHEDULER_MATRIX, SCHEDULER_HOURLY, True, "qBittorrent#3075 vs #1063"),
    Pair(SPONSOR_MARK, SPONSOR_TOGGLE, False, "FreeTube#5694 vs #7594"),
    Pair(SCHEDULER_MATRIX, WRAP_LINES, False, "different repositories"),
    Pair(PLAYBACK_SPEED, SCROLL_SHOT, False, "different repositories"),
]

EXPECTED_KEYS = [
    "pairs",
    "duplicates",
    "average_precision",
    "roc_auc",
    "best_f1",
    "best_f1_threshold",
    "suggest_threshold",
    "suggest_precision",
    "suggest_recall",
    "auto_merge_threshold",
    "auto_merge_precision",
    "auto_merge_recall",
    "recall_at_1",
    "recall_at_3",
]


class CountingEmbedder:
    """Delegates to the real embedder, recording what it is asked to embed."""

    def __init__(self, inner: SentenceTransformerEmbedder) -> None:
        self.inner = inner
        self.calls: list[list[str]] = []

    @property
    def dim(self) -> int:
        return self.inner.dim

    async def embed(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        return await self.inner.embed(texts)


async def test_evaluate_pairs_end_to_end(embedder: SentenceTransformerEmbedder) -> None:
    counting = CountingEmbedder(embedder)
    thresholds = Thresholds(suggest=0.5, auto_merge=0.9)
    metrics = await evaluate_pairs(REAL_PAIRS, counting, thresholds)

    assert list(metrics) == EXPECTED_KEYS
    # Nine distinct texts (SPONSOR_MARK, SCHEDULER_MATRIX, SCROLL_SHOT repeat), one call.
    assert len(counting.calls) == 1
    assert len(counting.calls[0]) == len(set(counting.calls[0])) == 9

    assert metrics["pairs"] == 6
    assert metrics["duplicates"] == 3
    assert metrics["suggest_threshold"] == 0.5
    assert metrics["auto_merge_threshold"] == 0.9
    for name in EXPECTED_KEYS[2:]:
        value = metrics[name]
        assert isinstance(value, float), name
        assert 0.0 <= value <= 1.0, name
    # The two easy negatives are unrelated; the hard negative (same feature area) may not be.
    assert metrics["roc_auc"] >= 2 / 3
    assert metrics["recall_at_3"] >= metrics["recall_at_1"]
    assert metrics["recall_at_3"] >= 0.5
    assert "pairs: 6" in format_metrics(metrics)


async def test_evaluate_pairs_rejects_empty(embedder: SentenceTransformerEmbedder) -> None:
    with pytest.raises(ValueError, match="no pairs"):
        await evaluate_pairs([], embedder, DEFAULT_THRESHOLDS)

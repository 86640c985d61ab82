"""The pair score: its features, the logistic fit, and the shipped model on real pairs."""

from __future__ import annotations

import math

import numpy as np
import pytest

from dedupe.evaluate import Pair
from dedupe.onnx_embedder import OnnxEmbedder
from dedupe.pair_eval import cross_validated, operating_point, pair_data, pair_folds
from dedupe.pair_features import (
    FEATURE_NAMES,
    Vocabulary,
    char_overlap,
    is_repost,
    pair_features,
    words_of,
)
from dedupe.pair_model import DEFAULT_MODEL, PairModel, fit_logistic
from dedupe.thresholds import DEFAULT_THRESHOLDS, decide

# -- features ---------------------------------------------------------------------------------


def test_identical_texts_overlap_fully() -> None:
    text = "Offline maps for whole regions. Download a region before the trip."
    words = words_of(text)
    vocabulary = Vocabulary.of([text, "Dark mode for the map screen"])
    features = pair_features(1.0, words, words, vocabulary)
    assert len(features) == len(FEATURE_NAMES)
    assert features[1:] == pytest.approx([1.0, 1.0, 1.0, 1.0])


@pytest.mark.parametrize(
    "text",
    ["", "   ", "!!! ??? ...", "🌲🌲🌲", "the and of to", "x" * 20000, "\x00\u202e\ufeff"],
)
def test_hostile_texts_give_bounded_features(text: str) -> None:
    other = words_of("Export routes as GPX files")
    vocabulary = Vocabulary.of([text, "Export routes as GPX files"])
    for a, b in ((words_of(text), other), (other, words_of(text)), (words_of(text),) * 2):
        features = pair_features(0.3, a, b, vocabulary)
        assert all(math.isfinite(x) and 0.0 <= x <= 1.0 for x in features[1:])
        assert 0.0 <= DEFAULT_MODEL.probability(features) <= 1.0


def test_a_word_the_whole_board_uses_weighs_less() -> None:
    board = [f"Trail idea {n}: show trail {word}" for n, word in enumerate("abcdefgh")]
    vocabulary = Vocabulary.of([*board, "Heatmap of popular routes"])
    assert vocabulary.idf("trail") < vocabulary.idf("heatmap") < vocabulary.idf("unseen")


def test_repost_rule_needs_same_words_and_meaning() -> None:
    text = "Dark mode for the map screen. The white map is blinding on night hikes."
    repost = "dark mode for the map screen the white map is blinding on night hikes"
    assert char_overlap(words_of(text), words_of(repost)) > 0.9
    assert is_repost(0.95, words_of(text), words_of(repost))
    assert not is_repost(0.85, words_of(text), words_of(repost))  # the model disagrees
    assert not is_repost(0.95, words_of(text), words_of("Dark mode, please"))


# -- the model ----------------------------------------------------------------------------


def test_model_needs_one_weight_per_feature() -> None:
    with pytest.raises(ValueError, match="5 weights"):
        PairModel(intercept=0.0, weights=(1.0,))


def test_probability_of_one_and_many_agree_and_never_overflow() -> None:
    rows = np.array([[0.9, 0.5, 0.3, 0.2, 0.8], [0.1, 0.0, 0.0, 0.0, 0.1], [1e6, 0, 0, 0, 0]])
    model = PairModel(intercept=-2.0, weights=(4.0, 1.0, 0.5, 0.0, -1.0))
    many = model.probabilities(rows)
    assert many == pytest.approx([model.probability(r) for r in rows])
    assert model.probability([-1e6, 0, 0, 0, 0]) == 0.0
    assert model.probability([1e6, 0, 0, 0, 0]) == 1.0


def test_fit_recovers_the_direction_that_separates() -> None:
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, size=(400, 5))
    z = -3.0 + 4.0 * x[:, 0] + 2.0 * x[:, 2]
    y = rng.uniform(0, 1, 400) < 1 / (1 + np.exp(-z))
    model = fit_logistic(x, y, l2=0.01)
    assert model.weights[0] == pytest.approx(4.0, abs=1.0)
    assert model.weights[2] == pytest.approx(2.0, abs=1.0)
    assert abs(model.weights[1]) < 1.0 and abs(model.weights[3]) < 1.0


def test_fit_leaves_unused_features_at_zero_and_refuses_bad_input() -> None:
    x = np.array(
        [[0.9, 0.1, 0, 0, 1], [0.2, 0.8, 0, 0, 1], [0.8, 0.3, 0, 0, 1], [0.1, 0.5, 0, 0, 1]]
    )
    y = [True, False, True, False]
    model = fit_logistic(x, y, use=(True, False, False, False, False))
    assert model.weights[1:] == (0.0, 0.0, 0.0, 0.0)
    assert model.weights[0] > 0
    with pytest.raises(ValueError, match="both"):
        fit_logistic(x, [True] * 4)
    with pytest.raises(ValueError, match="do not match"):
        fit_logistic(x, [True, False])
    with pytest.raises(ValueError, match="one flag per feature"):
        fit_logistic(x, y, use=(False,) * 5)


def test_operating_point_takes_the_most_recall_that_keeps_the_precision() -> None:
    scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4]
    labels = [True, False, True, True, False, True]
    point = operating_point(scores, labels, 0.75)
    assert (point.threshold, point.precision, point.recall, point.flagged) == (0.6, 0.75, 0.75, 4)
    nothing = operating_point([0.9, 0.1], [False, True], 0.75)
    assert math.isnan(nothing.threshold) and nothing.recall == 0.0


# -- on real pairs, with the real model -------------------------------------------------------

# From the demo community: a duplicate in other words, and a pair on the same topic
# (location sharing) that moderators keep apart.
LIVE = "Share my live location with hiking buddies. Let my group see where I am on the trail."
LIVE_AGAIN = "Let my family follow my hike. My partner worries; she wants to see where I am."
PRIVACY = "Hide the start and end of my recorded hikes. Most of my hikes start at my house."
GPX = "Export routes as GPX files. I plan in Trailmix and navigate with another app."
GARMIN = "Sync routes to my Garmin watch. Send planned routes to the watch to follow them."
GARMIN_AGAIN = "Send my planned routes to Garmin. I'd love the routes on my Garmin watch."


async def test_pair_score_on_real_pairs(embedder: OnnxEmbedder) -> None:
    pairs = [
        Pair(LIVE_AGAIN, LIVE, True),
        Pair(LIVE, PRIVACY, False),
        Pair(GARMIN_AGAIN, GARMIN, True),
        Pair(GARMIN, GPX, False),
    ]
    data = await pair_data(pairs, embedder)
    probability = DEFAULT_MODEL.probabilities(data.features)
    assert probability[0] > probability[1]
    assert probability[2] > probability[3]
    # The close paraphrase is offered; the topic neighbours are not.
    assert decide(float(probability[2]), DEFAULT_THRESHOLDS) != "new"
    assert decide(float(probability[1]), DEFAULT_THRESHOLDS) == "new"
    assert decide(float(probability[3]), DEFAULT_THRESHOLDS) == "new"


async def test_cross_validation_scores_each_pair_without_seeing_it(embedder: OnnxEmbedder) -> None:
    texts = [LIVE, LIVE_AGAIN, PRIVACY, GPX, GARMIN, GARMIN_AGAIN]
    pairs = [
        Pair(a, b, {a, b} in ({LIVE, LIVE_AGAIN}, {GARMIN, GARMIN_AGAIN}))
        for a in texts
        for b in texts
        if a < b
    ]
    data = await pair_data(pairs, embedder)
    assert pair_folds(data.labels) == 2
    first = cross_validated(data, folds=2, seed=0)
    assert first.shape == (len(pairs),) and np.all((first >= 0) & (first <= 1))
    # The held-out fold's scores change when a pair moves to another fold: it is not fitted
    # on itself.
    assert not np.allclose(first, cross_validated(data, folds=2, seed=1))


def test_counting_texts_gives_the_same_vocabulary_as_adding_their_words() -> None:
    texts = [
        "Dark mode for the map screen",
        "Export routes as GPX files, exporting is missing",
        "",
        "dark DARK dark: the maps' screens",
        "Ünïcode wörds and emoji 🌲 too",
    ]
    added, counted = Vocabulary(), Vocabulary()
    for text in texts:
        added.add(words_of(text))
    counted.count(texts)
    assert counted.documents == added.documents == len(texts)
    for token in {t for text in texts for t in words_of(text).tokens} | {"unseen"}:
        assert counted.idf(token) == added.idf(token), token

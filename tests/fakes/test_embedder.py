"""The test embedder gives the duplicates a test declares, and no others."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from dedupe.pair_features import Vocabulary, is_repost, pair_features, words_of
from dedupe.pair_model import DEFAULT_MODEL
from dedupe.thresholds import COSINE_THRESHOLDS, DEFAULT_THRESHOLDS, Decision, decide
from tests.fakes.embedder import DIM, LIKELY, TestEmbedder

IDEAS = [
    "Dark mode for the map screen",
    "Export routes as GPX files",
    "Heart rate zones on the watch",
    "Share my live location with friends",
    "Offline maps for whole regions",
    "Add a dark mode to the app. The white screen is too bright at night.",
    "Add a dark mode to the app, the white screen is far too bright at night.",
    "Dark theme for the map screen please, white is too bright at night",
    "dark",
    "mode",
    "",
]


def verdict(cosine: float, first: str, second: str) -> Decision:
    """What the bot decides for the pair, as bot.pairs judges it on a board of these texts."""
    a, b = words_of(first), words_of(second)
    if is_repost(cosine, a, b):
        return "merge"
    features = pair_features(cosine, a, b, Vocabulary.of([*IDEAS, first, second]))
    return decide(DEFAULT_MODEL.probability(features), DEFAULT_THRESHOLDS)


async def cosines(embedder: TestEmbedder, texts: list[str]) -> np.ndarray:
    vectors = await embedder.embed(texts)
    return vectors @ vectors.T


async def test_rows_are_float32_unit_vectors_of_the_models_size() -> None:
    vectors = await TestEmbedder().embed(IDEAS)
    assert vectors.shape == (len(IDEAS), DIM) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


async def test_undeclared_texts_are_distinct_ideas_whatever_words_they_share() -> None:
    scores = await cosines(TestEmbedder(), IDEAS)
    for i, j in itertools.combinations(range(len(IDEAS)), 2):
        assert verdict(float(scores[i, j]), IDEAS[i], IDEAS[j]) == "new", (IDEAS[i], IDEAS[j])
        assert abs(scores[i, j]) < 0.3


async def test_same_text_same_vector_in_every_instance_case_and_spacing_aside() -> None:
    one = await TestEmbedder().embed(["Dark mode for the map screen"])
    two = await TestEmbedder().embed(["  dark MODE for the\tmap screen\n"])
    np.testing.assert_array_equal(one, two)


async def test_declared_levels_give_merge_suggest_and_new() -> None:
    embedder = TestEmbedder()
    embedder.same(IDEAS[5], IDEAS[6])
    embedder.likely(IDEAS[0], IDEAS[7])
    embedder.likely(IDEAS[0], "night theme")
    embedder.related(IDEAS[1], "gpx", 0.3)
    texts = [IDEAS[5], IDEAS[6], IDEAS[0], IDEAS[7], "night theme", IDEAS[1], "gpx"]
    scores = await cosines(embedder, texts)
    assert verdict(float(scores[0, 1]), texts[0], texts[1]) == "merge"  # a repost
    assert scores[0, 1] == pytest.approx(1.0, abs=1e-6)
    assert scores[2, 3] == pytest.approx(LIKELY, abs=1e-6)
    assert verdict(float(scores[2, 3]), texts[2], texts[3]) == "suggest"
    assert verdict(float(scores[2, 4]), texts[2], texts[4]) == "suggest"
    # the importer, which decides on the bare cosine, asks about them too
    assert decide(float(scores[2, 3]), COSINE_THRESHOLDS) == "suggest"
    assert scores[5, 6] == pytest.approx(0.3, abs=1e-6)
    # nothing declared between the groups: distinct
    for i, j in [(0, 2), (0, 5), (2, 5), (3, 6), (1, 4)]:
        assert verdict(float(scores[i, j]), texts[i], texts[j]) == "new", (texts[i], texts[j])


async def test_a_chain_of_same_texts_is_one_idea() -> None:
    embedder = TestEmbedder()
    embedder.same("a b", "a c", "a d")
    embedder.same("a d", "a e")
    scores = await cosines(embedder, ["a b", "a c", "a d", "a e"])
    np.testing.assert_allclose(scores, 1.0, atol=1e-6)


@pytest.mark.parametrize("cosine", [-0.1, 1.5, float("nan")])
def test_a_cosine_outside_0_to_1_is_refused(cosine: float) -> None:
    with pytest.raises(ValueError, match="cosine"):
        TestEmbedder().related("a", "b", cosine)


def test_a_text_cannot_be_its_own_relative_nor_close_a_loop() -> None:
    embedder = TestEmbedder()
    with pytest.raises(ValueError, match="itself"):
        embedder.same("Dark mode", "dark  MODE")
    embedder.likely("a", "b")
    with pytest.raises(ValueError, match="already built from"):
        embedder.likely("b", "a")

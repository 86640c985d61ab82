"""Benchmark of the pair score: what judging one candidate costs beside its cosine.

Run with ``python -m bench.pairs`` (part of ``make bench``); not part of the test suite.
Needs no model: the texts come from ``bench.texts`` and the vectors are random unit
vectors of the model's 384 dimensions. Figures on stdout as ``name: value`` lines.

``cosine_us``
    Baseline, measured in the same run: one candidate's cosine (a 384-float dot product
    in numpy), as the similarity index computes it.
``pair_us``
    One candidate judged the way ``IdeaService.submit`` judges it: the candidate's text
    split into words and trigrams, the pair's features against the new idea's (TF-IDF
    with the board's vocabulary, overlaps, length ratio), the probability and the repost
    rule. The new idea's words are split once per submit and are not counted.
``pair_ratio``
    ``pair_us / cosine_us``.
``vocabulary_ms_10k``
    Building a board's vocabulary from 10,000 idea texts (the benchmark's distinct
    phrasings, repeated with a number) once per process and board, on first use.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from bench.texts import FRAMES, ITEMS, text_pool
from dedupe.pair_features import Vocabulary, is_repost, pair_features, words_of
from dedupe.pair_model import DEFAULT_MODEL

REPEATS = 2000


def per_call_us(fn: Callable[[int], object], count: int) -> float:
    """The median over five rounds of the mean time of one call, in microseconds."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for i in range(count):
            fn(i)
        rounds.append((time.perf_counter() - start) / count * 1e6)
    return float(np.median(rounds))


def main() -> None:
    rng = np.random.default_rng(13)
    pool = text_pool(len(ITEMS) * len(FRAMES), rng)
    # 10,000 texts: the whole pool of distinct phrasings, numbered as a board numbers them.
    texts = [f"{pool[n % len(pool)]} (#{n})" for n in range(10_000)]
    start = time.perf_counter()
    vocabulary = Vocabulary.of(texts)
    vocabulary_ms = (time.perf_counter() - start) * 1e3
    vectors = rng.normal(size=(REPEATS + 1, 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    new = words_of(texts[0])

    def cosine(i: int) -> object:
        return float(np.dot(vectors[0], vectors[i + 1]))

    def pair(i: int) -> object:
        theirs = words_of(texts[i + 1])
        value = float(np.dot(vectors[0], vectors[i + 1]))
        features = pair_features(value, new, theirs, vocabulary)
        return DEFAULT_MODEL.probability(features), is_repost(value, new, theirs)

    cosine_us = per_call_us(cosine, REPEATS)
    pair_us = per_call_us(pair, REPEATS)
    print(f"cosine_us: {cosine_us:.2f}")
    print(f"pair_us: {pair_us:.2f}")
    print(f"pair_ratio: {pair_us / cosine_us:.1f}")
    print(f"vocabulary_ms_10k: {vocabulary_ms:.1f}")


if __name__ == "__main__":
    main()

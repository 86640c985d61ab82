"""The test embedder: fixed vectors for texts, and duplicates only where a test declares them.

For every test whose subject is not similarity (capture, votes, moderation, digests, the
adapters, import parsing). No model is loaded, nothing depends on a model's scores, and the
same text gives the same vector in every run, process and machine.

- A text maps to a pseudo-random unit vector seeded by the text itself (case and runs of
  white space ignored, as the uncased model ignores them). In 384 dimensions two such
  vectors have a cosine of about 0 +- 0.05: different texts are distinct ideas, far below
  any threshold a board may set.
- ``same(a, b, ...)``: the texts are one idea, cosine 1.0. The bot merges on its own only
  near-verbatim reposts (dedupe.pair_features.is_repost), so a test that wants a merge
  declares a repost; other words at cosine 1.0 are offered.
- ``likely(a, b)``: ``b`` is a likely duplicate of ``a``, cosine ``LIKELY`` (offered, not
  merged, at the default thresholds, whatever the texts' words); ``related(a, b, cosine)``
  for any other level.

Declare before the texts are embedded: a vector is computed when a text is embedded, and an
index holds the vectors it was given.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence

import numpy as np

from dedupe.embedder import FloatMatrix
from dedupe.pair_features import FEATURE_NAMES
from dedupe.pair_model import DEFAULT_MODEL
from dedupe.thresholds import COSINE_THRESHOLDS, DEFAULT_THRESHOLDS

DIM = 384  # the real model's, so that a board made here looks like one made by the bot


# The cosine of a likely duplicate: the lowest (to 0.001) at which the shipped pair model
# offers the pair whatever the two texts' words (every corner of the lexical features in
# [0, 1]), and never merges it; inside the bare-cosine band the importer asks at, too. So
# "offered, not merged" is the test's choice, not an accident of the texts' words.
def _likely() -> float:
    corners = [list(c) for c in itertools.product((0.0, 1.0), repeat=len(FEATURE_NAMES) - 1)]
    for step in range(1000):
        cosine = step / 1000
        scores = DEFAULT_MODEL.probabilities([[cosine, *corner] for corner in corners])
        if (
            scores.min() >= DEFAULT_THRESHOLDS.suggest + 0.01  # float32 vectors round
            and scores.max() < DEFAULT_THRESHOLDS.auto_merge
            and COSINE_THRESHOLDS.suggest <= cosine < COSINE_THRESHOLDS.auto_merge
        ):
            return cosine
    raise RuntimeError("no cosine makes the shipped pair model offer a pair without merging")


LIKELY = _likely()


def _key(text: str) -> str:
    return " ".join(text.casefold().split())


def _seeded(key: str) -> np.ndarray:
    seed = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big")
    vector = np.random.default_rng(seed).standard_normal(DIM)
    return vector / np.linalg.norm(vector)


class TestEmbedder:
    """Texts to fixed unit vectors; a test chooses which texts are duplicates, and how close."""

    __test__ = False  # not a test class, whatever its name says to pytest

    dim = DIM

    def __init__(self) -> None:
        # text -> (anchor text, cosine): the text's vector is built from its anchor's
        self._relations: dict[str, tuple[str, float]] = {}

    def same(self, first: str, *others: str) -> None:
        """The texts are one idea: identical vectors, cosine 1.0."""
        for other in others:
            self.related(first, other, 1.0)

    def likely(self, first: str, second: str) -> None:
        """``second`` is a likely duplicate of ``first``: cosine LIKELY between them."""
        self.related(first, second, LIKELY)

    def related(self, anchor: str, text: str, cosine: float) -> None:
        """``text`` gets cosine ``cosine`` with ``anchor`` (and about ``cosine`` times the
        anchor's cosine with anything else)."""
        if not 0.0 <= cosine <= 1.0:
            raise ValueError(f"cosine must be in [0, 1], got {cosine}")
        key, root = _key(text), _key(anchor)
        if key == root:
            raise ValueError(f"a text cannot be related to itself: {text!r}")
        if self._root_of(root) == key:
            raise ValueError(f"{anchor!r} is already built from {text!r}")
        self._relations[key] = (root, cosine)

    def _root_of(self, key: str) -> str:
        seen = {key}
        while key in self._relations:
            key = self._relations[key][0]
            if key in seen:
                break
            seen.add(key)
        return key

    def vector(self, text: str) -> np.ndarray:
        """The unit vector of ``text``."""
        return self._vector(_key(text), set())

    def _vector(self, key: str, seen: set[str]) -> np.ndarray:
        own = _seeded(key)
        if key not in self._relations or key in seen:
            return own
        anchor_key, cosine = self._relations[key]
        anchor = self._vector(anchor_key, seen | {key})
        if cosine == 1.0:
            return anchor
        # The text's own direction, made exactly orthogonal to the anchor, then mixed in.
        apart = own - float(own @ anchor) * anchor
        apart /= np.linalg.norm(apart)
        mixed = cosine * anchor + np.sqrt(1.0 - cosine * cosine) * apart
        return mixed / np.linalg.norm(mixed)

    async def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Return the texts' vectors, one unit row each (float32)."""
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row] = self.vector(text)
        return out

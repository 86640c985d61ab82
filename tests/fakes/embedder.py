"""A deterministic embedder for tests that are not about similarity: no model to load."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from dedupe.embedder import FloatMatrix


class HashEmbedder:
    """Bag-of-words vectors from a hash of each word: equal texts are identical, texts
    with no word in common are orthogonal-ish, and nothing depends on a model."""

    dim = 64

    async def embed(self, texts: Sequence[str]) -> FloatMatrix:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split() or [""]:
                digest = hashlib.sha256(word.encode()).digest()
                out[row, digest[0] % self.dim] += 1.0 if digest[1] % 2 else -1.0
            norm = float(np.linalg.norm(out[row]))
            if norm == 0.0:
                out[row, 0] = norm = 1.0
            out[row] /= norm
        return out

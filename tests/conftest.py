"""Fixtures shared by the whole suite: the real embedding model, loaded once per run."""

from __future__ import annotations

import pytest

from dedupe.embedder import SentenceTransformerEmbedder


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    # The real bundled model; it loads lazily on first use and is shared by every test.
    return SentenceTransformerEmbedder()

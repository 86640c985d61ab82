"""The similarity tests: here `embedder` is the real model, never the test embedder."""

from __future__ import annotations

import pytest

from dedupe.onnx_embedder import OnnxEmbedder


@pytest.fixture
def embedder(model: OnnxEmbedder) -> OnnxEmbedder:
    """The real bundled model on the default runtime (the session's, loaded once)."""
    return model

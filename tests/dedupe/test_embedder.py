"""Tests for dedupe.embedder: the real bundled model on both runtimes, plus a fake for plumbing."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from dedupe.embedder import (
    EmbedderError,
    SentenceTransformerEmbedder,
    ThreadedEmbedder,
    default_model_path,
)
from dedupe.onnx_embedder import OnnxEmbedder
from tests.dedupe.texts import TEXTS

SCREENSHOT = "Capture a scrolling screenshot of a whole web page."
SCREENSHOT_PARAPHRASE = "Ability to take a full-page screenshot by scrolling down automatically."
UNRELATED = "Add a sleep timer that stops background audio playback after a while."


def _cosine(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    return float(a @ b)


# -- real model, on both runtimes -------------------------------------------------------------


@pytest.fixture(scope="module", params=["onnx", "torch"])
def real(request: pytest.FixtureRequest) -> ThreadedEmbedder:
    """The bundled model on the default runtime (ONNX), then on sentence-transformers,
    loaded only for those. Module-scoped, so pytest runs the torch ones one after the
    other: xdist hands out neighbouring tests together, so usually one worker runs them
    all and the others never import torch (a split only costs a second import)."""
    if request.param == "onnx":
        onnx: ThreadedEmbedder = request.getfixturevalue("model")
        return onnx
    torch: SentenceTransformerEmbedder = request.getfixturevalue("torch_embedder")
    return torch


async def test_embed_returns_float32_unit_rows(real: ThreadedEmbedder) -> None:
    vectors = await real.embed([SCREENSHOT, SCREENSHOT_PARAPHRASE, UNRELATED])
    assert real.loaded
    assert real.dim == 384
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


async def test_paraphrase_scores_clearly_above_unrelated(
    real: ThreadedEmbedder,
) -> None:
    first, paraphrase, unrelated = await real.embed([SCREENSHOT, SCREENSHOT_PARAPHRASE, UNRELATED])
    related_score = _cosine(first, paraphrase)
    unrelated_score = _cosine(first, unrelated)
    assert related_score > 0.6
    assert related_score - unrelated_score > 0.3


async def test_empty_input_gives_zero_rows(real: ThreadedEmbedder) -> None:
    vectors = await real.embed([])
    assert vectors.shape == (0, 384)
    assert vectors.dtype == np.float32


async def test_concurrent_embeds_match_one_batch(real: ThreadedEmbedder) -> None:
    texts = [SCREENSHOT, SCREENSHOT_PARAPHRASE, UNRELATED, "Dark mode", "Export to CSV"]
    batch = await real.embed(texts)
    singles = await asyncio.gather(*(real.embed([text]) for text in texts))
    assert all(single.shape == (1, 384) for single in singles)
    # Padding inside a batch shifts values by float noise only.
    np.testing.assert_allclose(np.vstack(singles), batch, atol=1e-4)


async def test_the_two_paths_agree(
    model: OnnxEmbedder, torch_embedder: SentenceTransformerEmbedder
) -> None:
    # Next to the torch tests above, so that the worker that loads torch runs this too.
    onnx = await model.embed(TEXTS)
    torch = await torch_embedder.embed(TEXTS)
    cosines = np.sum(onnx * torch, axis=1)
    assert cosines.min() >= 0.99, dict(zip(TEXTS, cosines.round(4), strict=True))


def test_constructing_does_not_load() -> None:
    fresh = SentenceTransformerEmbedder()
    try:
        assert not fresh.loaded
        assert fresh.model_path == default_model_path()
    finally:
        fresh.close()


def test_default_model_path_is_bundled_directory() -> None:
    path = Path(default_model_path())
    assert path.is_dir()
    assert (path / "config.json").is_file()


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and refuse) any DNS lookup or socket connect made during the test."""
    attempts: list[str] = []

    def refuse_lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(f"getaddrinfo {host}")
        raise OSError("network disabled in test")

    def refuse_connect(self: socket.socket, address: Any) -> None:
        attempts.append(f"connect {address}")
        raise OSError("network disabled in test")

    monkeypatch.setattr(socket, "getaddrinfo", refuse_lookup)
    monkeypatch.setattr(socket.socket, "connect", refuse_connect)
    return attempts


async def test_missing_model_path_raises_embedder_error(
    tmp_path: Path, no_network: list[str]
) -> None:
    missing = tmp_path / "no-such-model"
    broken = SentenceTransformerEmbedder(str(missing))
    try:
        with pytest.raises(EmbedderError) as raised:
            await broken.embed(["hello"])
    finally:
        broken.close()
    message = str(raised.value)
    assert str(missing) in message
    assert "\n" not in message
    assert not broken.loaded
    assert no_network == []


async def test_directory_without_model_raises_embedder_error(
    tmp_path: Path, no_network: list[str]
) -> None:
    broken = SentenceTransformerEmbedder(str(tmp_path))
    try:
        with pytest.raises(EmbedderError) as raised:
            await broken.load()
    finally:
        broken.close()
    message = str(raised.value)
    assert str(tmp_path) in message
    assert "\n" not in message
    assert raised.value.__cause__ is None
    assert no_network == []


# -- plumbing, with a fake model (no torch involved) ------------------------------------------


class FakeModel:
    """Stands in for SentenceTransformer: 3-dim unit vectors, records encode calls."""

    def __init__(self, on_encode: Any = None) -> None:
        self.calls: list[tuple[list[str], dict[str, Any]]] = []
        self.threads: set[int] = set()
        self.on_encode = on_encode

    def get_embedding_dimension(self) -> int:
        return 3

    def encode(self, texts: list[str], **kwargs: Any) -> npt.NDArray[np.float32]:
        self.calls.append((texts, kwargs))
        self.threads.add(threading.get_ident())
        if self.on_encode is not None:
            self.on_encode()
        vectors = np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


class FakeEmbedder(SentenceTransformerEmbedder):
    def __init__(self, model: FakeModel, **kwargs: Any) -> None:
        super().__init__("/unused", **kwargs)
        self.model = model
        self.builds = 0

    def _build_model(self) -> Any:
        self.builds += 1
        return self.model


@pytest.fixture
def fake() -> Iterator[FakeEmbedder]:
    embedder = FakeEmbedder(FakeModel(), batch_size=7)
    yield embedder
    embedder.close()


async def test_encode_gets_batch_size_and_normalisation(fake: FakeEmbedder) -> None:
    vectors = await fake.embed(["a", "bb"])
    assert vectors.shape == (2, 3)
    texts, kwargs = fake.model.calls[0]
    assert texts == ["a", "bb"]
    assert kwargs["batch_size"] == 7
    assert kwargs["normalize_embeddings"] is True
    assert kwargs["convert_to_numpy"] is True


async def test_loads_once_under_concurrent_callers(fake: FakeEmbedder) -> None:
    def read_dim() -> int:
        return fake.dim

    with ThreadPoolExecutor(max_workers=4) as pool:
        dims = [pool.submit(read_dim) for _ in range(8)]
        results = await asyncio.gather(*(fake.embed([str(i)]) for i in range(20)))
        assert [future.result() for future in dims] == [3] * 8
    assert len(results) == 20
    assert fake.builds == 1


async def test_model_work_runs_off_the_event_loop() -> None:
    # encode blocks until a coroutine on the loop sets the event: it can only succeed if
    # encode runs in another thread while the loop stays free.
    released = threading.Event()

    def wait_for_loop() -> None:
        if not released.wait(timeout=120):  # a hang guard only
            raise AssertionError("event loop was blocked while encoding")

    embedder = FakeEmbedder(FakeModel(on_encode=wait_for_loop))

    async def release() -> None:
        released.set()

    try:
        vectors, _ = await asyncio.gather(embedder.embed(["x"]), release())
    finally:
        embedder.close()
    assert vectors.shape == (1, 3)
    assert threading.get_ident() not in embedder.model.threads


def test_usable_from_several_event_loops(fake: FakeEmbedder) -> None:
    first = asyncio.run(fake.embed(["one"]))
    second = asyncio.run(fake.embed(["one"]))
    np.testing.assert_array_equal(first, second)
    assert fake.builds == 1


async def test_empty_input_does_not_encode(fake: FakeEmbedder) -> None:
    vectors = await fake.embed([])
    assert vectors.shape == (0, 3)
    assert fake.model.calls == []


async def test_single_string_is_rejected(fake: FakeEmbedder) -> None:
    texts: Sequence[str] = "not a list"
    with pytest.raises(TypeError):
        await fake.embed(texts)


async def test_closed_embedder_raises(fake: FakeEmbedder) -> None:
    fake.close()
    with pytest.raises(EmbedderError, match="closed"):
        await fake.embed(["x"])


def test_batch_size_must_be_positive() -> None:
    with pytest.raises(ValueError, match="batch_size"):
        SentenceTransformerEmbedder(batch_size=0)

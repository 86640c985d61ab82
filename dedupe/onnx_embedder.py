"""The default embedder: all-MiniLM-L6-v2 on onnxruntime and tokenizers, with torch never imported.

It runs the ONNX export of the bundled model's own weights (see dedupe.onnx_export), checked
against its manifest at load, and does what sentence-transformers' modules.json says after
the transformer: mean pooling over the attention mask, then L2 normalisation. Texts are cut
at the model's max_seq_length (256 tokens, sentence_bert_config.json), as sentence-transformers
does; the bundled tokenizer.json itself says 128 and pads to a fixed 128, so both are reset.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from dedupe.embedder import EmbedderError, FloatMatrix, ThreadedEmbedder, default_model_path
from dedupe.onnx_files import FIX_HINT, ONNX_NAME, Manifest, default_onnx_dir, verify_export

__all__ = ["OnnxEmbedder"]

TOKENIZER_FILE = "tokenizer.json"


@dataclass(frozen=True)
class _Model:
    session: Any  # onnxruntime.InferenceSession
    tokenizer: Any  # tokenizers.Tokenizer
    manifest: Manifest
    input_names: frozenset[str]


class OnnxEmbedder(ThreadedEmbedder):
    """Return embeddings from the verified ONNX export of the bundled model, loaded lazily, once."""

    def __init__(
        self,
        onnx_dir: Path | None = None,
        *,
        source_dir: str | None = None,
        batch_size: int = 64,
    ) -> None:
        super().__init__(batch_size=batch_size)
        self.onnx_dir = onnx_dir or default_onnx_dir()
        self._source_dir = source_dir

    @property
    def source_dir(self) -> str:
        """Return the folder of the model whose weights were exported (and whose tokenizer runs)."""
        if self._source_dir is None:
            self._source_dir = default_model_path()
        return self._source_dir

    @property
    def precision(self) -> str:
        """Return the export's precision ("fp32" or "int8"), loading the model if needed."""
        return str(self._submit(self._ensure_loaded).result().manifest.precision)

    # -- worker-thread side -------------------------------------------------------------

    def _build_model(self) -> _Model:
        manifest = verify_export(self.onnx_dir, self.source_dir)
        try:
            import onnxruntime
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(Path(self.source_dir) / TOKENIZER_FILE))
            tokenizer.enable_truncation(max_length=manifest.max_seq_length)
            # Pad each batch to its longest text, not to the file's fixed 128.
            tokenizer.enable_padding(pad_id=0, pad_type_id=0, pad_token="[PAD]")
            options = onnxruntime.SessionOptions()
            # One request at a time through one worker thread: parallelism inside an
            # operator helps; between operators it only adds threads.
            options.inter_op_num_threads = 1
            options.log_severity_level = 3
            # Prepacking (on by default) keeps a second, GEMM-shaped copy of the weights,
            # about 26 MB: one text encodes in 7 ms instead of 12, where torch takes 18 on
            # the same machine (bench.embed). `ideabot run` serving a 100k board stays
            # under 400 MB with it since the index load gives its scratch back
            # (bot.runtime.release_free_memory).
            # Its threads sleep between requests instead of spinning: a spinning pool held
            # both cores of a small server for a while after each encode, so the index
            # search after it took 25 ms instead of 14 and the store's reads waited; the
            # encode itself went from 28 ms to 17 (bench.submit's encode_ms).
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = onnxruntime.InferenceSession(
                str(self.onnx_dir / ONNX_NAME), options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            raise EmbedderError(
                f"cannot load ONNX model from {self.onnx_dir}: {type(exc).__name__}: {reason}"
                f"; {FIX_HINT}"
            ) from None
        names = frozenset(node.name for node in session.get_inputs())
        return _Model(session, tokenizer, manifest, names)

    def _read_dim(self, model: Any) -> int:
        dim = model.manifest.dim
        if not isinstance(dim, int) or dim < 1:
            raise EmbedderError(f"ONNX manifest reports no usable dimension: {dim!r}; {FIX_HINT}")
        return dim

    def _encode(self, texts: list[str]) -> FloatMatrix:
        model: _Model = self._ensure_loaded()
        out = np.empty((len(texts), model.manifest.dim), dtype=np.float32)
        # Longest first, as sentence-transformers batches: texts of like length share a
        # batch, so little compute goes on padding.
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            rows = order[start : start + self.batch_size]
            out[rows] = self._encode_batch(model, [texts[i] for i in rows])
        return out

    @staticmethod
    def _encode_batch(model: _Model, texts: list[str]) -> FloatMatrix:
        encodings = model.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in model.input_names:
            feeds["token_type_ids"] = np.array([e.type_ids for e in encodings], dtype=np.int64)
        (tokens,) = model.session.run(["token_embeddings"], feeds)
        # Mean over the real tokens only, then unit length: modules.json's Pooling (mean)
        # and Normalize. Every text has at least [CLS] and [SEP], so no count is zero.
        weights = mask.astype(np.float32)[:, :, None]
        summed = (tokens * weights).sum(axis=1)
        pooled = summed / weights.sum(axis=1)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32, copy=False)

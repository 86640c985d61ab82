"""`ideabot model`: the bundled model's ONNX export."""

from __future__ import annotations

import click

from bot.cli_errors import fail


@click.group("model")
def model_command() -> None:
    """The embedding model's ONNX export (made by `make install`).

    \b
    Example:
      ideabot model export
    """


@model_command.command("export")
@click.option("--force", is_flag=True, help="Export again even if the export is up to date.")
def model_export(force: bool) -> None:
    """Export the bundled model's weights to ONNX, once, and verify it (needs torch).

    \b
    Example:
      ideabot model export
    """
    from dedupe.embedder import EmbedderError
    from dedupe.onnx_export import export
    from dedupe.onnx_files import ONNX_NAME, default_onnx_dir

    out = default_onnx_dir()
    try:
        manifest, made = export(out, force=force)
    except EmbedderError as exc:
        fail(str(exc))
    state = "exported" if made else "up to date"
    click.echo(f"ONNX model {state}: {out / ONNX_NAME} ({manifest.precision})")

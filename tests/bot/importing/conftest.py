"""Shared helpers of the import tests: the example exports, a zip of one, table digests."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from tests.bot.test_cli import CLEAN_ENV
from tests.fakes.embedder import TestEmbedder

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples" / "import"
SLACK = EXAMPLES / "slack"
DISCORD = EXAMPLES / "discord"
# Real public sample exports, present beside the clone in CI, absent in a fresh clone.
SHARED = ROOT.parent / "shared" / "data" / "exports"


def zip_folder(folder: Path, target: Path, *, nest: str | None = None) -> Path:
    """A zip of ``folder`` as Slack makes it (files at the root), or nested in ``nest``/."""
    base = shutil.make_archive(str(target.with_suffix("")), "zip", folder.parent, folder.name)
    if nest is None:
        # Slack's zip has the export's files at its root, not inside a folder.
        import zipfile

        out = target
        with zipfile.ZipFile(base) as src, zipfile.ZipFile(out.with_suffix(".tmp"), "w") as dst:
            for info in src.infolist():
                name = info.filename.split("/", 1)[1] if "/" in info.filename else ""
                if name and not info.is_dir():
                    dst.writestr(name, src.read(info))
        Path(base).unlink()
        out.with_suffix(".tmp").rename(out)
        return out
    return Path(base)


def table_digest(path: Path) -> str:
    """A digest of every row of every table: equal digests, unchanged database."""
    conn = sqlite3.connect(path)
    try:
        return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
    finally:
        conn.close()


def counts(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: conn.execute(f"SELECT COUNT(*) FROM [{t}]").fetchone()[0] for t in tables}
    finally:
        conn.close()


@pytest.fixture
def slack_zip(tmp_path: Path) -> Path:
    return zip_folder(SLACK, tmp_path / "slack-export.zip")


def with_example_duplicates(embedder: TestEmbedder) -> TestEmbedder:
    """``embedder``, told the duplicates the example exports hold (as counted by hand): in
    Slack a repost of #1 (merged) and a likely repost of #2 (asked), in Discord a repost."""
    embedder.same(
        "Dark mode for the editor, please. My eyes hurt at night.",
        "Dark mode for the editor please, my eyes hurt at night",
    )
    embedder.likely(
        "Export notes as PDF with the images included",
        "Could we have a way to export notes to PDF?",
    )
    embedder.same(
        "Sync bookmarks between the desktop and phone apps",
        "Sync bookmarks between the desktop and the phone apps",
    )
    return embedder


@pytest.fixture
def embedder() -> TestEmbedder:
    """The import tests' embedder: the test embedder with the examples' duplicates."""
    return with_example_duplicates(TestEmbedder())


def run(args: Sequence[str], embedder: TestEmbedder) -> Result:
    """The real CLI in-process, on ``embedder`` and a clean environment."""
    return CliRunner(env=CLEAN_ENV).invoke(main, list(args), obj={"embedder": embedder})


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database holding the Discord example, so "nothing changed" means something."""
    embedder = with_example_duplicates(TestEmbedder())  # module-wide: its own
    db = tmp_path_factory.mktemp("seeded") / "ideabot.db"
    result = run(["import", str(DISCORD), "--db", str(db)], embedder)
    assert result.exit_code == 0, result.output
    return db


@pytest.fixture
def db(seeded: Path, tmp_path: Path) -> Path:
    """A copy of the seeded database for one test."""
    copy = tmp_path / "ideabot.db"
    shutil.copy(seeded, copy)
    return copy

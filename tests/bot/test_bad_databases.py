"""Every CLI command against every kind of bad database file: one line, and not a byte changed.

Also: the commands that only read leave a good database exactly as it was (no migration,
no journal switch, no -wal/-shm files), an older schema is named and `ideabot migrate`
upgrades it, and a new database is readable by its owner only.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import stat
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from storage.database import AsyncDatabase, StoreError, connect
from storage.opening import KNOWN, SCHEMA_VERSION
from storage.schema import migrations
from tests.bot.importing.conftest import DISCORD, SLACK
from tests.bot.test_cli import CLEAN_ENV, assert_one_line_error
from tests.fakes.embedder import TestEmbedder

EVENTS = Path(__file__).resolve().parents[2] / "examples" / "community.jsonl"


def run(args: Sequence[str], embedder: TestEmbedder) -> Result:
    return CliRunner(env=CLEAN_ENV).invoke(main, list(args), obj={"embedder": embedder})


def snapshot(path: Path) -> tuple[object, ...]:
    """The file's bytes (or the folder's listing) and every file beside it, by name."""
    if path.is_dir():
        own: object = sorted(p.name for p in path.iterdir())
    elif path.exists():
        own = hashlib.sha256(path.read_bytes()).hexdigest()
    else:
        own = None
    return own, sorted(p.name for p in path.parent.iterdir())


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An ideabot database holding the Discord example export."""
    embedder = TestEmbedder()  # module-wide: a fresh one, nothing declared
    db = tmp_path_factory.mktemp("good") / "ideabot.db"
    result = run(["import", str(DISCORD), "--db", str(db)], embedder)
    assert result.exit_code == 0, result.output
    return db


def _zero(path: Path, good: Path) -> None:
    path.write_bytes(b"")


def _garbage(path: Path, good: Path) -> None:
    path.write_bytes(b"my shopping list\n" * 400)


def _foreign(path: Path, good: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE recipes (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO recipes (name) VALUES ('soup')")
    conn.commit()
    conn.close()


def _newer(path: Path, good: Path) -> None:
    shutil.copy(good, path)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('ideabot', '0099_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()


def _readonly(path: Path, good: Path) -> None:
    shutil.copy(good, path)
    path.chmod(0o444)


def _directory(path: Path, good: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text("a folder, not a database")


def _missing(path: Path, good: Path) -> None:
    pass


KINDS: dict[str, Callable[[Path, Path], None]] = {
    "missing": _missing,
    "zero bytes": _zero,
    "garbage": _garbage,
    "foreign SQLite": _foreign,
    "newer schema": _newer,
    "read-only file": _readonly,
    "directory": _directory,
}

# Every command that takes --db, as a user would run it.
COMMANDS: dict[str, list[str]] = {
    "ideas": ["ideas"],
    "ideas --top": ["ideas", "--top", "3"],
    "digest": ["digest", "--week", "2024-W10"],
    "export csv": ["export", "--format", "csv"],
    "export json": ["export", "--format", "json"],
    "import": ["import", str(SLACK)],
    "import --dry-run": ["import", str(SLACK), "--dry-run"],
    "migrate": ["migrate"],
    "demo": ["demo", "--events", str(EVENTS)],
    "run": ["run"],
}
READS = {"ideas", "ideas --top", "digest", "export csv", "export json", "import --dry-run"}


def expected_to_work(kind: str, command: str) -> bool:
    """Where a command may succeed: reads of a read-only file, writes of a missing one."""
    if kind == "read-only file":
        return command in READS
    if kind == "missing":
        return command in {"import", "import --dry-run", "demo"}
    return False


@pytest.mark.parametrize(
    ("kind", "command"),
    # The pairs that succeed are covered by the read-only and new-file tests.
    [(k, c) for c in COMMANDS for k in KINDS if not expected_to_work(k, c)],
)
def test_bad_database_is_refused_untouched(
    kind: str,
    command: str,
    good: Path,
    tmp_path: Path,
    embedder: TestEmbedder,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `run` without a token stops before opening anything; keep the caller's out.
    for name in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env of the caller's
    db = tmp_path / "data" / "ideabot.db"
    db.parent.mkdir()
    KINDS[kind](db, good)
    before = snapshot(db)
    try:
        result = run([*COMMANDS[command], "--db", str(db)], embedder)
        line = assert_one_line_error(result)
        if kind == "newer schema" and command != "run":
            assert "99" in line and str(SCHEMA_VERSION) in line, line
        if kind not in {"missing"} and command not in {"run", "demo"}:
            assert str(db) in line, line
        assert snapshot(db) == before
    finally:
        if db.exists() and not db.is_dir():
            db.chmod(0o644)


@pytest.mark.parametrize("command", sorted(READS))
def test_reads_leave_a_good_database_as_it_was(
    command: str, good: Path, tmp_path: Path, embedder: TestEmbedder
) -> None:
    db = tmp_path / "ideabot.db"
    shutil.copy(good, db)
    before = snapshot(db)
    result = run([*COMMANDS[command], "--db", str(db)], embedder)
    assert result.exit_code == 0, result.output
    assert snapshot(db) == before  # no -wal, no -shm, not a byte


@pytest.mark.parametrize("command", sorted(READS - {"import --dry-run"}))
def test_reads_work_on_a_read_only_file_in_a_read_only_folder(
    command: str, good: Path, tmp_path: Path, embedder: TestEmbedder
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "ideabot.db"
    shutil.copy(good, db)
    db.chmod(0o444)
    folder.chmod(0o555)
    try:
        before = snapshot(db)
        result = run([*COMMANDS[command], "--db", str(db)], embedder)
        assert result.exit_code == 0, result.output
        assert snapshot(db) == before
    finally:
        folder.chmod(0o755)
        db.chmod(0o644)


def test_a_dry_run_on_a_missing_database_creates_nothing(
    tmp_path: Path, embedder: TestEmbedder
) -> None:
    db = tmp_path / "new.db"
    result = run(["import", str(SLACK), "--dry-run", "--db", str(db)], embedder)
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == []


def test_a_new_database_is_readable_by_its_owner_only(
    tmp_path: Path, embedder: TestEmbedder
) -> None:
    db = tmp_path / "new.db"
    old = os.umask(0o022)
    try:
        result = run(["import", str(SLACK), "--db", str(db)], embedder)
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.db"]


def _older(path: Path) -> None:
    db = connect(path)
    migrations.apply(db, stop_before=KNOWN[-1])
    db.execute("INSERT INTO boards (name, created_at) VALUES ('old', '2024-01-01T00:00:00+00:00')")
    db.close()


def test_an_older_schema_is_named_by_reads_and_upgraded_by_migrate(
    tmp_path: Path, embedder: TestEmbedder
) -> None:
    db = tmp_path / "old.db"
    _older(db)
    before = snapshot(db)
    for command in sorted(READS):
        line = assert_one_line_error(run([*COMMANDS[command], "--db", str(db)], embedder))
        assert "ideabot migrate" in line and str(SCHEMA_VERSION) in line, line
        assert snapshot(db) == before
    result = run(["migrate", "--db", str(db)], embedder)
    assert result.exit_code == 0, result.output
    assert f"-> {SCHEMA_VERSION}" in result.stdout
    again = run(["migrate", "--db", str(db)], embedder)
    assert "nothing to do" in again.stdout
    listed = run(["ideas", "--db", str(db)], embedder)
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.strip() == "No ideas."


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "missing"])
@pytest.mark.parametrize("create", [True, False])
async def test_the_store_refuses_a_bad_file_for_writing_and_reading(
    kind: str, create: bool, good: Path, tmp_path: Path
) -> None:
    """What `ideabot run` (and every writer) opens with: the same refusals, untouched."""
    db = tmp_path / "ideabot.db"
    KINDS[kind](db, good)
    before = snapshot(db)
    try:
        if kind == "read-only file" and not create:
            opened = await AsyncDatabase.open(db, create=False)  # reading it is fine
            await opened.close()
        else:
            with pytest.raises(StoreError, match=str(db)):
                await AsyncDatabase.open(db, create=create)
        assert snapshot(db) == before
    finally:
        if db.exists() and not db.is_dir():
            db.chmod(0o644)


def test_reads_see_what_a_running_bot_has_written(
    good: Path, tmp_path: Path, embedder: TestEmbedder
) -> None:
    """With a writer attached (its -wal file exists) reads go through SQLite's locks and see
    its latest commit, which is still only in the -wal file."""
    db = tmp_path / "ideabot.db"
    shutil.copy(good, db)
    writer = connect(db)  # as `ideabot run` holds it: WAL, never checkpointed here
    try:
        writer.execute("PRAGMA wal_autocheckpoint=0")
        writer.execute("UPDATE ideas SET title = 'Renamed while running' WHERE number = 1")
        assert Path(f"{db}-wal").exists()
        result = run(["export", "--db", str(db), "--format", "json"], embedder)
        assert result.exit_code == 0, result.output
        assert "Renamed while running" in result.stdout
    finally:
        writer.close()

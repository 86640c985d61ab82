"""Looking at a database file before opening it: is it ideabot's, and at which schema version.

Everything here reads without writing: the file's first bytes, then a read-only
SQLite connection (``mode=ro``, or ``immutable=1`` where no ``-wal`` file exists,
because SQLite would otherwise create ``-wal`` and ``-shm`` files beside a WAL
database even for a read-only connection and leave them behind).

The schema version is the highest number among the applied migrations' names
(``0007_import`` is version 7); a database whose applied migrations include a name
this ideabot does not know was written by a newer ideabot.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from storage.errors import StoreError
from storage.schema import migrations

SQLITE_MAGIC = b"SQLite format 3\x00"
MIGRATIONS_TABLE = "_sqlite_migrations"
MIGRATION_SET = "ideabot"


def version_of(name: str) -> int:
    """The schema version a migration name brings: its leading number (``0007_x`` is 7)."""
    digits = name.split("_", 1)[0]
    return int(digits) if digits.isdigit() else 0


KNOWN = tuple(m.name for m in migrations._migrations)
SCHEMA_VERSION = max(version_of(name) for name in KNOWN)


@dataclass(frozen=True)
class Found:
    """What a database file holds, as far as ideabot is concerned."""

    empty: bool  # a SQLite file without a single table: nobody's yet
    version: int  # the schema version applied (0 when empty)
    pending: int  # migrations this ideabot would still apply


def readonly_uri(path: Path, *, live: bool = False) -> str:
    """A URI that opens ``path`` without creating or changing any file.

    ``live``: for a reader that stays open (the web board) and must see what other
    processes commit meanwhile: never immutable, so SQLite may create the ``-wal`` and
    ``-shm`` files beside the database (as any process in WAL mode does); the database
    itself is still never written.
    """
    immutable = not live and not Path(f"{path}-wal").exists()
    # No -wal file: no process has the database open, and nothing waits to be
    # checkpointed, so the main file is the whole database.
    suffix = "immutable=1" if immutable else "mode=ro"
    return f"file:{quote(str(path.resolve()))}?{suffix}"


def inspect(path: Path, *, for_write: bool) -> Found | None:
    """What the database at ``path`` is; None when there is no file (yet).

    StoreError, with what to do, for anything that must not be opened: a folder, a
    device, an empty or foreign or damaged file, a newer schema, and (``for_write``)
    a file without write permission.
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        if not path.parent.is_dir():
            raise StoreError(f"the folder {path.parent} does not exist") from None
        return None
    except OSError as exc:
        raise StoreError(f"{path} cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise StoreError(f"{path} is a directory, not a database file; give a file with --db")
    if not stat.S_ISREG(info.st_mode):
        raise StoreError(f"{path} is not a regular file (a device or pipe?); give a file with --db")
    if info.st_size == 0:
        raise StoreError(
            f"{path} is an empty file, not an ideabot database; remove it or give another --db"
        )
    if for_write and not info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise StoreError(f"{path} is read-only; make it writable (chmod u+w) or give another --db")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise StoreError(f"{path} cannot be read ({exc.strerror or exc})") from None
    if header != SQLITE_MAGIC:
        raise StoreError(f"{path} is not a SQLite database; nothing was changed")
    try:
        return _found(path)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path} is damaged or not a SQLite database ({exc})") from None


def _found(path: Path) -> Found:
    conn = sqlite3.connect(readonly_uri(path), uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        applied: list[str] = []
        if MIGRATIONS_TABLE in tables:
            applied = [
                r[0]
                for r in conn.execute(
                    f"SELECT name FROM {MIGRATIONS_TABLE} WHERE migration_set = ?",
                    [MIGRATION_SET],
                )
            ]
    finally:
        conn.close()
    if not tables:
        return Found(empty=True, version=0, pending=len(KNOWN))
    if not applied:
        shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
        raise StoreError(
            f"{path} is another program's SQLite database (tables {shown}), not ideabot's;"
            " nothing was changed"
        )
    version = max(version_of(name) for name in applied)
    unknown = set(applied) - set(KNOWN)
    if unknown or version > SCHEMA_VERSION:
        raise StoreError(
            f"{path} has schema version {version} from a newer ideabot; this ideabot knows"
            f" schema version {SCHEMA_VERSION}: upgrade ideabot to use it"
        )
    return Found(empty=False, version=version, pending=len(set(KNOWN) - set(applied)))


def check_readable(path: Path) -> None:
    """StoreError unless ``path`` is an ideabot database a read can use as it is."""
    found = inspect(path, for_write=False)
    if found is None:
        raise StoreError(f"no database at {path}")
    if found.empty:
        raise StoreError(f"{path} holds no ideabot data yet (an empty SQLite file)")
    if found.pending:
        raise StoreError(
            f"{path} has schema version {found.version} and this ideabot needs version"
            f" {SCHEMA_VERSION}: run `ideabot migrate --db {path}` first (back the file up)"
        )


def create_private(path: Path) -> None:
    """Create ``path`` empty, readable and writable by its owner only (it holds member ids)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as exc:
        raise StoreError(f"cannot create {path} ({exc.strerror or exc})") from None
    os.close(fd)


# What SQLite's own messages mean for the person at the keyboard.
_ADVICE = (
    ("database or disk is full", "the disk is full: free some space and run it again"),
    ("disk i/o error", "the disk failed to write (full, or a file size limit?): free space"),
    ("database is locked", "another process holds the database's lock (a running ideabot?);"),
    ("readonly database", "no permission to write the file or its folder"),
    ("unable to open database file", "the file or its folder cannot be opened for writing"),
    ("malformed", "the database file is damaged: restore a backup"),
    ("not a database", "the file is not a SQLite database"),
)


def sqlite_problem(path: Path | str, exc: BaseException) -> StoreError:
    """A one-line StoreError for a SQLite error on ``path``, saying what to do."""
    text = str(exc) or type(exc).__name__
    lowered = text.lower()
    for needle, advice in _ADVICE:
        if needle in lowered:
            if needle == "database is locked":
                advice += " try again when it is done"
            return StoreError(f"{path}: {text}; {advice}; nothing was changed")
    return StoreError(f"{path}: SQLite error ({text}); nothing was changed")


def board_names(path: Path) -> list[str] | None:
    """The names of the boards in the database at ``path``, read without writing; None
    when there is no file. StoreError for a file that is not ideabot's (or a newer one's)."""
    if inspect(path, for_write=True) is None:
        return None
    conn = sqlite3.connect(readonly_uri(path), uri=True)
    try:
        return [r[0] for r in conn.execute("SELECT name FROM boards")]
    except sqlite3.DatabaseError:
        return []
    finally:
        conn.close()

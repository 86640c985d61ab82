"""Which engine a database setting names, and opening it: a file path is SQLite, a
``postgresql://`` URL is PostgreSQL. The core gets a ``storage.port.Store`` from here
and never learns which."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from storage.errors import StoreError
from storage.port import Store

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def is_postgres(target: str | Path) -> bool:
    """True for a PostgreSQL URL; anything else is a SQLite file path."""
    return isinstance(target, str) and target.startswith(POSTGRES_SCHEMES)


def shown(target: str | Path) -> str:
    """The database for messages: a path, or a URL without its password."""
    if not is_postgres(target):
        return str(target)
    from storage.postgres.connect import redact

    return redact(str(target))


async def open_store(target: str | Path, *, create: bool = True, live: bool = False) -> Store:
    """The store at ``target``, migrated to the current schema.

    With ``create=False`` it is opened read-only: nothing is created or migrated, and a
    write is a StoreError; ``live`` then sees what other processes commit meanwhile
    (always so on PostgreSQL).
    """
    if is_postgres(target):
        from storage.postgres.store import PostgresStore

        return await PostgresStore.open(str(target), create=create)
    from storage.sqlite_store import SqliteStore

    return await SqliteStore.open(Path(target), create=create, live=live)


def store_problem(where: str | Path, exc: BaseException) -> StoreError | None:
    """A one-line StoreError for an engine's own error, or None when ``exc`` is not one."""
    if isinstance(exc, sqlite3.Error):
        from storage.opening import sqlite_problem

        return sqlite_problem(where, exc)
    import psycopg

    if isinstance(exc, psycopg.Error):
        from storage.postgres.connect import postgres_problem

        return postgres_problem(str(where), exc)
    return None


def upgrade(target: str | Path) -> tuple[int, int]:
    """Migrate the existing database at ``target`` to this ideabot's schema: (before, after)."""
    if is_postgres(target):
        from storage.postgres.store import upgrade_postgres

        return upgrade_postgres(str(target))
    from storage.database import upgrade as upgrade_sqlite

    return upgrade_sqlite(Path(target))


def board_names(path: Path) -> list[str] | None:
    """The names of the boards in the SQLite file at ``path``, read without writing; None
    when there is no file. StoreError for a file that is not an ideabot database."""
    from storage.opening import board_names as read_names

    return read_names(path)


def copy_database(
    source: str | Path,
    target: str | Path,
    *,
    replace: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Copy every row of ``source`` into ``target``, one engine into the other, in one
    transaction on the target: the rows copied per table. See ``storage.copy``."""
    from storage.copy import copy_database as copy

    return copy(source, target, replace=replace, progress=progress).rows

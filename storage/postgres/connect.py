"""Reaching a PostgreSQL database: URLs without their passwords in messages, one-line
errors, and the migrations (applied under an advisory lock, so processes starting
together apply each once)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

import psycopg

from storage.errors import StoreError
from storage.postgres.schema import MIGRATIONS, SCHEMA_VERSION, version_of

# The advisory lock key every ideabot process takes while it migrates.
MIGRATION_LOCK = 0x1DEAB07

_MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS ideabot_migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)
"""


def redact(url: str) -> str:
    """The URL with its password replaced by ``***``: safe to print or log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = netloc[0].split(":", 1)[0]
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[1]}"))


def postgres_problem(where: str, exc: BaseException) -> StoreError:
    """A one-line StoreError for a PostgreSQL error, naming the database without secrets."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    if isinstance(exc, psycopg.OperationalError):
        return StoreError(f"{redact(where)}: cannot reach PostgreSQL ({text})")
    return StoreError(f"{redact(where)}: PostgreSQL error ({text}); nothing was changed")


async def applied(conn: psycopg.AsyncConnection) -> list[str] | None:
    """Names of the migrations applied; None when the database has no ideabot schema."""
    found = await conn.execute("SELECT to_regclass('ideabot_migrations') IS NOT NULL")
    row = await found.fetchone()
    if row is None or not row[0]:
        return None
    cursor = await conn.execute("SELECT name FROM ideabot_migrations ORDER BY name")
    return [r[0] for r in await cursor.fetchall()]


def check_version(where: str, names: list[str]) -> int:
    """The schema version of ``names``; StoreError when a newer ideabot wrote them."""
    known = {name for name, _ in MIGRATIONS}
    newer = [n for n in names if n not in known]
    if newer:
        raise StoreError(
            f"{redact(where)} was written by a newer ideabot (schema {max(map(version_of, newer))},"
            f" this one knows {SCHEMA_VERSION}); upgrade ideabot"
        )
    return max((version_of(n) for n in names), default=0)


async def migrate(conn: psycopg.AsyncConnection, where: str) -> tuple[int, int]:
    """Create the schema or bring it up to date: (version before, version after)."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", [MIGRATION_LOCK])
        await conn.execute(_MIGRATIONS_TABLE)
        done = await applied(conn) or []
        before = check_version(where, done)
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            await conn.execute(sql.encode())
            await conn.execute("INSERT INTO ideabot_migrations (name) VALUES (%s)", [name])
    return before, SCHEMA_VERSION


async def check_readable(conn: psycopg.AsyncConnection, where: str) -> None:
    """StoreError unless the database holds ideabot's current schema (nothing is written)."""
    names = await applied(conn)
    if names is None:
        raise StoreError(f"{redact(where)} holds no ideabot database yet; nothing was changed")
    version = check_version(where, names)
    if version < SCHEMA_VERSION:
        raise StoreError(
            f"{redact(where)} is at schema version {version}; run `ideabot migrate` first"
        )

"""Looking into a test's database directly, whichever engine holds it: for tests that
check what was (or was not) stored, beneath the store's interface."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import psycopg

from bot.app import App
from storage.engines import is_postgres


def rows(app: App, sql: str) -> list[tuple[Any, ...]]:
    """The rows ``sql`` (plain SQL both engines read alike) finds in the app's database."""
    where = app.core.store.location
    if is_postgres(where):
        with psycopg.connect(where) as conn:
            return list(conn.execute(sql.encode()).fetchall())
    conn3 = sqlite3.connect(where)
    try:
        return conn3.execute(sql).fetchall()
    finally:
        conn3.close()


def count(app: App, sql: str) -> int:
    return int(rows(app, sql)[0][0])


def as_json(value: Any) -> Any:
    """A JSON column's value: SQLite hands back text, PostgreSQL the value itself."""
    return json.loads(value) if isinstance(value, str) else value


def snapshot(app: App) -> str:
    """Every row of every table of the app's database, as text: equal, unchanged."""
    where = app.core.store.location
    if not is_postgres(where):
        conn3 = sqlite3.connect(where)
        try:
            return "\n".join(conn3.iterdump())
        finally:
            conn3.close()
    lines = []
    with psycopg.connect(where) as conn:
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables"
            " WHERE table_schema = current_schema() ORDER BY table_name"
        ).fetchall()
        for (table,) in tables:
            found = conn.execute(f"SELECT * FROM {table}".encode()).fetchall()
            lines += [f"{table}: {row!r}" for row in sorted(found, key=repr)]
    return "\n".join(lines)

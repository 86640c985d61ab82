"""Commands and helpers around the database file: `ideabot migrate`, the demo's file, safe CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from bot.cli_errors import db_option, fail, load_settings
from bot.errors import IdeabotError
from storage.engines import board_names, shown, upgrade
from storage.errors import StoreError

# A spreadsheet evaluates a cell starting with one of these (OWASP, "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """``value``, with a ``'`` in front when a spreadsheet would run it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_csv_row(row: dict[str, Any]) -> dict[str, Any]:
    """Every text cell of ``row`` made safe to open in a spreadsheet."""
    return {key: safe_cell(value) for key, value in row.items()}


@click.command("migrate")
@db_option
def migrate_command(db_path: Path | str | None) -> None:
    """Upgrade an existing database to this ideabot's schema (writes; back it up first).

    The commands that only read (ideas, digest, export, every --dry-run) never
    migrate; they ask for this command when a database is older than this ideabot.

    \b
    Example:
      cp ideabot.db ideabot.db.bak && ideabot migrate --db ideabot.db
    """
    target = db_path or load_settings().db
    path = shown(target)
    try:
        before, after = upgrade(target)
    except StoreError as exc:
        fail(str(exc))
    if before == after:
        click.echo(f"{path} is at schema version {after} already; nothing to do.")
    else:
        click.echo(f"{path}: schema version {before} -> {after}.")


def clear_demo_db(path: Path) -> None:
    """Remove the demo database at ``path`` so the demo can replay it; refuse any other file."""
    refusal = IdeabotError(f"{path} is not a demo database; give the demo another --db path")
    try:
        names = board_names(path)
    except StoreError as exc:  # newer (named as such), foreign, empty, read-only, not a file
        if "newer ideabot" in str(exc):
            raise
        raise refusal from None
    if names is None:
        return
    if names != ["trailmix"]:
        raise refusal
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)

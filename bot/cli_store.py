"""Commands and helpers around the database file: `ideabot migrate`, the demo's file, safe CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from bot.cli_errors import DATABASE, db_option, fail, load_settings
from bot.errors import IdeabotError
from storage.engines import board_names, copy_database, shown, store_problem, upgrade
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


@click.command("copy-db")
@click.argument("source", type=DATABASE)
@click.argument("target", type=DATABASE)
@click.option(
    "--replace",
    is_flag=True,
    help="Delete what TARGET holds first (in the same transaction as the copy).",
)
def copy_db_command(source: Path | str, target: Path | str, replace: bool) -> None:
    """Copy every board with its whole history from SQLite to PostgreSQL, or back.

    Ideas, messages, reaction facts, merges, statuses with notes, the moderation log,
    digests posted, channels and cursors, link codes: every row, ids kept, in one
    transaction on TARGET (created and migrated if new). SOURCE is only read. A TARGET
    that holds boards already is refused unless --replace is given.

    \b
    Example:
      ideabot copy-db ideabot.db postgresql://ideabot@db.internal/ideabot
      ideabot copy-db postgresql://ideabot@db.internal/ideabot backup.db
    """
    bar: Any = None

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if bar is None and sys.stderr.isatty():
            bar = click.progressbar(length=total, label=stage, file=sys.stderr)
            bar.__enter__()
        if bar is not None:
            bar.update(done - bar.pos)

    try:
        rows = copy_database(source, target, replace=replace, progress=progress)
    except StoreError as exc:
        fail(str(exc))
    except Exception as exc:
        problem = store_problem(shown(target), exc)
        if problem is None:
            raise
        fail(str(problem))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    copied = ", ".join(f"{n:,} {name}" for name, n in rows.items() if n)
    click.echo(f"copied {shown(source)} to {shown(target)}: {copied or 'no rows'}")


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

"""`ideabot import`: a Slack export or DiscordChatExporter files into a board."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click

from bot.app import build_app
from bot.cli_errors import DATABASE, DB_HELP
from bot.errors import IdeabotError
from bot.importing.importer import ImportReport, import_export
from bot.importing.model import ParsedExport
from bot.importing.reader import read_export
from bot.settings import Settings
from dedupe.embedder import Embedder, EmbedderError
from storage.engines import store_problem
from storage.errors import StoreError

# Below this much work no bar is drawn: a small import is over before it would help.
BAR_MIN = 500
LISTED = 20  # merges and suggestions listed in the summary, at most


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


@click.command("import")
@click.argument(
    "paths", nargs=-1, required=True, metavar="PATH...", type=click.Path(path_type=Path)
)
@click.option("--board", default=None, help="Import into this existing board, by name.")
@click.option(
    "--channel",
    "channels",
    multiple=True,
    help="Only this channel (name or id; repeat for more). Default: every channel.",
)
@click.option("--db", "db_path", type=DATABASE, default=None, help=DB_HELP + " Created if new.")
@click.option("--dry-run", is_flag=True, help="Show what would be imported; write nothing.")
@click.option(
    "--skip-bad-files",
    is_flag=True,
    help="Import everything else when a file or message cannot be read (listed at the end).",
)
@click.pass_context
def import_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    board: str | None,
    channels: tuple[str, ...],
    db_path: Path | str | None,
    dry_run: bool,
    skip_bad_files: bool,
) -> None:
    """Import chat history: ideas, votes and duplicates from a Slack or Discord export.

    PATH is a Slack workspace export (the zip, or its unpacked folder) or one or more
    DiscordChatExporter JSON files (or a folder of them: a channel and its threads).
    Top-level messages become ideas, vote-emoji reactions become votes, duplicates
    are merged or suggested as in live capture. Importing the same export again adds
    nothing twice. The import is one transaction: it is stored whole or not at all.

    \b
    Example:
      ideabot import slack-export.zip --channel feature-requests --dry-run
      ideabot import slack-export.zip --channel feature-requests
      ideabot import exports/ideas.json exports/ideas-threads/ --db backlog.db
    """
    try:
        settings = Settings()
    except Exception as exc:  # pydantic's ValidationError names the bad variable
        _fail(f"bad setting: {exc}".splitlines()[0] + " (check your environment and .env)")
    try:
        export = read_export(paths, channels=channels, skip_bad=skip_bad_files)
    except IdeabotError as exc:
        _fail(str(exc))
    target_db = db_path or settings.db
    if board is not None and not dry_run and isinstance(target_db, Path) and not target_db.exists():
        _fail(f"no database at {target_db}, so no board named {board!r}")
    # Tests hand in the model they already loaded; the command loads its own otherwise.
    embedder = (ctx.obj or {}).get("embedder") if isinstance(ctx.obj, dict) else None
    try:
        report = asyncio.run(_run(settings, target_db, export, board, dry_run, embedder))
    except (IdeabotError, StoreError, EmbedderError) as exc:
        _fail(str(exc))
    except Exception as exc:  # disk full, file size limit, a lock held too long
        problem = store_problem(target_db, exc)
        if problem is None:
            raise
        _fail(str(problem))
    _print_report(report)


async def _run(
    settings: Settings,
    db_path: Path | str,
    export: ParsedExport,
    board: str | None,
    dry_run: bool,
    embedder: Embedder | None,
) -> ImportReport:
    with tempfile.TemporaryDirectory() as scratch:
        if dry_run and isinstance(db_path, Path) and not db_path.exists():
            # A dry run writes nothing, not even a new database: plan against an empty one.
            db_path = Path(scratch) / "dry-run.db"
        # A dry run on an existing database opens it read-only (create=False).
        readonly = dry_run and (not isinstance(db_path, Path) or db_path.parent != Path(scratch))
        app = await build_app(settings, db_path=db_path, embedder=embedder, create=not readonly)
        try:
            with _bars() as progress:
                return await import_export(
                    app.core, export, board_name=board, dry_run=dry_run, progress=progress
                )
        finally:
            await app.close()


@contextmanager
def _bars() -> Iterator[Callable[[str, int, int], None]]:
    """A progress callback drawing one bar per stage on stderr (embedding, then votes)."""
    bars: dict[str, Any] = {}
    done: dict[str, int] = {}

    def update(stage: str, count: int, total: int) -> None:
        if total < BAR_MIN:
            return
        if stage not in bars:
            for bar in bars.values():
                bar.render_finish()
            bars[stage] = click.progressbar(length=total, label=stage.ljust(14), file=sys.stderr)
            done[stage] = 0
        bars[stage].update(count - done[stage])
        done[stage] = count

    try:
        yield update
    finally:
        for bar in bars.values():
            bar.render_finish()


def _print_report(report: ImportReport) -> None:
    echo = click.echo
    verb = "Would import" if report.dry_run else "Imported"
    board = f"{report.board} (new)" if report.created_board else report.board
    echo(f"{verb} {report.kind} into board {board}: {', '.join(report.channels) or 'no channels'}")
    echo(f"  ideas:           {report.ideas}")
    echo(f"    merged:        {report.merged}  (same idea as one before: votes count there)")
    echo(f"    suggested:     {report.suggested}  (pending 'same as #N?' for a moderator)")
    echo(f"  votes:           {report.votes + report.anonymous_votes}")
    echo(f"    named:         {report.votes}")
    echo(f"    anonymous:     {report.anonymous_votes}  (the export gave a count, not who)")
    if report.retired_anonymous:
        echo(f"    anonymous ended: {report.retired_anonymous}  (now named by this export)")
    skipped = sum(report.skipped.values())
    echo(f"  skipped:         {skipped}")
    for reason, count in sorted(report.skipped.items(), key=lambda item: (-item[1], item[0])):
        echo(f"    {reason}: {count}")
    for title, lines in (("Merges", report.merges), ("Possible duplicates", report.suggestions)):
        if lines:
            echo(f"{title}:")
            for line in lines[:LISTED]:
                echo(f"  {line}")
            if len(lines) > LISTED:
                echo(f"  ... and {len(lines) - LISTED} more")
    if report.top:
        echo("Top ideas:" if not report.dry_run else "Top new ideas by imported votes:")
        for idea in report.top:
            number = f"#{idea.number}" if idea.number is not None else "-"
            echo(f"  {number:>6}  {idea.votes:>5}  {idea.title[:80]}")
    if report.problems:
        echo(f"Left out ({len(report.problems)}):", err=True)
        for problem in report.problems:
            echo(f"  {problem}", err=True)
    if report.dry_run:
        echo("Dry run: nothing was written.")

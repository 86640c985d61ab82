"""`ideabot thresholds`: a board's duplicate thresholds, what they rest on, and their reset."""

from __future__ import annotations

from pathlib import Path

import click

from bot.app import build_app
from bot.cli_errors import board_option, db_option, load_settings, pick_board, run_async
from bot.errors import IdeabotError
from bot.moderation import reset_thresholds
from bot.pairs import threshold_lines


@click.command("thresholds")
@db_option
@board_option
@click.option(
    "--reset",
    is_flag=True,
    help="Set the board's decisions aside and put its thresholds back to the defaults.",
)
def thresholds_command(db_path: Path | str | None, board: str | None, reset: bool) -> None:
    """Show a board's duplicate thresholds and the decisions they rest on; or reset them.

    Without --reset the database is only read.

    \b
    Example:
      ideabot thresholds --board trailmix
      ideabot thresholds --board trailmix --reset
    """
    settings = load_settings()
    path = db_path or settings.db

    async def go() -> None:
        if reset and isinstance(path, Path) and not path.is_file():
            raise IdeabotError(f"{path} is not a database file")
        app = await build_app(settings, db_path=path, create=reset)
        try:
            chosen = await pick_board(app.core, board)
            if reset:
                current = await reset_thresholds(app.core, chosen, None)
                click.echo(f"Board {chosen.name}: thresholds reset to the defaults.")
            else:
                current = await app.core.pairs.thresholds(chosen)
                click.echo(f"Board {chosen.name}")
            for line in threshold_lines(current):
                click.echo(line)
        finally:
            await app.close()

    run_async(go())

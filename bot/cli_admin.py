"""`ideabot boards` and `ideabot channels`: set up boards and their channels from the shell.

Every change goes through the core (bot.admin) as the operator: the OS user, recorded in
the board's moderation log like a moderator in chat.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import click

from bot.admin import Admin, operator, parse_place
from bot.app import App, build_app
from bot.board_merge import BoardMerged, merge_boards, plan
from bot.channels import PURPOSES
from bot.cli_errors import (
    SafeGroup,
    db_option,
    fail,
    load_settings,
    pick_board,
    run_async,
    text_option,
)
from storage.engines import open_store

T = TypeVar("T")

format_option = click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
board_required = click.option(
    "--board",
    default=None,
    callback=text_option,
    help="Board name; may be left out when the database has one board.",
)


def with_operator_app(
    db_path: Path | str | None,
    work: Callable[[App], Awaitable[T]],
    *,
    write: bool = False,
    create: bool = False,
) -> T:
    """Open the database, run ``work``, close it. Read-only unless ``write``; ``create``
    makes the database when it is new, else a database that is not there stays so."""
    settings = load_settings()

    async def main() -> T:
        if write and not create:
            # The checks of a read-only open first: a missing or foreign database is one
            # line and is left as it is (a writable open would create it).
            await (await open_store(db_path or settings.db, create=False)).close()
        app = await build_app(settings, db_path=db_path, create=write or create)
        try:
            return await work(app)
        finally:
            await app.close()

    return run_async(main())


def echo_json(data: Any) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=2))


@click.group("boards", cls=SafeGroup)
def boards_group() -> None:
    """List, create, rename and merge boards.

    \b
    Example:
      ideabot boards create feedback
      ideabot boards list --format json
      ideabot boards rename feedback product-ideas
      ideabot boards merge slack-team feedback --yes
    """


@boards_group.command("list")
@db_option
@format_option
def boards_list(db_path: Path | str | None, fmt: str) -> None:
    """Every board: its communities, channels and idea count.

    \b
    Example:
      ideabot boards list
      ideabot boards list --format json
    """
    listed = with_operator_app(db_path, lambda app: Admin(app.core).summaries())
    if fmt == "json":
        echo_json([asdict(b) for b in listed])
        return
    if not listed:
        click.echo("No boards. Create one: ideabot boards create NAME")
        return
    for b in listed:
        click.echo(
            f"{b.name}: {b.ideas} ideas; communities: {', '.join(b.communities) or '-'};"
            f" idea channels: {', '.join(b.idea_channels) or '-'};"
            f" digest channels: {', '.join(b.digest_channels) or '-'}"
        )


@boards_group.command("create")
@click.argument("name", callback=text_option)
@db_option
def boards_create(name: str, db_path: Path | str | None) -> None:
    """Create a board NAME (the database too, when it is new).

    \b
    Example:
      ideabot boards create feedback --db ideabot.db
    """
    board = with_operator_app(
        db_path, lambda app: Admin(app.core).create_board(operator(), name), create=True
    )
    click.echo(f"created board {board.name!r}")


@boards_group.command("rename")
@click.argument("old", callback=text_option)
@click.argument("new", callback=text_option)
@db_option
def boards_rename(old: str, new: str, db_path: Path | str | None) -> None:
    """Rename board OLD to NEW.

    \b
    Example:
      ideabot boards rename guild-one product-ideas
    """
    with_operator_app(
        db_path, lambda app: Admin(app.core).rename_board(operator(), old, new), write=True
    )
    click.echo(f"renamed board {old!r} to {new!r}")


@boards_group.command("merge")
@click.argument("source", callback=text_option)
@click.argument("into", callback=text_option)
@click.option("--yes", is_flag=True, help="Merge without asking first.")
@db_option
@format_option
def boards_merge(source: str, into: str, yes: bool, db_path: Path | str | None, fmt: str) -> None:
    """Merge board SOURCE into board INTO: SOURCE's ideas move with their votes, merges,
    statuses and history, numbered after INTO's highest; its communities and channels
    join INTO; SOURCE is deleted. Prints the old and new numbers, and the ideas that may
    be duplicates of INTO's (offered as suggestions, never merged on their own).

    \b
    Example:
      ideabot boards merge slack-team feedback
      ideabot boards merge slack-team feedback --yes --format json
    """
    if source == into:
        fail(f"board {source[:60]!r} cannot be merged into itself")
    if not yes:
        found = with_operator_app(db_path, lambda app: plan(app.core, source, into))
        last = found.first_number + found.ideas - 1
        numbers = f" (as #{found.first_number}-#{last})" if found.ideas else ""
        click.confirm(
            f"Merge board {found.source.name!r} into {found.into.name!r}: its {found.ideas}"
            f" ideas move{numbers} and {found.source.name!r} is deleted. Go on?",
            abort=True,
            err=True,
        )

    async def work(app: App) -> BoardMerged:
        chosen = await plan(app.core, source, into)
        return await merge_boards(app.core, operator(), chosen.source, chosen.into)

    merged = with_operator_app(db_path, work, write=True)
    if fmt == "json":
        echo_json(
            {
                "source": merged.source,
                "into": merged.into.name,
                "numbers": [{"old": old, "new": new} for old, new in merged.numbers],
                "suggestions": [asdict(s) for s in merged.suggestions],
            }
        )
        return
    click.echo(
        f"merged board {merged.source!r} into {merged.into.name!r}:"
        f" {len(merged.numbers)} ideas renumbered"
    )
    for old, new in merged.numbers:
        click.echo(f"  #{old} -> #{new}")
    if merged.suggestions:
        click.echo("possibly the same idea (answer with: ideabot idea merge N INTO):")
    for s in merged.suggestions:
        click.echo(f"  #{s.number} and #{s.candidate} (pair score {s.score:.2f})")


@click.group("channels", cls=SafeGroup)
def channels_group() -> None:
    """List, attach and detach a board's idea and digest channels.

    A channel is PLATFORM:ID, like discord:123456789012345678 or slack:C0123ABC.

    \b
    Example:
      ideabot channels add --board feedback discord:1234 --workspace 98765
      ideabot channels add --board feedback slack:C0DIGEST --purpose digest
      ideabot channels list --board feedback
    """


@channels_group.command("list")
@db_option
@board_required
@format_option
def channels_list(db_path: Path | str | None, board: str | None, fmt: str) -> None:
    """A board's idea and digest channels.

    \b
    Example:
      ideabot channels list --board feedback --format json
    """

    async def work(app: App) -> list[dict[str, str]]:
        chosen = await pick_board(app.core, board)
        found = []
        for purpose in PURPOSES:
            for row in await app.core.store.channels.of_board(chosen.id, purpose):
                found.append(
                    {
                        "channel": f"{row.platform}:{row.channel_id}",
                        "workspace": row.workspace_id,
                        "purpose": purpose,
                    }
                )
        return found

    rows = with_operator_app(db_path, work)
    if fmt == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo("No channels.")
    for row in rows:
        click.echo(f"{row['purpose']:<7} {row['channel']} (workspace {row['workspace']})")


def _channel_command(enabled: bool) -> Callable[..., None]:
    def command(
        db_path: Path | str | None,
        board: str | None,
        channel: str,
        purpose: str,
        workspace: str | None,
    ) -> None:
        place = parse_place(channel)

        async def work(app: App) -> str:
            chosen = await pick_board(app.core, board)
            return await Admin(app.core).set_channel(
                chosen, operator(), place, purpose, enabled, workspace
            )

        workspace_id = with_operator_app(db_path, work, write=True)
        done = "attached" if enabled else "detached"
        click.echo(f"{done} {channel} ({purpose}, workspace {workspace_id})")

    return command


def _channel_options(fn: Callable[..., None]) -> Callable[..., None]:
    fn = click.option(
        "--workspace",
        default=None,
        callback=text_option,
        help="The Discord server or Slack workspace id the channel is in"
        " (default: the board's only one on that platform).",
    )(fn)
    fn = click.option("--purpose", type=click.Choice(PURPOSES), default="ideas", show_default=True)(
        fn
    )
    fn = click.argument("channel", callback=text_option)(fn)
    fn = board_required(fn)
    return db_option(fn)


channels_group.command(
    "add",
    help="Attach CHANNEL (PLATFORM:ID) to a board as an idea or digest channel.\n\n"
    "\b\nExample:\n  ideabot channels add --board feedback discord:1234 --workspace 98765\n"
    "  ideabot channels add --board feedback slack:C0DIGEST --purpose digest",
)(_channel_options(_channel_command(True)))
channels_group.command(
    "remove",
    help="Detach CHANNEL (PLATFORM:ID) from a board.\n\n"
    "\b\nExample:\n  ideabot channels remove --board feedback slack:C0DIGEST --purpose digest",
)(_channel_options(_channel_command(False)))

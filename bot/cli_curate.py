"""`ideabot config` and `ideabot idea`: a board's settings and its ideas, from the shell.

The same moderator services as the chat commands (bot.moderation), the operator as the
actor: the same checks, the same moderation log.
"""

from __future__ import annotations

from pathlib import Path

import click

from bot.admin import operator
from bot.app import App
from bot.boards import SETTING_NAMES
from bot.cli_admin import board_required, echo_json, format_option, with_operator_app
from bot.cli_errors import SafeGroup, db_option, pick_board, text_option
from bot.core import view
from bot.domain import Status
from bot.moderation import NOTE_MAX
from bot.results import idea_json
from bot.web_access import WEB_SETTINGS

NUMBER = click.IntRange(1, 2**31 - 1)


@click.group("config", cls=SafeGroup)
def config_group() -> None:
    """Show and change a board's settings (those the chat command /ideabot config sets).

    \b
    Example:
      ideabot config show --board feedback
      ideabot config set --board feedback digest_weekday friday
      ideabot config set --board feedback vote_emoji "👍 heart"
    """


@config_group.command("show")
@db_option
@board_required
@format_option
def config_show(db_path: Path | str | None, board: str | None, fmt: str) -> None:
    """A board's settings.

    \b
    Example:
      ideabot config show --board feedback --format json
    """

    async def work(app: App) -> dict[str, object]:
        chosen = await pick_board(app.core, board)
        data = chosen.settings.to_json()
        access = await app.core.store.pages.access(chosen.id)
        shown: dict[str, object] = {key: data[key] for key in SETTING_NAMES}
        shown["public"] = access.public
        shown["read_link"] = "set" if access.key_sha256 else "none"
        return shown

    shown = with_operator_app(db_path, work)
    if fmt == "json":
        echo_json(shown)
        return
    for key, value in shown.items():
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        click.echo(f"{key:<16} {text or '-'}")


@config_group.command("set")
@db_option
@board_required
@click.argument("key", metavar="KEY", type=click.Choice([*SETTING_NAMES, *WEB_SETTINGS]))
@click.argument("value", callback=text_option)
def config_set(db_path: Path | str | None, board: str | None, key: str, value: str) -> None:
    """Set KEY to VALUE on a board (lists: names separated by spaces or commas).

    \b
    Example:
      ideabot config set --board feedback digest_time 09:30
      ideabot config set --board feedback timezone Europe/Berlin
      ideabot config set --board feedback moderator_users "U01 U02"
      ideabot config set --board feedback public on
      ideabot config set --board feedback read_link new
    """

    async def work(app: App) -> str:
        chosen = await pick_board(app.core, board)
        if key in WEB_SETTINGS:  # who may read the board on the web
            told = await app.web_access.configure_on(chosen, operator(), key, value)
            return told.message()
        changed = await app.moderation.configure_on(chosen, operator(), {key: value})
        now = changed.settings.to_json()[key]
        return ", ".join(map(str, now)) if isinstance(now, list) else str(now)

    done = with_operator_app(db_path, work, write=True)
    click.echo(done if key in WEB_SETTINGS else f"{key} = {done}")


@click.group("idea", cls=SafeGroup)
def idea_group() -> None:
    """Show one idea; set its status, merge, unmerge or delete it (as a moderator).

    \b
    Example:
      ideabot idea show 12
      ideabot idea status 12 planned --note "In the March release"
      ideabot idea merge 14 into 12
    """


@idea_group.command("show")
@db_option
@board_required
@click.argument("number", type=NUMBER)
@format_option
def idea_show(db_path: Path | str | None, board: str | None, number: int, fmt: str) -> None:
    """Idea NUMBER with its status, votes and author.

    \b
    Example:
      ideabot idea show 12 --format json
    """

    async def work(app: App) -> dict[str, object]:
        chosen = await pick_board(app.core, board)
        return idea_json(view(await app.core.idea(chosen, number)))

    data = with_operator_app(db_path, work)
    if fmt == "json":
        echo_json(data)
        return
    note = f" ({data['status_note']})" if data["status_note"] else ""
    merged = f", merged into #{data['merged_into']}" if data["merged_into"] else ""
    author = data["author"]
    assert isinstance(author, dict)
    click.echo(f"#{data['number']} {data['title']}")
    click.echo(f"status: {data['status']}{note}{merged}; votes: {data['votes']}")
    click.echo(f"by {author['name']} ({author['platform']}) at {data['created_at']}")
    if data["body"]:
        click.echo(str(data["body"]))


@idea_group.command("status")
@db_option
@board_required
@click.argument("number", type=NUMBER)
@click.argument("status", metavar="STATUS", type=click.Choice([s.value for s in Status]))
@click.option(
    "--note",
    default=None,
    callback=text_option,
    help=f"Why, shown with the status (up to {NOTE_MAX:,} characters).",
)
def idea_status(
    db_path: Path | str | None, board: str | None, number: int, status: str, note: str | None
) -> None:
    """Set idea NUMBER's STATUS; the running bot announces it in the idea's thread.

    \b
    Example:
      ideabot idea status 12 planned --note "In the March release"
      ideabot idea status 7 declined --board feedback
    """

    async def work(app: App) -> str:
        chosen = await pick_board(app.core, board)
        changed = await app.moderation.set_status_on(
            chosen, operator(), number, status, note, announce_later=True
        )
        return f"#{changed.idea.number}: {changed.old} -> {changed.new}"

    click.echo(with_operator_app(db_path, work, write=True))


@idea_group.command("merge")
@db_option
@board_required
@click.argument("number", type=NUMBER)
@click.argument("into_word", metavar="into", type=click.Choice(["into"]))
@click.argument("into", type=NUMBER)
def idea_merge(
    db_path: Path | str | None, board: str | None, number: int, into_word: str, into: int
) -> None:
    """Merge idea NUMBER into idea INTO: its votes count there.

    \b
    Example:
      ideabot idea merge 14 into 12
    """

    async def work(app: App) -> str:
        chosen = await pick_board(app.core, board)
        merged = await app.moderation.merge_on(chosen, operator(), number, into)
        return f"merged #{merged.idea.number} into #{merged.into.number}"

    click.echo(with_operator_app(db_path, work, write=True))


@idea_group.command("unmerge")
@db_option
@board_required
@click.argument("number", type=NUMBER)
def idea_unmerge(db_path: Path | str | None, board: str | None, number: int) -> None:
    """Make merged idea NUMBER stand alone again, with exactly the votes it had.

    \b
    Example:
      ideabot idea unmerge 14
    """

    async def work(app: App) -> str:
        chosen = await pick_board(app.core, board)
        done = await app.moderation.unmerge_on(chosen, operator(), number)
        return f"unmerged #{done.idea.number} from #{done.was_in.number}"

    click.echo(with_operator_app(db_path, work, write=True))


@idea_group.command("delete")
@db_option
@board_required
@click.argument("number", type=NUMBER)
def idea_delete(db_path: Path | str | None, board: str | None, number: int) -> None:
    """Delete idea NUMBER (its history is kept; ideas merged into it stand alone again).

    \b
    Example:
      ideabot idea delete 9 --board feedback
    """

    async def work(app: App) -> str:
        chosen = await pick_board(app.core, board)
        await app.moderation.delete_on(chosen, operator(), number, "deleted from the shell")
        return f"deleted #{number}"

    click.echo(with_operator_app(db_path, work, write=True))

"""`ideabot webhooks`: a board's outgoing webhook endpoints and their recent deliveries."""

from __future__ import annotations

from pathlib import Path

import click

from bot.admin import Admin, operator
from bot.app import App
from bot.cli_admin import board_required, echo_json, format_option, with_operator_app
from bot.cli_errors import SafeGroup, db_option, load_settings, pick_board, text_option
from bot.webhooks import EVENTS, PREFIX, parse_events

ID = click.IntRange(1, 2**31 - 1)


@click.group("webhooks", cls=SafeGroup)
def webhooks_group() -> None:
    """Send a board's events (ideas and their changes, votes, digests) to other systems.

    Each delivery is a signed JSON POST (see the README, "Webhooks").

    \b
    Example:
      ideabot webhooks add --board feedback https://hooks.example.com/ideabot
      ideabot webhooks add --board feedback https://ci.example.com/h --events idea.created
      ideabot webhooks deliveries --board feedback
    """


@webhooks_group.command("add")
@db_option
@board_required
@click.argument("url", callback=text_option)
@click.option(
    "--events",
    default=None,
    callback=text_option,
    help=f"Comma-separated events (default: all): {', '.join(EVENTS)}.",
)
def webhooks_add(
    db_path: Path | str | None, board: str | None, url: str, events: str | None
) -> None:
    """Send the board's events to URL; prints the signing secret, once.

    \b
    Example:
      ideabot webhooks add --board feedback https://hooks.example.com/ideabot
      ideabot webhooks add https://ci.example.com/h --events idea.created,idea.status_changed
    """
    wanted = parse_events(events)
    allow = load_settings().webhook_allow_private

    async def work(app: App) -> tuple[int, str]:
        chosen = await pick_board(app.core, board)
        return await Admin(app.core).add_webhook(chosen, operator(), url, wanted, allow)

    webhook_id, secret = with_operator_app(db_path, work, write=True)
    click.echo(f"webhook {webhook_id} sends {', '.join(wanted)} to {url}")
    click.echo(f"signing secret (shown once; keep it with the receiver): {secret}")


@webhooks_group.command("list")
@db_option
@board_required
@format_option
def webhooks_list(db_path: Path | str | None, board: str | None, fmt: str) -> None:
    """A board's webhook endpoints (secrets are not shown).

    \b
    Example:
      ideabot webhooks list --board feedback --format json
    """

    async def work(app: App) -> list[dict[str, object]]:
        chosen = await pick_board(app.core, board)
        return [
            {
                "id": e.id,
                "url": e.url,
                "events": list(e.events),
                "created_at": e.created_at.isoformat(),
                "disabled_at": e.disabled_at.isoformat() if e.disabled_at else None,
            }
            for e in await app.core.store.webhooks.of_board(chosen.id)
        ]

    rows = with_operator_app(db_path, work)
    if fmt == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo("No webhooks.")
    for row in rows:
        state = "disabled" if row["disabled_at"] else "active"
        events = row["events"]
        assert isinstance(events, list)
        click.echo(f"{row['id']:>4}  {state:<8}  {row['url']}  ({', '.join(events)})")


@webhooks_group.command("remove")
@db_option
@board_required
@click.argument("webhook_id", metavar="ID", type=ID)
def webhooks_remove(db_path: Path | str | None, board: str | None, webhook_id: int) -> None:
    """Stop sending to webhook ID (its queued deliveries are dropped).

    \b
    Example:
      ideabot webhooks remove 3 --board feedback
    """

    async def work(app: App) -> None:
        chosen = await pick_board(app.core, board)
        await Admin(app.core).remove_webhook(chosen, operator(), webhook_id)

    with_operator_app(db_path, work, write=True)
    click.echo(f"removed webhook {webhook_id}")


@webhooks_group.command("test")
@db_option
@board_required
@click.argument("webhook_id", metavar="ID", type=ID)
def webhooks_test(db_path: Path | str | None, board: str | None, webhook_id: int) -> None:
    """Queue a signed webhook.test event for webhook ID; the running bot sends it.

    Its outcome shows in `ideabot webhooks deliveries` (delivered, retrying, the error).

    \b
    Example:
      ideabot webhooks test 3 --board feedback && ideabot webhooks deliveries --board feedback
    """

    async def work(app: App) -> str:
        chosen = await pick_board(app.core, board)
        return await Admin(app.core).test_webhook(chosen, operator(), webhook_id)

    delivery = with_operator_app(db_path, work, write=True)
    click.echo(f"queued test delivery {delivery} for webhook {webhook_id}; ideabot run sends it")


@webhooks_group.command("deliveries")
@db_option
@board_required
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True)
@format_option
def webhooks_deliveries(
    db_path: Path | str | None, board: str | None, limit: int, fmt: str
) -> None:
    """The board's most recent webhook deliveries, with their state and last error.

    \b
    Example:
      ideabot webhooks deliveries --board feedback --limit 50 --format json
    """

    async def work(app: App) -> list[dict[str, object]]:
        chosen = await pick_board(app.core, board)
        return [
            {
                "delivery": r.payload.get("id"),
                "webhook": int(r.target.removeprefix(PREFIX)),
                "event": r.payload.get("event"),
                "state": _state(r.done_at is not None, r.last_error),
                "attempts": r.attempts,
                "created_at": r.created_at.isoformat(),
                "error": r.last_error,
            }
            for r in await app.core.store.outbox.recent(chosen.id, PREFIX, limit)
        ]

    rows = with_operator_app(db_path, work)
    if fmt == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo("No deliveries.")
    for row in rows:
        error = f"  {row['error']}" if row["error"] else ""
        click.echo(
            f"{row['created_at']}  webhook {row['webhook']}  {row['event']:<20}"
            f"  {row['state']:<9} ({row['attempts']} attempts){error}"
        )


def _state(done: bool, error: str | None) -> str:
    if done:
        return "failed" if error else "delivered"
    return "retrying" if error else "pending"

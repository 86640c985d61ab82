"""`ideabot serve`: the web board, its JSON API and Atom feeds, read-only from the database."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path

import click

from bot.app import App, build_app
from bot.cli_errors import db_option, load_settings, run_async
from bot.errors import IdeabotError
from bot.settings import Settings

DEFAULT_PORT = 8080


@click.command("serve")
@db_option
@click.option(
    "--host", default=None, help="Address to listen on (default: IDEABOT_WEB_HOST or 127.0.0.1)."
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help=f"Port to listen on; 0 picks a free one (default: IDEABOT_WEB_PORT or {DEFAULT_PORT}).",
)
def serve_command(db_path: Path | str | None, host: str | None, port: int | None) -> None:
    """Serve the web board, the JSON API and the Atom feeds from the database (read-only).

    Only public boards are listed; a private board answers only with its read link.
    Prints the address it listens on.

    \b
    Example:
      ideabot serve --db ideabot-demo.db
      ideabot serve --db /var/lib/ideabot/ideabot.db --host 0.0.0.0 --port 8080
    """
    settings = load_settings()
    listen_host = host or settings.web_host
    listen_port = port if port is not None else (settings.web_port or DEFAULT_PORT)

    async def main() -> None:
        # Opened read-only (the web board never writes, not even a migration) and live:
        # what a running `ideabot run` stores shows up at once.
        app = await build_app(settings, db_path=db_path, create=False, live=True)
        # The model loads in the background: the first search need not wait seconds.
        warm = asyncio.create_task(_warm_up(app))
        try:
            await serve_web(app, settings, listen_host, listen_port, say=click.echo)
        finally:
            warm.cancel()
            await asyncio.gather(warm, return_exceptions=True)
            await app.close()

    # Ctrl-C and SIGTERM cancel main() (``bot.runtime``): the board stops cleanly.
    try:
        run_async(main())
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


async def _warm_up(app: App) -> None:
    try:
        await app.core.embedder.embed(["warm up"])
    except Exception as exc:  # the board still serves; only the search box will fail
        logging.getLogger(__name__).warning("the model did not load: %s", exc)


async def serve_web(
    app: App,
    settings: Settings,
    host: str,
    port: int,
    *,
    say: Callable[[str], object] | None = None,
) -> None:
    """Serve the web board until cancelled; tells ``say`` (a callable) where it listens."""
    from adapters.web.app import start_web

    try:
        runner, address = await start_web(
            app,
            host,
            port,
            rate_per_minute=settings.web_rate_per_minute,
            trust_proxy=settings.web_trust_proxy,
        )
    except OSError as exc:
        raise IdeabotError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    try:
        if say is not None:
            say(f"ideabot web board on {address} (Ctrl-C stops)")
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()

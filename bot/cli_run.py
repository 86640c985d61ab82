"""`ideabot run`: the bots on every platform with a token, the digest scheduler, and the
one place that builds them all."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

import click

from bot.app import App, build_app
from bot.cli_errors import db_option, fail, load_settings, run_async
from bot.cli_serve import serve_web
from bot.errors import IdeabotError
from bot.settings import Settings
from bot.shards import Shards, shard_plan
from bot.webhooks import PREFIX
from storage.engines import open_store
from storage.errors import StoreError


@click.command("run")
@db_option
@click.option(
    "--shard-count",
    type=int,
    default=None,
    help="Discord: how many shards the bot is split into (default: DISCORD_SHARD_COUNT; none).",
)
@click.option(
    "--shard-ids",
    default=None,
    help="Discord: the shards this process runs, e.g. 0,1 (default: DISCORD_SHARD_IDS; all).",
)
def run_command(db_path: Path | str | None, shard_count: int | None, shard_ids: str | None) -> None:
    """Run the bot on every platform with a token in the environment or .env.

    \b
    Example:
      DISCORD_TOKEN=... ideabot run --db /var/lib/ideabot/ideabot.db
      ideabot run --db postgresql://ideabot@db/ideabot --shard-count 4 --shard-ids 0,1
    """
    import logging

    from bot.cli_retry import retrying
    from bot.tokens import check_tokens

    settings = load_settings()
    try:
        shards = shard_plan(
            shard_count if shard_count is not None else settings.discord_shard_count,
            shard_ids if shard_ids is not None else settings.discord_shard_ids,
        )
        check_tokens(settings)  # one line before any other work
    except IdeabotError as exc:
        fail(str(exc))
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    no_platform = settings.discord_token is None and settings.slack_bot_token is None
    if (
        no_platform
        and settings.web_port is None
        and not run_async(_has_webhooks(db_path or settings.db))
    ):
        fail(
            "no platform token set: put DISCORD_TOKEN or SLACK_BOT_TOKEN in the environment or"
            " .env (with no token, ideabot run serves only the web board or webhooks, when set up)"
        )
    slack_http = settings.slack_signing_secret is not None and settings.slack_port is not None
    if settings.slack_bot_token is not None and settings.slack_app_token is None and not slack_http:
        fail(
            "Slack needs SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET and SLACK_PORT"
            " (HTTP mode)"
        )

    from adapters.webhook_http import WebhookSender
    from bot.runtime import settle_after_start

    def log(line: str) -> None:
        logging.getLogger("ideabot").info("%s", line)

    async def serve() -> None:
        # The one place that builds everything: store, model, core, adapters.
        app = await build_app(settings, db_path=db_path)
        try:
            await app.core.embedder.embed(["warm up"])  # load the model before the first idea
            settle_after_start()
            runs = []
            # An unreachable platform is retried with backoff; a refused token ends the run.
            if settings.discord_token is not None:
                discord = lambda: _discord(settings, app, shards)  # noqa: E731
                runs.append(retrying("Discord", settings, discord))
            if settings.slack_bot_token is not None:
                slack = lambda: _slack(settings, app)  # noqa: E731
                runs.append(retrying("Slack", settings, slack))
            if settings.web_port is not None:
                # The web board, in the same event loop, over the same services.
                runs.append(serve_web(app, settings, settings.web_host, settings.web_port, say=log))
            # The adapters register their digest posters as they connect.
            if not no_platform:
                runs.append(app.digests.run())
            # Announcements of changes made elsewhere (the shell): the adapters register
            # the platforms they deliver to as they connect. Webhooks: every live endpoint.
            sender = WebhookSender(app.core.store, allow_private=settings.webhook_allow_private)
            app.outbox.register_family(PREFIX, sender.targets, sender.deliver)
            runs.append(app.outbox.run())
            parts = [
                name
                for name, on in (
                    ("Discord", settings.discord_token is not None),
                    ("Slack", settings.slack_bot_token is not None),
                    ("digests", not no_platform),
                    ("the web board", settings.web_port is not None),
                )
                if on
            ]
            logging.getLogger(__name__).info("ideabot run: %s", ", ".join([*parts, "webhooks"]))
            try:
                await _together(runs)
            finally:
                await sender.close()
        finally:
            await app.close()

    # SIGTERM (a service manager's stop) ends the run as Ctrl-C does (``bot.runtime``):
    # queued writes are finished and the database closed before the process exits.
    try:
        run_async(serve())
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


async def _has_webhooks(target: Path | str) -> bool:
    """Whether the database has a live webhook (a run with no platform token serves it)."""
    try:
        store = await open_store(target, create=False)
    except StoreError:
        return False
    try:
        return bool(await store.webhooks.active_ids())
    except StoreError:
        return False  # a database older than webhooks
    finally:
        await store.close()


async def _together(runs: list[Awaitable[None]]) -> None:
    """Run them all; when one ends (a refused token), stop the others before the store closes."""
    tasks = [asyncio.ensure_future(run) for run in runs]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def _discord(settings: Settings, app: App, shards: Shards) -> None:
    from adapters.discord.bot import build_client, point_at

    assert settings.discord_token is not None
    point_at(settings.discord_api_base, settings.discord_gateway_url)
    async with build_client(app, shards.count, shards.ids) as client:
        await client.start(settings.discord_token.get_secret_value())


async def _slack(settings: Settings, app: App) -> None:
    import logging

    from aiohttp import web
    from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

    from adapters.slack.app import build_slack_app, web_client
    from adapters.slack.http import web_app

    assert settings.slack_bot_token is not None
    client = web_client(settings.slack_bot_token.get_secret_value(), settings.slack_api_url)
    secret = settings.slack_signing_secret
    bolt, handlers = build_slack_app(
        app,
        client,
        signing_secret=secret.get_secret_value() if secret else "unused",
        history_per_minute=settings.slack_history_per_minute,
    )
    auth = await client.auth_test()
    handlers.bot_user_id = str(auth.get("user_id"))
    team_id = str(auth.get("team_id"))
    if settings.slack_app_token is not None:
        socket = AsyncSocketModeHandler(bolt, settings.slack_app_token.get_secret_value())

        async def on_hello(_client: Any, message: dict[str, Any], _raw: str | None) -> None:
            # Every new socket starts with "hello": at start and after each reconnect,
            # when events may have been missed, catch up (a pass already running is
            # followed by another).
            if message.get("type") == "hello":
                await handlers.catch_up(team_id)

        socket.client.message_listeners.append(on_hello)
        await socket.start_async()
        return
    assert secret is not None  # HTTP mode is chosen only with a signing secret
    runner = web.AppRunner(web_app(bolt, secret.get_secret_value(), path="/slack/events"))
    await runner.setup()
    site = web.TCPSite(runner, "0.0.0.0", settings.slack_port)
    await site.start()
    logging.getLogger(__name__).info("Slack HTTP mode on port %s", settings.slack_port)
    try:
        # Listening first: Slack's events are written down and acknowledged while the
        # catch-up replays what an earlier process left and re-reads the votes.
        await handlers.catch_up(team_id)
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()

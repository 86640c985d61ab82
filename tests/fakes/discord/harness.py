"""Pointing a real discord.py client at a FakeDiscord, and running it inside a test."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from typing import Any

import discord
import yarl
from discord.gateway import DiscordWebSocket

from .server import FakeDiscord


@contextmanager
def patched_discord(fake: FakeDiscord) -> Iterator[None]:
    """Point discord.py's REST base and (non-sharded) gateway URL at the fake; restore after."""
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    discord.http.Route.BASE = fake.api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(fake.gateway_url)
    try:
        yield
    finally:
        discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


def record_handler_errors(fake: FakeDiscord, client: discord.Client) -> None:
    """Exceptions escaping the client's event handlers and app commands (which discord.py only
    logs) are kept in ``fake.bot_errors``; ``fake.wait_for`` then fails at once with them."""
    on_error = client.on_error

    async def client_error(event: str, *args: Any, **kwargs: Any) -> None:
        fake.state.bot_errors.append(sys.exc_info()[1] or RuntimeError(event))
        fake.state.bump()
        await on_error(event, *args, **kwargs)

    client.on_error = client_error  # type: ignore[method-assign]
    tree = getattr(client._connection, "_command_tree", None)
    if tree is not None:
        tree_error = tree.on_error

        async def command_error(interaction: discord.Interaction, error: Exception) -> None:
            fake.state.bot_errors.append(error)
            fake.state.bump()
            await tree_error(interaction, error)

        tree.on_error = command_error


@asynccontextmanager
async def running(
    fake: FakeDiscord,
    client: discord.Client,
    *,
    token: str = "fake-token",
    timeout: float = 120.0,
    fail_on_handler_errors: bool = True,
) -> AsyncIterator[asyncio.Task[None]]:
    """Log in (setup_hook runs here: its errors raise here), connect in a task, wait until the
    client is ready; on exit close it. While inside, a dying client task fails any
    ``fake.wait_for`` at once; so do handler errors unless ``fail_on_handler_errors=False``."""
    fake.state.fail_on_bot_errors = fail_on_handler_errors
    with patched_discord(fake):
        record_handler_errors(fake, client)
        try:
            await client.login(token)
        except BaseException:
            await client.close()
            raise
        task = asyncio.create_task(client.connect(), name="discord-client")
        fake.watch(task)
        body_failed = False
        try:
            ready = asyncio.ensure_future(client.wait_until_ready())
            done, _ = await asyncio.wait(
                {task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if ready not in done:
                ready.cancel()
                if task in done:
                    raise RuntimeError("the client stopped before ready") from task.exception()
                raise TimeoutError(f"the client was not ready within {timeout}s")
            yield task
        except BaseException:
            body_failed = True
            raise
        finally:
            fake.unwatch(task)
            await client.close()
            done, _ = await asyncio.wait({task}, timeout=5)
            if not done:
                task.cancel()
            elif not body_failed and not task.cancelled() and task.exception() is not None:
                raise RuntimeError("the client task failed") from task.exception()

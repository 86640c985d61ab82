"""The Discord client: intents, command tree, persistent buttons, and event wiring."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import discord
import yarl
from discord import app_commands

from adapters.discord.buttons import SuggestionButton
from adapters.discord.commands import Commands
from adapters.discord.convert import PLATFORM
from adapters.discord.digests import DiscordDigestPoster
from adapters.discord.events import NO_PINGS, Events
from adapters.discord.tree import build_tree
from bot.app import App
from bot.outbox import notice_of
from storage.rows import OutboxItem

log = logging.getLogger(__name__)


def intents() -> discord.Intents:
    """Only what ideabot needs; message content is the one privileged intent."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.message_content = True
    wanted.guild_reactions = True
    return wanted


def point_at(api_base: str | None, gateway_url: str | None) -> None:
    """Send REST and gateway traffic through a proxy (or a local fake) instead of Discord."""
    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


class IdeaBot(discord.Client):
    """ideabot in any number of Discord servers; each server gets its own board."""

    def __init__(self, app: App, **options: Any) -> None:
        super().__init__(intents=intents(), allowed_mentions=NO_PINGS, **options)
        self.app = app
        self.tree: app_commands.CommandTree[IdeaBot] = app_commands.CommandTree(self)
        self.events = Events(app, self)
        self.handlers = Commands(app, self.events)
        build_tree(self.tree, self.handlers)
        # Set once the catch-up and the reconciliation of votes after (re)connecting are done.
        self.caught_up = asyncio.Event()

    async def setup_hook(self) -> None:
        self.add_dynamic_items(SuggestionButton)
        await self.tree.sync()
        # Digests for Discord channels go out through this client from now on; the poster
        # waits for ready itself, so a digest due while connecting is not lost.
        self.app.digests.register(DiscordDigestPoster(self))
        # Status changes made elsewhere (the shell) are announced through this client.
        self.app.outbox.register(PLATFORM, self.announce)

    async def announce(self, item: OutboxItem) -> None:
        """An outbox row: announce the status change in the idea's thread, as /status does."""
        await self.wait_until_ready()
        notice = notice_of(item)
        if notice is not None:  # a line for the board's moderators in one of its channels
            channel_id, text = notice
            channel = self.get_channel(int(channel_id)) or await self.fetch_channel(int(channel_id))
            assert isinstance(channel, discord.abc.Messageable), channel
            await channel.send(text, allowed_mentions=NO_PINGS)
            return
        changed = await self.app.outbox.status_of(item)
        if changed is not None and changed.announce:
            await self.handlers.close_the_loop(self, changed)

    # Each handler ends by dispatching "ideabot_handled" (kind, result, the discord.py object
    # handled), so tests and anything else watching can await the outcome of an event.

    async def on_ready(self) -> None:
        # READY comes with every new session: at start and after a reconnect that could
        # not resume, when events may have been missed. A resumed session replays them.
        log.info("connected to Discord as %s in %d servers", self.user, len(self.guilds))
        self.caught_up.clear()
        await self.events.catch_up()
        await self.app.reconciler.idle[self.events.port.platform].wait()
        self.caught_up.set()
        self.dispatch("ideabot_handled", "ready", None, None)

    async def on_message(self, message: discord.Message) -> None:
        self.dispatch("ideabot_handled", "message", await self.events.on_message(message), message)

    async def on_raw_reaction_add(self, payload: discord.RawReactionActionEvent) -> None:
        result = await self.events.on_reaction(payload, added=True)
        self.dispatch("ideabot_handled", "reaction_add", result, payload)

    async def on_raw_reaction_remove(self, payload: discord.RawReactionActionEvent) -> None:
        result = await self.events.on_reaction(payload, added=False)
        self.dispatch("ideabot_handled", "reaction_remove", result, payload)

    async def on_raw_message_edit(self, payload: discord.RawMessageUpdateEvent) -> None:
        self.dispatch("ideabot_handled", "edit", await self.events.on_edit(payload), payload)

    async def on_raw_message_delete(self, payload: discord.RawMessageDeleteEvent) -> None:
        self.dispatch("ideabot_handled", "delete", await self.events.on_delete(payload), payload)


class ShardedIdeaBot(IdeaBot, discord.AutoShardedClient):
    """ideabot on some of the shards of a bot split over processes (``ideabot run
    --shard-count N --shard-ids 0,1``): Discord sends each shard the events of the
    servers whose id maps to it, ``(guild_id >> 22) % N``; discord.py paces the
    IDENTIFYs of the shards in this process (one per 5 s per concurrency bucket)."""


def build_client(
    app: App, shard_count: int | None = None, shard_ids: Sequence[int] = (), **options: Any
) -> IdeaBot:
    """The Discord client: one connection for every server, or the given shards of
    ``shard_count``."""
    if shard_count is None:
        return IdeaBot(app, **options)
    return ShardedIdeaBot(app, shard_count=shard_count, shard_ids=list(shard_ids), **options)

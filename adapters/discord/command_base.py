"""What every Discord command handler shares: the board's view of who is asking and
where, and answering privately with a refusal instead of an error."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import discord

from adapters.discord import convert, render
from adapters.discord.events import NO_PINGS, Events
from bot.app import App
from bot.domain import Actor
from bot.errors import IdeabotError


class CommandBase:
    """The helpers of the command handlers."""

    def __init__(self, app: App, events: Events) -> None:
        self.app = app
        self.channels = app.channels
        self.linking = app.linking
        self.events = events

    async def _actor(self, interaction: discord.Interaction) -> Actor:
        return convert.actor(interaction.user)

    def _where(self, interaction: discord.Interaction) -> convert.Where:
        return convert.where(interaction.guild, interaction.channel_id)

    async def run(
        self,
        interaction: discord.Interaction,
        work: Callable[[], Awaitable[Any]],
        *,
        ephemeral: bool = True,
    ) -> Any:
        """Run ``work``; a refusal becomes an ephemeral message and changes nothing."""
        if interaction.guild is None:
            await interaction.response.send_message(
                "ideabot works in servers, not in direct messages.", ephemeral=True
            )
            return None
        try:
            return await work()
        except IdeabotError as exc:
            await self._say(interaction, exc.message, ephemeral=True)
            return None

    async def _say(
        self, interaction: discord.Interaction, text: str, *, ephemeral: bool, **kwargs: Any
    ) -> None:
        text = render.clip(text, render.CONTENT_MAX)
        if interaction.response.is_done():
            await interaction.followup.send(
                text, ephemeral=ephemeral, allowed_mentions=NO_PINGS, **kwargs
            )
        else:
            await interaction.response.send_message(
                text, ephemeral=ephemeral, allowed_mentions=NO_PINGS, **kwargs
            )

    # -- members ------------------------------------------------------------

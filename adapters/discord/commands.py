"""Slash commands and the "Save as idea" message command, translated to core calls.

Permission checks happen at run time in the core (``bot.moderation``): the adapter only
says whether Discord counts the member as a moderator (Manage Server, or a role the
board names). ``default_permissions`` merely hides the moderator commands from others.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from adapters.discord import convert, render
from adapters.discord.board_commands import BoardCommands
from adapters.discord.chat import NO_PINGS, answer_content, vote_emoji
from bot.chat import MessageRef
from bot.domain import (
    AnswerSuggestion,
    DeleteIdea,
    IdeaDraft,
    MergeIdeas,
    SetStatus,
    UnmergeIdea,
)
from bot.errors import IdeabotError
from bot.results import Merged, StatusChanged

log = logging.getLogger(__name__)
MOD_PERMISSIONS = discord.Permissions(manage_guild=True)


class Commands(BoardCommands):
    """Handlers behind every application command and button."""

    async def idea(self, interaction: discord.Interaction, text: str) -> None:
        async def work() -> None:
            await interaction.response.defer(thinking=True)
            result = await self.app.ideas.submit(
                IdeaDraft(
                    where=self._where(interaction),
                    author=convert.person(interaction.user),
                    text=text,
                    created_at=interaction.created_at,
                    source="command",
                )
            )
            settings = (await self.app.core.board_for(self._where(interaction))).settings
            content, view = answer_content(
                result, vote_emoji(interaction.guild, settings.vote_emoji)
            )
            kwargs: dict[str, Any] = {"embed": render.idea_embed(result.idea), "wait": True}
            if view is not None:
                kwargs["view"] = view
            posted = await interaction.followup.send(content, allowed_mentions=NO_PINGS, **kwargs)
            if posted is not None:
                ref = MessageRef(
                    where=convert.where(interaction.guild, posted.channel.id),
                    message_id=str(posted.id),
                )
                await self.app.flow.posted(self.events.port, ref, result.idea.number)

        await self.run(interaction, work)

    async def save_as_idea(
        self, interaction: discord.Interaction, message: discord.Message
    ) -> None:
        async def work() -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            if message.author.bot:
                raise IdeabotError("Messages from bots can't be saved as ideas.")
            result = await self.events.capture(message, source="action")
            if result is None:
                await self._say(
                    interaction, "That message could not be saved (see the reply).", ephemeral=True
                )
                return
            await self._say(interaction, f"Saved as idea #{result.idea.number}.", ephemeral=True)

        await self.run(interaction, work)

    async def top(self, interaction: discord.Interaction, count: int) -> None:
        async def work() -> None:
            board = await self.app.core.board_for(self._where(interaction))
            ideas = await self.app.queries.top(board, count)
            if not ideas:
                await self._say(interaction, "No open ideas yet.", ephemeral=True)
                return
            lines = [
                f"{i}. **#{idea.number}** {render.escape_md(render.clip(idea.title, 120))}"
                f" · {idea.votes} votes"
                for i, idea in enumerate(ideas, 1)
            ]
            await self._say(interaction, "\n".join(lines), ephemeral=True)

        await self.run(interaction, work)

    async def search(self, interaction: discord.Interaction, query: str) -> None:
        async def work() -> None:
            board = await self.app.core.board_for(self._where(interaction))
            hits = await self.app.queries.search(board, query)
            if not hits:
                await self._say(interaction, "No ideas match.", ephemeral=True)
                return
            lines = [f"- {render.candidate_line(hit)} ({hit.score:.0%} alike)" for hit in hits]
            await self._say(interaction, "\n".join(lines), ephemeral=True)

        await self.run(interaction, work)

    async def show(self, interaction: discord.Interaction, number: int) -> None:
        async def work() -> None:
            board = await self.app.core.board_for(self._where(interaction))
            idea = await self.app.queries.show(board, number)
            await self._say(interaction, "", ephemeral=True, embed=render.idea_embed(idea))

        await self.run(interaction, work)

    # -- moderators ---------------------------------------------------------

    async def merge(self, interaction: discord.Interaction, number: int, into: int) -> None:
        async def work() -> None:
            result = await self.app.moderation.merge(
                MergeIdeas(
                    where=self._where(interaction),
                    actor=await self._actor(interaction),
                    number=number,
                    into=into,
                )
            )
            await self._say(
                interaction,
                f"Merged #{number} into #{result.into.number}; it has"
                f" {result.into.votes} votes now.",
                ephemeral=True,
            )

        await self.run(interaction, work)

    async def unmerge(self, interaction: discord.Interaction, number: int) -> None:
        async def work() -> None:
            result = await self.app.moderation.unmerge(
                UnmergeIdea(
                    where=self._where(interaction),
                    actor=await self._actor(interaction),
                    number=number,
                )
            )
            await self._say(
                interaction,
                f"#{number} stands alone again with {result.idea.votes}"
                f" votes; #{result.was_in.number} has {result.was_in.votes}.",
                ephemeral=True,
            )

        await self.run(interaction, work)

    async def status(
        self, interaction: discord.Interaction, number: int, status: str, note: str | None
    ) -> None:
        async def work() -> None:
            result = await self.app.moderation.set_status(
                SetStatus(
                    where=self._where(interaction),
                    actor=await self._actor(interaction),
                    number=number,
                    status=status,
                    note=note,
                )
            )
            await self._say(
                interaction, f"#{number} is now {render.STATUS_LABEL[result.new]}.", ephemeral=True
            )
            if result.announce:
                await self.close_the_loop(interaction.client, result)

        await self.run(interaction, work)

    async def close_the_loop(self, client: discord.Client, result: StatusChanged) -> None:
        """Tell the idea's voters in its thread: the one place the bot may ping, only them.
        (From a moderator's command, or from the outbox for a change made elsewhere.)"""
        target = await self._idea_thread(client, result)
        if target is None:
            return
        for content, ids in render.mention_chunks(
            render.status_announcement(result), result.notify
        ):
            allowed = discord.AllowedMentions(
                everyone=False,
                roles=False,
                replied_user=False,
                users=[discord.Object(i) for i in ids],
            )
            await self.events.port.safely(target.send(content, allowed_mentions=allowed))

    async def _idea_thread(
        self, client: discord.Client, result: StatusChanged
    ) -> discord.abc.Messageable | None:
        fallback: discord.abc.Messageable | None = None
        for platform, channel_id, _message_id in result.messages:
            if platform != convert.PLATFORM:
                continue
            channel = client.get_channel(int(channel_id))
            if channel is None:
                try:
                    channel = await client.fetch_channel(int(channel_id))
                except discord.HTTPException:
                    continue
            if isinstance(channel, discord.Thread):
                return channel
            if fallback is None and isinstance(channel, discord.abc.Messageable):
                fallback = channel
        return fallback

    async def delete(
        self, interaction: discord.Interaction, number: int, reason: str | None
    ) -> None:
        async def work() -> None:
            result = await self.app.moderation.delete(
                DeleteIdea(
                    where=self._where(interaction),
                    actor=await self._actor(interaction),
                    number=number,
                    reason=reason,
                )
            )
            extra = ""
            if result.unmerged:
                extra = " Ideas merged into it stand alone again: " + ", ".join(
                    f"#{n}" for n in result.unmerged
                )
            await self._say(interaction, f"Deleted #{number}.{extra}", ephemeral=True)

        await self.run(interaction, work)

    async def answer_suggestion(
        self, interaction: discord.Interaction, idea: int, candidate: int, same: bool
    ) -> None:
        async def work() -> None:
            result = await self.app.moderation.answer_suggestion(
                AnswerSuggestion(
                    where=self._where(interaction),
                    actor=await self._actor(interaction),
                    number=idea,
                    candidate=candidate,
                    same=same,
                )
            )
            if isinstance(result, Merged):
                text = (
                    f"Merged: #{idea} is the same idea as #{result.into.number}, which now has"
                    f" {result.into.votes} votes."
                )
            else:
                text = f"Kept #{idea} as a separate idea."
            await interaction.response.edit_message(
                content=text, view=None, allowed_mentions=NO_PINGS
            )

        await self.run(interaction, work)

"""Slash commands and the "Save as idea" message command, translated to core calls.

Permission checks happen at run time in the core (``bot.moderation``): the adapter only
says whether Discord counts the member as a moderator (Manage Server, or a role the
board names). ``default_permissions`` merely hides the moderator commands from others.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

import discord

from adapters import digest_text
from adapters.discord import convert, render
from adapters.discord.events import NO_PINGS, Events, answer, vote_emoji
from bot.app import App
from bot.boards import SETTING_NAMES
from bot.channels import Channels
from bot.domain import (
    Actor,
    AnswerSuggestion,
    DeleteIdea,
    IdeaDraft,
    MergeIdeas,
    SetStatus,
    UnmergeIdea,
)
from bot.errors import IdeabotError, NotAllowed
from bot.linking import CODE_LIFETIME, Linking
from bot.moderation import is_moderator
from bot.results import Merged, StatusChanged

log = logging.getLogger(__name__)
_ROLE_MENTION = re.compile(r"<@&(\d+)>")
MOD_PERMISSIONS = discord.Permissions(manage_guild=True)


class Commands:
    """Handlers behind every application command and button."""

    def __init__(self, app: App, channels: Channels, events: Events) -> None:
        self.app = app
        self.channels = channels
        self.events = events
        self.linking = Linking(app.core)

    async def _actor(self, interaction: discord.Interaction) -> Actor:
        board = await self.app.core.board_for(convert.where(interaction.guild))
        return convert.actor(interaction.user, board.settings.moderator_roles)

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
            emoji = vote_emoji(interaction.guild, settings)
            content, view = answer(result, emoji)
            kwargs: dict[str, Any] = {"embed": render.idea_embed(result.idea), "wait": True}
            if view is not None:
                kwargs["view"] = view
            posted = await interaction.followup.send(content, allowed_mentions=NO_PINGS, **kwargs)
            if posted is not None:
                assert interaction.guild_id is not None
                await self.events.link(posted, result.idea.number, interaction.guild_id)
                await self.events.safely(posted.add_reaction(emoji))

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
            if result.notify or result.new in ("planned", "done", "declined"):
                await self.close_the_loop(interaction, result)

        await self.run(interaction, work)

    async def close_the_loop(self, interaction: discord.Interaction, result: StatusChanged) -> None:
        """Tell the idea's voters in its thread: the one place the bot may ping, only them."""
        target = await self._idea_thread(interaction, result)
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
            await self.events.safely(target.send(content, allowed_mentions=allowed))

    async def _idea_thread(
        self, interaction: discord.Interaction, result: StatusChanged
    ) -> discord.abc.Messageable | None:
        client = interaction.client
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

    async def config_set(self, interaction: discord.Interaction, setting: str, value: str) -> None:
        async def work() -> None:
            parsed: Any = value
            if setting == "moderator_roles":
                parsed = " ".join(_ROLE_MENTION.sub(r"\1", value).split())
            board = await self.app.moderation.configure(
                self._where(interaction), await self._actor(interaction), setting, parsed
            )
            shown = board.settings.to_json()[setting]
            await self._say(interaction, f"`{setting}` is now `{shown}`.", ephemeral=True)

        await self.run(interaction, work)

    async def config_channel(
        self,
        interaction: discord.Interaction,
        purpose: str,
        channel: discord.TextChannel | discord.ForumChannel | None,
        enabled: bool,
    ) -> None:
        async def work() -> None:
            target_id = channel.id if channel is not None else interaction.channel_id
            where = convert.where(interaction.guild, target_id)
            await self.channels.set_channel(where, await self._actor(interaction), purpose, enabled)
            if purpose == "digest":
                self.app.digests.poke()
            last = getattr(channel or interaction.channel, "last_message_id", None)
            if enabled and purpose == "ideas" and last:
                # Only what comes after this counts: old chatter is not imported.
                await self.channels.advance(where, str(last))
            state = "is now" if enabled else "is no longer"
            await self._say(
                interaction, f"<#{target_id}> {state} an {purpose} channel.", ephemeral=True
            )

        await self.run(interaction, work)

    async def config_show(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            actor = await self._actor(interaction)
            board = await self.app.core.board_for(self._where(interaction))
            if not is_moderator(board, actor):
                raise NotAllowed("Only moderators can do that.")
            data = board.settings.to_json()
            lines = [f"**Board** `{board.name}`"]
            lines += [f"`{k}`: `{data[k]}`" for k in SETTING_NAMES]
            for purpose in ("ideas", "digest"):
                places = await self.channels.channels(board, purpose)
                mentions = (
                    ", ".join(
                        f"<#{p.channel_id}>" for p in places if p.platform == convert.PLATFORM
                    )
                    or "none"
                )
                lines.append(f"{purpose} channels: {mentions}")
            status = await self.app.digests.status(board)
            lines += digest_text.status_lines(status, render.channel_name, render.escape_md)
            await self._say(interaction, "\n".join(lines), ephemeral=True)

        await self.run(interaction, work)

    async def config_digest(
        self, interaction: discord.Interaction, weekday: str, time: str, timezone: str | None
    ) -> None:
        async def work() -> None:
            changes = {"digest_weekday": weekday, "digest_time": time}
            if timezone is not None:
                changes["timezone"] = timezone
            board = await self.app.moderation.configure_many(
                self._where(interaction), await self._actor(interaction), changes
            )
            self.app.digests.poke()  # the scheduler's nap may end sooner now
            status = await self.app.digests.status(board)
            text = f"The digest is posted {digest_text.schedule(status)}."
            await self._say(interaction, text, ephemeral=True)

        await self.run(interaction, work)

    async def digest_now(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            where = self._where(interaction)
            deliveries = await self.app.digests.post_now(where, await self._actor(interaction))
            zone = (await self.app.core.board_for(where)).settings.zone
            lines = digest_text.delivery_lines(
                deliveries, zone, render.channel_name, render.escape_md
            )
            await self._say(interaction, "\n".join(lines), ephemeral=True)

        await self.run(interaction, work)

    async def digest_preview(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            digest = await self.app.digests.preview(
                self._where(interaction), await self._actor(interaction)
            )
            for embeds in render.digest_embeds(digest):
                await interaction.followup.send(
                    embeds=embeds, ephemeral=True, allowed_mentions=NO_PINGS
                )

        await self.run(interaction, work)

    async def link(self, interaction: discord.Interaction) -> None:
        async def work() -> None:
            made = await self.linking.make_code(
                self._where(interaction), await self._actor(interaction)
            )
            minutes = int(CODE_LIFETIME.total_seconds() // 60)
            await self._say(
                interaction,
                f"Link code for board `{made.board.name}`: **{made.code}**\n"
                f"A moderator of the other community runs `/ideabot join code:{made.code}` "
                f"within {minutes} minutes; the code works once.",
                ephemeral=True,
            )

        await self.run(interaction, work)

    async def join(self, interaction: discord.Interaction, code: str) -> None:
        async def work() -> None:
            board = await self.linking.join(
                self._where(interaction), await self._actor(interaction), code
            )
            await self._say(
                interaction, f"This server now shares board `{board.name}`.", ephemeral=True
            )

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

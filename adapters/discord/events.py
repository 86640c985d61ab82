"""Gateway events into core calls, core results back as messages: capture, votes, edits.

Everything is stored first and posted after, so a failure to post (Discord down,
missing permission) never loses an idea or a vote; it is logged and left.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from adapters.discord import convert, render
from adapters.discord.buttons import suggestion_view
from bot.app import App
from bot.boards import BoardSettings
from bot.channels import Channels
from bot.domain import MessageDeleted, MessageEdited, ReactionChange, Where
from bot.errors import IdeabotError
from bot.results import (
    AlreadyCaptured,
    Created,
    Deleted,
    Edited,
    IdeaView,
    Ignored,
    Merged,
    PossibleDuplicate,
    ReactResult,
    SubmitResult,
)

log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()
# Messages of these types are people talking; joins, pins, boosts and the like are not.
CHAT_TYPES = (discord.MessageType.default,)
THREAD_NAME_MAX = 100


def vote_emoji(guild: discord.Guild | None, settings: BoardSettings) -> str | discord.Emoji:
    """The emoji the bot adds for voting: the first unicode one, or a custom one by name."""
    for name in settings.vote_emoji:
        if any(ord(ch) > 127 for ch in name):
            return name
        if guild is not None:
            custom = discord.utils.get(guild.emojis, name=name)
            if custom is not None:
                return custom
    return "👍"


class Events:
    """What the bot does when something happens in a server."""

    def __init__(self, app: App, channels: Channels, client: discord.Client) -> None:
        self.app = app
        self.channels = channels
        self.client = client

    # -- capture ------------------------------------------------------------

    async def on_message(self, message: discord.Message) -> SubmitResult | None:
        if message.guild is None or message.author.bot or message.type not in CHAT_TYPES:
            return None
        stored_channel, idea_channel = convert.message_channel(message)
        if idea_channel is None:
            return None
        idea_where = convert.where(message.guild, idea_channel)
        if not await self.channels.is_idea_channel(idea_where):
            return None
        result = await self.capture(message, source="channel")
        await self.channels.advance(convert.where(message.guild, stored_channel), str(message.id))
        return result

    async def capture(self, message: discord.Message, *, source: str) -> SubmitResult | None:
        """Make the message an idea and answer under it; None when it was refused."""
        if message.guild is None:
            return None
        try:
            result = await self.app.ideas.submit(convert.draft(message, source=source))
        except IdeabotError as exc:
            await self.safely(message.reply(exc.message, allowed_mentions=NO_PINGS))
            return None
        if isinstance(result, AlreadyCaptured):
            return result
        settings = (await self.app.core.board_for(convert.where(message.guild))).settings
        emoji = vote_emoji(message.guild, settings)
        await self.safely(message.add_reaction(emoji))
        content, view = answer(result, emoji)
        reply = await self._reply_in_thread(message, result.idea, content, view)
        if reply is not None:
            await self.link(reply, result.idea.number, message.guild)
        return result

    async def link(self, reply: discord.Message, number: int, guild: discord.Guild | int) -> None:
        """Votes on the bot's own reply count for the idea too.

        Somebody may react between the post and the link (the reaction is then not yet
        an idea's): read the reactions back once linked, so no such vote is lost.
        """
        place = convert.where(guild, reply.channel.id)
        await self.app.ideas.link_message(place, number, str(reply.id), "reply")
        fresh = await self.safely(reply.channel.fetch_message(reply.id))
        if isinstance(fresh, discord.Message) and fresh.reactions:
            settings = (await self.app.core.board_for(place)).settings
            await self._reconcile(place, fresh, settings)

    async def _reply_in_thread(
        self, message: discord.Message, idea: IdeaView, content: str, view: discord.ui.View | None
    ) -> discord.Message | None:
        """Answer in the idea's thread, made from the message; a plain reply if that fails."""
        kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS}
        if view is not None:
            kwargs["view"] = view
        if isinstance(message.channel, discord.Thread):
            return await self.safely(message.channel.send(content, **kwargs))
        name = render.clip(f"#{idea.number} {idea.title}", THREAD_NAME_MAX)
        thread = await self.safely(message.create_thread(name=name))
        if isinstance(thread, discord.Thread):
            return await self.safely(thread.send(content, **kwargs))
        return await self.safely(message.reply(content, mention_author=False, **kwargs))

    async def safely(self, call: Any) -> Any:
        try:
            return await call
        except discord.HTTPException as exc:
            log.warning(
                "Discord refused a post (%s %s); the stored data is unaffected",
                exc.status,
                exc.text,
            )
            return None

    # -- votes, edits, deletes ----------------------------------------------

    async def on_reaction(
        self, payload: discord.RawReactionActionEvent, added: bool
    ) -> ReactResult | None:
        if payload.guild_id is None or (
            self.client.user and payload.user_id == self.client.user.id
        ):
            return None
        member = payload.member
        person = (
            convert.person(member)
            if member is not None
            else convert.Person(platform=convert.PLATFORM, user_id=str(payload.user_id), name="")
        )
        return await self.app.ideas.react(
            ReactionChange(
                where=convert.where(payload.guild_id, payload.channel_id),
                message_id=str(payload.message_id),
                person=person,
                emoji=convert.emoji_key(payload.emoji),
                added=added,
                at=discord.utils.utcnow(),
            )
        )

    async def on_edit(self, payload: discord.RawMessageUpdateEvent) -> Edited | Ignored | None:
        if payload.guild_id is None or "content" not in payload.data:
            return None
        event = MessageEdited(
            where=convert.where(payload.guild_id, payload.channel_id),
            message_id=str(payload.message_id),
            text=str(payload.data["content"]),
            at=discord.utils.utcnow(),
        )
        try:
            return await self.app.ideas.edit(event)
        except IdeabotError as exc:
            log.info("edit of message %s not applied: %s", payload.message_id, exc.message)
            return None

    async def on_delete(self, payload: discord.RawMessageDeleteEvent) -> Deleted | Ignored | None:
        if payload.guild_id is None:
            return None
        return await self.app.ideas.message_deleted(
            MessageDeleted(
                where=convert.where(payload.guild_id, payload.channel_id),
                message_id=str(payload.message_id),
                at=discord.utils.utcnow(),
            )
        )

    # -- catch-up -----------------------------------------------------------

    async def catch_up(self) -> None:
        """Read what was posted in idea channels while the bot was away, once."""
        for guild in self.client.guilds:
            board = await self.app.core.board_for(convert.where(guild))
            for place in await self.channels.channels(board, "ideas"):
                if place.platform != convert.PLATFORM or place.workspace_id != str(guild.id):
                    continue
                channel = guild.get_channel(int(place.channel_id or 0))
                try:
                    if isinstance(channel, discord.TextChannel):
                        await self._catch_up_channel(channel, board.settings)
                    elif isinstance(channel, discord.ForumChannel):
                        await self._catch_up_forum(channel, board.settings)
                except discord.HTTPException as exc:
                    log.warning("catch-up of channel %s failed: %s", place.channel_id, exc)

    async def _catch_up_channel(
        self, channel: discord.TextChannel, settings: BoardSettings
    ) -> None:
        place = convert.where(channel.guild, channel.id)
        cursor = await self.channels.cursor(place)
        after = discord.Object(int(cursor)) if cursor else None
        seen: dict[int, discord.Message] = {}
        if after is not None:
            async for message in channel.history(after=after, oldest_first=True, limit=None):
                seen[message.id] = message
                await self.on_message(message)
        # Votes cast or taken back meanwhile on recent ideas.
        async for message in channel.history(limit=100):
            seen.setdefault(message.id, message)
        for message in seen.values():
            await self._reconcile(place, message, settings)

    async def _catch_up_forum(self, forum: discord.ForumChannel, settings: BoardSettings) -> None:
        place = convert.where(forum.guild, forum.id)
        cursor = int(await self.channels.cursor(place) or 0)
        for thread in sorted(forum.threads, key=lambda t: t.id):
            try:
                starter = await thread.fetch_message(thread.id)
            except discord.HTTPException:
                continue
            if thread.id > cursor:
                await self.on_message(starter)
                await self.channels.advance(place, str(thread.id))
            await self._reconcile(convert.where(forum.guild, thread.id), starter, settings)

    async def _reconcile(
        self, place: Where, message: discord.Message, settings: BoardSettings
    ) -> None:
        for reaction in message.reactions:
            key = convert.emoji_key(reaction.emoji)
            if key not in settings.vote_emoji:
                continue
            # The count is as of the history read; the bot's own 👍 (and others) may have
            # come since, and users are listed by id: ask for more than the count.
            people = [convert.person(u) async for u in reaction.users(limit=reaction.count + 100)]
            await self.app.ideas.reconcile_votes(
                place, str(message.id), key, people, discord.utils.utcnow()
            )
        present = {convert.emoji_key(r.emoji) for r in message.reactions}
        for key in settings.vote_emoji:
            if key not in present:  # every vote with it was taken back
                await self.app.ideas.reconcile_votes(
                    place, str(message.id), key, [], discord.utils.utcnow()
                )


def answer(result: SubmitResult, emoji: str | discord.Emoji) -> tuple[str, discord.ui.View | None]:
    """The bot's reply to a new idea, and its buttons if it may be a duplicate."""
    if isinstance(result, Merged):
        return render.merged_text(result), None
    if isinstance(result, PossibleDuplicate):
        return render.duplicate_text(result), suggestion_view(result)
    assert isinstance(result, Created | AlreadyCaptured)
    return render.captured_text(result.idea, str(emoji)), None

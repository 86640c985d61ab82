"""Discord's side of the core's chat port: history, reactors, answers, reactions, links.

Every read goes through discord.py's HTTP client, which paces itself by Discord's
rate-limit headers (per-route buckets, the global limit, 429 retry-after), so a
reconciliation of thousands of ideas never runs into a ban. Messages are named by
channel and id only (``PartialMessageable``): an archived thread or a forum post the
cache does not hold reads the same as any other.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from typing import Any

import discord

from adapters.discord import convert, render
from adapters.discord.buttons import suggestion_view
from bot.chat import ChatMessage, ChatUnavailable, MessageRef
from bot.domain import Person, Where
from bot.results import AlreadyCaptured, Created, Merged, PossibleDuplicate, SubmitResult

log = logging.getLogger(__name__)
NO_PINGS = discord.AllowedMentions.none()
# Messages of these types are people talking; joins, pins, boosts and the like are not.
CHAT_TYPES = (discord.MessageType.default,)
THREAD_NAME_MAX = 100


def vote_emoji(guild: discord.Guild | None, names: Sequence[str]) -> str | discord.Emoji:
    """The emoji the bot adds for voting: the first unicode one, or a custom one by name."""
    for name in names:
        if any(ord(ch) > 127 for ch in name):
            return name
        if guild is not None:
            custom = discord.utils.get(guild.emojis, name=name)
            if custom is not None:
                return custom
    return "👍"


def answer_content(
    result: SubmitResult, emoji: str | discord.Emoji
) -> tuple[str, discord.ui.View | None]:
    """The bot's reply to a new idea, and its buttons if it may be a duplicate."""
    if isinstance(result, Merged):
        return render.merged_text(result), None
    if isinstance(result, PossibleDuplicate):
        return render.duplicate_text(result), suggestion_view(result)
    assert isinstance(result, Created | AlreadyCaptured)
    return render.captured_text(result.idea, str(emoji)), None


def chat_message(message: discord.Message) -> ChatMessage | None:
    """A guild message as the core sees it; None for what is not people talking."""
    if message.guild is None or message.type not in CHAT_TYPES:
        return None
    stored, idea_channel = convert.message_channel(message)
    return ChatMessage(
        ref=MessageRef(where=convert.where(message.guild, stored), message_id=str(message.id)),
        idea_channel=None if idea_channel is None else convert.where(message.guild, idea_channel),
        author=convert.person(message.author),
        text=message.content,
        created_at=message.created_at,
        permalink=message.jump_url,
    )


class DiscordChat:
    """The chat port over one discord.py client."""

    platform = convert.PLATFORM

    def __init__(self, client: discord.Client) -> None:
        self.client = client

    def _partial(self, ref: MessageRef) -> discord.PartialMessage:
        channel = self.client.get_partial_messageable(
            int(ref.channel_id), guild_id=int(ref.where.workspace_id or 0) or None
        )
        return channel.get_partial_message(int(ref.message_id))

    async def safely(self, call: Any) -> Any:
        """Await a post; a refusal is logged and left (what it was about is stored)."""
        try:
            return await call
        except discord.HTTPException as exc:
            log.warning(
                "Discord refused a post (%s %s); the stored data is unaffected",
                exc.status,
                exc.text,
            )
            return None

    # -- reading --------------------------------------------------------------

    async def history(self, channel: Where, after: str) -> AsyncIterator[ChatMessage]:
        found = self.client.get_channel(int(channel.channel_id or 0))
        try:
            if isinstance(found, discord.TextChannel):
                start = discord.Object(int(after))
                async for message in found.history(after=start, oldest_first=True, limit=None):
                    chat = chat_message(message)
                    if chat is not None:
                        yield chat
            elif isinstance(found, discord.ForumChannel):
                async for post in self._forum_posts(found, int(after)):
                    yield post
        except discord.HTTPException as exc:
            raise ChatUnavailable(f"Discord answered {exc.status} {exc.text}") from None

    async def _forum_posts(
        self, forum: discord.ForumChannel, after: int
    ) -> AsyncIterator[ChatMessage]:
        """The posts of a forum newer than ``after``, archived ones too, oldest first."""
        threads = {t.id: t for t in forum.threads if t.id > after}
        async for thread in forum.archived_threads(limit=None):
            if thread.id <= after:
                break  # newest first: the rest are older
            threads.setdefault(thread.id, thread)
        for thread_id in sorted(threads):
            try:
                starter = await threads[thread_id].fetch_message(thread_id)
            except discord.NotFound:
                continue  # the post's first message was deleted
            chat = chat_message(starter)
            if chat is not None:
                yield chat

    async def voters(
        self, ref: MessageRef, emoji: Collection[str]
    ) -> Mapping[str, Sequence[Person]] | None:
        try:
            message = await self._partial(ref).fetch()
        except (discord.NotFound, discord.Forbidden):
            return None
        except discord.HTTPException as exc:
            raise ChatUnavailable(f"Discord answered {exc.status} {exc.text}") from None
        shown: dict[str, list[Person]] = {name: [] for name in emoji}
        for reaction in message.reactions:
            key = convert.emoji_key(reaction.emoji)
            if key not in shown:
                continue
            try:
                shown[key] = [convert.person(user) async for user in reaction.users(limit=None)]
            except discord.HTTPException as exc:
                raise ChatUnavailable(f"Discord answered {exc.status} {exc.text}") from None
        return shown

    async def permalink(self, ref: MessageRef) -> str | None:
        return (
            f"https://discord.com/channels/{ref.where.workspace_id}"
            f"/{ref.channel_id}/{ref.message_id}"
        )

    # -- posting --------------------------------------------------------------

    def _emoji(self, ref: MessageRef, names: Sequence[str]) -> str | discord.Emoji:
        return vote_emoji(self.client.get_guild(int(ref.where.workspace_id or 0)), names)

    async def add_vote(self, ref: MessageRef, vote_emoji: Sequence[str]) -> None:
        await self.safely(self._partial(ref).add_reaction(self._emoji(ref, vote_emoji)))

    async def answer(
        self, ref: MessageRef, result: SubmitResult, vote_emoji: Sequence[str]
    ) -> MessageRef | None:
        """Answer in the idea's thread, made from the message; a plain reply if that fails."""
        content, view = answer_content(result, self._emoji(ref, vote_emoji))
        kwargs: dict[str, Any] = {"allowed_mentions": NO_PINGS}
        if view is not None:
            kwargs["view"] = view
        channel = self.client.get_channel(int(ref.channel_id))
        reply: discord.Message | None
        if isinstance(channel, discord.Thread):
            reply = await self.safely(channel.send(content, **kwargs))
        else:
            name = render.clip(f"#{result.idea.number} {result.idea.title}", THREAD_NAME_MAX)
            thread = await self.safely(self._partial(ref).create_thread(name=name))
            if isinstance(thread, discord.Thread):
                reply = await self.safely(thread.send(content, **kwargs))
            else:
                reply = await self.safely(
                    self._partial(ref).reply(content, mention_author=False, **kwargs)
                )
        if not isinstance(reply, discord.Message):
            return None
        return MessageRef(
            where=Where(
                platform=self.platform,
                workspace_id=ref.where.workspace_id,
                channel_id=str(reply.channel.id),
            ),
            message_id=str(reply.id),
        )

    async def refuse(self, ref: MessageRef, text: str) -> None:
        await self.safely(self._partial(ref).reply(text, allowed_mentions=NO_PINGS))

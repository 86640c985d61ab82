"""The one event flow: what a chat message, reaction, edit or delete does to a board, and
catching up with what was posted while the bot was away. Written once for every
platform; each platform hands in a ``ChatPort`` for the little only it can do.

Everything is stored first and posted after, so a platform that refuses a post
(down, missing permission) never costs an idea or a vote.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from bot.boards import Board
from bot.channels import Channels
from bot.chat import ChatMessage, ChatPort, ChatUnavailable, MessageRef
from bot.core import Core
from bot.domain import MessageDeleted, MessageEdited, ReactionChange, Where
from bot.errors import IdeabotError
from bot.reconcile import Reconciler
from bot.results import (
    AlreadyCaptured,
    Deleted,
    Edited,
    Ignored,
    ReactResult,
    SubmitResult,
)
from bot.service import IdeaService

log = logging.getLogger(__name__)


class ChatFlow:
    """Capture, votes, edits, deletes and catch-up, for any platform."""

    def __init__(
        self, core: Core, ideas: IdeaService, channels: Channels, reconciler: Reconciler
    ) -> None:
        self.core = core
        self.ideas = ideas
        self.channels = channels
        self.reconciler = reconciler
        self._places = Places()

    # -- capture ------------------------------------------------------------

    async def message(self, port: ChatPort, message: ChatMessage) -> SubmitResult | None:
        """A message was posted: an idea when it is top-level in an idea channel."""
        if message.author.is_bot or message.idea_channel is None:
            return None
        if not await self.channels.is_idea_channel(message.idea_channel):
            return None
        # A forum post moves its forum's place on: history is read per idea channel.
        channel = message.idea_channel
        key = (channel.platform, channel.channel_id or "", message.ref.message_id)
        self._places.started(key)
        try:
            result = await self.capture(port, message, source="channel")
        finally:
            # The place moves past a message only once every older one being handled is
            # done: a crash while an older one is stored must not skip it on catch-up.
            place = self._places.finished(key)
        if place is not None:
            await self.channels.advance(channel, place)
        return result

    async def capture(
        self, port: ChatPort, message: ChatMessage, *, source: str
    ) -> SubmitResult | None:
        """Make the message an idea and answer under it; None when it was refused (the
        reason is said under the message)."""
        if message.permalink is None:
            message = _with_link(message, await port.permalink(message.ref))
        try:
            result = await self.ideas.submit(message.draft(source))
        except IdeabotError as exc:
            await port.refuse(message.ref, exc.message)
            return None
        if isinstance(result, AlreadyCaptured):
            return result
        emoji = (await self.core.board_for(message.ref.where)).settings.vote_emoji
        await port.add_vote(message.ref, emoji)
        answer = await port.answer(message.ref, result, emoji)
        if answer is not None:
            await self.link(port, answer, result.idea.number)
        return result

    async def link(self, port: ChatPort, ref: MessageRef, number: int) -> None:
        """Votes on a message the bot posted for idea ``#number`` count for it.

        Somebody may react between the post and the link (the reaction was then not
        yet an idea's): the message's votes are read back once it is linked.
        """
        await self.ideas.link_message(ref.where, number, ref.message_id, "reply")
        board = await self.core.board_for(ref.where)
        await self.reconciler.check_message(port, board, ref)

    async def posted(self, port: ChatPort, ref: MessageRef, number: int) -> None:
        """The bot posted idea ``#number`` itself (``/idea``): link it, add the vote emoji."""
        await self.link(port, ref, number)
        await port.add_vote(ref, (await self.core.board_for(ref.where)).settings.vote_emoji)

    # -- votes, edits, deletes ----------------------------------------------

    async def reaction(self, change: ReactionChange) -> ReactResult:
        return await self.ideas.react(change)

    async def edited(self, event: MessageEdited) -> Edited | Ignored:
        try:
            return await self.ideas.edit(event)
        except IdeabotError as exc:
            log.info("edit of message %s not applied: %s", event.message_id, exc.message)
            return Ignored(reason=exc.message)

    async def deleted(self, event: MessageDeleted) -> Deleted | Ignored:
        return await self.ideas.message_deleted(event)

    # -- catch-up -----------------------------------------------------------

    async def catch_up(self, port: ChatPort, workspaces: list[Where]) -> list[Board]:
        """Read what was posted in the idea channels of these workspaces while the bot was
        away, once; the boards they feed come back (to reconcile their votes next)."""
        boards: dict[int, Board] = {}
        for workspace in workspaces:
            board = await self.core.board_for(workspace)
            boards[board.id] = board
            for channel in await self.channels.channels(board, "ideas"):
                if (channel.platform, channel.workspace_id) != (
                    port.platform,
                    workspace.workspace_id,
                ):
                    continue
                try:
                    await self._catch_up_channel(port, channel)
                except ChatUnavailable as exc:
                    log.warning("catch-up of channel %s stopped: %s", channel.channel_id, exc)
        return list(boards.values())

    async def _catch_up_channel(self, port: ChatPort, channel: Where) -> None:
        cursor = await self.channels.cursor(channel)
        if cursor is None:
            return  # nothing seen here yet: the channel's past is for `ideabot import`
        count = 0
        async for message in port.history(channel, cursor):
            await self.message(port, message)
            count += 1
        if count:
            log.info("caught up with %d messages in channel %s", count, channel.channel_id)


class Places:
    """Which messages of each channel are being handled, so that a channel's place only
    moves past messages that are done."""

    def __init__(self) -> None:
        # Per channel, the messages being handled and how many times each: catch-up and
        # the live event can handle one message at the same time.
        self._busy: dict[tuple[str, str], dict[Decimal, int]] = {}
        self._done: dict[tuple[str, str], Decimal] = {}

    def started(self, key: tuple[str, str, str]) -> None:
        busy = self._busy.setdefault(key[:2], {})
        message = Decimal(key[2])
        busy[message] = busy.get(message, 0) + 1

    def finished(self, key: tuple[str, str, str]) -> str | None:
        """The place the channel may move to now, if any."""
        channel, done = key[:2], Decimal(key[2])
        busy = self._busy[channel]
        if busy[done] > 1:
            busy[done] -= 1
        else:
            del busy[done]
        best = max(done, self._done.get(channel, done))
        if busy and min(busy) < best:
            self._done[channel] = best  # wait for the older ones
            return None if min(busy) < done else str(done)
        self._done.pop(channel, None)
        if not busy:
            del self._busy[channel]
        return str(best)


def _with_link(message: ChatMessage, link: str | None) -> ChatMessage:
    return ChatMessage(
        ref=message.ref,
        idea_channel=message.idea_channel,
        author=message.author,
        text=message.text,
        created_at=message.created_at,
        permalink=link,
        event_id=message.event_id,
    )

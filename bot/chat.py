"""The port each chat platform supplies to the core's one event flow, and its values.

The core decides what happens to a board (``bot.flow``, ``bot.reconcile``); a
platform adapter only does what the platform alone can: read a channel's history,
say who reacted with an emoji, answer under a message, add a reaction, give a link.
Everything here is platform-free: messages are named by ``MessageRef`` and people by
``Person``, never by a Discord or Slack object.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import IdeaDraft, Person, Where
from bot.results import SubmitResult


class ChatUnavailable(Exception):
    """A port could not read from its platform (an outage, a refusal); the work that
    needed it stops and is tried again on the next catch-up."""


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageRef:
    """One message: the channel it lives in (a Discord thread is a channel) and its id."""

    where: Where
    message_id: str

    @property
    def channel_id(self) -> str:
        assert self.where.channel_id is not None
        return self.where.channel_id


@dataclass(frozen=True, kw_only=True, slots=True)
class ChatMessage:
    """A message as a platform shows it, live or read back from history.

    ``idea_channel`` is the channel whose purpose decides whether the message is an
    idea: the channel itself, or the forum of a forum post; None for a reply in a
    thread, which is discussion.
    """

    ref: MessageRef
    idea_channel: Where | None
    author: Person
    text: str
    created_at: datetime
    permalink: str | None = None
    event_id: str | None = None

    def draft(self, source: str) -> IdeaDraft:
        return IdeaDraft(
            where=self.ref.where,
            author=self.author,
            text=self.text,
            created_at=self.created_at,
            message_id=self.ref.message_id,
            permalink=self.permalink,
            source=source,
            event_id=self.event_id,
        )


class ChatPort(Protocol):
    """What one platform connection does for the core."""

    @property
    def platform(self) -> str: ...

    def history(self, channel: Where, after: str) -> AsyncIterator[ChatMessage]:
        """Top-level messages (or forum posts) of a channel after message ``after``, oldest
        first. Paced by the platform's rate limits."""
        ...

    async def voters(
        self, ref: MessageRef, emoji: Collection[str]
    ) -> Mapping[str, Sequence[Person]] | None:
        """Who reacts now with each of ``emoji`` on the message (every one of them, bots
        marked); None when the message cannot be read (deleted, no access)."""
        ...

    async def permalink(self, ref: MessageRef) -> str | None:
        """A link to the message, when the platform gives one."""
        ...

    async def add_vote(self, ref: MessageRef, vote_emoji: Sequence[str]) -> None:
        """Put the board's vote emoji on a message, so voting is one click."""
        ...

    async def answer(
        self, ref: MessageRef, result: SubmitResult, vote_emoji: Sequence[str]
    ) -> MessageRef | None:
        """Answer a new idea under its message (in its thread); the answer's ref, if posted."""
        ...

    async def refuse(self, ref: MessageRef, text: str) -> None:
        """Say under a message why it was not taken as an idea."""
        ...

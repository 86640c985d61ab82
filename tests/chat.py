"""A test double for the core's event flow: a chat port that keeps a platform's state in
memory and records what the core asked of it (the test embedder is in tests/fakes)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.chat import ChatMessage, ChatUnavailable, MessageRef
from bot.domain import Person, Where
from bot.results import SubmitResult


@dataclass
class Posted:
    ref: MessageRef
    text: str


@dataclass
class RecordingChat:
    """A platform in memory: messages with reactions, and what the core asked for."""

    platform: str = "discord"
    workspace: str = "g1"
    messages: dict[tuple[str, str], ChatMessage] = field(default_factory=dict)
    reactions: dict[tuple[str, str], dict[str, set[str]]] = field(default_factory=dict)
    answers: list[Posted] = field(default_factory=list)
    refusals: list[Posted] = field(default_factory=list)
    votes_added: list[MessageRef] = field(default_factory=list)
    reads: list[MessageRef] = field(default_factory=list)
    unreadable: set[str] = field(default_factory=set)
    down: bool = False
    _next_id: int = 1000
    _clock: datetime = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)

    def where(self, channel: str) -> Where:
        return Where(platform=self.platform, workspace_id=self.workspace, channel_id=channel)

    def _id(self) -> str:
        self._next_id += 1
        return str(self._next_id)

    def person(self, name: str) -> Person:
        return Person(platform=self.platform, user_id=f"u-{name}", name=name, is_bot=name == "bot")

    def post(self, channel: str, author: str, text: str, *, thread: bool = False) -> ChatMessage:
        """Someone posts (``bot`` is a bot); the message, as a live event would carry it."""
        self._clock += timedelta(minutes=1)
        where = self.where(channel)
        message = ChatMessage(
            ref=MessageRef(where=where, message_id=self._id()),
            idea_channel=None if thread else where,
            author=self.person(author),
            text=text,
            created_at=self._clock,
        )
        self.messages[(channel, message.ref.message_id)] = message
        return message

    def react(self, ref: MessageRef, user: str, emoji: str = "👍", on: bool = True) -> None:
        people = self.reactions.setdefault((ref.channel_id, ref.message_id), {})
        users = people.setdefault(emoji, set())
        (users.add if on else users.discard)(f"u-{user}")

    # -- the port -----------------------------------------------------------------

    async def history(self, channel: Where, after: str) -> AsyncIterator[ChatMessage]:
        if self.down:
            raise ChatUnavailable("the platform is down")
        for (chan, message_id), message in sorted(
            self.messages.items(), key=lambda i: int(i[0][1])
        ):
            if chan == channel.channel_id and int(message_id) > int(after):
                yield message

    async def voters(
        self, ref: MessageRef, emoji: Collection[str]
    ) -> Mapping[str, Sequence[Person]] | None:
        self.reads.append(ref)
        if self.down:
            raise ChatUnavailable("the platform is down")
        if ref.message_id in self.unreadable:
            return None
        people = self.reactions.get((ref.channel_id, ref.message_id), {})
        return {name: [self.person(u[2:]) for u in sorted(people.get(name, ()))] for name in emoji}

    async def permalink(self, ref: MessageRef) -> str | None:
        return f"https://chat.example/{ref.channel_id}/{ref.message_id}"

    async def add_vote(self, ref: MessageRef, vote_emoji: Sequence[str]) -> None:
        self.votes_added.append(ref)
        self.react(ref, "bot", vote_emoji[0])

    async def answer(
        self, ref: MessageRef, result: SubmitResult, vote_emoji: Sequence[str]
    ) -> MessageRef | None:
        reply = MessageRef(where=self.where(ref.message_id), message_id=self._id())
        self.answers.append(
            Posted(ref=reply, text=f"#{result.idea.number} {type(result).__name__}")
        )
        return reply

    async def refuse(self, ref: MessageRef, text: str) -> None:
        self.refusals.append(Posted(ref=ref, text=text))

"""Slack's side of the core's chat port: history, reactors, answers, reactions, links.

Reads are paced by Slack's method tiers before they are made (a token bucket per
method), and a 429 that still comes is waited out by the client's retry handler
(``Retry-After``). ``conversations.history`` has its own rate: apps that are not in
the Slack Marketplace and were created after 29 May 2025 get one call a minute of at
most 15 messages (``IDEABOT_SLACK_HISTORY_PER_MINUTE=1``).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.text import SlackText
from bot.chat import ChatMessage, ChatUnavailable, MessageRef
from bot.domain import Person, Where
from bot.results import Merged, PossibleDuplicate, SubmitResult

log = logging.getLogger(__name__)
PLATFORM = "slack"
USER_CACHE_SECONDS = 300
# Slack's Tier 3 (reactions.get, conversations.history for Marketplace apps): 50+ a minute.
TIER_3_PER_MINUTE = 50
# Answers that mean the message is gone or out of reach, not that Slack is down.
UNREADABLE = frozenset(
    {"message_not_found", "channel_not_found", "not_in_channel", "is_archived", "no_item_specified"}
)


_TS = re.compile(r"\d{1,12}(\.\d{1,6})?")


def valid_ts(value: object) -> str:
    """``value`` when it is a Slack ``ts`` ("1700000000.000100"), else ""."""
    return value if isinstance(value, str) and _TS.fullmatch(value) else ""


def at_ts(ts: str) -> datetime:
    """The time of a Slack ``ts`` ("1700000000.000100"): messages are dated by it."""
    try:
        return datetime.fromtimestamp(float(Decimal(ts)), tz=UTC)
    except (InvalidOperation, ValueError, OverflowError, OSError):
        return datetime.now(UTC)


def emoji_name(name: str) -> str:
    """A reaction name without its skin tone: "+1::skin-tone-2" votes like "+1"."""
    return name.split("::", 1)[0]


def vote_emoji(names: Sequence[str]) -> str:
    """The reaction name the app adds: the first of the board's vote emoji Slack can name."""
    for name in names:
        if name.isascii():
            return name
    return "+1"


class Pacer:
    """A token bucket: at most ``per_minute`` calls a minute, ``burst`` of them at once."""

    def __init__(self, per_minute: float, burst: int | None = None) -> None:
        self.interval = 60.0 / per_minute
        self.burst = burst if burst is not None else max(1, int(per_minute))
        self._tokens = float(self.burst)
        self._at = time.monotonic()
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        async with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._at) / self.interval)
            self._at = now
            if self._tokens < 1:
                await asyncio.sleep((1 - self._tokens) * self.interval)
                self._tokens, self._at = 1.0, time.monotonic()
            self._tokens -= 1


class SlackChat:
    """The chat port over one workspace's Web API client."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient, *, history_per_minute: float = 50) -> None:
        self.client = client
        self.bot_user_id: str | None = None
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}
        self._history = Pacer(history_per_minute)
        self._history_page = 15 if history_per_minute <= 1 else 200
        self._reactions = Pacer(TIER_3_PER_MINUTE)
        self.plain = SlackText(self.user).plain  # Slack's wire text as ideabot stores it

    async def safely(self, call: Any) -> Any:
        """Await a post; a refusal is logged and left (what it was about is stored)."""
        try:
            return await call
        except SlackApiError as exc:
            log.warning(
                "Slack refused a call (%s); the stored data is unaffected",
                exc.response.get("error"),
            )
            return None

    # -- people ---------------------------------------------------------------

    async def user(self, user_id: str) -> dict[str, Any]:
        """users.info, cached for a few minutes (admin flags, display names)."""
        cached = self._users.get(user_id)
        if cached and time.monotonic() - cached[0] < USER_CACHE_SECONDS:
            return cached[1]
        try:
            response = await self.client.users_info(user=user_id)
            info: dict[str, Any] = dict(response.get("user") or {})
        except SlackApiError as exc:
            log.warning("users.info failed for %s: %s", user_id, exc.response.get("error"))
            info = {"id": user_id}
        self._users[user_id] = (time.monotonic(), info)
        return info

    def known_person(self, user_id: str) -> Person:
        """The person as far as the cache knows them, asking Slack nothing: a storm of
        votes must not wait on users.info (Tier 4, about 100 calls a minute)."""
        cached = self._users.get(user_id)
        info = cached[1] if cached else {}
        profile = info.get("profile") or {}
        name = profile.get("display_name") or info.get("real_name") or info.get("name") or ""
        return Person(
            platform=PLATFORM, user_id=user_id, name=str(name), is_bot=bool(info.get("is_bot"))
        )

    async def person(self, user_id: str) -> Person:
        info = await self.user(user_id)
        profile = info.get("profile") or {}
        name = profile.get("display_name") or info.get("real_name") or info.get("name") or user_id
        return Person(
            platform=PLATFORM, user_id=user_id, name=str(name), is_bot=bool(info.get("is_bot"))
        )

    async def chat_message(
        self, where: Where, message: dict[str, Any], event_id: str | None = None
    ) -> ChatMessage | None:
        """A message as the core sees it; None for joins, bots, files without text and the
        like. A reply in a thread is discussion (no idea channel)."""
        if message.get("subtype") is not None or message.get("bot_id"):
            return None
        user, ts, text = message.get("user"), valid_ts(message.get("ts")), message.get("text")
        if not isinstance(user, str) or not user or not ts or not isinstance(text, str):
            return None
        top_level = message.get("thread_ts") in (None, ts)
        return ChatMessage(
            ref=MessageRef(where=where, message_id=ts),
            idea_channel=where if top_level else None,
            author=await self.person(user),
            text=await self.plain(text),
            created_at=at_ts(ts),
            event_id=event_id,
        )

    # -- reading --------------------------------------------------------------

    async def history(self, channel: Where, after: str) -> AsyncIterator[ChatMessage]:
        assert channel.channel_id is not None
        messages: list[dict[str, Any]] = []
        page: str | None = None
        try:
            while True:
                await self._history.wait()
                response = await self.client.conversations_history(
                    channel=channel.channel_id, limit=self._history_page, cursor=page, oldest=after
                )
                messages += [m for m in response.get("messages") or [] if isinstance(m, dict)]
                page = (response.get("response_metadata") or {}).get("next_cursor") or None
                if not page:
                    break
        except SlackApiError as exc:
            raise ChatUnavailable(f"Slack answered {exc.response.get('error')}") from None
        for message in sorted(messages, key=lambda m: at_ts(str(m.get("ts")))):
            chat = await self.chat_message(channel, message)
            if chat is not None:
                yield chat

    async def voters(
        self, ref: MessageRef, emoji: Collection[str]
    ) -> Mapping[str, Sequence[Person]] | None:
        await self._reactions.wait()
        try:
            response = await self.client.reactions_get(
                channel=ref.channel_id, timestamp=ref.message_id, full=True
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error"))
            if error in UNREADABLE:
                return None
            raise ChatUnavailable(f"Slack answered {error}") from None
        shown: dict[str, list[Person]] = {name: [] for name in emoji}
        for reaction in (response.get("message") or {}).get("reactions") or []:
            name = emoji_name(str(reaction.get("name")))
            if name not in shown:
                continue
            shown[name] += [
                Person(platform=PLATFORM, user_id=str(u), name="", is_bot=u == self.bot_user_id)
                for u in reaction.get("users") or []
            ]
        return shown

    async def permalink(self, ref: MessageRef) -> str | None:
        link = await self.safely(
            self.client.chat_getPermalink(channel=ref.channel_id, message_ts=ref.message_id)
        )
        return str(link["permalink"]) if link and link.get("permalink") else None

    # -- posting --------------------------------------------------------------

    async def add_vote(self, ref: MessageRef, vote_emoji_names: Sequence[str]) -> None:
        await self.safely(
            self.client.reactions_add(
                channel=ref.channel_id, timestamp=ref.message_id, name=vote_emoji(vote_emoji_names)
            )
        )

    async def answer(
        self, ref: MessageRef, result: SubmitResult, vote_emoji_names: Sequence[str]
    ) -> MessageRef | None:
        if isinstance(result, Merged):
            text, blocks = render.merged(result)
        elif isinstance(result, PossibleDuplicate):
            text, blocks = render.duplicate(result)
        else:
            text, blocks = render.captured(result.idea, vote_emoji(vote_emoji_names))
        posted = await self.safely(
            self.client.chat_postMessage(
                channel=ref.channel_id, thread_ts=ref.message_id, text=text, blocks=blocks
            )
        )
        if not posted:
            return None
        return MessageRef(where=ref.where, message_id=str(posted["ts"]))

    async def refuse(self, ref: MessageRef, text: str) -> None:
        await self.safely(
            self.client.chat_postMessage(
                channel=ref.channel_id, thread_ts=ref.message_id, text=render.escape(text)
            )
        )

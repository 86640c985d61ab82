"""Slack events, commands, shortcuts and buttons into core calls; results back as messages.

Translation only: every rule lives in the core. Everything is stored before anything
is posted, so a Slack error (rate limit, missing scope) never loses an idea or a vote.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.text import SlackText
from bot.app import App
from bot.boards import BoardSettings
from bot.channels import Channels
from bot.domain import (
    Actor,
    IdeaDraft,
    MessageDeleted,
    MessageEdited,
    Person,
    ReactionChange,
    Where,
)
from bot.errors import IdeabotError
from bot.linking import Linking
from bot.results import (
    AlreadyCaptured,
    Merged,
    PossibleDuplicate,
    ReactResult,
    SubmitResult,
)

log = logging.getLogger(__name__)
PLATFORM = "slack"
USER_CACHE_SECONDS = 300


def at_ts(ts: str) -> datetime:
    """The time of a Slack ``ts`` ("1700000000.000100"): messages are dated by it."""
    return datetime.fromtimestamp(float(Decimal(ts)), tz=UTC)


def emoji_name(name: str) -> str:
    """A reaction name without its skin tone: "+1::skin-tone-2" votes like "+1"."""
    return name.split("::", 1)[0]


def vote_emoji(settings: BoardSettings) -> str:
    """The reaction name the app adds: the first of the board's vote emoji Slack can name."""
    for name in settings.vote_emoji:
        if name.isascii():
            return name
    return "+1"


class SlackHandlers:
    """What the app does for each thing Slack sends."""

    def __init__(self, app: App, channels: Channels, client: AsyncWebClient) -> None:
        self.app = app
        self.channels = channels
        self.client = client
        self.linking = Linking(app.core)
        self._users: dict[str, tuple[float, dict[str, Any]]] = {}
        self.bot_user_id: str | None = None
        self.plain = SlackText(self.user).plain  # Slack's wire text as ideabot stores it

    # -- helpers ------------------------------------------------------------

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

    async def person(self, user_id: str) -> Person:
        info = await self.user(user_id)
        profile = info.get("profile") or {}
        name = profile.get("display_name") or info.get("real_name") or info.get("name") or user_id
        return Person(
            platform=PLATFORM, user_id=user_id, name=str(name), is_bot=bool(info.get("is_bot"))
        )

    async def actor(self, user_id: str) -> Actor:
        info = await self.user(user_id)
        admin = bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))
        return Actor(person=await self.person(user_id), is_moderator=admin)

    async def safely(self, call: Any) -> Any:
        try:
            return await call
        except SlackApiError as exc:
            log.warning(
                "Slack refused a call (%s); the stored data is unaffected",
                exc.response.get("error"),
            )
            return None

    # -- capture ------------------------------------------------------------

    async def on_message(self, event: dict[str, Any], body: dict[str, Any]) -> SubmitResult | None:
        team = str(body.get("team_id") or event.get("team") or "")
        subtype = event.get("subtype")
        where = Where(platform=PLATFORM, workspace_id=team, channel_id=event.get("channel"))
        if subtype == "message_changed":
            await self._edited(where, event, body)
            return None
        if subtype == "message_deleted":
            await self.app.ideas.message_deleted(
                MessageDeleted(
                    where=where,
                    message_id=str(event.get("deleted_ts")),
                    at=datetime.now(UTC),
                    event_id=body.get("event_id"),
                )
            )
            return None
        if subtype is not None or event.get("bot_id") or not event.get("user"):
            return None  # joins, bots, file shares without text and the like
        if event.get("thread_ts") not in (None, event.get("ts")):
            return None  # a reply in a thread: discussion
        if not await self.channels.is_idea_channel(where):
            return None
        result = await self.capture(where, event, body.get("event_id"), source="channel")
        await self.channels.advance(where, str(event["ts"]))
        return result

    async def _edited(self, where: Where, event: dict[str, Any], body: dict[str, Any]) -> None:
        message = event.get("message") or {}
        try:
            await self.app.ideas.edit(
                MessageEdited(
                    where=where,
                    message_id=str(message.get("ts")),
                    text=await self.plain(str(message.get("text") or "")),
                    at=datetime.now(UTC),
                    event_id=body.get("event_id"),
                )
            )
        except IdeabotError as exc:
            log.info("edit not applied: %s", exc.message)

    async def capture(
        self, where: Where, message: dict[str, Any], event_id: str | None, *, source: str
    ) -> SubmitResult | None:
        """The message as an idea, answered in its thread; None when refused (and said why)."""
        assert where.channel_id is not None
        ts = str(message["ts"])
        link = await self.safely(
            self.client.chat_getPermalink(channel=where.channel_id, message_ts=ts)
        )
        try:
            result = await self.app.ideas.submit(
                IdeaDraft(
                    where=where,
                    author=await self.person(str(message.get("user"))),
                    text=await self.plain(str(message.get("text") or "")),
                    created_at=at_ts(ts),
                    message_id=ts,
                    permalink=link.get("permalink") if link else None,
                    source=source,
                    event_id=event_id,
                )
            )
        except IdeabotError as exc:
            await self.safely(
                self.client.chat_postMessage(
                    channel=where.channel_id, thread_ts=ts, text=render.escape(exc.message)
                )
            )
            return None
        if isinstance(result, AlreadyCaptured):
            return result
        settings = (await self.app.core.board_for(where)).settings
        emoji = vote_emoji(settings)
        await self.safely(
            self.client.reactions_add(channel=where.channel_id, timestamp=ts, name=emoji)
        )
        if isinstance(result, Merged):
            text, blocks = render.merged(result)
        elif isinstance(result, PossibleDuplicate):
            text, blocks = render.duplicate(result)
        else:
            text, blocks = render.captured(result.idea, emoji)
        posted = await self.safely(
            self.client.chat_postMessage(
                channel=where.channel_id, thread_ts=ts, text=text, blocks=blocks
            )
        )
        if posted:
            await self.app.ideas.link_message(where, result.idea.number, str(posted["ts"]))
        return result

    # -- votes --------------------------------------------------------------

    async def on_reaction(
        self, event: dict[str, Any], body: dict[str, Any], added: bool
    ) -> ReactResult | None:
        item = event.get("item") or {}
        if item.get("type") != "message" or not event.get("user"):
            return None
        user = str(event["user"])
        if user == self.bot_user_id:
            return None
        person = Person(platform=PLATFORM, user_id=user, name="")
        if added:
            person = await self.person(user)
        return await self.app.ideas.react(
            ReactionChange(
                where=Where(
                    platform=PLATFORM,
                    workspace_id=str(body.get("team_id") or ""),
                    channel_id=str(item.get("channel")),
                ),
                message_id=str(item.get("ts")),
                person=person,
                emoji=emoji_name(str(event.get("reaction") or "")),
                added=added,
                at=at_ts(str(event.get("event_ts") or time.time())),
                event_id=body.get("event_id"),
            )
        )

    # -- catch-up -----------------------------------------------------------

    async def catch_up(self, team_id: str) -> None:
        """Messages and votes in idea channels since the last one seen, counted once."""
        board = await self.app.core.board_for(Where(platform=PLATFORM, workspace_id=team_id))
        for place in await self.channels.channels(board, "ideas"):
            if place.platform != PLATFORM or place.workspace_id != team_id:
                continue
            try:
                await self._catch_up_channel(place, board.settings)
            except SlackApiError as exc:
                log.warning(
                    "catch-up of %s failed: %s", place.channel_id, exc.response.get("error")
                )

    async def _catch_up_channel(self, place: Where, settings: BoardSettings) -> None:
        assert place.channel_id is not None
        cursor = await self.channels.cursor(place)
        messages: list[dict[str, Any]] = []
        page: str | None = None
        while True:
            response = await self.client.conversations_history(
                channel=place.channel_id,
                limit=200,
                cursor=page,
                oldest=cursor,
            )
            messages += list(response.get("messages") or [])
            page = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not page or not cursor:
                break
        for message in sorted(messages, key=lambda m: Decimal(str(m.get("ts")))):
            fake_body = {"team_id": place.workspace_id, "event_id": None}
            if cursor is None or Decimal(str(message["ts"])) > Decimal(cursor):
                await self.on_message({**message, "channel": place.channel_id}, fake_body)
            await self._reconcile(place, message, settings)

    async def _reconcile(
        self, place: Where, message: dict[str, Any], settings: BoardSettings
    ) -> None:
        assert place.channel_id is not None
        reactions = list(message.get("reactions") or [])
        if any(len(r.get("users") or []) < int(r.get("count") or 0) for r in reactions):
            # History lists only some reactors; count is the true total.
            full = await self.client.reactions_get(
                channel=place.channel_id, timestamp=str(message["ts"]), full=True
            )
            reactions = list((full.get("message") or {}).get("reactions") or [])
        by_name: dict[str, list[Person]] = {name: [] for name in settings.vote_emoji}
        for reaction in reactions:
            name = emoji_name(str(reaction.get("name")))
            by_name.setdefault(name, []).extend(
                Person(platform=PLATFORM, user_id=str(u), name="")
                for u in reaction.get("users") or []
                if u != self.bot_user_id
            )
        for name, people in by_name.items():
            await self.app.ideas.reconcile_votes(
                place, str(message["ts"]), name, people, datetime.now(UTC)
            )

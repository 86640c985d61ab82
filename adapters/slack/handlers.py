"""Slack events into the core's one event flow (``bot.flow``): translation only.

What a message, reaction, edit or delete does is decided in the core; this module
turns Slack's payloads into core values and hands the core the Slack port.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.chat import PLATFORM, SlackChat, at_ts, emoji_name, valid_ts
from bot.app import App
from bot.domain import Actor, MessageDeleted, MessageEdited, Person, ReactionChange, Where
from bot.results import ReactResult, SubmitResult

log = logging.getLogger(__name__)

__all__ = ["PLATFORM", "SlackHandlers"]


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


class SlackHandlers:
    """What the app does for each event Slack sends."""

    def __init__(self, app: App, client: AsyncWebClient, port: SlackChat | None = None) -> None:
        self.app = app
        self.flow = app.flow
        self.client = client
        self.port = port or SlackChat(client)
        self._replayed = False
        self.plain = self.port.plain  # Slack's wire text as ideabot stores it

    @property
    def bot_user_id(self) -> str | None:
        return self.port.bot_user_id

    @bot_user_id.setter
    def bot_user_id(self, value: str | None) -> None:
        self.port.bot_user_id = value

    async def person(self, user_id: str) -> Person:
        return await self.port.person(user_id)

    async def actor(self, user_id: str) -> Actor:
        """Who is asking, with Slack's facts: workspace admin or owner."""
        info = await self.port.user(user_id)
        admin = bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))
        return Actor(person=await self.person(user_id), is_moderator=admin)

    async def safely(self, call: Any) -> Any:
        return await self.port.safely(call)

    # -- events -------------------------------------------------------------

    async def handle(self, body: dict[str, Any]) -> object:
        """One Events API envelope, live or replayed from the inbox."""
        event = body.get("event")
        if not isinstance(event, dict):
            return None
        kind = event.get("type")
        if kind == "message":
            return await self.on_message(event, body)
        if kind in ("reaction_added", "reaction_removed"):
            return await self.on_reaction(event, body, added=kind == "reaction_added")
        return None

    async def on_message(self, event: dict[str, Any], body: dict[str, Any]) -> SubmitResult | None:
        team = _str(body.get("team_id")) or _str(event.get("team"))
        where = Where(platform=PLATFORM, workspace_id=team, channel_id=_str(event.get("channel")))
        event_id = body.get("event_id") if isinstance(body.get("event_id"), str) else None
        subtype = event.get("subtype")
        if subtype == "message_changed":
            message = _dict(event.get("message"))
            await self.flow.edited(
                MessageEdited(
                    where=where,
                    message_id=valid_ts(message.get("ts")),
                    text=await self.plain(_str(message.get("text"))),
                    at=datetime.now(UTC),
                    event_id=event_id,
                )
            )
            return None
        if subtype == "message_deleted":
            await self.flow.deleted(
                MessageDeleted(
                    where=where,
                    message_id=valid_ts(event.get("deleted_ts")),
                    at=datetime.now(UTC),
                    event_id=event_id,
                )
            )
            return None
        # Most messages are chatter in other channels: no users.info for them.
        if not where.channel_id or not await self.app.channels.is_idea_channel(where):
            return None
        chat = await self.port.chat_message(where, event, event_id)
        return None if chat is None else await self.flow.message(self.port, chat)

    async def capture(
        self, where: Where, message: dict[str, Any], *, source: str
    ) -> SubmitResult | None:
        """Any message as an idea ("Save as idea"); None when it was refused."""
        chat = await self.port.chat_message(where, message)
        return None if chat is None else await self.flow.capture(self.port, chat, source=source)

    async def on_reaction(
        self, event: dict[str, Any], body: dict[str, Any], added: bool
    ) -> ReactResult | None:
        item = _dict(event.get("item"))
        user = _str(event.get("user"))
        ts = valid_ts(item.get("ts"))
        if item.get("type") != "message" or not ts or not user or user == self.bot_user_id:
            return None
        # A vote is recorded under the name Slack last told us, never after a users.info
        # call: a storm of votes from new people would wait on its rate limit.
        person = self.port.known_person(user)
        return await self.flow.reaction(
            ReactionChange(
                where=Where(
                    platform=PLATFORM,
                    workspace_id=_str(body.get("team_id")),
                    channel_id=_str(item.get("channel")),
                ),
                message_id=ts,
                person=person,
                emoji=emoji_name(_str(event.get("reaction"))),
                added=added,
                at=at_ts(valid_ts(event.get("event_ts"))),
                event_id=body.get("event_id") if isinstance(body.get("event_id"), str) else None,
            )
        )

    # -- catch-up -----------------------------------------------------------

    async def catch_up(self, team_id: str) -> None:
        """After a start or a new socket connection: the events a crash left in the inbox,
        then what was posted while away, then (in the background) every open idea's votes."""
        if not self._replayed:
            # Only what an earlier process left: this one's own events are under way.
            self._replayed = True
            await self.app.inbox.replay(PLATFORM, self.handle)
        workspaces = [Where(platform=PLATFORM, workspace_id=team_id)]
        await self.flow.catch_up(self.port, workspaces)
        self.app.reconciler.request(self.port, workspaces)

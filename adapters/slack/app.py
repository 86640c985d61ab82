"""The Slack app: a bolt AsyncApp with ideabot's listeners, for Socket Mode or HTTP.

Events are written to the core's durable inbox before bolt acknowledges them (a
global middleware: bolt acknowledges events after its middleware and before the
listener runs). Slack never sends again what was acknowledged, so an event is only
acknowledged once a crash can no longer lose it; it is handled after the
acknowledgement and marked done, and whatever a crash left undone is handled on the
next start. The write is one group commit shared by every event of a burst, which
keeps the acknowledgement far inside Slack's three seconds (see the README's bench).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.chat import PLATFORM, SlackChat
from adapters.slack.commands import ButtonRefused, SlackCommands
from adapters.slack.digests import SlackDigestPoster
from adapters.slack.handlers import SlackHandlers
from adapters.slack.render import escape
from bot.app import App
from bot.outbox import notice_of
from storage.rows import OutboxItem

log = logging.getLogger(__name__)
# The events the inbox keeps: they change the board.
DURABLE_EVENTS = frozenset({"message", "reaction_added", "reaction_removed"})


def web_client(token: str, base_url: str | None = None) -> AsyncWebClient:
    """A Web API client that waits out rate limits (HTTP 429, Retry-After) and retries."""
    client = AsyncWebClient(token=token, base_url=base_url or AsyncWebClient.BASE_URL)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def build_slack_app(
    app: App,
    client: AsyncWebClient,
    *,
    signing_secret: str,
    process_before_response: bool = False,
    history_per_minute: float = 50,
) -> tuple[AsyncApp, SlackHandlers]:
    """The bolt app with every listener registered, and the handlers behind them."""
    bolt = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        process_before_response=process_before_response,
    )
    handlers = SlackHandlers(app, client, SlackChat(client, history_per_minute=history_per_minute))
    commands = SlackCommands(handlers)
    # Digests for Slack channels go out through this client from now on.
    app.digests.register(SlackDigestPoster(client))

    async def announce(item: OutboxItem) -> None:
        notice = notice_of(item)
        if notice is not None:  # a line for the board's moderators in one of its channels
            channel_id, text = notice
            await client.chat_postMessage(channel=channel_id, text=escape(text))
            return
        # A status change made elsewhere (the shell), announced as /ideabot status does.
        changed = await app.outbox.status_of(item)
        if changed is not None:
            await commands.close_the_loop(changed)

    app.outbox.register(PLATFORM, announce)

    @bolt.use
    async def write_first(
        body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        event = body.get("event") if body.get("type") == "event_callback" else None
        event_id = body.get("event_id")
        if (
            isinstance(event, dict)
            and event.get("type") in DURABLE_EVENTS
            and isinstance(event_id, str)
            and not await app.inbox.put(PLATFORM, event_id, body)
        ):
            # Slack sent it again (our acknowledgement was late or lost): it is written
            # down already and handled once.
            return BoltResponse(status=200, body="")
        await next()
        return None

    async def handle_event(body: dict[str, Any]) -> None:
        event_id = body.get("event_id")
        try:
            await handlers.handle(body)
        finally:
            if isinstance(event_id, str):
                await app.inbox.done(PLATFORM, event_id)

    @bolt.event("message")
    async def on_message(body: dict[str, Any]) -> None:
        await handle_event(body)

    @bolt.event("reaction_added")
    async def on_reaction_added(body: dict[str, Any]) -> None:
        await handle_event(body)

    @bolt.event("reaction_removed")
    async def on_reaction_removed(body: dict[str, Any]) -> None:
        await handle_event(body)

    @bolt.command("/idea")
    async def idea(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await respond(text=await commands.idea_command(command), response_type="ephemeral")

    @bolt.command("/ideas")
    async def ideas(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await respond(text=await commands.ideas_command(command), response_type="ephemeral")

    @bolt.command("/ideabot")
    async def ideabot(ack: AsyncAck, command: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await respond(text=await commands.ideabot_command(command), response_type="ephemeral")

    @bolt.shortcut("save_as_idea")
    async def save(ack: AsyncAck, shortcut: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await respond(text=await commands.save_shortcut(shortcut), response_type="ephemeral")

    @bolt.action(re.compile(r"^ideabot_dup_"))
    async def duplicate_button(
        ack: AsyncAck, body: dict[str, Any], action: dict[str, Any], respond: AsyncRespond
    ) -> None:
        await ack()
        try:
            text = await commands.answer_button(body, action)
        except ButtonRefused as refused:
            await respond(text=refused.message, response_type="ephemeral", replace_original=False)
            return
        await respond(text=text, replace_original=True)

    return bolt, handlers

"""The Slack app: a bolt AsyncApp with ideabot's listeners, for Socket Mode or HTTP."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.commands import ButtonRefused, SlackCommands
from adapters.slack.digests import SlackDigestPoster
from adapters.slack.handlers import SlackHandlers
from bot.app import App
from bot.channels import Channels


def web_client(token: str, base_url: str | None = None) -> AsyncWebClient:
    """A Web API client that waits out rate limits (HTTP 429, Retry-After) and retries."""
    client = AsyncWebClient(token=token, base_url=base_url or AsyncWebClient.BASE_URL)
    client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
    return client


def build_slack_app(
    app: App,
    channels: Channels,
    client: AsyncWebClient,
    *,
    signing_secret: str,
    process_before_response: bool = False,
) -> tuple[AsyncApp, SlackHandlers]:
    """The bolt app with every listener registered, and the handlers behind them."""
    bolt = AsyncApp(
        client=client,
        signing_secret=signing_secret,
        process_before_response=process_before_response,
    )
    handlers = SlackHandlers(app, channels, client)
    commands = SlackCommands(handlers)
    # Digests for Slack channels go out through this client from now on.
    app.digests.register(SlackDigestPoster(client))

    @bolt.event("message")
    async def on_message(event: dict[str, Any], body: dict[str, Any]) -> None:
        await handlers.on_message(event, body)

    @bolt.event("reaction_added")
    async def on_reaction_added(event: dict[str, Any], body: dict[str, Any]) -> None:
        await handlers.on_reaction(event, body, added=True)

    @bolt.event("reaction_removed")
    async def on_reaction_removed(event: dict[str, Any], body: dict[str, Any]) -> None:
        await handlers.on_reaction(event, body, added=False)

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

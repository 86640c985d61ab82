"""What `ideabot run` makes of a platform's failures: refused (stop) or transient (retry)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from bot.retry import keep_trying
from bot.settings import Settings
from bot.tokens import secrets_of

# Slack's answers that mean the token itself is wrong, so waiting will not help.
SLACK_REFUSALS = frozenset(
    {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired"}
)


def discord_refused(exc: BaseException) -> str | None:
    import discord

    if isinstance(exc, discord.LoginFailure):
        return (
            "Discord refused DISCORD_TOKEN (wrong or reset token): copy the bot's token"
            " again from the Developer Portal (Bot > Reset Token)"
        )
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return (
            "Discord refused the Message Content intent: switch it on under Bot in the"
            " Developer Portal"
        )
    return None


def discord_transient(exc: BaseException) -> bool:
    import aiohttp
    import discord

    if isinstance(exc, discord.HTTPException):
        return exc.status >= 500 or exc.status == 429
    return isinstance(
        exc,
        OSError
        | asyncio.TimeoutError
        | aiohttp.ClientError
        | discord.GatewayNotFound
        | discord.ConnectionClosed,
    )


def _slack_error(exc: BaseException) -> str | None:
    from slack_sdk.errors import SlackApiError

    if not isinstance(exc, SlackApiError):
        return None
    return str(exc.response.get("error") or "unknown_error")


def slack_refused(exc: BaseException) -> str | None:
    error = _slack_error(exc)
    if error in SLACK_REFUSALS:
        return (
            f"Slack refused a token ({error}): check SLACK_BOT_TOKEN (xoxb-..., Install App)"
            " and SLACK_APP_TOKEN (xapp-..., App-Level Tokens)"
        )
    return None


def slack_transient(exc: BaseException) -> bool:
    import aiohttp

    if _slack_error(exc) is not None:
        return True  # rate limits, Slack's own failures: refusals are caught before
    return isinstance(exc, OSError | asyncio.TimeoutError | aiohttp.ClientError)


def retrying(
    platform: str, settings: Settings, attempt: Callable[[], Awaitable[None]]
) -> Awaitable[None]:
    """``attempt`` (one platform's whole run) again with backoff while it cannot connect."""
    refused, transient = (
        (discord_refused, discord_transient)
        if platform == "Discord"
        else (slack_refused, slack_transient)
    )
    return keep_trying(
        platform, attempt, refused=refused, transient=transient, secrets=secrets_of(settings)
    )

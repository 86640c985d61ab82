"""Checking the platform tokens of `ideabot run` before any other work is done.

Only the shape is checked here (a blank value, spaces or quotes pasted with it, a Slack
token of the wrong kind); whether the platform accepts it shows when the bot logs in.
"""

from __future__ import annotations

from pydantic import SecretStr

from bot.errors import IdeabotError
from bot.settings import Settings

# Slack's token kinds by prefix: the bot token, and the app-level token of Socket Mode.
SLACK_PREFIXES = {"SLACK_BOT_TOKEN": "xoxb-", "SLACK_APP_TOKEN": "xapp-"}


class BadToken(IdeabotError):
    """A token that cannot be right; the message names the variable, never the value."""


def _check(name: str, secret: SecretStr | None) -> None:
    if secret is None:
        return
    value = secret.get_secret_value()
    if not value.strip():
        raise BadToken(f"{name} is set but blank: put the token in the environment or .env")
    if value != value.strip() or any(ch.isspace() or ch in "\"'" for ch in value):
        raise BadToken(
            f"{name} holds spaces, line breaks or quotes: copy the token alone, without them"
        )
    if not value.isprintable() or not value.isascii():
        raise BadToken(f"{name} holds characters no token has: copy the token again")
    prefix = SLACK_PREFIXES.get(name)
    if prefix is not None and not value.startswith(prefix):
        raise BadToken(
            f"{name} does not start with {prefix!r}: is it the other Slack token?"
            " (SLACK_BOT_TOKEN is xoxb-..., SLACK_APP_TOKEN is xapp-...)"
        )


def check_tokens(settings: Settings) -> None:
    """BadToken for a blank or malformed token; at least one platform must have one."""
    _check("DISCORD_TOKEN", settings.discord_token)
    _check("SLACK_BOT_TOKEN", settings.slack_bot_token)
    _check("SLACK_APP_TOKEN", settings.slack_app_token)
    _check("SLACK_SIGNING_SECRET", settings.slack_signing_secret)


def secrets_of(settings: Settings) -> list[str]:
    """Every token value set, to keep out of log lines."""
    values = [
        settings.discord_token,
        settings.slack_bot_token,
        settings.slack_app_token,
        settings.slack_signing_secret,
    ]
    return [v.get_secret_value() for v in values if v is not None and v.get_secret_value()]

"""Slack text as it enters ideabot: plain text, with people's names looked up live."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from bot.slack_markup import plain_text, user_ids

# A message may mention hundreds of people; past this many the rest read as "@U123" rather
# than costing a users.info call each (Slack rate-limits it).
MAX_LOOKUPS = 20

UserInfo = Callable[[str], Awaitable[dict[str, Any]]]


def display_name(info: dict[str, Any]) -> str | None:
    """The name Slack shows for a users.info ``user``; None when it has none."""
    profile = info.get("profile") or {}
    for name in (profile.get("display_name"), info.get("real_name"), info.get("name")):
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


class SlackText:
    """Turns Slack's wire text into the plain text ideabot stores."""

    def __init__(self, user: UserInfo) -> None:
        self._user = user

    async def plain(self, raw: str) -> str:
        """``raw`` decoded, each mentioned person by name (through ``user``, cached there)."""
        names: dict[str, str] = {}
        for user_id in user_ids(raw)[:MAX_LOOKUPS]:
            name = display_name(await self._user(user_id))
            if name is not None:
                names[user_id] = name
        return plain_text(raw, names)

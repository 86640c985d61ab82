"""`/ideabot config webhook` from chat: a moderator adds, lists and removes the board's
endpoints with the shell's checks (https only, no private addresses, known events).

Replies are plain text for the adapter to escape and show to the moderator alone: the
signing secret of a new endpoint is in the reply to ``add`` and nowhere else.
"""

from __future__ import annotations

from bot.admin import Admin
from bot.core import Core
from bot.domain import Actor, Where
from bot.errors import InvalidSetting
from bot.moderation import Moderation
from bot.webhooks import URL_MAX, parse_events

ACTIONS = ("add", "list", "remove")
USAGE = (
    "Usage: `/ideabot config webhook add <https URL> [event,event…]` ·"
    " `config webhook list` · `config webhook remove <id>`"
)
EVENTS_MAX = 1000


class ChatWebhooks:
    """The moderator's webhook commands, on the board of the place they are typed in."""

    def __init__(self, core: Core, moderation: Moderation, *, allow_private: bool) -> None:
        self.core = core
        self.moderation = moderation
        self.admin = Admin(core)
        self.allow_private = allow_private

    async def add(self, where: Where, actor: Actor, url: str, events: str | None) -> str:
        """Add an endpoint; the reply holds its signing secret (show it to ``actor`` only)."""
        board = await self.moderation.moderator_board(where, actor)
        url = url.strip()
        if not url:
            raise InvalidSetting(USAGE)
        if len(url) > URL_MAX:
            raise InvalidSetting(f"That URL is too long: at most {URL_MAX:,} characters.")
        if events is not None and len(events) > EVENTS_MAX:
            raise InvalidSetting("That list of events is too long.")
        wanted = parse_events(events if events and events.strip() else None)
        webhook_id, secret = await self.admin.add_webhook(
            board, actor, url, wanted, self.allow_private
        )
        return (
            f"Webhook {webhook_id} sends {', '.join(wanted)} to `{url}`\n"
            # In a code span: chat markup would eat the secret's underscores.
            f"Signing secret, shown only now and only to you: `{secret}`\n"
            "Keep it with the receiver; it checks each delivery's signature with it."
        )

    async def listing(self, where: Where, actor: Actor) -> str:
        """The board's endpoints, one line each (secrets are never shown again)."""
        board = await self.moderation.moderator_board(where, actor)
        endpoints = await self.core.store.webhooks.of_board(board.id)
        if not endpoints:
            return "This board has no webhooks."
        return "\n".join(
            f"{e.id}: {'switched off' if e.disabled_at else 'active'}, `{e.url}`"
            f" ({', '.join(e.events)})"
            for e in endpoints
        )

    async def remove(self, where: Where, actor: Actor, webhook_id: str) -> str:
        """Remove endpoint ``webhook_id`` of the board (its queued deliveries are dropped)."""
        board = await self.moderation.moderator_board(where, actor)
        text = webhook_id.strip().lstrip("#")
        if not text.isdecimal() or not 0 < int(text) < 2**31:
            raise InvalidSetting(f"{webhook_id[:20]!r} is not a webhook id. {USAGE}")
        await self.admin.remove_webhook(board, actor, int(text))
        return f"Removed webhook {int(text)}."

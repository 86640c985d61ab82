"""REST endpoints listing archived threads (public, private, private ones the bot joined):
their messages stay readable through the channel endpoints, as on Discord."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from .model import PRIVATE_THREAD, PUBLIC_THREAD
from .routes_channels import Context, require
from .validate import unknown

if TYPE_CHECKING:
    from .rest import Call, Route


def thread_routes(ctx: Context) -> list[Route]:
    state = ctx.state
    payloads = state.payloads

    def archived(call: Call, kind: int, *, joined_only: bool = False) -> Any:
        """Archived threads of a channel or forum, newest first, ``before`` an ISO time."""
        channel = state.channels.get(call.id("cid"))
        if channel is None:
            raise unknown("Channel")
        require(channel, "read_message_history")
        if kind == PRIVATE_THREAD and not joined_only:
            require(channel, "manage_threads")
        limit = call.int_query("limit", 50) or 50
        before = call.query.get("before")
        threads = [
            t
            for t in channel.guild.threads
            if t.parent is channel
            and t.archived
            and t.type == kind
            and (not joined_only or state.bot_user.id in t.member_ids)
        ]
        threads.sort(key=lambda t: t.id, reverse=True)
        if before:
            cut = datetime.fromisoformat(before.replace("Z", "+00:00"))
            threads = [t for t in threads if t.created_at is not None and t.created_at < cut]
        return {
            "threads": [payloads.thread(t) for t in threads[:limit]],
            "members": [],
            "has_more": len(threads) > limit,
        }

    async def archived_public(call: Call) -> Any:
        return archived(call, PUBLIC_THREAD)

    async def archived_private(call: Call) -> Any:
        return archived(call, PRIVATE_THREAD)

    async def archived_private_joined(call: Call) -> Any:
        return archived(call, PRIVATE_THREAD, joined_only=True)

    channel = "/channels/{cid}"
    return [
        ("GET", channel + "/threads/archived/public", archived_public),
        ("GET", channel + "/threads/archived/private", archived_private),
        ("GET", channel + "/users/@me/threads/archived/private", archived_private_joined),
    ]

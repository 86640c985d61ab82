"""Posting the weekly digest into a Discord channel, each part exactly once.

Every message of a digest names the digest's key and its part in its last embed's
footer. Before posting, the channel's recent history is read, and the parts an earlier
attempt already posted (one that died half way) are skipped.
"""

from __future__ import annotations

import asyncio

import discord

from adapters.discord import convert, render
from adapters.discord.events import NO_PINGS
from bot.digest_posts import DigestPost, PostFailed
from bot.domain import Where

# How far back, past the digest's own parts, a resumed attempt looks for parts already
# posted: a retry comes within the hour, so other traffic rarely pushes them further.
HISTORY = 50
# How long a post waits for the client to (re)connect before it counts as failed: the
# scheduler serves every platform in turn, so one that is down must not hold up others.
READY_TIMEOUT = 60.0


class DiscordDigestPoster:
    """The scheduler's way to post a digest into a Discord channel."""

    platform = convert.PLATFORM

    def __init__(self, client: discord.Client, *, ready_timeout: float = READY_TIMEOUT) -> None:
        self.client = client
        self.ready_timeout = ready_timeout

    async def post_digest(self, where: Where, post: DigestPost) -> str:
        """Post the parts of ``post`` not yet in the channel; the first part's message id.

        Raises PostFailed, saying why, when Discord refuses (missing permission, unknown
        channel, server errors after discord.py's own retries).
        """
        await self._ready()
        channel_id = int(where.channel_id or 0)
        try:
            channel = await self._channel(channel_id)
            messages = render.digest_embeds(post.digest, post.key)
            posted = await self._posted_parts(channel, post.key, len(messages) + HISTORY)
            first = posted.get(1)
            for number, embeds in enumerate(messages, 1):
                if number in posted:
                    continue
                message = await channel.send(embeds=embeds, allowed_mentions=NO_PINGS)
                first = first or message.id
        except discord.Forbidden as exc:
            raise PostFailed(
                f"Discord refused the digest in <#{channel_id}> ({exc.status} {exc.text}):"
                " ideabot needs View Channel, Send Messages, Embed Links and Read Message"
                " History there."
            ) from exc
        except discord.NotFound as exc:
            raise PostFailed(f"channel <#{channel_id}> is gone ({exc.text}).") from exc
        except discord.HTTPException as exc:
            raise PostFailed(
                f"Discord failed to take the digest in <#{channel_id}> ({exc.status} {exc.text})."
            ) from exc
        assert first is not None
        return str(first)

    async def _ready(self) -> None:
        try:
            if self.client.is_closed():
                raise RuntimeError("the client is closed")
            await asyncio.wait_for(self.client.wait_until_ready(), self.ready_timeout)
        except (TimeoutError, RuntimeError) as exc:
            raise PostFailed("ideabot is not connected to Discord right now.") from exc

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.client.get_channel(channel_id)
        if channel is None:
            channel = await self.client.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise PostFailed(
                f"<#{channel_id}> cannot take messages (a forum or category?): make a text"
                " channel the digest channel."
            )
        return channel

    async def _posted_parts(
        self, channel: discord.abc.Messageable, key: str, depth: int
    ) -> dict[int, int]:
        """part number -> message id of this digest's parts the bot already posted among
        the channel's latest ``depth`` messages."""
        me = self.client.user
        found: dict[int, int] = {}
        async for message in channel.history(limit=depth):
            if me is None or message.author.id != me.id:
                continue
            part = render.digest_part(message.embeds)
            if part is not None and part[0] == key:
                # History is newest first: keep the oldest copy of a part.
                found[part[1]] = message.id
        return found

"""Posting the weekly digest into a Slack channel, each part exactly once.

Every message of a digest carries message metadata naming the digest's key and its
part. Before posting, the channel's recent history is read with its metadata, and the
parts an earlier attempt already posted (one that died half way) are skipped.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import render
from adapters.slack.handlers import PLATFORM
from bot.digest_posts import DigestPost, PostFailed
from bot.domain import Where

EVENT_TYPE = "ideabot_digest"
# How far back, past the digest's own parts, a resumed attempt looks for parts already
# posted: a retry comes within the hour, so other traffic rarely pushes them further.
HISTORY = 50
HISTORY_MAX = 999  # conversations.history's largest page
_HINTS = {
    "not_in_channel": "invite the app to the channel (/invite @ideabot)",
    "channel_not_found": "the channel is gone, or private without the app in it",
    "is_archived": "the channel is archived",
    "missing_scope": "the app lacks a scope (chat:write, channels:history, groups:history)",
}


def channel_name(where: Where) -> str:
    """A channel as a Slack message names it: a link here, plain for other platforms."""
    if where.platform == PLATFORM:
        return f"<#{where.channel_id}>"
    return f"{where.platform} channel `{render.escape(str(where.channel_id))}`"


class SlackDigestPoster:
    """The scheduler's way to post a digest into a Slack channel."""

    platform = PLATFORM

    def __init__(self, client: AsyncWebClient) -> None:
        self.client = client
        self._me: str | None = None

    async def post_digest(self, where: Where, post: DigestPost) -> str:
        """Post the parts of ``post`` not yet in the channel; the first part's ``ts``.

        Raises PostFailed, saying why, when Slack refuses (not in the channel, archived,
        missing scope, server errors).
        """
        channel = str(where.channel_id)
        messages = render.digest_blocks(post.digest)
        title = render.escape(render.digest_title(post.digest))
        try:
            depth = min(len(messages) + HISTORY, HISTORY_MAX)
            posted = await self._posted_parts(channel, post.key, depth)
            first = posted.get(1)
            for number, blocks in enumerate(messages, 1):
                if number in posted:
                    continue
                part = {"key": post.key, "part": number, "parts": len(messages)}
                response = await self.client.chat_postMessage(
                    channel=channel,
                    text=title if len(messages) == 1 else f"{title} ({number}/{len(messages)})",
                    blocks=blocks,
                    metadata={"event_type": EVENT_TYPE, "event_payload": part},
                    unfurl_links=False,
                    unfurl_media=False,
                )
                first = first or str(response["ts"])
        except SlackApiError as exc:
            error = str(exc.response.get("error") or exc.response.status_code)
            hint = _HINTS.get(error)
            raise PostFailed(
                f"Slack refused the digest in <#{channel}> ({error})"
                + (f": {hint}." if hint else ".")
            ) from exc
        assert first is not None
        return first

    async def _posted_parts(self, channel: str, key: str, depth: int) -> dict[int, str]:
        """part number -> ts of this digest's parts the app already posted among the
        channel's latest ``depth`` messages."""
        if self._me is None:
            self._me = str((await self.client.auth_test()).get("user_id"))
        response = await self.client.conversations_history(
            channel=channel, limit=depth, include_all_metadata=True
        )
        found: dict[int, str] = {}
        for message in response.get("messages") or []:
            payload = _payload(message)
            if message.get("user") == self._me and payload.get("key") == key:
                # History is newest first: keep the oldest copy of a part.
                found[int(payload.get("part") or 0)] = str(message.get("ts"))
        return found


def _payload(message: dict[str, Any]) -> dict[str, Any]:
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != EVENT_TYPE:
        return {}
    payload = metadata.get("event_payload")
    return payload if isinstance(payload, dict) else {}

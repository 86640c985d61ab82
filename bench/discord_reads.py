"""The baseline of the reconcile benchmark: read each message and the people behind its vote
emoji straight from the (fake) Discord REST API with aiohttp, honouring its rate-limit
headers as a careful client does: one request at a time per bucket, waiting out a bucket
whose ``X-RateLimit-Remaining`` is 0 until ``Reset-After``, and a 429's ``retry_after``."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from urllib.parse import quote

import aiohttp

VOTE = "👍"


@dataclass
class Bucket:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    remaining: int = 1
    reset_at: float = 0.0


class Reader:
    def __init__(self, session: aiohttp.ClientSession, api_base: str) -> None:
        self.session = session
        self.api_base = api_base
        self.buckets: dict[str, Bucket] = {}
        self.requests = 0
        self.refused = 0

    async def get(self, route: str, path: str, params: dict[str, str] | None = None) -> object:
        """GET ``path``; ``route`` names its bucket (template plus major parameter)."""
        bucket = self.buckets.setdefault(route, Bucket())
        async with bucket.lock:
            while True:
                wait = bucket.reset_at - time.monotonic()
                if bucket.remaining <= 0 and wait > 0:
                    await asyncio.sleep(wait)
                async with self.session.get(self.api_base + path, params=params) as response:
                    self.requests += 1
                    body = await response.json()
                    headers = response.headers
                if "X-RateLimit-Remaining" in headers:
                    bucket.remaining = int(headers["X-RateLimit-Remaining"])
                    after = float(headers.get("X-RateLimit-Reset-After", "0"))
                    bucket.reset_at = time.monotonic() + after
                if response.status != 429:
                    response.raise_for_status()
                    return body
                self.refused += 1
                await asyncio.sleep(float(body.get("retry_after", 1.0)))


async def read_messages(
    api_base: str, token: str, channel_id: int, message_ids: list[int]
) -> tuple[float, int, int]:
    """Seconds to read every message and its voters; (seconds, requests, 429s)."""
    emoji = quote(VOTE)
    headers = {"Authorization": f"Bot {token}"}
    async with aiohttp.ClientSession(headers=headers) as session:
        reader = Reader(session, api_base)

        async def one(message_id: int) -> None:
            base = f"/channels/{channel_id}/messages/{message_id}"
            message = await reader.get(f"message:{channel_id}", base)
            assert isinstance(message, dict)
            if not any(r["emoji"]["name"] == VOTE for r in message.get("reactions", [])):
                return
            after = "0"
            while True:
                params = {"limit": "100", "after": after}
                users = await reader.get(
                    f"reactions:{channel_id}", f"{base}/reactions/{emoji}", params
                )
                assert isinstance(users, list)
                if len(users) < 100:
                    return
                after = users[-1]["id"]

        started = time.perf_counter()
        await asyncio.gather(*(one(m) for m in message_ids))
        return time.perf_counter() - started, reader.requests, reader.refused

"""Webhook deliveries over HTTP: signed POSTs that never reach a private address.

Every address a host name resolves to is checked at connection time (a resolver that
drops loopback, private, link-local and reserved addresses), so neither a name pointing
at 127.0.0.1 nor DNS rebinding gets through; redirects are not followed (a 3xx is a
failed delivery), so a redirect to a private address goes nowhere.
IDEABOT_WEBHOOK_ALLOW_PRIVATE=1 lifts both (and allows http), for tests and closed networks.
"""

from __future__ import annotations

import errno
import logging
import socket
import time
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver

from bot.webhooks import PREFIX, SIGNATURE_HEADER, blocked_address, check_url, encode, sign
from storage.port import Store
from storage.rows import OutboxItem, WebhookRow

log = logging.getLogger(__name__)
TIMEOUT_SECONDS = 10.0
USER_AGENT = "ideabot-webhooks/1"


class WebhookFailed(Exception):
    """The endpoint did not take the delivery (an HTTP status other than 2xx, a refusal)."""


class PublicResolver(AbstractResolver):
    """Resolves names, keeping only public addresses; none left is a refusal."""

    def __init__(self) -> None:
        self._inner = ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        kept = [r for r in found if not blocked_address(r["host"])]
        if not kept:
            raise OSError(
                errno.EPERM, f"{host} resolves only to private or reserved addresses; refused"
            )
        return kept

    async def close(self) -> None:
        await self._inner.close()


def session(allow_private: bool, timeout: float = TIMEOUT_SECONDS) -> aiohttp.ClientSession:
    """A client session for webhooks: the public-only resolver unless private is allowed."""
    connector = aiohttp.TCPConnector(
        resolver=None if allow_private else PublicResolver(), use_dns_cache=False
    )
    return aiohttp.ClientSession(
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=timeout),
        headers={"User-Agent": USER_AGENT},
    )


async def post(
    client: aiohttp.ClientSession,
    endpoint: WebhookRow,
    payload: dict[str, Any],
    *,
    allow_private: bool,
) -> int:
    """Send ``payload`` to ``endpoint``, signed; its HTTP status, or WebhookFailed."""
    check_url(endpoint.url, allow_private=allow_private)
    body = encode(payload)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(endpoint.secret, int(time.time()), body),
        "Ideabot-Delivery": str(payload.get("id", "")),
        "Ideabot-Event": str(payload.get("event", "")),
    }
    try:
        async with client.post(
            endpoint.url, data=body, headers=headers, allow_redirects=False
        ) as response:
            status = response.status
    except TimeoutError:
        raise WebhookFailed("no answer in time") from None
    except (aiohttp.ClientError, OSError) as exc:
        raise WebhookFailed(str(exc) or type(exc).__name__) from None
    if not 200 <= status < 300:
        raise WebhookFailed(f"HTTP {status}")
    return status


class WebhookSender:
    """Delivers the outbox's webhook rows for the running bot."""

    def __init__(
        self, store: Store, *, allow_private: bool, timeout: float = TIMEOUT_SECONDS
    ) -> None:
        self.store = store
        self.allow_private = allow_private
        self.timeout = timeout
        self._client: aiohttp.ClientSession | None = None

    async def targets(self) -> list[str]:
        return [f"{PREFIX}{i}" for i in await self.store.webhooks.active_ids()]

    async def deliver(self, item: OutboxItem) -> None:
        endpoint = await self.store.webhooks.by_id(int(item.target.removeprefix(PREFIX)))
        if endpoint is None or endpoint.disabled_at is not None:
            return  # removed or disabled meanwhile: nothing to send
        if self._client is None:
            self._client = session(self.allow_private, self.timeout)
        await post(self._client, endpoint, item.payload, allow_private=self.allow_private)

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

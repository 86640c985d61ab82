"""Delivering what Slack sends to a Bolt app: signing (the real ``SignatureVerifier``),
in-process dispatch (``app.async_dispatch``) and real HTTP to ``app.web_app()``."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

import aiohttp
from aiohttp import web
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from .payloads import kind_of

JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def encode_body(body: dict[str, Any] | str) -> tuple[str, str]:
    """(raw body, content type) as Slack POSTs it: events as JSON, slash commands as form
    fields, interactive payloads as the form field ``payload=<json>``."""
    if isinstance(body, str):
        return body, JSON if body.startswith("{") else FORM
    kind = kind_of(body)
    if kind == "events_api":
        return json.dumps(body), JSON
    if kind == "slash_commands":
        return urlencode(body), FORM
    return urlencode({"payload": json.dumps(body)}), FORM


def signed_headers(
    body: str,
    secret: str,
    *,
    timestamp: int | str | None = None,
    content_type: str | None = None,
    retry_num: int | None = None,
    retry_reason: str = "http_timeout",
) -> dict[str, str]:
    """Slack's request headers: ``X-Slack-Request-Timestamp`` and ``X-Slack-Signature``
    (``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}``). ``retry_num`` adds the headers of
    Slack's redelivery of an event the app did not ack in 3 s."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    headers = {
        "content-type": content_type or (JSON if body.startswith("{") else FORM),
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": str(signature),
    }
    if retry_num is not None:
        headers["x-slack-retry-num"] = str(retry_num)
        headers["x-slack-retry-reason"] = retry_reason
    return headers


async def dispatch(app: AsyncApp, body: str, headers: dict[str, str]) -> BoltResponse:
    """Run one HTTP-mode request through the app in-process."""
    return await app.async_dispatch(AsyncBoltRequest(body=body, headers=dict(headers)))


async def post_http(url: str, body: str, headers: dict[str, str]) -> BoltResponse:
    """POST a raw body over real HTTP; the answer as a BoltResponse (status, body, headers)."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=body.encode(), headers=headers) as response,
    ):
        text = await response.text()
        answer: dict[str, str | Sequence[str]] = {
            k.lower(): [v] for k, v in response.headers.items()
        }
        return BoltResponse(status=response.status, body=text, headers=answer)


@asynccontextmanager
async def serve_app(app: AsyncApp, path: str = "/slack/events") -> AsyncIterator[str]:
    """Serve ``app.web_app()`` on a loopback port; yields the request URL."""
    runner = web.AppRunner(app.web_app(path=path), handle_signals=False)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        yield f"http://127.0.0.1:{port}{path}"
    finally:
        await runner.cleanup()

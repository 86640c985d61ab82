"""Slack's HTTP endpoint: each request is checked (signature, then body) before bolt sees it.

bolt's own ``web_app()`` parses the body before anything else, so a malformed one is a
500 with a traceback; and its parser reads a form body that merely contains the word
"payload" as an interactive payload, so ``/idea my payload idea`` arrived empty. Here:

1. the signature (``slack_sdk.signature.SignatureVerifier``): 401 when it is missing,
   forged or older than five minutes; nothing else of the request is read first;
2. the body: 400 unless it is a JSON object or a form (``payload=<JSON object>`` for
   interactive requests, plain fields for slash commands);
3. bolt, with the body parsed here (its dispatch then runs as usual: url_verification,
   ssl_check, listeners).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.signature import SignatureVerifier

log = logging.getLogger(__name__)
MAX_BODY = 1024 * 1024  # Slack's largest payloads (view submissions) are far smaller
MAX_FIELDS = 200  # a slash command has about 15 form fields


class MalformedBody(ValueError):
    """A signed body that is neither a JSON object nor a form Slack would send."""


def parse_body(text: str, content_type: str) -> dict[str, Any]:
    """The request's fields: a JSON object, an interactive ``payload``, or form fields."""
    if not text.strip():
        raise MalformedBody("empty body")
    if content_type == "application/json" or text.startswith("{"):
        return _json_object(text, "body")
    try:
        fields = dict(
            parse_qsl(text, keep_blank_values=True, strict_parsing=True, max_num_fields=MAX_FIELDS)
        )
    except ValueError as exc:
        raise MalformedBody(f"not a form: {str(exc)[:80]}") from None
    # Interactive requests are the single field payload=<JSON>; slash commands never have
    # a field of that name, whatever their text says.
    if "payload" in fields:
        return _json_object(fields["payload"], "payload")
    return fields


def check_shape(body: dict[str, Any]) -> None:
    """Refuse an event envelope whose parts bolt reads without checking their type."""
    if body.get("type") != "event_callback":
        return
    event = body.get("event")
    if not isinstance(event, dict):
        raise MalformedBody("an event callback without an event object")
    for key in ("user", "channel", "item"):
        if key in event and not isinstance(event[key], str | dict):
            raise MalformedBody(f"the event's {key} is neither text nor an object")


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise MalformedBody(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise MalformedBody(f"{what} is not a JSON object")
    return value


def is_signed(verifier: SignatureVerifier, raw: bytes, headers: Any) -> bool:
    """Whether Slack signed ``raw`` in the last five minutes (headers are not trusted)."""
    timestamp = str(headers.get("X-Slack-Request-Timestamp") or "")
    signature = str(headers.get("X-Slack-Signature") or "")
    # SignatureVerifier raises on a timestamp that is not a number and on a non-ASCII
    # signature: those are refusals, not errors.
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if not signature.isascii() or len(signature) > 200:
        return False
    # Slack signs UTF-8 text; bytes that are not UTF-8 cannot carry its signature.
    text = raw.decode("utf-8", errors="replace")
    return verifier.is_valid(body=text, timestamp=timestamp, signature=signature)


def bolt_request(text: str, body: dict[str, Any], request: web.Request) -> AsyncBoltRequest:
    """The request as bolt's, carrying the body parsed here instead of bolt's own parse."""
    headers: dict[str, str | Sequence[str]] = {}
    for name in request.headers:
        headers[name.lower()] = list(request.headers.getall(name))
    # Built empty so that bolt's parser never runs on the text; bolt still checks the
    # signature of raw_body itself.
    built = AsyncBoltRequest(body="", query=request.query_string, headers=headers)
    built.raw_body = text
    built.body = body
    built.context = build_async_context(AsyncBoltContext({}), body)
    return built


def web_app(bolt: AsyncApp, signing_secret: str, path: str = "/slack/events") -> web.Application:
    """An aiohttp app serving ``bolt`` at ``path``, refusing bad requests before parsing."""
    verifier = SignatureVerifier(signing_secret)

    async def handle(request: web.Request) -> web.StreamResponse:
        raw = await request.read()  # 413 past client_max_size, from aiohttp itself
        if not is_signed(verifier, raw, request.headers):
            log.info("refused a Slack request: no valid signature (401)")
            return web.json_response({"error": "invalid request"}, status=401)
        try:
            text = raw.decode("utf-8")
            body = parse_body(text, request.content_type)
            check_shape(body)
        except (UnicodeDecodeError, MalformedBody) as exc:
            log.info("refused a signed Slack request: %s (400)", str(exc)[:120])
            return web.json_response({"error": "malformed body"}, status=400)
        response = await bolt.async_dispatch(bolt_request(text, body, request))
        return await to_aiohttp_response(response)

    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(path, handle)
    return app

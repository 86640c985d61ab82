"""The REST API under ``/api/v10``: one catch-all aiohttp handler that logs every request,
applies injected failures, checks the bot token, and routes to the endpoint handlers.

Responses are JSON with Content-Type exactly ``application/json``: discord.py parses a body as
JSON only then (``web.json_response`` and ``web.Response(text=...)`` both add a charset)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from .model import FakeAttachment
from .ratelimit import RateLimiter
from .routes_channels import channel_routes
from .routes_interactions import interaction_routes
from .routes_threads import thread_routes
from .state import FakeState, RequestRecord
from .validate import DiscordError, invalid_form


@dataclass
class Call:
    method: str
    path: str
    args: dict[str, str]
    query: dict[str, str]
    json: Any
    uploads: list[FakeAttachment] = field(default_factory=list)

    @property
    def body(self) -> dict[str, Any]:
        return self.json if isinstance(self.json, dict) else {}

    def id(self, name: str) -> int:
        value = self.args[name]
        if not value.isdigit():
            raise invalid_form(
                [((name,), "NUMBER_TYPE_COERCE", f'Value "{value}" is not snowflake.')]
            )
        return int(value)

    def int_query(self, name: str, default: int | None = None) -> int | None:
        value = self.query.get(name)
        if value is None or value == "":
            return default
        if not value.lstrip("-").isdigit():
            raise invalid_form([((name,), "NUMBER_TYPE_COERCE", f'Value "{value}" is not int.')])
        return int(value)


Handler = Callable[[Call], Awaitable[Any]]
Route = tuple[str, str, Handler]


def _compile(pattern: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$")


class Rest:
    """Route table plus the cross-cutting behaviour (logging, auth, failures, errors)."""

    def __init__(self, state: FakeState, token: str | None, routes_context: Any) -> None:
        self.state = state
        self.token = token
        self.limiter: RateLimiter | None = None  # Discord's rate limits, when switched on
        self.routes: list[tuple[str, re.Pattern[str], Handler, str]] = [
            (method, _compile(pattern), handler, pattern)
            for method, pattern, handler in [
                *channel_routes(routes_context),
                *interaction_routes(routes_context),
                *thread_routes(routes_context),
            ]
        ]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = "/" + request.match_info["tail"]
        method = request.method
        body, uploads = await _read_body(request)
        for upload in uploads:
            upload.id = self.state.ids.next()
        record = RequestRecord(method, path, body, dict(request.query))
        self.state.requests.append(record)
        try:
            status, answer, headers = await self._answer(request, record, body, uploads)
        finally:
            self.state.bump()
        record.status = status
        if answer is None:
            return web.Response(status=status, headers=headers)
        return web.Response(
            status=status,
            body=json.dumps(answer).encode(),
            content_type="application/json",
            headers=headers,
        )

    async def _answer(
        self, request: web.Request, record: RequestRecord, body: Any, uploads: list[FakeAttachment]
    ) -> tuple[int, Any, dict[str, str]]:
        injected = self._injected(record.method, record.path)
        if injected is not None:
            return injected
        public = record.path.startswith(("/webhooks/", "/interactions/"))
        auth = request.headers.get("Authorization", "")
        if not public and (
            not auth.startswith("Bot ") or (self.token is not None and auth != f"Bot {self.token}")
        ):
            return 401, {"message": "401: Unauthorized", "code": 0}, {}
        for method, pattern, handler, template in self.routes:
            match = pattern.match(record.path)
            if method == record.method and match:
                headers: dict[str, str] = {}
                if self.limiter is not None:
                    verdict = self.limiter.take(method, template, match.groupdict(), record.path)
                    if verdict.refused is not None:
                        return 429, verdict.refused, verdict.headers
                    headers = verdict.headers
                call = Call(
                    record.method, record.path, match.groupdict(), record.query, body, uploads
                )
                try:
                    result = await handler(call)
                except DiscordError as error:
                    return error.status, error.body(), headers
                if isinstance(result, tuple):
                    return result[0], result[1], headers
                return (204, None, headers) if result is None else (200, result, headers)
        self.state.unhandled.append(record)
        return 404, {"message": "404: Not Found", "code": 0}, {}

    def _injected(self, method: str, path: str) -> tuple[int, Any, dict[str, str]] | None:
        for failure in self.state.failures:
            if failure.times > 0 and failure.method == method and failure.path.search(path):
                if failure.after > 0:
                    failure.after -= 1
                    continue
                failure.times -= 1
                if failure.status != 429:
                    return failure.status, {"message": "fake: injected failure", "code": 0}, {}
                scope = "global" if failure.is_global else "user"
                headers = {
                    "Via": "1.1 google",
                    "Retry-After": str(max(1, round(failure.retry_after))),
                    "X-RateLimit-Limit": "5",
                    "X-RateLimit-Remaining": "0",
                    "X-RateLimit-Reset": f"{time.time() + failure.retry_after:.3f}",
                    "X-RateLimit-Reset-After": f"{failure.retry_after:.3f}",
                    "X-RateLimit-Bucket": "fake-bucket-" + re.sub(r"\W", "", path)[:32],
                    "X-RateLimit-Scope": scope,
                }
                if failure.is_global:
                    headers["X-RateLimit-Global"] = "true"
                body = {
                    "message": "You are being rate limited.",
                    "retry_after": failure.retry_after,
                    "global": failure.is_global,
                }
                return 429, body, headers
        return None


async def _read_body(request: web.Request) -> tuple[Any, list[FakeAttachment]]:
    if not request.can_read_body:
        return None, []
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        uploads: list[FakeAttachment] = []
        reader = await request.multipart()
        async for part in reader:
            if part.name == "payload_json":  # type: ignore[union-attr]
                payload = json.loads(await part.text())  # type: ignore[union-attr]
            else:
                data = await part.read()  # type: ignore[union-attr]
                uploads.append(
                    FakeAttachment(
                        id=0,
                        filename=part.filename or "file",  # type: ignore[union-attr]
                        data=bytes(data),
                        content_type=part.headers.get("Content-Type"),  # type: ignore[union-attr]
                    )
                )
        return payload, uploads
    raw = await request.read()
    if not raw:
        return None, []
    try:
        return json.loads(raw), []
    except ValueError:
        return raw.decode(errors="replace"), []

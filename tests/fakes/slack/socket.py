"""Socket Mode: ``apps.connections.open`` (app token) hands out a one-use
``ws://127.0.0.1:PORT/socket?ticket=...`` URL; on connect the server sends ``hello``, then
envelopes ``{"envelope_id", "type", "payload", "accepts_response_payload", ...}`` that the
client acks with ``{"envelope_id", "payload"?}``. ``disconnect`` asks the client to reconnect."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .state import SlackState

KINDS = ("events_api", "slash_commands", "interactive")


@dataclass(eq=False)
class SocketConnection:
    ticket: str
    ws: web.WebSocketResponse
    closed: bool = False
    received: list[dict[str, Any]] = field(default_factory=list)  # every message from the app


@dataclass(eq=False)
class Envelope:
    envelope_id: str
    type: str
    payload: dict[str, Any]
    message: dict[str, Any]  # as sent
    connection: SocketConnection
    ack: dict[str, Any] | None = None  # the app's ack message, once received


class SocketHub:
    def __init__(self, state: SlackState) -> None:
        self.state = state
        self.base_url = ""
        self.tickets: set[str] = set()
        self.connections: list[SocketConnection] = []
        self.envelopes: list[Envelope] = []
        self.rejected = 0  # connection attempts with an unknown or reused ticket
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}

    def new_url(self) -> str:
        ticket = secrets.token_hex(16)
        self.tickets.add(ticket)
        return f"{self.base_url}/socket?ticket={ticket}&app_id={self.state.api_app_id}"

    @property
    def open(self) -> list[SocketConnection]:
        return [c for c in self.connections if not c.closed]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self.tickets:
            self.rejected += 1
            self.state.bump()
            return web.Response(status=401, text="invalid ticket")
        self.tickets.discard(ticket)
        ws = web.WebSocketResponse()  # answers the client's pings ("sdk-ping-pong:...")
        await ws.prepare(request)
        connection = SocketConnection(ticket, ws)
        self.connections.append(connection)
        await ws.send_json(
            {
                "type": "hello",
                "num_connections": len(self.open),
                "debug_info": {
                    "host": "applink-fake-1",
                    "build_number": 1,
                    "approximate_connection_time": 18060,
                },
                "connection_info": {"app_id": self.state.api_app_id},
            }
        )
        self.state.bump()
        try:
            async for msg in ws:
                if msg.type != WSMsgType.TEXT:
                    continue
                data = json.loads(msg.data)
                connection.received.append(data)
                future = self._acks.pop(str(data.get("envelope_id")), None)
                if future is not None and not future.done():
                    future.set_result(data)
                self.state.bump()
        finally:
            connection.closed = True
            self.state.bump()
        return ws

    async def send(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        timeout: float = 120.0,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> dict[str, Any]:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        if not self.open:
            raise RuntimeError("fake Slack: no Socket Mode connection is open")
        connection = self.open[-1]
        envelope_id = str(uuid.uuid4())
        accepts = kind == "slash_commands" or payload.get("type") in (
            "view_submission",
            "block_suggestion",
        )
        message: dict[str, Any] = {
            "envelope_id": envelope_id,
            "payload": payload,
            "type": kind,
            "accepts_response_payload": accepts,
        }
        if kind == "events_api":
            message.update(retry_attempt=retry_attempt, retry_reason=retry_reason)
        envelope = Envelope(envelope_id, kind, payload, message, connection)
        self.envelopes.append(envelope)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = future
        await connection.ws.send_json(message)
        self.state.bump()
        try:
            envelope.ack = await asyncio.wait_for(future, timeout)
        except TimeoutError:
            self._acks.pop(envelope_id, None)
            raise TimeoutError(
                f"fake Slack: no ack for the {kind} envelope within {timeout}s (Bolt does not "
                "ack when no listener matched or a listener failed before ack())"
            ) from None
        return envelope.ack

    async def send_disconnect(self, reason: str = "refresh_requested") -> None:
        """What Slack sends before it closes a connection; the client then reconnects."""
        for connection in self.open:
            await connection.ws.send_json(
                {"type": "disconnect", "reason": reason, "debug_info": {"host": "applink-fake-1"}}
            )

    async def drop(self, code: int = 1001) -> None:
        """Close every open connection from the server side (the client reconnects)."""
        for connection in self.open:
            await connection.ws.close(code=code)

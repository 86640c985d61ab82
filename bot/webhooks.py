"""Outgoing webhooks: which events a board sends where, their bodies, their signatures.

An event is queued in the outbox in the same transaction as the change it tells of, one
row per endpoint that takes it (target ``webhook:<id>``); the running bot delivers it
(adapters.webhook_http) with retries. The body is JSON with a version, the event, the
board, the idea as `ideabot ideas --format json` shows it, and a delivery id that stays
the same on every retry. The signature header is ``t=<unix time>,v1=<hex>``, the hex
being HMAC-SHA256 of ``"<t>.<body>"`` with the endpoint's secret (as Stripe does).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import uuid
from dataclasses import replace
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from bot.boards import Board
from bot.core import view
from bot.errors import InvalidSetting
from bot.results import IdeaView, idea_json
from storage.port import Transaction
from storage.rows import IdeaRow

VERSION = 1
EVENTS = (
    "idea.created",
    "idea.merged",
    "idea.unmerged",
    "idea.status_changed",
    "idea.deleted",
    "idea.votes_reached",
    "digest.posted",
)
TEST_EVENT = "webhook.test"
SIGNATURE_HEADER = "Ideabot-Signature"
URL_MAX = 2000
PREFIX = "webhook:"


def target(webhook_id: int) -> str:
    return f"{PREFIX}{webhook_id}"


def parse_events(text: str | None) -> tuple[str, ...]:
    """``idea.created,idea.merged`` as event names; every event when None."""
    if text is None:
        return EVENTS
    names = tuple(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    unknown = [n for n in names if n not in EVENTS]
    if unknown or not names:
        shown = repr(unknown[0][:40]) if unknown else "nothing"
        raise InvalidSetting(f"{shown} is not an event; events are: {', '.join(EVENTS)}")
    return names


def blocked_address(address: str) -> bool:
    """True for an address a webhook must not reach: loopback, private, link-local (the
    cloud metadata service at 169.254.169.254), shared, reserved, multicast, unspecified."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return bool(
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10"))
    )


def check_url(url: str, *, allow_private: bool) -> str:
    """``url`` if a webhook may be sent there; InvalidSetting in one line otherwise. Host
    names are checked again after DNS resolution, on every delivery."""
    if len(url) > URL_MAX or any(c.isspace() or ord(c) < 32 for c in url):
        raise InvalidSetting("the URL is too long or holds spaces or control characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise InvalidSetting(f"{url[:80]!r} is not a URL") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise InvalidSetting(
            f"{url[:80]!r}: webhooks go to https:// URLs only"
            + ("" if allow_private else " (http is allowed with IDEABOT_WEBHOOK_ALLOW_PRIVATE=1)")
        )
    if parts.username is not None or parts.password is not None:
        raise InvalidSetting("a webhook URL must not hold a user name or password")
    host = parts.hostname
    if not host or port == 0:
        raise InvalidSetting(f"{url[:80]!r} has no host")
    if host == "localhost" or host.endswith((".localhost", ".internal", ".local")):
        literal = "127.0.0.1"
    else:
        literal = host
    try:
        blocked = blocked_address(literal)
    except ValueError:
        blocked = False  # a name: checked when it is resolved
    if blocked and not allow_private:
        raise InvalidSetting(
            f"{host[:80]} is a loopback, private, link-local or reserved address;"
            " set IDEABOT_WEBHOOK_ALLOW_PRIVATE=1 to allow it"
        )
    return url


def new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp`` (unix seconds)."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def body(
    event: str, board: Board, idea: IdeaView | None, data: dict[str, Any], at: datetime
) -> dict[str, Any]:
    return {
        "version": VERSION,
        "id": str(uuid.uuid4()),
        "event": event,
        "created_at": at.isoformat(),
        "board": {"id": board.id, "name": board.name},
        "idea": None if idea is None else idea_json(idea),
        "data": data,
    }


def encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()


async def queue_event(
    tx: Transaction,
    board: Board,
    event: str,
    idea: IdeaView | IdeaRow | None,
    data: dict[str, Any],
    at: datetime,
    *,
    ordering: str | None = None,
) -> int:
    """Queue ``event`` for every live endpoint of the board that takes it, inside the
    change's transaction; how many were queued. Events of one idea (``idea:<id>``, the
    default for a stored row) go out in order; others by ``ordering``, or on their own."""
    endpoints = [
        e
        for e in await tx.webhooks.of_board(board.id)
        if e.disabled_at is None and event in e.events
    ]
    if not endpoints:
        return 0
    shown = view(idea) if isinstance(idea, IdeaRow) else idea
    for endpoint in endpoints:
        payload = body(event, board, shown, data, at)
        if ordering is not None:
            order = ordering
        elif isinstance(idea, IdeaRow):
            order = f"idea:{idea.id}"
        else:
            order = f"{event}:{payload['id']}"
        await tx.outbox.add(board.id, target(endpoint.id), order, payload, at)
    return len(endpoints)


def deleted_view(row: IdeaRow) -> IdeaView:
    return replace(view(row), deleted=True)

"""Responses of the web board: security headers, validators (ETag, Last-Modified) and
304s, errors as one line of JSON for the API or a plain page for people."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from aiohttp import web

# No scripts at all; styles and images from this server only; forms post only here.
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self';"
    " base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # A private board's key rides in its links: never hand it to another site.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def finish(
    request: web.Request,
    body: bytes,
    content_type: str,
    *,
    last_modified: datetime | None,
    private: bool,
    csp: str | None = None,
) -> web.Response:
    """The response for ``body``, or a 304 when the client's copy is still current."""
    etag = etag_of(body)
    headers = {
        "ETag": etag,
        # Caches may keep a copy but must ask first; a keyed page is for its reader only.
        "Cache-Control": ("private" if private else "public") + ", no-cache",
        "Vary": "Accept-Encoding",
    }
    if csp is not None:
        headers["Content-Security-Policy"] = csp
    modified = None
    if last_modified is not None:
        modified = last_modified.astimezone(UTC).replace(microsecond=0)
        headers["Last-Modified"] = format_datetime(modified, usegmt=True)
    if_none = request.headers.get("If-None-Match")
    if if_none is not None:
        fresh = _matches(if_none, etag)
    else:
        since = request.if_modified_since
        fresh = since is not None and modified is not None and modified <= since
    if fresh:
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type=content_type, charset="utf-8", headers=headers)


def json_body(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def json_error(status: int, code: str, message: str, **headers: str) -> web.Response:
    """One line of JSON: {"error": {"code": ..., "message": ...}}."""
    body = json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False) + "\n"
    return web.Response(
        status=status,
        text=body,
        content_type="application/json",
        headers={"Cache-Control": "no-store", **headers},
    )

"""The query parameters of a list of ideas, checked: a bad one is a BadQuery (400)."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.board_pages import MAX_LIMIT, STATUSES, VIEWS, BadQuery

DEFAULT_LIMIT = 25


@dataclass(frozen=True)
class ListParams:
    view: str
    statuses: tuple[str, ...]
    q: str
    cursor: str | None
    limit: int


def list_params(request: web.Request) -> ListParams:
    query = request.query
    view = query.get("view", "top") or "top"
    if view not in VIEWS:
        raise BadQuery(f"view must be one of {', '.join(VIEWS)}")
    statuses: list[str] = []
    for value in query.getall("status", []):
        statuses += [s.strip() for s in value.split(",") if s.strip()]
    if any(s not in STATUSES for s in statuses):
        raise BadQuery(f"status must be one of {', '.join(STATUSES)}")
    text = query.get("limit", "")
    limit = DEFAULT_LIMIT
    if text:
        if not (text.isascii() and text.isdigit() and len(text) <= 6):
            raise BadQuery(f"limit must be a whole number from 1 to {MAX_LIMIT}")
        limit = int(text)
        if not 1 <= limit <= MAX_LIMIT:
            raise BadQuery(f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return ListParams(
        view=view,
        statuses=tuple(dict.fromkeys(statuses)),
        q=query.get("q", "").strip(),
        cursor=query.get("cursor") or None,
        limit=limit,
    )


def idea_number(request: web.Request) -> int:
    """The idea number in the path (the route allows only digits)."""
    return int(request.match_info["number"])

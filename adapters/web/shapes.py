"""The JSON shapes of the API: the field names of `ideabot ideas --format json` where they
mean the same, and never a platform's user id (display names only)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from adapters.web.context import web_link
from bot.board_pages import IdeaPage, Listed, StatusEvent
from bot.digest import Digest
from bot.results import IdeaView

# Keys of the core's values that must not reach a reader: platform user ids.
_PRIVATE_KEYS = {"user_id", "board_id", "is_bot", "platform"}


def idea(view: IdeaView, url: str, *, duplicates: int | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": view.number,
        "title": view.title,
        "body": view.body,
        "author": {"name": view.author.name},
        "status": view.status,
        "status_note": view.status_note,
        "votes": view.votes,
        "anonymous_votes": view.anonymous_votes,
        "merged_into": view.merged_into,
        "created_at": view.created_at.isoformat(),
        "permalink": web_link(view.permalink),
        "url": url,
    }
    if duplicates is not None:
        data["duplicates"] = duplicates
    return data


def listed(item: Listed, url: str) -> dict[str, Any]:
    data = idea(item.idea, url, duplicates=item.duplicates)
    data["votes_gained_7d"] = item.gained
    if item.score is not None:
        data["score"] = round(item.score, 4)
    if item.changed_at is not None:
        data["status_changed_at"] = item.changed_at.isoformat()
    return data


def status_event(event: StatusEvent) -> dict[str, Any]:
    return {
        "old": event.old,
        "new": event.new,
        "note": event.note,
        "at": event.at.isoformat(),
    }


def idea_page(page: IdeaPage, url: str, url_of: Any) -> dict[str, Any]:
    data = idea(page.idea, url, duplicates=len(page.duplicates))
    changed = page.status_changed_at
    data["status_changed_at"] = changed.isoformat() if changed else None
    data["merged_duplicates"] = [
        {"number": n, "title": t, "url": url_of(n)} for n, t in page.duplicates
    ]
    data["status_history"] = [status_event(e) for e in page.history]
    return data


def digest(value: Digest) -> dict[str, Any]:
    """The digest as `ideabot digest --format json` gives it, less every user id."""

    def convert(item: Any) -> Any:
        if isinstance(item, datetime):
            return item.isoformat()
        if isinstance(item, dict):
            return {k: convert(v) for k, v in item.items() if k not in _PRIVATE_KEYS}
        if isinstance(item, list | tuple):
            return [convert(v) for v in item]
        return item

    data: dict[str, Any] = convert(asdict(value))
    data["period"] = {
        "label": value.period.label,
        "start": value.period.start.isoformat(),
        "end": value.period.end.isoformat(),
    }
    return data

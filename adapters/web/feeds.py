"""Atom 1.0 feeds: a board's new ideas and status changes, and one idea's status changes.

Entry ids are URNs made of the board's id and the idea's number or the status change's
id, so they stay the same across runs, renames and hosts.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime

from aiohttp import web

from adapters.web.context import WEB, Reader, reader
from adapters.web.params import idea_number
from adapters.web.respond import finish
from bot.board_pages import StatusEvent
from bot.render import STATUS_LABEL
from bot.results import IdeaView

ATOM = "http://www.w3.org/2005/Atom"
ET.register_namespace("", ATOM)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _el(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _clean(text: str) -> str:
    # XML 1.0 cannot carry most control characters, whatever the escaping.
    return "".join(ch for ch in text if ch in "\t\n\r" or ord(ch) >= 0x20)


class _Feed:
    def __init__(self, request: web.Request, seen: Reader, feed_id: str, title: str) -> None:
        self.request = request
        self.seen = seen
        self.origin = str(request.url.origin())
        self.root = ET.Element(f"{{{ATOM}}}feed")
        _el(self.root, "id", feed_id)
        _el(self.root, "title", _clean(title))
        self.updated = _el(self.root, "updated", _stamp(EPOCH))
        _el(self.root, "link", rel="self", href=str(request.url))
        author = _el(self.root, "author")
        _el(author, "name", "ideabot")
        self.entries: list[tuple[datetime, ET.Element]] = []

    def idea_url(self, number: int) -> str:
        return self.origin + self.seen.url(f"{self.seen.base}/ideas/{number}")

    def entry(
        self, entry_id: str, title: str, at: datetime, number: int, summary: str
    ) -> ET.Element:
        entry = ET.Element(f"{{{ATOM}}}entry")
        _el(entry, "id", entry_id)
        _el(entry, "title", _clean(title))
        _el(entry, "updated", _stamp(at))
        _el(entry, "link", rel="alternate", type="text/html", href=self.idea_url(number))
        _el(entry, "summary", _clean(summary), type="text")
        self.entries.append((at, entry))
        return entry

    def body(self) -> bytes:
        self.entries.sort(key=lambda e: e[0], reverse=True)
        if self.entries:
            self.updated.text = _stamp(self.entries[0][0])
        for _, entry in self.entries:
            self.root.append(entry)
        return ET.tostring(self.root, encoding="utf-8", xml_declaration=True)


def _board_urn(seen: Reader) -> str:
    return f"urn:ideabot:board:{seen.board.id}"


def _new_idea(feed: _Feed, idea: IdeaView) -> None:
    entry = feed.entry(
        f"{_board_urn(feed.seen)}:idea:{idea.number}",
        f"New idea #{idea.number}: {idea.title}",
        idea.created_at,
        idea.number,
        idea.body or idea.title,
    )
    author = _el(entry, "author")
    _el(author, "name", _clean(idea.author.name) or "someone")
    _el(entry, "category", term="new")


def _status(feed: _Feed, event: StatusEvent) -> None:
    label = STATUS_LABEL.get(event.new, event.new)
    summary = f"{STATUS_LABEL.get(event.old, event.old)} → {label}"
    if event.note:
        summary += f": {event.note}"
    entry = feed.entry(
        f"{_board_urn(feed.seen)}:status:{event.id}",
        f"#{event.number} {event.title} is {label}",
        event.at,
        event.number,
        summary,
    )
    _el(entry, "category", term=event.new)


async def _send(request: web.Request, feed: _Feed) -> web.Response:
    return finish(
        request,
        feed.body(),
        "application/atom+xml",
        last_modified=await request.app[WEB].app.pages.last_change(feed.seen.board),
        private=feed.seen.key is not None,
    )


async def board_feed(request: web.Request) -> web.Response:
    seen = await reader(request)
    events = await request.app[WEB].app.pages.feed(seen.board)
    feed = _Feed(request, seen, _board_urn(seen), f"{seen.board.name}: ideas")
    for idea in events.new_ideas:
        _new_idea(feed, idea)
    for event in events.status_changes:
        _status(feed, event)
    return await _send(request, feed)


async def idea_feed(request: web.Request) -> web.Response:
    seen = await reader(request)
    page = await request.app[WEB].app.pages.idea(seen.board, idea_number(request))
    idea = page.idea
    feed = _Feed(
        request,
        seen,
        f"{_board_urn(seen)}:idea:{idea.number}:feed",
        f"{seen.board.name} #{idea.number}: {idea.title}",
    )
    for event in page.history:
        _status(feed, event)
    return await _send(request, feed)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/b/{board}/feed.atom", board_feed, name="board-feed")
    router.add_get(r"/b/{board}/ideas/{number:\d{1,9}}/feed.atom", idea_feed, name="idea-feed")

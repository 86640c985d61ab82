"""The Atom feeds: valid Atom 1.0 (read back by xml.etree and by feedparser), newest
first, every entry with id, title, updated and a link to the idea's page, and the same
entry ids from two separately built boards."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import build_web_app
from bot.app import build_app
from bot.settings import Settings
from tests.conftest import FakeClock
from tests.fakes.embedder import TestEmbedder
from tests.web.conftest import HOSTILE_TITLE, Boards, seed

ATOM = "{http://www.w3.org/2005/Atom}"


def check_atom(text: str) -> list[ET.Element]:
    """The entries of a feed, after checking what Atom 1.0 requires of it and them."""
    root = ET.fromstring(text)
    assert root.tag == f"{ATOM}feed"
    for required in ("id", "title", "updated"):
        assert root.find(f"{ATOM}{required}") is not None, required
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    assert root.find(f"{ATOM}link[@rel='self']") is not None
    entries = root.findall(f"{ATOM}entry")
    stamps = []
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert (entry.findtext(f"{ATOM}{required}") or "").strip(), required
        link = entry.find(f"{ATOM}link[@rel='alternate']")
        assert link is not None and link.get("href", "").startswith("http://127.0.0.1:")
        stamps.append(datetime.fromisoformat(entry.findtext(f"{ATOM}updated", "")))
    assert stamps == sorted(stamps, reverse=True)
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == len(entries)
    for item in parsed.entries:
        assert item.id and item.title and item.updated and item.link
    return entries


async def test_the_board_feed(client: TestClient, boards: Boards):
    response = await client.get(f"/b/{boards.public}/feed.atom")
    assert response.status == 200
    assert response.content_type == "application/atom+xml"
    entries = check_atom(await response.text())
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert ids[:3] == ["urn:ideabot:board:1:status:2", "urn:ideabot:board:1:status:1",
                       "urn:ideabot:board:1:idea:7"]  # fmt: skip
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert f"New idea #7: {HOSTILE_TITLE}" in titles  # text, escaped by XML, not markup
    link = entries[0].find(f"{ATOM}link[@rel='alternate']")
    assert link is not None and link.get("href", "").endswith(f"/b/{boards.public}/ideas/5")


async def test_an_ideas_feed_has_its_status_changes(client: TestClient, boards: Boards):
    response = await client.get(f"/b/{boards.public}/ideas/5/feed.atom")
    entries = check_atom(await response.text())
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        "#5 Calendar integration weekly is done"
    ]
    assert "Shipped in 3.2" in (entries[0].findtext(f"{ATOM}summary") or "")
    quiet = await client.get(f"/b/{boards.public}/ideas/2/feed.atom")
    assert check_atom(await quiet.text()) == []


async def test_feed_entry_ids_are_the_same_in_another_run(
    client: TestClient, boards: Boards, tmp_path: Path
):
    first = await (await client.get(f"/b/{boards.public}/feed.atom")).text()
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    other = await build_app(
        Settings(db=tmp_path / "again.db"), embedder=TestEmbedder(), clock=clock
    )
    try:
        again = await seed(other, clock)
        async with TestClient(TestServer(build_web_app(other, rate_per_minute=0))) as http:
            second = await (await http.get(f"/b/{again.public}/feed.atom")).text()
    finally:
        await other.close()

    def ids(text: str) -> list[str | None]:
        return [e.findtext(f"{ATOM}id") for e in check_atom(text)]

    assert ids(first) == ids(second)
    assert len(ids(first)) == len(set(ids(first))) == 9

"""The HTML digest: inert user text, the Markdown's sections and content, and a real browser.

The browser test opens the demo's digest in headless Chromium (tests/browser.py) and checks
that every section is on screen, in light and dark schemes and on a phone-wide viewport.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.app import build_app
from bot.demo import DEMO_EVENTS, PLATFORM, DemoClock, demo_period, load_events, replay
from bot.digest import (
    Contributor,
    Digest,
    Headline,
    MergeEntry,
    Ranked,
    StatusEntry,
    build_digest,
    week_period,
)
from bot.domain import Person, Where
from bot.render import LATE_NOTICE, QUIET_NOTICE, digest_markdown
from bot.render_html import digest_html
from bot.results import IdeaView
from bot.settings import Settings
from dedupe.onnx_embedder import OnnxEmbedder
from tests.bot.test_cli import run
from tests.browser import Browser, BrowserError, chromium, chromium_path

SECTIONS = {
    "status-changes": "Status changes",
    "top": "Top ideas this week",
    "trending": "Trending",
    "new": "New ideas",
    "merges": "Merged duplicates",
    "contributors": "Most active members",
}
AT = datetime(2026, 11, 4, 12, tzinfo=UTC)


# -- digests built by hand: every section, hostile text ------------------------------------


def idea(
    number: int,
    title: str,
    author: str = "alice",
    *,
    votes: int = 1,
    permalink: str | None = "auto",
) -> IdeaView:
    return IdeaView(
        board_id=1,
        number=number,
        title=title,
        body="",
        author=Person(platform="discord", user_id=f"u-{author}", name=author),
        status="open",
        status_note=None,
        votes=votes,
        created_at=AT,
        permalink=f"https://chat.example/m{number}" if permalink == "auto" else permalink,
    )


def full_digest(**changes: Any) -> Digest:
    """A digest with every section; 20 new ideas of which 3 are listed."""
    offline = idea(2, "Offline maps for whole regions", "chen", votes=13)
    gpx = idea(4, "Export routes as GPX", "bob", votes=4)
    photos = idea(30, "Attach photos to points on my route", votes=8)
    units = idea(6, "Switch between miles and kilometres", "carol", permalink=None)
    digest = Digest(
        board="trailmix",
        period=week_period(2026, 45, ZoneInfo("UTC")),
        headline=Headline(
            new_ideas=20,
            votes_cast=54,
            open_ideas=32,
            previous_new_ideas=23,
            previous_votes_cast=42,
        ),
        top=(Ranked(idea=offline, gained=10), Ranked(idea=photos, gained=8)),
        trending=(Ranked(idea=units, gained=1, trend=0.9),),
        new_ideas=(photos, units, idea(31, "Share my location")),
        status_changes=(
            StatusEntry(idea=gpx, old="in_progress", new="done", note="Shipped in 3.2.1", at=AT),
            StatusEntry(idea=offline, old="open", new="planned", note=None, at=AT),
        ),
        merges=(
            MergeEntry(idea=idea(28, "No reception"), into=offline, automatic=False, at=AT),
            MergeEntry(idea=idea(33, "GPX"), into=gpx, automatic=True, at=AT),
        ),
        contributors=(
            Contributor(
                person=Person(platform="d", user_id="a", name="alice"), ideas=2, votes_received=13
            ),
            Contributor(
                person=Person(platform="d", user_id="c", name="chen"), ideas=1, votes_received=1
            ),
        ),
    )
    return replace(digest, **changes)


class Parsed(HTMLParser):
    """What a browser would build from the document: tags, attributes, sections, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.sections: list[tuple[str, str, list[str]]] = []  # id, heading, item texts
        self.text: list[str] = []
        self.ids: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if attributes.get("id"):
            self.ids.append(str(attributes["id"]))
        if tag == "section":
            self.sections.append((str(attributes.get("id")), "", []))
        elif tag == "li":
            self.sections[-1][2].append("")
        if tag in ("h2", "li", "style", "title"):
            self._in.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._in and self._in[-1] == tag:
            self._in.pop()

    def handle_data(self, data: str) -> None:
        if "style" in self._in:
            return
        self.text.append(data)
        if "h2" in self._in:
            section_id, heading, items = self.sections[-1]
            self.sections[-1] = (section_id, heading + data, items)
        elif "li" in self._in:
            self.sections[-1][2][-1] += data


def parse(html: str) -> Parsed:
    parsed = Parsed()
    parsed.feed(html)
    parsed.close()
    return parsed


def words(text: str) -> list[str]:
    """The words of a line, without separators or layout: what both renderings must say."""
    return re.findall(r"[^\s—·:,()]+", text.replace("\u200d", ""))


def markdown_sections(markdown: str) -> list[tuple[str, list[list[str]]]]:
    """Each ``## heading`` with the words of its items, Markdown markup and escapes removed."""
    out: list[tuple[str, list[list[str]]]] = []
    for line in markdown.splitlines():
        if line.startswith("## "):
            out.append((line[3:], []))
        elif out and line.strip():
            plain = re.sub(r"^(- |\d+\. )", "", line)
            plain = re.sub(r" \(\[link\]\(<[^>]*>\)\)", "", plain)
            plain = re.sub(r"(?<!\\)\*\*", "", plain)
            out[-1][1].append(words(re.sub(r"\\(.)", r"\1", plain)))
    return out


def html_sections(html: str) -> list[tuple[str, list[list[str]]]]:
    return [(heading, [words(i) for i in items]) for _id, heading, items in parse(html).sections]


def test_sections_have_the_markdown_order_and_content() -> None:
    digest = full_digest()
    parsed = parse(digest_html(digest))
    assert [(s[0], s[1]) for s in parsed.sections] == list(SECTIONS.items())
    assert html_sections(digest_html(digest)) == markdown_sections(digest_markdown(digest))
    new_items = parsed.sections[3][2]
    assert new_items[-1] == "… and 17 more (the most voted are listed)"
    text = " ".join(" ".join(parsed.text).split())
    assert "trailmix: ideas of 2026-W45" in text
    assert "Mon 02 Nov 2026 – Sun 08 Nov 2026 (UTC)" in text
    # Headline numbers with the change on the week before.
    assert "20 -3 on the week before" in text
    assert "54 +12 on the week before" in text
    assert "32" in text


def test_a_section_without_entries_is_left_out_as_in_markdown() -> None:
    digest = full_digest(trending=(), merges=())
    parsed = parse(digest_html(digest))
    assert [s[0] for s in parsed.sections] == ["status-changes", "top", "new", "contributors"]
    assert html_sections(digest_html(digest)) == markdown_sections(digest_markdown(digest))


def test_ideas_link_to_their_message_only_over_http() -> None:
    parsed = parse(digest_html(full_digest()))
    links = [attrs for tag, attrs in parsed.tags if tag == "a"]
    assert {a["href"] for a in links} == {
        "https://chat.example/m2",
        "https://chat.example/m4",
        "https://chat.example/m30",
        "https://chat.example/m31",
    }
    assert all(a["rel"] == "noopener noreferrer" for a in links)


def test_quiet_week() -> None:
    digest = full_digest(
        headline=Headline(
            new_ideas=0, votes_cast=0, open_ideas=32, previous_new_ideas=2, previous_votes_cast=9
        ),
        top=(),
        trending=(),
        new_ideas=(),
        status_changes=(),
        merges=(),
        contributors=(),
    )
    assert digest.quiet
    html = digest_html(digest)
    parsed = parse(html)
    assert parsed.sections == []
    assert "quiet" in parsed.ids
    assert QUIET_NOTICE in parsed.text
    assert QUIET_NOTICE in digest_markdown(digest)  # the same words in both renderings
    assert "late" not in parsed.ids


def test_late_notice_comes_before_the_sections() -> None:
    html = digest_html(full_digest(late=True))
    parsed = parse(html)
    assert LATE_NOTICE in parsed.text
    assert parsed.ids.index("late") < parsed.ids.index("status-changes")
    assert "late" not in parse(digest_html(full_digest())).ids


HOSTILE_TITLE = '<script>alert(1)</script> "onmouseover="alert(2)'
HOSTILE_NAME = "\"onmouseover='alert(3)' @everyone <b>"
HOSTILE_NOTE = "<img src=x onerror=alert(4)> & @here\nsecond line"
HOSTILE_BOARD = '<i>board</i> & "co"'
TRICKY_LINK = 'https://ok.example/idea?a=1&b="><script>alert(6)</script>'


def test_user_text_is_escaped_and_only_http_links_are_links() -> None:
    evil = idea(1, HOSTILE_TITLE, HOSTILE_NAME, permalink="javascript:alert(5)")
    data = idea(2, "data url", permalink="data:text/html,<script>alert(7)</script>")
    tricky = idea(3, "tricky link", permalink=TRICKY_LINK)
    digest = full_digest(
        board=HOSTILE_BOARD,
        top=(Ranked(idea=evil, gained=3), Ranked(idea=tricky, gained=1)),
        trending=(Ranked(idea=data, gained=0),),
        new_ideas=(evil,),
        merges=(),
        status_changes=(
            StatusEntry(idea=evil, old="open", new="declined", note=HOSTILE_NOTE, at=AT),
        ),
        contributors=(
            Contributor(
                person=Person(platform="d", user_id="e", name=HOSTILE_NAME),
                ideas=1,
                votes_received=3,
            ),
        ),
    )
    html = digest_html(digest)
    lowered = html.lower()
    assert "<script" not in lowered
    assert "<img" not in lowered
    assert "<i>" not in lowered and "<b>" not in lowered
    assert "javascript:" not in lowered and "data:" not in lowered
    parsed = parse(html)
    allowed = {
        "html", "head", "meta", "title", "style", "body", "main", "header", "p", "h1", "h2",
        "time", "dl", "div", "dt", "dd", "span", "section", "ul", "ol", "li", "a", "footer",
    }  # fmt: skip
    assert {tag for tag, _ in parsed.tags} <= allowed
    for _tag, attrs in parsed.tags:
        assert not any(name.startswith("on") for name in attrs), attrs
    hrefs = [attrs["href"] for tag, attrs in parsed.tags if tag == "a"]
    # The tricky address is kept whole inside its attribute; javascript: and data: are not links.
    assert sorted(set(hrefs)) == [TRICKY_LINK]
    # Every hostile string reads back as the text the user typed.
    text = "".join(parsed.text)
    for hostile in (HOSTILE_TITLE, HOSTILE_NAME, HOSTILE_NOTE, HOSTILE_BOARD):
        assert hostile in text
    assert "@everyone" in text  # inert here: a web page pings nobody


# -- the demo in a real browser ------------------------------------------------------------


@dataclass(frozen=True)
class DemoBoard:
    db: Path
    digest: Digest


@pytest.fixture(scope="module")
def demo_board(tmp_path_factory: pytest.TempPathFactory, model: OnnxEmbedder) -> DemoBoard:
    """The demo community replayed into a SQLite file, and its digest of 2026-W46: on the
    real model, as `ideabot demo` runs it (its duplicates are the model's to find)."""
    embedder = model
    db = tmp_path_factory.mktemp("demo-html") / "demo.db"

    async def build() -> Digest:
        events = load_events(DEMO_EVENTS)
        clock = DemoClock(events[0]["at"])
        app = await build_app(Settings(db=db), embedder=embedder, clock=clock)
        try:
            summary = await replay(app, events, clock)
            board = await app.core.board_for(Where(platform=PLATFORM, workspace_id="trailmix"))
            return await build_digest(app.core, board, demo_period(summary))
        finally:
            await app.close()

    return DemoBoard(db=db, digest=asyncio.run(build()))


def test_cli_prints_the_html_digest(demo_board: DemoBoard) -> None:
    result = run(["digest", "--db", str(demo_board.db), "--week", "2026-W46", "--format", "html"])
    assert result.exit_code == 0, result.output
    assert demo_board.digest.period.label == "2026-W46"
    assert result.stdout == digest_html(demo_board.digest) + "\n"


@pytest.fixture
async def browser(tmp_path: Path) -> AsyncIterator[Browser]:
    missing = None
    try:
        chromium_path()
    except BrowserError as exc:
        missing = str(exc)
    if missing:  # a failure, not a skip: a suite without its browser test is not green
        pytest.fail(missing, pytrace=False)
    async with chromium(tmp_path / "chromium") as started:
        yield started


# Per section: its box in page coordinates and whether the browser renders it at all.
LOOK = """
(() => {
  const doc = document.documentElement;
  const sections = {};
  for (const id of %s) {
    const el = document.getElementById(id);
    if (!el) { sections[id] = null; continue; }
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    sections[id] = {
      left: box.left + scrollX, top: box.top + scrollY, width: box.width, height: box.height,
      display: style.display, visibility: style.visibility, opacity: Number(style.opacity),
      visible: el.checkVisibility({opacityProperty: true, visibilityProperty: true}),
      heading: el.querySelector('h2').innerText,
    };
  }
  return {
    sections,
    pageWidth: doc.scrollWidth, pageHeight: doc.scrollHeight, viewportWidth: doc.clientWidth,
    text: document.body.innerText,
    topFirst: document.querySelector('#top li').innerText,
    background: getComputedStyle(document.body).backgroundColor,
    color: getComputedStyle(document.body).color,
    requests: performance.getEntriesByType('resource').length,
  };
})()
"""


async def test_demo_digest_reads_in_headless_chromium(
    browser: Browser, demo_board: DemoBoard, tmp_path: Path
) -> None:
    page_file = tmp_path / "digest.html"
    page_file.write_text(digest_html(demo_board.digest), encoding="utf-8")
    page = await browser.new_page()
    backgrounds = {}
    for scheme, width in (("light", 1280), ("dark", 1280), ("light", 390)):
        await page.emulate(width=width, height=900, color_scheme=scheme)
        await page.goto(page_file.as_uri())
        seen = await page.evaluate(LOOK % list(SECTIONS))
        where = f"{scheme}, {width}px"
        for section_id, heading in SECTIONS.items():
            box = seen["sections"][section_id]
            assert box is not None, f"#{section_id} missing ({where})"
            assert box["visible"], f"#{section_id} not rendered ({where}): {box}"
            assert box["display"] != "none" and box["visibility"] == "visible", box
            assert box["opacity"] > 0, box
            assert box["width"] > 0 and box["height"] > 0, f"#{section_id} empty: {box}"
            assert box["left"] >= 0 and box["top"] >= 0, f"#{section_id} off the page: {box}"
            assert box["left"] + box["width"] <= seen["pageWidth"], box
            assert box["top"] + box["height"] <= seen["pageHeight"], box
            assert box["heading"] == heading
            assert heading in seen["text"]  # innerText: only what is rendered
        assert seen["pageWidth"] <= seen["viewportWidth"], f"scrolls sideways ({where})"
        assert seen["topFirst"].startswith("#2 Offline maps for whole regions"), seen["topFirst"]
        assert "Offline maps for whole regions" in seen["text"]
        assert seen["requests"] == 0  # self-contained: nothing else loaded
        assert seen["background"] != seen["color"]
        backgrounds[scheme] = seen["background"]
        shot = tmp_path / f"digest-{scheme}-{width}.png"
        await page.screenshot(shot)
        assert shot.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert backgrounds["light"] != backgrounds["dark"]  # the dark scheme applies

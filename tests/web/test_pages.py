"""The pages people read, over real HTTP: the board with its views, filter and search,
an idea, a merged idea pointing at its canonical one, the roadmap, the digest archive
and a week's digest page."""

from __future__ import annotations

import re

from aiohttp.test_utils import TestClient

from tests.web.conftest import NEW, TOP, TRENDING, Boards

LISTED = re.compile(r'<h3><a href="/b/[^/"]+/ideas/(\d+)">')


async def page(client: TestClient, path: str) -> str:
    response = await client.get(path)
    assert response.status == 200, path
    assert response.content_type == "text/html"
    return await response.text()


async def test_the_board_page_ranks_by_each_view(client: TestClient, boards: Boards):
    base = f"/b/{boards.public}"
    top = await page(client, base)
    assert [int(n) for n in LISTED.findall(top)] == TOP
    trending = await page(client, base + "?view=trending")
    assert [int(n) for n in LISTED.findall(trending)] == TRENDING
    new = await page(client, base + "?view=new")
    assert [int(n) for n in LISTED.findall(new)] == NEW
    planned = await page(client, base + "?status=planned")
    assert [int(n) for n in LISTED.findall(planned)] == [4]
    assert "1 merged duplicate" in top and "+3 this week" in top
    assert '<label for="q">Search by meaning</label>' in top


async def test_the_board_page_pages_with_a_next_link(client: TestClient, boards: Boards):
    first = await page(client, f"/b/{boards.public}?limit=4")
    assert [int(n) for n in LISTED.findall(first)] == TOP[:4]
    found = re.search(r'<a href="([^"]+)" rel="next">', first)
    assert found is not None
    second = await page(client, found[1].replace("&amp;", "&"))
    assert [int(n) for n in LISTED.findall(second)] == TOP[4:]
    assert 'rel="next"' not in second


async def test_the_search_box_searches_by_meaning(client: TestClient, boards: Boards):
    found = await page(client, f"/b/{boards.public}?q=offline+sync+mobile")
    assert LISTED.findall(found)[:1] == ["3"]
    assert "Closest to “offline sync mobile”" in found


async def test_an_idea_page(client: TestClient, boards: Boards):
    text = await page(client, f"/b/{boards.public}/ideas/5")
    assert '<h1><span class="num">#5</span> Calendar integration weekly</h1>' in text
    assert "author5" in text and "u-author5" not in text
    assert "Shipped in 3.2" in text
    assert '<time datetime="2026-11-19T10:00:00+00:00">19 Nov 2026</time>' in text
    assert 'href="https://chat.example/m5"' in text
    canonical = await page(client, f"/b/{boards.public}/ideas/1")
    assert f'href="/b/{boards.public}/ideas/6"' in canonical


async def test_a_merged_idea_points_to_its_canonical_one(client: TestClient, boards: Boards):
    text = await page(client, f"/b/{boards.public}/ideas/6")
    assert f'merged into <a href="/b/{boards.public}/ideas/1">#1</a>' in text


async def test_the_roadmap_page(client: TestClient, boards: Boards):
    text = await page(client, f"/b/{boards.public}/roadmap")
    lanes = re.split(r'<h2 id="lane-', text)[1:]
    assert [lane.split('"')[0] for lane in lanes] == ["planned", "in_progress", "done"]
    assert [int(n) for n in LISTED.findall(lanes[0])] == [4]
    assert LISTED.findall(lanes[1]) == []
    assert [int(n) for n in LISTED.findall(lanes[2])] == [5]


async def test_the_digest_archive_and_a_weeks_page(client: TestClient, boards: Boards):
    archive = await page(client, f"/b/{boards.public}/digests")
    assert f'href="/b/{boards.public}/digests/2026-W46"' in archive
    response = await client.get(f"/b/{boards.public}/digests/2026-W45")
    assert response.status == 200
    text = await response.text()
    assert "2026-W45" in text
    # The digest page's own inline stylesheet is allowed by its hash, nothing else inline.
    policy = response.headers["Content-Security-Policy"]
    assert re.search(r"style-src 'self' 'sha256-[A-Za-z0-9+/=]+'", policy)
    assert "unsafe-inline" not in policy


async def test_the_index_and_the_stylesheet(client: TestClient, boards: Boards):
    index = await page(client, "/")
    assert f'<a href="/b/{boards.public}">{boards.public}</a>' in index
    css = await client.get("/static/board.css")
    assert css.status == 200 and css.content_type == "text/css"
    assert "prefers-color-scheme: dark" in await css.text()
    again = await client.get("/static/board.css", headers={"If-None-Match": css.headers["ETag"]})
    assert again.status == 304

"""The JSON API over real HTTP: views and filters with exact rankings on the fixture board,
cursor pages without gaps or repeats while ideas arrive, one idea, roadmap, digests,
validators and 304s."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from aiohttp.test_utils import TestClient

from tests.conftest import draft, vote
from tests.web.conftest import NEW, TOP, TRENDING, Boards


def api(boards: Boards, rest: str = "") -> str:
    return f"/api/v1/boards/{boards.public}{rest}"


async def numbers(client: TestClient, url: str) -> list[int]:
    response = await client.get(url)
    assert response.status == 200, await response.text()
    return [i["number"] for i in (await response.json())["ideas"]]


async def test_each_view_ranks_the_fixture_board_exactly(client: TestClient, boards: Boards):
    assert await numbers(client, api(boards, "/ideas")) == TOP
    assert await numbers(client, api(boards, "/ideas?view=top")) == TOP
    assert await numbers(client, api(boards, "/ideas?view=trending")) == TRENDING
    assert await numbers(client, api(boards, "/ideas?view=new")) == NEW


async def test_the_status_filter_keeps_only_those_statuses(client: TestClient, boards: Boards):
    assert await numbers(client, api(boards, "/ideas?status=planned")) == [4]
    assert await numbers(client, api(boards, "/ideas?status=done,planned")) == [5, 4]
    assert await numbers(client, api(boards, "/ideas?status=open&view=new")) == [7, 3, 2, 1]
    assert await numbers(client, api(boards, "/ideas?status=declined")) == []


async def test_an_idea_lists_votes_status_and_duplicates(client: TestClient, boards: Boards):
    response = await client.get(api(boards, "/ideas?view=top&limit=1"))
    data = await response.json()
    first = data["ideas"][0]
    assert first["number"] == 1
    assert first["votes"] == 5
    assert first["duplicates"] == 1
    assert first["status"] == "open"
    assert first["author"] == {"name": "author1"}
    assert first["url"].endswith(f"/b/{boards.public}/ideas/1")
    assert data["next_cursor"]


async def test_search_finds_by_the_app_embedder(client: TestClient, boards: Boards):
    found = await numbers(client, api(boards, "/ideas?q=dark+theme+toggle&limit=3"))
    assert found[0] == 2
    response = await client.get(api(boards, "/ideas?q=dark+theme+toggle"))
    data = await response.json()
    assert data["view"] == "search" and data["next_cursor"] is None
    assert 0 < data["ideas"][0]["score"] <= 1.0001


async def test_cursor_pages_have_no_gaps_or_repeats_while_ideas_arrive(
    client: TestClient, boards: Boards
):
    for view in ("top", "new"):
        before = await numbers(client, api(boards, f"/ideas?view={view}&limit=100"))
        seen: list[int] = []
        url = api(boards, f"/ideas?view={view}&limit=2")
        added = 0
        while url:
            response = await client.get(url)
            assert response.status == 200
            data = await response.json()
            seen += [i["number"] for i in data["ideas"]]
            # A new idea arrives between every two pages.
            added += 1
            await boards.app.ideas.submit(
                draft(f"Brand new {view} thing number {added}", "late", at=boards.clock.now)
            )
            cursor = data["next_cursor"]
            url = api(boards, f"/ideas?view={view}&limit=2&cursor={cursor}") if cursor else ""
        assert len(seen) == len(set(seen)), seen
        # Every idea there at the start, in order; newcomers only after them (top: no
        # votes, higher numbers) or not at all (new: they sort before the cursor).
        assert seen[: len(before)] == before
        if view == "new":
            assert seen == before
        else:
            assert len(seen) > len(before)


async def test_one_idea_with_history_and_merged_duplicates(client: TestClient, boards: Boards):
    data = (await (await client.get(api(boards, "/ideas/5"))).json())["idea"]
    assert data["status"] == "done"
    assert data["status_note"] == "Shipped in 3.2"
    assert data["status_changed_at"] == "2026-11-19T10:00:00+00:00"
    assert data["status_history"] == [
        {"old": "open", "new": "done", "note": "Shipped in 3.2", "at": "2026-11-19T10:00:00+00:00"}
    ]
    canonical = (await (await client.get(api(boards, "/ideas/1"))).json())["idea"]
    assert [d["number"] for d in canonical["merged_duplicates"]] == [6]
    merged = (await (await client.get(api(boards, "/ideas/6"))).json())["idea"]
    assert merged["merged_into"] == 1


async def test_the_roadmap_lanes(client: TestClient, boards: Boards):
    data = (await (await client.get(api(boards, "/roadmap"))).json())["roadmap"]
    assert {k: [i["number"] for i in v] for k, v in data.items()} == {
        "planned": [4],
        "in_progress": [],
        "done": [5],
    }


async def test_digests_by_week(client: TestClient, boards: Boards):
    weeks = (await (await client.get(api(boards, "/digests"))).json())["digests"]
    assert [w["week"] for w in weeks] == ["2026-W46", "2026-W45"]
    response = await client.get(api(boards, "/digests/2026-W45"))
    digest = (await response.json())["digest"]
    assert digest["period"]["label"] == "2026-W45"
    assert digest["headline"]["new_ideas"] == 6  # seven posted, one merged into #1
    # The week still under way has no digest yet.
    response = await client.get(api(boards, "/digests/2026-W47"))
    assert response.status == 400
    assert (await response.json())["error"]["code"] == "bad_request"


async def test_no_user_id_reaches_the_api(client: TestClient, boards: Boards):
    for rest in ("/ideas", "/ideas/1", "/ideas/5", "/roadmap", "/digests/2026-W45"):
        text = await (await client.get(api(boards, rest))).text()
        assert "u-author" not in text and "u-v" not in text and "u-mod" not in text
        assert "user_id" not in text


async def test_etag_and_last_modified_answer_304(client: TestClient, boards: Boards):
    url = api(boards, "/ideas")
    first = await client.get(url)
    etag = first.headers["ETag"]
    assert first.headers["Last-Modified"] == "Thu, 19 Nov 2026 10:00:00 GMT"
    again = await client.get(url, headers={"If-None-Match": etag})
    assert again.status == 304
    assert await again.read() == b""
    since = await client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status == 304
    # A vote changes the list: the old tag no longer matches.
    boards.clock.now = datetime(2026, 11, 20, 12, 40, tzinfo=UTC)
    await boards.app.ideas.react(vote("m4", "v9", at=boards.clock.now))
    changed = await client.get(url, headers={"If-None-Match": etag})
    assert changed.status == 200
    assert changed.headers["ETag"] != etag
    ranked = [i["number"] for i in json.loads(await changed.text())["ideas"]]
    assert ranked == [1, 2, 3, 4, 5, 7]  # #4 ties #5 at one vote and is older
    assert changed.headers["Last-Modified"] == "Fri, 20 Nov 2026 12:40:00 GMT"


async def test_the_openapi_document_lists_every_api_route(client: TestClient):
    response = await client.get("/api/v1/openapi.json")
    assert response.status == 200
    document = json.loads(await response.text())
    assert document["openapi"].startswith("3.")
    paths = document["paths"]
    routes = {
        r.resource.canonical
        for r in client.server.app.router.routes()
        if r.resource is not None and r.resource.canonical.startswith("/api/")
    }
    routes = {r.replace(r"{number:\d{1,9}}", "{number}") for r in routes}
    assert routes == set(paths)
    for path, item in paths.items():
        operation = item["get"]
        named = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert named == set(part[1:-1] for part in path.split("/") if part.startswith("{"))
        for response in operation["responses"].values():
            ref = response.get("content", {}).get("application/json", {}).get("schema", {})
            if "$ref" in ref:
                assert ref["$ref"].split("/")[-1] in document["components"]["schemas"]

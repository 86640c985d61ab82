"""Hostile and malformed requests: each gets one line of JSON (API) or a plain 404 / 400
page, nothing is run that should not be, and the database is left as it was."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient

from tests.engines import snapshot
from tests.web.conftest import HOSTILE_TITLE, Boards

BAD_API = [
    ("/ideas?cursor=not-a-cursor", 400),
    ("/ideas?cursor=" + "A" * 5000, 400),
    ("/ideas?view=new&cursor=WyJ0b3AiLDEsMl0", 400),  # a cursor of view top, for new
    ("/ideas?limit=100000000000000000000", 400),
    ("/ideas?limit=0", 400),
    ("/ideas?limit=-5", 400),
    ("/ideas?limit=%EF%BC%95", 400),  # a full-width digit
    ("/ideas?status=shipped", 400),
    ("/ideas?status=open,%3Cscript%3E", 400),
    ("/ideas?view=best", 400),
    ("/ideas?q=" + "x" * 600, 400),
    ("/ideas?q=%20%20", 200),  # an empty search is the plain list
    ("/ideas/999999", 404),
    ("/ideas/9999999999", 404),
    ("/ideas/-1", 404),
    ("/ideas/1e3", 404),
    ("/digests/2026-W99", 400),
    ("/digests/..%2F..%2Fetc%2Fpasswd", 400),
    ("/digests/1800-W01", 400),
]


@pytest.mark.parametrize(("rest", "status"), BAD_API)
async def test_bad_api_requests_get_one_line_of_json(
    client: TestClient, boards: Boards, rest: str, status: int
):
    before = snapshot(boards.app)
    response = await client.get(f"/api/v1/boards/{boards.public}{rest}")
    assert response.status == status, rest
    text = await response.text()
    if status != 200:
        assert text.count("\n") == 1 and text.endswith("\n")
        error = json.loads(text)["error"]
        assert error["code"] in ("bad_request", "not_found")
        assert error["message"] and "\n" not in error["message"]
        assert "<script>" not in text
    assert snapshot(boards.app) == before


BAD_PATHS = [
    "/b/../../etc/passwd",
    "/b/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/b/guild-one/../../etc/passwd",
    "/static/../bot/settings.py",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/b/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "/b/" + "a" * 5000,
    "/b/guild-one%00",
    "/b/-leading-dash",
    "/b/.hidden",
    "/b/guild-one/ideas/abc",
    "/b/guild-one/nothing-here",
    "/api/v1/boards/..%2F..%2Fetc/ideas",
    "/api/v2/boards/guild-one/ideas",
]


@pytest.mark.parametrize("path", BAD_PATHS)
async def test_bad_paths_and_board_names_get_a_plain_404(
    client: TestClient, boards: Boards, path: str
):
    response = await client.get(path)
    assert response.status == 404, path
    text = await response.text()
    assert "<script>alert" not in text
    assert "root:" not in text and "[project]" not in text and "BaseSettings" not in text
    if path.startswith("/api/"):
        assert json.loads(text)["error"]["code"] == "not_found"
    else:
        assert "<h1>Not found</h1>" in text


async def test_writes_are_refused_and_change_nothing(client: TestClient, boards: Boards):
    before = snapshot(boards.app)
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = await client.request(
            method, f"/api/v1/boards/{boards.public}/ideas", data=b'{"title": "x"}'
        )
        assert response.status == 405
        assert (await response.json())["error"]["code"] == "method_not_allowed"
        page = await client.request(method, f"/b/{boards.public}")
        assert page.status == 405
    assert snapshot(boards.app) == before


async def test_hostile_idea_text_is_inert_on_every_page(client: TestClient, boards: Boards):
    for path in (
        f"/b/{boards.public}",
        f"/b/{boards.public}?view=new",
        f"/b/{boards.public}/ideas/7",
        f"/b/{boards.public}?q=%3Cscript%3E",
    ):
        text = await (await client.get(path)).text()
        assert "<script>" not in text and "<img" not in text, path
        assert "onerror=alert(1)" not in text or "&lt;img src=x onerror=alert(1)&gt;" in text
    page = await (await client.get(f"/b/{boards.public}/ideas/7")).text()
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    searched = await (await client.get(f"/b/{boards.public}?q=%22%3E%3Cscript%3Ex")).text()
    assert 'value="&#34;&gt;&lt;script&gt;x"' in searched
    api = await (await client.get(f"/api/v1/boards/{boards.public}/ideas/7")).json()
    assert api["idea"]["title"] == HOSTILE_TITLE


async def test_every_response_carries_the_strict_policy(client: TestClient, boards: Boards):
    for path in ("/", f"/b/{boards.public}", "/b/nope", f"/api/v1/boards/{boards.public}/ideas"):
        response = await client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Content-Type-Options"] == "nosniff"

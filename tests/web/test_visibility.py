"""Who sees what: a private board answers 404 on every route without its key or with a
wrong or old key; public boards alone are listed; only moderators change it."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient

from adapters.slack.parse import parse_ideabot
from bot.errors import InvalidSetting, NotAllowed
from tests.conftest import member, moderator
from tests.engines import snapshot
from tests.web.conftest import PRIVATE, Boards


def routes(board: str) -> list[str]:
    return [
        f"/b/{board}",
        f"/b/{board}?view=new",
        f"/b/{board}?q=secret",
        f"/b/{board}/ideas/1",
        f"/b/{board}/roadmap",
        f"/b/{board}/digests",
        f"/b/{board}/digests/2026-W45",
        f"/b/{board}/feed.atom",
        f"/b/{board}/ideas/1/feed.atom",
        f"/api/v1/boards/{board}/ideas",
        f"/api/v1/boards/{board}/ideas?q=secret",
        f"/api/v1/boards/{board}/ideas/1",
        f"/api/v1/boards/{board}/roadmap",
        f"/api/v1/boards/{board}/digests",
        f"/api/v1/boards/{board}/digests/2026-W45",
    ]


async def assert_hidden(client: TestClient, board: str, key: str | None) -> None:
    missing = await client.get("/b/no-such-board")
    for route in routes(board):
        url = route if key is None else route + ("&" if "?" in route else "?") + f"key={key}"
        response = await client.get(url)
        assert response.status == 404, url
        text = await response.text()
        assert "Secret roadmap item" not in text and board not in text
        if route.startswith("/api/"):
            assert (await response.json())["error"]["code"] == "not_found"
        else:
            # The same page as a board that does not exist: nothing tells them apart.
            assert text == await missing.text()


async def test_a_private_board_is_404_everywhere_without_its_key(
    client: TestClient, boards: Boards
):
    await assert_hidden(client, boards.private, None)
    await assert_hidden(client, boards.private, "wrong-key")
    await assert_hidden(client, boards.private, boards.private_key[:-1])
    await assert_hidden(client, boards.private, "x" * 5000)


async def test_the_read_key_opens_every_route_and_links_carry_it(
    client: TestClient, boards: Boards
):
    key = boards.private_key
    for route in routes(boards.private):
        url = route + ("&" if "?" in route else "?") + f"key={key}"
        response = await client.get(url)
        assert response.status in (200, 400), url  # 400: the week has no digest yet
        assert "private" in response.headers.get("Cache-Control", "private")
    page = await (await client.get(f"/b/{boards.private}?key={key}")).text()
    assert "Secret roadmap item" in page
    assert f'href="/b/{boards.private}/ideas/1?key={key}"' in page
    assert f'href="/b/{boards.private}/roadmap?key={key}"' in page
    feed = await (await client.get(f"/b/{boards.private}/feed.atom?key={key}")).text()
    assert f"/b/{boards.private}/ideas/1?key={key}" in feed


async def test_no_page_lists_a_private_board(client: TestClient, boards: Boards):
    index = await (await client.get("/")).text()
    assert f"/b/{boards.public}" in index
    assert boards.private not in index


async def test_a_new_read_link_invalidates_the_old_one(client: TestClient, boards: Boards):
    old = boards.private_key
    assert (await client.get(f"/b/{boards.private}?key={old}")).status == 200
    made = await boards.app.web_access.configure(PRIVATE, moderator(), "read_link", "new")
    assert made.link is not None
    new = made.link.split("key=", 1)[1]
    assert new != old
    assert (await client.get(f"/b/{boards.private}?key={old}")).status == 404
    assert (await client.get(f"/b/{boards.private}?key={new}")).status == 200
    removed = await boards.app.web_access.configure(PRIVATE, moderator(), "read_link", "off")
    assert removed.link is None
    assert (await client.get(f"/b/{boards.private}?key={new}")).status == 404


async def test_making_a_board_public_and_private_again(client: TestClient, boards: Boards):
    changed = await boards.app.web_access.configure(PRIVATE, moderator(), "public", "on")
    assert "public" in changed.message()
    assert (await client.get(f"/b/{boards.private}")).status == 200
    assert boards.private in await (await client.get("/")).text()
    await boards.app.web_access.configure(PRIVATE, moderator(), "public", "off")
    assert (await client.get(f"/b/{boards.private}")).status == 404


async def test_only_moderators_change_visibility_and_bad_values_change_nothing(
    boards: Boards,
):
    before = snapshot(boards.app)
    with pytest.raises(NotAllowed):
        await boards.app.web_access.configure(PRIVATE, member("eve"), "public", "on")
    with pytest.raises(NotAllowed):
        await boards.app.web_access.configure(PRIVATE, member("eve"), "read_link", "new")
    for setting, value in (
        ("public", "maybe"),
        ("public", ""),
        ("read_link", "please"),
        ("read_link", "<script>"),
        ("colour", "on"),
    ):
        with pytest.raises(InvalidSetting) as refused:
            await boards.app.web_access.configure(PRIVATE, moderator(), setting, value)
        assert "\n" not in refused.value.message
    assert snapshot(boards.app) == before


def test_slack_config_set_accepts_the_web_settings():
    parsed = parse_ideabot("config set public on")
    assert (parsed.action, parsed.words, parsed.rest) == ("config set", ("public",), "on")
    parsed = parse_ideabot("config set read_link new")
    assert (parsed.action, parsed.words, parsed.rest) == ("config set", ("read_link",), "new")


async def test_the_read_key_is_stored_only_as_its_hash(boards: Boards):
    dump = repr(snapshot(boards.app))
    assert boards.private_key not in dump

"""The per-client rate limit: past it, 429 with Retry-After; allowed again once the
bucket has refilled (on a clock the test moves, so nothing waits)."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestClient, TestServer

from adapters.web.app import build_web_app
from adapters.web.ratelimit import MAX_CLIENTS, RateLimit
from tests.web.conftest import Boards


@pytest.fixture
def boards(sqlite_boards: Boards) -> Boards:
    """On SQLite only: the rate limit is the web server's, whatever the engine."""
    return sqlite_boards


async def test_past_the_limit_429_with_retry_after(
    limited: TestClient, boards: Boards, rate_clock: list[float]
):
    url = f"/api/v1/boards/{boards.public}/ideas"
    for _ in range(3):
        assert (await limited.get(url)).status == 200
    refused = await limited.get(url)
    assert refused.status == 429
    assert refused.headers["Retry-After"] == "20"  # 3 a minute: one every 20 s
    error = (await refused.json())["error"]
    assert error["code"] == "rate_limited"
    page = await limited.get(f"/b/{boards.public}")
    assert page.status == 429 and "Too many requests" in await page.text()
    rate_clock[0] += 19
    assert (await limited.get(url)).status == 429
    rate_clock[0] += 1
    assert (await limited.get(url)).status == 200


async def test_a_forged_forwarded_for_does_not_dodge_the_limit(limited: TestClient, boards: Boards):
    url = f"/api/v1/boards/{boards.public}/ideas"
    statuses = [
        (await limited.get(url, headers={"X-Forwarded-For": f"10.0.0.{n}"})).status
        for n in range(4)
    ]
    assert statuses == [200, 200, 200, 429]


async def test_behind_a_trusted_proxy_clients_are_counted_apart(
    boards: Boards, rate_clock: list[float]
):
    rate = RateLimit(1, clock=lambda: rate_clock[0])
    app = build_web_app(boards.app, rate=rate, trust_proxy=True)
    async with TestClient(TestServer(app)) as http:
        url = f"/api/v1/boards/{boards.public}/ideas"

        async def status(forwarded: str) -> int:
            return (await http.get(url, headers={"X-Forwarded-For": forwarded})).status

        assert await status("203.0.113.7") == 200
        assert await status("203.0.113.8") == 200
        assert await status("203.0.113.7") == 429
        # What the client wrote itself comes first; the proxy's entry is the last one.
        assert await status("198.51.100.1, 203.0.113.7") == 429


def test_clients_are_counted_apart_and_forgotten_in_order():
    now = [0.0]
    rate = RateLimit(1, clock=lambda: now[0])
    assert rate.retry_after("a") == 0
    assert rate.retry_after("a") == 60
    assert rate.retry_after("b") == 0
    for n in range(MAX_CLIENTS + 1):
        rate.retry_after(f"client-{n}")
    assert rate.retry_after("a") == 0  # forgotten: a full bucket again


def test_zero_turns_the_limit_off():
    rate = RateLimit(0)
    assert all(rate.retry_after("a") == 0 for _ in range(1000))

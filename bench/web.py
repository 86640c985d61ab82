"""Benchmark of the web board: requests per second and median latency of the board page
and the ideas API on a 10,000-idea board with 100,000 votes.

Run with ``python -m bench.web`` (the last line of ``make bench``); not part of the test
suite. The board is written straight into SQL as ``bench.core`` does (ideas, their
messages, members, vote facts over the last four weeks, 10% removed again) and made
public; then the real ``ideabot serve`` runs in a subprocess on 127.0.0.1 (rate limit
off) and this process is its only client. Progress goes to stderr, figures to stdout.

What each figure means
----------------------
``{name}_p50_ms``
    Median latency of 100 requests made one after another (after 10 warm-up requests).
``{name}_rps``
    Requests per second: 400 requests, 8 at a time over keep-alive connections.
``board_page_after_vote_ms``
    Median of 5: one vote is written by another connection (as the running bot would),
    then the board page is read once. The board's ranking is counted again from its
    100,000 votes only after such a change (between changes it is kept): this is that
    cost, which the figures above do not include.
``{name}_ratio``
    ``{name}_rps`` over ``static_rps``, the baseline measured in the same run against the
    same server: its stylesheet, which passes the same middleware (rate limit, headers,
    ETag) but reads no database. It says how much of the server's bare speed a page
    keeps.

Endpoints: ``static`` (/static/board.css), ``board_page`` (/b/NAME, top view),
``board_trending`` (/b/NAME?view=trending), ``api_ideas`` (/api/v1/boards/NAME/ideas),
``api_ideas_page5`` (the fifth page, through cursors), ``idea_page`` (/b/NAME/ideas/N).
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from bench.board import seed_board, sqlite_db, where
from bench.facts import insert_facts, make_facts
from bot.app import build_app
from bot.settings import Settings

SIZE = 10_000
FACTS = 100_000
SEQUENTIAL = 100
CONCURRENT = 400
PARALLEL = 8
LISTENING = re.compile(rb"ideabot web board on (http://\S+/)")


def progress(message: str, started: float) -> None:
    print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)


async def seed(path: Path, now: datetime) -> str:
    app = await build_app(Settings(), db_path=path)
    try:
        board = await app.core.board_for(where(SIZE))
        seeded = await sqlite_db(app).write(seed_board, board.id, SIZE, now, embeddings=False)
        facts = make_facts(seeded, FACTS, now - timedelta(days=28), now)
        await sqlite_db(app).write(insert_facts, seeded, facts, 0, now)
        await app.web_access.publish(board)
        return board.name
    finally:
        await app.close()


async def timed(http: aiohttp.ClientSession, url: str) -> float:
    started = time.perf_counter()
    async with http.get(url) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"{url}: HTTP {response.status}")
    return time.perf_counter() - started


async def measure(http: aiohttp.ClientSession, url: str) -> tuple[float, float]:
    """(p50 latency in ms, requests per second) of ``url``."""
    for _ in range(10):
        await timed(http, url)
    latencies = [await timed(http, url) for _ in range(SEQUENTIAL)]
    gate = asyncio.Semaphore(PARALLEL)

    async def one() -> None:
        async with gate:
            await timed(http, url)

    started = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(CONCURRENT)))
    rps = CONCURRENT / (time.perf_counter() - started)
    return statistics.median(latencies) * 1000, rps


async def after_votes(http: aiohttp.ClientSession, db: Path, url: str) -> float:
    """Median time of a board page read right after a vote was stored."""
    timings = []
    for n in range(5):
        with sqlite3.connect(db) as conn:
            idea, message = conn.execute(
                "SELECT i.id, m.id FROM ideas i JOIN messages m ON m.idea_id = i.id"
                " ORDER BY i.id DESC LIMIT 1"
            ).fetchone()
            member = conn.execute(
                "INSERT INTO members (platform, user_id, name) VALUES ('bench', ?, 'late')",
                [f"late-{n}"],
            ).lastrowid
            conn.execute(
                "INSERT INTO reactions (board_id, idea_id, message_id, member_id, emoji, added_at)"
                " VALUES (1, ?, ?, ?, '👍', ?)",
                [idea, message, member, datetime.now(UTC).isoformat(timespec="microseconds")],
            )
        timings.append(await timed(http, url))
    return statistics.median(timings) * 1000


async def main() -> None:
    started = time.perf_counter()
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="ideabot-bench-web-") as tmp:
        db = Path(tmp) / "web.db"
        name = await seed(db, now)
        progress(f"seeded {SIZE:,} ideas and {FACTS:,} votes on board {name}", started)
        server = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            "from bot.cli import main; main()",
            "serve",
            "--db",
            str(db),
            "--port",
            "0",
            env={**os.environ, "IDEABOT_WEB_RATE_PER_MINUTE": "0"},
            cwd=tmp,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            assert server.stdout is not None
            line = await asyncio.wait_for(server.stdout.readline(), 120)
            found = LISTENING.search(line)
            if found is None:
                raise RuntimeError(f"ideabot serve did not start: {line!r}")
            base = found[1].decode()
            progress(f"ideabot serve on {base}", started)
            connector = aiohttp.TCPConnector(limit=PARALLEL)
            async with aiohttp.ClientSession(connector=connector) as http:
                cursor = ""
                for _ in range(4):
                    async with http.get(
                        f"{base}api/v1/boards/{name}/ideas",
                        params={"cursor": cursor} if cursor else {},
                    ) as response:
                        cursor = (await response.json())["next_cursor"]
                urls = {
                    "static": f"{base}static/board.css",
                    "board_page": f"{base}b/{name}",
                    "board_trending": f"{base}b/{name}?view=trending",
                    "api_ideas": f"{base}api/v1/boards/{name}/ideas",
                    "api_ideas_page5": f"{base}api/v1/boards/{name}/ideas?cursor={cursor}",
                    "idea_page": f"{base}b/{name}/ideas/{SIZE // 2}",
                }
                figures: dict[str, float] = {}
                for key, url in urls.items():
                    p50, rps = await measure(http, url)
                    figures[f"{key}_p50_ms"] = p50
                    figures[f"{key}_rps"] = rps
                    progress(f"{key}: p50 {p50:.1f} ms, {rps:.0f} requests/s", started)
                figures["board_page_after_vote_ms"] = await after_votes(
                    http, db, urls["board_page"]
                )
                progress(
                    f"board page after a vote: {figures['board_page_after_vote_ms']:.0f} ms",
                    started,
                )
                for key in urls:
                    if key != "static":
                        figures[f"{key}_ratio"] = figures[f"{key}_rps"] / figures["static_rps"]
        finally:
            server.terminate()
            await server.wait()
    figures["bench_wall_s"] = time.perf_counter() - started
    for key, value in figures.items():
        print(f"{key}: {round(value, 3)}")


def run() -> None:
    asyncio.run(main())


if __name__ == "__main__":
    run()

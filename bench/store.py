"""Benchmark of the two store engines side by side: votes per second and submit latency
on SQLite and on PostgreSQL, in one process, and votes per second from two processes
sharing one PostgreSQL database.

Run with ``python -m bench.store`` (``make bench``). PostgreSQL is a throwaway cluster
the bench starts itself (Debian's binaries, as the tests do; ``IDEABOT_BENCH_POSTGRES``
names a server to use instead). Progress goes to stderr; the figures to stdout as
``name: value`` lines.

``votes_per_s_sqlite``, ``votes_per_s_postgres``, ``votes_pg_over_sqlite``
    20,000 reaction-add events from 2,000 members over 200 ideas, fed to
    ``IdeaService.react`` one task per event, all concurrent (as the platforms deliver
    them), then gathered; one process. The ratio is PostgreSQL's rate over SQLite's
    measured in the same run.
``votes_per_s_postgres_2proc``
    The same events split between two ``ideabot``-like processes (each its own app and
    connection pool) on one PostgreSQL database, started together; events over the
    wall time from the first start to the last finish (interpreter start excluded:
    each worker times itself from a common start signal).
``submit_p50_ms_sqlite``, ``submit_p50_ms_postgres``
    ``IdeaService.submit`` of 100 distinct ideas one after another on a board of 200,
    with the real model (ONNX): embedding, search, store, read back.
``submit_p50_ms_postgres_2proc``
    The two processes then submit 50 distinct ideas each, one after another, both at
    once on the same board: the p50 of all 100.
``version_check_us_sqlite``, ``version_check_us_postgres``, ``read_us_*``, ``version_check_ratio_*``
    What following other processes costs a submit: the index's freshness check
    (``Ideas.index_version``, read before every search) against the store's cheapest
    read (``Ideas.next_number``, one row by key), 2,000 calls each, taking turns; means
    in microseconds, and their ratio.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.texts import submit_texts, text_pool
from bot import runtime
from bot.app import App, build_app
from bot.domain import IdeaDraft, Person, ReactionChange, Where
from bot.settings import Settings
from dedupe.embedder import Embedder
from dedupe.onnx_embedder import OnnxEmbedder

IDEAS = 200
MEMBERS = 2_000
EVENTS = 20_000
SUBMITS = 100
SUBMITS_EACH = 50  # per process, in the two-process run
VERSION_CHECKS = 2_000
SEED = 20_261_130
WHERE = Where(platform="discord", workspace_id="g-bench", channel_id="c-ideas")
AT = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _draft(text: str, n: int) -> IdeaDraft:
    return IdeaDraft(
        where=WHERE,
        author=Person(platform="discord", user_id=f"author-{n % 50}", name=f"author {n % 50}"),
        text=text,
        created_at=AT,
        message_id=f"idea-{n}",
    )


def _events(first: int, count: int) -> list[ReactionChange]:
    return [
        ReactionChange(
            where=WHERE,
            message_id=f"idea-{n % IDEAS}",
            person=Person(platform="discord", user_id=f"m-{n % MEMBERS}", name=f"m{n}"),
            emoji="👍",
            added=True,
            at=AT,
        )
        for n in range(first, first + count)
    ]


async def _seed(app: App) -> None:
    # The same texts on both engines (a fixed seed); some merge, as in a real community.
    for n, text in enumerate(text_pool(IDEAS, np.random.default_rng(SEED))):
        await app.ideas.submit(_draft(text, n))


async def _votes(app: App, events: list[ReactionChange]) -> float:
    started = time.perf_counter()
    await asyncio.gather(*(app.ideas.react(e) for e in events))
    return len(events) / (time.perf_counter() - started)


async def one_engine(database: Path | str, embedder: Embedder, label: str) -> dict[str, float]:
    app = await build_app(Settings(db=database), embedder=embedder)
    try:
        progress(f"{label}: seeding {IDEAS} ideas")
        await _seed(app)
        rate = await _votes(app, _events(0, EVENTS))
        timings = []
        for n, text in enumerate(submit_texts(SUBMITS, np.random.default_rng(SEED + 1))):
            started = time.perf_counter()
            await app.ideas.submit(_draft(text, IDEAS + n))
            timings.append((time.perf_counter() - started) * 1000)
        board = await app.core.board_for(WHERE)
        top = await app.queries.top(board, 1)
        progress(f"{label}: top idea has {top[0].votes} votes")
        check, read = await _version_check(app, board.id)
        return {
            "votes_per_s": rate,
            "submit_p50_ms": statistics.median(timings),
            "version_check_us": check,
            "read_us": read,
        }
    finally:
        await app.close()


async def _version_check(app: App, board_id: int) -> tuple[float, float]:
    """Mean microseconds of the index's freshness check and of the cheapest read."""
    ideas = app.core.store.ideas
    checks: list[float] = []
    reads: list[float] = []
    for _ in range(VERSION_CHECKS):
        started = time.perf_counter()
        await ideas.index_version(board_id)
        checks.append(time.perf_counter() - started)
        started = time.perf_counter()
        await ideas.next_number(board_id)
        reads.append(time.perf_counter() - started)
    return statistics.fmean(checks) * 1e6, statistics.fmean(reads) * 1e6


def _worker(url: str, first: int, count: int, start_at: float, part: int) -> None:
    """One of the two processes: its share of the events, timed from ``start_at``; then
    its share of the submits, at the same time as the other's."""
    texts = submit_texts(2 * SUBMITS_EACH, np.random.default_rng(SEED + 2))
    mine = texts[part * SUBMITS_EACH : (part + 1) * SUBMITS_EACH]

    async def go() -> dict[str, Any]:
        embedder = OnnxEmbedder()
        await embedder.embed(["warm up"])
        app = await build_app(Settings(db=url), embedder=embedder)
        try:
            events = _events(first, count)
            board = await app.core.board_for(WHERE)
            await app.core.index(board)
            while time.time() < start_at:
                await asyncio.sleep(0.01)
            await asyncio.gather(*(app.ideas.react(e) for e in events))
            done = time.time()
            timings = []
            for n, text in enumerate(mine):
                started = time.perf_counter()
                await app.ideas.submit(_draft(text, 10 * IDEAS + part * SUBMITS_EACH + n))
                timings.append((time.perf_counter() - started) * 1000)
            return {"done": done, "submits_ms": timings}
        finally:
            await app.close()

    print(json.dumps(runtime.run(go())), flush=True)


def two_processes(url: str) -> tuple[float, float]:
    """Votes per second of the two processes together, and their submits' p50 (ms)."""
    start_at = time.time() + 20  # both interpreters are up, connected and warm by then
    half = EVENTS // 2
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.store",
                "--worker",
                url,
                str(first),
                str(half),
                str(start_at),
                str(part),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        # New votes: the first EVENTS are stored already.
        for part, first in enumerate((EVENTS, EVENTS + half))
    ]
    results = [json.loads(w.communicate()[0].strip().splitlines()[-1]) for w in workers]
    if any(not isinstance(r.get("done"), float) for r in results):
        raise RuntimeError(f"a worker did not finish: {results}")
    rate = EVENTS / (max(r["done"] for r in results) - start_at)
    return rate, statistics.median([ms for r in results for ms in r["submits_ms"]])


def main() -> None:
    from tests.postgres import new_schema, start_cluster

    embedder = OnnxEmbedder()
    assert embedder.dim > 0
    given = os.environ.get("IDEABOT_BENCH_POSTGRES")
    cluster = None if given else start_cluster()
    server = given or (cluster.url if cluster else "")
    figures: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory() as folder:
            lite = runtime.run(one_engine(Path(folder) / "bench.db", embedder, "sqlite"))
        _, url = new_schema(server)
        pg = runtime.run(one_engine(url, embedder, "postgres"))
        progress("postgres: two processes")
        rate, submit_p50 = two_processes(url)
        figures["votes_per_s_postgres_2proc"] = rate
        figures["submit_p50_ms_postgres_2proc"] = submit_p50
    finally:
        if cluster is not None:
            cluster.stop()
    figures["votes_per_s_sqlite"] = lite["votes_per_s"]
    figures["votes_per_s_postgres"] = pg["votes_per_s"]
    figures["votes_pg_over_sqlite"] = pg["votes_per_s"] / lite["votes_per_s"]
    figures["submit_p50_ms_sqlite"] = lite["submit_p50_ms"]
    figures["submit_p50_ms_postgres"] = pg["submit_p50_ms"]
    for engine, got in (("sqlite", lite), ("postgres", pg)):
        figures[f"version_check_us_{engine}"] = got["version_check_us"]
        figures[f"read_us_{engine}"] = got["read_us"]
        figures[f"version_check_ratio_{engine}"] = got["version_check_us"] / got["read_us"]
    for name, value in figures.items():
        print(f"{name}: {round(value, 3)}")


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "--worker":
        _worker(
            sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
        )
    else:
        main()

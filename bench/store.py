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

import numpy as np

from bench.texts import submit_texts, text_pool
from bot.app import App, build_app
from bot.domain import IdeaDraft, Person, ReactionChange, Where
from bot.settings import Settings
from dedupe.embedder import Embedder
from dedupe.onnx_embedder import OnnxEmbedder

IDEAS = 200
MEMBERS = 2_000
EVENTS = 20_000
SUBMITS = 100
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
        return {"votes_per_s": rate, "submit_p50_ms": statistics.median(timings)}
    finally:
        await app.close()


def _worker(url: str, first: int, count: int, start_at: float) -> None:
    """One of the two processes: its share of the events, timed from ``start_at``."""

    async def go() -> float:
        app = await build_app(Settings(db=url), embedder=OnnxEmbedder())
        try:
            events = _events(first, count)
            await app.core.board_for(WHERE)
            while time.time() < start_at:
                await asyncio.sleep(0.01)
            await asyncio.gather(*(app.ideas.react(e) for e in events))
            return time.time()
        finally:
            await app.close()

    print(json.dumps({"done": asyncio.run(go())}), flush=True)


def two_processes(url: str) -> float:
    start_at = time.time() + 15  # both interpreters are up and connected by then
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
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for first in (EVENTS, EVENTS + half)  # new votes: the first EVENTS are stored
    ]
    finished = [json.loads(w.communicate()[0].strip().splitlines()[-1])["done"] for w in workers]
    return EVENTS / (max(finished) - start_at)


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
            lite = asyncio.run(one_engine(Path(folder) / "bench.db", embedder, "sqlite"))
        _, url = new_schema(server)
        pg = asyncio.run(one_engine(url, embedder, "postgres"))
        progress("postgres: two processes")
        figures["votes_per_s_postgres_2proc"] = two_processes(url)
    finally:
        if cluster is not None:
            cluster.stop()
    figures["votes_per_s_sqlite"] = lite["votes_per_s"]
    figures["votes_per_s_postgres"] = pg["votes_per_s"]
    figures["votes_pg_over_sqlite"] = pg["votes_per_s"] / lite["votes_per_s"]
    figures["submit_p50_ms_sqlite"] = lite["submit_p50_ms"]
    figures["submit_p50_ms_postgres"] = pg["submit_p50_ms"]
    for name, value in figures.items():
        print(f"{name}: {round(value, 3)}")


if __name__ == "__main__":
    if len(sys.argv) == 6 and sys.argv[1] == "--worker":
        _worker(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    else:
        main()

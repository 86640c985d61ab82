"""Benchmark of ideabot's hot paths, each against its raw baseline in the same run.

Run with ``make bench`` (``python -m bench.core``); it is not part of the test suite.
Every database lives in a temporary directory that is removed at the end. Progress goes to
stderr; the figures to stdout, as a table and then as ``name: value`` lines. The embedder
is the default runtime (``build_embedder``: ONNX), as ``ideabot run`` builds it.

One board of 100,000 ideas (``bench.board``) carries the measurements in this order:

- ``bench.submit``: loading its index against reading its vectors raw
  (``index_load_ratio``); submit latency before it has votes;
- ``bench.votes``: 100,000 votes through the service against a raw batched insert of
  the same rows (``vote_ratio``);
- ``bench.digest``: facts topped up to 1,000,000, the weekly digest against the plain
  aggregate query (``digest_ratio``);
- ``bench.submit`` again: submit p50 with 1M facts against one encode plus one search
  measured alone (``submit_overhead_ratio``);
- ``bench.memory``: resident memory of a real ``ideabot run`` serving such a board
  (``rss_mb``, ``rss_peak_mb``), in its own process.

``python -m bench.importing`` (``import_ratio``) and ``python -m bench.embed``
(``encode_speedup``) are separate runs of ``make bench``. Each module's docstring says
exactly what its figures mean.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from bench.board import SEED, check_time_format, open_board
from bench.digest import bench_digest
from bench.facts import make_facts
from bench.memory import bench_memory
from bench.report import Report
from bench.submit import bench_index_load, bench_submit, bench_submit_overhead
from bench.texts import submit_texts, text_pool
from bench.votes import VOTE_EVENTS, bench_votes
from bot.digest import last_full_week
from dedupe.embedder import build_embedder

BOARD_SIZE = 100_000
SUBMITS = 200
FACTS = 1_000_000
FACT_WEEKS = 4  # full weeks of reaction facts before the current week


async def main() -> None:
    report = Report()
    rng = np.random.default_rng(SEED)
    texts = submit_texts(SUBMITS, rng)
    late_texts = text_pool(SUBMITS, rng)
    now = datetime.now(UTC)
    check_time_format(now)
    fact_start = last_full_week(now, ZoneInfo("UTC")).start - timedelta(weeks=FACT_WEEKS - 1)

    embedder = build_embedder()
    started = time.perf_counter()
    await embedder.load()
    await embedder.embed(texts[:10])
    report.progress(f"{type(embedder).__name__} loaded in {time.perf_counter() - started:.1f}s")
    with tempfile.TemporaryDirectory(prefix="ideabot-bench-") as tmp:
        folder = Path(tmp)
        path = folder / f"board-{BOARD_SIZE}.db"
        try:
            run = await open_board(report, path, BOARD_SIZE, embedder, now)
            try:
                await bench_index_load(report, run, path)
                await bench_submit(report, run, texts, now)
                facts = make_facts(run.seeded, FACTS, fact_start, now)
                await bench_votes(report, run, facts, folder)
                await bench_digest(report, run, facts, VOTE_EVENTS, path, now)
                del facts
                await bench_submit_overhead(report, run, late_texts, now)
            finally:
                await run.app.close()
        finally:
            embedder.close()
        await bench_memory(report, folder)
    report.add("bench_wall_s", time.perf_counter() - report.started)
    report.print()


def run() -> None:
    asyncio.run(main())


if __name__ == "__main__":
    run()

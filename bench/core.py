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

``python -m bench.core --only digest`` builds only what the digest needs (the board and
its 1,000,000 facts, all written in bulk: no votes through the service, no index, no
submits, no ``ideabot run``) and prints the digest's figures alone: a quick run to
iterate on the digest. ``--only votes`` likewise builds the board and its facts and
prints the votes' figures alone. ``make bench`` runs everything.

``python -m bench.importing`` (``import_ratio``) and ``python -m bench.embed``
(``encode_speedup``) are separate runs of ``make bench``. Each module's docstring says
exactly what its figures mean.
"""

from __future__ import annotations

import argparse
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
from bot import runtime
from bot.digest import last_full_week
from bot.runtime import settle_after_start
from dedupe.embedder import build_embedder

BOARD_SIZE = 100_000
SUBMITS = 200
FACTS = 1_000_000
FACT_WEEKS = 4  # full weeks of reaction facts before the current week


PARTS = ("all", "digest", "votes")


async def main(only: str = "all") -> None:
    if only == "digest":
        await digest_only()
        return
    if only == "votes":
        await votes_only()
        return
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
    settle_after_start()  # the collector as `ideabot run` sets it once started
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


async def digest_only() -> None:
    """The board and its 1M facts, all in bulk, then the digest's figures alone."""
    report = Report()
    now = datetime.now(UTC)
    check_time_format(now)
    fact_start = last_full_week(now, ZoneInfo("UTC")).start - timedelta(weeks=FACT_WEEKS - 1)
    embedder = build_embedder()  # the app needs one; the digest never loads it
    settle_after_start()
    with tempfile.TemporaryDirectory(prefix="ideabot-bench-") as tmp:
        path = Path(tmp) / f"board-{BOARD_SIZE}.db"
        run = await open_board(report, path, BOARD_SIZE, embedder, now)
        try:
            facts = make_facts(run.seeded, FACTS, fact_start, now)
            await bench_digest(report, run, facts, 0, path, now)
        finally:
            await run.app.close()
            embedder.close()
    report.add("bench_wall_s", time.perf_counter() - report.started)
    report.print()


async def votes_only() -> None:
    """The board and its facts, then the votes' figures alone (no index, no submits)."""
    report = Report()
    now = datetime.now(UTC)
    check_time_format(now)
    fact_start = last_full_week(now, ZoneInfo("UTC")).start - timedelta(weeks=FACT_WEEKS - 1)
    embedder = build_embedder()  # the app needs one; votes never load it
    settle_after_start()
    with tempfile.TemporaryDirectory(prefix="ideabot-bench-") as tmp:
        folder = Path(tmp)
        run = await open_board(report, folder / f"board-{BOARD_SIZE}.db", BOARD_SIZE, embedder, now)
        try:
            facts = make_facts(run.seeded, FACTS, fact_start, now)
            await bench_votes(report, run, facts, folder)
        finally:
            await run.app.close()
            embedder.close()
    report.add("bench_wall_s", time.perf_counter() - report.started)
    report.print()


def run() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.core", description=__doc__)
    parser.add_argument("--only", choices=PARTS, default="all", help="measure one part alone")
    runtime.run(main(parser.parse_args().only))


if __name__ == "__main__":
    run()

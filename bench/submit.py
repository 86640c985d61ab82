"""Submitting an idea and loading a board's index, each against its raw baseline.

``index_load_ms``, ``index_raw_read_ms``, ``index_load_ratio``
    ``Core.index`` of the 100k board in a freshly built app (the first use after a start:
    read the stored vectors, build the similarity index) against reading the same
    vectors raw: one ``SELECT id, embedding`` of the board's ideas on a plain sqlite3
    connection and one ``np.frombuffer`` over the joined blobs. Three rounds, the two
    taking turns; medians. Target: ratio <= 2.
``submit_p50_ms_100k``, ``submit_p99_ms_100k``
    ``IdeaService.submit`` of 200 distinct idea texts, one at a time, on the 100k board
    before it holds any votes.
``submit_p50_ms_100k_1m``, ``encode_ms``, ``search_ms``, ``submit_overhead_ratio``
    The same on the board once it holds 1M reaction facts, with each submit's baseline
    measured beside it text by text: one ``embed([text])`` through the same embedder
    (the call the service makes) and one ``search`` of the board's index with its vector,
    each alone. The ratio is the submit p50 over (encode p50 + search p50); target
    <= 1.3. Everything else a submit does (validation, the board lookup, the write, the
    idea read back with its votes, the duplicate candidates) is the overhead.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from datetime import datetime
from pathlib import Path

import numpy as np
import numpy.typing as npt

from bench.board import CHANNEL, GUILD, MEMBERS, BoardRun, people, where
from bench.report import Report
from bot.app import build_app
from bot.domain import IdeaDraft
from bot.results import Created, Merged, PossibleDuplicate
from bot.service import MAX_CANDIDATES
from bot.settings import Settings

LOAD_ROUNDS = 3
SUBMIT_MESSAGE_BASE = 1_100_000_000_000_000_000
LATE_MESSAGE_BASE = 1_200_000_000_000_000_000


def raw_vectors(path: Path, board_id: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """The board's idea ids and stored vectors (one matrix), read as plainly as SQLite allows."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(
            "SELECT id, embedding FROM ideas WHERE board_id = ? AND embedding IS NOT NULL",
            [board_id],
        ).fetchall()
    finally:
        conn.close()
    keys = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    matrix = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
    return keys, matrix.reshape(len(rows), -1)


async def bench_index_load(report: Report, run: BoardRun, path: Path) -> None:
    """The index load of a fresh app on the board's database against the raw read."""
    size = len(run.seeded.idea_ids)
    loads, raws = [], []
    for _ in range(LOAD_ROUNDS):
        started = time.perf_counter()
        keys, matrix = raw_vectors(path, run.board.id)
        raws.append(time.perf_counter() - started)
        if len(keys) < size:
            raise RuntimeError(f"raw read found {len(keys)} vectors")
        del keys, matrix
        app = await build_app(Settings(), db_path=path, embedder=run.app.core.embedder)
        try:
            board = await app.core.board_for(where(size))
            started = time.perf_counter()
            index = await app.core.index(board)
            loads.append(time.perf_counter() - started)
            if len(index) < size:
                raise RuntimeError(f"the index holds {len(index)} ideas")
        finally:
            await app.close()
    load_ms, raw_ms = statistics.median(loads) * 1000, statistics.median(raws) * 1000
    report.add("index_load_ms", load_ms)
    report.add("index_raw_read_ms", raw_ms)
    ratio = load_ms / raw_ms
    report.add("index_load_ratio", ratio, "<= 2", ratio <= 2)


def draft(size: int, text: str, number: int, message_base: int, now: datetime) -> IdeaDraft:
    message_id = str(message_base + number)
    return IdeaDraft(
        where=where(size),
        author=people()[number % MEMBERS],
        text=text,
        created_at=now,
        message_id=message_id,
        permalink=f"https://discord.com/channels/{GUILD}/{CHANNEL}/{message_id}",
    )


async def submit_times(
    report: Report,
    run: BoardRun,
    texts: list[str],
    now: datetime,
    message_base: int,
    *,
    baseline: bool,
) -> tuple[list[float], list[float], list[float]]:
    """Submit each text as a new chat message, one at a time: submit seconds, and (with
    ``baseline``) one encode and one search of the same text, each alone, before it."""
    core, size = run.app.core, len(run.seeded.idea_ids)
    index = await core.index(run.board)
    submits: list[float] = []
    encodes: list[float] = []
    searches: list[float] = []
    kinds = {"created": 0, "suggested": 0, "merged": 0}
    for i, text in enumerate(texts):
        if baseline:
            started = time.perf_counter()
            vectors = await core.embedder.embed([text])
            encodes.append(time.perf_counter() - started)
            started = time.perf_counter()
            index.search(vectors[0], k=MAX_CANDIDATES + 2)
            searches.append(time.perf_counter() - started)
        one = draft(size, text, i, message_base, now)
        started = time.perf_counter()
        result = await run.app.ideas.submit(one)
        submits.append(time.perf_counter() - started)
        if isinstance(result, Created):
            kinds["created"] += 1
        elif isinstance(result, PossibleDuplicate):
            kinds["suggested"] += 1
        elif isinstance(result, Merged):
            kinds["merged"] += 1
        else:
            raise RuntimeError(f"unexpected submit result {result!r}")
    report.progress(f"submit outcomes: {kinds}")
    return submits, encodes, searches


def ms(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))


async def bench_submit(report: Report, run: BoardRun, texts: list[str], now: datetime) -> None:
    """Submit latency on the board before it has votes."""
    submits, _, _ = await submit_times(report, run, texts, now, SUBMIT_MESSAGE_BASE, baseline=False)
    report.add("submit_p50_ms_100k", ms(submits, 50))
    report.add("submit_p99_ms_100k", ms(submits, 99))


async def bench_submit_overhead(
    report: Report, run: BoardRun, texts: list[str], now: datetime
) -> None:
    """Submit p50 on the board with 1M facts over one encode plus one search, alone."""
    submits, encodes, searches = await submit_times(
        report, run, texts, now, LATE_MESSAGE_BASE, baseline=True
    )
    submit_ms, encode_ms, search_ms = ms(submits, 50), ms(encodes, 50), ms(searches, 50)
    report.add("submit_p50_ms_100k_1m", submit_ms)
    report.add("submit_p99_ms_100k_1m", ms(submits, 99))
    report.add("encode_ms", encode_ms)
    report.add("search_ms", search_ms)
    ratio = submit_ms / (encode_ms + search_ms)
    report.add("submit_overhead_ratio", ratio, "<= 1.3", ratio <= 1.3)

"""Votes through the service against a raw batched insert of the same rows.

``votes_per_s``, ``raw_insert_per_s``, ``vote_ratio``
    100,000 reaction-add events from 5,000 members over the 100k board's messages, fed to
    ``IdeaService.react`` the way discord.py and bolt deliver them: one task per event,
    all concurrent, then gathered. The baseline is the floor for storing the same
    100,000 reaction rows: one sqlite-utils ``insert_all`` in one transaction into the
    ``reactions`` table of a fresh database with the same schema, pragmas and parent
    rows (so the same indexes and foreign-key checks apply), with the rows already
    resolved to ids; it runs just before and just after the service and the two rates
    are averaged. The service does more per event (finds the message's idea, the member,
    builds results, crosses threads); target ``vote_ratio >= 0.7``. Both are timed with
    the bench's prepared inputs frozen out of the garbage collector. Events are
    Discord-like: no event id, so no ``processed_events`` row.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.board import BoardRun, Seeded, seed_board
from bench.facts import Facts, raw_rows, reaction_events
from bench.report import Report
from bot.results import VoteChanged
from storage import boards as board_rows
from storage.database import connect, migrate
from storage.times import to_db

VOTE_EVENTS = 100_000


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the collector off the bench's own scratch objects while timing.

    The bench builds its 100,000 events (or rows) up front; a bot receives them one at
    a time. Freezing what exists moves it out of the collector's generations, so the
    timing pays for the garbage the code under test makes, not for walking the
    bench's prepared inputs. Used for the service and the raw baseline alike.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


async def bench_votes(report: Report, run: BoardRun, facts: Facts, folder: Path) -> None:
    """Concurrent react() events through the service next to a raw insert_all of the rows.

    The raw insert runs once before and once after the service (each into a fresh
    database) and the two are averaged, so a noisy neighbour hurts both sides alike.
    """
    raw_before = raw_insert(run.seeded, facts, folder / "raw-before.db")
    events = reaction_events(run.seeded, facts, VOTE_EVENTS)
    service = run.app.ideas
    with frozen_heap():
        started = time.perf_counter()
        tasks = [asyncio.create_task(service.react(event)) for event in events]
        results = await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    changed = sum(1 for r in results if isinstance(r, VoteChanged) and r.changed)
    if changed != VOTE_EVENTS:
        raise RuntimeError(f"only {changed} of {VOTE_EVENTS} votes were recorded")
    del events, tasks, results
    votes_per_s = VOTE_EVENTS / elapsed
    raw_after = raw_insert(run.seeded, facts, folder / "raw-after.db")
    report.progress(f"raw insert_all: {raw_before:,.0f}/s before, {raw_after:,.0f}/s after")

    raw_per_s = (raw_before + raw_after) / 2
    ratio = votes_per_s / raw_per_s
    report.add("votes_s", VOTE_EVENTS / votes_per_s)
    report.add("raw_insert_s", VOTE_EVENTS / raw_per_s)
    report.add("votes_per_s", votes_per_s)
    report.add("raw_insert_per_s", raw_per_s)
    report.add("vote_ratio", ratio, ">= 0.7", ratio >= 0.7)


def raw_insert(seeded: Seeded, facts: Facts, path: Path) -> float:
    """Rows per second of one insert_all into a fresh database at ``path`` seeded alike."""
    size = len(seeded.idea_ids)
    db = connect(path)
    try:
        migrate(db)
        with db.atomic():
            board = board_rows.create_board(db, f"bench-{size}", to_db(datetime.now(UTC)))
            twin = seed_board(db, board.id, size, datetime.now(UTC), embeddings=False)
        if not np.array_equal(twin.message_rows, seeded.message_rows):
            raise RuntimeError("the raw database's messages do not match the board's")
        rows = raw_rows(seeded, facts, VOTE_EVENTS)
        with frozen_heap():
            started = time.perf_counter()
            with db.atomic():
                db.table("reactions").insert_all(rows)
            elapsed = time.perf_counter() - started
        stored = db.execute("SELECT COUNT(*) FROM reactions").fetchone()[0]
        if stored != VOTE_EVENTS:
            raise RuntimeError(f"raw insert stored {stored} rows")
        return VOTE_EVENTS / elapsed
    finally:
        db.close()

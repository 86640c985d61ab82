"""The weekly digest over 1M reaction facts against the plain aggregate query it needs.

``digest_ms_1m``, ``digest_sql_ms``, ``digest_ratio``
    ``build_digest`` for the last full week once the 100k board holds 1,000,000 reaction
    facts (the 100,000 votes of ``bench.votes`` plus 900,000 written in bulk over the
    last four weeks and the current one, 10% of them removed again; with
    ``--only digest`` all 1,000,000 are written in bulk), against the one
    aggregate the digest is built on, written plainly: every idea's votes gained in the
    week (on at its end minus on at its start), a GROUP BY over all the board's facts,
    run on a plain sqlite3 connection. Seven rounds, the two taking turns; medians (a
    query's time on a shared virtual machine jumps between two levels every few seconds).
    Target: ratio <= 2.

    The board's first vote comes about four weeks before the end of the week measured,
    so ``storage.activity.period_votes`` reads the week in idea order (the week holds a
    quarter of the facts); a board with a long history reads it by time, whose cost
    follows the week's votes while the plain aggregate's grows with the history.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from datetime import datetime
from pathlib import Path

from bench.board import BoardRun, sqlite_db
from bench.facts import Facts, insert_facts
from bench.report import Report
from bot.digest import build_digest, last_full_week
from storage.times import to_db

ROUNDS = 7

GAINED_SQL = """
    SELECT idea_id,
        SUM(added_at <= :end AND (removed_at IS NULL OR removed_at > :end))
        - SUM(added_at <= :start AND (removed_at IS NULL OR removed_at > :start))
    FROM reactions WHERE board_id = :board GROUP BY idea_id
"""


def plain_gains(path: Path, board_id: int, start: str, end: str) -> int:
    """Run the plain aggregate; the number of ideas with a vote gained."""
    conn = sqlite3.connect(path)
    try:
        rows = conn.execute(GAINED_SQL, {"board": board_id, "start": start, "end": end}).fetchall()
    finally:
        conn.close()
    return sum(1 for r in rows if r[1] > 0)


async def bench_digest(
    report: Report, run: BoardRun, facts: Facts, upto: int, path: Path, now: datetime
) -> None:
    """Top the reactions up to 1M facts (from ``upto``), then build last week's digest
    beside the SQL."""
    core = run.app.core
    started = time.perf_counter()
    await sqlite_db(run.app).write(insert_facts, run.seeded, facts, upto, now)
    total = await sqlite_db(run.app).read(
        lambda db: db.execute("SELECT COUNT(*) FROM reactions").fetchone()[0]
    )
    report.progress(f"{total:,} reaction facts in {time.perf_counter() - started:.1f}s")
    period = last_full_week(now, run.board.settings.zone)
    start, end = to_db(period.start), to_db(period.end)
    digests, plains = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        gaining = plain_gains(path, run.board.id, start, end)
        plains.append(time.perf_counter() - started)
        started = time.perf_counter()
        digest = await build_digest(core, run.board, period)
        digests.append(time.perf_counter() - started)
    report.progress(
        f"digest {period.label}: {digest.headline.votes_cast:,} votes cast, "
        f"{digest.headline.new_ideas} new ideas, top {[r.gained for r in digest.top]}, "
        f"{gaining:,} ideas gaining; runs {[round(t * 1000) for t in digests]} ms, "
        f"plain {[round(t * 1000) for t in plains]} ms"
    )
    digest_ms, plain_ms = statistics.median(digests) * 1000, statistics.median(plains) * 1000
    report.add("digest_ms_1m", digest_ms)
    report.add("digest_sql_ms", plain_ms)
    ratio = digest_ms / plain_ms
    report.add("digest_ratio", ratio, "<= 2", ratio <= 2)

"""Reconciliation and acknowledgement figures of issue 10, black-box against the fakes:

- ``reconcile_<N>_s``: from `ideabot run`'s READY to its ``reconciled discord ...`` log line
  for a board of N imported ideas whose votes changed on Discord while it was down, with
  Discord's rate limits enforced (bench.reconcile_discord); ``reconcile_baseline_s`` the
  same reads made directly with aiohttp honouring the same headers; their ratio.
- ``ack_p50_ms`` / ``ack_p99_ms``: HTTP 200 latency under a storm of signed reaction_added
  events to `ideabot run` in HTTP mode, against a bare bolt app (bench.slack_acks).

Everything runs on 127.0.0.1, bounded: ``--ideas`` (1,000), ``--events`` (500) and
``--limit`` (seconds to wait for the reconciled line, 300). Run with
``.venv/bin/python -m bench.reconcile``.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.reconcile_discord import bench_reconcile
from bench.report import Report
from bench.slack_acks import bench_acks


async def bench(ideas: int, events: int, limit_s: float) -> Report:
    report = Report()
    with tempfile.TemporaryDirectory(prefix="ideabot-bench-") as folder:
        work = Path(folder)
        await bench_reconcile(report, ideas, work, limit_s)
        await bench_acks(report, events, work)
    report.add("bench_wall_s", time.perf_counter() - report.started)
    return report


def run() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--ideas", type=int, default=1000)
    parser.add_argument("--events", type=int, default=500)
    parser.add_argument("--limit", type=float, default=300.0)
    args = parser.parse_args()
    asyncio.run(bench(args.ideas, args.events, args.limit)).print()


if __name__ == "__main__":
    run()

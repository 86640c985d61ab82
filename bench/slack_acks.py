"""Slack ack latency under a storm: 500 signed reaction_added events from 500 people POSTed
50 at a time to `ideabot run` in HTTP mode, each timed from its POST to the HTTP 200; then
the same storm against a bare bolt AsyncApp with a no-op listener (``bench.bare_bolt``),
served the same way in its own process. Slack re-sends an event not acked within 3 s."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

import aiohttp
import numpy as np

from bench.report import Report
from tests.adapters.process import BotProcess
from tests.adapters.slack.running import VOTE, SlackBot, free_port, make_idea_channel, post_idea
from tests.fakes.slack import FakeSlack
from tests.fakes.slack.tiers import SlackTiers

CONCURRENCY = 50
WARM_UP = 10  # events sent one by one before the storm: first-request costs are not acks


async def storm(
    url: str, slack: FakeSlack, bodies: list[dict[str, Any]], concurrency: int = CONCURRENCY
) -> list[float]:
    """Milliseconds from each POST to its 200, the POSTs ``concurrency`` at a time."""
    signed = [slack.encode(b) for b in bodies]  # signing is Slack's work, not timed
    gate = asyncio.Semaphore(concurrency)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as s:

        async def one(raw: str, headers: dict[str, str]) -> float:
            async with gate:
                started = time.perf_counter()
                async with s.post(url, data=raw, headers=headers) as response:
                    await response.read()
                    assert response.status == 200, response.status
                return (time.perf_counter() - started) * 1000

        return list(await asyncio.gather(*(one(raw, headers) for raw, headers in signed)))


async def _listening(url: str, slack: FakeSlack, process: BotProcess) -> None:
    raw, headers = slack.encode({"type": "url_verification", "token": "x", "challenge": "ready"})
    async with aiohttp.ClientSession() as session:
        for _ in range(600):
            assert process.running, process.tail()
            try:
                async with session.post(url, data=raw, headers=headers):
                    return
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.2)  # paces the probe; the answer is the condition
    raise TimeoutError("the bare bolt app never listened")


async def bench_acks(report: Report, events: int, work: Path) -> None:
    async with FakeSlack(tiers=SlackTiers()) as slack:
        ideas = slack.add_channel("ideas")
        admin, alice = slack.add_user("ana", admin=True), slack.add_user("alice")
        people = [slack.add_user(f"member{i:03}") for i in range(events + WARM_UP)]
        warm, people = people[:WARM_UP], people[WARM_UP:]
        bot = await SlackBot(slack, work / "acks.db", work, http=True).start()
        try:
            await make_idea_channel(bot, admin, ideas)
            idea = await post_idea(bot, ideas, alice, "Offline maps for whole regions")
            for person in warm:
                await bot.deliver(slack.react(idea.message, person, VOTE))
            bodies = [slack.react(idea.message, p, VOTE) for p in people]
            report.progress(f"storm of {events} reaction_added against ideabot run")
            ideabot = await storm(bot.url, slack, bodies)
        finally:
            await bot.stop()

        port = free_port()
        env = {
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_SIGNING_SECRET": slack.signing_secret,
            "SLACK_API_URL": slack.api_url,
        }
        command = [sys.executable, "-m", "bench.bare_bolt", str(port)]
        bare = await BotProcess(env, Path.cwd(), command).start()
        url = f"http://127.0.0.1:{port}/slack/events"
        try:
            await _listening(url, slack, bare)
            bodies = [
                slack.event_body(
                    slack.reaction_event(True, p, ideas, idea.message.ts, VOTE, item_user=alice)
                )
                for p in [*warm, *people]
            ]
            await storm(url, slack, bodies[:WARM_UP], concurrency=1)
            report.progress("the same storm against a bare bolt app")
            baseline = await storm(url, slack, bodies[WARM_UP:])
        finally:
            await bare.stop()

    p50, p99 = np.percentile(ideabot, [50, 99])
    b50, b99 = np.percentile(baseline, [50, 99])
    report.add("ack_p50_ms", float(p50))
    report.add("ack_p99_ms", float(p99), "< 3000", bool(p99 < 3000))
    report.add("ack_baseline_p50_ms", float(b50))
    report.add("ack_baseline_p99_ms", float(b99))
    report.add("ack_p99_ratio", float(p99 / b99))

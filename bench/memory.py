"""Resident memory of a real `ideabot run` serving a 100k-idea board with its model loaded.

``rss_mb``, ``rss_peak_mb``
    Black box, against the fake Discord of ``tests/fakes`` on 127.0.0.1: a first
    `ideabot run` has #ideas made an idea channel with the slash command (so the guild's
    board exists), then 100,000 ideas with stored vectors are written into that board
    (``bench.board``), and a second `ideabot run` starts on the database. A member posts
    three ideas and the bot answers each in its thread: the model is loaded and the
    board's index (100k x 384) is in memory. Then the process's own ``/proc/PID/status``
    is read: VmRSS (``rss_mb``, target <= 400) and VmHWM (``rss_peak_mb``, the most it
    held since it started). The board's reconcile window is set to one day first, so the
    start-up pass re-reads only the day's ideas, not 100,000 messages the fake never had.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from bench.board import seed_board
from bench.report import Report
from bench.texts import text_pool
from storage.database import connect
from tests.adapters.process import RECONCILED, BotProcess
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeGuild, FakeMember

TOKEN = "bench-token"
IDEAS = 100_000
POSTS = 3
SEED = 20_261_201


def status_mb(pid: int) -> tuple[float, float]:
    """VmRSS and VmHWM of process ``pid`` (MB)."""
    fields = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = float(value.split()[0]) / 1024  # kB
    return fields["VmRSS"], fields["VmHWM"]


def _env(fake: FakeDiscord, db: Path) -> dict[str, str | None]:
    return {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "IDEABOT_DB": str(db),
        "IDEABOT_LOG_LEVEL": "INFO",
        "SLACK_BOT_TOKEN": None,
    }


async def _start(fake: FakeDiscord, db: Path, cwd: Path) -> BotProcess:
    await fake.wait_for(lambda: not fake.connected, 30, "the previous session to close")
    bot = await BotProcess(_env(fake, db), cwd).start()
    await fake.wait_for(lambda: fake.connected or not bot.running, 180, "the bot to connect")
    if not bot.running:
        raise SystemExit(f"ideabot run stopped:\n{bot.tail()}")
    return bot


def _fill(db_path: Path, guild: FakeGuild, channel: FakeChannel) -> int:
    """Write the ideas into the guild's board; its id."""
    db = connect(db_path)
    try:
        row = db.execute(
            "SELECT board_id FROM workspaces WHERE platform = 'discord' AND workspace_id = ?",
            [str(guild.id)],
        ).fetchone()
        board_id = int(row[0])
        settings = json.loads(
            db.execute("SELECT settings FROM boards WHERE id = ?", [board_id]).fetchone()[0]
        )
        settings["reconcile_days"] = 1
        with db.atomic():
            db.execute(
                "UPDATE boards SET settings = ? WHERE id = ?", [json.dumps(settings), board_id]
            )
            seed_board(
                db,
                board_id,
                IDEAS,
                datetime.now(UTC),
                embeddings=True,
                channel=str(channel.id),
                guild=str(guild.id),
            )
        return board_id
    finally:
        db.close()


async def _post(fake: FakeDiscord, channel: FakeChannel, member: FakeMember, text: str) -> None:
    message = await fake.post_message(channel, member, text)

    def answered() -> bool:
        if message.thread is None:
            return False
        return any(m.author is fake.bot_user for m in fake.messages(message.thread))

    await fake.wait_for(answered, 180, f"the bot's reply to {text!r}")


async def bench_memory(report: Report, work: Path) -> None:
    db = work / "memory.db"
    texts = text_pool(POSTS + 1, np.random.default_rng(SEED))
    async with FakeDiscord(token=TOKEN) as fake:
        guild = fake.add_guild("Bench Memory")
        channel = guild.add_channel("ideas")
        member = guild.add_member("member00")
        bot = await _start(fake, db, work)
        try:
            setup = await fake.slash(
                guild, channel, guild.owner, "ideabot", ["config", "channel"], {"purpose": "ideas"}
            )
            await setup.responded(timeout=60)
            await _post(fake, channel, member, texts[0])
        finally:
            await bot.stop()
        _fill(db, guild, channel)
        report.progress(f"{IDEAS:,} ideas written; starting ideabot run on them")
        bot = await _start(fake, db, work)
        try:
            for text in texts[1:]:
                await _post(fake, channel, member, text)
            try:
                await bot.wait_for_line(RECONCILED, timeout=120)
            except (TimeoutError, AssertionError):
                report.progress(f"no reconciled line:\n{bot.tail(10)}")
            rss, peak = status_mb(bot.pid)
        finally:
            await bot.stop()
    report.add("rss_mb", rss, "<= 400", rss <= 400)
    report.add("rss_peak_mb", peak)

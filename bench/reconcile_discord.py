"""Time for `ideabot run` to reconcile the votes of 1,000 ideas against the fake Discord with
its rate limits enforced, against a baseline of the same reads made directly.

The board is built black-box: a first `ideabot run` has #ideas made an idea channel with the
slash command, then `ideabot import` reads a DiscordChatExporter file written from the
fake's own messages (so ideas and messages share ids). Votes then change on Discord while no
bot runs (a vote added on 10% of the messages, one taken back on 5%), the rate limits are
switched on, and a second `ideabot run` starts: the time from its READY to the log line
``reconciled discord <guild>: <N> ideas, ...`` (logger ``bot.reconcile``) is the figure."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench.discord_reads import VOTE, read_messages
from bench.importing import idea_texts
from bench.report import Report
from tests.adapters.process import RECONCILED, BotProcess
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeGuild, FakeMessage
from tests.fakes.discord.ratelimit import RateLimits

TOKEN = "bench-token"
SEED = 20_261_130
MEMBERS = 60
LOGGED = re.compile(
    r"reconciled \w+ \S+: (\d+) ideas, (\d+) messages, (\d+) votes changed in ([\d.]+)s"
)


def _env(fake: FakeDiscord, db: Path) -> dict[str, str | None]:
    return {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "IDEABOT_DB": str(db),
        "IDEABOT_LOG_LEVEL": "INFO",
        "SLACK_BOT_TOKEN": None,
    }


def _user(member_id: int, name: str) -> dict[str, Any]:
    return {
        "id": str(member_id),
        "name": name,
        "discriminator": "0000",
        "isBot": False,
        "avatarUrl": "https://cdn.discordapp.com/embed/avatars/0.png",
        "nickname": name,
    }


def dce_file(guild: FakeGuild, channel: FakeChannel, messages: list[FakeMessage]) -> dict[str, Any]:
    """What DiscordChatExporter writes for ``channel`` (reactions with their users)."""
    rows = []
    for m in messages:
        people = m.reaction_users(VOTE)
        reactions = []
        if people:
            names = {p: guild.member(p) for p in people}
            reactions.append(
                {
                    "emoji": {"id": "", "name": VOTE, "code": "thumbsup", "isAnimated": False},
                    "count": len(people),
                    "users": [_user(p, n.name if n else str(p)) for p, n in names.items()],
                }
            )
        rows.append(
            {
                "id": str(m.id),
                "type": "Default",
                "timestamp": m.created_at.isoformat(),
                "timestampEdited": None,
                "callEndedTimestamp": None,
                "isPinned": False,
                "content": m.content,
                "author": _user(m.author.id, m.author.name),
                "attachments": [],
                "embeds": [],
                "stickers": [],
                "reactions": reactions,
                "mentions": [],
            }
        )
    return {
        "guild": {"id": str(guild.id), "name": guild.name, "iconUrl": None},
        "channel": {
            "id": str(channel.id),
            "type": "GuildTextChat",
            "categoryId": None,
            "category": "Community",
            "name": channel.name,
            "topic": None,
        },
        "dateRange": {"after": None, "before": None},
        "exportedAt": datetime.now(UTC).isoformat(),
        "messages": rows,
        "messageCount": len(rows),
    }


async def _configure(
    fake: FakeDiscord, guild: FakeGuild, channel: FakeChannel, db: Path, cwd: Path
) -> None:
    """A first `ideabot run` in which the owner makes #ideas an idea channel."""
    bot = await BotProcess(_env(fake, db), cwd).start()
    try:
        await fake.wait_for(lambda: fake.connected or not bot.running, 180, "the bot to connect")
        assert bot.running, bot.tail()
        setup = await fake.slash(
            guild, channel, guild.owner, "ideabot", ["config", "channel"], {"purpose": "ideas"}
        )
        await setup.responded(timeout=60)
    finally:
        await bot.stop()


async def bench_reconcile(report: Report, ideas: int, work: Path, limit_s: float) -> None:
    rng = random.Random(SEED)
    db = work / "reconcile.db"
    async with FakeDiscord(token=TOKEN) as fake:
        guild = fake.add_guild("Bench Trails")
        channel = guild.add_channel("ideas")
        members = [guild.add_member(f"member{i:02}") for i in range(MEMBERS)]
        texts = idea_texts(ideas, np.random.default_rng(SEED))
        messages = []
        for text in texts:
            message = fake.state.create_message(channel, rng.choice(members).user, text)
            for person in rng.sample(members, rng.randint(0, 5)):
                fake.state.add_reaction(message, person.user, VOTE)
            messages.append(message)
        report.progress(f"{ideas} messages in the fake; configuring the channel")
        await _configure(fake, guild, channel, db, work)

        export = work / "export.json"
        export.write_text(json.dumps(dce_file(guild, channel, messages)))
        report.progress("importing them with ideabot import")
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from bot.cli import main; main()",
                "import",
                str(export),
                "--db",
                str(db),
            ],
            check=True,
            capture_output=True,
            timeout=900,
        )
        report.progress(f"imported in {time.perf_counter() - started:.1f}s")

        # Changed while no bot runs: a vote added on 10%, one taken back on 5%.
        for message in rng.sample(messages, ideas // 10):
            fake.state.add_reaction(message, rng.choice(members).user, VOTE)
        voted = [m for m in messages if m.reaction_users(VOTE)]
        for message in rng.sample(voted, min(len(voted), ideas // 20)):
            fake.state.remove_reaction(
                message, fake.state.users[message.reaction_users(VOTE)[0]], VOTE
            )

        fake.set_rate_limits(RateLimits())
        identifies = fake.identifies
        bot = await BotProcess(_env(fake, db), work).start()
        try:
            await fake.wait_for(
                lambda: fake.identifies > identifies or not bot.running, 180, "READY"
            )
            ready = time.perf_counter()
            requests = len(fake.requests)
            report.progress("bot READY; waiting for its reconciled line")
            try:
                line = await bot.wait_for_line(RECONCILED, timeout=limit_s)
                elapsed = time.perf_counter() - ready
                logged = LOGGED.search(line.string)
                report.progress(line.string.strip())
                report.add("reconcile_ideas_logged", float(line.group(3)))
                if logged is not None:
                    report.add("reconcile_votes_changed", float(logged.group(3)))
                    report.add("reconcile_logged_s", float(logged.group(4)))
            except (TimeoutError, AssertionError):
                elapsed = float("nan")
                report.progress(f"no 'reconciled' line within {limit_s:.0f}s:\n{bot.tail(15)}")
            report.add(f"reconcile_{ideas}_s", elapsed)
            report.add("reconcile_requests", float(len(fake.requests) - requests))
            report.add("reconcile_429s", float(fake.rate_limited))
        finally:
            await bot.stop()

        fake.set_rate_limits(RateLimits())
        baseline, made, refused = await read_messages(
            fake.api_base, TOKEN, channel.id, [m.id for m in messages]
        )
        report.add("reconcile_baseline_s", baseline)
        report.add("reconcile_baseline_requests", float(made))
        report.add("reconcile_baseline_429s", float(refused))
        report.add("reconcile_ratio", elapsed / baseline)

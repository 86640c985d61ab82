"""`ideabot run` posts a digest missed while it was down once, and a restart repeats nothing.

The real command in a subprocess, on the real clock, against the fake Discord: the
board's digest channel was set up two weeks ago, so the latest slot passed while
the bot was not running.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.app import build_app
from bot.channels import Channels
from bot.domain import Actor, Person
from bot.settings import Settings
from tests.adapters.discord.conftest import TOKEN, World
from tests.conftest import FakeClock
from tests.fakes.discord import FakeDiscord
from tests.fakes.embedder import TestEmbedder

RUN = [sys.executable, "-c", "from bot.cli import main; main()", "run"]
# Logged at the end of a scheduler round that began with the Discord poster registered.
ROUND_WITH_DISCORD = "looked for digests due on discord"


async def run_until_a_round_with_discord(env: dict[str, str], cwd: Path) -> str:
    """Start `ideabot run`, wait for a scheduler round that could post to Discord, stop it."""
    process = await asyncio.create_subprocess_exec(
        *RUN, env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while True:
            raw = await asyncio.wait_for(process.stdout.readline(), timeout=120)
            assert raw, "ideabot run stopped:\n" + "".join(lines[-30:])
            lines.append(raw.decode(errors="replace"))
            if ROUND_WITH_DISCORD in lines[-1]:
                break
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return "".join(lines) + rest.decode(errors="replace")


async def test_run_posts_the_missed_digest_once_and_not_again_after_a_restart(
    fake: FakeDiscord, world: World, tmp_path: Path, embedder: TestEmbedder
) -> None:
    db = tmp_path / "run.db"
    digest = world.guild.add_channel("digest")
    two_weeks_ago = FakeClock(datetime.now(UTC) - timedelta(days=14))
    app = await build_app(Settings(db=db), embedder=embedder, clock=two_weeks_ago)
    try:
        owner = Actor(
            person=Person(platform="discord", user_id=str(world.owner.id), name="owner"),
            is_moderator=True,
        )
        await Channels(app.core).set_channel(world.where(digest), owner, "digest", True)
        # The weekly slot a day before the real now, so it was missed by far more than the
        # grace whatever the day and hour the test runs (Monday 09:00, the default slot,
        # would make a run at 09:10 on a Monday on time, not late).
        slot = datetime.now(UTC) - timedelta(days=1)
        for key, value in (
            ("timezone", "UTC"),
            ("digest_weekday", slot.strftime("%A").lower()),
            ("digest_time", slot.strftime("%H:%M")),
        ):
            await app.moderation.configure(world.where(), owner, key, value)
    finally:
        await app.close()
    env = {
        **os.environ,
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "IDEABOT_DB": str(db),
        "IDEABOT_LOG_LEVEL": "DEBUG",
    }

    first = await run_until_a_round_with_discord(env, tmp_path)
    posted = fake.messages(digest)
    assert len(posted) >= 1, first[-3000:]
    footers = [m.embeds[-1]["footer"]["text"] for m in posted]
    assert all("ideabot digest" in f for f in footers)
    text = " ".join(str(e) for m in posted for e in m.embeds)
    assert "offline" in text  # marked late: the slot passed while it was down

    second = await run_until_a_round_with_discord(env, tmp_path)
    assert [m.id for m in fake.messages(digest)] == [m.id for m in posted], second[-3000:]
    assert TOKEN not in first + second  # tokens are never logged, not even when debugging

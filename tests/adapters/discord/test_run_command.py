"""`ideabot run` itself: settings from the environment point the real bot at the fake."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main
from tests.adapters.discord.conftest import TOKEN, World
from tests.fakes.discord import FakeDiscord

RUN = [sys.executable, "-c", "from bot.cli import main; main()", "run"]


def test_run_without_a_token_says_what_is_missing(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["run", "--db", str(tmp_path / "x.db")], env={"DISCORD_TOKEN": None}
    )
    assert result.exit_code == 1
    assert "DISCORD_TOKEN" in result.output and "Traceback" not in result.output


async def test_run_connects_through_the_configured_urls(
    fake: FakeDiscord, world: World, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "IDEABOT_DB": str(tmp_path / "run.db"),
    }
    process = await asyncio.create_subprocess_exec(
        *RUN,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        await fake.wait_for(lambda: fake.connected, timeout=120, what="the bot connected")
        setup = await fake.slash(
            world.guild,
            world.ideas,
            world.owner,
            "ideabot",
            ["config", "channel"],
            {"purpose": "ideas"},
        )
        await setup.responded(timeout=120)
        message = await fake.post_message(world.ideas, world.alice, "Dark mode for the map")
        await fake.wait_for(
            lambda: message.thread is not None and bool(fake.messages(message.thread)),
            timeout=120,
            what="the bot's reply",
        )
        assert message.thread is not None
        assert "#1" in fake.messages(message.thread)[0].content
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    text = output.decode()
    assert TOKEN not in text  # tokens are never logged

"""`ideabot run` in Slack HTTP mode, as a real process: bad requests refused without a
traceback, a slash command with "payload" and "&" in its text saved whole and decoded."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

from tests.fakes.slack import FakeSlack

RUN = [sys.executable, "-c", "from bot.cli import main; main()", "run"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def until_line(process: asyncio.subprocess.Process, fragment: str, seen: list[str]) -> None:
    """Read the process's log until a line contains ``fragment`` (kept in ``seen``)."""
    assert process.stdout is not None
    while True:
        line = (await process.stdout.readline()).decode()
        if not line:
            raise AssertionError("ideabot run ended early:\n" + "".join(seen))
        seen.append(line)
        if fragment in line:
            return


async def test_run_serves_slack_over_http_and_refuses_bad_requests(
    slack: FakeSlack, tmp_path: Path
) -> None:
    general = slack.add_channel("general")
    bob = slack.add_user("bob")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD_", "SLACK_"))}
    env |= {
        "SLACK_BOT_TOKEN": slack.bot_token,
        "SLACK_SIGNING_SECRET": slack.signing_secret,
        "SLACK_PORT": str(port),
        "SLACK_API_URL": slack.api_url,
        "IDEABOT_DB": str(tmp_path / "run.db"),
        "IDEABOT_LOG_LEVEL": "INFO",
    }
    process = await asyncio.create_subprocess_exec(
        *RUN,
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    seen: list[str] = []
    try:
        await asyncio.wait_for(until_line(process, "Slack HTTP mode on port", seen), timeout=120)
        url = f"http://127.0.0.1:{port}/slack/events"
        malformed = '{"type": "event_callback", '
        assert (await slack.post_http(url, malformed)).status == 400
        unsigned = await slack.post_http(url, malformed, {"content-type": "application/json"})
        assert unsigned.status == 401
        text = "R&amp;D: show the payload size of each upload"
        command = slack.slash_command_body("/idea", text, bob, general)
        assert (await slack.post_http(url, command)).status == 200
        said = await slack.wait_for(lambda: slack.ephemerals(bob), timeout=120, what="the answer")
        assert "Saved as idea #1" in said[-1].text
        posted = slack.bot_messages(general)[-1].text
        assert "R&amp;D: show the payload size" in posted and "&amp;amp;" not in posted
    finally:
        process.send_signal(signal.SIGINT)
        output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    log = "".join(seen) + output.decode()
    assert "Traceback" not in log, log
    assert slack.signing_secret not in log and slack.bot_token not in log

"""`ideabot run` with a Slack token the workspace refuses: one line, no traceback, no token."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

from tests.fakes.slack import FakeSlack

RUN = [sys.executable, "-c", "from bot.cli import main; main()", "run"]
ROOT = Path(__file__).resolve().parents[3]


async def test_a_refused_slack_token_stops_the_run_in_one_line(
    slack: FakeSlack, tmp_path: Path
) -> None:
    wrong = "xoxb-0000-1111-not-the-real-one"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IDEABOT_", "DISCORD_"))}
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "IDEABOT_DB": str(tmp_path / "run.db"),
            "SLACK_BOT_TOKEN": wrong,
            "SLACK_APP_TOKEN": slack.app_token,
            "SLACK_API_URL": slack.api_url,
        }
    )
    process = await asyncio.create_subprocess_exec(
        *RUN, env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=300)
    text = err.decode()
    assert process.returncode == 1, text
    assert "Traceback" not in text
    assert wrong not in text and slack.app_token not in text
    assert text.strip().splitlines()[-1].startswith("error: Slack refused a token (invalid_auth)")

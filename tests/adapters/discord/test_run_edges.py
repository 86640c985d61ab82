"""`ideabot run` at the edges: bad tokens are one line before any work, a rejected token
stops the run in one line, an unreachable API is retried with backoff (logged, no
traceback, no token), and SIGTERM stops it cleanly."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.errors import IdeabotError
from bot.retry import keep_trying
from tests.adapters.discord.conftest import TOKEN
from tests.fakes.discord import FakeDiscord

RUN = [sys.executable, "-c", "from bot.cli import main; main()", "run"]
ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"DISCORD_TOKEN": ""}, "DISCORD_TOKEN is set but blank"),
        ({"DISCORD_TOKEN": "   "}, "DISCORD_TOKEN is set but blank"),
        ({"DISCORD_TOKEN": "abc def"}, "DISCORD_TOKEN holds spaces"),
        ({"DISCORD_TOKEN": '"abc.def"'}, "DISCORD_TOKEN holds spaces, line breaks or quotes"),
        ({"SLACK_BOT_TOKEN": "xapp-1-A1-abc", "SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "xoxb-1-2", "SLACK_APP_TOKEN": "xoxb-1-2"}, "SLACK_APP_TOKEN"),
    ],
)
def test_a_blank_or_malformed_token_is_one_line_before_any_work(
    env: dict[str, str], named: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("DISCORD_TOKEN", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, ["run", "--db", str(tmp_path / "x.db")], env=env)
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and named in lines[0], lines
    for value in env.values():
        if value.strip():
            assert value not in result.output
    assert list(tmp_path.iterdir()) == []  # no database, no model: nothing was done


async def test_keep_trying_backs_off_then_connects(caplog: pytest.LogCaptureFixture) -> None:
    delays: list[float] = []
    attempts = 0

    async def sleep(seconds: float) -> None:
        delays.append(seconds)

    async def attempt() -> None:
        nonlocal attempts
        attempts += 1
        if attempts < 12:
            raise ConnectionRefusedError(111, f"refused, token s3cr3t-token attempt {attempts}")

    with caplog.at_level(logging.WARNING, logger="ideabot.run"):
        await keep_trying(
            "Discord",
            attempt,
            refused=lambda exc: None,
            transient=lambda exc: isinstance(exc, OSError),
            secrets=["s3cr3t-token"],
            sleep=sleep,
        )
    assert attempts == 12
    assert delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert len(caplog.records) == 11
    for record in caplog.records:
        text = record.getMessage()
        assert "s3cr3t-token" not in text and "***" in text
        assert record.exc_info is None and "\n" not in text


async def test_keep_trying_stops_on_a_refusal_and_raises_the_unexpected() -> None:
    async def sleep(seconds: float) -> None:
        raise AssertionError("a refusal is not waited out")

    async def rejected() -> None:
        raise PermissionError("401")

    with pytest.raises(IdeabotError, match="token refused"):
        await keep_trying(
            "Slack",
            rejected,
            refused=lambda exc: "token refused",
            transient=lambda exc: True,
            sleep=sleep,
        )

    async def bug() -> None:
        raise KeyError("a bug")

    with pytest.raises(KeyError):
        await keep_trying(
            "Slack", bug, refused=lambda exc: None, transient=lambda exc: False, sleep=sleep
        )


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("IDEABOT_", "SLACK_"))}
    env.update({"PYTHONPATH": str(ROOT), "IDEABOT_DB": str(tmp_path / "run.db"), **extra})
    return env


async def test_a_rejected_token_stops_the_run_in_one_line(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    wrong = "not-the-" + TOKEN
    env = _env(
        tmp_path,
        DISCORD_TOKEN=wrong,
        DISCORD_API_BASE=fake.api_base,
        DISCORD_GATEWAY_URL=fake.gateway_url,
    )
    process = await asyncio.create_subprocess_exec(
        *RUN, env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=300)
    text = err.decode()
    assert process.returncode == 1, text
    assert "Traceback" not in text and wrong not in text
    assert text.strip().splitlines()[-1].startswith("error: Discord refused DISCORD_TOKEN")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_an_unreachable_api_is_retried_and_sigterm_stops_the_run(tmp_path: Path) -> None:
    port = _closed_port()  # nothing listens there any more: connections are refused
    env = _env(
        tmp_path,
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10",
        DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}/",
    )
    process = await asyncio.create_subprocess_exec(
        *RUN, env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    assert process.stderr is not None
    seen: list[str] = []
    try:
        while sum("trying again" in line for line in seen) < 2:
            line = await asyncio.wait_for(process.stderr.readline(), timeout=300)
            assert line, "the run ended: " + "".join(seen)
            seen.append(line.decode())
    finally:
        process.send_signal(signal.SIGTERM)
        rest, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    text = "".join(seen) + rest.decode()
    retries = [line for line in seen if "trying again" in line]
    assert "attempt 1 failed, trying again in 1 s" in retries[0]
    assert "attempt 2 failed, trying again in 2 s" in retries[1]
    assert "Traceback" not in text and TOKEN not in text
    assert process.returncode == 0, text

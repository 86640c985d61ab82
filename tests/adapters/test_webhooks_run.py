"""The real `ideabot run`, with no platform token, delivering webhooks to a receiver on
127.0.0.1 that checks each signature: a change from the shell while it runs, and one
made after it was SIGKILLed, delivered after the restart, once per delivery id."""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from bot.app import build_app
from bot.settings import Settings
from bot.webhooks import SIGNATURE_HEADER
from tests.adapters.process import BotProcess
from tests.adapters.test_webhooks import readme_verify
from tests.conftest import FakeClock, draft
from tests.fakes.embedder import TestEmbedder

CLI = [sys.executable, "-c", "from bot.cli import main; main()"]
ENV: dict[str, str | None] = {
    "IDEABOT_WEBHOOK_ALLOW_PRIVATE": "1",
    "IDEABOT_LOG_LEVEL": "INFO",
    "DISCORD_TOKEN": None,
    "SLACK_BOT_TOKEN": None,
    "SLACK_APP_TOKEN": None,
}
SECRET = re.compile(r"signing secret \(shown once; keep it with the receiver\): (\S+)")


class Receiver:
    def __init__(self) -> None:
        self.secret = ""
        self.got: list[dict[str, Any]] = []
        self.bad = 0
        self.arrived = asyncio.Condition()

    async def handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        if not readme_verify()(self.secret, request.headers.get(SIGNATURE_HEADER, ""), raw):
            self.bad += 1
            return web.Response(status=400)
        async with self.arrived:
            self.got.append(json.loads(raw))
            self.arrived.notify_all()
        return web.Response(status=200)

    async def until(self, count: int) -> None:
        async with asyncio.timeout(120), self.arrived:
            await self.arrived.wait_for(lambda: len(self.got) >= count)


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[Receiver, str]]:
    found = Receiver()
    server = web.Application()
    server.router.add_post("/hook", found.handle)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    yield found, f"http://127.0.0.1:{runner.addresses[0][1]}/hook"
    await runner.cleanup()


async def shell(db: Path, *args: str) -> str:
    process = await asyncio.create_subprocess_exec(
        *CLI,
        *args,
        "--db",
        str(db),
        env=BotProcess(ENV, db.parent).env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0, out.decode()
    return out.decode()


async def test_run_without_tokens_delivers_webhooks_also_after_sigkill(
    tmp_path: Path, receiver: tuple[Receiver, str]
) -> None:
    hook, url = receiver
    db = tmp_path / "run.db"
    app = await build_app(
        Settings(db=db),
        embedder=TestEmbedder(),
        clock=FakeClock(datetime(2026, 11, 2, 9, tzinfo=UTC)),
    )
    try:
        await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    finally:
        await app.close()
    found = SECRET.search(
        await shell(db, "webhooks", "add", url, "--events", "idea.status_changed")
    )
    assert found
    hook.secret = found.group(1)

    bot = await BotProcess({**ENV, "IDEABOT_DB": str(db)}, tmp_path).start()
    try:
        await bot.wait_for_line(re.compile(r"ideabot run: webhooks"))
        await shell(db, "idea", "status", "1", "planned", "--note", "March")
        await hook.until(1)
        # Marked done (logged after the mark), then SIGKILL: nothing is in flight.
        await bot.wait_for_line(re.compile(r"outbox: delivered \d+ to webhook:1"))
        await bot.kill()
        await shell(db, "idea", "status", "1", "done")
        bot = await BotProcess({**ENV, "IDEABOT_DB": str(db)}, tmp_path).start()
        await hook.until(2)
        await shell(db, "idea", "status", "1", "declined")
        await hook.until(3)
        # Both marked done by the second process before it is stopped.
        await bot.wait_for_line(re.compile(r"outbox: delivered \d+ to webhook:1"), count=2)
    finally:
        await bot.stop()
    assert hook.bad == 0
    assert [(b["event"], b["data"]["to"]) for b in hook.got] == [
        ("idea.status_changed", "planned"),
        ("idea.status_changed", "done"),
        ("idea.status_changed", "declined"),
    ]
    assert len({b["id"] for b in hook.got}) == 3
    listed = json.loads(await shell(db, "webhooks", "deliveries", "--format", "json"))
    assert [d["state"] for d in listed] == ["delivered"] * 3


async def test_run_without_tokens_or_webhooks_is_one_line(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        *CLI,
        "run",
        env=BotProcess({**ENV, "IDEABOT_DB": str(tmp_path / "none.db")}, tmp_path).env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await process.communicate()
    lines = out.decode().strip().splitlines()
    assert process.returncode == 1
    assert len(lines) == 1 and lines[0].startswith("error: no platform token set"), lines
    assert not (tmp_path / "none.db").exists()

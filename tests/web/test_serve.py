"""`ideabot serve` as a user runs it: a subprocess on a real database, printing the address
it listens on; read-only (the file is unchanged); one line for every bad start."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import sys
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_app
from bot.settings import Settings
from tests.adapters.process import BotProcess
from tests.adapters.slack.running import free_port
from tests.conftest import FakeClock, draft
from tests.engines import snapshot
from tests.fakes.embedder import TestEmbedder
from tests.web.conftest import Boards, seed

SERVE = [sys.executable, "-c", "from bot.cli import main; main()", "serve"]
LISTENING = re.compile(r"ideabot web board on (http://127\.0\.0\.1:\d+/)")


async def test_serve_prints_its_address_and_serves_the_board(boards: Boards, tmp_path: Path):
    db = boards.app.core.store.location
    before = snapshot(boards.app)
    process = BotProcess({}, tmp_path, [*SERVE, "--db", str(db), "--port", "0"])
    await process.start()
    try:
        address = (await process.wait_for_line(LISTENING))[1]
        async with aiohttp.ClientSession() as http:
            async with http.get(address) as index:
                assert index.status == 200
                assert f"/b/{boards.public}" in await index.text()
            async with http.get(f"{address}api/v1/boards/{boards.public}/ideas") as api:
                assert [i["number"] for i in (await api.json())["ideas"]][:2] == [1, 2]
            async with http.get(f"{address}b/{boards.private}") as hidden:
                assert hidden.status == 404
    finally:
        await process.stop()
    assert "stopped" in process.tail()
    assert snapshot(boards.app) == before


async def run_serve(*args: str, cwd: Path) -> tuple[int, str, str]:
    child = await asyncio.create_subprocess_exec(
        *SERVE,
        *args,
        cwd=cwd,
        env=os.environ.copy(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await child.communicate()
    return child.returncode or 0, out.decode(), err.decode()


async def test_bad_starts_say_one_line(sqlite_boards: Boards, tmp_path: Path):
    missing = tmp_path / "missing.db"
    code, out, err = await run_serve("--db", str(missing), cwd=tmp_path)
    assert code == 1 and out == "" and err.count("\n") == 1 and err.startswith("error:")
    assert not missing.exists()
    code, _, err = await run_serve("--port", "70000", cwd=tmp_path)
    assert code != 0 and err.count("\n") == 1 and "70000" in err
    # A port another server holds.
    port = free_port()
    holder = await asyncio.start_server(lambda r, w: None, "127.0.0.1", port)
    try:
        db = str(sqlite_boards.app.core.store.db.path)
        code, _, err = await run_serve("--db", db, "--port", str(port), cwd=tmp_path)
    finally:
        holder.close()
        await holder.wait_closed()
    assert code == 1 and err.count("\n") == 1 and f"cannot listen on 127.0.0.1:{port}" in err


async def test_serve_sees_what_another_process_stores_meanwhile(tmp_path: Path):
    """Started on a database no process has open (no -wal file), then a bot writes."""
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    db = tmp_path / "live.db"
    app = await build_app(Settings(db=db), embedder=TestEmbedder(), clock=clock)
    board = (await seed(app, clock)).public
    await app.close()
    assert not Path(f"{db}-wal").exists()
    process = BotProcess({}, tmp_path, [*SERVE, "--db", str(db), "--port", "0"])
    await process.start()
    try:
        address = (await process.wait_for_line(LISTENING))[1]
        url = f"{address}api/v1/boards/{board}/ideas?view=new"
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as before:
                assert (await before.json())["ideas"][0]["number"] == 7
            bot = await build_app(Settings(db=db), embedder=TestEmbedder(), clock=clock)
            try:
                await bot.ideas.submit(draft("Arrived while serving", "late", at=clock.now))
            finally:
                await bot.close()
            async with http.get(url) as after:
                assert (await after.json())["ideas"][0]["title"] == "Arrived while serving"
    finally:
        await process.stop()


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["sigterm", "ctrl-c"])
async def test_an_idle_board_stops_on_sigterm_and_ctrl_c(tmp_path: Path, stop: int) -> None:
    """Once nothing is left to do, the loop sleeps in its poll: a stop signal must still
    wake it (on uvloop a Python-level handler never ran, and SIGTERM was ignored)."""
    clock = FakeClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    db = tmp_path / "idle.db"
    app = await build_app(Settings(db=db), embedder=TestEmbedder(), clock=clock)
    board = (await seed(app, clock)).public
    await app.close()
    process = BotProcess({}, tmp_path, [*SERVE, "--db", str(db), "--port", "0"])
    await process.start()
    address = (await process.wait_for_line(LISTENING))[1]
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=8)) as http:
        for n in range(3):  # another process writes; the board reads it
            with closing(sqlite3.connect(db)) as conn, conn:
                conn.execute(
                    "INSERT INTO members (platform, user_id, name) VALUES ('slack', ?, 'late')",
                    [f"late-{n}"],
                )
            async with http.get(f"{address}b/{board}") as page:
                assert page.status == 200
        # A search by meaning waits for the model, whose warm-up went first on the same
        # thread: after it nothing is left to wake the loop but the signal.
        async with http.get(f"{address}b/{board}", params={"q": "dark theme"}) as found:
            assert found.status == 200

        async def style() -> int:
            async with http.get(f"{address}static/board.css") as sheet:
                await sheet.read()
                return sheet.status

        assert await asyncio.gather(*(style() for _ in range(20))) == [200] * 20
    # A generous wait: the signal is handled at once; only a missed one waits this long.
    assert await process.stopped_by(stop, within=60) == 0, process.tail()
    assert "stopped" in process.tail()

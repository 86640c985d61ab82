"""The real `ideabot run` in a subprocess, and the board as `ideabot ideas` shows it.

Black box on purpose: the tests and benchmarks that use this know the command line, the
environment variables and the log lines, nothing of the code behind them, so they hold
whatever the production code looks like inside."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

RUN = [sys.executable, "-c", "from bot.cli import main; main()", "run"]
IDEAS = [sys.executable, "-c", "from bot.cli import main; main()", "ideas"]
# Logged at INFO by logger `bot.reconcile` at the end of each reconciliation pass.
RECONCILED = re.compile(r"reconciled (\w+) (\S+): (\d+) ideas")


class BotProcess:
    """One `ideabot run`: its output is collected line by line while it runs."""

    def __init__(
        self, env: Mapping[str, str | None], cwd: Path, command: Sequence[str] = RUN
    ) -> None:
        """``env`` on top of this process's environment; a None value removes the variable
        (say DISCORD_TOKEN, so that a Slack test never reaches for Discord). ``command``:
        `ideabot run` unless another server is compared with it (a benchmark's baseline)."""
        self.command = list(command)
        merged = {**os.environ, **env}
        self.env = {k: v for k, v in merged.items() if v is not None}
        self.cwd = cwd
        self.lines: list[str] = []
        self._process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()

    async def start(self) -> BotProcess:
        self._process = await asyncio.create_subprocess_exec(
            *self.command,
            env=self.env,
            cwd=self.cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
        )
        self._reader = asyncio.create_task(self._read())
        return self

    async def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        while raw := await self._process.stdout.readline():
            self.lines.append(raw.decode(errors="replace"))
            self._poke()
        self._poke()

    def _poke(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int:
        assert self._process is not None
        return self._process.pid

    def tail(self, n: int = 40) -> str:
        return "".join(self.lines[-n:])

    def matches(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        return [m for line in self.lines if (m := pattern.search(line))]

    async def wait_for_line(
        self, pattern: re.Pattern[str], *, count: int = 1, timeout: float = 120.0
    ) -> re.Match[str]:
        """The ``count``-th line matching ``pattern``; fails with the log tail if the process
        stops first or the time runs out."""
        async with asyncio.timeout(timeout):
            while True:
                found = self.matches(pattern)
                if len(found) >= count:
                    return found[count - 1]
                if self._reader is not None and self._reader.done():
                    raise AssertionError(
                        f"ideabot run stopped before logging {pattern.pattern!r}:\n{self.tail()}"
                    )
                await self._changed.wait()

    async def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed, as in a crash or an OOM kill."""
        assert self._process is not None
        self._process.send_signal(signal.SIGKILL)
        await self._finish()

    async def stop(self) -> None:
        """Ctrl-C, then wait for it to end (killed if it takes more than 30 s)."""
        if self._process is None or self._process.returncode is not None:
            await self._finish()
            return
        self._process.send_signal(signal.SIGINT)
        try:
            await asyncio.wait_for(self._process.wait(), 30)
        except TimeoutError:
            self._process.kill()
        await self._finish()

    async def stopped_by(self, number: int, *, within: float = 60.0) -> int | None:
        """Send signal ``number``; the exit code, or None when the process had not ended
        ``within`` seconds later (it is then killed)."""
        assert self._process is not None
        self._process.send_signal(number)
        try:
            await asyncio.wait_for(self._process.wait(), within)
        except TimeoutError:
            self._process.kill()
            await self._finish()
            return None
        await self._finish()
        return self._process.returncode

    async def _finish(self) -> None:
        assert self._process is not None
        await self._process.wait()
        if self._reader is not None:
            await self._reader


async def board_votes(
    db: Path | str, env: Mapping[str, str] | None = None, *, board: str | None = None
) -> dict[int, int]:
    """Votes of every idea (number -> votes) as `ideabot ideas --format json` prints them
    (of ``board``, when the database has several); empty while the database (a file, or a
    PostgreSQL URL) does not exist yet."""
    if isinstance(db, Path) and not db.exists():
        return {}
    process = await asyncio.create_subprocess_exec(
        *IDEAS,
        "--db",
        str(db),
        "--format",
        "json",
        *(() if board is None else ("--board", board)),
        env={**os.environ, **(env or {})},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        if b"no board" in err.lower() or b"no database" in err.lower():
            return {}
        raise AssertionError(f"ideabot ideas failed: {err.decode(errors='replace')}")
    return {int(row["number"]): int(row["votes"]) for row in json.loads(out)}


async def await_votes(
    db: Path | str,
    expected: Callable[[], dict[int, int]],
    *,
    bot: BotProcess | None = None,
    timeout: float = 150.0,
    interval: float = 2.0,
    diagnose: Callable[[], str] | None = None,
    board: str | None = None,
) -> dict[int, int]:
    """Wait until the stored votes of the ideas in ``expected()`` (what the platform shows,
    re-read on every check; of ``board`` when the database has several) equal it exactly;
    return them. On timeout the assertion names every idea that differs, with
    ``diagnose()`` (say the platform's 429s) and the bot's log tail. ``interval`` only paces
    the re-reads (each is a process start); the condition itself is what is awaited."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        want = expected()
        stored = await board_votes(db, board=board)
        got = {number: stored.get(number, 0) for number in want}
        if got == want:
            return got
        if loop.time() >= deadline or (bot is not None and not bot.running):
            differ = {
                n: f"stored {got[n]}, platform shows {want[n]}" for n in want if got[n] != want[n]
            }
            log = "" if bot is None else "\n--- ideabot run, last lines ---\n" + bot.tail()
            state = "timed out" if bot is None or bot.running else "ideabot run stopped"
            extra = "" if diagnose is None else f"\n{diagnose()}"
            raise AssertionError(f"votes differ ({state} after {timeout}s): {differ}{extra}{log}")
        await asyncio.sleep(interval)

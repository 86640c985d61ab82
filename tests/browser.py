"""Headless Chromium driven over the Chrome DevTools Protocol, for tests that look at a page.

Only the system's Chromium and aiohttp: no browser download, no driver package. Chromium
is started with ``--remote-debugging-port=0``; it writes the port it chose and the browser's
websocket path to ``DevToolsActivePort`` in its profile folder, and every command goes over
that one websocket, to pages through flattened target sessions.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

INSTALL_HINT = (
    "Chromium is not installed, and the HTML digest test needs it: run `make browser`"
    " (as root it installs Debian's package: apt-get install chromium), or install Chromium"
    " so that `chromium` or `chromium-browser` is on PATH."
)
# Headless and quiet: no GPU, no sandbox (tests run as root), and no background traffic,
# which this machine's closed network would refuse many times over.
HEADLESS_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--remote-debugging-port=0",
)
# Hang guards only: Chromium on a busy 2-core machine may take many seconds to start.
START_TIMEOUT_S = 120.0
COMMAND_TIMEOUT_S = 120.0


class BrowserError(Exception):
    """Chromium is missing, did not start, or refused a command."""


def chromium_path() -> str:
    """The Chromium executable on PATH; BrowserError saying how to install it otherwise."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    raise BrowserError(INSTALL_HINT)


async def wait_for_port_file(
    path: Path, process: asyncio.subprocess.Process, *, timeout: float = START_TIMEOUT_S
) -> tuple[int, str]:
    """The port and websocket path from ``DevToolsActivePort`` once Chromium has written it.

    Polls for the file (there is no event to await for a file another process writes),
    bounded by ``timeout`` and cut short if Chromium exits.
    """
    async with asyncio.timeout(timeout):
        while True:
            if process.returncode is not None:
                raise BrowserError(f"Chromium exited with status {process.returncode}")
            with suppress(FileNotFoundError):
                lines = path.read_text(encoding="utf-8").splitlines()
                if len(lines) >= 2 and lines[0].isdigit():
                    return int(lines[0]), lines[1]
            await asyncio.sleep(0.05)


class Cdp:
    """One DevTools websocket: commands matched to replies by id, events to waiters."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self._ws = ws
        self._next_id = 0
        self._replies: dict[int, asyncio.Future[dict[str, Any]]] = {}
        self._waiters: list[tuple[str, str | None, asyncio.Future[dict[str, Any]]]] = []

    async def read(self) -> None:
        """Dispatch incoming messages until the socket closes."""
        try:
            async for message in self._ws:
                if message.type is not aiohttp.WSMsgType.TEXT:
                    continue
                data = json.loads(message.data)
                if "id" in data:
                    reply = self._replies.pop(data["id"], None)
                    if reply is None or reply.done():
                        continue
                    if "error" in data:
                        reply.set_exception(BrowserError(f"DevTools error: {data['error']}"))
                    else:
                        reply.set_result(data.get("result", {}))
                    continue
                for waiter in list(self._waiters):
                    method, session, future = waiter
                    if method == data.get("method") and session == data.get("sessionId"):
                        self._waiters.remove(waiter)
                        if not future.done():
                            future.set_result(data.get("params", {}))
        finally:
            gone = BrowserError("the DevTools connection closed")
            for future in [*self._replies.values(), *(w[2] for w in self._waiters)]:
                if not future.done():
                    future.set_exception(gone)

    async def send(
        self, method: str, params: dict[str, Any] | None = None, *, session: str | None = None
    ) -> dict[str, Any]:
        """Run one command and return its result."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        reply = asyncio.get_running_loop().create_future()
        self._replies[self._next_id] = reply
        await self._ws.send_str(json.dumps(message))
        async with asyncio.timeout(COMMAND_TIMEOUT_S):
            result: dict[str, Any] = await reply
            return result

    def expect(self, method: str, *, session: str | None = None) -> asyncio.Future[dict[str, Any]]:
        """A future for the next ``method`` event; create it before causing the event."""
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiters.append((method, session, future))
        return future


@dataclass
class Page:
    """One tab."""

    cdp: Cdp
    session: str

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        return await self.cdp.send(method, params, session=self.session)

    async def emulate(self, *, width: int, height: int, color_scheme: str = "light") -> None:
        """A viewport of ``width`` x ``height`` CSS pixels and a preferred color scheme."""
        await self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        await self.send(
            "Emulation.setEmulatedMedia",
            features=[{"name": "prefers-color-scheme", "value": color_scheme}],
        )

    async def goto(self, url: str) -> None:
        """Navigate and return once the page's load event has fired."""
        loaded = self.cdp.expect("Page.loadEventFired", session=self.session)
        result = await self.send("Page.navigate", url=url)
        if result.get("errorText"):
            raise BrowserError(f"cannot open {url}: {result['errorText']}")
        async with asyncio.timeout(COMMAND_TIMEOUT_S):
            await loaded

    async def evaluate(self, expression: str) -> Any:
        """The JSON value of a JavaScript expression evaluated in the page."""
        result = await self.send(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise BrowserError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def screenshot(self, path: Path) -> None:
        """The whole page, not only the viewport, as a PNG file."""
        size = (await self.send("Page.getLayoutMetrics"))["cssContentSize"]
        shot = await self.send(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1},
        )
        path.write_bytes(base64.b64decode(shot["data"]))


@dataclass
class Browser:
    cdp: Cdp

    async def new_page(self) -> Page:
        target = await self.cdp.send("Target.createTarget", {"url": "about:blank"})
        attached = await self.cdp.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": True}
        )
        page = Page(cdp=self.cdp, session=attached["sessionId"])
        await page.send("Page.enable")
        return page


@asynccontextmanager
async def chromium(workdir: Path) -> AsyncIterator[Browser]:
    """Headless Chromium with a fresh profile in ``workdir``; stopped (for sure) on exit."""
    executable = chromium_path()
    profile = workdir / "profile"
    profile.mkdir(parents=True)
    log_path = workdir / "chromium.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            executable,
            *HEADLESS_FLAGS,
            f"--user-data-dir={profile}",
            "about:blank",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # its own process group, so its helpers go with it
        )
        try:
            try:
                port, ws_path = await wait_for_port_file(profile / "DevToolsActivePort", process)
            except (BrowserError, TimeoutError) as exc:
                tail = log_path.read_text(encoding="utf-8", errors="replace")[-2000:]
                raise BrowserError(f"Chromium did not start ({exc!r}); its log:\n{tail}") from None
            async with (
                aiohttp.ClientSession() as http,
                http.ws_connect(f"ws://127.0.0.1:{port}{ws_path}", max_msg_size=0) as ws,
            ):
                cdp = Cdp(ws)
                reader = asyncio.create_task(cdp.read())
                try:
                    yield Browser(cdp=cdp)
                finally:
                    with suppress(BrowserError, TimeoutError):
                        await cdp.send("Browser.close")
                    reader.cancel()
                    with suppress(asyncio.CancelledError):
                        await reader
        finally:
            await _stop(process)


async def _stop(process: asyncio.subprocess.Process) -> None:
    """End the Chromium we started and whatever is left of its process group."""
    if process.returncode is None:
        process.terminate()
        try:
            async with asyncio.timeout(10):
                await process.wait()
        except TimeoutError:
            pass
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    await process.wait()

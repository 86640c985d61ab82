"""The ack baseline's server: a bare bolt AsyncApp whose reaction listeners do nothing,
served over HTTP on 127.0.0.1 like `ideabot run` in HTTP mode (its own process).

    python -m bench.bare_bolt PORT   (SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET, SLACK_API_URL)
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys

from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient


def build() -> AsyncApp:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    app = AsyncApp(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])

    @app.event("reaction_added")
    async def added() -> None:
        return None

    @app.event("reaction_removed")
    async def removed() -> None:
        return None

    return app


async def serve(port: int) -> None:
    runner = web.AppRunner(build().web_app(path="/slack/events"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    print(f"listening on 127.0.0.1:{port}", flush=True)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(int(sys.argv[1])))

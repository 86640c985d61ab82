"""`ideabot run` against the fake Slack, in Socket Mode or HTTP mode, driven as a workspace
admin and members would: start it, make channels idea channels with `/ideabot`, post ideas,
and deliver what Slack sends (each delivery returns once the app acknowledged it)."""

from __future__ import annotations

import asyncio
import re
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.adapters.process import BotProcess
from tests.fakes.slack import FakeChannel, FakeMessage, FakeSlack, FakeUser

VOTE = "+1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class SlackBot:
    """One `ideabot run` on Slack, and the way Slack reaches it: envelopes on its socket
    (acked) or signed POSTs to its port (answered 200)."""

    def __init__(self, slack: FakeSlack, db: Path | str, cwd: Path, *, http: bool) -> None:
        self.slack = slack
        self.port = free_port() if http else None
        env: dict[str, str | None] = {
            "SLACK_BOT_TOKEN": slack.bot_token,
            "SLACK_API_URL": slack.api_url,
            "IDEABOT_DB": str(db),
            "IDEABOT_LOG_LEVEL": "INFO",
            "DISCORD_TOKEN": None,
            "SLACK_APP_TOKEN": None if http else slack.app_token,
            "SLACK_SIGNING_SECRET": slack.signing_secret if http else None,
            "SLACK_PORT": str(self.port) if http else None,
        }
        self.process = BotProcess(env, cwd)
        self._session: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/slack/events"

    async def start(self) -> SlackBot:
        """Start it and return once Slack can reach it (socket open, or port answering)."""
        connections = len(self.slack.connections)
        await self.process.start()
        if self.port is None:
            await self.slack.wait_for(
                lambda: (
                    (len(self.slack.socket.open) > 0 and len(self.slack.connections) > connections)
                    or not self.process.running
                ),
                120,
                "ideabot run to open its Socket Mode connection",
            )
        else:
            self._session = aiohttp.ClientSession()
            await self._until_listening()
        assert self.process.running, f"ideabot run stopped:\n{self.process.tail()}"
        return self

    async def _until_listening(self) -> None:
        probe = {"type": "url_verification", "token": "x", "challenge": "ready"}
        raw, headers = self.slack.encode(probe)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 120
        while self.process.running:
            try:
                assert self._session is not None
                async with self._session.post(self.url, data=raw, headers=headers):
                    return  # any answer: it listens
            except aiohttp.ClientConnectionError:
                if loop.time() > deadline:
                    raise AssertionError(f"port never answered:\n{self.process.tail()}") from None
                await asyncio.sleep(0.2)  # paces the probe; the condition is the answer

    async def deliver(self, body: dict[str, Any]) -> None:
        """What Slack sends for ``body``; returns once acknowledged (ack / HTTP 200)."""
        if self.port is None:
            await self.slack.socket_send(None, body, timeout=120)
            return
        raw, headers = self.slack.encode(body)
        assert self._session is not None
        async with self._session.post(self.url, data=raw, headers=headers) as response:
            text = await response.text()
            assert response.status == 200, f"HTTP {response.status}: {text}"

    async def deliver_all(self, bodies: Sequence[dict[str, Any]], concurrency: int = 32) -> None:
        """A storm: all delivered concurrently; returns after the last acknowledgement."""
        gate = asyncio.Semaphore(concurrency)

        async def one(body: dict[str, Any]) -> None:
            async with gate:
                await self.deliver(body)

        await asyncio.gather(*(one(b) for b in bodies))

    async def kill(self) -> None:
        await self.process.kill()
        await self._close()

    async def stop(self) -> None:
        await self.process.stop()
        await self._close()

    async def _close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None


async def make_idea_channel(bot: SlackBot, admin: FakeUser, channel: FakeChannel) -> None:
    slack = bot.slack
    answered = len(slack.ephemerals(admin)) + len(slack.response_posts)
    await bot.deliver(slack.slash_command_body("/ideabot", "config channel ideas", admin, channel))
    await slack.wait_for(
        lambda: len(slack.ephemerals(admin)) + len(slack.response_posts) > answered,
        120,
        "the answer to /ideabot config channel ideas",
    )


@dataclass
class Idea:
    """An idea as members see it: their message, and the bot's reply in its thread."""

    number: int
    message: FakeMessage
    reply: FakeMessage
    bot_user_id: str

    def voters(self) -> set[str]:
        people = {*self.message.reactions.get(VOTE, []), *self.reply.reactions.get(VOTE, [])}
        return people - {self.bot_user_id}


async def post_idea(bot: SlackBot, channel: FakeChannel, author: FakeUser, text: str) -> Idea:
    slack = bot.slack
    message, body = slack.post(channel, author, text)
    await bot.deliver(body)

    def answered() -> FakeMessage | None:
        mine = [m for m in slack.replies(message) if m.user.id == slack.bot_user_id]
        return mine[0] if mine else None

    reply = await slack.wait_for(answered, 120, f"the bot's reply to {text!r}")
    assert reply is not None  # wait_for returns only a truthy value
    found = re.search(r"#(\d+)", reply.text)
    assert found, f"no idea number in the bot's reply: {reply.text!r}"
    return Idea(int(found.group(1)), message, reply, slack.bot_user_id)


def throttled(slack: FakeSlack) -> str:
    """The calls Slack's tiers refused, by method: a bot that calls a method per event is
    slowed down to its tier's budget (users.info: 100 a minute)."""
    refused: dict[str, int] = {}
    for call in slack.calls:
        if call.status == 429:
            refused[call.method] = refused.get(call.method, 0) + 1
    return f"Slack answered 429 (tier budget exceeded) to: {refused or 'nothing'}"


def shown(*ideas: Idea) -> dict[int, int]:
    """Votes per idea number as Slack shows them right now."""
    return {idea.number: len(idea.voters()) for idea in ideas}

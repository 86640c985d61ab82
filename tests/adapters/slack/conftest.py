"""A Slack workspace (the fake Web API) and ideabot's bolt app on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp

from adapters.slack.app import build_slack_app, web_client
from adapters.slack.handlers import SlackHandlers
from bot.app import App
from tests.conftest import FakeClock
from tests.fakes.slack import FakeChannel, FakeSlack, FakeUser


@pytest.fixture
async def slack(clock: FakeClock) -> AsyncIterator[FakeSlack]:
    # Messages are dated by the tests' clock, as a live workspace's are by the real one.
    async with FakeSlack(clock=clock) as server:
        yield server
        assert server.unhandled == []


@dataclass
class Workspace:
    slack: FakeSlack
    bolt: AsyncApp
    handlers: SlackHandlers
    ideas: FakeChannel
    general: FakeChannel
    admin: FakeUser
    alice: FakeUser
    bob: FakeUser
    carol: FakeUser

    async def send(self, body: Any, headers: dict[str, str] | None = None) -> Any:
        """Deliver a body to the app as Slack would (signed); the app's response."""
        return await self.slack.dispatch(self.bolt, body, headers)

    async def command(
        self, name: str, text: str, user: FakeUser, channel: FakeChannel | None = None
    ) -> str:
        """Run a slash command; the private answer the user got."""
        body = self.slack.slash_command_body(name, text, user, channel or self.general)
        response = await self.send(body)
        assert response.status == 200, response.body
        return self.slack.ephemerals(user)[-1].text


@pytest.fixture
async def workspace(slack: FakeSlack, app: App) -> Workspace:
    client = web_client(slack.bot_token, slack.api_url)
    bolt, handlers = build_slack_app(
        app,
        client,
        signing_secret=slack.signing_secret,
        process_before_response=True,
    )
    handlers.bot_user_id = slack.bot_user_id
    space = Workspace(
        slack=slack,
        bolt=bolt,
        handlers=handlers,
        ideas=slack.add_channel("ideas"),
        general=slack.add_channel("general"),
        admin=slack.add_user("ana", admin=True),
        alice=slack.add_user("alice"),
        bob=slack.add_user("bob"),
        carol=slack.add_user("carol"),
    )
    answer = await space.command("/ideabot", "config channel ideas", space.admin, space.ideas)
    assert "is now an ideas channel" in answer
    return space

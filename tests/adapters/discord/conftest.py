"""A Discord server with people in it, and ideabot connected to it through the real client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import discord
import pytest

from adapters.discord.bot import IdeaBot
from bot.app import App
from bot.channels import Channels
from bot.domain import Actor, Person, Where
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeGuild, FakeMember, FakeRole, running

TOKEN = "ideabot-test-token"


@dataclass
class World:
    fake: FakeDiscord
    guild: FakeGuild
    ideas: FakeChannel
    general: FakeChannel
    mods: FakeRole
    maya: FakeMember  # a moderator by role
    owner: FakeMember  # Manage Server through ownership
    alice: FakeMember
    bob: FakeMember
    carol: FakeMember
    dan: FakeMember

    def where(self, channel: FakeChannel | None = None) -> Where:
        return Where(
            platform="discord",
            workspace_id=str(self.guild.id),
            channel_id=None if channel is None else str(channel.id),
        )


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as server:
        yield server
        assert server.unhandled == []


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    guild = fake.add_guild("Trailmix")
    mods = guild.add_role("Idea mods")
    # As a server admin does in Integrations: the mods role may use /ideabot.
    fake.allow_command(guild, "ideabot", mods)
    return World(
        fake=fake,
        guild=guild,
        ideas=guild.add_channel("ideas"),
        general=guild.add_channel("general"),
        mods=mods,
        maya=guild.add_member("maya", roles=[mods]),
        owner=guild.owner,
        alice=guild.add_member("alice"),
        bob=guild.add_member("bob"),
        carol=guild.add_member("carol"),
        dan=guild.add_member("dan"),
    )


async def configure(app: App, world: World) -> None:
    """#ideas is an idea channel and "Idea mods" a moderator role, set as a moderator would."""
    channels = Channels(app.core)
    owner = Actor(
        person=Person(platform="discord", user_id=str(world.owner.id), name="owner"),
        is_moderator=True,
    )
    await channels.set_channel(world.where(world.ideas), owner, "ideas", True)
    await app.moderation.configure(world.where(), owner, "moderator_roles", str(world.mods.id))


def handled(client: discord.Client, kind: str, by: int | None = None) -> asyncio.Future[Any]:
    """A future of the next ``kind`` event the bot handles (from user ``by``, if given).

    Register it before acting: the bot also handles its own messages and reactions.
    """

    def check(k: str, _result: Any, subject: Any) -> bool:
        if k != kind:
            return False
        if by is None:
            return True
        author = getattr(subject, "author", None)
        user_id = author.id if author is not None else getattr(subject, "user_id", None)
        return user_id == by

    return asyncio.ensure_future(client.wait_for("ideabot_handled", check=check, timeout=120))


async def outcome(future: asyncio.Future[Any]) -> Any:
    _kind, result, _subject = await future
    return result


@asynccontextmanager
async def connected(fake: FakeDiscord, app: App) -> AsyncIterator[IdeaBot]:
    """ideabot logged in, connected, and done with its catch-up."""
    client = IdeaBot(app, guild_ready_timeout=0.01)
    async with running(fake, client, token=TOKEN):
        await fake.wait_for(client.caught_up.is_set, what="ideabot's catch-up after ready")
        yield client


@pytest.fixture
async def bot(fake: FakeDiscord, world: World, app: App) -> AsyncIterator[IdeaBot]:
    await configure(app, world)
    async with connected(fake, app) as client:
        yield client

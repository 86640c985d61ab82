"""A stateful fake of Discord (REST API v10 + gateway) that a real discord.py client talks to.

fake = FakeDiscord(); await fake.start()
guild = fake.add_guild("Trailmix"); ideas = guild.add_channel("ideas")
alice = guild.add_member("alice")
async with running(fake, client):          # patches Route.BASE / DEFAULT_GATEWAY
    msg = await fake.post_message(ideas, alice, "Dark mode please")
    i = await fake.slash(guild, ideas, alice, "ideabot", ["list"])
    await i.responded()
"""

from .harness import patched_discord, record_handler_errors, running
from .interactions import FakeInteraction
from .model import (
    BOT_DEFAULT,
    FakeAttachment,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeMessage,
    FakeRole,
    FakeUser,
)
from .server import FakeDiscord
from .state import RequestRecord
from .validate import DiscordError

__all__ = [
    "BOT_DEFAULT",
    "DiscordError",
    "FakeAttachment",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeInteraction",
    "FakeMember",
    "FakeMessage",
    "FakeRole",
    "FakeUser",
    "RequestRecord",
    "patched_discord",
    "record_handler_errors",
    "running",
]

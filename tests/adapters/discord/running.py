"""`ideabot run` against the fake Discord, driven as an operator and members would: start it,
make channels idea channels with the slash command, post ideas and read the bot's replies."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tests.adapters.discord.conftest import TOKEN, World
from tests.adapters.process import BotProcess
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeMember, FakeMessage

VOTE = "👍"


def run_env(fake: FakeDiscord, db: Path) -> dict[str, str]:
    return {
        "DISCORD_TOKEN": TOKEN,
        "DISCORD_API_BASE": fake.api_base,
        "DISCORD_GATEWAY_URL": fake.gateway_url,
        "IDEABOT_DB": str(db),
        "IDEABOT_LOG_LEVEL": "INFO",
    }


async def start_bot(fake: FakeDiscord, db: Path, cwd: Path) -> BotProcess:
    """`ideabot run` on ``db``, once its gateway session is READY (the model loads first)."""
    await fake.wait_for(lambda: not fake.connected, 120, "the previous session to close")
    bot = await BotProcess(run_env(fake, db), cwd).start()
    try:
        await fake.wait_for(lambda: fake.connected or not bot.running, 120, "the bot to connect")
    except TimeoutError as exc:
        raise AssertionError(f"ideabot run did not connect:\n{bot.tail()}") from exc
    assert bot.running, f"ideabot run stopped:\n{bot.tail()}"
    return bot


async def make_idea_channel(fake: FakeDiscord, world: World, channel: FakeChannel) -> None:
    setup = await fake.slash(
        world.guild, channel, world.owner, "ideabot", ["config", "channel"], {"purpose": "ideas"}
    )
    await setup.responded(timeout=120)


@dataclass
class Idea:
    """An idea as members see it: their message, and the bot's reply in its thread."""

    number: int
    message: FakeMessage
    reply: FakeMessage

    def voters(self) -> set[int]:
        """Everyone the platform shows with a vote: a 👍 on the message or the reply."""
        people = {*self.message.reaction_users(VOTE), *self.reply.reaction_users(VOTE)}
        return {u for u in people if not _is_bot(self.message, u)}


def _is_bot(message: FakeMessage, user_id: int) -> bool:
    member = message.guild.member(user_id)
    return member is not None and member.bot


async def post_idea(fake: FakeDiscord, world: World, channel: FakeChannel, text: str) -> Idea:
    """Alice posts ``text``; the idea once the bot has answered in its thread."""
    return await post_idea_as(fake, world.alice, channel, text)


async def post_idea_as(
    fake: FakeDiscord, author: FakeMember, channel: FakeChannel, text: str
) -> Idea:
    """``author`` posts ``text``; the idea once the bot has answered in its thread."""
    message = await fake.post_message(channel, author, text)

    def answered() -> FakeMessage | None:
        if message.thread is None:
            return None
        replies = [m for m in fake.messages(message.thread) if m.author is fake.bot_user]
        return replies[0] if replies else None

    reply = await fake.wait_for(answered, 120, f"the bot's reply to {text!r}")
    assert reply is not None  # wait_for returns only a truthy value
    found = re.search(r"#(\d+)", reply.content + " ".join(str(e) for e in reply.embeds))
    assert found, f"no idea number in the bot's reply: {reply.content!r}"
    return Idea(int(found.group(1)), message, reply)


def throttled(fake: FakeDiscord) -> str:
    """Requests Discord's rate limits refused, by route."""
    refused: dict[str, int] = {}
    for request in fake.requests:
        if request.status == 429:
            route = f"{request.method} {re.sub(r'[0-9]{15,}', '{id}', request.path)}"
            refused[route] = refused.get(route, 0) + 1
    return f"Discord answered 429 (rate limited) to: {refused or 'nothing'}"


def shown(*ideas: Idea) -> dict[int, int]:
    """Votes per idea number as the platform shows them right now."""
    return {idea.number: len(idea.voters()) for idea in ideas}

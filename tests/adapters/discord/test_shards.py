"""One Discord bot split into two shards, each run by its own app (as two `ideabot run
--shard-count 2 --shard-ids N` processes would) on one PostgreSQL database: each
shard gets the events of its own servers only, and every idea is stored once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack

import pytest

from adapters.discord.bot import ShardedIdeaBot, build_client
from bot.app import App, build_app
from bot.channels import Channels
from bot.domain import Actor, Person, Where
from bot.results import Created, VoteChanged
from bot.settings import Settings
from tests.adapters.discord.conftest import TOKEN, handled, outcome
from tests.conftest import FakeClock
from tests.fakes.discord import FakeChannel, FakeDiscord, FakeGuild, running
from tests.fakes.embedder import TestEmbedder


async def watch_ideas(app: App, guild: FakeGuild) -> FakeChannel:
    owner = Actor(
        person=Person(platform="discord", user_id=str(guild.owner.id), name="owner"),
        is_moderator=True,
    )
    channel = guild.add_channel("ideas")
    where = Where(platform="discord", workspace_id=str(guild.id), channel_id=str(channel.id))
    await Channels(app.core).set_channel(where, owner, "ideas", True)
    return channel


@pytest.fixture
async def apps(postgres_url: str, clock: FakeClock) -> AsyncIterator[list[App]]:
    made = [
        await build_app(Settings(db=postgres_url), embedder=TestEmbedder(), clock=clock)
        for _ in range(2)
    ]
    yield made
    for app in made:
        await app.close()


async def test_two_shards_each_take_their_own_servers_on_one_database(
    fake: FakeDiscord, apps: list[App]
) -> None:
    guilds = [fake.add_guild(f"Server {n}", shard=(n, 2)) for n in range(2)]
    channels = [await watch_ideas(apps[0], guild) for guild in guilds]
    authors = [guild.add_member(f"author{n}") for n, guild in enumerate(guilds)]
    voter = [guild.add_member(f"voter{n}") for n, guild in enumerate(guilds)]
    async with AsyncExitStack() as stack:
        bots = []
        for shard, app in enumerate(apps):
            bot = build_client(app, 2, [shard], guild_ready_timeout=0.01)
            assert isinstance(bot, ShardedIdeaBot)
            await stack.enter_async_context(running(fake, bot, token=TOKEN))
            await fake.wait_for(bot.caught_up.is_set, what=f"shard {shard} caught up")
            bots.append(bot)
        assert [sorted(g.id for g in bot.guilds) for bot in bots] == [[g.id] for g in guilds]
        for shard, bot in enumerate(bots):
            done = handled(bot, "message", authors[shard].id)
            message = await fake.post_message(
                channels[shard], authors[shard], f"Idea from server {shard}"
            )
            created = await outcome(done)
            assert isinstance(created, Created) and created.idea.number == 1
            voted = handled(bot, "reaction_add", voter[shard].id)
            await fake.react(message, voter[shard], "👍")
            assert isinstance(await outcome(voted), VoteChanged)
    for shard, guild in enumerate(guilds):
        # Each server's board, read through the other shard's app: stored once, one vote.
        other = apps[1 - shard]
        board = await other.core.board_for(Where(platform="discord", workspace_id=str(guild.id)))
        [idea] = await other.queries.all(board)
        assert (idea.number, idea.title, idea.votes) == (1, f"Idea from server {shard}", 1)

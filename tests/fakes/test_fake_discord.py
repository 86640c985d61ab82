"""Smoke tests of the Discord fake against a real, minimal discord.py client (no ideabot code)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import discord
import pytest
from discord import app_commands
from discord.gateway import DiscordWebSocket

from tests.fakes.discord import (
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    FakeMember,
    FakeRole,
    running,
)

TOKEN = "test-token"


class VoteView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)

    @discord.ui.button(label="Vote", custom_id="vote:up", style=discord.ButtonStyle.primary)
    async def vote(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.send_message(f"voted by {interaction.user.name}", ephemeral=True)


class Recorder(discord.Client):
    """Records what it receives; answers a few commands like a tiny bot would."""

    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(intents=intents, guild_ready_timeout=0.01)
        self.tree = app_commands.CommandTree(self)
        self.seen: dict[str, list[Any]] = defaultdict(list)
        self._changed = asyncio.Event()
        ideabot = app_commands.Group(name="ideabot", description="Ideas")

        @ideabot.command(name="merge", description="Merge two ideas")
        async def merge(interaction: discord.Interaction, number: int, into: int) -> None:
            can = interaction.permissions.manage_guild
            await interaction.response.send_message(
                f"merged {number} into {into} (moderator: {can})", ephemeral=True
            )

        @app_commands.context_menu(name="Save as idea")
        async def save(interaction: discord.Interaction, message: discord.Message) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.followup.send(f"saved: {message.content}", ephemeral=True)

        self.tree.add_command(ideabot)
        self.tree.add_command(save)

    async def setup_hook(self) -> None:
        self.add_view(VoteView())
        await self.tree.sync()

    def record(self, name: str, item: Any) -> None:
        self.seen[name].append(item)
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait_seen(self, name: str, count: int = 1) -> list[Any]:
        async with asyncio.timeout(120):
            while len(self.seen[name]) < count:
                await self._changed.wait()
        return self.seen[name]

    async def on_message(self, message: discord.Message) -> None:
        if message.author == self.user:
            return
        self.record("message", message)
        if message.content == "reply please":
            await message.reply(
                f"thanks {message.author.mention}", allowed_mentions=discord.AllowedMentions.none()
            )
        elif message.content == "panel":
            await message.channel.send("Vote here", view=VoteView())

    async def on_raw_reaction_add(self, event: discord.RawReactionActionEvent) -> None:
        self.record("reaction_add", event)

    async def on_raw_reaction_remove(self, event: discord.RawReactionActionEvent) -> None:
        self.record("reaction_remove", event)

    async def on_raw_message_edit(self, event: discord.RawMessageUpdateEvent) -> None:
        self.record("edit", event)

    async def on_raw_message_delete(self, event: discord.RawMessageDeleteEvent) -> None:
        self.record("delete", event)


@dataclass
class World:
    guild: FakeGuild
    ideas: FakeChannel
    feedback: FakeChannel
    mods: FakeRole
    alice: FakeMember
    bob: FakeMember
    maya: FakeMember


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as server:
        yield server
        assert server.unhandled == [], "the client used endpoints the fake does not implement"


@pytest.fixture
def world(fake: FakeDiscord) -> World:
    guild = fake.add_guild("Trailmix")
    mods = guild.add_role("Mods", permissions=discord.Permissions(manage_guild=True).value)
    return World(
        guild=guild,
        ideas=guild.add_channel("ideas"),
        feedback=guild.add_channel("feedback", forum=True),
        mods=mods,
        alice=guild.add_member("alice"),
        bob=guild.add_member("bob"),
        maya=guild.add_member("maya", roles=[mods]),
    )


@pytest.fixture
async def bot(fake: FakeDiscord, world: World) -> AsyncIterator[Recorder]:
    client = Recorder()
    async with running(fake, client, token=TOKEN):
        yield client


async def test_connects_ready_with_guild_and_synced_commands(
    fake: FakeDiscord, world: World, bot: Recorder
) -> None:
    assert fake.connected
    assert bot.user is not None and bot.user.id == fake.bot_user.id
    assert bot.application_id == fake.application_id
    guild = bot.get_guild(world.guild.id)
    assert guild is not None and guild.member_count == len(world.guild.members) == 5
    assert guild.me is not None and guild.me.guild_permissions.manage_messages
    assert isinstance(guild.get_channel(world.ideas.id), discord.TextChannel)
    assert isinstance(guild.get_channel(world.feedback.id), discord.ForumChannel)
    assert {c["name"] for c in fake.commands()} == {"ideabot", "Save as idea"}
    assert fake.api_base == discord.http.Route.BASE
    assert fake.unhandled == []


async def test_patching_is_restored_after_the_client_stops(fake: FakeDiscord, world: World) -> None:
    base, gateway = discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    async with running(fake, Recorder(), token=TOKEN):
        assert base != discord.http.Route.BASE
    assert (base, gateway) == (discord.http.Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY)
    await fake.wait_for(lambda: not fake.connected)


async def test_message_content_and_a_reply_that_pings_nobody(
    fake: FakeDiscord, world: World, bot: Recorder
) -> None:
    posted = await fake.post_message(world.ideas, world.alice, "reply please")
    (seen,) = await bot.wait_seen("message")
    assert seen.content == "reply please" and seen.author.id == world.alice.id
    assert isinstance(seen.author, discord.Member)
    reply = await fake.wait_for(lambda: fake.messages(world.ideas)[1:])
    assert reply[0].author is fake.bot_user and reply[0].reference is posted
    assert reply[0].allowed_mentions == {"parse": []}
    assert reply[0].content == f"thanks <@{world.alice.id}>" and not reply[0].pings
    # a person's message pings by default, like Discord
    shout = await fake.post_message(world.ideas, world.bob, f"{world.alice.mention} look")
    assert shout.mentions == [world.alice.id]


async def test_reactions_arrive_as_raw_events(
    fake: FakeDiscord, world: World, bot: Recorder
) -> None:
    msg = await fake.post_message(world.ideas, world.alice, "Dark mode")
    assert await fake.react(msg, world.bob, "👍")
    assert not await fake.react(msg, world.bob, "👍")  # already there: no event
    await fake.react(msg, world.maya, "party:123")
    added = await bot.wait_seen("reaction_add", 2)
    assert [(e.user_id, str(e.emoji)) for e in added] == [
        (world.bob.id, "👍"),
        (world.maya.id, "<:party:123>"),
    ]
    assert added[0].member is not None and added[0].member.id == world.bob.id
    assert added[0].message_author_id == world.alice.id
    await fake.unreact(msg, world.bob, "👍")
    (removed,) = await bot.wait_seen("reaction_remove")
    assert removed.user_id == world.bob.id and removed.message_id == msg.id


async def test_edits_and_deletes_arrive_as_raw_events(
    fake: FakeDiscord, world: World, bot: Recorder
) -> None:
    msg = await fake.post_message(world.ideas, world.alice, "Drak mode")
    await fake.edit_message(msg, "Dark mode")
    (edit,) = await bot.wait_seen("edit")
    assert edit.message_id == msg.id and edit.message.content == "Dark mode"
    await fake.delete_message(msg)
    (deleted,) = await bot.wait_seen("delete")
    assert deleted.message_id == msg.id and deleted.guild_id == world.guild.id
    assert fake.messages(world.ideas) == []


async def test_slash_subcommand_with_options_round_trips(
    fake: FakeDiscord, world: World, bot: Recorder
) -> None:
    i = await fake.slash(
        world.guild, world.ideas, world.maya, "ideabot", ["merge"], {"number": 3, "into": 1}
    )
    response = await i.responded()
    assert response["type"] == 4
    assert response["data"]["content"] == "merged 3 into 1 (moderator: True)"
    assert i.ephemeral and i.original is not None and i.original.ephemeral
    assert fake.messages(world.ideas) == []  # ephemeral: not in the channel
    j = await fake.slash(
        world.guild, world.ideas, world.alice, "ideabot", ["merge"], {"number": 1, "into": 2}
    )
    assert (await j.responded())["data"]["content"].endswith("(moderator: False)")
    with pytest.raises(ValueError, match="required option"):
        await fake.slash(world.guild, world.ideas, world.alice, "ideabot", ["merge"], {"number": 1})


async def test_message_context_menu_defers_then_follows_up(
    fake: FakeDiscord, world: World, bot: Recorder
) -> None:
    target = await fake.post_message(world.ideas, world.alice, "Offline mode")
    i = await fake.message_command(
        world.guild, world.ideas, world.bob, "Save as idea", target=target
    )
    (followup,) = await i.followups(1)
    assert i.deferred and i.ephemeral
    assert followup is i.original and followup.content == "saved: Offline mode"
    assert followup.ephemeral and not followup.flags & 128  # loading flag cleared


async def test_button_on_a_persistent_view(fake: FakeDiscord, world: World, bot: Recorder) -> None:
    await fake.post_message(world.ideas, world.alice, "panel")
    panel = (await fake.wait_for(lambda: fake.messages(world.ideas)[1:]))[0]
    assert panel.custom_ids == ["vote:up"]
    i = await fake.click(world.guild, panel, world.bob, "vote:up")
    assert (await i.responded())["data"]["content"] == "voted by bob"


async def test_history_after_returns_messages_posted_while_offline_in_order(
    fake: FakeDiscord, world: World
) -> None:
    async with running(fake, Recorder(), token=TOKEN):
        last_seen = await fake.post_message(world.ideas, world.alice, "before")
    await fake.wait_for(lambda: not fake.connected)
    sent = len(fake.dispatched)
    missed = [await fake.post_message(world.ideas, world.bob, f"missed {n}") for n in range(105)]
    await fake.react(missed[0], world.alice, "👍")
    assert len(fake.dispatched) == sent  # nobody connected: stored, not dispatched
    client = Recorder()
    async with running(fake, client, token=TOKEN):
        channel = client.get_channel(world.ideas.id)
        assert isinstance(channel, discord.TextChannel)
        got = [m async for m in channel.history(limit=None, after=discord.Object(last_seen.id))]
        assert [m.id for m in got] == [m.id for m in missed]
        newest = [m async for m in channel.history(limit=2)]
        assert [m.content for m in newest] == ["missed 104", "missed 103"]
        first = await channel.fetch_message(missed[0].id)
        assert first.reactions[0].count == 1 and str(first.reactions[0].emoji) == "👍"


async def test_reaction_users_list(fake: FakeDiscord, world: World, bot: Recorder) -> None:
    msg = await fake.post_message(world.ideas, world.alice, "Dark mode")
    for person in (world.maya, world.bob, world.alice):
        await fake.react(msg, person, "👍")
    channel = bot.get_channel(world.ideas.id)
    assert isinstance(channel, discord.TextChannel)
    fetched = await channel.fetch_message(msg.id)
    users = [u.id async for u in fetched.reactions[0].users()]
    assert sorted(users) == sorted(p.id for p in (world.maya, world.bob, world.alice))


async def test_rate_limited_post_is_retried(fake: FakeDiscord, world: World, bot: Recorder) -> None:
    fake.fail_next("POST", r"^/channels/\d+/messages$", status=429, retry_after=0.01)
    channel = bot.get_channel(world.ideas.id)
    assert isinstance(channel, discord.TextChannel)
    sent = await channel.send("hello")
    posts = [r for r in fake.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert [r.status for r in posts] == [429, 200]
    assert [m.id for m in fake.messages(world.ideas)] == [sent.id]


async def test_thread_from_a_message_and_replies_in_it(
    fake: FakeDiscord, world: World, bot: Recorder
) -> None:
    msg = await fake.post_message(world.ideas, world.alice, "Dark mode")
    (seen,) = await bot.wait_seen("message")
    thread = await seen.create_thread(name="Dark mode")
    fake_thread = fake.channel(thread.id)
    assert thread.id == msg.id and msg.thread is fake_thread and fake_thread.parent is world.ideas
    await fake.wait_for(lambda: bot.get_channel(thread.id) is not None, what="THREAD_CREATE")
    await fake.post_message(fake_thread, world.bob, "I agree")
    reply = (await bot.wait_seen("message", 2))[1]
    assert isinstance(reply.channel, discord.Thread) and reply.channel.parent_id == world.ideas.id
    await reply.channel.send("noted")
    assert [m.content for m in fake.messages(fake_thread)] == ["I agree", "noted"]


async def test_forum_post_by_the_bot(fake: FakeDiscord, world: World, bot: Recorder) -> None:
    forum = bot.get_channel(world.feedback.id)
    assert isinstance(forum, discord.ForumChannel)
    created = await forum.create_thread(name="Idea #1", content="Dark mode")
    thread = fake.channel(created.thread.id)
    assert thread.parent is world.feedback and created.message.id == thread.id
    assert [m.content for m in fake.messages(thread)] == ["Dark mode"]


async def test_bot_comes_back_after_a_gateway_outage(
    fake: FakeDiscord, world: World, bot: Recorder
) -> None:
    await fake.disconnect_bot(stay_offline=True)
    await fake.post_message(world.ideas, world.alice, "while away")
    fake.allow_reconnect()
    await fake.wait_until_connected()
    await fake.post_message(world.ideas, world.alice, "back")
    seen = await bot.wait_seen("message", 2)
    assert [m.content for m in seen] == ["while away", "back"]  # RESUME replays what it missed


async def _api(fake: FakeDiscord, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    headers = {"Authorization": f"Bot {TOKEN}"}
    async with (
        aiohttp.ClientSession() as session,
        session.request(method, fake.api_base + path, json=body, headers=headers) as response,
    ):
        if response.status == 204:
            return 204, None
        assert response.headers["Content-Type"] == "application/json"
        return response.status, await response.json()


async def test_discord_limits_and_error_shapes(fake: FakeDiscord, world: World) -> None:
    path = f"/channels/{world.ideas.id}/messages"
    assert (await _api(fake, "POST", path, {"content": "x" * 2001}))[1]["code"] == 50035
    status, body = await _api(fake, "POST", path, {"embeds": [{"title": "t" * 257}]})
    assert status == 400 and "title" in body["errors"]["embeds"]["0"]
    button = {"type": 2, "style": 1, "label": "x"}
    rows = [{"type": 1, "components": [button | {"custom_id": f"b{n}"}]} for n in range(6)]
    assert (await _api(fake, "POST", path, {"content": "x", "components": rows}))[0] == 400
    assert (await _api(fake, "POST", path, {"content": "x", "components": rows[:5]}))[0] == 200
    long_id = [{"type": 1, "components": [{"type": 2, "style": 1, "custom_id": "c" * 101}]}]
    assert (await _api(fake, "POST", path, {"components": long_id}))[0] == 400
    assert (await _api(fake, "POST", path, {"content": ""}))[1]["code"] == 50006
    assert await _api(fake, "GET", f"{path}/123") == (
        404,
        {"message": "Unknown Message", "code": 10008},
    )
    assert (await _api(fake, "GET", "/channels/1"))[1]["code"] == 10003
    assert [m.content for m in fake.messages(world.ideas)] == ["x"]


async def test_second_interaction_callback_is_rejected(fake: FakeDiscord, world: World) -> None:
    await _api(
        fake,
        "PUT",
        f"/applications/{fake.application_id}/commands",
        [{"name": "ping", "description": "p"}],
    )
    i = await fake.slash(world.guild, world.ideas, world.alice, "ping")
    path = f"/interactions/{i.id}/{i.token}/callback?with_response=1"
    status, body = await _api(fake, "POST", path, {"type": 4, "data": {"content": "pong"}})
    assert status == 200 and body["resource"]["message"]["content"] == "pong"
    assert await _api(fake, "POST", path, {"type": 4, "data": {"content": "again"}}) == (
        400,
        {"message": "Interaction has already been acknowledged.", "code": 40060},
    )


async def test_handler_errors_and_a_bad_token_surface_at_once(
    fake: FakeDiscord, world: World
) -> None:
    class Broken(Recorder):
        async def on_message(self, message: discord.Message) -> None:
            raise ValueError("boom")

    with pytest.raises(discord.LoginFailure):
        async with running(fake, Recorder(), token="wrong"):
            pass
    async with running(fake, Broken(), token=TOKEN):
        await fake.post_message(world.ideas, world.alice, "hello")
        with pytest.raises(RuntimeError, match="boom"):
            await fake.wait_for(lambda: False, timeout=120)


async def test_without_the_message_content_intent_content_is_blank(
    fake: FakeDiscord, world: World
) -> None:
    client = Recorder()
    client._connection._intents.message_content = False
    async with running(fake, client, token=TOKEN):
        await fake.post_message(world.ideas, world.alice, "secret")
        await fake.post_message(world.ideas, world.alice, f"hi {fake.bot_user.mention}")
        seen = await client.wait_seen("message", 2)
        assert [m.content for m in seen] == ["", f"hi <@{fake.bot_user.id}>"]

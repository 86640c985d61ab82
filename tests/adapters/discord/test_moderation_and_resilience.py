"""Moderator commands, closing the loop, catch-up, hostile input, isolation, failing Discord."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import pytest

from adapters.discord.bot import IdeaBot
from bot.app import App
from bot.domain import Where
from tests.adapters.discord.conftest import World, configure, connected, handled, outcome
from tests.conftest import draft
from tests.fakes.discord import FakeDiscord, FakeInteraction, FakeMember, FakeMessage
from tests.fakes.embedder import TestEmbedder


async def post(
    fake: FakeDiscord, bot: IdeaBot, world: World, text: str, author: FakeMember | None = None
) -> tuple[FakeMessage, Any]:
    who = author or world.alice
    done = handled(bot, "message", who.id)
    message = await fake.post_message(world.ideas, who, text)
    return message, await outcome(done)


async def vote(fake: FakeDiscord, bot: IdeaBot, message: FakeMessage, who: FakeMember) -> None:
    done = handled(bot, "reaction_add", who.id)
    await fake.react(message, who, "👍")
    await outcome(done)


async def command(
    fake: FakeDiscord,
    world: World,
    who: FakeMember,
    path: list[str],
    options: dict[str, Any] | None = None,
) -> tuple[FakeInteraction, str]:
    interaction = await fake.slash(world.guild, world.general, who, "ideabot", path, options)
    response = await interaction.responded()
    text = response.get("data", {}).get("content") or ""
    if interaction.deferred:
        await interaction.followups(1)
        text = interaction.followup_messages[0].content
    return interaction, text


def log_actions(app: App) -> list[str]:
    conn = sqlite3.connect(app.core.store.location)
    try:
        return [r[0] for r in conn.execute("SELECT action FROM moderation_log ORDER BY id")]
    finally:
        conn.close()


async def board_votes(app: App, world: World) -> dict[int, int]:
    board = await app.core.board_for(world.where())
    return {i.number: i.votes for i in await app.queries.all(board)}


async def seed(fake: FakeDiscord, bot: IdeaBot, world: World) -> list[FakeMessage]:
    one, _ = await post(fake, bot, world, "Dark mode for the map screen")
    two, _ = await post(fake, bot, world, "Export routes as GPX files", world.bob)
    await vote(fake, bot, one, world.bob)
    await vote(fake, bot, two, world.carol)
    await vote(fake, bot, two, world.bob)
    return [one, two]


@pytest.mark.parametrize(
    ("path", "options", "expect"),
    [
        (["merge"], {"number": 2, "into": 1}, "Merged #2 into #1"),
        (["unmerge"], {"number": 2}, "is not merged into another idea"),
        (["status"], {"number": 1, "status": "planned", "note": "Q1"}, "#1 is now planned"),
        (["delete"], {"number": 2}, "Deleted #2"),
        (["config", "set"], {"setting": "suggest", "value": "0.6"}, "`suggest` is now `0.6`"),
        (["config", "set"], {"setting": "public", "value": "on"}, "is now public"),
        (["config", "set"], {"setting": "read_link", "value": "new"}, "Secret read link"),
        (["config", "show"], {}, "vote_emoji"),
        (["config", "show"], {}, "Duplicate thresholds (pair score): suggest 0.57"),
        (["config", "reset-thresholds"], {}, "back to the defaults"),
        (["config", "show"], {}, "web board: private, no read link"),
        (["config", "channel"], {"purpose": "digest"}, "is now an digest channel"),
        (["digest", "preview"], {}, "ideas of"),
    ],
)
async def test_moderator_commands_work_for_moderators_and_are_refused_to_others(
    fake: FakeDiscord,
    world: World,
    bot: IdeaBot,
    app: App,
    path: list[str],
    options: dict[str, Any],
    expect: str,
) -> None:
    await seed(fake, bot, world)
    before_votes, before_log = await board_votes(app, world), log_actions(app)
    # A server admin let everyone see /ideabot: the bot itself must still refuse.
    fake.allow_command(world.guild, "ideabot", world.guild)
    refused, text = await command(fake, world, world.dan, path, options)
    assert refused.ephemeral and "moderator" in text
    assert await board_votes(app, world) == before_votes and log_actions(app) == before_log

    allowed, text = await command(fake, world, world.maya, path, options)  # moderator role
    assert allowed.ephemeral
    if path == ["digest", "preview"]:
        assert allowed.followup_messages[0].embeds
    else:
        assert expect in text, text
    if path[0] in ("merge", "status", "delete") or path[-1] in (
        "set",
        "channel",
        "reset-thresholds",
    ):
        assert len(log_actions(app)) == len(before_log) + 1


async def test_unmerge_restores_votes_exactly(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    await seed(fake, bot, world)
    before = await board_votes(app, world)
    await command(fake, world, world.owner, ["merge"], {"number": 2, "into": 1})
    assert (await board_votes(app, world))[1] == 2  # bob once, carol
    _, text = await command(fake, world, world.owner, ["unmerge"], {"number": 2})
    assert "stands alone again" in text
    assert await board_votes(app, world) == before


@pytest.mark.parametrize(
    ("path", "options", "message"),
    [
        (["merge"], {"number": 1, "into": 1}, "into itself"),
        (["merge"], {"number": 99, "into": 1}, "no idea #99"),
        (["unmerge"], {"number": 1}, "not merged"),
        (["status"], {"number": 42, "status": "done"}, "no idea #42"),
        (["delete"], {"number": 7}, "no idea #7"),
        (["config", "set"], {"setting": "timezone", "value": "Mars/Base"}, "unknown time zone"),
        (["config", "set"], {"setting": "suggest", "value": "lots"}, "between 0 and 1"),
        (["config", "set"], {"setting": "public", "value": "maybe"}, "public takes on or off"),
        (["config", "set"], {"setting": "read_link", "value": "x"}, "read_link takes new"),
    ],
)
async def test_bad_moderator_input_gets_a_clear_answer_and_changes_nothing(
    fake: FakeDiscord,
    world: World,
    bot: IdeaBot,
    app: App,
    path: list[str],
    options: dict[str, Any],
    message: str,
) -> None:
    await seed(fake, bot, world)
    before_votes, before_log = await board_votes(app, world), log_actions(app)
    interaction, text = await command(fake, world, world.owner, path, options)
    assert interaction.ephemeral and message in text, text
    assert await board_votes(app, world) == before_votes and log_actions(app) == before_log


async def test_status_change_pings_exactly_the_voters_in_the_thread(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    one, _two = await seed(fake, bot, world)
    await command(fake, world, world.owner, ["merge"], {"number": 2, "into": 1})
    await command(
        fake,
        world,
        world.maya,
        ["status"],
        {"number": 1, "status": "done", "note": "Shipped in 3.2 @everyone"},
    )
    assert one.thread is not None
    thread = one.thread
    await fake.wait_for(
        lambda: any("now **done**" in m.content for m in fake.messages(thread)), what="announce"
    )
    announcement = next(m for m in fake.messages(thread) if "now **done**" in m.content)
    assert set(announcement.mentions) == {world.bob.id, world.carol.id}
    assert announcement.allowed_mentions is not None
    assert announcement.allowed_mentions.get("parse") == []
    assert not announcement.mention_everyone
    assert "Shipped in 3.2" in announcement.content
    # every other message the bot sent allowed no pings at all
    for record in fake.requests:
        body = record.json if isinstance(record.json, dict) else {}
        if record.method == "POST" and "allowed_mentions" in body and body is not announcement.body:
            mentions = body["allowed_mentions"]
            assert mentions.get("parse") == [] and not mentions.get("users"), body


async def test_hostile_and_oversized_ideas(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    hostile = "**@everyone** <@&1> [click](http://evil.example) `rm -rf` " + "x" * 3900
    message, result = await post(fake, bot, world, hostile[:4000])
    assert result is not None and result.idea.number == 1
    await fake.wait_for(
        lambda: message.thread is not None and len(fake.messages(message.thread)) > 0, what="reply"
    )
    too_long, refused = await post(fake, bot, world, "y" * 4001, world.bob)
    assert refused is None
    await fake.wait_for(
        lambda: any(m.reference is too_long for m in fake.messages(world.ideas)),
        what="refusal reply",
    )
    reply = next(m for m in fake.messages(world.ideas) if m.reference is too_long)
    assert "limit is 4,000" in reply.content and reply.mentions == []
    board = await app.core.board_for(world.where())
    assert [i.number for i in await app.queries.all(board)] == [1]
    show = await fake.slash(world.guild, world.general, world.dan, "ideas", ["show"], {"number": 1})
    response = await show.responded()
    embed = response["data"]["embeds"][0]
    assert len(embed["title"]) <= 256 and len(json.dumps(embed)) < 6000
    unknown = await fake.slash(
        world.guild, world.general, world.dan, "ideas", ["show"], {"number": 5}
    )
    assert "no idea #5" in (await unknown.responded())["data"]["content"]


async def test_member_commands(
    fake: FakeDiscord, world: World, bot: IdeaBot, embedder: TestEmbedder
) -> None:
    embedder.likely("Export routes as GPX files", "gpx track download")
    await seed(fake, bot, world)
    top = await fake.slash(world.guild, world.general, world.dan, "ideas", ["top"], {"count": 5})
    text = (await top.responded())["data"]["content"]
    assert text.index("#2") < text.index("#1")  # 2 votes before 1 vote
    search = await fake.slash(
        world.guild, world.general, world.dan, "ideas", ["search"], {"query": "gpx track download"}
    )
    assert (await search.responded())["data"]["content"].startswith("- **#2**")


async def test_catch_up_counts_what_happened_while_down_exactly_once(
    fake: FakeDiscord, world: World, app: App
) -> None:
    await configure(app, world)
    async with connected(fake, app) as first:
        existing, _ = await post(fake, first, world, "Dark mode for the map screen")
        await vote(fake, first, existing, world.bob)
    # the bot is down: an idea is posted, votes come and go
    missed = await fake.post_message(world.ideas, world.carol, "Export routes as GPX files")
    await fake.react(missed, world.dan, "👍")
    await fake.react(existing, world.carol, "👍")
    await fake.unreact(existing, world.bob, "👍")
    for _ in range(2):  # a second restart must not count anything twice
        async with connected(fake, app):
            assert await board_votes(app, world) == {1: 1, 2: 1}
    board = await app.core.board_for(world.where())
    assert (await app.queries.show(board, 2)).author.name == "carol"
    assert missed.thread is not None  # the bot answered the missed idea once
    replies = [m for m in fake.messages(missed.thread) if m.author.id == fake.bot_user.id]
    assert len(replies) == 1


async def test_two_servers_do_not_share_anything(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    other = fake.add_guild("Other community")
    other_ideas = other.add_channel("ideas")
    erin = other.add_member("erin")
    await fake.wait_for(lambda: bot.get_guild(other.id) is not None, what="second guild")
    await seed(fake, bot, world)
    setup = await fake.slash(
        other, other_ideas, other.owner, "ideabot", ["config", "channel"], {"purpose": "ideas"}
    )
    await setup.responded()
    done = handled(bot, "message", erin.id)
    await fake.post_message(other_ideas, erin, "Dark mode for the map screen")
    result = await outcome(done)
    assert result.idea.number == 1  # numbering is per board
    shown = await fake.slash(other, other_ideas, erin, "ideas", ["show"], {"number": 2})
    assert "no idea #2" in (await shown.responded())["data"]["content"]
    merge = await fake.slash(
        other, other_ideas, other.owner, "ideabot", ["merge"], {"number": 2, "into": 1}
    )
    assert "no idea #2" in (await merge.responded())["data"]["content"]
    assert await board_votes(app, world) == {1: 1, 2: 2}


async def test_rate_limits_are_retried_and_failures_lose_nothing(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    fake.fail_next("POST", r"/channels/\d+/messages$", status=429, retry_after=0.01)
    fake.fail_next("POST", r"/channels/\d+/messages/\d+/threads$", status=429, retry_after=0.01)
    message, result = await post(fake, bot, world, "Dark mode for the map screen")
    assert result.idea.number == 1
    await fake.wait_for(
        lambda: message.thread is not None and bool(fake.messages(message.thread)),
        what="reply after the 429",
    )
    # Discord refuses every post (missing permission): the idea and votes are still kept.
    fake.fail_next("POST", r"/channels/\d+/messages/\d+/threads$", status=403, times=1)
    fake.fail_next("POST", r"/channels/\d+/messages$", status=403, times=5)
    fake.fail_next("PUT", r"/reactions/", status=403, times=5)
    _, second = await post(fake, bot, world, "Export routes as GPX files", world.bob)
    assert second.idea.number == 2
    board = await app.core.board_for(world.where())
    assert [i.number for i in await app.queries.all(board)] == [1, 2]


async def test_forum_posts_become_ideas(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    forum = world.guild.add_channel("feedback", forum=True)
    await fake.wait_for(lambda: bot.get_channel(forum.id) is not None, what="forum channel")
    setup = await fake.slash(
        world.guild,
        world.general,
        world.owner,
        "ideabot",
        ["config", "channel"],
        {"purpose": "ideas", "channel": forum},
    )
    await setup.responded()
    done = handled(bot, "message", world.alice.id)
    post_thread, _starter = await fake.create_forum_post(
        forum, world.alice, "Dark mode", "Dark mode for the map screen please"
    )
    result = await outcome(done)
    assert result.idea.number == 1
    await fake.wait_for(
        lambda: any(m.author.id == fake.bot_user.id for m in fake.messages(post_thread)),
        what="reply in post",
    )


async def test_link_and_join_between_two_servers(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    other = fake.add_guild("Sister community")
    await fake.wait_for(lambda: bot.get_guild(other.id) is not None, what="second guild")
    refused = await fake.slash(
        other, other.add_channel("x"), other.owner, "ideabot", ["join"], {"code": "WRONGCODE7"}
    )
    assert "not known" in (await refused.responded())["data"]["content"]
    _, text = await command(fake, world, world.owner, ["link"])
    code = text.split("**")[1]
    joined = await fake.slash(
        other, other.add_channel("y"), other.owner, "ideabot", ["join"], {"code": code}
    )
    assert "now shares board" in (await joined.responded())["data"]["content"]
    sister = Where(platform="discord", workspace_id=str(other.id))
    assert (await app.core.board_for(sister)).id == (await app.core.board_for(world.where())).id


async def test_a_server_whose_board_has_ideas_joins_by_merging(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    other = fake.add_guild("Sister community")
    await fake.wait_for(lambda: bot.get_guild(other.id) is not None, what="second guild")
    sister = Where(platform="discord", workspace_id=str(other.id), channel_id="s-ideas")
    await app.ideas.submit(draft("Export routes as KML", message_id="s1", where=sister))
    _, text = await command(fake, world, world.owner, ["link"])
    code = text.split("**")[1]
    channel = other.add_channel("y")
    refused = await fake.slash(other, channel, other.owner, "ideabot", ["join"], {"code": code})
    assert "merge option" in (await refused.responded())["data"]["content"]
    joined = await fake.slash(
        other, channel, other.owner, "ideabot", ["join"], {"code": code, "merge": True}
    )
    said = (await joined.responded())["data"]["content"]
    assert "now shares board" in said and "1 ideas renumbered (#1 is now #" in said
    board = await app.core.board_for(world.where())
    assert (await app.core.board_for(sister)).id == board.id
    assert [i.title for i in await app.queries.all(board)][-1] == "Export routes as KML"

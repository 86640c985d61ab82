"""Capture and votes end to end: a real discord.py client against the fake Discord."""

from __future__ import annotations

import asyncio

import pytest

from adapters.discord.bot import IdeaBot
from bot.app import App
from bot.results import Created, Edited, Ignored, Merged, PossibleDuplicate, VoteChanged
from tests.adapters.discord.conftest import World, handled, outcome
from tests.fakes.discord import FakeDiscord, FakeMessage
from tests.fakes.embedder import TestEmbedder


async def votes(app: App, world: World, number: int) -> int:
    board = await app.core.board_for(world.where())
    return (await app.queries.show(board, number)).votes


async def post_idea(
    fake: FakeDiscord, bot: IdeaBot, world: World, text: str, author: object = None
) -> tuple[FakeMessage, object]:
    who = author or world.alice
    done = handled(bot, "message", who.id)  # type: ignore[attr-defined]
    message = await fake.post_message(world.ideas, who, text)  # type: ignore[arg-type]
    return message, await outcome(done)


def bot_replies(fake: FakeDiscord, message: FakeMessage) -> list[FakeMessage]:
    thread = message.thread
    if thread is None:
        return []
    return [m for m in fake.messages(thread) if m.author.id == fake.bot_user.id]


async def test_message_in_idea_channel_becomes_an_idea(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    message, result = await post_idea(fake, bot, world, "Dark mode for the map\nMy eyes at night")
    assert isinstance(result, Created) and result.idea.number == 1
    await fake.wait_for(lambda: len(bot_replies(fake, message)) == 1, what="reply in thread")
    reply = bot_replies(fake, message)[0]
    assert "#1" in reply.content and message.thread is not None
    assert message.thread.name.startswith("#1 Dark mode for the map")
    assert fake.bot_user.id in message.reactions.get("👍", [])
    assert reply.allowed_mentions == {"parse": []}
    board = await app.core.board_for(world.where())
    idea = await app.queries.show(board, 1)
    assert idea.author.name == "alice" and idea.permalink and str(message.id) in idea.permalink


async def test_other_channels_threads_and_bots_are_not_ideas(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    done = handled(bot, "message", world.alice.id)
    await fake.post_message(world.general, world.alice, "Dark mode for the map please")
    assert await outcome(done) is None
    message, _ = await post_idea(fake, bot, world, "Offline maps for whole regions")
    await fake.wait_for(lambda: message.thread is not None, what="thread")
    assert message.thread is not None
    done = handled(bot, "message", world.bob.id)
    await fake.post_message(message.thread, world.bob, "Yes! And for Scotland too")
    assert await outcome(done) is None
    board = await app.core.board_for(world.where())
    assert [i.number for i in await app.queries.all(board)] == [1]


async def test_votes_count_once_per_person_across_idea_and_reply(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    message, _ = await post_idea(fake, bot, world, "Offline maps for whole regions")
    await fake.wait_for(lambda: len(bot_replies(fake, message)) == 1, what="reply")
    reply = bot_replies(fake, message)[0]

    async def react(
        target: FakeMessage, who: object, emoji: str = "👍", add: bool = True
    ) -> object:
        done = handled(bot, "reaction_add" if add else "reaction_remove", who.id)  # type: ignore[attr-defined]
        if add:
            await fake.react(target, who, emoji)  # type: ignore[arg-type]
        else:
            await fake.unreact(target, who, emoji)  # type: ignore[arg-type]
        return await outcome(done)

    assert isinstance(await react(message, world.bob), VoteChanged)
    assert isinstance(await react(reply, world.bob), VoteChanged)  # same person, same idea
    assert isinstance(await react(reply, world.carol), VoteChanged)
    assert isinstance(await react(message, world.dan, "😂"), Ignored)
    assert await votes(app, world, 1) == 2
    removed = await react(message, world.bob, add=False)
    assert isinstance(removed, VoteChanged) and removed.changed
    assert await votes(app, world, 1) == 2  # bob's vote on the reply still stands
    await react(reply, world.bob, add=False)
    assert await votes(app, world, 1) == 1


async def test_slash_idea_and_save_as_idea(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    completed = asyncio.ensure_future(bot.wait_for("app_command_completion", timeout=120))
    interaction = await fake.slash(
        world.guild,
        world.general,
        world.bob,
        "idea",
        [],
        {"text": "Heart rate zones on the watch face"},
    )
    await interaction.followups(1)
    posted = interaction.followup_messages[0]
    assert "#1" in posted.content and not interaction.ephemeral
    await completed  # the bot has linked its post to the idea
    done = handled(bot, "reaction_add", world.carol.id)
    await fake.react(posted, world.carol, "👍")
    await outcome(done)
    assert await votes(app, world, 1) == 1

    chat = await fake.post_message(world.general, world.dan, "we really need GPX export")
    saved = await fake.message_command(
        world.guild, world.general, world.maya, "Save as idea", target=chat
    )
    await saved.followups(1)
    assert saved.ephemeral and "#2" in saved.followup_messages[0].content
    board = await app.core.board_for(world.where())
    idea = await app.queries.show(board, 2)
    assert idea.author.name == "dan"  # credited to the message's author, not the saver
    assert fake.bot_user.id in chat.reactions.get("👍", [])


async def test_save_as_idea_refuses_bot_messages_and_repeats(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    chat = await fake.post_message(world.general, world.dan, "we really need GPX export")
    first = await fake.message_command(
        world.guild, world.general, world.alice, "Save as idea", target=chat
    )
    await first.followups(1)
    again = await fake.message_command(
        world.guild, world.general, world.alice, "Save as idea", target=chat
    )
    await again.followups(1)
    assert "#1" in again.followup_messages[0].content
    board = await app.core.board_for(world.where())
    assert len(await app.queries.all(board)) == 1
    bot_post = bot_replies(fake, chat)[0]
    assert chat.thread is not None
    refused = await fake.message_command(
        world.guild, chat.thread, world.alice, "Save as idea", target=bot_post
    )
    await refused.followups(1)
    assert "bots" in refused.followup_messages[0].content
    assert len(await app.queries.all(board)) == 1


async def test_edit_and_delete_follow_the_message(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    message, _ = await post_idea(fake, bot, world, "Dark mode for the map")
    done = handled(bot, "edit")
    await fake.edit_message(message, "Export routes as GPX files")
    assert isinstance(await outcome(done), Edited)
    board = await app.core.board_for(world.where())
    assert (await app.queries.show(board, 1)).title == "Export routes as GPX files"
    done = handled(bot, "delete")
    await fake.delete_message(message)
    await outcome(done)
    assert await app.queries.all(board) == []


@pytest.mark.real_model  # the real model decides, end to end: a repost merges, a paraphrase asks
async def test_duplicates_auto_merge_and_are_offered(
    fake: FakeDiscord, world: World, bot: IdeaBot, app: App
) -> None:
    await post_idea(
        fake, bot, world, "Add a dark mode to the app. The white screen is too bright at night."
    )
    _, merged = await post_idea(
        fake,
        bot,
        world,
        "Add a dark mode to the app, the white screen is far too bright at night.",
        world.bob,
    )
    assert isinstance(merged, Merged) and merged.into.number == 1
    _, offered = await post_idea(
        fake,
        bot,
        world,
        "A night theme with dark colours, because the white app is blinding after sunset",
        world.carol,
    )
    assert isinstance(offered, PossibleDuplicate)


@pytest.mark.parametrize("same", [True, False])
async def test_duplicate_buttons_work_after_a_restart(
    fake: FakeDiscord, world: World, app: App, embedder: TestEmbedder, same: bool
) -> None:
    from tests.adapters.discord.conftest import configure, connected

    embedder.likely(
        "Dark mode for the map screen",
        "Dark theme for the map screen please, white is too bright at night",
    )
    await configure(app, world)
    async with connected(fake, app) as first_bot:
        await post_idea(fake, first_bot, world, "Dark mode for the map screen")
        message, offered = await post_idea(
            fake,
            first_bot,
            world,
            "Dark theme for the map screen please, white is too bright at night",
            world.bob,
        )
        assert isinstance(offered, PossibleDuplicate)
        await fake.wait_for(lambda: bool(bot_replies(fake, message)), what="buttons")
    question = bot_replies(fake, message)[0]
    ids = question.custom_ids
    assert ids == ["ideabot:dup:2:1:1", "ideabot:dup:2:1:0"]
    async with connected(fake, app):
        stranger = await fake.click(world.guild, question, world.dan, ids[0])
        await stranger.responded()
        assert (
            stranger.ephemeral and "author or a moderator" in stranger.response["data"]["content"]
        )
        pressed = await fake.click(world.guild, question, world.bob, ids[0 if same else 1])
        await pressed.responded()
    board = await app.core.board_for(world.where())
    idea = await app.queries.show(board, 2)
    assert (idea.merged_into == 1) is same
    assert question.components == []  # the buttons are gone once answered


async def test_repeated_old_and_merged_votes(fake: FakeDiscord, world: World, app: App) -> None:
    from tests.adapters.discord.conftest import configure, connected

    await configure(app, world)
    async with connected(fake, app) as first_bot:
        old, _ = await post_idea(fake, first_bot, world, "Dark mode for the map screen")
        dup, _ = await post_idea(fake, first_bot, world, "Export routes as GPX files", world.bob)
        done = handled(first_bot, "reaction_add", world.carol.id)
        await fake.react(old, world.carol, "👍")
        assert (await outcome(done)).changed
        again = handled(first_bot, "reaction_add", world.carol.id)
        await fake.redeliver("MESSAGE_REACTION_ADD")  # the same event delivered twice
        repeated = await outcome(again)
        assert isinstance(repeated, VoteChanged) and not repeated.changed
    assert await votes(app, world, 1) == 1
    # A fresh process has no message cache: raw events still count on old messages.
    async with connected(fake, app) as second_bot:
        done = handled(second_bot, "reaction_add", world.dan.id)
        await fake.react(old, world.dan, "👍")
        assert (await outcome(done)).changed
        merge = await fake.slash(
            world.guild, world.general, world.owner, "ideabot", ["merge"], {"number": 2, "into": 1}
        )
        await merge.responded()
        # votes on the merged idea's message count for #1, a person once
        for who in (world.dan, world.alice):
            done = handled(second_bot, "reaction_add", who.id)
            await fake.react(dup, who, "👍")
            await outcome(done)
    assert await votes(app, world, 1) == 3  # carol, dan (on both), alice

"""A status set from the shell (`ideabot idea status`, a process with no platform
connection) is announced in the idea's Discord thread by the running `ideabot run`, once:
while it runs, and after it was SIGKILLed before the change and started again."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.discord.conftest import World
from tests.adapters.discord.running import (
    VOTE,
    Idea,
    make_idea_channel,
    post_idea,
    shown,
    start_bot,
)
from tests.adapters.process import await_votes
from tests.adapters.shell import shell, undelivered
from tests.fakes.discord import FakeDiscord, FakeMessage


def announcements(fake: FakeDiscord, idea: Idea, label: str) -> list[FakeMessage]:
    """The bot's messages in the idea's thread that say it is now ``label``."""
    assert idea.message.thread is not None
    return [
        m
        for m in fake.messages(idea.message.thread)
        if m.author is fake.bot_user and f"is now **{label}**" in m.content
    ]


async def test_a_status_set_from_the_shell_is_announced_once(
    fake: FakeDiscord, world: World, tmp_path: Path
) -> None:
    db = tmp_path / "run.db"
    bot = await start_bot(fake, db, tmp_path)
    try:
        await make_idea_channel(fake, world, world.ideas)
        idea = await post_idea(fake, world, world.ideas, "Offline maps for whole regions")
        await fake.react(idea.message, world.bob, VOTE)
        await await_votes(db, lambda: shown(idea), bot=bot)
        assert shown(idea) == {idea.number: 1}

        assert "open -> planned" in await shell(
            db, "idea", "status", str(idea.number), "planned", "--note", "In the March release"
        )
        [said] = await fake.wait_for(
            lambda: announcements(fake, idea, "planned"), 120, "the announcement of #1"
        )
        assert "In the March release" in said.content and f"<@{world.bob.id}>" in said.content
        # Marked done once posted: nothing is left to post again.
        await fake.wait_for(lambda: undelivered(db) == 0, 120, "the outbox row marked done")
        assert len(announcements(fake, idea, "planned")) == 1

        # SIGKILL, then a change while no bot runs: announced by the next one, once.
        await bot.kill()
        assert "planned -> done" in await shell(db, "idea", "status", str(idea.number), "done")
        assert undelivered(db) == 1
        bot = await start_bot(fake, db, tmp_path)
        await fake.wait_for(lambda: announcements(fake, idea, "done"), 120, "the announcement")
        await fake.wait_for(lambda: undelivered(db) == 0, 120, "the outbox row marked done")
        assert len(announcements(fake, idea, "done")) == 1
        assert len(announcements(fake, idea, "planned")) == 1
    finally:
        await bot.stop()

"""A status set from the shell (`ideabot idea status`, a process with no platform
connection) is announced in the idea's Slack thread by the running `ideabot run`, once:
while it runs, and after it was SIGKILLed before the change and started again."""

from __future__ import annotations

from pathlib import Path

from tests.adapters.process import await_votes
from tests.adapters.shell import shell, undelivered
from tests.adapters.slack.running import Idea, SlackBot, make_idea_channel, post_idea
from tests.fakes.slack import FakeMessage, FakeSlack


def announcements(slack: FakeSlack, idea: Idea, label: str) -> list[FakeMessage]:
    return [
        m
        for m in slack.replies(idea.message)
        if m.user.id == slack.bot_user_id and f"is now *{label}*" in m.text
    ]


async def test_a_status_set_from_the_shell_is_announced_once(
    slack: FakeSlack, tmp_path: Path
) -> None:
    db = tmp_path / "run.db"
    ideas = slack.add_channel("ideas")
    admin, alice, bob = (
        slack.add_user("ana", admin=True),
        slack.add_user("alice"),
        slack.add_user("bob"),
    )
    bot = await SlackBot(slack, db, tmp_path, http=False).start()
    try:
        await make_idea_channel(bot, admin, ideas)
        idea = await post_idea(bot, ideas, alice, "Offline maps for whole regions")
        await bot.deliver(slack.react(idea.message, bob, "+1"))
        await await_votes(db, lambda: {idea.number: 1}, bot=bot.process)

        assert "open -> planned" in await shell(
            db, "idea", "status", str(idea.number), "planned", "--note", "In the March release"
        )
        [said] = await slack.wait_for(
            lambda: announcements(slack, idea, "planned"), 120, "the announcement of #1"
        )
        assert "In the March release" in said.text and f"<@{bob.id}>" in said.text
        # Marked done once posted: nothing is left to post again.
        await slack.wait_for(lambda: undelivered(db) == 0, 120, "the outbox row marked done")
        assert len(announcements(slack, idea, "planned")) == 1

        # SIGKILL, then a change while no bot runs: announced by the next one, once.
        await bot.kill()
        assert "planned -> done" in await shell(db, "idea", "status", str(idea.number), "done")
        assert undelivered(db) == 1
        bot = await SlackBot(slack, db, tmp_path, http=False).start()
        await slack.wait_for(lambda: announcements(slack, idea, "done"), 120, "the announcement")
        await slack.wait_for(lambda: undelivered(db) == 0, 120, "the outbox row marked done")
        assert len(announcements(slack, idea, "done")) == 1
        assert len(announcements(slack, idea, "planned")) == 1
    finally:
        await bot.stop()

"""`ideabot run` with IDEABOT_WEB_PORT serves the web board in the same process as the bot:
a Slack moderator makes the board public, or shares a read link, and the board follows."""

from __future__ import annotations

import re
from pathlib import Path

import aiohttp

from tests.adapters.slack.conftest import slack  # noqa: F401 - the fake Slack, by name
from tests.adapters.slack.running import SlackBot, free_port, make_idea_channel, post_idea
from tests.fakes.slack import FakeSlack, FakeUser
from tests.fakes.slack.server import FakeChannel

LISTENING = re.compile(r"ideabot web board on (http://127\.0\.0\.1:\d+/)")


async def ideabot(bot: SlackBot, admin: FakeUser, channel: FakeChannel, text: str) -> str:
    """What the bot answers the admin's `/ideabot text` (privately)."""
    fake = bot.slack
    seen = len(fake.ephemerals(admin))
    await bot.deliver(fake.slash_command_body("/ideabot", text, admin, channel))
    await fake.wait_for(lambda: len(fake.ephemerals(admin)) > seen, 120, f"/ideabot {text}")
    return fake.ephemerals(admin)[-1].text


async def test_run_serves_the_board_a_slack_moderator_opens(
    slack: FakeSlack,  # noqa: F811
    tmp_path: Path,
) -> None:
    ideas = slack.add_channel("ideas")
    admin = slack.add_user("ana", admin=True)
    alice = slack.add_user("alice")
    bot = SlackBot(slack, tmp_path / "run.db", tmp_path, http=False)
    bot.process.env["IDEABOT_WEB_PORT"] = str(free_port())
    await bot.start()
    try:
        address = (await bot.process.wait_for_line(LISTENING))[1]
        await make_idea_channel(bot, admin, ideas)
        await post_idea(bot, ideas, alice, "Offline maps for whole regions")
        async with aiohttp.ClientSession() as http:
            async with http.get(address) as index:
                assert "No board is public yet" in await index.text()
            answer = await ideabot(bot, admin, ideas, "config set read_link new")
            found = re.search(r"(/b/([^?\s]+)\?key=([\w-]+))", answer)
            assert found, answer
            link, board = found[1], found[2]
            async with http.get(f"{address}b/{board}") as hidden:
                assert hidden.status == 404
            async with http.get(address.rstrip("/") + link) as keyed:
                assert keyed.status == 200
                assert "Offline maps for whole regions" in await keyed.text()
            assert "is now public" in await ideabot(bot, admin, ideas, "config set public on")
            async with http.get(address) as index:
                assert f"/b/{board}" in await index.text()
            async with http.get(f"{address}api/v1/boards/{board}/ideas") as api:
                titles = [i["title"] for i in (await api.json())["ideas"]]
                assert titles == ["Offline maps for whole regions"]
    finally:
        await bot.stop()

"""A Discord server and a Slack workspace on one board: ideas, votes and duplicates shared."""

from __future__ import annotations

from bot.app import App
from bot.domain import Where
from tests.adapters.discord.conftest import World, configure, connected, handled, outcome
from tests.adapters.slack.conftest import Workspace
from tests.conftest import draft, moderator
from tests.fakes.discord import FakeDiscord
from tests.fakes.embedder import TestEmbedder


async def test_one_board_across_platforms(
    fake: FakeDiscord,
    world: World,
    workspace: Workspace,
    app: App,
    embedder: TestEmbedder,
) -> None:
    embedder.same(
        "Add a dark mode to the app. The white screen is too bright at night.",
        "Add a dark mode to the app, the white screen is far too bright at night.",
    )
    slack = workspace.slack
    await configure(app, world)
    async with connected(fake, app) as bot:
        link = await fake.slash(world.guild, world.general, world.owner, "ideabot", ["link"])
        code = (await link.responded())["data"]["content"].split("**")[1]
        wrong = await workspace.command("/ideabot", "join WRONGCODE2", workspace.admin)
        assert "not known" in wrong
        joined = await workspace.command("/ideabot", f"join {code}", workspace.admin)
        assert "now shares board" in joined
        again = await workspace.command("/ideabot", f"join {code}", workspace.admin)
        assert "used already" in again or "on that board already" in again

        done = handled(bot, "message", world.alice.id)
        on_discord = await fake.post_message(
            world.ideas,
            world.alice,
            "Add a dark mode to the app. The white screen is too bright at night.",
        )
        await outcome(done)
        message, body = slack.post(
            workspace.ideas,
            workspace.bob,
            "Add a dark mode to the app, the white screen is far too bright at night.",
        )
        await workspace.send(body)

        voted = handled(bot, "reaction_add", world.bob.id)
        await fake.react(on_discord, world.bob, "👍")
        await outcome(voted)
        await workspace.send(slack.react(message, workspace.carol, "+1"))

    board = await app.core.board_for(Where(platform="slack", workspace_id=slack.team_id))
    assert board.id == (await app.core.board_for(world.where())).id
    second = await app.queries.show(board, 2)
    assert second.merged_into == 1  # the Slack post was a duplicate of the Discord one
    first = await app.queries.show(board, 1)
    assert first.votes == 2  # a Discord vote and a Slack vote on one idea
    top = await workspace.command("/ideas", "top", workspace.carol)
    assert top.startswith("1. *#1*")


async def test_a_workspace_whose_board_has_ideas_joins_by_merging(
    workspace: Workspace, app: App
) -> None:
    slack = workspace.slack
    discord = Where(platform="discord", workspace_id="g-m", channel_id="c-m", workspace_name="G")
    await app.ideas.submit(draft("Export routes as GPX", message_id="d1", where=discord))
    made = await app.linking.make_code(discord, moderator())
    message, body = slack.post(workspace.ideas, workspace.bob, "Export routes as <KML> & more")
    await workspace.send(body)
    await workspace.send(slack.react(message, workspace.carol, "+1"))

    refused = await workspace.command("/ideabot", f"join {made.code}", workspace.admin)
    assert "already holds 1 ideas" in refused and "merge option" in refused
    hostile = await workspace.command("/ideabot", f"join {made.code} merge now", workspace.admin)
    assert hostile.startswith("Usage:")
    joined = await workspace.command("/ideabot", f"join {made.code} merge", workspace.admin)
    assert "1 ideas renumbered (#1 is now #2, and so on)" in joined

    board = await app.core.board_for(Where(platform="slack", workspace_id=slack.team_id))
    assert board.id == made.board.id
    moved = await app.queries.show(board, 2)
    assert (moved.title, moved.votes) == ("Export routes as <KML> & more", 1)

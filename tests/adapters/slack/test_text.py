"""Slack text in and out: decoded once on the way in (live, edits, commands, shortcuts),
shown as typed outside Slack (CLI, digest, export) and escaped once in the bot's replies."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner, Result

from adapters.slack.chat import at_ts
from bot.app import App
from bot.cli import main
from bot.domain import Where
from tests.adapters.slack.conftest import Workspace

# What a person typed, and what Slack sends for it (it escapes &, < and >).
TYPED = "Tea & biscuits <3 > coffee"
WIRE = "Tea &amp; biscuits &lt;3 &gt; coffee"
SENT_BACK = "Tea &amp; biscuits &lt;3 &gt; coffee"  # escaped once in the bot's own messages


def board_where(space: Workspace) -> Where:
    return Where(platform="slack", workspace_id=space.slack.team_id)


async def title(app: App, space: Workspace, number: int) -> str:
    board = await app.core.board_for(board_where(space))
    return (await app.queries.show(board, number)).title


async def cli(*args: str) -> Result:
    """The real CLI (it runs its own event loop, so in a thread), on the same SQLite file."""
    env = {"IDEABOT_DB": None, "IDEABOT_MODEL_PATH": None}
    return await asyncio.to_thread(CliRunner(env=env).invoke, main, list(args))


async def test_channel_idea_stored_decoded_shown_plain_and_sent_back_escaped_once(
    workspace: Workspace, app: App, tmp_path: Path
) -> None:
    slack = workspace.slack
    message, body = slack.post(workspace.ideas, workspace.alice, WIRE)
    assert (await workspace.send(body)).status == 200
    assert await title(app, workspace, 1) == TYPED

    db = str(tmp_path / "ideabot.db")
    listed = await cli("ideas", "--db", db)
    assert listed.exit_code == 0, listed.output
    assert TYPED in listed.output and "&amp;" not in listed.output
    exported = await cli("export", "--db", db, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(exported.output)))
    assert rows[0]["title"] == TYPED
    year, week, _ = at_ts(message.ts).isocalendar()
    digest = await cli("digest", "--db", db, "--week", f"{year}-W{week:02d}", "--format", "json")
    assert digest.exit_code == 0, digest.output
    assert [i["title"] for i in json.loads(digest.output)["new_ideas"]] == [TYPED]
    markdown = await cli("digest", "--db", db, "--week", f"{year}-W{week:02d}")
    assert "Tea & biscuits" in markdown.output and "&amp;" not in markdown.output

    # Back in Slack: /idea's channel post and /ideas show carry the title escaped once.
    answer = await workspace.command("/ideas", "show 1", workspace.bob)
    assert SENT_BACK in answer and "&amp;amp;" not in answer
    await workspace.command("/idea", WIRE + " again", workspace.bob)
    posted = slack.bot_messages(workspace.general)[-1]
    assert f"{SENT_BACK} again" in posted.text and "&amp;amp;" not in posted.text
    assert await title(app, workspace, 2) == f"{TYPED} again"


async def test_mentions_channels_links_read_as_names(workspace: Workspace, app: App) -> None:
    slack = workspace.slack
    bob = workspace.bob
    wire = (
        f"Ask <@{bob.id}> and <@UNKNOWN1> in <#{workspace.general.id}|general> <!here>:"
        " <https://docs.example/a?x=1&amp;y=2|the R&amp;D doc> and <https://b.example>"
    )
    _, body = slack.post(workspace.ideas, workspace.alice, wire)
    await workspace.send(body)
    assert await title(app, workspace, 1) == (
        "Ask @bob and @UNKNOWN1 in #general @here:"
        " the R&D doc (https://docs.example/a?x=1&y=2) and https://b.example"
    )
    # the reply that quotes nothing of the idea still pings nobody
    assert all("<!here>" not in m.text for m in slack.bot_messages(workspace.ideas))


async def test_edits_and_the_save_shortcut_are_decoded_too(workspace: Workspace, app: App) -> None:
    slack = workspace.slack
    message, body = slack.post(workspace.ideas, workspace.alice, "Dark mode for the map")
    await workspace.send(body)
    await workspace.send(slack.edit(message, f"R&amp;D: dark mode for <@{workspace.bob.id}>"))
    assert await title(app, workspace, 1) == "R&D: dark mode for @bob"

    chat, _ = slack.post(workspace.general, workspace.carol, "GPX &amp; KML export &lt;please&gt;")
    await workspace.send(
        slack.message_shortcut_body("save_as_idea", workspace.admin, workspace.general, chat)
    )
    assert await title(app, workspace, 2) == "GPX & KML export <please>"


async def test_status_notes_and_searches_are_decoded(workspace: Workspace, app: App) -> None:
    await workspace.command("/idea", "Offline maps &amp; routes", workspace.alice)
    answer = await workspace.command(
        "/ideabot", "status 1 planned Q3 &amp; Q4 &lt;maybe&gt;", workspace.admin
    )
    assert answer.startswith("#1 is now"), answer
    board = await app.core.board_for(board_where(workspace))
    assert (await app.queries.show(board, 1)).status_note == "Q3 & Q4 <maybe>"
    found = await workspace.command("/ideas", "search maps &amp; routes", workspace.bob)
    assert "Offline maps &amp; routes" in found and "&amp;amp;" not in found


async def test_many_mentions_cost_a_bounded_number_of_lookups(
    workspace: Workspace, app: App
) -> None:
    slack = workspace.slack
    before = len(slack.calls_to("users.info"))
    wire = "Invite " + " ".join(f"<@U{n:08d}>" for n in range(60))
    _, body = slack.post(workspace.ideas, workspace.alice, wire)
    await workspace.send(body)
    lookups = len(slack.calls_to("users.info")) - before
    assert lookups <= 21  # the author, then at most 20 of the people mentioned
    stored = await title(app, workspace, 1)
    assert stored.startswith("Invite @U00000000 @U00000001") and "<@" not in stored

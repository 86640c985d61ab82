"""The real public sample exports in ../shared/data/exports (CI has them beside the clone).

Skipped where they are absent (a user's fresh clone), but never in CI, which has them:
there a missing folder fails these tests instead of hiding them. Never copied into the
project.
"""

from __future__ import annotations

import os

import pytest

from bot.app import App
from bot.importing.importer import import_export
from bot.importing.reader import read_export
from tests.bot.importing.conftest import SHARED

pytestmark = pytest.mark.skipif(
    not SHARED.exists() and os.environ.get("CI") != "true",
    reason="no ../shared/data/exports beside this clone (CI has them)",
)

SLACK_2016 = SHARED / "slack" / "slack-export-viewer"
SLACKDUMP = SHARED / "slack" / "slackdump" / "source_export_dir"
DCE = SHARED / "discord" / "chat-analytics"


async def test_the_2016_slack_export_as_zip_and_as_folder(app: App) -> None:
    zipped = read_export([SLACK_2016 / "testarchive.zip"])
    folder = read_export([SLACK_2016 / "testarchive"])
    assert zipped.messages == folder.messages
    assert zipped.workspace_id == "T0BMHLSRH"  # from users.json
    assert dict(zipped.skipped) == {
        "bot messages": 97,  # 94 bot_message (no user) and 3 bot_add
        "joins and other system messages": 12,  # 8 joins, 3 file_share, 1 file_comment
    }
    report = await import_export(app.core, zipped)
    assert (report.ideas, report.votes, report.anonymous_votes) == (49, 0, 0)
    again = await import_export(app.core, folder)
    assert (again.ideas, again.skipped["already imported"]) == (0, 49)


async def test_the_slackdump_export_with_threads(app: App) -> None:
    export = read_export([SLACKDUMP])
    assert dict(export.skipped) == {
        "thread replies": 4,  # one of them in the day after its parent's
        "bot messages": 1,  # bot_id with a user and an edit by someone else
        "deleted thread parents (tombstones)": 1,
        "joins and other system messages": 1,
    }
    assert all(isinstance(m.message_id, str) and "." in m.message_id for m in export.messages)
    report = await import_export(app.core, export)
    assert report.ideas == 8 and report.skipped["empty or too short"] == 1


async def test_the_discordchatexporter_samples(app: App) -> None:
    server = read_export([DCE / "SV_5A_5M.json"])
    assert server.workspace_id == "253601524398293010"
    assert dict(server.skipped) == {"repeated in the export": 1}
    report = await import_export(app.core, server)
    # Its reactions are a custom emoji and a heart: no vote emoji, so no votes.
    assert (report.ideas, report.votes, report.anonymous_votes, report.board) == (
        4,
        0,
        0,
        "deflemask",
    )
    group = read_export([DCE / "GC_3A_5M.json"])
    direct = read_export([DCE / "DM_2A_2M.json"])
    assert group.workspace_id is None and direct.workspace_id is None
    assert dict(group.skipped) == {"joins and other system messages": 3}
    assert dict(direct.skipped) == {"bot messages": 1, "joins and other system messages": 1}
    assert (await import_export(app.core, group, board_name="deflemask")).ideas == 3
    assert (await import_export(app.core, direct, board_name="deflemask")).ideas == 1

"""Parsing a Slack export: the example export, as a folder and as the zip Slack makes."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.importing.errors import ImportFileError
from bot.importing.model import ImportedMessage, ParsedExport
from bot.importing.reader import read_export
from tests.bot.importing.conftest import SLACK, zip_folder


def by_ts(export: ParsedExport) -> dict[str, ImportedMessage]:
    return {m.message_id: m for m in export.messages}


def test_the_example_export_yields_its_top_level_messages() -> None:
    export = read_export([SLACK], channels=["feature-requests"])
    assert export.platform == "slack"
    assert export.workspace_id == "T0NOTES01"
    assert export.workspace_name is None
    assert export.channels == ("#feature-requests",)
    assert [m.message_id for m in export.messages] == [
        "1709287200.000100",
        "1709290800.000200",
        "1709294400.000300",
        "1709377200.000500",
        "1709380800.000600",
        "1709388000.000800",
        "1709391600.000900",
        "1709392000.000950",  # "ok": too short, but that is the planner's to say
        "1709512200.001100",
    ]
    assert dict(export.skipped) == {
        "bot messages": 2,
        "thread replies": 2,
        "deleted thread parents (tombstones)": 1,
        "joins and other system messages": 1,
    }
    assert export.problems == ()


def test_messages_are_dated_by_ts_never_by_the_file_name() -> None:
    # 2024-03-03.json holds a message of 2024-03-04 00:30 UTC (the day files follow a
    # local time zone, as Slack's own exports do).
    message = by_ts(read_export([SLACK]))["1709512200.001100"]
    assert message.at == datetime(2024, 3, 4, 0, 30, 0, 1100, tzinfo=UTC)


def test_ts_stays_a_string_and_edits_are_kept() -> None:
    messages = by_ts(read_export([SLACK]))
    tags = messages["1709388000.000800"]
    assert tags.message_id == "1709388000.000800"
    assert tags.edited_at == datetime(2024, 3, 2, 14, 5, tzinfo=UTC)
    assert tags.author.name == "finn"


def test_reactions_keep_count_and_merge_skin_tones() -> None:
    messages = by_ts(read_export([SLACK]))
    offline = messages["1709294400.000300"].reactions
    assert [(r.emoji, r.count, [u.user_id for u in r.users]) for r in offline] == [
        ("+1", 5, ["U01ALICE", "U02BOB"])
    ]
    pdf = messages["1709290800.000200"].reactions
    assert [(r.emoji, r.count, len(r.users)) for r in pdf] == [("+1", 3, 3)]
    shortcut = messages["1709512200.001100"].reactions
    assert [u.is_bot for u in shortcut[0].users] == [False, False, False, False, True]


def test_every_channel_without_a_choice_and_unknown_channels_are_named() -> None:
    export = read_export([SLACK])
    assert set(export.channels) == {"#feature-requests", "#general"}
    with pytest.raises(ImportFileError, match=r"no channel 'ideas'.*#feature-requests, #general"):
        read_export([SLACK], channels=["ideas"])
    assert read_export([SLACK], channels=["#general"]).channels == ("#general",)
    assert read_export([SLACK], channels=["C02GENERAL"]).channels == ("#general",)


def test_the_zip_reads_like_the_folder(tmp_path: Path) -> None:
    folder = read_export([SLACK])
    flat = read_export([zip_folder(SLACK, tmp_path / "export.zip")])
    nested = read_export([zip_folder(SLACK, tmp_path / "nested.zip", nest="slack")])
    assert flat.messages == folder.messages == nested.messages
    assert flat.skipped == folder.skipped


def test_a_team_id_is_derived_from_the_channels_when_the_export_has_none(tmp_path: Path) -> None:
    copy = tmp_path / "old"
    shutil.copytree(SLACK, copy)
    users = json.loads((copy / "users.json").read_text())
    for user in users:
        user.pop("team_id")
    (copy / "users.json").write_text(json.dumps(users))
    for day in (copy / "feature-requests").glob("*.json"):
        messages = json.loads(day.read_text())
        for message in messages:
            message.pop("team", None)
        day.write_text(json.dumps(messages))
    (copy / "general").rename(tmp_path / "general-moved")
    first = read_export([copy]).workspace_id
    assert first is not None and first.startswith("export-")
    assert read_export([copy]).workspace_id == first  # stable: a re-import finds its board


def test_text_is_stored_as_people_read_it_in_slack(tmp_path: Path) -> None:
    copy = tmp_path / "export"
    shutil.copytree(SLACK, copy)
    day = copy / "feature-requests" / "2024-03-01.json"
    messages = json.loads(day.read_text())
    wires = {
        "1709300000.000100": "R&amp;D &lt;3: ask <@U02BOB> and <@U99GONE|gone> in <#C02GENERAL>",
        "1709300000.000200": "See <https://x.example/?a=1&amp;b=2|the doc> <!here> &amp;lt;",
        "1709300000.000300": "<b>not markup</b> <@U04DAN>",
    }
    for ts, text in wires.items():
        messages.append({"type": "message", "user": "U01ALICE", "text": text, "ts": ts})
    day.write_text(json.dumps(messages))
    texts = {ts: m.text for ts, m in by_ts(read_export([copy])).items() if ts in wires}
    assert texts == {
        # names from users.json and channels.json; a person it lacks keeps the label
        "1709300000.000100": "R&D <3: ask @bob and @gone in #general",
        # decoded once: the "&lt;" a person typed stays "&lt;"
        "1709300000.000200": "See the doc (https://x.example/?a=1&b=2) @here &lt;",
        # no display name: the real name, as the importer names authors
        "1709300000.000300": "<b>not markup</b> @Dan Reyes",
    }

"""Parsing DiscordChatExporter files: the example channel, its thread and a forum post."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.importing.errors import ImportFileError
from bot.importing.model import ImportedMessage
from bot.importing.reader import read_export
from tests.bot.importing.conftest import DISCORD

IDEAS = DISCORD / "ideas.json"


def by_id(paths: list[Path]) -> dict[str, ImportedMessage]:
    return {m.message_id: m for m in read_export(paths).messages}


def test_the_example_folder_yields_ideas_from_the_channel_and_the_forum_post() -> None:
    export = read_export([DISCORD])
    assert export.platform == "discord"
    assert export.workspace_id == "1100000000000000001"
    assert export.workspace_name == "Trailhead Notes"
    assert sorted(m.message_id for m in export.messages) == [
        "1100000000000000101",
        "1100000000000000102",
        "1100000000000000107",
        "1100000000000000108",
        "1100000000000000300",  # a forum post's opening message: the thread's own id
    ]
    assert dict(export.skipped) == {
        "thread replies": 4,  # a Reply in the channel, two in the thread, one in the forum
        "joins and other system messages": 1,
        "bot messages": 1,
        "unknown message types": 1,
    }


def test_timestamps_keep_their_offset() -> None:
    messages = by_id([IDEAS])
    assert messages["1100000000000000101"].at == datetime(2024, 4, 1, 13, 0, tzinfo=UTC)
    assert messages["1100000000000000108"].edited_at == datetime(2024, 4, 1, 15, 5, tzinfo=UTC)


def test_reactions_with_users_absent_empty_or_short_keep_their_count() -> None:
    messages = by_id([IDEAS])

    def summary(message_id: str) -> list[tuple[str, int, list[str], tuple[str, ...]]]:
        return [
            (r.emoji, r.count, [u.user_id[-1] for u in r.users], r.aliases)
            for r in messages[message_id].reactions
        ]

    assert summary("1100000000000000101") == [("👍", 3, [], ())]  # old DCE: id null, no users
    assert summary("1100000000000000102") == [
        ("👍", 2, ["1", "3"], ("thumbsup",)),  # new DCE: id "", code, users
        ("❤️", 1, ["4"], ("heart",)),
    ]
    assert summary("1100000000000000107") == [("👍", 2, [], ("thumbsup",))]  # users []
    assert summary("1100000000000000108")[0] == ("👍", 4, ["2", "3", "4"], ("thumbsup",))


def test_names_permalinks_and_channels() -> None:
    messages = by_id([DISCORD])
    widget = messages["1100000000000000102"]
    assert widget.author.name == "Ben"  # the nickname, as the live bot shows it
    assert messages["1100000000000000300"].author.name == "cleo"  # no nickname: the name
    assert widget.permalink == (
        "https://discord.com/channels/1100000000000000001/1100000000000000010/1100000000000000102"
    )
    assert messages["1100000000000000300"].channel_id == "1100000000000000300"


def test_choosing_a_channel_takes_its_threads_too() -> None:
    export = read_export([DISCORD], channels=["ideas"])
    assert sorted(export.channels) == ["#A widget for the home screen", "#ideas"]
    assert len(export.messages) == 4
    forum = read_export([DISCORD], channels=["#feature-forum"])
    assert [m.message_id for m in forum.messages] == ["1100000000000000300"]


def test_a_message_repeated_in_the_export_counts_once(tmp_path: Path) -> None:
    data = json.loads(IDEAS.read_text())
    data["messages"].append(data["messages"][0])
    path = tmp_path / "ideas.json"
    path.write_text(json.dumps(data))
    export = read_export([path])
    assert len(export.messages) == 4
    assert export.skipped["repeated in the export"] == 1


def test_files_of_two_servers_are_refused(tmp_path: Path) -> None:
    data = json.loads(IDEAS.read_text())
    data["guild"]["id"] = "999"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(data))
    with pytest.raises(ImportFileError, match="2 different servers"):
        read_export([IDEAS, other])


def test_a_direct_message_export_has_no_workspace(tmp_path: Path) -> None:
    data = json.loads(IDEAS.read_text())
    data["guild"] = {"id": "0", "name": "Direct Messages", "iconUrl": None}
    data["channel"]["type"] = "DirectTextChat"
    path = tmp_path / "dm.json"
    path.write_text(json.dumps(data))
    assert read_export([path]).workspace_id is None

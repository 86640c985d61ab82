"""The one event flow, driven through a recording chat port: no platform library, no
model (the test embedder), a real SQLite file."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.chat import MessageRef
from bot.domain import MessageDeleted, MessageEdited, ReactionChange
from bot.flow import Places
from bot.results import Created, Ignored, VoteChanged
from tests.chat import RecordingChat


async def votes(app: App, port: RecordingChat) -> dict[int, int]:
    board = await app.core.board_for(port.where("ideas"))
    return {idea.number: idea.votes for idea in await app.queries.all(board)}


def reaction(port: RecordingChat, ref: MessageRef, user: str, added: bool = True) -> ReactionChange:
    return ReactionChange(
        where=ref.where,
        message_id=ref.message_id,
        person=port.person(user),
        emoji="👍",
        added=added,
        at=port._clock,
    )


async def test_a_message_in_an_idea_channel_becomes_an_answered_idea(
    app: App, chat: RecordingChat
) -> None:
    message = chat.post("ideas", "alice", "Dark mode for the map screen")
    result = await app.flow.message(chat, message)
    assert isinstance(result, Created) and result.idea.number == 1
    assert result.idea.permalink == f"https://chat.example/ideas/{message.ref.message_id}"
    assert chat.votes_added == [message.ref]
    [answer] = chat.answers
    assert answer.text == "#1 Created"
    # A vote on the bot's answer counts for the idea; the bot's own 👍 does not.
    assert isinstance(await app.flow.reaction(reaction(chat, answer.ref, "bob")), VoteChanged)
    assert await votes(app, chat) == {1: 1}
    # The same message again (a redelivery) is not a second idea and is not answered twice.
    again = await app.flow.message(chat, message)
    assert again is not None and again.idea.number == 1 and len(chat.answers) == 1


async def test_what_is_not_an_idea_changes_nothing(app: App, chat: RecordingChat) -> None:
    assert await app.flow.message(chat, chat.post("general", "alice", "lunch?")) is None
    reply = chat.post("ideas", "bob", "I agree", thread=True)
    assert await app.flow.message(chat, reply) is None
    assert await app.flow.message(chat, chat.post("ideas", "bot", "Saved as #1")) is None
    assert chat.answers == [] and chat.refusals == [] and await votes(app, chat) == {}


@pytest.mark.parametrize("text", ["", "   ", "x" * 4001, "\u202e\u202e"])
async def test_a_refused_idea_is_said_under_the_message_and_stores_nothing(
    app: App, chat: RecordingChat, text: str
) -> None:
    message = chat.post("ideas", "alice", text)
    assert await app.flow.message(chat, message) is None
    [refusal] = chat.refusals
    assert refusal.ref == message.ref and refusal.text
    assert chat.answers == [] and await votes(app, chat) == {}


async def test_edits_follow_and_a_bad_edit_is_ignored(app: App, chat: RecordingChat) -> None:
    message = chat.post("ideas", "alice", "Dark mode")
    await app.flow.message(chat, message)
    edit = MessageEdited(
        where=message.ref.where, message_id=message.ref.message_id, text="y" * 5000, at=chat._clock
    )
    assert isinstance(await app.flow.edited(edit), Ignored)
    board = await app.core.board_for(message.ref.where)
    assert (await app.queries.show(board, 1)).title == "Dark mode"
    gone = MessageDeleted(
        where=message.ref.where, message_id=message.ref.message_id, at=chat._clock
    )
    await app.flow.deleted(gone)
    assert await votes(app, chat) == {}


async def test_catch_up_reads_each_missed_message_once(app: App, chat: RecordingChat) -> None:
    first = chat.post("ideas", "alice", "Dark mode for the map screen")
    await app.flow.message(chat, first)
    # down: two ideas and a thread reply are posted
    chat.post("ideas", "bob", "Export routes as GPX files")
    chat.post("ideas", "carol", "nice", thread=True)
    chat.post("ideas", "dan", "Offline maps for whole regions")
    for _ in range(2):
        await app.flow.catch_up(chat, [chat.where("ideas")])
        assert sorted(await votes(app, chat)) == [1, 2, 3]
    assert len(chat.answers) == 3


async def test_catch_up_with_the_platform_down_stops_and_changes_nothing(
    app: App, chat: RecordingChat, caplog: pytest.LogCaptureFixture
) -> None:
    await app.flow.message(chat, chat.post("ideas", "alice", "Dark mode"))
    chat.post("ideas", "bob", "Export routes as GPX files")
    chat.down = True
    await app.flow.catch_up(chat, [chat.where("ideas")])
    assert "catch-up of channel ideas stopped" in caplog.text
    assert list(await votes(app, chat)) == [1]
    chat.down = False
    await app.flow.catch_up(chat, [chat.where("ideas")])
    assert list(await votes(app, chat)) == [1, 2]


def test_a_channels_place_never_moves_past_a_message_still_being_handled() -> None:
    places = Places()
    for n in ("5", "6", "7"):
        places.started(("p", "c", n))
    assert places.finished(("p", "c", "7")) is None  # 5 and 6 are still being handled
    assert places.finished(("p", "c", "5")) == "5"
    places.started(("p", "c", "8"))
    assert places.finished(("p", "c", "6")) == "7"  # 8 is newer than what is done
    assert places.finished(("p", "c", "8")) == "8"
    places.started(("p", "other", "1"))
    assert places.finished(("p", "other", "1")) == "1"


def test_a_message_handled_twice_at_once_moves_the_place_and_forgets_it() -> None:
    # Catch-up reads a message from history while its live event is being handled: both
    # finish, in either order, without error (a KeyError once ended the second handler).
    places = Places()
    places.started(("p", "c", "5"))
    places.started(("p", "c", "5"))
    places.started(("p", "c", "4"))
    assert places.finished(("p", "c", "5")) is None  # 4 is still being handled
    assert places.finished(("p", "c", "4")) == "5"
    assert places.finished(("p", "c", "5")) == "5"
    places.started(("p", "c", "6"))
    assert places.finished(("p", "c", "6")) == "6"

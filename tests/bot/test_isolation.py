"""Boards are sealed: one community can never read, vote, merge or change another's ideas."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.domain import DeleteIdea, MergeIdeas, MessageDeleted, MessageEdited, SetStatus, Where
from bot.errors import UnknownIdea
from bot.results import Created, Ignored
from tests.conftest import draft, moderator, vote

ONE = Where(platform="discord", workspace_id="guild-1", channel_id="ideas-1", workspace_name="One")
TWO = Where(platform="discord", workspace_id="guild-2", channel_id="ideas-2", workspace_name="Two")


async def test_two_boards_share_nothing(app: App) -> None:
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="a1", where=ONE))
    await app.ideas.submit(draft("Export routes as GPX files", message_id="a2", where=ONE))
    other = await app.ideas.submit(
        draft("Dark mode for the map screen", message_id="b1", where=TWO)
    )
    # the same text on another board is new there: no cross-board duplicates
    assert isinstance(other, Created) and other.idea.number == 1
    board_one = await app.core.board_for(ONE)
    board_two = await app.core.board_for(TWO)
    assert board_one.id != board_two.id

    # a reaction that names board two's place but board one's message counts nowhere
    crossed = await app.ideas.react(
        vote(
            "a1",
            "bob",
            where=Where(platform="discord", workspace_id="guild-2", channel_id="ideas-1"),
        )
    )
    assert isinstance(crossed, Ignored)
    assert (await app.queries.show(board_one, 1)).votes == 0

    # board two cannot reach idea #2, which exists only on board one
    for attempt in (
        app.moderation.merge(MergeIdeas(where=TWO, actor=moderator(), number=2, into=1)),
        app.moderation.set_status(SetStatus(where=TWO, actor=moderator(), number=2, status="done")),
        app.moderation.delete(DeleteIdea(where=TWO, actor=moderator(), number=2)),
    ):
        with pytest.raises(UnknownIdea):
            await attempt
    with pytest.raises(UnknownIdea):
        await app.queries.show(board_two, 2)

    # edits and deletes naming board one's message from board two do nothing
    edited = await app.ideas.edit(
        MessageEdited(
            where=Where(platform="discord", workspace_id="guild-2", channel_id="ideas-1"),
            message_id="a1",
            text="Hijacked text",
            at=other.idea.created_at,
        )
    )
    assert isinstance(edited, Ignored)
    deleted = await app.ideas.message_deleted(
        MessageDeleted(
            where=Where(platform="discord", workspace_id="guild-2", channel_id="ideas-1"),
            message_id="a1",
            at=other.idea.created_at,
        )
    )
    assert isinstance(deleted, Ignored)
    one = await app.queries.show(board_one, 1)
    assert one.title == "Dark mode for the map screen" and not one.deleted

    # search and top see only their own board
    assert [c.idea.number for c in await app.queries.search(board_two, "gpx export")] == [1]
    assert {i.title for i in await app.queries.all(board_two)} == {"Dark mode for the map screen"}
    await app.moderation.configure(TWO, moderator(), "suggest", "0.3")
    assert (await app.core.board_for(ONE)).settings.suggest != 0.3

"""Reconciliation through a recording chat port: stored votes end equal to what the
platform shows, once, from a kept place, without undoing live events."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Mapping, Sequence

import pytest

from bot.app import App
from bot.chat import MessageRef
from bot.domain import Person, ReactionChange, SetStatus
from bot.reconcile import vote_changes
from tests.chat import RecordingChat
from tests.conftest import FakeClock, moderator

TEXTS = [
    f"idea {word} for hikers" for word in ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"]
]


async def seed(app: App, chat: RecordingChat, count: int) -> list[MessageRef]:
    refs = []
    for text in TEXTS[:count]:
        message = chat.post("ideas", "alice", text)
        await app.flow.message(chat, message)
        refs.append(message.ref)
    return refs


async def votes(app: App, chat: RecordingChat) -> dict[int, int]:
    board = await app.core.board_for(chat.where("ideas"))
    return {idea.number: idea.votes for idea in await app.queries.all(board)}


async def reconcile(app: App, chat: RecordingChat) -> int:
    board = await app.core.board_for(chat.where("ideas"))
    return (await app.reconciler.run_board(chat, board)).changed


def test_vote_changes_adds_removes_and_leaves_bots_and_moved_people() -> None:
    people = [
        Person(platform="p", user_id=u, name=u, is_bot=u == "bot") for u in ["a", "b", "bot", "c"]
    ]
    changes = vote_changes(
        {"a": True, "d": True, "b": False, "e": False, "c": False}, people, {"c"}
    )
    assert [p.user_id for p in changes.add] == ["b"]
    assert changes.remove == ("d",)
    assert vote_changes({"a": True}, people[:1]) == vote_changes({}, [])


async def test_votes_cast_and_taken_back_while_down_are_counted_once(
    app: App, chat: RecordingChat
) -> None:
    first, second = await seed(app, chat, 2)
    await app.flow.reaction(
        ReactionChange(
            where=first.where,
            message_id=first.message_id,
            person=chat.person("bob"),
            emoji="👍",
            added=True,
            at=chat._clock,
        )
    )
    chat.react(first, "bob")
    # down: bob takes his vote back, carol votes on the source, dan on the bot's answer,
    # erin on both (one vote), and a 🎉 is no vote
    chat.react(first, "bob", on=False)
    chat.react(first, "carol")
    answer = next(a.ref for a in chat.answers if a.text.startswith("#2"))
    chat.react(answer, "dan")
    chat.react(second, "erin")
    chat.react(answer, "erin")
    chat.react(second, "frank", "🎉")
    assert await reconcile(app, chat) == 5
    assert await votes(app, chat) == {1: 1, 2: 2}
    assert await reconcile(app, chat) == 0  # a second pass changes nothing


async def test_what_cannot_gain_votes_is_not_read(
    app: App, chat: RecordingChat, clock: FakeClock
) -> None:
    refs = await seed(app, chat, 3)
    board = await app.core.board_for(chat.where("ideas"))
    await app.moderation.set_status(
        SetStatus(where=chat.where("ideas"), actor=moderator(), number=1, status="done", note=None)
    )
    chat.unreadable.add(refs[2].message_id)  # deleted meanwhile: its votes stay as stored
    chat.reads.clear()
    report = await app.reconciler.run_board(chat, board)
    read = [r.message_id for r in chat.reads]
    assert refs[0].message_id not in read and refs[1].message_id in read
    assert report.unreadable == 1
    clock.advance(days=91)  # past the board's reconcile_days: nothing is read
    chat.reads.clear()
    await app.reconciler.run_board(chat, board)
    assert chat.reads == []


class StopAfter(RecordingChat):
    """Stops (as a killed process would) when it is asked for its n-th message."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n = n

    async def voters(
        self, ref: MessageRef, emoji: Collection[str]
    ) -> Mapping[str, Sequence[Person]] | None:
        if len(self.reads) >= self.n:
            raise asyncio.CancelledError
        return await super().voters(ref, emoji)


async def test_an_interrupted_pass_carries_on_from_its_place_then_goes_round(
    app: App,
) -> None:
    chat = StopAfter(n=10**9)
    await app.channels.set_channel(chat.where("ideas"), moderator(), "ideas", True)
    refs = await seed(app, chat, 6)
    board = await app.core.board_for(chat.where("ideas"))
    chat.reads.clear()
    chat.n = 5  # two messages an idea (source, answer): stops inside the third idea
    with pytest.raises(asyncio.CancelledError):
        await app.reconciler.run_board(chat, board)
    done = [r.message_id for r in chat.reads]
    assert done[:2] == [refs[5].message_id, chat.answers[5].ref.message_id]  # newest first
    chat.reads.clear()
    chat.n = 10**9
    report = await app.reconciler.run_board(chat, board)
    order = [r.message_id for r in chat.reads]
    # Idea 4 was not finished: below the place first (ideas 4 to 1), then round to the
    # ideas done before the stop (6, 5).
    assert order[0] == refs[3].message_id
    assert order[-2:] == [refs[4].message_id, chat.answers[4].ref.message_id]
    assert report.ideas == 6 and len(order) == 12  # each message once


class LiveDuringRead(RecordingChat):
    """While the platform is read, a live event changes one person's vote."""

    app: App
    live: ReactionChange | None = None

    async def voters(
        self, ref: MessageRef, emoji: Collection[str]
    ) -> Mapping[str, Sequence[Person]] | None:
        shown = await super().voters(ref, emoji)
        if self.live is not None and ref.message_id == self.live.message_id:
            live, self.live = self.live, None
            await self.app.flow.reaction(live)
        return shown


async def test_a_live_event_during_the_read_is_not_undone(app: App) -> None:
    chat = LiveDuringRead()
    chat.app = app
    await app.channels.set_channel(chat.where("ideas"), moderator(), "ideas", True)
    [ref] = await seed(app, chat, 1)
    # The read shows no vote of bob's; his 👍 arrives live while the read is under way.
    chat.live = ReactionChange(
        where=ref.where,
        message_id=ref.message_id,
        person=chat.person("bob"),
        emoji="👍",
        added=True,
        at=chat._clock,
    )
    assert await reconcile(app, chat) == 0
    assert await votes(app, chat) == {1: 1}


async def test_an_exports_count_of_unnamed_voters_gives_way_to_the_named_ones(
    app: App, chat: RecordingChat
) -> None:
    [ref] = await seed(app, chat, 1)
    board = await app.core.board_for(chat.where("ideas"))

    # As `ideabot import` stores an export that said "3 reacted" without names.
    store = app.core.store
    target = await store.ideas.message_target("discord", ref.channel_id, ref.message_id)
    assert target is not None
    await store.imports.set_anonymous(
        board.id, [], [(target.idea_id, target.message_row, "👍", 3, app.core.now())]
    )
    assert await votes(app, chat) == {1: 3}
    for name in ("bob", "carol", "dan"):  # the platform names the three
        chat.react(ref, name)
    await reconcile(app, chat)
    assert await votes(app, chat) == {1: 3}  # not 6
    assert await reconcile(app, chat) == 0

"""Merging one board into another, on both engines: every row of the source board moves
(counted table by table), ideas renumbered after the target's, votes exact, merges and
statuses kept, duplicates across the two offered (never merged), and the caches of the
running process (and of another one) follow."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest

from bot.admin import Admin, operator
from bot.app import App, build_app
from bot.board_merge import merge_boards
from bot.boards import Board
from bot.channels import Channels
from bot.domain import Actor, Person, Where
from bot.errors import InvalidMerge, NotAllowed
from bot.linking import InvalidCode, Linking
from bot.results import Merged, PossibleDuplicate
from bot.settings import Settings
from storage.engines import is_postgres
from storage.port import Transaction
from storage.rows import PostKey
from tests.conftest import FakeClock, draft, vote
from tests.engines import rows, snapshot
from tests.fakes.embedder import TestEmbedder

INTO = Where(platform="discord", workspace_id="g1", channel_id="c1", workspace_name="Guild One")
SOURCE = Where(platform="discord", workspace_id="g2", channel_id="c2", workspace_name="Guild Two")
# Each board's texts: ideas 1-5, idea 5 a likely duplicate of idea 1 (offered on its board).
TEXTS = {
    "i": [
        "Export the route as a GPX file",
        "Dark mode for the map screen",
        "Offline maps for whole regions",
        "A widget with the weather on the route",
        "Save a route as a GPX export",
    ],
    "s": [
        "Share a ride with friends by link",
        "Heart rate zones in the ride summary",
        "Strava upload after every ride",
        "A bigger font on the speed display",
        "Send friends a link to my ride",
    ],
}
# A source idea that is likely the same as one of the target's: offered after the merge.
ACROSS = ("Dark mode for the map screen", "A dark theme for the maps at night")


def mod(where: Where, name: str = "mod") -> Actor:
    return Actor(
        person=Person(platform=where.platform, user_id=f"{name}-{where.workspace_id}", name=name),
        is_moderator=True,
    )


@dataclass(frozen=True)
class Filled:
    board: Board
    ids: list[int]  # idea ids by number - 1


async def fill(app: App, where: Where, prefix: str, embedder: TestEmbedder) -> Filled:
    """A board with something in every table that holds board rows."""
    texts = TEXTS[prefix]
    embedder.likely(texts[0], texts[4])
    core = app.core
    channels = Channels(core)
    await channels.set_channel(where, mod(where), "ideas", True)
    await channels.set_channel(
        Where(platform=where.platform, workspace_id=where.workspace_id, channel_id=f"{prefix}-dg"),
        mod(where),
        "digest",
        True,
    )
    board = await core.board_for(where)
    admin = Admin(core)
    await admin.add_webhook(
        board, operator("ops"), "http://127.0.0.1:9/hook", ("idea.created",), True
    )
    for n, text in enumerate(texts[:4], 1):
        await app.ideas.submit(
            draft(text, f"{prefix}-author{n}", message_id=f"{prefix}{n}", where=where)
        )
    offered = await app.ideas.submit(
        draft(texts[4], f"{prefix}-author5", message_id=f"{prefix}5", where=where)
    )
    assert isinstance(offered, PossibleDuplicate)
    # bob votes on both boards; his vote on a merged duplicate counts once.
    await app.ideas.react(vote(f"{prefix}1", "bob", where=where))
    await app.ideas.react(vote(f"{prefix}3", "bob", where=where))
    await app.ideas.react(vote(f"{prefix}2", "carol", where=where))
    await app.ideas.react(vote(f"{prefix}2", "dan", where=where))
    await app.ideas.react(vote(f"{prefix}2", "dan", where=where, added=False))
    await app.moderation.merge_on(board, mod(where), 3, 1)
    await app.moderation.set_status_on(board, mod(where), 2, "planned", "in March")
    await app.moderation.delete_on(board, mod(where), 4, "spam")
    await Linking(core).make_code(where, mod(where))
    at = core.now()
    ids_now = [r.id for r in await core.store.ideas.listing(board.id, include_deleted=True)]
    await core.store.digests.claim(
        PostKey(
            board_id=board.id,
            platform=where.platform,
            workspace_id=where.workspace_id,
            channel_id=f"{prefix}-dg",
            period_start=at - timedelta(days=7),
            period_end=at,
            label="week",
        ),
        "test",
        at,
        at + timedelta(minutes=5),
        False,
    )
    # Idea 2 has reached a votes threshold (an idea.votes_reached webhook told of it once).
    async with core.store.transaction() as tx:
        assert (await tx.webhooks.votes_reached(board.id, ids_now[1], [1], at))[1] == [1]
    await core.store.reconcile.start(where.platform, board.id, at)
    await core.store.pages.set_public(board.id, True, at)
    listed = await core.store.ideas.listing(board.id, include_deleted=True)
    ids = [r.id for r in listed]
    message_row = rows(
        app, f"SELECT id FROM messages WHERE idea_id = {ids[1]} AND kind = 'source'"
    )[0][0]
    async with core.store.transaction() as tx:
        await tx.imports.set_anonymous(board.id, [], [(ids[1], message_row, "👍", 3, at)])
    return Filled(board=await core.refresh_board(board.id), ids=ids)


def board_tables(app: App) -> list[str]:
    """Every table with a board_id column, as the database itself says."""
    if is_postgres(app.core.store.location):
        found = rows(
            app,
            "SELECT table_name FROM information_schema.columns WHERE column_name = 'board_id'"
            " AND table_schema = current_schema() ORDER BY table_name",
        )
    else:
        found = rows(
            app,
            "SELECT m.name FROM sqlite_master m, pragma_table_info(m.name) p"
            " WHERE m.type = 'table' AND p.name = 'board_id' ORDER BY m.name",
        )
    return [r[0] for r in found]


def counts(app: App, board_id: int) -> dict[str, int]:
    return {
        t: int(rows(app, f"SELECT COUNT(*) FROM {t} WHERE board_id = {board_id}")[0][0])
        for t in board_tables(app)
    }


# Per-board state the target keeps its own of (see storage.board_merge).
DROPPED = {"web_access", "reconcile_places"}


async def test_every_row_of_the_source_board_moves_and_votes_stay_exact(
    app: App, embedder: TestEmbedder, clock: FakeClock
) -> None:
    into = await fill(app, INTO, "i", embedder)
    source = await fill(app, SOURCE, "s", embedder)
    store = app.core.store
    before_into, before_source = counts(app, into.board.id), counts(app, source.board.id)
    assert set(before_source) >= {"ideas", "reactions", "outbox", "digest_posts"}
    empty = [t for t, n in before_source.items() if n == 0]
    assert empty == [], f"the test leaves {empty} empty: it would not see them lost"
    members = rows(app, "SELECT COUNT(*) FROM members")[0][0]
    listed_into = await store.ideas.listing(into.board.id, include_deleted=True)
    listed_source = await store.ideas.listing(source.board.id, include_deleted=True)

    merged_at = clock.advance(days=1)
    merged = await merge_boards(app.core, operator("ops"), source.board, into.board)

    assert merged.numbers == ((1, 6), (2, 7), (3, 8), (4, 9), (5, 10))
    # The web board's Last-Modified moves: the moved ideas changed numbers.
    assert await store.pages.last_change(into.board.id) == merged_at
    after = counts(app, into.board.id)
    for table, n in before_source.items():
        expected = before_into[table] + (0 if table in DROPPED else n)
        # The target's log also holds the merge itself.
        expected += 1 if table == "moderation_log" else 0
        assert after[table] == expected, table
        assert counts(app, source.board.id)[table] == 0, table
    assert rows(app, "SELECT COUNT(*) FROM members")[0][0] == members
    assert await store.boards.by_id(source.board.id) is None
    assert await store.ideas.next_number(into.board.id) == 11

    now = {r.number: r for r in await store.ideas.listing(into.board.id, include_deleted=True)}
    for old in listed_into:
        assert now[old.number].id == old.id
        assert (now[old.number].votes, now[old.number].status) == (old.votes, old.status)
    renumber = dict(merged.numbers)
    for old in listed_source:
        moved = now[renumber[old.number]]
        assert moved.id == old.id
        assert (moved.title, moved.votes, moved.status, moved.status_note) == (
            old.title,
            old.votes,
            old.status,
            old.status_note,
        )
        assert moved.merged_into_number == (
            None if old.merged_into_number is None else renumber[old.merged_into_number]
        )
        assert (moved.deleted_at is None) == (old.deleted_at is None)
    # Votes exact: bob keeps his vote on each board's #1 (his duplicate vote counts once).
    assert now[1].votes == now[6].votes == 1
    assert now[8].merged_into_number == 6
    logged = rows(
        app,
        f"SELECT details FROM moderation_log WHERE board_id = {into.board.id}"
        " AND action = 'board merge'",
    )
    assert len(logged) == 1 and "guild-two" in str(logged[0][0])


async def test_the_communities_follow_and_a_vote_after_lands_on_the_new_number(
    app: App, embedder: TestEmbedder
) -> None:
    into = await fill(app, INTO, "i", embedder)
    source = await fill(app, SOURCE, "s", embedder)
    await app.moderation.configure_on(
        source.board, mod(SOURCE), {"moderator_users": "u-sam", "banned_users": "u-troll"}
    )
    await app.moderation.configure_on(into.board, mod(INTO), {"moderator_users": "u-ida"})
    votes = (await app.queries.show(source.board, 2)).votes

    merged = await merge_boards(
        app.core, operator("ops"), await app.core.refresh_board(source.board.id), into.board
    )

    assert (await app.core.board_for(SOURCE)).id == into.board.id
    settings = merged.into.settings
    assert settings.moderator_users == ("u-ida", "u-sam")
    assert settings.banned_users == ("u-troll",)
    await app.ideas.react(vote("s2", "zed", where=SOURCE))
    assert (await app.queries.show(merged.into, 7)).votes == votes + 1
    # A new idea posted in the source's channel lands on the merged board, numbered next.
    created = await app.ideas.submit(
        draft("Lights that blink on brake", "eve", message_id="s9", where=SOURCE)
    )
    assert created.idea.number == 11 and created.idea.board_id == into.board.id


async def test_duplicates_across_the_boards_are_offered_not_merged(
    app: App, embedder: TestEmbedder
) -> None:
    embedder.likely(*ACROSS)
    into = await fill(app, INTO, "i", embedder)
    source = await app.core.board_for(SOURCE)
    await app.ideas.submit(
        draft("Share a ride with friends by link", "sam", message_id="s1", where=SOURCE)
    )
    await app.ideas.submit(draft(ACROSS[1], "sam", message_id="s2", where=SOURCE))

    merged = await merge_boards(app.core, operator("ops"), source, into.board)

    assert merged.numbers == ((1, 6), (2, 7))
    assert [(s.number, s.candidate) for s in merged.suggestions] == [(7, 2)]
    moved = await app.core.idea(merged.into, 7)
    assert moved.merged_into is None
    offered = await app.core.store.suggestions.pending(into.board.id, moved.id)
    assert offered == [into.ids[1]]


async def test_a_board_is_not_merged_into_itself_nor_by_a_member(
    app: App, embedder: TestEmbedder
) -> None:
    into = await fill(app, INTO, "i", embedder)
    source = await app.core.board_for(SOURCE)
    before = counts(app, into.board.id)
    with pytest.raises(InvalidMerge, match="into itself"):
        await merge_boards(app.core, operator("ops"), into.board, into.board)
    member = Actor(person=Person(platform="discord", user_id="u-m", name="m"))
    with pytest.raises(NotAllowed):
        await merge_boards(app.core, member, source, into.board)
    assert counts(app, into.board.id) == before
    assert await app.core.store.boards.by_id(source.id) is not None


async def test_another_process_sees_the_merged_ideas_in_its_index(
    app: App, embedder: TestEmbedder, database: Path | str, clock: FakeClock
) -> None:
    into = await app.core.board_for(INTO)
    await app.ideas.submit(draft("Export the route as a GPX file", message_id="i1", where=INTO))
    await app.core.index(into)  # this process's index of the target, loaded
    other = await build_app(Settings(db=database), embedder=embedder, clock=clock)
    try:
        await other.ideas.submit(
            draft("Heart rate zones in the ride summary", "sam", message_id="s1", where=SOURCE)
        )
        source = await other.core.board_for(SOURCE)
        target = await other.core.board_named(into.name)
        await merge_boards(other.core, operator("ops"), source, target)
    finally:
        await other.close()
    # Posted again here: the index of this process finds the moved idea, by its new number.
    again = await app.ideas.submit(
        draft("Heart rate zones in the ride summary", "tom", message_id="i7", where=INTO)
    )
    assert isinstance(again, Merged)
    assert again.into.number == 2


async def test_what_fails_inside_the_merge_leaves_both_boards_as_they_were(
    app: App, embedder: TestEmbedder
) -> None:
    into = await fill(app, INTO, "i", embedder)
    source = await fill(app, SOURCE, "s", embedder)
    before = snapshot(app)

    async def refuse(tx: Transaction) -> None:
        await tx.log.add(into.board.id, None, "half way", {}, app.core.now())
        raise InvalidCode("That code was used already.")

    with pytest.raises(InvalidCode):
        await merge_boards(app.core, operator("ops"), source.board, into.board, also=refuse)
    assert snapshot(app) == before
    assert (await app.core.board_for(SOURCE)).id == source.board.id


@pytest.mark.real_model
async def test_on_the_real_model_a_duplicate_across_the_boards_is_offered(app: App) -> None:
    into = await app.core.board_for(INTO)
    for n, text in enumerate(
        [
            "Add a dark mode to the app, the white screen is too bright at night",
            "Let me export my rides as GPX files",
        ],
        1,
    ):
        await app.ideas.submit(draft(text, message_id=f"i{n}", where=INTO))
    source = await app.core.board_for(SOURCE)
    for n, text in enumerate(
        [
            "Can we get a dark mode? The white screen is too bright at night",
            "Show the weather forecast along the planned route",
        ],
        1,
    ):
        await app.ideas.submit(draft(text, "sam", message_id=f"s{n}", where=SOURCE))

    merged = await merge_boards(app.core, operator("ops"), source, into)

    assert [(s.number, s.candidate) for s in merged.suggestions] == [(3, 1)]
    assert (await app.core.idea(merged.into, 3)).merged_into is None

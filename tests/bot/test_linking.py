"""Linking communities to one board: one-time codes, refused when wrong, used or expired."""

from __future__ import annotations

import pytest

from bot.app import App
from bot.channels import Channels
from bot.domain import Actor, Person, Where
from bot.errors import NotAllowed
from bot.linking import CODE_LIFETIME, InvalidCode, Linking
from bot.results import Merged
from tests.conftest import FakeClock, draft, vote
from tests.fakes.embedder import TestEmbedder

DISCORD = Where(platform="discord", workspace_id="g1", channel_id="d-ideas", workspace_name="G")
SLACK = Where(platform="slack", workspace_id="T1", channel_id="C-ideas", workspace_name="T")


def mod(where: Where, name: str = "mod") -> Actor:
    return Actor(
        person=Person(platform=where.platform, user_id=f"{name}-{where.platform}", name=name),
        is_moderator=True,
    )


def member(where: Where) -> Actor:
    return Actor(person=Person(platform=where.platform, user_id="m", name="m"))


async def test_a_code_attaches_another_community_once(app: App) -> None:
    linking = Linking(app.core)
    made = await linking.make_code(DISCORD, mod(DISCORD))
    joined = await linking.join(SLACK, mod(SLACK), made.code.lower()[:5] + "-" + made.code[5:])
    assert joined.board.id == made.board.id and joined.merged is None
    assert joined.message("workspace") == f"This workspace now shares board `{made.board.name}`."
    assert (await app.core.board_for(SLACK)).id == (await app.core.board_for(DISCORD)).id
    other = Where(platform="slack", workspace_id="T2", channel_id="C2")
    with pytest.raises(InvalidCode, match="used already"):
        await linking.join(other, mod(other), made.code)


async def test_shared_board_shares_ideas_votes_and_duplicates(
    app: App, embedder: TestEmbedder
) -> None:
    embedder.same(
        "Add a dark mode to the app. The white screen is too bright.",
        "Add a dark mode to the app, the white screen is far too bright.",
    )
    linking = Linking(app.core)
    channels = Channels(app.core)
    await linking.join(SLACK, mod(SLACK), (await linking.make_code(DISCORD, mod(DISCORD))).code)
    await channels.set_channel(SLACK, mod(SLACK), "ideas", True)
    assert await channels.is_idea_channel(SLACK)
    await app.ideas.submit(
        draft(
            "Add a dark mode to the app. The white screen is too bright.",
            message_id="d1",
            where=DISCORD,
        )
    )
    result = await app.ideas.submit(
        draft(
            "Add a dark mode to the app, the white screen is far too bright.",
            "sam",
            message_id="s1",
            where=SLACK,
        )
    )
    assert isinstance(result, Merged) and result.into.number == 1
    await app.ideas.react(vote("d1", "bob", where=DISCORD))
    await app.ideas.react(vote("s1", "sue", where=SLACK, emoji="+1"))
    board = await app.core.board_for(SLACK)
    top = await app.queries.top(board, 5)
    assert top[0].number == 1
    assert top[0].votes == 2


@pytest.mark.parametrize(
    ("code", "message"),
    [("nonsense", "not a link code"), ("ABCDEFGHJK", "not known")],
)
async def test_wrong_codes_are_refused(app: App, code: str, message: str) -> None:
    with pytest.raises(InvalidCode, match=message):
        await Linking(app.core).join(SLACK, mod(SLACK), code)
    assert (await app.core.board_for(SLACK)).id != (await app.core.board_for(DISCORD)).id


async def test_expired_codes_and_non_moderators_are_refused(app: App, clock: FakeClock) -> None:
    linking = Linking(app.core)
    with pytest.raises(NotAllowed):
        await linking.make_code(DISCORD, member(DISCORD))
    made = await linking.make_code(DISCORD, mod(DISCORD))
    with pytest.raises(NotAllowed):
        await linking.join(SLACK, member(SLACK), made.code)
    clock.advance(seconds=CODE_LIFETIME.total_seconds())
    with pytest.raises(InvalidCode, match="expired"):
        await linking.join(SLACK, mod(SLACK), made.code)
    assert (await app.core.board_for(SLACK)).id != made.board.id


async def test_a_board_with_ideas_joins_only_by_merging_when_asked(app: App) -> None:
    linking = Linking(app.core)
    await app.ideas.submit(draft("Export routes as GPX", message_id="d1", where=DISCORD))
    await app.ideas.submit(draft("Export routes as KML", message_id="s1", where=SLACK))
    await app.ideas.react(vote("s1", "sue", where=SLACK, emoji="+1"))
    slack_board = await app.core.board_for(SLACK)
    made = await linking.make_code(DISCORD, mod(DISCORD))
    with pytest.raises(InvalidCode, match=r"already holds 1 ideas.*merge option"):
        await linking.join(SLACK, mod(SLACK), made.code)
    assert (await app.core.board_for(SLACK)).id == slack_board.id
    own = await linking.make_code(SLACK, mod(SLACK))
    with pytest.raises(InvalidCode, match="on that board already"):
        await linking.join(SLACK, mod(SLACK), own.code, merge=True)
    with pytest.raises(NotAllowed):
        await linking.join(SLACK, member(SLACK), made.code, merge=True)

    joined = await linking.join(SLACK, mod(SLACK), made.code, merge=True)

    assert joined.board.id == made.board.id
    assert joined.merged is not None and joined.merged.numbers == ((1, 2),)
    assert joined.message("workspace") == (
        f"This workspace now shares board `{made.board.name}`. Board `{slack_board.name}`"
        " was merged into it: 1 ideas renumbered (#1 is now #2, and so on)."
    )
    board = await app.core.board_for(SLACK)
    assert board.id == made.board.id
    moved = await app.queries.show(board, 2)
    assert (moved.title, moved.votes) == ("Export routes as KML", 1)
    await app.ideas.react(vote("s1", "sam", where=SLACK, emoji="+1"))
    assert (await app.queries.show(board, 2)).votes == 2
    other = Where(platform="slack", workspace_id="T2", channel_id="C2")
    with pytest.raises(InvalidCode, match="used already"):
        await linking.join(other, mod(other), made.code)


async def test_a_used_code_is_refused_before_a_merging_join_moves_anything(app: App) -> None:
    linking = Linking(app.core)
    await app.ideas.submit(draft("Export routes as KML", message_id="s1", where=SLACK))
    made = await linking.make_code(DISCORD, mod(DISCORD))
    third = Where(platform="slack", workspace_id="T3", channel_id="C3")
    await linking.join(third, mod(third), made.code)  # an empty board: joins at once
    with pytest.raises(InvalidCode, match="used already"):
        await linking.join(SLACK, mod(SLACK), made.code, merge=True)
    board = await app.core.board_for(SLACK)
    assert board.id != made.board.id
    assert (await app.queries.show(board, 1)).title == "Export routes as KML"

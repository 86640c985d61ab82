"""A burst of new votes without event ids (Discord's) is written in a few statements
(storage.sqlite_votes: Votes._apply_adds; a pipelined batch on PostgreSQL); each vote
must still get what it would get alone."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from bot.app import App
from bot.results import Ignored, VoteChanged
from tests.conftest import HERE, draft, vote


async def test_a_burst_answers_each_vote_as_if_it_came_alone(app: App) -> None:
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    await app.ideas.submit(draft("Offline maps for hiking trails", message_id="m2"))
    # Already on before the burst: a repeat of it must change nothing.
    assert isinstance(await app.ideas.react(vote("m1", "erin")), VoteChanged)
    burst = [
        vote("m1", "carol"),
        vote("m2", "carol"),
        vote("m1", "carol"),  # the same vote twice in the burst
        vote("m-chatter", "dan"),  # a message that is no idea
        vote("m2", "dan"),
        vote("m1", "erin"),  # already stored
    ]
    results = await asyncio.gather(*(app.ideas.react(change) for change in burst))
    changed = [r.changed if isinstance(r, VoteChanged) else None for r in results]
    assert changed == [True, True, False, None, True, False]
    assert isinstance(results[3], Ignored)
    board = await app.core.board_for(HERE)
    assert (await app.queries.show(board, 1)).votes == 2  # erin, carol
    assert (await app.queries.show(board, 2)).votes == 2  # carol, dan


async def test_a_burst_without_repeats_is_counted_once_each(app: App) -> None:
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    voters = [f"v{n}" for n in range(50)]
    results = await asyncio.gather(*(app.ideas.react(vote("m1", who)) for who in voters))
    assert all(isinstance(r, VoteChanged) and r.changed for r in results)
    board = await app.core.board_for(HERE)
    assert (await app.queries.show(board, 1)).votes == 50


async def test_a_vote_of_a_burst_that_fails_fails_alone(sqlite_app: App, tmp_path: Path) -> None:
    # A SQLite trigger makes the write fail (the contract suite fails one on both engines).
    app = sqlite_app
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    trigger = sqlite3.connect(tmp_path / "ideabot.db")
    trigger.execute(
        "CREATE TRIGGER refuse AFTER INSERT ON reactions"
        " WHEN (SELECT user_id FROM members WHERE id = NEW.member_id) = 'u-bob'"
        " BEGIN SELECT RAISE(ABORT, 'disk said no'); END"
    )
    trigger.commit()
    results = await asyncio.gather(
        *(app.ideas.react(vote("m1", who)) for who in ("carol", "bob", "dan")),
        return_exceptions=True,
    )
    trigger.execute("DROP TRIGGER refuse")
    trigger.commit()
    trigger.close()
    assert isinstance(results[0], VoteChanged) and isinstance(results[2], VoteChanged)
    assert isinstance(results[1], sqlite3.Error)
    board = await app.core.board_for(HERE)
    assert (await app.queries.show(board, 1)).votes == 2
    # Bob reacts again: it counts now.
    again = await app.ideas.react(vote("m1", "bob"))
    assert isinstance(again, VoteChanged) and again.changed

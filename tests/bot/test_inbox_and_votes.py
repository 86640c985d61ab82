"""The durable inbox (events written before they are acknowledged) and votes that are
stored whole or not at all."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot.app import App
from bot.results import Ignored, VoteChanged
from tests.conftest import HERE, draft, vote


async def test_an_event_is_written_once_and_handled_again_after_a_crash(app: App) -> None:
    body = {"event_id": "Ev1", "event": {"type": "reaction_added"}}
    assert await app.inbox.put("slack", "Ev1", body) is True
    assert await app.inbox.put("slack", "Ev1", body) is False  # a redelivery
    await app.inbox.put("slack", "Ev2", {"event_id": "Ev2"})
    await app.inbox.put("discord", "Ev3", {"event_id": "Ev3"})
    await app.inbox.done("slack", "Ev2")
    seen: list[Any] = []

    async def handle(event: dict[str, Any]) -> None:
        seen.append(event)

    # The process died after writing Ev1 and before handling it: it comes back once.
    assert await app.inbox.replay("slack", handle) == 1
    assert seen == [body]
    assert await app.inbox.replay("slack", handle) == 0


async def test_an_event_that_fails_to_replay_does_not_stop_the_others(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    for n in range(3):
        await app.inbox.put("slack", f"Ev{n}", {"n": n})
    seen: list[int] = []

    async def handle(event: dict[str, Any]) -> None:
        if event["n"] == 1:
            raise ValueError("broken")
        seen.append(event["n"])

    assert await app.inbox.replay("slack", handle) == 3
    assert seen == [0, 2] and "replaying event Ev1 failed" in caplog.text


async def test_a_vote_that_fails_half_way_leaves_nothing_and_its_redelivery_counts(
    sqlite_app: App, tmp_path: Path
) -> None:
    # A SQLite trigger makes the write fail (the contract suite fails one on both engines).
    app = sqlite_app
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    # A write that fails after the event id is recorded: the reaction row is refused.
    trigger = sqlite3.connect(tmp_path / "ideabot.db")
    trigger.execute(
        "CREATE TRIGGER refuse AFTER INSERT ON reactions"
        " WHEN (SELECT user_id FROM members WHERE id = NEW.member_id) = 'u-bob'"
        " BEGIN SELECT RAISE(ABORT, 'disk said no'); END"
    )
    trigger.commit()
    # One group commit: bob's vote fails, carol's and dan's stand.
    results = await asyncio.gather(
        *(
            app.ideas.react(vote("m1", who, event_id=f"ev-{who}"))
            for who in ("carol", "bob", "dan")
        ),
        return_exceptions=True,
    )
    assert isinstance(results[0], VoteChanged) and isinstance(results[2], VoteChanged)
    assert isinstance(results[1], sqlite3.Error)
    assert trigger.execute(
        "SELECT COUNT(*) FROM processed_events WHERE event_id = 'ev-bob'"
    ).fetchone() == (0,)
    trigger.execute("DROP TRIGGER refuse")
    trigger.commit()
    trigger.close()
    # Slack delivers it again: it counts, once.
    assert isinstance(await app.ideas.react(vote("m1", "bob", event_id="ev-bob")), VoteChanged)
    assert isinstance(await app.ideas.react(vote("m1", "bob", event_id="ev-bob")), Ignored)
    board = await app.core.board_for(HERE)
    assert (await app.queries.show(board, 1)).votes == 3

"""A burst of events that finds a place's board uncached reads it once, not once each."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.app import App
from tests.conftest import HERE, draft, vote


async def test_a_burst_after_the_cache_expired_reads_the_board_once(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    await app.ideas.submit(draft("Dark mode for the map screen", message_id="m1"))
    port = type(app.core.store.boards)  # the engine's class: its ports are made per use
    real = port.ensure_for_workspace
    reads: list[tuple[Any, ...]] = []

    async def counted(self: Any, *args: Any) -> Any:
        reads.append(args)
        return await real(self, *args)

    monkeypatch.setattr(port, "ensure_for_workspace", counted)
    app.core.forget_places()  # as after the cache expired: no board known for the place
    results = await asyncio.gather(*(app.ideas.react(vote("m1", f"voter{n}")) for n in range(200)))
    assert all(r.changed for r in results)  # type: ignore[union-attr]
    assert len(reads) == 1  # the burst waited for one read (without sharing: 200)
    board = await app.core.board_for(HERE)
    assert (await app.queries.show(board, 1)).votes == 200


async def test_a_cancelled_caller_does_not_cancel_the_others_read(app: App) -> None:
    app.core.forget_places()
    first = asyncio.ensure_future(app.core.board_for(HERE))
    second = asyncio.ensure_future(app.core.board_for(HERE))
    await asyncio.sleep(0)  # one loop turn (no wait): both now await the one read
    first.cancel()
    board = await second
    assert board.name and first.cancelled()

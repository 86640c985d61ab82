"""The web board's reads and its read access on SQLite (``storage.pages``)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage import pages, port
from storage.rows import Access, Ranking, StatusEvent
from storage.sqlite_runner import MemberCache, PortBase, Runner
from storage.times import from_db, to_db


def _event(row: pages.StatusRow) -> StatusEvent:
    return StatusEvent(
        row.id, row.idea_id, row.number, row.title, row.old, row.new, row.note, from_db(row.at)
    )


def _time(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)


class Pages(PortBase, port.Pages):
    def __init__(self, run: Runner, members: MemberCache) -> None:
        super().__init__(run, members)
        # The last ranking per reader connection, board and ``since`` (see pages.ranking).
        self._rankings: dict[Any, Ranking] = {}

    async def ranking(self, board_id: int, since: datetime) -> Ranking:
        return await self._run.read(pages.ranking, board_id, to_db(since), self._rankings)

    async def duplicate_counts(self, board_id: int, ids: Sequence[int]) -> dict[int, int]:
        return await self._run.read(pages.duplicate_counts, board_id, list(ids))

    async def duplicates(self, board_id: int, idea_id: int) -> list[tuple[int, str]]:
        return await self._run.read(pages.duplicates, board_id, idea_id)

    async def status_history(self, board_id: int, idea_id: int) -> list[StatusEvent]:
        return [_event(r) for r in await self._run.read(pages.status_history, board_id, idea_id)]

    async def recent_status_changes(self, board_id: int, limit: int) -> list[StatusEvent]:
        rows = await self._run.read(pages.recent_status_changes, board_id, limit)
        return [_event(r) for r in rows]

    async def newest_ids(self, board_id: int, limit: int) -> list[int]:
        return await self._run.read(pages.newest_ids, board_id, limit)

    async def roadmap(self, board_id: int, statuses: Sequence[str]) -> list[tuple[int, datetime]]:
        rows = await self._run.read(pages.roadmap, board_id, statuses)
        return [(i, from_db(at)) for i, at in rows]

    async def first_idea_at(self, board_id: int) -> datetime | None:
        return _time(await self._run.read(pages.first_idea_at, board_id))

    async def last_change(self, board_id: int) -> datetime | None:
        return _time(await self._run.read(pages.last_change, board_id))

    async def access(self, board_id: int) -> Access:
        return await self._run.read(pages.access, board_id)

    async def public_boards(self) -> list[tuple[int, str]]:
        return await self._run.read(pages.public_boards)

    async def set_public(self, board_id: int, public: bool, at: datetime) -> None:
        await self._run.write(pages.set_public, board_id, public, to_db(at))

    async def set_key(self, board_id: int, key_sha256: str | None, at: datetime) -> None:
        await self._run.write(pages.set_key, board_id, key_sha256, to_db(at))

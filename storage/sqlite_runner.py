"""Where the SQLite ports' calls run, and the member ids they remember."""

from __future__ import annotations

from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlite_utils import Database

from storage import boards as board_rows
from storage.connection import after_commit
from storage.database import AsyncDatabase, Calls

T = TypeVar("T")
P = ParamSpec("P")


class Runner:
    """Where a port's calls run: on their own (reads on readers, each write committed
    with whatever waits beside it), or inside one open transaction."""

    def __init__(self, db: AsyncDatabase, session: Calls | None = None) -> None:
        self.db = db
        self.session = session

    async def read(
        self, fn: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        if self.session is not None:
            return await self.session.call(fn, *args, **kwargs)
        return await self.db.read(fn, *args, **kwargs)

    async def write(
        self, fn: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        if self.session is not None:
            return await self.session.call(fn, *args, **kwargs)
        return await self.db.write(fn, *args, **kwargs)


class MemberCache:
    """member ids by (platform, user id), with the name last stored: a busy voter costs
    no lookup. Filled only after the write that found the id has committed."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str, str], tuple[int, str]] = {}

    def ensure(self, db: Database, platform: str, user_id: str, name: str) -> int:
        key = (platform, user_id)
        cached = self._ids.get(key)
        if cached is not None and (cached[1] == name or not name):
            return cached[0]
        member_id = board_rows.ensure_member(db, platform, user_id, name)
        after_commit(db, lambda: self._ids.__setitem__(key, (member_id, name)))
        return member_id


class PortBase:
    """A SQLite port: where its calls run, and the member ids it remembers."""

    def __init__(self, run: Runner, members: MemberCache) -> None:
        self._run = run
        self._members = members

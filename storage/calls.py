"""Calls inside one write transaction: the protocol, and the calls of a write run whole
on the writer thread (``AsyncDatabase.write_inline``), which run at once there."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar, cast

from sqlite_utils import Database

T = TypeVar("T")
P = ParamSpec("P")


class Calls:
    """Calls inside one write transaction."""

    async def call(
        self, fn: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """``fn(db, *args, **kwargs)`` on the writer connection, inside this transaction."""
        raise NotImplementedError


class InlineCalls(Calls):
    """Calls of a write run whole on the writer thread (see ``AsyncDatabase.write_inline``):
    each runs at once, on the connection it was given."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def call(
        self, fn: Callable[Concatenate[Database, P], T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        return fn(self._db, *args, **kwargs)


class InlineAwait(RuntimeError):
    """A write run inline awaited something other than its own calls: a bug in the caller."""


def run_inline(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to its end without an event loop: it may await only coroutines that
    never wait (``InlineCalls.call``); anything that would wait raises ``InlineAwait``."""
    try:
        waited = coro.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coro.close()
    raise InlineAwait(f"a write run inline waited for {waited!r}: it may await only its calls")

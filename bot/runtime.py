"""The process a command runs in: its event loop and its garbage collector's settings.

Event loop: uvloop where it is installed (Linux and macOS; a dependency there), asyncio's
own loop elsewhere. Every command runs on it (``bot.cli_errors.run_async``). A bot spends
most of its time in the loop's own machinery: each chat event is a task, a future or two
and a few callbacks; uvloop's scheduling made a burst of 100,000 votes about a tenth
faster on the same code (``python -m bench.core --only votes``).

Collector: CPython collects its youngest generation every 700 container allocations,
and each collection that reaches the oldest generation walks every live object. A bot
that has just loaded a model, a 100k-idea index and its caches holds hundreds of
thousands of objects that live as long as the process; a burst of events allocates a
handful of objects per event. With the defaults, 100,000 votes arriving at once made
about 2,600 young and a dozen full collections: 2 to 3 seconds of a 10-second burst.
"""

from __future__ import annotations

import asyncio
import ctypes
import functools
import gc
import signal
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar, cast

T = TypeVar("T")

# Young collections every this many allocations instead of 700: a burst's short-lived
# objects are freed by reference counting anyway; only cycles wait for the collector,
# and 50,000 objects' worth of them is a few megabytes at most.
YOUNG_THRESHOLD = 50_000
# The middle generation every this many young collections instead of 10: the events of
# a burst wait for the writer, so they survive a young collection, and each middle one
# walks every survivor again. In a burst of 100,000 votes the collector took 0.54 to
# 0.57 s with 100 against 0.75 to 1.04 s with 10 (three middle collections).
MIDDLE_THRESHOLD = 100


def new_loop() -> asyncio.AbstractEventLoop:
    """uvloop's event loop where it is installed; asyncio's otherwise."""
    try:
        import uvloop
    except ImportError:  # Windows: uvloop does not build there
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run(coro: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on the loop of ``new_loop``; Ctrl-C or SIGTERM (a service manager's
    stop) cancels the coroutine, so its ``finally`` blocks run, and then raises
    KeyboardInterrupt here."""
    with asyncio.Runner(loop_factory=new_loop) as runner:
        return runner.run(_stopped_by_signals(coro))


STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


async def _stopped_by_signals(coro: Coroutine[Any, Any, T]) -> T:
    """Await ``coro``; a stop signal cancels it and ends in KeyboardInterrupt.

    The handlers are the loop's own (``add_signal_handler``), not ``signal.signal``: a
    Python-level handler only runs when the interpreter next runs bytecode, and uvloop,
    idle in its poll, retries the poll when a signal interrupts it. A web board with
    nothing to do then never stopped on SIGTERM (found by ``bench.web``).
    """
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    assert task is not None
    stopped: list[int] = []

    def stop(number: int) -> None:
        stopped.append(number)
        task.cancel()

    installed = []
    for number in STOP_SIGNALS:
        try:
            loop.add_signal_handler(number, stop, number)
        except (NotImplementedError, RuntimeError, ValueError):
            continue  # Windows, or not the main thread: the default handling stays
        installed.append(number)
    try:
        return await coro
    except asyncio.CancelledError:
        if stopped:
            raise KeyboardInterrupt from None
        raise
    finally:
        for number in installed:
            loop.remove_signal_handler(number)


def release_free_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``), after a
    large load whose scratch has been freed: without it those pages stay in the resident
    set (a 100k board's index load left about 20 MB there). Does nothing where the C
    library has no such call (macOS, musl, Windows)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        return cast(Callable[[int], int], ctypes.CDLL(None).malloc_trim)
    except (OSError, AttributeError, TypeError):
        return None


def settle_after_start() -> None:
    """Once startup is done: what it made is moved out of the collector's generations
    (it lives as long as the process), and young collections run less often."""
    gc.collect()
    gc.freeze()
    old = gc.get_threshold()[2]
    gc.set_threshold(YOUNG_THRESHOLD, MIDDLE_THRESHOLD, old)

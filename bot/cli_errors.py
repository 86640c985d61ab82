"""One line on stderr and a non-zero exit for every error a user or operator can cause.

Commands raise the product's own errors (``IdeabotError``, ``StoreError``); this module
turns those, and what the system throws at a command from outside (a closed pipe, a
full disk, SQLite's own errors, input nested too deeply to parse), into one line.
"""

from __future__ import annotations

import errno
import os
import sys
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from bot import runtime
from bot.boards import Board
from bot.core import Core
from bot.errors import IdeabotError
from bot.settings import Settings
from storage.engines import is_postgres, store_problem
from storage.errors import StoreError

T = TypeVar("T")


def fail(message: str) -> NoReturn:
    """Print ``error: message`` on stderr and exit with status 1."""
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _silence_stdout() -> None:
    # The reader is gone or the device is full: whatever is still buffered for stdout
    # must not fail again (with a traceback) when the interpreter flushes it at exit.
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError):
        pass


def _os_message(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device being written; free some space and run it again"
    if exc.errno == errno.EFBIG:
        return "the file would pass the file size limit (ulimit -f)"
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def text_option(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """A click callback refusing option text that is not valid UTF-8 (surrogate escapes)."""
    values = value if isinstance(value, tuple) else (value,)
    for item in values:
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                name = param.opts[0] if param.opts else str(param.name)
                fail(f"{name} is not valid UTF-8 text; give it in UTF-8 (check your locale)")
    return value


class SafeGroup(click.Group):
    """A click group whose commands end in one line, never a traceback."""

    def main(
        self,
        args: Any = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            result = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.ClickException as exc:
            # A bad option or argument: one line like every other error, not the usage block.
            ctx = getattr(exc, "ctx", None)
            where = ctx.command_path if isinstance(ctx, click.Context) else "ideabot"
            message = " ".join(exc.format_message().split())
            click.echo(f"error: {message} (see {where} --help)", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("error: aborted", err=True)
            sys.exit(1)
        sys.exit(result if isinstance(result, int) else 0)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except BrokenPipeError:
            _silence_stdout()
            fail("the output was closed before everything was written (closed pipe)")
        except (IdeabotError, StoreError) as exc:
            fail(str(exc))
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EPIPE, errno.EIO):
                _silence_stdout()
            fail(_os_message(exc))
        except MemoryError:
            fail("out of memory: the input is larger than this machine can hold")
        except RecursionError:
            fail("the input is nested too deeply to read")
        except UnicodeError as exc:
            fail(f"text that is not valid UTF-8 ({getattr(exc, 'reason', exc)})")
        except Exception as exc:
            problem = store_problem("the database", exc)
            if problem is None:
                raise
            fail(str(problem))


def load_settings() -> Settings:
    """The settings from the environment and .env; one line naming the bad one otherwise."""
    try:
        return Settings()
    except Exception as exc:  # pydantic's ValidationError names the bad variable
        fail(f"bad setting: {exc}".splitlines()[0] + " (check your environment and .env)")


class DatabaseParam(click.ParamType):
    """``--db``: a SQLite file path, or a ``postgresql://`` URL kept as it is."""

    name = "PATH|URL"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> Path | str:
        if isinstance(value, Path):
            return value
        text = str(value)
        return text if is_postgres(text) else Path(text)


DATABASE = DatabaseParam()
DB_HELP = (
    "SQLite file of the backlog, or a postgresql:// URL (default: IDEABOT_DB or ./ideabot.db)."
)

db_option = click.option("--db", "db_path", type=DATABASE, default=None, help=DB_HELP)
board_option = click.option(
    "--board",
    default=None,
    callback=text_option,
    help="Board name; may be left out when the database has one board.",
)


async def pick_board(core: Core, name: str | None) -> Board:
    """The board named, or the database's only board; IdeabotError saying which exist."""
    if name is not None:
        return await core.board_named(name)
    boards = await core.all_boards()
    if len(boards) == 1:
        return boards[0]
    if not boards:
        raise IdeabotError("the database has no boards yet")
    raise IdeabotError(
        "the database has several boards; pick one with --board: "
        + ", ".join(b.name for b in boards)
    )


def run_async(coro: Coroutine[Any, Any, T]) -> T:
    """Run a command's coroutine (on ``bot.runtime``'s event loop); a readable one-line
    error instead of a traceback."""
    try:
        return runtime.run(coro)
    except (IdeabotError, StoreError) as exc:
        fail(str(exc))
    except ValueError as exc:  # settings and thresholds say what is wrong
        fail(str(exc))
    raise AssertionError("unreachable")

"""Attaching a community to another's board: one-time codes from that board's moderators.

A Slack workspace and a Discord server can share one backlog. Nobody attaches to a
board uninvited: a moderator of the board asks for a code (``/ideabot link``), and a
moderator of the other community uses it (``/ideabot join CODE``) within 15 minutes,
once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlite_utils import Database

from bot.boards import Board
from bot.core import Core
from bot.domain import Actor, Where
from bot.errors import IdeabotError, NotAllowed
from bot.moderation import is_moderator
from storage import boards as board_rows
from storage.times import from_db, to_db

CODE_LIFETIME = timedelta(minutes=15)
# No 0/O or 1/I/L: codes are read aloud and typed by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


class InvalidCode(IdeabotError):
    """A link code that is unknown, used or expired."""


@dataclass(frozen=True, kw_only=True)
class LinkCode:
    code: str
    board: Board
    expires_at: datetime


def normalise(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


class Linking:
    """Link codes: made by one board's moderators, used by another community's."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def make_code(self, where: Where, actor: Actor) -> LinkCode:
        """A fresh one-time code for the board of ``where``."""
        board = await self.core.board_for(where)
        if not is_moderator(board, actor):
            raise NotAllowed("Only moderators can invite another community to this board.")
        code = "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))
        now = self.core.clock()
        expires = now + CODE_LIFETIME

        def store(db: Database) -> None:
            actor_id = self.core.member_id(db, actor.person)
            board_rows.add_link_code(db, code, board.id, actor_id, to_db(now), to_db(expires))
            board_rows.log_action(db, board.id, actor_id, "link code", {}, to_db(now))

        await self.core.db.write(store)
        return LinkCode(code=code, board=board, expires_at=expires)

    async def join(self, where: Where, actor: Actor, code: str) -> Board:
        """Attach the community of ``where`` to the board that made ``code``."""
        current = await self.core.board_for(where)
        if not is_moderator(current, actor):
            raise NotAllowed("Only moderators can attach this community to another board.")
        cleaned = normalise(code)
        if len(cleaned) != CODE_LENGTH:
            raise InvalidCode(
                f"That is not a link code: they are {CODE_LENGTH} letters and digits."
            )
        found = await self.core.db.read(board_rows.link_code, cleaned)
        if found is None:
            raise InvalidCode("That code is not known. Ask for a new one with /ideabot link.")
        board_id, expires_at, used_at = found
        now = self.core.clock()
        if used_at is not None:
            raise InvalidCode("That code was used already. Ask for a new one with /ideabot link.")
        if now >= from_db(expires_at):
            raise InvalidCode("That code has expired. Ask for a new one with /ideabot link.")
        if board_id == current.id:
            raise InvalidCode("This community is on that board already.")
        ideas = await self.core.db.read(board_rows.idea_count, current.id)
        if ideas:
            raise InvalidCode(
                f"This community's board already holds {ideas} ideas, which joining would hide;"
                " join from a community whose board is still empty."
            )

        def store(db: Database) -> bool:
            if not board_rows.use_link_code(
                db, cleaned, where.platform, where.workspace_id, to_db(now)
            ):
                return False
            board_rows.move_workspace(db, where.platform, where.workspace_id, board_id)
            actor_id = self.core.member_id(db, actor.person)
            details = {"platform": where.platform, "workspace": where.workspace_id}
            board_rows.log_action(db, board_id, actor_id, "join", details, to_db(now))
            return True

        if not await self.core.db.write(store):
            raise InvalidCode("That code was used already. Ask for a new one with /ideabot link.")
        self.core.forget_places()
        return await self.core.board_by_id(board_id)

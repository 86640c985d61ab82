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

from bot.boards import Board
from bot.core import Core
from bot.domain import Actor, Where
from bot.errors import IdeabotError, NotAllowed
from bot.moderation import is_moderator

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

        async with self.core.store.transaction() as tx:
            actor_id = await self.core.member_id(tx, actor.person)
            await tx.links.add(code, board.id, actor_id, now, expires)
            await tx.log.add(board.id, actor_id, "link code", {}, now)
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
        found = await self.core.store.links.get(cleaned)
        if found is None:
            raise InvalidCode("That code is not known. Ask for a new one with /ideabot link.")
        board_id = found.board_id
        now = self.core.clock()
        if found.used_at is not None:
            raise InvalidCode("That code was used already. Ask for a new one with /ideabot link.")
        if now >= found.expires_at:
            raise InvalidCode("That code has expired. Ask for a new one with /ideabot link.")
        if board_id == current.id:
            raise InvalidCode("This community is on that board already.")
        ideas = await self.core.store.boards.idea_count(current.id)
        if ideas:
            raise InvalidCode(
                f"This community's board already holds {ideas} ideas, which joining would hide;"
                " join from a community whose board is still empty."
            )

        async with self.core.store.transaction() as tx:
            used = await tx.links.use(cleaned, where.platform, where.workspace_id, now)
            if used:
                await tx.boards.move_workspace(where.platform, where.workspace_id, board_id)
                actor_id = await self.core.member_id(tx, actor.person)
                details = {"platform": where.platform, "workspace": where.workspace_id}
                await tx.log.add(board_id, actor_id, "join", details, now)
        if not used:
            raise InvalidCode("That code was used already. Ask for a new one with /ideabot link.")
        self.core.forget_places()
        return await self.core.board_by_id(board_id)

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

from bot.board_merge import BoardMerged, merge_boards
from bot.boards import Board
from bot.core import Core
from bot.domain import Actor, Where
from bot.errors import IdeabotError, NotAllowed
from bot.moderation import is_moderator
from storage.port import Transaction

CODE_LIFETIME = timedelta(minutes=15)
# No 0/O or 1/I/L: codes are read aloud and typed by hand.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 10


class InvalidCode(IdeabotError):
    """A link code that is unknown, used or expired."""


@dataclass(frozen=True, kw_only=True)
class Joined:
    """The board a community joined; what merging its own board did, when it did."""

    board: Board
    merged: BoardMerged | None

    def message(self, community: str) -> str:
        """The reply to the moderator who joined (plain text)."""
        said = f"This {community} now shares board `{self.board.name}`."
        if self.merged is None:
            return said
        numbers = self.merged.numbers
        said += f" Board `{self.merged.source}` was merged into it: {len(numbers)} ideas renumbered"
        if numbers:
            said += f" (#{numbers[0][0]} is now #{numbers[0][1]}, and so on)"
        said += "."
        if self.merged.suggestions:
            said += (
                f" {len(self.merged.suggestions)} may be duplicates of ideas already there;"
                " moderators can merge them."
            )
        return said


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

    async def join(self, where: Where, actor: Actor, code: str, *, merge: bool = False) -> Joined:
        """Attach the community of ``where`` to the board that made ``code``. When the
        community's board holds ideas, only with ``merge``: that whole board (its ideas,
        renumbered, and any other community on it) is merged into the code's board."""
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
        if ideas and not merge:
            raise InvalidCode(
                f"This community's board already holds {ideas} ideas, which joining would hide."
                " To bring them along (numbered after that board's ideas), join again with the"
                " merge option."
            )
        if ideas:
            return await self._join_merging(where, actor, cleaned, current, board_id, now)

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
        return Joined(board=await self.core.board_by_id(board_id), merged=None)

    async def _join_merging(
        self, where: Where, actor: Actor, code: str, current: Board, board_id: int, now: datetime
    ) -> Joined:
        core = self.core

        async def use_code(tx: Transaction) -> None:
            if not await tx.links.use(code, where.platform, where.workspace_id, now):
                raise InvalidCode(
                    "That code was used already. Ask for a new one with /ideabot link."
                )
            actor_id = await core.member_id(tx, actor.person)
            details = {"platform": where.platform, "workspace": where.workspace_id}
            await tx.log.add(board_id, actor_id, "join", details, now)

        target = await core.board_by_id(board_id)
        merged = await merge_boards(core, actor, current, target, invited=True, also=use_code)
        return Joined(board=merged.into, merged=merged)

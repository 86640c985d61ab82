"""Who may read a board on the web: a moderator makes it public, or makes (and remakes)
a secret read link. Boards are private until then."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from bot.board_pages import key_digest
from bot.boards import Board
from bot.core import Core
from bot.domain import Actor, Where
from bot.errors import InvalidSetting, NotAllowed
from bot.moderation import Moderation, is_moderator

# The web's settings, set with `/ideabot config set` beside the board's own.
WEB_SETTINGS = ("public", "read_link")
_ON = {"on", "true", "yes", "1", "public"}
_OFF = {"off", "false", "no", "0", "private"}
_NEW = {"new", "rotate", "on"}
_REMOVE = {"off", "none", "remove"}


@dataclass(frozen=True, kw_only=True, slots=True)
class WebAccessChanged:
    """What a moderator changed; ``link`` is set (once, privately) when a key was made."""

    board: Board
    setting: str
    public: bool | None = None
    link: str | None = None

    def message(self) -> str:
        """The reply to the moderator, in plain words (the adapter escapes it)."""
        name = self.board.name
        if self.setting == "public":
            if self.public:
                return f"Board {name} is now public: anyone can read it on the web."
            return f"Board {name} is now private: only holders of its read link can read it."
        if self.link is not None:
            return (
                f"Secret read link for board {name}: {self.link}\n"
                "Anyone with it can read the board on the web. Setting read_link to new again"
                " makes a new link and the old one stops working; off removes it."
            )
        return f"Board {name} has no read link now: the old one stops working."


class WebAccess:
    """The moderator's side of the web board's visibility."""

    def __init__(self, core: Core, moderation: Moderation, base_url: str | None = None) -> None:
        self.core = core
        self.moderation = moderation
        self.base_url = (base_url or "").rstrip("/")

    async def configure(
        self, where: Where, actor: Actor, setting: str, value: Any
    ) -> WebAccessChanged:
        """``public on|off`` or ``read_link new|off``, by a moderator of the board."""
        board = await self.moderation.moderator_board(where, actor)
        return await self.configure_on(board, actor, setting, value)

    async def configure_on(
        self, board: Board, actor: Actor, setting: str, value: Any
    ) -> WebAccessChanged:
        """The same on a board already chosen (the shell's), with the same check."""
        if not is_moderator(board, actor):
            raise NotAllowed("Only moderators can do that.")
        word = str(value).strip().lower()
        if setting == "public":
            if word not in _ON | _OFF:
                raise InvalidSetting("public takes on or off")
            public = word in _ON
            await self._store(board, actor, "web_public", str(public).lower(), public=public)
            return WebAccessChanged(board=board, setting=setting, public=public)
        if setting == "read_link":
            if word in _REMOVE:
                await self._store(board, actor, "web_read_link", "removed", key=None)
                return WebAccessChanged(board=board, setting=setting)
            if word not in _NEW:
                raise InvalidSetting("read_link takes new (a new secret link) or off")
            key = secrets.token_urlsafe(24)
            await self._store(board, actor, "web_read_link", "new", key=key)
            return WebAccessChanged(board=board, setting=setting, link=self.link(board, key))
        raise InvalidSetting(f"web settings are: {', '.join(WEB_SETTINGS)}")

    def link(self, board: Board, key: str) -> str:
        return f"{self.base_url}/b/{quote(board.name)}?key={key}"

    async def publish(self, board: Board, public: bool = True) -> None:
        """Make the board public (or private) without a moderator: the operator's path
        (the demo, the CLI)."""
        at = self.core.now()
        await self.core.store.pages.set_public(board.id, public, at)

    async def _store(
        self,
        board: Board,
        actor: Actor,
        action: str,
        shown: str,
        *,
        public: bool | None = None,
        key: str | None = None,
    ) -> None:
        core = self.core
        at = core.now()

        async with core.store.transaction() as tx:
            actor_id = await core.member_id(tx, actor.person)
            if public is not None:
                await tx.pages.set_public(board.id, public, at)
            else:
                digest = None if key is None else key_digest(key)
                await tx.pages.set_key(board.id, digest, at)
            # The key itself is never logged: only that a new one was made.
            await tx.log.add(board.id, actor_id, action, {"value": shown}, at)

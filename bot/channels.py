"""Which channels feed a board (idea channels) or receive its digest, and catch-up cursors."""

from __future__ import annotations

from sqlite_utils import Database

from bot.boards import Board
from bot.core import Core
from bot.domain import Actor, Where
from bot.errors import InvalidSetting, NotAllowed
from bot.moderation import is_moderator
from storage import boards as board_rows

PURPOSES = ("ideas", "digest")


class Channels:
    """Idea and digest channels of boards; the last message seen in each idea channel."""

    def __init__(self, core: Core) -> None:
        self.core = core

    async def is_idea_channel(self, where: Where) -> bool:
        """True when the channel is one of its board's idea channels."""
        if where.channel_id is None:
            return False
        key = (where.platform, where.channel_id)
        if key not in self.core.idea_channels:
            self.core.idea_channels[key] = await self.core.db.read(
                board_rows.board_for_channel, where.platform, where.channel_id, "ideas"
            )
        board_id = self.core.idea_channels[key]
        return board_id is not None and board_id == (await self.core.board_for(where)).id

    async def set_channel(self, where: Where, actor: Actor, purpose: str, enabled: bool) -> Board:
        """Attach (or detach) the channel in ``where`` to its board for ``purpose``."""
        if purpose not in PURPOSES:
            raise InvalidSetting(f"A channel is for one of: {', '.join(PURPOSES)}.")
        if where.channel_id is None:
            raise InvalidSetting("Run this in the channel you want to set up.")
        board = await self.core.board_for(where)
        if not is_moderator(board, actor):
            raise NotAllowed("Only moderators can do that.")
        at = self.core.now()
        channel_id = where.channel_id

        def store(db: Database) -> None:
            actor_id = self.core.member_id(db, actor.person)
            board_rows.set_channel(
                db, board.id, where.platform, where.workspace_id, channel_id, purpose, enabled, at
            )
            board_rows.log_action(
                db,
                board.id,
                actor_id,
                "channel",
                {"channel": channel_id, "purpose": purpose, "enabled": enabled},
                at,
            )

        await self.core.db.write(store)
        self.core.idea_channels.pop((where.platform, channel_id), None)
        return board

    async def channels(self, board: Board, purpose: str) -> list[Where]:
        rows = await self.core.db.read(board_rows.channels, board.id, purpose)
        return [Where(platform=p, workspace_id=w, channel_id=c) for p, w, c in rows]

    async def cursor(self, where: Where) -> str | None:
        """The newest message of the channel already handled, if any."""
        assert where.channel_id is not None
        return await self.core.db.read(board_rows.cursor, where.platform, where.channel_id)

    async def advance(self, where: Where, message_id: str) -> None:
        assert where.channel_id is not None
        await self.core.db.write(
            board_rows.advance_cursor, where.platform, where.channel_id, message_id
        )

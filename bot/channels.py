"""Which channels feed a board (idea channels) or receive its digest, and catch-up cursors."""

from __future__ import annotations

from bot.boards import Board
from bot.core import Core
from bot.domain import Actor, Where
from bot.errors import InvalidSetting, NotAllowed
from bot.moderation import is_moderator

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
        self.core.expire_caches()
        if key not in self.core.idea_channels:
            self.core.idea_channels[key] = await self.core.store.channels.board_of(
                where.platform, where.channel_id, "ideas"
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

        async with self.core.store.transaction() as tx:
            actor_id = await self.core.member_id(tx, actor.person)
            await tx.channels.set(
                board.id, where.platform, where.workspace_id, channel_id, purpose, enabled, at
            )
            details = {"channel": channel_id, "purpose": purpose, "enabled": enabled}
            await tx.log.add(board.id, actor_id, "channel", details, at)
        self.core.idea_channels.pop((where.platform, channel_id), None)
        return board

    async def channels(self, board: Board, purpose: str) -> list[Where]:
        rows = await self.core.store.channels.of_board(board.id, purpose)
        return [
            Where(platform=r.platform, workspace_id=r.workspace_id, channel_id=r.channel_id)
            for r in rows
        ]

    async def cursor(self, where: Where) -> str | None:
        """The newest message of the channel already handled, if any."""
        assert where.channel_id is not None
        return await self.core.store.channels.cursor(where.platform, where.channel_id)

    async def advance(self, where: Where, message_id: str) -> None:
        assert where.channel_id is not None
        await self.core.store.channels.advance_cursor(where.platform, where.channel_id, message_id)

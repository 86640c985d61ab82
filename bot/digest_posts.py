"""What the digest scheduler and the platforms' posters exchange, and what it reports:
the poster port (``DigestPoster``, ``DigestPost``, ``PostFailed``) and the results
(``Delivery``, ``ScheduleStatus``). The scheduler itself is ``bot.scheduler``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

from bot.boards import Board
from bot.digest import Digest
from bot.domain import Where
from bot.errors import IdeabotError
from bot.schedule import Schedule, Slot


class PostFailed(Exception):
    """The platform did not take the digest; the message says why (it is logged)."""


class NoDigestChannel(IdeabotError):
    """The board has no digest channel to post to."""


@dataclass(frozen=True, kw_only=True)
class DigestPost:
    """What a poster posts: the digest, and the key every part of it carries, so that
    a later attempt can tell which parts are already in the channel."""

    key: str
    digest: Digest


class DigestPoster(Protocol):
    """A platform adapter's side of posting digests."""

    platform: str

    async def post_digest(self, where: Where, post: DigestPost) -> str:
        """Post every part of ``post`` not yet in the channel; the first part's message id.

        Raises PostFailed (or any exception) when the platform refuses.
        """
        ...


@dataclass(frozen=True, kw_only=True)
class Delivery:
    """What became of one digest in one channel."""

    board: str
    where: Where
    label: str
    outcome: Literal["posted", "failed", "skipped"]
    late: bool = False
    message_id: str | None = None
    error: str | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class LastPost:
    """The newest digest of a channel: posted, or still trying."""

    label: str
    posted_at: datetime | None
    late: bool
    attempts: int
    error: str | None
    next_try_at: datetime | None

    @property
    def posted(self) -> bool:
        return self.posted_at is not None


@dataclass(frozen=True, kw_only=True)
class ChannelState:
    where: Where
    last: LastPost | None


@dataclass(frozen=True, kw_only=True)
class ScheduleStatus:
    """A board's digest schedule as a moderator sees it."""

    schedule: Schedule
    next_due: datetime
    channels: tuple[ChannelState, ...]


def post_key(board: Board, slot: Slot) -> str:
    """The key a digest's parts carry: the board and the period's first day."""
    return f"{board.id}:{slot.period.start:%Y-%m-%d}"

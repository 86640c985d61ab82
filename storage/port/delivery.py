"""The ports of what leaves the database for other systems: the outbox (announcements,
webhook deliveries) and the webhook endpoints."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.rows import OutboxItem, OutboxRecord, WebhookRow


class Outbox(ABC):
    """What must reach another system after a change, written in the change's transaction,
    delivered at least once: claimed with a lease, delivered, marked done."""

    @abstractmethod
    async def add(
        self, board_id: int, target: str, ordering: str, payload: dict[str, Any], at: datetime
    ) -> int:
        """Queue ``payload`` for ``target``; rows with the same ordering go out in order."""

    @abstractmethod
    async def claim(
        self, targets: Sequence[str], owner: str, now: datetime, until: datetime, limit: int
    ) -> list[OutboxItem]:
        """Due rows for ``targets`` nobody holds, each the oldest undone of its ordering,
        now held by ``owner`` until ``until`` (then another owner may claim them again)."""

    @abstractmethod
    async def done(self, item_id: int, at: datetime) -> None:
        """Delivered: never claimed again (an earlier attempt's error is cleared)."""

    @abstractmethod
    async def failed(
        self, item_id: int, error: str, next_try_at: datetime | None, at: datetime
    ) -> None:
        """A failed attempt: tried again at ``next_try_at``; None gives up (done, with the
        error kept)."""

    @abstractmethod
    async def recent(self, board_id: int, target_prefix: str, limit: int) -> list[OutboxRecord]:
        """The newest rows of the board whose target starts with ``target_prefix``."""

    @abstractmethod
    async def next_due(self, targets: Sequence[str]) -> datetime | None:
        """When the earliest undone row for ``targets`` falls due."""


class Webhooks(ABC):
    """Outgoing webhook endpoints of boards."""

    @abstractmethod
    async def add(
        self, board_id: int, url: str, secret: str, events: Sequence[str], at: datetime
    ) -> int: ...
    @abstractmethod
    async def of_board(self, board_id: int) -> list[WebhookRow]:
        """Every endpoint of the board, disabled ones too, oldest first."""

    @abstractmethod
    async def by_id(self, webhook_id: int) -> WebhookRow | None: ...
    @abstractmethod
    async def remove(self, board_id: int, webhook_id: int) -> bool:
        """Delete the endpoint (its queued deliveries are dropped); False if not the board's."""

    @abstractmethod
    async def active_ids(self) -> list[int]:
        """Every endpoint that is not disabled."""

    @abstractmethod
    async def disable(self, webhook_id: int, at: datetime) -> bool:
        """Switch the endpoint off; False when it was off already (or is gone)."""

    @abstractmethod
    async def votes_reached(
        self, board_id: int, canonical_id: int, thresholds: Sequence[int], at: datetime
    ) -> tuple[int, list[int]]:
        """The canonical idea's votes now, and those of ``thresholds`` it reaches for the
        first time, recorded as reached: each threshold comes back once per idea, however
        its votes go and come later. Meant inside the vote's transaction; on PostgreSQL
        the idea is locked first, so two votes committing together cannot both count one
        short of a threshold."""

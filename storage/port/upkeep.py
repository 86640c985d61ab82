"""The store's ports around the backlog: channels and cursors, digest claims, the digest's
activity, the moderation log, link codes, the inbox, reconciliation, imports."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from storage.rows import (
    Access,
    ChannelRow,
    Claim,
    ExistingMessage,
    IdeaInsert,
    LinkCodeRow,
    MergeRow,
    PostKey,
    PostRow,
    Ranking,
    StatusChangeRow,
    StatusEvent,
    StoredAnonymous,
    StoredReaction,
    StoredVotes,
)


class Channels(ABC):
    """Channels attached to boards by purpose ('ideas', 'digest'), and catch-up cursors."""

    @abstractmethod
    async def set(
        self,
        board_id: int,
        platform: str,
        workspace_id: str,
        channel_id: str,
        purpose: str,
        enabled: bool,
        at: datetime,
    ) -> None: ...
    @abstractmethod
    async def of_board(self, board_id: int, purpose: str) -> list[ChannelRow]: ...
    @abstractmethod
    async def board_of(self, platform: str, channel_id: str, purpose: str) -> int | None: ...
    @abstractmethod
    async def cursor(self, platform: str, channel_id: str) -> str | None: ...
    @abstractmethod
    async def advance_cursor(self, platform: str, channel_id: str, message_id: str) -> None:
        """Move the cursor forward to ``message_id`` (compared as decimals); never back."""


class Digests(ABC):
    """Digest posts: claimed before posting, recorded once the platform accepted them."""

    @abstractmethod
    async def claim(
        self,
        key: PostKey,
        owner: str,
        now: datetime,
        until: datetime,
        late: bool,
        *,
        ignore_backoff: bool = False,
    ) -> Claim | None:
        """The claim on posting ``key`` until ``until``; None when not ours to post."""

    @abstractmethod
    async def posted(self, key: PostKey, owner: str, message_id: str, now: datetime) -> bool: ...
    @abstractmethod
    async def failed(self, key: PostKey, owner: str, error: str, next_try_at: datetime) -> None: ...
    @abstractmethod
    async def pending_times(self, now: datetime) -> list[datetime]:
        """When unfinished posts may be tried again, after ``now``."""

    @abstractmethod
    async def latest(self, board_id: int) -> list[PostRow]:
        """The newest post of each of the board's channels."""


class Activity(ABC):
    """What happened on a board in a period: the digest's raw material (reads only)."""

    @abstractmethod
    async def merged_ideas(self, board_id: int) -> dict[int, int]: ...
    @abstractmethod
    async def period_votes(
        self, board_id: int, start: datetime, end: datetime, since: datetime, half_life_h: float
    ) -> tuple[list[tuple[int, int, int]], dict[int, float]]:
        """(idea id, author member id, votes cast in (start, end] still on at its end) for
        ideas that gained any, and idea id -> votes cast in [since, end) still on at
        ``end``, each weighing half per ``half_life_h`` hours before ``end`` (trending)."""

    @abstractmethod
    async def vote_losses(
        self, board_id: int, start: datetime, end: datetime
    ) -> dict[int, int]: ...
    @abstractmethod
    async def self_votes(self, board_id: int, start: datetime, end: datetime) -> dict[int, int]: ...
    @abstractmethod
    async def exact_gains(
        self, board_id: int, canonicals: list[int], start: datetime, end: datetime
    ) -> dict[int, int]: ...
    @abstractmethod
    async def votes_cast(self, board_id: int, start: datetime, end: datetime) -> int: ...
    @abstractmethod
    async def created_between(
        self, board_id: int, start: datetime, end: datetime
    ) -> list[tuple[int, int, bool]]: ...
    @abstractmethod
    async def status_changes(
        self, board_id: int, start: datetime, end: datetime
    ) -> list[StatusChangeRow]: ...
    @abstractmethod
    async def merges(self, board_id: int, start: datetime, end: datetime) -> list[MergeRow]: ...
    @abstractmethod
    async def open_ideas(self, board_id: int, at: datetime) -> int: ...


class ModerationLog(ABC):
    @abstractmethod
    async def add(
        self,
        board_id: int,
        actor_id: int | None,
        action: str,
        details: dict[str, Any],
        at: datetime,
    ) -> None: ...


class LinkCodes(ABC):
    """One-time codes a board's moderator hands out to attach another community."""

    @abstractmethod
    async def add(
        self,
        code: str,
        board_id: int,
        actor_id: int | None,
        created_at: datetime,
        expires_at: datetime,
    ) -> None: ...
    @abstractmethod
    async def get(self, code: str) -> LinkCodeRow | None: ...
    @abstractmethod
    async def use(self, code: str, platform: str, workspace_id: str, at: datetime) -> bool:
        """Mark the code used; False when it was used meanwhile."""


class Inbox(ABC):
    """Platform events written before they are acknowledged, marked done once handled."""

    @abstractmethod
    async def put(self, platform: str, event_id: str, body: str, at: datetime) -> bool: ...
    @abstractmethod
    async def done(self, platform: str, event_ids: Sequence[str], at: datetime) -> None: ...
    @abstractmethod
    async def pending(self, platform: str, after: int, limit: int) -> list[tuple[int, str, str]]:
        """(row id, event id, body) of events not yet handled, oldest first."""

    @abstractmethod
    async def forget_done(self, before: datetime) -> int: ...


class ReconcilePlaces(ABC):
    """Reconciliation: the messages to re-read, the votes stored on one, the place reached."""

    @abstractmethod
    async def messages_to_check(
        self, board_id: int, platform: str, since: datetime, below: int | None, limit: int
    ) -> list[tuple[int, str, str]]: ...
    @abstractmethod
    async def stored_votes(
        self, board_id: int, platform: str, channel_id: str, message_id: str, emoji: str
    ) -> StoredVotes | None:
        """The emoji's facts on a message; None when the message stands for no idea."""

    @abstractmethod
    async def add_votes(
        self,
        board_id: int,
        idea_id: int,
        message_row: int,
        member_ids: Sequence[int],
        emoji: str,
        at: datetime,
    ) -> int: ...
    @abstractmethod
    async def remove_votes(
        self, message_row: int, member_ids: Sequence[int], emoji: str, at: datetime
    ) -> int: ...
    @abstractmethod
    async def end_anonymous(self, message_row: int, emoji: str, at: datetime) -> int:
        """End the message's anonymous imported counts of ``emoji``: how many votes."""

    @abstractmethod
    async def place(self, platform: str, board_id: int) -> int | None: ...
    @abstractmethod
    async def start(self, platform: str, board_id: int, at: datetime) -> None: ...
    @abstractmethod
    async def advance(self, platform: str, board_id: int, idea_id: int) -> None: ...
    @abstractmethod
    async def finish(self, platform: str, board_id: int, at: datetime) -> None: ...


class Imports(ABC):
    """Bulk reads and writes of an import (inside one transaction)."""

    @abstractmethod
    async def existing_messages(
        self, platform: str, channel_ids: Sequence[str]
    ) -> dict[tuple[str, str], ExistingMessage]: ...
    @abstractmethod
    async def reactions_on(
        self, board_id: int, message_rows: Sequence[int]
    ) -> list[StoredReaction]: ...
    @abstractmethod
    async def anonymous_on(
        self, board_id: int, message_rows: Sequence[int]
    ) -> list[StoredAnonymous]: ...
    @abstractmethod
    async def reserve(self, board_id: int, count: int) -> tuple[int, int, int]:
        """(first idea id, first message row id, first number) for ``count`` new ideas."""

    @abstractmethod
    async def insert_ideas(
        self, board_id: int, ideas: Sequence[IdeaInsert], first_row: int
    ) -> None: ...
    @abstractmethod
    async def insert_merges(
        self, board_id: int, merges: Sequence[tuple[int, int, float, datetime]]
    ) -> None: ...
    @abstractmethod
    async def insert_suggestions(
        self, board_id: int, suggestions: Sequence[tuple[int, int, float]]
    ) -> None: ...
    @abstractmethod
    async def insert_reactions(
        self,
        board_id: int,
        rows: Sequence[tuple[int, int, int, str, datetime]],
        *,
        unless_withdrawn: bool,
    ) -> int: ...
    @abstractmethod
    async def set_anonymous(
        self,
        board_id: int,
        ended: Sequence[int],
        rows: Sequence[tuple[int, int, str, int, datetime]],
    ) -> None: ...


class Pages(ABC):
    """What the web board reads (ranked lists, an idea's history, the roadmap, feed
    events) and who may read a board there (public, or holding its secret read key)."""

    @abstractmethod
    async def ranking(self, board_id: int, since: datetime) -> Ranking:
        """Every live canonical idea with its votes, votes gained since ``since`` and
        duplicates; the same object again while nothing changed."""

    @abstractmethod
    async def duplicate_counts(self, board_id: int, ids: Sequence[int]) -> dict[int, int]: ...
    @abstractmethod
    async def duplicates(self, board_id: int, idea_id: int) -> list[tuple[int, str]]: ...
    @abstractmethod
    async def status_history(self, board_id: int, idea_id: int) -> list[StatusEvent]: ...
    @abstractmethod
    async def recent_status_changes(self, board_id: int, limit: int) -> list[StatusEvent]: ...
    @abstractmethod
    async def newest_ids(self, board_id: int, limit: int) -> list[int]: ...
    @abstractmethod
    async def roadmap(
        self, board_id: int, statuses: Sequence[str]
    ) -> list[tuple[int, datetime]]: ...
    @abstractmethod
    async def first_idea_at(self, board_id: int) -> datetime | None: ...
    @abstractmethod
    async def last_change(self, board_id: int) -> datetime | None: ...
    @abstractmethod
    async def access(self, board_id: int) -> Access: ...
    @abstractmethod
    async def public_boards(self) -> list[tuple[int, str]]: ...
    @abstractmethod
    async def set_public(self, board_id: int, public: bool, at: datetime) -> None: ...
    @abstractmethod
    async def set_key(self, board_id: int, key_sha256: str | None, at: datetime) -> None: ...

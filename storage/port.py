"""The store interface: what the core may ask of a database, and nothing else.

Each port is named for what it holds (ideas, votes, boards, channels, digests...);
its methods take and return plain values (``storage.rows``) and timezone-aware
datetimes, never an engine's rows or connections. A store is an engine (SQLite
embedded, PostgreSQL shared) that implements every port.

A call on ``store.<port>`` is a transaction of its own (on SQLite, writes waiting
together share one commit). Several changes that must stand or fall together go in
one explicit transaction::

    async with store.transaction() as tx:
        member = await tx.members.ensure("discord", "42", "Ada")
        await tx.log.add(board_id, member, "merge", {...}, at)

Inside it, use only ``tx``: awaiting another write on the store itself from inside a
transaction waits for that transaction to end (on SQLite: forever).
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from storage.errors import StoreError
from storage.rows import (
    BoardRow,
    CandidateRow,
    ChannelRow,
    Claim,
    ExistingMessage,
    IdeaInsert,
    IdeaRow,
    LinkCodeRow,
    MemberRow,
    MergeRow,
    MessageTarget,
    NewIdea,
    OutboxItem,
    OutboxRecord,
    PairLabel,
    PostKey,
    PostRow,
    StatusChangeRow,
    StoredAnonymous,
    StoredReaction,
    StoredVotes,
    VoteEvent,
    WebhookRow,
)

__all__ = ["Store", "StoreError", "Transaction"]

# (idea number reacted to or None, whether a fact changed), or None for a repeated event.
VoteOutcome = tuple[int | None, bool] | None


class Boards(ABC):
    """Boards, their settings, and the workspaces (guilds) attached to them."""

    @abstractmethod
    async def by_id(self, board_id: int) -> BoardRow | None: ...
    @abstractmethod
    async def by_name(self, name: str) -> BoardRow | None: ...
    @abstractmethod
    async def all(self) -> list[BoardRow]: ...
    @abstractmethod
    async def of_workspace(self, platform: str, workspace_id: str) -> BoardRow | None: ...
    @abstractmethod
    async def ensure_for_workspace(
        self, platform: str, workspace_id: str, name: str, at: datetime
    ) -> BoardRow:
        """The workspace's board, created on first use (its name made unique)."""

    @abstractmethod
    async def save_settings(self, board_id: int, settings: dict[str, Any]) -> None: ...
    @abstractmethod
    async def idea_count(self, board_id: int) -> int:
        """Ideas on the board that are not deleted."""

    @abstractmethod
    async def move_workspace(self, platform: str, workspace_id: str, board_id: int) -> None:
        """Attach a workspace, and its channels, to another board."""

    @abstractmethod
    async def attach_workspace(
        self, platform: str, workspace_id: str, board_id: int, name: str | None
    ) -> None:
        """Make the board the workspace's own (a workspace without a board yet)."""

    @abstractmethod
    async def create(self, name: str, at: datetime) -> BoardRow | None:
        """A new board with exactly this name, attached to no workspace; None when taken."""

    @abstractmethod
    async def rename(self, board_id: int, name: str) -> bool:
        """Give the board a new name; False when another board has it."""

    @abstractmethod
    async def workspaces(self, board_id: int) -> list[tuple[str, str, str | None]]:
        """(platform, workspace id, name) of every workspace attached to the board."""


class Members(ABC):
    """People seen on a platform; the id stays, the display name follows the latest."""

    @abstractmethod
    async def ensure(self, platform: str, user_id: str, name: str) -> int: ...
    @abstractmethod
    async def ensure_many(self, platform: str, people: Sequence[tuple[str, str]]) -> dict[str, int]:
        """user_id -> member id for (user_id, name) people; a name only replaces one
        when it is given."""

    @abstractmethod
    async def names(self, ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
        """member id -> (platform, user_id, name)."""


class Events(ABC):
    """Platform event ids already handled: a redelivered event changes nothing."""

    @abstractmethod
    async def first_seen(self, platform: str, event_id: str, at: datetime) -> bool:
        """True the first time an event id is seen (and records it); False after."""


class Ideas(ABC):
    """Ideas, the messages that stand for them, merges, statuses and deletes."""

    @abstractmethod
    async def by_number(self, board_id: int, number: int) -> IdeaRow | None: ...
    @abstractmethod
    async def by_id(self, board_id: int, idea_id: int) -> IdeaRow | None: ...
    @abstractmethod
    async def by_ids(self, board_id: int, ids: Sequence[int]) -> dict[int, IdeaRow]: ...
    @abstractmethod
    async def listing(self, board_id: int, *, include_deleted: bool) -> list[IdeaRow]:
        """Every idea of the board in number order (merged ones too), with votes."""

    @abstractmethod
    async def top_ids(self, board_id: int, limit: int, statuses: list[str] | None) -> list[int]:
        """Live canonical ideas with the most votes; ties to the older idea."""

    @abstractmethod
    async def insert(self, idea: NewIdea) -> tuple[int, int]:
        """Store a new canonical idea (and its source message): (id, number)."""

    @abstractmethod
    async def link_message(
        self,
        board_id: int,
        idea_id: int,
        platform: str,
        channel_id: str,
        message_id: str,
        kind: str,
    ) -> bool:
        """Let a message stand for an idea; False when it already stands for one."""

    @abstractmethod
    async def message_target(
        self, platform: str, channel_id: str, message_id: str
    ) -> MessageTarget | None: ...
    @abstractmethod
    async def messages_of(self, board_id: int, idea_id: int) -> list[tuple[str, str, str, str]]:
        """(platform, channel_id, message_id, kind) of every message of an idea."""

    @abstractmethod
    async def update_text(
        self, board_id: int, idea_id: int, title: str, body: str, embedding: bytes, at: datetime
    ) -> None: ...
    @abstractmethod
    async def set_status(
        self,
        board_id: int,
        idea_id: int,
        old: str,
        new: str,
        note: str | None,
        actor_id: int | None,
        at: datetime,
    ) -> None: ...
    @abstractmethod
    async def merge(
        self,
        board_id: int,
        idea_id: int,
        into_id: int,
        into_canonical: int,
        score: float | None,
        automatic: bool,
        actor_id: int | None,
        at: datetime,
    ) -> None:
        """Point the idea (and all merged into it) at ``into_id``; nothing else moves."""

    @abstractmethod
    async def unmerge(self, board_id: int, idea_id: int, at: datetime) -> None: ...
    @abstractmethod
    async def mark_deleted(self, board_id: int, idea_id: int, at: datetime) -> list[int]:
        """Withdraw an idea, keeping its rows; the ids of ideas merged into it, now unmerged."""

    @abstractmethod
    async def canonical_vectors(
        self, board_id: int, dim: int, from_number: int = 1
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
        """Ids of the board's live canonical ideas numbered ``from_number`` or more, and a
        float32 matrix whose row i is idea i's vector, with spare rows after the last (the
        similarity index keeps it as its storage)."""

    @abstractmethod
    async def canonical_embeddings(
        self, board_id: int, from_number: int = 1
    ) -> list[tuple[int, bytes]]: ...
    @abstractmethod
    async def next_number(self, board_id: int) -> int:
        """The number the board's next idea will get; it grows with every idea stored."""

    @abstractmethod
    async def index_version(self, board_id: int) -> tuple[int, int]:
        """What a similarity index of the board must follow, cheaply: (the next idea
        number, the newest merge, unmerge, delete or import in the moderation log)."""

    @abstractmethod
    async def embedding_of(self, board_id: int, idea_id: int) -> bytes | None: ...
    @abstractmethod
    async def candidates(self, board_id: int, idea_ids: Sequence[int]) -> dict[int, CandidateRow]:
        """The live ideas among ``idea_ids``, by id, with their text and author."""

    @abstractmethod
    async def bodies(self, board_id: int, start: int, stop: int) -> list[str]:
        """The texts of the board's ideas numbered ``start`` up to (not including) ``stop``."""

    @abstractmethod
    async def voters(self, board_id: int, canonical_id: int) -> list[MemberRow]:
        """Everyone with an active named vote on the idea or an idea merged into it."""


class Suggestions(ABC):
    """ "Same as #12?" questions offered to an idea's author and the moderators."""

    @abstractmethod
    async def add(
        self, board_id: int, idea_id: int, candidates: list[tuple[int, float]]
    ) -> None: ...
    @abstractmethod
    async def state(self, board_id: int, idea_id: int, candidate_id: int) -> str | None: ...
    @abstractmethod
    async def pending(self, board_id: int, idea_id: int) -> list[int]:
        """The ideas still offered as the idea's duplicate, best score first."""

    @abstractmethod
    async def decide(
        self,
        board_id: int,
        idea_id: int,
        candidate_id: int | None,
        state: str,
        actor_id: int | None,
        at: datetime,
    ) -> None:
        """Close the idea's pending suggestions: one (``candidate_id``) or all."""


class PairLabels(ABC):
    """Duplicate decisions a board's people made (labelled pairs), for its thresholds."""

    @abstractmethod
    async def add(
        self,
        board_id: int,
        idea_id: int,
        other_id: int,
        *,
        same: bool,
        source: str,
        features: Sequence[float],
        score: float,
        actor_id: int | None,
        at: datetime,
    ) -> None:
        """Keep one decision about the pair; a later one about it wins."""

    @abstractmethod
    async def current(self, board_id: int) -> list[PairLabel]:
        """The board's live decisions, the latest per pair (either order), oldest first."""

    @abstractmethod
    async def retire(self, board_id: int, at: datetime) -> int:
        """Retire every live decision of the board; how many there were."""


class Votes(ABC):
    """Reaction facts: who put a vote emoji on which message, when, and took it off."""

    @abstractmethod
    def record(self, events: Sequence[VoteEvent]) -> asyncio.Future[list[VoteOutcome | Exception]]:
        """Record reaction events in one transaction, each standing or failing alone (a
        failed one leaves nothing of itself, its event id included). The write is queued
        at once (a burst is not held back a loop turn); await what each event did."""


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
    async def disable(self, webhook_id: int, at: datetime) -> None: ...


class Ports:
    """Every port of a store; a store and each of its transactions carry them all."""

    boards: Boards
    members: Members
    events: Events
    ideas: Ideas
    suggestions: Suggestions
    labels: PairLabels
    votes: Votes
    channels: Channels
    digests: Digests
    activity: Activity
    log: ModerationLog
    links: LinkCodes
    inbox: Inbox
    reconcile: ReconcilePlaces
    imports: Imports
    outbox: Outbox
    webhooks: Webhooks


class Transaction(Ports):
    """The ports inside one transaction: everything commits together, or nothing."""

    def __init__(self) -> None:
        self._on_commit: list[Callable[[], None]] = []

    def on_commit(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the transaction has committed; never if it rolls back."""
        self._on_commit.append(callback)

    def committed(self) -> None:
        callbacks, self._on_commit = self._on_commit, []
        for callback in callbacks:
            callback()


class Store(Ports, ABC):
    """One database, whatever the engine."""

    # A name for messages: a file path, or a URL without its password.
    location: str
    readonly: bool

    @abstractmethod
    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """Ports whose changes commit together when the block ends without an error."""

    @abstractmethod
    async def close(self) -> None: ...

"""The store's ports for the backlog itself: boards, members, event ids, ideas, duplicate
suggestions and the decisions people made about them, votes."""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import numpy as np
import numpy.typing as npt

from storage.rows import (
    BoardRow,
    CandidateRow,
    IdeaRow,
    MemberRow,
    MessageTarget,
    NewIdea,
    PairLabel,
    VoteEvent,
)

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

    @abstractmethod
    async def merge(self, source_id: int, into_id: int, at: datetime) -> list[tuple[int, int, int]]:
        """Move everything of board ``source_id`` onto ``into_id`` (ideas renumbered after
        the target's highest, in their old order; their messages, reaction facts, merges,
        statuses, suggestions, labels, log, channels, communities, digests, link codes,
        outbox rows and webhooks) and delete the source board: (idea id, old number, new
        number) per moved idea, each marked updated ``at`` (its number changed: pages and
        feeds of the target show the change). The target's settings are left to the
        caller. Use inside a transaction with whatever else must commit with it."""


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

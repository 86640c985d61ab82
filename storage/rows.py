"""Plain rows the store hands back; the core turns them into its own views."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class BoardRow:
    id: int
    name: str
    settings: dict[str, Any]


@dataclass(frozen=True, slots=True)
class MemberRow:
    id: int
    platform: str
    user_id: str
    name: str


@dataclass(frozen=True, slots=True)
class IdeaRow:
    id: int
    board_id: int
    number: int
    title: str
    body: str
    author: MemberRow
    platform: str
    channel_id: str | None
    message_id: str | None
    permalink: str | None
    status: str
    status_note: str | None
    merged_into: int | None
    merged_into_number: int | None
    canonical_id: int
    created_at: str
    updated_at: str
    deleted_at: str | None
    votes: int = 0
    anonymous_votes: int = 0


@dataclass(frozen=True, slots=True)
class MessageTarget:
    """The idea a chat message stands for."""

    board_id: int
    idea_id: int
    message_row: int


@dataclass(frozen=True, slots=True)
class ReactionOutcome:
    """What recording a reaction fact did."""

    idea_id: int | None
    number: int | None
    changed: bool

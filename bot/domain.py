"""Value objects going into the core: what happened on a platform, or what someone asked for.

Adapters build these from Discord or Slack events; the core never sees a
platform object. All are frozen, keyword-only, and carry aware datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Status(StrEnum):
    OPEN = "open"
    UNDER_REVIEW = "under_review"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DECLINED = "declined"


# Statuses that close the loop: their voters are told.
NOTIFY_STATUSES = frozenset({Status.PLANNED, Status.DONE, Status.DECLINED})
CLOSED_STATUSES = frozenset({Status.DONE, Status.DECLINED})


@dataclass(frozen=True, kw_only=True, slots=True)
class Where:
    """A place on a platform: a Discord guild or Slack workspace, maybe a channel in it."""

    platform: str
    workspace_id: str
    channel_id: str | None = None
    workspace_name: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Person:
    """Someone on a platform, as the platform names them."""

    platform: str
    user_id: str
    name: str
    is_bot: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class Actor:
    """Someone asking for something, with the platform's facts about them: whether the
    platform makes them an administrator (Discord: Manage Server; Slack: workspace
    admin or owner) and their roles (ids and names). Whether that makes them a
    moderator of a board is the core's decision (``bot.moderation.is_moderator``)."""

    person: Person
    is_moderator: bool = False
    roles: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class IdeaDraft:
    """A message someone means as an idea (idea channel, /idea, "Save as idea", import)."""

    where: Where
    author: Person
    text: str
    created_at: datetime
    message_id: str | None = None
    permalink: str | None = None
    source: str = "channel"
    event_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ReactionChange:
    """An emoji put on (``added``) or taken off a message."""

    where: Where
    message_id: str
    person: Person
    emoji: str
    added: bool
    at: datetime
    event_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageEdited:
    where: Where
    message_id: str
    text: str
    at: datetime
    event_id: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class MessageDeleted:
    where: Where
    message_id: str
    at: datetime
    event_id: str | None = None


# -- moderator commands ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class MergeIdeas:
    where: Where
    actor: Actor
    number: int
    into: int


@dataclass(frozen=True, kw_only=True, slots=True)
class UnmergeIdea:
    where: Where
    actor: Actor
    number: int


@dataclass(frozen=True, kw_only=True, slots=True)
class SetStatus:
    where: Where
    actor: Actor
    number: int
    status: str
    note: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class DeleteIdea:
    where: Where
    actor: Actor
    number: int
    reason: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AnswerSuggestion:
    """The author's or a moderator's answer to "same as #12?"."""

    where: Where
    actor: Actor
    number: int
    candidate: int
    same: bool

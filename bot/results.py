"""What the core answers: views of ideas and the outcome of each request."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from bot.domain import NOTIFY_STATUSES, Person


@dataclass(frozen=True, kw_only=True, slots=True)
class IdeaView:
    """An idea as a user sees it."""

    board_id: int
    number: int
    title: str
    body: str
    author: Person
    status: str
    status_note: str | None
    votes: int
    created_at: datetime
    permalink: str | None = None
    merged_into: int | None = None
    deleted: bool = False
    # Of ``votes``, those an import recorded without names (a reaction's count only).
    anonymous_votes: int = 0

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.body}" if self.body else self.title


def idea_json(idea: IdeaView) -> dict[str, Any]:
    """The idea as `ideabot ideas --format json` and the webhooks show it."""
    data = asdict(idea)
    data["author"] = {
        "platform": idea.author.platform,
        "user_id": idea.author.user_id,
        "name": idea.author.name,
    }
    data["created_at"] = idea.created_at.isoformat()
    data.pop("board_id")
    return data


@dataclass(frozen=True, kw_only=True, slots=True)
class Candidate:
    idea: IdeaView
    score: float


@dataclass(frozen=True, kw_only=True, slots=True)
class Created:
    """A new idea, unlike any on the board."""

    idea: IdeaView


@dataclass(frozen=True, kw_only=True, slots=True)
class Merged:
    """The idea was stored and merged into ``into``: its votes count there."""

    idea: IdeaView
    into: IdeaView
    score: float | None
    automatic: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class PossibleDuplicate:
    """The idea was stored; it may be the same as the candidates (best first).

    A candidate may be done or declined already: its status and note tell the
    author the idea was not lost.
    """

    idea: IdeaView
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True, kw_only=True, slots=True)
class AlreadyCaptured:
    """The message was already an idea (a repeated event, or saved twice)."""

    idea: IdeaView


@dataclass(frozen=True, kw_only=True, slots=True)
class VoteChanged:
    """A reaction fact was recorded; ``changed`` is False for a repeat."""

    board_id: int
    number: int
    person: Person
    added: bool
    changed: bool


@dataclass(frozen=True, kw_only=True, slots=True)
class Ignored:
    """The event was not for us (not a vote emoji, a bot, a message that is no idea)."""

    reason: str


@dataclass(frozen=True, kw_only=True, slots=True)
class Edited:
    idea: IdeaView


@dataclass(frozen=True, kw_only=True, slots=True)
class Deleted:
    idea: IdeaView
    unmerged: tuple[int, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Unmerged:
    idea: IdeaView
    was_in: IdeaView


@dataclass(frozen=True, kw_only=True, slots=True)
class SuggestionDismissed:
    idea: IdeaView
    candidate: IdeaView


@dataclass(frozen=True, kw_only=True, slots=True)
class StatusChanged:
    """The status moved; ``notify`` lists the voters to tell (empty unless it closes the loop)."""

    idea: IdeaView
    old: str
    new: str
    note: str | None
    notify: tuple[Person, ...]
    messages: tuple[tuple[str, str, str], ...] = ()
    at: datetime | None = None

    @property
    def announce(self) -> bool:
        """Whether the change is told in the idea's thread: it closes the loop (planned,
        done, declined), or there are voters to tell."""
        return bool(self.notify) or self.new in NOTIFY_STATUSES


SubmitResult = Created | Merged | PossibleDuplicate | AlreadyCaptured
ReactResult = VoteChanged | Ignored

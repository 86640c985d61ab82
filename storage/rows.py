"""Plain rows the store takes and hands back (with timezone-aware times); the core turns
them into its own views. No engine is named here: these are the store interface's values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
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


@dataclass(frozen=True, slots=True)
class VoteEvent:
    """One reaction event to record on a board: who, which emoji, on which message."""

    board_id: int
    platform: str
    channel_id: str
    message_id: str
    user_id: str
    user_name: str
    emoji: str
    added: bool
    at: datetime
    # The platform's event id; a second event with the same id changes nothing.
    event_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class PostKey:
    """One digest in one channel: the unit that is posted exactly once."""

    board_id: int
    platform: str
    workspace_id: str
    channel_id: str
    period_start: datetime
    period_end: datetime
    label: str


@dataclass(frozen=True, kw_only=True)
class Claim:
    attempt: int
    # True when an earlier attempt may have posted part of it before it died.
    resumed: bool


@dataclass(frozen=True, kw_only=True)
class PostRow:
    platform: str
    channel_id: str
    period_start: datetime
    label: str
    state: str
    attempts: int
    next_try_at: datetime | None
    last_error: str | None
    claimed_until: datetime | None
    posted_at: datetime | None
    late: bool


@dataclass(frozen=True, slots=True)
class ChannelRow:
    platform: str
    workspace_id: str
    channel_id: str
    # When it was set up (digest channels get only what fell due after that).
    added_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class StatusChangeRow:
    idea_id: int
    old: str
    new: str
    note: str | None
    at: datetime
    actor: str | None


@dataclass(frozen=True, slots=True)
class MergeRow:
    idea_id: int
    into_id: int
    automatic: bool
    score: float | None
    at: datetime
    actor: str | None


@dataclass(frozen=True, slots=True)
class LinkCodeRow:
    board_id: int
    expires_at: datetime
    used_at: datetime | None


@dataclass(frozen=True, slots=True)
class StoredVotes:
    """The vote emoji's facts on one message: user id -> (member id, vote active)."""

    message_row: int
    idea_id: int
    votes: dict[str, tuple[int, bool]]


@dataclass(frozen=True, slots=True)
class NewIdea:
    """A canonical idea to store; its id and number come back."""

    board_id: int
    author_id: int
    title: str
    body: str
    platform: str
    channel_id: str | None
    message_id: str | None
    permalink: str | None
    embedding: bytes | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class ExistingMessage:
    board_id: int
    idea_id: int
    message_row: int


@dataclass(frozen=True, slots=True)
class StoredReaction:
    """A reaction fact on a message, with whose it is."""

    id: int
    message_row: int
    emoji: str
    user_id: str
    anonymous: bool
    active: bool


@dataclass(frozen=True, slots=True)
class StoredAnonymous:
    """The active anonymous-vote count of one emoji on a message."""

    id: int
    message_row: int
    emoji: str
    count: int


@dataclass(frozen=True, slots=True)
class IdeaInsert:
    """One ``ideas`` row with its id and number already chosen."""

    id: int
    number: int
    author_id: int
    title: str
    body: str
    platform: str
    channel_id: str
    message_id: str
    permalink: str | None
    embedding: bytes
    created_at: datetime
    updated_at: datetime
    merged_into: int | None
    canonical_id: int


@dataclass(frozen=True, slots=True)
class PairLabel:
    """A duplicate decision people made about two ideas, with the pair as it was scored."""

    idea_id: int
    other_id: int
    same: bool
    source: str
    features: tuple[float, ...]
    score: float


@dataclass(frozen=True, slots=True)
class CandidateRow:
    """What judging a duplicate candidate needs of a stored idea."""

    body: str
    platform: str
    user_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RankedRow:
    id: int
    number: int
    status: str
    votes: int
    gained: int
    duplicates: int


@dataclass(frozen=True, slots=True)
class Ranking:
    """Every live canonical idea of a board with its figures, as one connection read it
    at one version (on SQLite its ``data_version``, the count of commits by other
    connections; the same Ranking object comes back while the version holds)."""

    version: int
    rows: tuple[RankedRow, ...]


@dataclass(frozen=True, slots=True)
class Access:
    public: bool
    key_sha256: str | None


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A status change as the web board lists it."""

    id: int
    idea_id: int
    number: int
    title: str
    old: str
    new: str
    note: str | None
    at: datetime


@dataclass(frozen=True)
class PeriodVotes:
    """What ``period_votes`` reads.

    - ``gains``: (idea_id, author member id, votes) of votes cast in (start, end] and still
      on at its end, for ideas that gained any (an idea may come twice, once for its
      members' votes and once for its anonymous ones: the figures add up; a person who
      voted on two messages of one idea counts twice here, ``exact_gains`` counts people);
    - ``weights``: idea_id -> votes cast in [since, end) and still on at ``end``, each
      weighing half per ``half_life_h`` hours before ``end`` (trending), for ideas with any;
    - ``own``: author member id -> the votes of ``gains`` they cast on their own ideas;
    - ``cast``: all the votes of ``gains`` (the headline's votes cast).
    """

    gains: list[tuple[int, int, int]]
    weights: dict[int, float]
    own: dict[int, int]
    cast: int


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """One claimed delivery of the outbox: to ``target``, what ``payload`` says."""

    id: int
    board_id: int
    target: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime


@dataclass(frozen=True, slots=True)
class OutboxRecord:
    """An outbox row as `ideabot webhooks deliveries` lists it."""

    id: int
    target: str
    payload: dict[str, Any]
    attempts: int
    created_at: datetime
    done_at: datetime | None
    last_error: str | None


@dataclass(frozen=True, slots=True)
class WebhookRow:
    """An outgoing webhook endpoint of a board."""

    id: int
    board_id: int
    url: str
    secret: str
    events: tuple[str, ...]
    created_at: datetime
    disabled_at: datetime | None

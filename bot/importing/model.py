"""What an export holds, once parsed: platform-free messages, reactions and people."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

# Why a message of the export did not become an idea; the keys of the summary.
SKIP_BOTS = "bot messages"
SKIP_SYSTEM = "joins and other system messages"
SKIP_REPLIES = "thread replies"
SKIP_TOMBSTONES = "deleted thread parents (tombstones)"
SKIP_UNKNOWN = "unknown message types"
SKIP_NO_AUTHOR = "messages without an author"
SKIP_REPEATED = "repeated in the export"
SKIP_EMPTY = "empty or too short"
SKIP_TOO_LONG = "too long"
SKIP_ALREADY = "already imported"
SKIP_OTHER_BOARD = "already an idea on another board"
SKIP_BAD = "unreadable (bad files or messages)"


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportedPerson:
    """Someone in an export, with the id the platform gives them."""

    user_id: str
    name: str
    is_bot: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportedReaction:
    """One emoji on a message: who put it there, as far as the export says.

    ``count`` is the true total; ``users`` may list fewer people (Slack caps the
    list, DiscordChatExporter writes none before 2.40.4 or ``[]`` when Discord
    refused to list them). The difference becomes anonymous votes.
    """

    emoji: str
    count: int
    users: tuple[ImportedPerson, ...] = ()
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        """Every name the emoji goes by, the stored one first."""
        return (self.emoji, *self.aliases)


@dataclass(frozen=True, kw_only=True, slots=True)
class ImportedMessage:
    """A top-level message of an idea channel: an idea to be, with its reactions."""

    channel_id: str
    channel_name: str
    message_id: str
    author: ImportedPerson
    text: str
    at: datetime
    edited_at: datetime | None = None
    permalink: str | None = None
    reactions: tuple[ImportedReaction, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.channel_id, self.message_id)


@dataclass(frozen=True, kw_only=True)
class ParsedExport:
    """Everything an import reads from one export (one workspace or server)."""

    platform: str
    # The Slack team or Discord guild; None when the export cannot say (Discord DMs).
    workspace_id: str | None
    workspace_name: str | None
    kind: str
    channels: tuple[str, ...]
    messages: tuple[ImportedMessage, ...]
    skipped: Counter[str] = field(default_factory=Counter)
    # Files or messages left out under --skip-bad-files, each "file: what is wrong".
    problems: tuple[str, ...] = ()


class Collected:
    """The messages an export yields, each once, and how many were left out and why."""

    def __init__(self) -> None:
        self.messages: list[ImportedMessage] = []
        self.skipped: Counter[str] = Counter()
        self._seen: set[tuple[str, str]] = set()

    def add(self, outcome: ImportedMessage | str) -> None:
        """Keep a message (unless seen before), or count the reason it is no idea."""
        if isinstance(outcome, str):
            self.skipped[outcome] += 1
        elif outcome.key in self._seen:
            self.skipped[SKIP_REPEATED] += 1
        else:
            self._seen.add(outcome.key)
            self.messages.append(outcome)

"""The demo: replay a sample community through the real pipeline and show its digest."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot.app import App
from bot.digest import Period, build_digest, week_period
from bot.domain import (
    Actor,
    IdeaDraft,
    MergeIdeas,
    MessageEdited,
    Person,
    ReactionChange,
    SetStatus,
    Where,
)
from bot.errors import IdeabotError
from bot.render import digest_markdown
from bot.results import Merged, PossibleDuplicate

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
DEMO_EVENTS = EXAMPLES / "community.jsonl"
PLATFORM = "demo"
CHANNEL = "ideas"


class DemoClock:
    """A clock the replay moves forward to each event's time."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@dataclass
class ReplaySummary:
    events: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)
    last_at: datetime | None = None
    numbers: dict[str, int] = field(default_factory=dict)
    # "Same as #N?" questions: the new idea's key and the keys it was offered as a duplicate of.
    questions: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    # Automatic merges: the new idea's key and the key it was merged into.
    auto_merges: list[tuple[str, str]] = field(default_factory=list)

    def key_of(self, number: int) -> str:
        """The file's key of idea ``#number``."""
        return next(key for key, n in self.numbers.items() if n == number)


# The text fields each kind of event needs; "key" names the idea an event is about.
FIELDS = {
    "idea": ("key", "author", "text"),
    "vote": ("key", "user"),
    "unvote": ("key", "user"),
    "edit": ("key", "text"),
    "status": ("key", "by", "status"),
    "merge": ("key", "by", "into"),
}


def load_events(path: Path) -> list[dict[str, Any]]:
    """The events of a demo file; IdeabotError naming the line when one is malformed.

    Every event is checked before any is replayed, so a bad line stops the demo
    before it has touched a database.
    """
    events = []
    if not path.is_file():
        raise IdeabotError(f"{path} is not a file")
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise IdeabotError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None
    ideas: set[str] = set()
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            event = json.loads(line)
            event["at"] = datetime.fromisoformat(event["at"])
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise IdeabotError(f"{path}:{n}: not a demo event ({exc!r:.80})") from None
        if event["at"].tzinfo is None:
            raise IdeabotError(f"{path}:{n}: the time has no offset")
        _check_event(event, ideas, f"{path}:{n}")
        events.append(event)
    return events


def _check_event(event: dict[str, Any], ideas: set[str], where: str) -> None:
    kind = event.get("type")
    if kind not in FIELDS:
        raise IdeabotError(f"{where}: unknown demo event type {kind!r:.40}")
    for name in FIELDS[kind]:
        if not isinstance(event.get(name), str):
            raise IdeabotError(f"{where}: a {kind} event needs {name!r} (text)")
    if kind == "idea":
        ideas.add(event["key"])
    if kind not in ("status", "merge"):
        return  # a vote or edit of a message that is no idea is ignored, as in chat
    for name in ("key", "into") if kind == "merge" else ("key",):
        if event[name] not in ideas:
            raise IdeabotError(f"{where}: no idea {event[name]!r:.40} before this line")


def _person(handle: str) -> Person:
    return Person(platform=PLATFORM, user_id=handle, name=handle)


async def replay(app: App, events: list[dict[str, Any]], clock: DemoClock) -> ReplaySummary:
    """Feed the events to the service as chat would have delivered them."""
    where = Where(
        platform=PLATFORM, workspace_id="trailmix", channel_id=CHANNEL, workspace_name="Trailmix"
    )
    summary = ReplaySummary()
    for event in events:
        clock.now = event["at"]
        summary.events += 1
        summary.last_at = event["at"]
        kind = event["type"]
        key = event.get("key", "")
        if kind == "idea":
            result = await app.ideas.submit(
                IdeaDraft(
                    where=where,
                    author=_person(event["author"]),
                    text=event["text"],
                    created_at=event["at"],
                    message_id=f"msg-{key}",
                    permalink=None,
                )
            )
            summary.numbers[key] = result.idea.number
            summary.outcomes[type(result).__name__] += 1
            if isinstance(result, PossibleDuplicate):
                offered = tuple(summary.key_of(c.idea.number) for c in result.candidates)
                summary.questions.append((key, offered))
            elif isinstance(result, Merged):
                summary.auto_merges.append((key, summary.key_of(result.into.number)))
        elif kind in ("vote", "unvote"):
            await app.ideas.react(
                ReactionChange(
                    where=where,
                    message_id=f"msg-{key}",
                    person=_person(event["user"]),
                    emoji="👍",
                    added=kind == "vote",
                    at=event["at"],
                )
            )
        elif kind == "edit":
            await app.ideas.edit(
                MessageEdited(
                    where=where, message_id=f"msg-{key}", text=event["text"], at=event["at"]
                )
            )
        elif kind == "status":
            await app.moderation.set_status(
                SetStatus(
                    where=where,
                    actor=Actor(person=_person(event["by"]), is_moderator=True),
                    number=summary.numbers[key],
                    status=event["status"],
                    note=event.get("note"),
                )
            )
        elif kind == "merge":
            idea = await app.queries.show(await app.core.board_for(where), summary.numbers[key])
            if idea.merged_into is None:
                await app.moderation.merge(
                    MergeIdeas(
                        where=where,
                        actor=Actor(person=_person(event["by"]), is_moderator=True),
                        number=summary.numbers[key],
                        into=summary.numbers[event["into"]],
                    )
                )
                summary.outcomes["moderator merges"] += 1
        else:
            raise IdeabotError(f"unknown demo event type {kind!r}")
    return summary


def demo_period(summary: ReplaySummary) -> Period:
    """The week of the last event, in UTC."""
    if summary.last_at is None:
        raise IdeabotError("the demo file has no events")
    year, week, _ = summary.last_at.astimezone(UTC).isocalendar()
    return week_period(year, week, ZoneInfo("UTC"))


async def run_demo(
    app: App, events: list[dict[str, Any]], clock: DemoClock
) -> tuple[ReplaySummary, str]:
    """Replay the events and render the digest of their last week."""
    summary = await replay(app, events, clock)
    board = await app.core.board_for(Where(platform=PLATFORM, workspace_id="trailmix"))
    # The demo board is for showing: public on the web board (`ideabot serve`).
    await app.web_access.publish(board)
    digest = await build_digest(app.core, board, demo_period(summary))
    return summary, digest_markdown(digest)

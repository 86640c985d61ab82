"""Parsing a Slack workspace export: ``channels.json``, ``users.json``, daily message files.

Facts of the real format this relies on (checked against real exports):
- ``ts`` is a string and the message's id in its channel; it stays a string (a float
  loses digits) and dates the message. The daily files are grouped by a local time
  zone, so their names never date anything.
- ``created`` in channels.json is a string in some exports and an integer in others;
  nothing here needs it.
- Replies carry ``thread_ts`` (not equal to their own ``ts``) and ``parent_user_id``
  and may sit in another day's file; a deleted parent that kept replies is a
  ``tombstone``. Neither is an idea.
- Bot messages have ``bot_id`` and often no ``user``.
- A reaction's ``users`` may be shorter than its ``count``; ``count`` is the total.
- ``text`` is Slack's wire format, as live events send it (``&amp;``, ``<@U123>``,
  ``<#C1|general>``, links): it is stored as plain text, names from users.json and
  channels.json, the same way the live adapter stores it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bot.importing.bounds import MAX_REACTION_COUNT, date_range_text, within_chat_dates
from bot.importing.model import (
    SKIP_BAD,
    SKIP_BOTS,
    SKIP_NO_AUTHOR,
    SKIP_REPLIES,
    SKIP_SYSTEM,
    SKIP_TOMBSTONES,
    Collected,
    ImportedMessage,
    ImportedPerson,
    ImportedReaction,
    ParsedExport,
)
from bot.importing.reader import ExportFiles, Problems
from bot.importing.select import choose_channels
from bot.slack_markup import plain_text

PLATFORM = "slack"
TS = re.compile(r"^\d{1,12}\.\d{1,9}$")
BOT_SUBTYPES = frozenset({"bot_message", "bot_add", "bot_remove"})
SLACKBOT = "USLACKBOT"


class BadMessage(ValueError):
    """A message whose fields do not have the types the format gives them."""


def ts_time(ts: str) -> datetime:
    """The time of a Slack ``ts`` ("1459154014.000018"); BadMessage outside chat dates."""
    try:
        at = datetime.fromtimestamp(float(Decimal(ts)), tz=UTC)
    except (ValueError, OverflowError, OSError, ArithmeticError):
        at = None
    if at is None or not within_chat_dates(at):
        raise BadMessage(f"ts {ts[:30]} is not a time between {date_range_text()}")
    return at


def emoji_name(name: str) -> str:
    """A reaction name without its skin tone: "+1::skin-tone-2" votes like "+1"."""
    return name.split("::", 1)[0]


def parse(files: ExportFiles, wanted: Sequence[str], problems: Problems) -> ParsedExport:
    """The export's top-level messages of the chosen channels, with what was left out."""
    channels = _channels(files, problems)
    if not channels:
        problems.report(files.where("channels.json"), "lists no channels")
    chosen = choose_channels(channels, wanted, files.label)
    users = _users(files, problems)
    teams: Counter[str] = Counter(
        str(u["team_id"]) for u in users.values() if u.get("team_id") and not _is_bot_user(u)
    )
    people = People(users)
    user_names = {u: n for u in users if (n := people.of(u).name) != u}
    channel_names = dict(channels)

    def plain(text: str) -> str:
        return plain_text(text, user_names, channel_names)

    collected = Collected()
    for channel_id, name in channels:
        if channel_id not in chosen:
            continue
        for file in [n for n in files.names if n.startswith(f"{name}/") and n.count("/") == 1]:
            data = files.load(file, problems)
            if data is None:
                continue
            if not isinstance(data, list):
                problems.report(files.where(file), "is not a list of messages")
                continue
            for position, raw in enumerate(data):
                try:
                    outcome = _message(raw, channel_id, name, people, plain)
                except BadMessage as exc:
                    problems.report(files.where(file), f"message {position + 1}: {exc}")
                    collected.skipped[SKIP_BAD] += 1
                    continue
                if isinstance(raw, dict) and isinstance(raw.get("team"), str):
                    teams[raw["team"]] += 1
                collected.add(outcome)
    return ParsedExport(
        platform=PLATFORM,
        workspace_id=_workspace_id(teams, channels),
        workspace_name=None,  # an export does not name its workspace; the live bot has none
        kind="Slack export",
        channels=tuple(f"#{name}" for cid, name in channels if cid in chosen),
        messages=tuple(collected.messages),
        skipped=collected.skipped,
        problems=tuple(problems.items),
    )


def _workspace_id(teams: Counter[str], channels: list[tuple[str, str]]) -> str:
    if teams:
        return teams.most_common(1)[0][0]
    # No team id anywhere (old exports): a stable id from the channels, so a re-import
    # of the same export lands on the same board.
    digest = hashlib.sha1(",".join(sorted(c for c, _ in channels)).encode()).hexdigest()
    return f"export-{digest[:12]}"


def _channels(files: ExportFiles, problems: Problems) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    # groups.json holds the private channels in exports that include them.
    for listing in ("channels.json", "groups.json"):
        if not files.has(listing):
            continue
        data = files.load(listing, problems)
        if data is None:
            continue
        if not isinstance(data, list):
            problems.report(files.where(listing), "is not a list of channels")
            continue
        for position, channel in enumerate(data):
            if not (
                isinstance(channel, dict)
                and isinstance(channel.get("id"), str)
                and isinstance(channel.get("name"), str)
            ):
                problems.report(files.where(listing), f"channel {position + 1} has no id or name")
                continue
            out.append((channel["id"], channel["name"]))
    return out


def _users(files: ExportFiles, problems: Problems) -> dict[str, dict[str, Any]]:
    if not files.has("users.json"):
        return {}
    data = files.load("users.json", problems)
    if not isinstance(data, list):
        if data is not None:
            problems.report(files.where("users.json"), "is not a list of users")
        return {}
    return {u["id"]: u for u in data if isinstance(u, dict) and isinstance(u.get("id"), str)}


def _is_bot_user(user: dict[str, Any]) -> bool:
    return bool(user.get("is_bot")) or user.get("id") == SLACKBOT


class People:
    """The export's members as ImportedPerson, each made once: a member who reacted to
    ten thousand messages is one object, looked up, not ten thousand built."""

    def __init__(self, users: dict[str, dict[str, Any]]) -> None:
        self.users = users
        self._made: dict[str, ImportedPerson] = {}

    def of(self, user_id: str, profile: Any = None) -> ImportedPerson:
        if isinstance(profile, dict):  # the message's own copy of its author's profile
            return _person(user_id, self.users, profile)
        person = self._made.get(user_id)
        if person is None:
            person = self._made[user_id] = _person(user_id, self.users)
        return person

    def all(self, user_ids: Iterable[str]) -> tuple[ImportedPerson, ...]:
        """The people of ``user_ids``, each once, in order."""
        made = self._made
        return tuple(made.get(u) or self.of(u) for u in dict.fromkeys(user_ids))


def _person(user_id: str, users: dict[str, dict[str, Any]], profile: Any = None) -> ImportedPerson:
    user = users.get(user_id) or {}
    names = [user.get("profile") or {}, user, profile if isinstance(profile, dict) else {}]
    name = next(
        (
            str(source[key])
            for source in names
            if isinstance(source, dict)
            for key in ("display_name", "real_name", "name")
            if isinstance(source.get(key), str) and source[key].strip()
        ),
        user_id,
    )
    return ImportedPerson(
        user_id=user_id, name=name, is_bot=_is_bot_user(user) or user_id == SLACKBOT
    )


def _is_ts(value: Any) -> bool:
    return isinstance(value, str) and TS.match(value) is not None


def _message(
    raw: Any,
    channel_id: str,
    channel_name: str,
    people: People,
    plain: Callable[[str], str],
) -> ImportedMessage | str:
    """The message as an idea candidate, or why it is none; BadMessage when malformed."""
    if not isinstance(raw, dict):
        raise BadMessage("is not an object")
    ts = raw.get("ts")
    if not isinstance(ts, str) or not _is_ts(ts):
        raise BadMessage(f"ts must be a string like '1459154014.000018', got {ts!r}"[:120])
    for key in ("text", "user", "subtype", "thread_ts", "bot_id"):
        if raw.get(key) is not None and not isinstance(raw[key], str):
            raise BadMessage(f"ts {ts}: {key} is not a string")
    subtype = raw.get("subtype")
    if subtype == "tombstone" or raw.get("hidden"):
        return SKIP_TOMBSTONES
    thread_ts = raw.get("thread_ts")
    if (thread_ts is not None and thread_ts != ts) or raw.get("parent_user_id"):
        return SKIP_REPLIES
    user_id = raw.get("user")
    if subtype in BOT_SUBTYPES or raw.get("bot_id") or (user_id and user_id == SLACKBOT):
        return SKIP_BOTS
    if subtype is not None:
        return SKIP_SYSTEM  # joins, topic changes, file shares: live capture skips them too
    if not user_id:
        return SKIP_NO_AUTHOR
    author = people.of(user_id, raw.get("user_profile"))
    if author.is_bot:
        return SKIP_BOTS
    edited = raw.get("edited")
    edited_ts = edited.get("ts") if isinstance(edited, dict) else None
    return ImportedMessage(
        channel_id=channel_id,
        channel_name=channel_name,
        message_id=ts,
        author=author,
        text=plain(raw.get("text") or ""),
        at=ts_time(ts),
        edited_at=ts_time(edited_ts) if isinstance(edited_ts, str) and _is_ts(edited_ts) else None,
        reactions=_reactions(raw.get("reactions"), ts, people),
    )


def _reactions(raw: Any, ts: str, people: People) -> tuple[ImportedReaction, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise BadMessage(f"ts {ts}: reactions is not a list")
    by_emoji: dict[str, ImportedReaction] = {}
    for position, reaction in enumerate(raw):
        problem = _reaction_problem(reaction)
        if problem is not None:
            raise BadMessage(f"ts {ts}: reaction {position + 1}{problem}")
        count = reaction.get("count", len(reaction.get("users") or ()))
        who = people.all(reaction.get("users") or ())
        name = emoji_name(reaction["name"])
        # Skin tones are separate reactions in the export and one emoji to the board.
        before = by_emoji.get(name)
        if before is not None:
            who = tuple(dict.fromkeys((*before.users, *who)))
            count += before.count
        by_emoji[name] = ImportedReaction(emoji=name, count=max(count, len(who)), users=who)
    return tuple(by_emoji.values())


def _reaction_problem(reaction: Any) -> str | None:
    """What makes a reaction unreadable (to follow "reaction N"), or None."""
    if not isinstance(reaction, dict) or not isinstance(reaction.get("name"), str):
        return " has no name"
    listed = reaction.get("users") or []
    if not isinstance(listed, list) or not all(isinstance(u, str) for u in listed):
        return ": users is not a list of user ids"
    count = reaction.get("count", len(listed))
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return ": count is not a whole number"
    if count > MAX_REACTION_COUNT:
        return f": count {count} is more than any channel has people"
    return None

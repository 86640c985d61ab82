"""Parsing DiscordChatExporter JSON exports: one file per channel or thread.

Facts of the real format this relies on (DCE's JSON writer, versions 2.18 to 2.47):
- Reactions list their ``users`` only from 2.40.4 on, and ``[]`` when Discord would
  not list them although ``count > 0``; ``count`` is the total either way.
- Timestamps are ISO-8601 with the exporting machine's offset (2.41+), not always
  ``+00:00``.
- A standard emoji has ``id`` null (before 2.33) or ``""``; its ``name`` is the
  character and ``code`` (2.38+) a short name like ``thumbsup``.
- Each thread is its own file whose ``channel.type`` ends in ``Thread``; a forum
  post's first message has the thread's id. Replies are ``type: "Reply"``; types DCE
  cannot name come as other strings (``"21"``).
- ``timestampEdited`` marks an edit; deleted messages are simply absent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.importing.bounds import MAX_REACTION_COUNT, date_range_text, within_chat_dates
from bot.importing.errors import ImportFileError
from bot.importing.model import (
    SKIP_BAD,
    SKIP_BOTS,
    SKIP_REPLIES,
    SKIP_SYSTEM,
    SKIP_UNKNOWN,
    Collected,
    ImportedMessage,
    ImportedPerson,
    ImportedReaction,
    ParsedExport,
)
from bot.importing.reader import Problems
from bot.importing.select import choose_channels

PLATFORM = "discord"
# Message kinds DCE names that are not somebody saying something.
SYSTEM_TYPES = frozenset(
    {
        "RecipientAdd",
        "RecipientRemove",
        "Call",
        "ChannelNameChange",
        "ChannelIconChange",
        "ChannelPinnedMessage",
        "GuildMemberJoin",
        "ThreadCreated",
    }
)
DM_GUILD = "0"  # DCE's guild for direct messages


class BadMessage(ValueError):
    """A message whose fields do not have the types the format gives them."""


def parse(
    documents: Sequence[tuple[str, Any]], wanted: Sequence[str], problems: Problems
) -> ParsedExport:
    """The top-level messages of the chosen channels of one server's DCE files."""
    readable = [(path, doc) for path, doc in documents if doc is not None]
    guilds = {}
    # (path, id, name, parent's name, type); a thread's parent is its "category".
    channels: list[tuple[str, str, str, str, str]] = []
    for path, doc in readable:
        guild, channel = doc.get("guild"), doc.get("channel")
        if not (isinstance(guild, dict) and isinstance(guild.get("id"), str)):
            raise ImportFileError(f"{path}: guild has no id; not a DiscordChatExporter export")
        if not (isinstance(channel, dict) and isinstance(channel.get("id"), str)):
            raise ImportFileError(f"{path}: channel has no id; not a DiscordChatExporter export")
        if not isinstance(doc.get("messages"), list):
            raise ImportFileError(f"{path}: messages is not a list")
        guilds[guild["id"]] = str(guild.get("name") or "")
        channels.append(
            (
                path,
                channel["id"],
                str(channel.get("name") or channel["id"]),
                str(channel.get("category") or channel.get("categoryId") or ""),
                str(channel.get("type") or ""),
            )
        )
    if len(guilds) > 1:
        raise ImportFileError(
            f"{readable[0][0]}: the files come from {len(guilds)} different servers;"
            " import one server at a time"
        )
    # A thread is chosen with its parent channel: --channel ideas takes its threads too.
    selectable = [(cid, name) for _, cid, name, _, _ in channels] + [
        (cid, parent) for _, cid, _, parent, kind in channels if _thread(kind) and parent
    ]
    chosen = choose_channels(selectable, wanted, readable[0][0] if readable else "export")
    guild_id = next(iter(guilds), DM_GUILD)
    collected = Collected()
    for (path, doc), (_, channel_id, name, _, kind) in zip(readable, channels, strict=True):
        if channel_id not in chosen:
            continue
        for position, raw in enumerate(doc["messages"]):
            try:
                outcome = _message(raw, guild_id, channel_id, name, _thread(kind))
            except BadMessage as exc:
                problems.report(path, f"message {position + 1}: {exc}")
                collected.skipped[SKIP_BAD] += 1
                continue
            collected.add(outcome)
    return ParsedExport(
        platform=PLATFORM,
        workspace_id=None if guild_id == DM_GUILD else guild_id,
        workspace_name=guilds.get(guild_id) or None,
        kind="DiscordChatExporter export",
        channels=tuple(f"#{name}" for _, cid, name, _, _ in channels if cid in chosen),
        messages=tuple(collected.messages),
        skipped=collected.skipped,
        problems=tuple(problems.items),
    )


def _thread(kind: str) -> bool:
    return kind.endswith("Thread")


def parse_time(value: Any, what: str) -> datetime:
    """An aware datetime from DCE's ISO-8601 text; BadMessage when it is not one."""
    if not isinstance(value, str):
        raise BadMessage(f"{what} is not a date")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadMessage(f"{what} {value[:40]!r} is not an ISO-8601 date") from None
    if parsed.tzinfo is None:
        raise BadMessage(f"{what} {value[:40]!r} has no UTC offset")
    if not within_chat_dates(parsed):
        raise BadMessage(f"{what} {value[:40]!r} is not between {date_range_text()}")
    return parsed


def _person(raw: Any, what: str) -> ImportedPerson:
    if not (isinstance(raw, dict) and isinstance(raw.get("id"), str)):
        raise BadMessage(f"{what} has no id")
    name = raw.get("nickname") or raw.get("name") or raw["id"]
    return ImportedPerson(user_id=raw["id"], name=str(name), is_bot=bool(raw.get("isBot")))


def _message(
    raw: Any, guild_id: str, channel_id: str, channel_name: str, in_thread: bool
) -> ImportedMessage | str:
    """The message as an idea candidate, or why it is none; BadMessage when malformed."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise BadMessage("has no id")
    message_id = raw["id"]
    kind = raw.get("type")
    if kind is not None and not isinstance(kind, str):
        raise BadMessage(f"id {message_id}: type is not a string")
    content = raw.get("content")
    if content is not None and not isinstance(content, str):
        raise BadMessage(f"id {message_id}: content is not a string")
    at = parse_time(raw.get("timestamp"), f"id {message_id}: timestamp")
    author = _person(raw.get("author"), f"id {message_id}: author")
    if kind == "Reply":
        return SKIP_REPLIES
    if kind in SYSTEM_TYPES:
        return SKIP_SYSTEM
    if kind != "Default":
        return SKIP_UNKNOWN
    # In a thread's file only a forum post's opening message (it has the thread's id)
    # is an idea, as in live capture; everything else there is discussion.
    if in_thread and message_id != channel_id:
        return SKIP_REPLIES
    if author.is_bot:
        return SKIP_BOTS
    edited = raw.get("timestampEdited")
    return ImportedMessage(
        channel_id=channel_id,
        channel_name=channel_name,
        message_id=message_id,
        author=author,
        text=content or "",
        at=at,
        edited_at=None if edited is None else parse_time(edited, f"id {message_id}: edit time"),
        permalink=f"https://discord.com/channels/{guild_id}/{channel_id}/{message_id}",
        reactions=_reactions(raw.get("reactions"), message_id),
    )


def _reactions(raw: Any, message_id: str) -> tuple[ImportedReaction, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise BadMessage(f"id {message_id}: reactions is not a list")
    out = []
    for position, reaction in enumerate(raw):
        where = f"id {message_id}: reaction {position + 1}"
        emoji = reaction.get("emoji") if isinstance(reaction, dict) else None
        if not isinstance(emoji, dict) or not isinstance(emoji.get("name"), str):
            raise BadMessage(f"{where} has no emoji name")
        count = reaction.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise BadMessage(f"{where}: count is not a whole number")
        if count > MAX_REACTION_COUNT:
            raise BadMessage(f"{where}: count {count} is more than any channel has people")
        listed = reaction.get("users")  # absent before DCE 2.40.4
        if listed is not None and not isinstance(listed, list):
            raise BadMessage(f"{where}: users is not a list")
        people = {p.user_id: p for p in (_person(u, f"{where}: a user") for u in listed or [])}
        code = emoji.get("code")
        out.append(
            ImportedReaction(
                # The live bot names an emoji by its name: the character, or the custom name.
                emoji=emoji["name"],
                count=max(count, len(people)),
                users=tuple(people.values()),
                aliases=(code,) if isinstance(code, str) and code != emoji["name"] else (),
            )
        )
    return tuple(out)

"""Core results as Slack messages: mrkdwn escaped, Block Kit within Slack's limits."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from bot.digest import Digest
from bot.domain import Person
from bot.render import LATE_NOTICE, QUIET_NOTICE, STATUS_ICON, STATUS_LABEL
from bot.results import Candidate, IdeaView, Merged, PossibleDuplicate, StatusChanged

BLOCKS_MAX = 50
SECTION_MAX = 3000
TEXT_MAX = 3900  # Slack truncates message text past 4,000 characters
BUTTON_TEXT_MAX = 75
# Slack refuses a message whose blocks hold more than about 12,000 characters of text in
# all (msg_blocks_too_long, undocumented; slackapi/bolt-js#2509, #2867): keep a margin.
BLOCKS_TEXT_MAX = 10_000
# What is left of "&amp;", "&lt;" or "&gt;" cut short: Slack would show "&am…".
_PARTIAL_ENTITY = re.compile(r"&(?:a|am|amp|l|lt|g|gt)?$")


def escape(text: str) -> str:
    """User text made inert in mrkdwn: no links, user mentions or <!channel> pings."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """``text`` within ``limit`` characters, never cutting an escaped ``&amp;`` in half."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]) + "…"


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_MAX)}}


def idea_line(idea: IdeaView) -> str:
    line = f"*#{idea.number}* {escape(clip(idea.title, 150))} · {idea.votes} votes"
    if idea.status != "open":
        line += f" · {STATUS_LABEL.get(idea.status, idea.status)}"
    return line


def candidate_line(candidate: Candidate) -> str:
    idea = candidate.idea
    line = idea_line(idea)
    if idea.status_note and idea.status in ("done", "declined"):
        line += f": {escape(clip(idea.status_note, 300))}"
    return line


def captured(idea: IdeaView, emoji: str) -> tuple[str, list[dict[str, Any]]]:
    text = f"Saved as idea #{idea.number}. React with :{emoji}: to vote for it."
    return text, [section(f"Saved as idea *#{idea.number}*. React with :{emoji}: to vote.")]


def merged(result: Merged) -> tuple[str, list[dict[str, Any]]]:
    into = result.into
    text = (
        f"This looks like idea *#{into.number}* ({escape(clip(into.title, 150))}), so it was"
        f" merged there: votes here count for #{into.number}, now at {into.votes}."
    )
    if into.status in ("done", "declined"):
        text += f" #{into.number} is already *{STATUS_LABEL[into.status]}*"
        text += f": {escape(clip(into.status_note, 500))}" if into.status_note else "."
    return clip(text, TEXT_MAX), [section(text)]


def duplicate(result: PossibleDuplicate) -> tuple[str, list[dict[str, Any]]]:
    number = result.idea.number
    lines = [f"Saved as idea *#{number}*. It may be the same as:"]
    lines += [f"• {candidate_line(c)}" for c in result.candidates]
    buttons: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": f"ideabot_dup_merge_{c.idea.number}",
            "text": {"type": "plain_text", "text": f"Same idea: merge into #{c.idea.number}"},
            "value": f"{number}:{c.idea.number}:1",
            "style": "primary",
        }
        for c in result.candidates[:4]
    ]
    buttons.append(
        {
            "type": "button",
            "action_id": "ideabot_dup_different",
            "text": {"type": "plain_text", "text": "Different idea"},
            "value": f"{number}:{result.candidates[0].idea.number}:0",
        }
    )
    text = "\n".join(lines)
    return clip(f"Saved as idea #{number}; it may be a duplicate.", TEXT_MAX), [
        section(text),
        {"type": "actions", "block_id": f"ideabot_dup_{number}", "elements": buttons},
    ]


def status_announcement(result: StatusChanged) -> str:
    idea = result.idea
    label = STATUS_LABEL.get(result.new, result.new)
    text = (
        f"{STATUS_ICON.get(result.new, '')} Idea *#{idea.number}* "
        f"({escape(clip(idea.title, 150))}) is now *{label}*"
    )
    if result.note:
        text += f": {escape(clip(result.note, 1000))}"
    return text


def mention_chunks(intro: str, people: Iterable[Person]) -> list[str]:
    """Messages that mention every Slack voter once, each within Slack's section limit."""
    ids = [p.user_id for p in people if p.platform == "slack"]
    chunks: list[str] = []
    current = intro + ("\nVoted for it: " if ids else "")
    for user_id in ids:
        mention = f"<@{user_id}> "
        if len(current) + len(mention) > SECTION_MAX:
            chunks.append(current.rstrip())
            current = ""
        current += mention
    chunks.append(current.rstrip())
    return chunks


def digest_title(digest: Digest) -> str:
    """The digest's name as plain text (headers and notifications are not mrkdwn)."""
    return f"{digest.board}: ideas of {digest.period.label}"


def digest_blocks(digest: Digest) -> list[list[dict[str, Any]]]:
    """The digest as messages of blocks: each within 50 blocks and Slack's total of text,
    each section within 3,000 characters."""
    h = digest.headline
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {
                "type": "plain_text",
                "text": clip(digest_title(digest), 150),
            },
        },
        section(
            f"*{h.new_ideas}* new ideas · *{h.votes_cast}* votes cast · *{h.open_ideas}* ideas"
            " on the board"
        ),
    ]
    if digest.late:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": LATE_NOTICE}]})
    if digest.quiet:
        blocks.append(section(QUIET_NOTICE))
    parts: list[tuple[str, list[str]]] = [
        (
            "Status changes",
            [
                f"{STATUS_ICON.get(c.new, '')} {idea_line(c.idea)}"
                f" → *{STATUS_LABEL.get(c.new, c.new)}*"
                + (f": {escape(clip(c.note, 300))}" if c.note else "")
                for c in digest.status_changes
            ]
            + _more(digest.more_status_changes, "status changes"),
        ),
        (
            "Top ideas this week",
            [f"{i}. {idea_line(r.idea)} (+{r.gained})" for i, r in enumerate(digest.top, 1)],
        ),
        ("Trending", [f"• {idea_line(r.idea)}" for r in digest.trending]),
        ("New ideas", [f"• {idea_line(i)} · by {escape(i.author.name)}" for i in digest.new_ideas]),
        (
            "Merged duplicates",
            [f"• #{m.idea.number} → {idea_line(m.into)}" for m in digest.merges]
            + _more(digest.more_merges, "merges"),
        ),
        (
            "Most active members",
            [
                f"• {escape(c.person.name)}: {c.ideas} ideas, {c.votes_received} votes received"
                for c in digest.contributors
            ],
        ),
    ]
    for title, lines in parts:
        if not lines:
            continue
        blocks.append(section(f"*{title}*"))
        chunk = ""
        for line in lines:
            line = clip(line, SECTION_MAX)
            if chunk and len(chunk) + len(line) + 1 > SECTION_MAX:
                blocks.append(section(chunk))
                chunk = ""
            chunk = f"{chunk}\n{line}" if chunk else line
        if chunk:
            blocks.append(section(chunk))
    return _pack(blocks)


def block_text_size(block: dict[str, Any]) -> int:
    """Characters of text in a block, as Slack counts them towards msg_blocks_too_long."""
    size = len(str((block.get("text") or {}).get("text") or ""))
    return size + sum(len(str(e.get("text") or "")) for e in block.get("elements") or [])


def _pack(blocks: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Blocks as messages, each within 50 blocks and Slack's total of text."""
    messages: list[list[dict[str, Any]]] = [[]]
    total = 0
    for block in blocks:
        size = block_text_size(block)
        if messages[-1] and (total + size > BLOCKS_TEXT_MAX or len(messages[-1]) == BLOCKS_MAX):
            messages.append([])
            total = 0
        messages[-1].append(block)
        total += size
    return messages


def _more(count: int, what: str) -> list[str]:
    return [f"• … and {count} more {what}"] if count else []

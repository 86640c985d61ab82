"""Core results as Discord messages and embeds, always within Discord's limits."""

from __future__ import annotations

import re
from collections.abc import Iterable

import discord

from bot.digest import Digest
from bot.domain import Person, Where
from bot.render import STATUS_ICON, STATUS_LABEL, digest_markdown, escape_md
from bot.results import Candidate, IdeaView, Merged, PossibleDuplicate, StatusChanged

CONTENT_MAX = 2000
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_TOTAL_MAX = 6000
EMBEDS_PER_MESSAGE = 10
MENTIONS_PER_MESSAGE = 100  # Discord's cap on allowed_mentions.users
COLOUR = discord.Colour.blurple()
# Room kept in every digest message for the footer that names the digest and the part.
FOOTER_ROOM = 200
_FOOTER = re.compile(r"^ideabot digest · (\S+) · part (\d+)/(\d+)$")


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters, marked with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def idea_embed(idea: IdeaView, *, heading: str | None = None) -> discord.Embed:
    """An idea as an embed: number and title, its text, author, status and votes."""
    title = clip(f"#{idea.number} {idea.title}", EMBED_TITLE_MAX)
    body = idea.body if idea.body != idea.title else ""
    embed = discord.Embed(
        title=title,
        description=clip(discord.utils.escape_markdown(body), 1500) if body else None,
        url=idea.permalink if idea.permalink and idea.permalink.startswith("https://") else None,
        colour=COLOUR,
    )
    status = STATUS_LABEL.get(idea.status, idea.status)
    embed.add_field(name="Status", value=f"{STATUS_ICON.get(idea.status, '')} {status}".strip())
    embed.add_field(name="Votes", value=str(idea.votes))
    embed.set_footer(text=clip(f"by {idea.author.name}", 200))
    if idea.status_note:
        embed.add_field(name="Note", value=clip(escape_md(idea.status_note), 1024), inline=False)
    if heading:
        embed.set_author(name=clip(heading, EMBED_TITLE_MAX))
    return embed


def channel_name(where: Where) -> str:
    """A channel as a Discord message names it: a link here, plain for other platforms."""
    if where.platform == "discord":
        return f"<#{where.channel_id}>"
    return f"{where.platform} channel `{escape_md(str(where.channel_id))}`"


def captured_text(idea: IdeaView, vote_emoji: str) -> str:
    return f"Saved as idea **#{idea.number}**. React with {vote_emoji} to vote for it."


def merged_text(result: Merged) -> str:
    into = result.into
    text = (
        f"This looks like idea **#{into.number}** ({escape_md(clip(into.title, 150))}), so it"
        f" was merged there: votes here count for #{into.number}, now at {into.votes}."
    )
    if into.status in ("done", "declined"):
        text += f" #{into.number} is already **{STATUS_LABEL[into.status]}**"
        text += f": {escape_md(clip(into.status_note, 500))}" if into.status_note else "."
    return clip(text, CONTENT_MAX)


def candidate_line(candidate: Candidate) -> str:
    idea = candidate.idea
    line = f"**#{idea.number}** {escape_md(clip(idea.title, 150))} · {idea.votes} votes"
    if idea.status != "open":
        line += f" · {STATUS_LABEL.get(idea.status, idea.status)}"
        if idea.status_note:
            line += f": {escape_md(clip(idea.status_note, 200))}"
    return line


def duplicate_text(result: PossibleDuplicate) -> str:
    lines = [
        f"Saved as idea **#{result.idea.number}**. It may be the same as:",
        *(f"- {candidate_line(c)}" for c in result.candidates),
        "The author or a moderator can merge it, or keep it as a separate idea.",
    ]
    return clip("\n".join(lines), CONTENT_MAX)


def status_announcement(result: StatusChanged) -> str:
    idea = result.idea
    label = STATUS_LABEL.get(result.new, result.new)
    text = (
        f"{STATUS_ICON.get(result.new, '')} Idea **#{idea.number}** "
        f"({escape_md(clip(idea.title, 150))}) is now **{label}**"
    )
    if result.note:
        text += f": {escape_md(clip(result.note, 1000))}"
    return clip(text, CONTENT_MAX)


def mention_chunks(intro: str, people: Iterable[Person]) -> list[tuple[str, list[int]]]:
    """Messages that mention every Discord voter once: (content, ids allowed to be pinged).

    The first message carries the announcement; each stays within 2,000 characters and
    Discord's 100 allowed mentions.
    """
    ids = [int(p.user_id) for p in people if p.platform == "discord" and p.user_id.isdigit()]
    chunks: list[tuple[str, list[int]]] = []
    content = intro + ("\nVoted for it: " if ids else "")
    allowed: list[int] = []
    for user_id in ids:
        mention = f"<@{user_id}> "
        if len(content) + len(mention) > CONTENT_MAX or len(allowed) == MENTIONS_PER_MESSAGE:
            chunks.append((content.rstrip(), allowed))
            content, allowed = "", []
        content += mention
        allowed.append(user_id)
    chunks.append((content.rstrip(), allowed))
    return chunks


def digest_embeds(digest: Digest, key: str | None = None) -> list[list[discord.Embed]]:
    """The digest as messages of embeds: each embed, and each message, within the limits.

    With ``key``, each message's last embed names the digest and the part in its footer
    (read back by ``digest_part``), so a later attempt can tell what is already posted.
    """
    sections = digest_markdown(digest).split("\n## ")
    head, rest = sections[0], sections[1:]
    head_lines = head.splitlines()
    title = clip(head_lines[0].lstrip("# "), EMBED_TITLE_MAX)
    intro = "\n".join(head_lines[1:]).strip()
    embeds = [discord.Embed(title=title, description=clip(intro, 4000), colour=COLOUR)]
    for section in rest:
        name, _, body = section.partition("\n")
        for part in _split_lines(body.strip(), EMBED_DESCRIPTION_MAX - 100):
            embeds.append(
                discord.Embed(title=clip(name, EMBED_TITLE_MAX), description=part, colour=COLOUR)
            )
    messages = _pack(embeds, EMBED_TOTAL_MAX - FOOTER_ROOM)
    if key is not None:
        for number, message in enumerate(messages, 1):
            footer = f"ideabot digest · {key} · part {number}/{len(messages)}"
            message[-1].set_footer(text=clip(footer, FOOTER_ROOM))
    return messages


def digest_part(embeds: Iterable[discord.Embed]) -> tuple[str, int] | None:
    """(key, part number) of a digest message ``digest_embeds`` made; None for others."""
    for embed in embeds:
        match = _FOOTER.match(embed.footer.text or "")
        if match:
            return match[1], int(match[2])
    return None


def _split_lines(text: str, limit: int) -> list[str]:
    parts, current = [], ""
    for line in text.splitlines():
        line = clip(line, limit)
        if current and len(current) + len(line) + 1 > limit:
            parts.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    if current:
        parts.append(current)
    return parts or [""]


def _size(embed: discord.Embed) -> int:
    return len(embed.title or "") + len(embed.description or "")


def _pack(embeds: list[discord.Embed], budget: int) -> list[list[discord.Embed]]:
    messages: list[list[discord.Embed]] = [[]]
    total = 0
    for embed in embeds:
        size = _size(embed)
        if messages[-1] and (total + size > budget or len(messages[-1]) == EMBEDS_PER_MESSAGE):
            messages.append([])
            total = 0
        messages[-1].append(embed)
        total += size
    return messages

"""Rendering core results as Markdown, with every piece of user text escaped."""

from __future__ import annotations

import re
from datetime import timedelta

from bot.digest import Digest, Ranked
from bot.results import IdeaView

STATUS_LABEL = {
    "open": "open",
    "under_review": "under review",
    "planned": "planned",
    "in_progress": "in progress",
    "done": "done",
    "declined": "declined",
}
STATUS_ICON = {
    "done": "✅",
    "in_progress": "🔨",
    "planned": "🗓️",
    "under_review": "🔍",
    "declined": "🚫",
    "open": "💡",
}
LATE_NOTICE = "Posted late: ideabot was offline when this digest was due."
QUIET_NOTICE = "A quiet week: no new ideas, votes or status changes."
# User text never starts a line here (each line begins with our own prefix), so only
# the characters that format inline need escaping.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<|~])")
_MENTION = re.compile(r"@(everyone|here|channel)", re.IGNORECASE)


def escape_md(text: str) -> str:
    """``text`` safe inside Markdown: no formatting, links, headings or mass mentions."""
    one_line = " ".join(text.split())
    escaped = _MD_SPECIAL.sub(r"\\\1", one_line)
    # A zero-width joiner after @ keeps "@everyone" readable but inert.
    return _MENTION.sub(lambda m: "@\u200d" + m[1], escaped)


def short_title(title: str, limit: int = 100) -> str:
    """``title`` cut to ``limit`` characters with an ellipsis."""
    return title if len(title) <= limit else title[: limit - 1] + "…"


def idea_line(idea: IdeaView, *, limit: int = 100) -> str:
    text = f"**#{idea.number}** {escape_md(short_title(idea.title, limit))}"
    if idea.permalink and idea.permalink.startswith(("https://", "http://")):
        text += f" ([link](<{idea.permalink.replace('>', '%3E')}>))"
    return text


def signed(value: int) -> str:
    """``value`` with its sign: +3, 0, -2."""
    return f"+{value}" if value > 0 else str(value)


def votes(n: int) -> str:
    """ "1 vote", "3 votes"."""
    return f"{n} vote" if n == 1 else f"{n} votes"


def _ranked(entry: Ranked) -> str:
    idea = entry.idea
    return (
        f"{idea_line(idea)} — {signed(entry.gained)} this week, {votes(idea.votes)} in all"
        f" · by {escape_md(idea.author.name)}"
    )


def digest_markdown(digest: Digest) -> str:
    """The digest as a Markdown document."""
    period = digest.period
    last_day = period.end - timedelta(days=1)
    h = digest.headline
    lines = [
        f"# {escape_md(digest.board)}: ideas of {period.label}",
        f"_{period.start:%a %d %b %Y} – {last_day:%a %d %b %Y} ({period.start.tzinfo})_",
        "",
        f"**{h.new_ideas} new ideas** ({signed(h.new_ideas - h.previous_new_ideas)} on the week"
        f" before) · **{votes(h.votes_cast)} cast**"
        f" ({signed(h.votes_cast - h.previous_votes_cast)})"
        f" · **{h.open_ideas} ideas** on the board",
        "",
    ]
    if digest.late:
        lines += [f"_{LATE_NOTICE}_", ""]
    if digest.quiet:
        lines += [f"{QUIET_NOTICE}", ""]
    if digest.status_changes:
        lines.append("## Status changes")
        for change in digest.status_changes:
            icon = STATUS_ICON.get(change.new, "•")
            line = (
                f"- {icon} {idea_line(change.idea)}: {STATUS_LABEL.get(change.old, change.old)}"
                f" → **{STATUS_LABEL.get(change.new, change.new)}**"
            )
            if change.note:
                line += f" — {escape_md(change.note)}"
            lines.append(line)
        if digest.more_status_changes:
            lines.append(f"- … and {digest.more_status_changes} more status changes")
        lines.append("")
    if digest.top:
        lines.append("## Top ideas this week")
        lines += [f"{i}. {_ranked(entry)}" for i, entry in enumerate(digest.top, 1)]
        lines.append("")
    if digest.trending:
        lines.append("## Trending")
        lines += [f"- {_ranked(entry)}" for entry in digest.trending]
        lines.append("")
    if digest.new_ideas:
        lines.append("## New ideas")
        lines += [
            f"- {idea_line(idea)} · by {escape_md(idea.author.name)} · {votes(idea.votes)}"
            for idea in digest.new_ideas
        ]
        hidden = digest.headline.new_ideas - len(digest.new_ideas)
        if hidden > 0:
            lines.append(f"- … and {hidden} more (the most voted are listed)")
        lines.append("")
    if digest.merges:
        lines.append("## Merged duplicates")
        for merge in digest.merges:
            how = "automatically" if merge.automatic else "by a moderator"
            lines.append(f"- #{merge.idea.number} → {idea_line(merge.into)} ({how})")
        if digest.more_merges:
            lines.append(f"- … and {digest.more_merges} more merges")
        lines.append("")
    if digest.contributors:
        lines.append("## Most active members")
        for c in digest.contributors:
            ideas = f"{c.ideas} idea" + ("" if c.ideas == 1 else "s")
            lines.append(
                f"- {escape_md(c.person.name)}: {ideas} posted, {votes(c.votes_received)} received"
            )
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"

"""Rendering the digest as one self-contained HTML page, with every piece of user text escaped.

Same sections, order and wording as ``bot.render.digest_markdown``; only the layout differs.
"""

from __future__ import annotations

from datetime import timedelta
from html import escape

from bot.digest import Digest, Ranked
from bot.render import (
    LATE_NOTICE,
    QUIET_NOTICE,
    STATUS_ICON,
    STATUS_LABEL,
    short_title,
    signed,
    votes,
)
from bot.results import IdeaView

# No external fonts, scripts or images: the file is read offline, mailed or printed.
_CSS = """
:root {
  color-scheme: light dark;
  --bg: #f5f6f8; --card: #ffffff; --text: #1c2026; --muted: #5a6270; --line: #dde1e7;
  --accent: #1f5bd1; --up: #1a7f37; --down: #b42318; --note: #f0f3f7; --warn-bg: #fff4d6;
  --warn: #7a4f00;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #0f1217; --card: #171b22; --text: #e4e8ee; --muted: #9aa3b0; --line: #2b323d;
    --accent: #79a6ff; --up: #4ac26b; --down: #ff8578; --note: #1e242d; --warn-bg: #3a2f12;
    --warn: #f5d27a;
  }
}
* { box-sizing: border-box; }
body {
  margin: 0; background: var(--bg); color: var(--text);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
    sans-serif;
}
main { max-width: 46rem; margin: 0 auto; padding: 2rem 1rem 3rem; }
header { margin-bottom: 1.5rem; }
.eyebrow {
  margin: 0; color: var(--muted); font-size: .8rem; letter-spacing: .08em;
  text-transform: uppercase;
}
h1 { margin: .2rem 0 .1rem; font-size: 1.9rem; line-height: 1.2; overflow-wrap: anywhere; }
.period { margin: 0 0 1.2rem; color: var(--muted); }
.stats { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: .75rem; margin: 0; }
.stat { background: var(--card); border: 1px solid var(--line); border-radius: .6rem;
  padding: .8rem 1rem; }
.stat dt { color: var(--muted); font-size: .85rem; }
.stat dt::first-letter { text-transform: uppercase; }
.stat dd { margin: 0; }
.figure { font-size: 1.8rem; font-weight: 700; line-height: 1.2; }
.change { display: block; font-size: .85rem; color: var(--muted); }
.change.up { color: var(--up); }
.change.down { color: var(--down); }
.notice { border-radius: .6rem; padding: .8rem 1rem; margin: 0 0 1rem; }
.late { background: var(--warn-bg); color: var(--warn); font-weight: 600; }
.quiet { background: var(--card); border: 1px dashed var(--line); color: var(--muted); }
section { background: var(--card); border: 1px solid var(--line); border-radius: .6rem;
  padding: .4rem 1.2rem .8rem; margin: 0 0 1rem; }
h2 { font-size: 1.15rem; margin: .6rem 0 .4rem; }
ul, ol { margin: 0; padding: 0; list-style: none; }
li { padding: .55rem 0; border-top: 1px solid var(--line); overflow-wrap: anywhere; }
h2 + ul > li:first-child, h2 + ol > li:first-child { border-top: 0; }
ol { counter-reset: rank; }
ol > li { counter-increment: rank; position: relative; padding-left: 2.2rem; }
ol > li::before {
  content: counter(rank); position: absolute; left: 0; top: .6rem; width: 1.6rem;
  height: 1.6rem; border-radius: 50%; background: var(--note); color: var(--muted);
  font-weight: 700; font-size: .85rem; text-align: center; line-height: 1.6rem;
}
.num { color: var(--muted); font-variant-numeric: tabular-nums; margin-right: .25rem; }
.title { font-weight: 600; }
a { color: var(--accent); text-decoration: none; }
a:hover, a:focus { text-decoration: underline; }
.meta { display: block; color: var(--muted); font-size: .9rem; }
.gain { color: var(--up); font-weight: 700; }
.gain.down { color: var(--down); }
.icon { margin-right: .35rem; }
.badge { display: inline-block; padding: 0 .5rem; border-radius: 1rem; font-size: .8rem;
  font-weight: 700; background: var(--note); color: var(--text); }
.status-done { background: #dcf5e3; color: #135c28; }
.status-in_progress { background: #fff0cc; color: #6b4a00; }
.status-planned { background: #dde8ff; color: #173f99; }
.status-under_review { background: #efe3ff; color: #542a99; }
.status-declined { background: #f2f2f2; color: #4d4d4d; }
@media (prefers-color-scheme: dark) {
  .status-done { background: #173d24; color: #8fe0a7; }
  .status-in_progress { background: #3d3012; color: #f5d27a; }
  .status-planned { background: #1a2a4d; color: #a9c4ff; }
  .status-under_review { background: #2f2145; color: #d5b8ff; }
  .status-declined { background: #2a2d33; color: #c2c7cf; }
}
.note { margin: .35rem 0 0; padding: .4rem .7rem; border-left: 3px solid var(--line);
  background: var(--note); border-radius: 0 .4rem .4rem 0; }
.more { color: var(--muted); font-style: italic; }
.name { font-weight: 600; }
footer { color: var(--muted); font-size: .8rem; text-align: center; margin-top: 2rem; }
@media (max-width: 30rem) {
  main { padding: 1.2rem .75rem 2rem; }
  h1 { font-size: 1.5rem; }
  .stats { gap: .4rem; }
  .stat { padding: .6rem .7rem; }
  .figure { font-size: 1.4rem; }
  section { padding: .3rem .9rem .6rem; }
}
@media print {
  :root { --bg: #fff; --card: #fff; --text: #000; --muted: #444; --line: #bbb;
    --accent: #000; --note: #f3f3f3; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  section, .stat, li { break-inside: avoid; }
  footer { display: none; }
}
"""


def _web_link(url: str | None) -> str | None:
    """``url`` when it is an http(s) address (never ``javascript:`` and the like)."""
    return url if url is not None and url.startswith(("https://", "http://")) else None


def idea_html(idea: IdeaView) -> str:
    """``#N title``, the title linked to the idea's message when that is a web address."""
    title = escape(short_title(idea.title))
    href = _web_link(idea.permalink)
    if href is not None:
        title = f'<a href="{escape(href)}" rel="noopener noreferrer">{title}</a>'
    return f'<span class="num">#{idea.number}</span> <span class="title">{title}</span>'


def _ranked(entry: Ranked) -> str:
    idea = entry.idea
    gain = "gain" if entry.gained >= 0 else "gain down"
    return (
        f'{idea_html(idea)} <span class="meta"><span class="{gain}">{signed(entry.gained)}</span>'
        f" this week, {votes(idea.votes)} in all · by {escape(idea.author.name)}</span>"
    )


def _stat(label: str, value: int, before: int) -> str:
    change = value - before
    trend = "up" if change > 0 else "down" if change < 0 else "same"
    return (
        f'<div class="stat"><dt>{label}</dt><dd><span class="figure">{value}</span>'
        f' <span class="change {trend}">{signed(change)} on the week before</span></dd></div>'
    )


def _section(section_id: str, heading: str, items: list[str], *, ordered: bool = False) -> str:
    tag = "ol" if ordered else "ul"
    body = "".join(f"<li>{item}</li>" for item in items)
    return (
        f'<section id="{section_id}" aria-labelledby="{section_id}-h">'
        f'<h2 id="{section_id}-h">{heading}</h2><{tag}>{body}</{tag}></section>'
    )


def digest_html(digest: Digest) -> str:
    """The digest as a self-contained HTML5 document (inline CSS; light, dark and print)."""
    period = digest.period
    last_day = period.end - timedelta(days=1)
    h = digest.headline
    title = f"{escape(digest.board)}: ideas of {escape(period.label)}"
    parts = [
        '<header><p class="eyebrow">Weekly idea digest</p>',
        f"<h1>{title}</h1>",
        f'<p class="period"><time datetime="{period.start.date().isoformat()}">'
        f'{period.start:%a %d %b %Y}</time> – <time datetime="{last_day.date().isoformat()}">'
        f"{last_day:%a %d %b %Y}</time> ({escape(str(period.start.tzinfo))})</p>",
        '<dl class="stats">',
        _stat("new ideas", h.new_ideas, h.previous_new_ideas),
        _stat("votes cast", h.votes_cast, h.previous_votes_cast),
        f'<div class="stat"><dt>ideas on the board</dt><dd><span class="figure">'
        f"{h.open_ideas}</span></dd></div>",
        "</dl></header>",
    ]
    if digest.late:
        parts.append(f'<p class="notice late" id="late" role="note">{LATE_NOTICE}</p>')
    if digest.quiet:
        parts.append(f'<p class="notice quiet" id="quiet">{QUIET_NOTICE}</p>')
    if digest.status_changes:
        items = []
        for change in digest.status_changes:
            status = change.new if change.new in STATUS_LABEL else "other"
            item = (
                f'<span class="icon" aria-hidden="true">{STATUS_ICON.get(change.new, "•")}</span> '
                f'{idea_html(change.idea)} <span class="meta">'
                f"{escape(STATUS_LABEL.get(change.old, change.old))} → "
                f'<span class="badge status-{status}">'
                f"{escape(STATUS_LABEL.get(change.new, change.new))}</span></span>"
            )
            if change.note:
                item += f' <p class="note">{escape(change.note)}</p>'
            items.append(item)
        if digest.more_status_changes:
            items.append(
                f'<span class="more">… and {digest.more_status_changes} more status changes</span>'
            )
        parts.append(_section("status-changes", "Status changes", items))
    if digest.top:
        items = [_ranked(entry) for entry in digest.top]
        parts.append(_section("top", "Top ideas this week", items, ordered=True))
    if digest.trending:
        parts.append(_section("trending", "Trending", [_ranked(e) for e in digest.trending]))
    if digest.new_ideas:
        items = [
            f'{idea_html(idea)} <span class="meta">by {escape(idea.author.name)}'
            f" · {votes(idea.votes)}</span>"
            for idea in digest.new_ideas
        ]
        hidden = h.new_ideas - len(digest.new_ideas)
        if hidden > 0:
            items.append(
                f'<span class="more">… and {hidden} more (the most voted are listed)</span>'
            )
        parts.append(_section("new", "New ideas", items))
    if digest.merges:
        items = []
        for merge in digest.merges:
            how = "automatically" if merge.automatic else "by a moderator"
            items.append(
                f'<span class="num">#{merge.idea.number}</span> → {idea_html(merge.into)}'
                f' <span class="meta">({how})</span>'
            )
        if digest.more_merges:
            items.append(f'<span class="more">… and {digest.more_merges} more merges</span>')
        parts.append(_section("merges", "Merged duplicates", items))
    if digest.contributors:
        items = []
        for c in digest.contributors:
            ideas = f"{c.ideas} idea" + ("" if c.ideas == 1 else "s")
            items.append(
                f'<span class="name">{escape(c.person.name)}</span>: {ideas} posted,'
                f" {votes(c.votes_received)} received"
            )
        parts.append(_section("contributors", "Most active members", items))
    body = "\n".join(parts)
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n<main>\n{body}\n"
        "</main>\n<footer>Made by ideabot</footer>\n</body>\n</html>\n"
    )

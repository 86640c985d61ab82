"""Markdown rendering: user text is inert (no formatting, links or mass mentions)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.app import App
from bot.digest import build_digest, week_period
from bot.domain import MergeIdeas, SetStatus
from bot.render import digest_markdown, escape_md
from tests.conftest import HERE, FakeClock, draft, moderator, vote

ZWJ = "\u200d"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*bold*", r"\*bold\*"),
        ("**bold**", r"\*\*bold\*\*"),
        ("_x_", r"\_x\_"),
        ("`code`", r"\`code\`"),
        ("```block```", r"\`\`\`block\`\`\`"),
        ("[link](http://x)", r"\[link\](http://x)"),
        # An escaped "<" is enough: a mention or link needs the "<" (and ">" only quotes at
        # the start of a line, where user text never stands).
        ("<@123>", r"\<@123>"),
        ("<!channel>", r"\<!channel>"),
        ("<#C123|general>", r"\<#C123\|general>"),
        ("~~gone~~", r"\~\~gone\~\~"),
        ("||spoiler||", r"\|\|spoiler\|\|"),
        ("a \\ b", r"a \\ b"),
        ("@everyone", f"@{ZWJ}everyone"),
        ("@here", f"@{ZWJ}here"),
        ("hi @Everyone and @HERE", f"hi @{ZWJ}Everyone and @{ZWJ}HERE"),
        ("@channel", f"@{ZWJ}channel"),
        ("plain words, 3 + 4 = 7.", "plain words, 3 + 4 = 7."),
        ("bob@example.com", "bob@example.com"),
        ("a > b", "a > b"),
    ],
)
def test_escape_md_makes_text_inert(text: str, expected: str) -> None:
    assert escape_md(text) == expected


def test_escape_md_folds_lines_and_spaces() -> None:
    assert escape_md("first line\nsecond\r\n\n  third\tword  ") == "first line second third word"
    # Folding means user text can never start a Markdown line of its own.
    assert "\n" not in escape_md("ok\n# Heading\n- item\n> quote")
    assert escape_md("ok\n# Heading") == "ok # Heading"


def test_escape_md_leaves_no_live_mention_or_link() -> None:
    hostile = "**@everyone** [click](http://evil) <@&42> @here"
    out = escape_md(hostile)
    assert out == rf"\*\*@{ZWJ}everyone\*\* \[click\](http://evil) \<@&42> @{ZWJ}here"
    assert "@everyone" not in out and "@here" not in out
    assert "[click](" not in out


# -- a built digest --------------------------------------------------------------------------

HOSTILE = "**@everyone** [click](http://evil)"
HOSTILE_MD = rf"\*\*@{ZWJ}everyone\*\* \[click\](http://evil)"


def utc(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


async def test_digest_markdown_has_every_section_and_escapes_user_text(
    app: App, clock: FakeClock
) -> None:
    mod = moderator()
    texts = [
        (HOSTILE + "\nClick it, @here.", "mal_lory"),
        ("Offline maps for whole regions", "alice"),
        ("Elevation profile under every route", "alice"),
        ("Emergency SOS button that sends my location", "bob"),
        ("Campsites and mountain huts as a map layer", "bob"),
        ("Switch between miles and kilometres", "carol"),
    ]
    for n, (text, author) in enumerate(texts, 1):
        await app.ideas.submit(draft(text, author, message_id=f"m{n}", at=utc(3, 8 + n)))
    # Votes on Tuesday: #1 gets 3, #2..#5 get 2 each; #6 gets 1 on Sunday (trending, not top).
    for who in ("dan", "erin", "frank"):
        await app.ideas.react(vote("m1", who, at=utc(3, 18)))
    for n in (2, 3, 4, 5):
        for who in ("dan", "erin"):
            await app.ideas.react(vote(f"m{n}", who, at=utc(3, 18)))
    await app.ideas.react(vote("m6", "gina", at=utc(8, 12)))
    # A duplicate of #2, merged by a moderator.
    await app.ideas.submit(
        draft("App is useless once I lose reception", "@everyone", message_id="m7", at=utc(4, 9))
    )
    clock.now = utc(5, 9)
    await app.moderation.merge(MergeIdeas(where=HERE, actor=mod, number=7, into=2))
    clock.now = utc(6, 9)
    await app.moderation.set_status(
        SetStatus(
            where=HERE,
            actor=mod,
            number=1,
            status="declined",
            note="No <@&1> pings, _please_ @everyone",
        )
    )

    board = await app.core.board_for(HERE)
    md = digest_markdown(
        await build_digest(app.core, board, week_period(2026, 45, ZoneInfo("UTC")))
    )
    lines = md.splitlines()

    assert lines[0] == "# guild-one: ideas of 2026-W45"
    assert lines[1] == "_Mon 02 Nov 2026 – Sun 08 Nov 2026 (UTC)_"
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        "## Status changes",
        "## Top ideas this week",
        "## Trending",
        "## New ideas",
        "## Merged duplicates",
        "## Most active members",
    ]
    link = " ([link](<https://chat.example/m1>))"
    assert (
        f"- 🚫 **#1** {HOSTILE_MD}{link}: open → **declined** — "
        rf"No \<@&1> pings, \_please\_ @{ZWJ}everyone"
    ) in lines
    assert (f"1. **#1** {HOSTILE_MD}{link} — +3 this week, 3 votes in all · by mal\\_lory") in lines
    assert (
        "- **#6** Switch between miles and kilometres ([link](<https://chat.example/m6>))"
        " — +1 this week, 1 vote in all · by carol"
    ) in lines
    assert f"- **#1** {HOSTILE_MD}{link} · by mal\\_lory · 3 votes" in lines
    assert (
        "- #7 → **#2** Offline maps for whole regions ([link](<https://chat.example/m2>))"
        " (by a moderator)"
    ) in lines
    # The duplicate's author is named "@everyone": inert in the members list too.
    assert f"- @{ZWJ}everyone: 1 idea posted, 0 votes received" in lines
    # Nothing anywhere pings or links where the user wrote it.
    assert "@everyone" not in md
    assert "@here" not in md
    assert "[click](" not in md
    assert " <@&1>" not in md  # only the escaped "\\<@&1>"
    assert "Click it" not in md  # the body is not part of the digest


async def test_digest_markdown_of_a_berlin_week(app: App, clock: FakeClock) -> None:
    board = await app.moderation.configure(HERE, moderator(), "timezone", "Europe/Berlin")
    period = week_period(2026, 43, board.settings.zone)
    md = digest_markdown(await build_digest(app.core, board, period))
    assert md.splitlines()[:2] == [
        "# guild-one: ideas of 2026-W43",
        "_Mon 19 Oct 2026 – Sun 25 Oct 2026 (Europe/Berlin)_",
    ]
    assert "A quiet week" in md

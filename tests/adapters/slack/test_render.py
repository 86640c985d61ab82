"""Slack output stays within Block Kit's limits and never lets member text ping."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from adapters.slack import render
from bot.digest import Digest, Headline, Ranked, week_period
from bot.domain import Person
from bot.results import Candidate, IdeaView, PossibleDuplicate


def idea(number: int, title: str = "Idea") -> IdeaView:
    return IdeaView(
        board_id=1,
        number=number,
        title=title,
        body=title,
        author=Person(platform="slack", user_id=f"U{number}", name="<!here> sam"),
        status="open",
        status_note=None,
        votes=number,
        created_at=datetime(2026, 11, 2, tzinfo=UTC),
    )


def test_escape_makes_mentions_and_links_inert() -> None:
    text = render.escape("<!channel> <!here> <@U123> <https://evil|click> & co")
    assert "<" not in text and ">" not in text
    assert "&lt;!channel&gt;" in text and "&amp; co" in text


def test_clipping_escaped_text_never_leaves_half_an_entity() -> None:
    escaped = render.escape("R&D <3 > x" * 3)  # "R&amp;D &lt;3 &gt; x..."
    for limit in range(2, len(escaped)):
        clipped = render.clip(escaped, limit)
        assert len(clipped) <= limit
        body = clipped.removesuffix("…")
        assert body.count("&") == body.count(";"), clipped
    assert render.clip(escaped, 1000) == escaped


def test_digest_with_500_ideas_fits_block_kit() -> None:
    many = tuple(idea(n, "T" * 140 + " <!channel>") for n in range(1, 501))
    digest = Digest(
        board="trailmix",
        period=week_period(2026, 46, ZoneInfo("UTC")),
        headline=Headline(
            new_ideas=500, votes_cast=1, open_ideas=500, previous_new_ideas=0, previous_votes_cast=0
        ),
        top=tuple(Ranked(idea=i, gained=1) for i in many[:5]),
        trending=(),
        new_ideas=many,
        status_changes=(),
        merges=(),
        contributors=(),
    )
    messages = render.digest_blocks(digest)
    for blocks in messages:
        assert len(blocks) <= 50
        for block in blocks:
            if block["type"] == "section":
                assert len(block["text"]["text"]) <= 3000
    text = "\n".join(b["text"]["text"] for m in messages for b in m if b["type"] == "section")
    assert text.count("*#") >= 505 and "<!channel>" not in text


def test_duplicate_question_has_buttons_for_each_candidate() -> None:
    result = PossibleDuplicate(
        idea=idea(9),
        candidates=(Candidate(idea=idea(2), score=0.7), Candidate(idea=idea(3), score=0.6)),
    )
    _text, blocks = render.duplicate(result)
    buttons = blocks[1]["elements"]
    assert [b["value"] for b in buttons] == ["9:2:1", "9:3:1", "9:2:0"]
    assert all(len(b["text"]["text"]) <= 75 for b in buttons)


def test_mentions_split_within_sections() -> None:
    voters = [Person(platform="slack", user_id=f"U{i:010d}", name="x") for i in range(400)]
    voters.append(Person(platform="discord", user_id="1234", name="d"))
    chunks = render.mention_chunks("Idea #1 is now done", voters)
    assert all(len(c) <= 3000 for c in chunks)
    joined = " ".join(chunks)
    assert all(f"<@{v.user_id}>" in joined for v in voters[:400]) and "<@1234>" not in joined

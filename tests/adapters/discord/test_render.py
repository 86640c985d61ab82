"""Discord rendering stays within Discord's limits whatever the content."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from adapters.discord import render
from bot.digest import Digest, Headline, Ranked, week_period
from bot.domain import Person
from bot.results import IdeaView, StatusChanged


def idea(number: int, title: str = "Idea", body: str = "", **extra: object) -> IdeaView:
    values: dict[str, object] = {
        "board_id": 1,
        "number": number,
        "title": title,
        "body": body or title,
        "author": Person(platform="discord", user_id=str(1000 + number), name="alice"),
        "status": "open",
        "status_note": None,
        "votes": number,
        "created_at": datetime(2026, 11, 2, tzinfo=UTC),
    }
    values.update(extra)
    return IdeaView(**values)  # type: ignore[arg-type]


def embed_size(embed: object) -> int:
    data = embed.to_dict()  # type: ignore[attr-defined]
    size = len(data.get("title", "")) + len(data.get("description", ""))
    size += len(data.get("footer", {}).get("text", ""))
    size += len(data.get("author", {}).get("name", ""))
    size += sum(len(f["name"]) + len(f["value"]) for f in data.get("fields", []))
    return size


def test_idea_embed_of_maximum_length_fits() -> None:
    long = ("word " * 900)[:4000]
    embed = render.idea_embed(idea(1, title=long[:121], body=long, status_note="n" * 1000))
    data = embed.to_dict()
    assert len(data["title"]) <= 256
    assert len(data["description"]) <= 4096
    assert all(len(f["value"]) <= 1024 for f in data["fields"])
    assert embed_size(embed) <= 6000


def test_mentions_are_split_within_limits_and_only_discord_users() -> None:
    voters = [Person(platform="discord", user_id=str(10**17 + i), name=f"u{i}") for i in range(250)]
    voters.append(Person(platform="slack", user_id="U123", name="slacker"))
    chunks = render.mention_chunks("Idea #1 is now done", voters)
    assert all(len(content) <= 2000 and len(ids) <= 100 for content, ids in chunks)
    all_ids = [i for _, ids in chunks for i in ids]
    assert sorted(all_ids) == sorted(int(v.user_id) for v in voters[:250])
    for content, ids in chunks:
        assert all(f"<@{i}>" in content for i in ids)
    assert chunks[0][0].startswith("Idea #1 is now done")


def test_digest_with_500_ideas_fits_in_messages() -> None:
    period = week_period(2026, 46, ZoneInfo("UTC"))
    many = tuple(idea(n, title="T" * 120 + " *bold* @everyone") for n in range(1, 501))
    digest = Digest(
        board="trailmix",
        period=period,
        headline=Headline(
            new_ideas=500,
            votes_cast=9000,
            open_ideas=900,
            previous_new_ideas=1,
            previous_votes_cast=2,
        ),
        top=tuple(Ranked(idea=i, gained=3) for i in many[:5]),
        trending=(),
        new_ideas=many,
        status_changes=(),
        merges=(),
        contributors=(),
    )
    messages = render.digest_embeds(digest)
    assert len(messages) > 1
    for embeds in messages:
        assert 1 <= len(embeds) <= 10
        assert sum(embed_size(e) for e in embeds) <= 6000
        for embed in embeds:
            assert len(embed.title or "") <= 256 and len(embed.description or "") <= 4096
    text = "\n".join(e.description or "" for m in messages for e in m)
    assert text.count("**#") >= 500  # nothing dropped: every new idea is listed
    assert "@everyone" not in text.replace("@\u200deveryone", "")


def test_status_announcement_escapes_user_text() -> None:
    result = StatusChanged(
        idea=idea(3, title="**Dark** mode <@&1>"),
        old="open",
        new="done",
        note="Shipped @everyone [x](http://evil)",
        notify=(),
        at=datetime(2026, 11, 2, tzinfo=UTC) + timedelta(hours=1),
    )
    text = render.status_announcement(result)
    assert "**Dark**" not in text and "\\*\\*Dark" in text
    assert "@everyone" not in text

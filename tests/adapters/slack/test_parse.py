"""Slash command text: every form a member can type gets a command or a usage line."""

from __future__ import annotations

import pytest

from adapters.slack.parse import IDEABOT_USAGE, Parsed, UsageError, parse_ideabot, parse_ideas


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("merge 3 1", Parsed("merge", (3, 1))),
        ("merge #3 #1", Parsed("merge", (3, 1))),
        ("unmerge 3", Parsed("unmerge", (3,))),
        ("status 3 done Shipped in 3.2", Parsed("status", (3,), ("done",), "Shipped in 3.2")),
        ("status 3 In-Progress", Parsed("status", (3,), ("in_progress",), "")),
        ("delete 4 spam, sorry", Parsed("delete", (4,), (), "spam, sorry")),
        ("config show", Parsed("config show")),
        ("config reset thresholds", Parsed("config reset thresholds")),
        ("Config RESET Thresholds", Parsed("config reset thresholds")),
        (
            "config set timezone Europe/Berlin",
            Parsed("config set", (), ("timezone",), "Europe/Berlin"),
        ),
        ("config channel ideas", Parsed("config channel", (), ("ideas", "on"))),
        ("config channel digest off", Parsed("config channel", (), ("digest", "off"))),
        ("digest preview", Parsed("digest preview")),
        ("digest now", Parsed("digest now")),
        ("Digest NOW", Parsed("digest now")),
        ("config digest monday 09:00", Parsed("config digest", (), ("monday", "09:00"))),
        (
            "config digest Friday 17:30 Europe/Berlin",
            Parsed("config digest", (), ("Friday", "17:30", "Europe/Berlin")),
        ),
        ("link", Parsed("link")),
        ("join ABCD-EFGH", Parsed("join", (), ("ABCD-EFGH",))),
    ],
)
def test_moderator_commands_parse(text: str, expected: Parsed) -> None:
    assert parse_ideabot(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "Usage"),
        ("   ", "Usage"),
        ("merge 3", "Usage"),
        ("merge three one", "not an idea number"),
        ("merge 3 -1", "not an idea number"),
        ("merge 3 99999999999", "not an idea number"),
        ("status 3 shipped", "not a status"),
        ("status x done", "not an idea number"),
        ("config set colour blue", "Settings are"),
        ("config channel bananas", "Usage"),
        ("config channel ideas maybe", "Usage"),
        ("config digest", "config digest <weekday> <HH:MM>"),
        ("config digest monday", "config digest <weekday> <HH:MM>"),
        ("config digest monday 09:00 UTC more", "config digest <weekday> <HH:MM>"),
        ("digest", "Usage"),
        ("digest now please", "Usage"),
        ("<!channel> merge 1 2", "Usage"),
        ("drop table ideas", "Usage"),
        ("config reset", "Usage"),
        ("config reset everything", "Usage"),
        ("config reset thresholds now", "Usage"),
        ("config reset <!channel>", "Usage"),
        ("merge 1 2 " + "x" * 5000, "too long"),
    ],
)
def test_bad_moderator_commands_get_the_usage(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_ideabot(text)


def test_usage_lists_every_command() -> None:
    for word in ("merge", "unmerge", "status", "delete", "config", "digest", "link", "join"):
        assert word in IDEABOT_USAGE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Parsed("top", (10,))),
        ("top", Parsed("top", (10,))),
        ("top 3", Parsed("top", (3,))),
        ("top 500", Parsed("top", (25,))),
        ("search dark mode", Parsed("search", (), (), "dark mode")),
        ("show #12", Parsed("show", (12,))),
    ],
)
def test_member_commands_parse(text: str, expected: Parsed) -> None:
    assert parse_ideas(text) == expected


@pytest.mark.parametrize("text", ["top zero", "top 0", "show", "show twelve", "search", "hello"])
def test_bad_member_commands_get_the_usage(text: str) -> None:
    with pytest.raises(UsageError):
        parse_ideas(text)

"""Property tests of the core's parsers and validators of outside text.

Idea text, week strings, board settings, and the Slack slash-command text: for any
input they return a value or raise the product's own error (an IdeabotError subclass),
never anything else.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from adapters.slack.parse import Parsed, UsageError, parse_ideabot, parse_ideas
from bot.boards import SETTING_NAMES, BoardSettings, parse_time
from bot.digest import BadPeriod, Period, parse_week
from bot.errors import InvalidIdea, InvalidSetting
from bot.text import TITLE_MAX, clean_text, title_of, validate_idea_text

HIDDEN = {"Cc", "Cf", "Cs"}
# Text as chat delivers it, with the characters that make trouble over-represented.
TRICKY = st.sampled_from(
    list("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200d\u200e\u200f")
    + list("\u061c\ufeff\u00ad\x00\x07\x1b\x7f\u0085\u2028\u2029\r\n\t \u00a0\u3000")
    + ["\ud800", "\udfff", "e\u0301", "👍🏽", "👨‍👩‍👧", "²", "٣", "=", "+", "-", "@", "#"]
)
CHAT_TEXT = st.lists(st.one_of(st.characters(), TRICKY), max_size=80).map("".join) | st.text()
ZONES = [ZoneInfo("UTC"), ZoneInfo("Europe/Berlin"), ZoneInfo("Pacific/Kiritimati")]


@given(CHAT_TEXT)
@example("a\u202eb" * 3)
def test_clean_text_leaves_nothing_hidden(text: str) -> None:
    cleaned = clean_text(text)
    for ch in cleaned:
        assert ch == "\n" or unicodedata.category(ch) not in HIDDEN, repr(ch)
    assert cleaned == cleaned.strip()
    assert "\n\n\n" not in cleaned
    cleaned.encode("utf-8")  # storable as it is


@given(CHAT_TEXT)
@example("tab\there, a line\nand \u200bzero\u00a0width\r\n\n\n\x85end\t")
def test_clean_text_keeps_every_visible_character(text: str) -> None:
    """Against the rule read character by character: clean_text skips that reading for
    printable lines, so a line it wrongly took for printable would keep a hidden one,
    and one it wrongly read would lose a visible one."""
    lines = re.sub(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]", "\n", unicodedata.normalize("NFC", text))
    kept = "".join(c for c in lines if c in "\n\t" or unicodedata.category(c) not in HIDDEN)
    tidy = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in kept.split("\n")]
    assert clean_text(text) == re.sub(r"\n{3,}", "\n\n", "\n".join(tidy)).strip()


@given(CHAT_TEXT, st.integers(min_value=50, max_value=5000))
def test_validate_idea_text_gives_a_storable_idea_or_invalid_idea(
    text: str, max_length: int
) -> None:
    try:
        idea = validate_idea_text(text, max_length)
    except InvalidIdea as exc:
        assert str(exc)
        return
    assert 3 <= len(idea) <= max_length
    assert any(ch.isalnum() for ch in idea)
    title = title_of(idea)
    assert title and "\n" not in title and len(title) <= TITLE_MAX + 1
    assert not set(title) & {"\u202e", "\u2066", "\u200e"}


WEEKS = st.builds(
    lambda y, w, sep: f"{y:04d}{sep}W{w:02d}",
    st.integers(0, 9999),
    st.integers(0, 99),
    st.sampled_from(["-", "", "-w"]),
)


@given(st.one_of(WEEKS, CHAT_TEXT), st.sampled_from(ZONES))
@example("0001-W01", ZoneInfo("Pacific/Kiritimati"))
@example("9999-W52", ZoneInfo("UTC"))
def test_parse_week_gives_a_week_or_bad_period(text: str, zone: ZoneInfo) -> None:
    try:
        period = parse_week(text, zone)
    except BadPeriod as exc:
        assert str(exc)
        return
    assert isinstance(period, Period)
    assert 167 <= period.hours <= 169
    assert period.start.weekday() == 0


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | CHAT_TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(CHAT_TEXT, inner, max_size=4),
    max_leaves=12,
)


@given(st.one_of(st.sampled_from(SETTING_NAMES), CHAT_TEXT), JSON_VALUES)
@example("timezone", "../../etc/passwd")
@example("timezone", "\x00")
@example("suggest", float("nan"))
@example("digest_time", "２３:５９")
def test_a_setting_takes_a_value_or_says_why_not(key: str, value: Any) -> None:
    try:
        updated = BoardSettings().updated(key, value)
    except InvalidSetting as exc:
        assert str(exc)
        return
    # What was accepted is usable: the zone loads, the time reads, thresholds are ordered.
    assert updated.zone is not None
    assert parse_time(updated.digest_time) is not None
    assert 0 < updated.suggest <= updated.auto_merge <= 1 or updated.thresholds
    BoardSettings.from_json(updated.to_json())


@settings(max_examples=60)  # each example tries every setting: a few seconds in all
@given(
    st.dictionaries(st.one_of(st.sampled_from(SETTING_NAMES), CHAT_TEXT), JSON_VALUES, max_size=6)
)
def test_stored_settings_always_load(data: dict[str, Any]) -> None:
    loaded = BoardSettings.from_json(data)
    assert loaded.zone is not None
    assert parse_time(loaded.digest_time) is not None


COMMAND_WORDS = st.sampled_from(
    [
        *("merge", "unmerge", "status", "delete", "config", "show", "set", "channel", "digest"),
        *("preview", "now", "link", "join", "top", "search", "ideas", "off", "done", "planned"),
        *("#12", "3", "0", "-1", "1e9", "٣", "１２", "99999999999", "monday", "09:00"),
        *("Europe/Berlin", "timezone", "vote_emoji", "moderator_users"),
    ]
)


COMMANDS = st.lists(st.one_of(COMMAND_WORDS, CHAT_TEXT), max_size=6).map(" ".join)


@given(st.one_of(COMMANDS, CHAT_TEXT))
@example("top ٣")
@example("show １２")
def test_slash_command_text_parses_or_gives_the_usage(text: str) -> None:
    for parse in (parse_ideabot, parse_ideas):
        try:
            parsed = parse(text)
        except UsageError as exc:
            assert str(exc)
            continue
        assert isinstance(parsed, Parsed)
        assert all(0 < n < 10**9 for n in parsed.numbers)


@pytest.mark.parametrize("text", ["merge ² 1", "unmerge ³", "show ²"])
def test_superscript_digits_are_a_usage_error(text: str) -> None:
    parse = parse_ideas if text.startswith("show") else parse_ideabot
    with pytest.raises(UsageError):
        parse(text)

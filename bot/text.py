"""Turning a chat message into an idea's title and text, and checking it is one."""

from __future__ import annotations

import re
import unicodedata

from bot.errors import InvalidIdea

TITLE_MAX = 120
_SPACE = re.compile(r"[ \t\u00a0]+")
# Zero-width and other invisible characters that make a message look empty.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]")


def clean_text(text: str) -> str:
    """The message text with invisible characters gone, line ends and spaces tidied."""
    text = unicodedata.normalize("NFC", text)
    text = _INVISIBLE.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")
    lines = [_SPACE.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def validate_idea_text(text: str, max_length: int) -> str:
    """The cleaned text of an idea; InvalidIdea saying why when it cannot be one."""
    cleaned = clean_text(text)
    if not cleaned:
        raise InvalidIdea("An idea needs some text: this message is empty.")
    if len(cleaned) < 3 or not any(ch.isalnum() for ch in cleaned):
        raise InvalidIdea("That is too short to be an idea: say in a few words what you'd like.")
    if len(cleaned) > max_length:
        raise InvalidIdea(
            f"That idea is {len(cleaned):,} characters long; the limit is {max_length:,}. "
            "Please shorten it (a title line and a few sentences work best)."
        )
    return cleaned


def title_of(text: str) -> str:
    """A one-line title: the first line, cut at a word near ``TITLE_MAX`` characters."""
    first = text.split("\n", 1)[0].strip()
    if len(first) <= TITLE_MAX:
        return first
    cut = first[:TITLE_MAX]
    space = cut.rfind(" ")
    if space > TITLE_MAX // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"

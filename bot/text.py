"""Turning a chat message into an idea's title and text, and checking it is one."""

from __future__ import annotations

import re
import unicodedata

from bot.errors import InvalidIdea

TITLE_MAX = 120
_SPACE = re.compile(r"[ \t\u00a0]+")
# Characters that show nothing or reorder what is shown: control characters (Cc) and
# format characters (Cf: zero-width spaces and joiners, the soft hyphen, bidirectional
# embeddings, overrides and isolates U+202A-202E, U+2066-2069, marks U+200E/F, U+061C).
# Left in a title they make a listing lie about what it shows ("txt.exe" as "exe.txt").
_HIDDEN = frozenset({"Cc", "Cf", "Cs"})  # Cs: lone surrogates, which UTF-8 cannot hold
_LINE_BREAKS = re.compile(r"\r\n|[\r\u2028\u2029\x85\x0b\x0c]")


def clean_text(text: str) -> str:
    """The message text with invisible and control characters gone, lines and spaces tidied.

    The one cleaning every stored title and body goes through (capture, edits, import).
    """
    text = _LINE_BREAKS.sub("\n", unicodedata.normalize("NFC", text))
    lines = [_SPACE.sub(" ", _visible(line)).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _visible(line: str) -> str:
    """The line without hidden characters (tabs stay).

    A printable line has none (str.isprintable is false for every Cc, Cf and Cs
    character, and for a few more), so only the rare other line is read character by
    character: an import cleans tens of thousands of messages.
    """
    if line.isprintable():
        return line
    return "".join(ch for ch in line if ch == "\t" or unicodedata.category(ch) not in _HIDDEN)


def validate_idea_text(text: str, max_length: int) -> str:
    """The cleaned text of an idea; InvalidIdea saying why when it cannot be one."""
    return check_idea_text(clean_text(text), max_length)


def check_idea_text(cleaned: str, max_length: int) -> str:
    """``cleaned`` (a text clean_text returned) if it can be an idea; InvalidIdea if not."""
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

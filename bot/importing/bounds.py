"""Sane bounds for what an export claims: checked before it costs memory or time.

A count, size, depth or date written in an export is only a claim; a 368-byte file
can claim two million reactions. Each bound is far beyond what a real chat holds.
"""

from __future__ import annotations

from datetime import UTC, datetime

# Slack dates from 2013, Discord from 2015; nothing in a chat is older than this.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
# Nor newer: a date past this is a damaged or made-up timestamp.
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
# One JSON file of an export (a DCE channel file, a Slack day): real ones are a few MB.
MAX_JSON_BYTES = 512 * 1024 * 1024
# How many people one reaction can have: more than the largest Discord server's members.
MAX_REACTION_COUNT = 50_000_000


def within_chat_dates(at: datetime) -> bool:
    """Whether ``at`` (aware) lies in the years a chat platform can have messages from."""
    try:
        return EARLIEST <= at.astimezone(UTC) < LATEST
    except (OverflowError, ValueError):  # year 1 with a positive offset, and the like
        return False


def date_range_text() -> str:
    return f"{EARLIEST.year} to {LATEST.year - 1}"

"""How times are stored: UTC ISO-8601 text with microseconds, which sorts in time order."""

from __future__ import annotations

from datetime import UTC, datetime


def to_db(value: datetime) -> str:
    """The stored text form of an aware ``value``; a ValueError for a naive one."""
    if value.tzinfo is not UTC:  # (UTC itself, the usual case, needs no conversion)
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"times must be timezone-aware, got {value!r}")
        value = value.astimezone(UTC)
    return value.isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    """The aware datetime (UTC) back from its stored text."""
    return datetime.fromisoformat(text)

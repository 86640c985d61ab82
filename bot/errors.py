"""Errors whose message a community member or moderator can read as it is."""

from __future__ import annotations


class IdeabotError(Exception):
    """A request that was refused; ``str(error)`` is the message to show the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidIdea(IdeabotError):
    """The idea's text cannot be stored (empty, too long)."""


class UnknownIdea(IdeabotError):
    """No idea with that number on this board."""


class InvalidMerge(IdeabotError):
    """The merge would be meaningless or make a cycle."""


class InvalidStatus(IdeabotError):
    """Not one of the statuses an idea can have."""


class NotAllowed(IdeabotError):
    """The person may not do this."""


class UnknownBoard(IdeabotError):
    """No board by that name."""


class InvalidSetting(IdeabotError):
    """A board setting with a value it cannot take."""

"""Errors of an import, each naming the file that caused it."""

from __future__ import annotations

from bot.errors import IdeabotError


class ImportFileError(IdeabotError):
    """An export file that cannot be read as it is; the message names the file."""


class ImportConflict(IdeabotError):
    """The board changed between planning and writing; nothing was written."""

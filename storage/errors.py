"""The one error every engine raises for a database that cannot be used."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used (missing, not ours, corrupt, unreachable); the message
    says why."""

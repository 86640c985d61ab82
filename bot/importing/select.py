"""Choosing the channels of an export to import, by name or id."""

from __future__ import annotations

from collections.abc import Sequence

from bot.importing.errors import ImportFileError


def choose_channels(
    available: Sequence[tuple[str, str]], wanted: Sequence[str], source: str
) -> set[str]:
    """Ids of the channels asked for (all when none are); an error names any unknown one.

    ``available`` holds (id, name) pairs; a wanted channel matches either, with or
    without a leading ``#``.
    """
    if not wanted:
        return {channel_id for channel_id, _ in available}
    chosen: set[str] = set()
    for name in wanted:
        bare = name.strip().lstrip("#")
        matches = {cid for cid, cname in available if bare in (cid, cname)}
        if not matches:
            names = ", ".join(sorted({f"#{cname}" for _, cname in available})) or "none"
            raise ImportFileError(f"{source}: no channel {name!r} in this export; it has {names}")
        chosen |= matches
    return chosen

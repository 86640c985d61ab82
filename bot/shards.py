"""Which Discord shards this process runs: ``--shard-count N --shard-ids 0,1`` (or
DISCORD_SHARD_COUNT and DISCORD_SHARD_IDS), checked before anything starts."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import IdeabotError

MAX_SHARDS = 4096


class InvalidShards(IdeabotError):
    """Shard settings that cannot be run."""


@dataclass(frozen=True)
class Shards:
    count: int | None = None  # None: one connection for every server, no sharding
    ids: tuple[int, ...] = ()


def shard_plan(count: int | None, ids: str | None) -> Shards:
    """The shards to run; InvalidShards with one line saying what is wrong."""
    if count is None:
        if ids:
            raise InvalidShards("--shard-ids needs --shard-count (how many shards in all)")
        return Shards()
    if not 1 <= count <= MAX_SHARDS:
        raise InvalidShards(f"--shard-count must be between 1 and {MAX_SHARDS}, not {count}")
    if not ids:
        return Shards(count=count, ids=tuple(range(count)))
    chosen: list[int] = []
    for part in ids.split(","):
        text = part.strip()
        if not text.isdigit() or not text.isascii():
            raise InvalidShards(
                f"--shard-ids takes numbers separated by commas, e.g. 0,1; got {part[:20]!r}"
            )
        shard = int(text)
        if shard >= count:
            raise InvalidShards(
                f"shard {shard} does not exist: --shard-count {count} has 0 to {count - 1}"
            )
        if shard in chosen:
            raise InvalidShards(f"shard {shard} is given twice in --shard-ids")
        chosen.append(shard)
    return Shards(count=count, ids=tuple(sorted(chosen)))

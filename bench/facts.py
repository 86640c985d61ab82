"""Reaction facts for the benchmarks: 1,000,000 votes on a seeded board, some taken back.

The first 100,000 go through the service (``bench.votes``); the rest are written in bulk,
spread over the last four weeks and the current one, 10% of all of them removed again.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
from sqlite_utils import Database

from bench.board import EPOCH, MEMBERS, SEED, US, IntArray, Seeded, db_times, micros, people, where
from bot.domain import ReactionChange

EMOJI = "👍"
REMOVED_SHARE = 0.10


@dataclass(frozen=True)
class Facts:
    """Distinct (message, member) pairs, with when each vote was added (epoch us)."""

    message: IntArray  # index into the seeded ideas
    member: IntArray  # index into the seeded members
    added_us: IntArray


def make_facts(seeded: Seeded, count: int, start: datetime, now: datetime) -> Facts:
    """``count`` votes on distinct (message, member) pairs, newer ideas getting more.

    Each vote falls between ``start`` (or its idea's creation, if later) and ``now``.
    Seeded ideas are in creation order, so the skew towards the end favours new ones.
    """
    rng = np.random.default_rng(SEED + 1)
    size = len(seeded.idea_ids)
    codes = np.empty(0, dtype=np.int64)
    while len(codes) < count:
        newest_first = np.minimum((size * rng.random(count) ** 1.5).astype(np.int64), size - 1)
        message = size - 1 - newest_first
        member = rng.integers(MEMBERS, size=count)
        codes = np.unique(np.concatenate([codes, message * MEMBERS + member]))
    codes = rng.permutation(codes)[:count]
    message, member = codes // MEMBERS, codes % MEMBERS
    now_us = micros(now)
    earliest = np.maximum(seeded.created_us[message] + 60_000_000, micros(start))
    added = earliest + (rng.random(count) * (now_us - earliest)).astype(np.int64)
    return Facts(message=message, member=member, added_us=added)


def reaction_events(seeded: Seeded, facts: Facts, upto: int) -> list[ReactionChange]:
    place, voters = where(len(seeded.idea_ids)), people()
    return [
        ReactionChange(
            where=place,
            message_id=seeded.message_ids[m],
            person=voters[p],
            emoji=EMOJI,
            added=True,
            at=EPOCH + int(at) * US,
        )
        for m, p, at in zip(
            facts.message[:upto].tolist(),
            facts.member[:upto].tolist(),
            facts.added_us[:upto].tolist(),
            strict=True,
        )
    ]


def raw_rows(seeded: Seeded, facts: Facts, upto: int) -> list[dict[str, Any]]:
    """The rows ``record_reaction`` writes for the first ``upto`` facts."""
    added = db_times(facts.added_us[:upto])
    return [
        {
            "board_id": seeded.board_id,
            "idea_id": int(seeded.idea_ids[m]),
            "message_id": int(seeded.message_rows[m]),
            "member_id": seeded.first_member + p,
            "emoji": EMOJI,
            "added_at": added[i],
        }
        for i, (m, p) in enumerate(
            zip(facts.message[:upto].tolist(), facts.member[:upto].tolist(), strict=True)
        )
    ]


def insert_facts(db: Database, seeded: Seeded, facts: Facts, start: int, now: datetime) -> int:
    """Facts ``start:`` in bulk, in time order; enough removed to make 10% of all facts."""
    rng = np.random.default_rng(SEED + 2)
    order = start + np.argsort(facts.added_us[start:], kind="stable")
    count = len(order)
    removed = rng.random(count) < REMOVED_SHARE * len(facts.added_us) / count
    delay = (rng.exponential(2 * 86_400, count) * 1_000_000).astype(np.int64) + 1
    removed_us = np.minimum(facts.added_us[order] + delay, micros(now))
    removed_us = np.maximum(removed_us, facts.added_us[order] + 1)

    def rows() -> Iterator[tuple[Any, ...]]:
        chunk = 100_000
        for lo in range(0, count, chunk):
            part = order[lo : lo + chunk]
            added = db_times(facts.added_us[part])
            gone = db_times(removed_us[lo : lo + chunk])
            flags = removed[lo : lo + chunk].tolist()
            for j, (m, p) in enumerate(
                zip(facts.message[part].tolist(), facts.member[part].tolist(), strict=True)
            ):
                yield (
                    seeded.board_id,
                    int(seeded.idea_ids[m]),
                    int(seeded.message_rows[m]),
                    seeded.first_member + p,
                    EMOJI,
                    added[j],
                    gone[j] if flags[j] else None,
                )

    db.conn.executemany(
        "INSERT INTO reactions (board_id, idea_id, message_id, member_id, emoji, added_at,"
        " removed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows(),
    )
    return count

"""What the digest tests on both platforms share: a busy week on a board, written straight
into the store (as ``insert_idea``, ``set_status`` and ``merge`` write it, so a digest of
hundreds of ideas is built in milliseconds instead of embedding each idea through the
model), and a process that dies while posting."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlite_utils import Database

from bot.app import App
from bot.digest_posts import DigestPost, DigestPoster, PostFailed
from bot.domain import Where
from storage.times import to_db

DIM = 384
WEEK = datetime(2026, 11, 2, tzinfo=UTC)  # Monday: the week 2026-W45
SUNDAY = datetime(2026, 11, 8, 12, 0, tzinfo=UTC)
DUE = datetime(2026, 11, 9, 9, 0, tzinfo=UTC)  # the default slot, Monday 09:00 UTC
AUTHORS = 40
STATUSES = ("done", "in_progress", "planned", "under_review", "declined")


class Died(BaseException):
    """The process died: nothing after this line ran (not even recording the post)."""


class DiesAfterPosting:
    """A platform's real poster, in a process that dies once the platform took what it
    took (all parts, or those before a refusal)."""

    def __init__(self, real: DigestPoster) -> None:
        self.real = real
        self.platform = real.platform

    async def post_digest(self, where: Where, post: DigestPost) -> str:
        with contextlib.suppress(PostFailed):
            await self.real.post_digest(where, post)
        raise Died


def each_part_once(found: list[tuple[str, int, int]]) -> None:
    """``found`` (key, part, parts) of a channel's digest messages: one digest, 1..n in order."""
    assert found, "no digest was posted"
    total = found[0][2]
    assert [p for _k, p, _n in found] == list(range(1, total + 1))
    assert len({k for k, _p, _n in found}) == 1


async def seed_week(
    app: App,
    where: Where,
    start: datetime,
    *,
    ideas: int = 500,
    status_changes: int = 0,
    merges: int = 0,
    note: str = "Shipped in the latest release, thanks to everybody who voted.",
) -> None:
    """``ideas`` new ideas posted during the week from ``start``; the first
    ``status_changes`` of them get a status with ``note``, the next ``merges`` are merged
    into the idea before them. Authors and titles carry hostile text, to prove escaping."""
    board = await app.core.board_for(where)
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((ideas, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)

    def write(db: Database) -> None:
        def next_id(table: str) -> int:
            return int(db.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0])

        first_member, first_idea = next_id("members"), next_id("ideas")
        first_message = next_id("messages")
        number = int(
            db.execute("SELECT next_number FROM boards WHERE id = ?", [board.id]).fetchone()[0]
        )
        db.conn.executemany(
            "INSERT INTO members (id, platform, user_id, name) VALUES (?, ?, ?, ?)",
            [
                (first_member + k, where.platform, f"seed{k}", f"@everyone <!channel> *m{k}*")
                for k in range(AUTHORS)
            ],
        )
        rows: list[tuple[Any, ...]] = []
        for i in range(ideas):
            at = to_db(start + timedelta(minutes=15 * i))
            title = f"Idea {i}: <@U1> @here make **exports** faster [x](https://evil.test) " * 2
            rows.append(
                (
                    first_idea + i,
                    board.id,
                    number + i,
                    title[:150],
                    title,
                    first_member + i % AUTHORS,
                    where.platform,
                    where.channel_id,
                    f"seed-{i}",
                    first_idea + i,
                    vectors[i].tobytes(),
                    at,
                    at,
                )
            )
        db.conn.executemany(
            "INSERT INTO ideas (id, board_id, number, title, body, author_id, platform,"
            " channel_id, message_id, canonical_id, embedding, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        db.conn.executemany(
            "INSERT INTO messages (id, board_id, idea_id, platform, channel_id, message_id, kind)"
            " VALUES (?, ?, ?, ?, ?, ?, 'source')",
            [
                (first_message + i, board.id, r[0], where.platform, where.channel_id, r[8])
                for i, r in enumerate(rows)
            ],
        )
        later = to_db(start + timedelta(days=6))
        for i in range(status_changes):
            status = STATUSES[i % len(STATUSES)]
            db.execute(
                "UPDATE ideas SET status = ?, status_note = ? WHERE id = ?",
                [status, note, first_idea + i],
            )
            db.execute(
                "INSERT INTO status_changes (board_id, idea_id, old_status, new_status, note, at)"
                " VALUES (?, ?, 'open', ?, ?, ?)",
                [board.id, first_idea + i, status, note, later],
            )
        for i in range(status_changes, status_changes + merges):
            into = first_idea + i - 1
            db.execute(
                "UPDATE ideas SET merged_into = ?, canonical_id = ? WHERE id = ?",
                [into, into, first_idea + i],
            )
            db.execute(
                "INSERT INTO merges (board_id, idea_id, into_id, automatic, at)"
                " VALUES (?, ?, ?, 1, ?)",
                [board.id, first_idea + i, into, later],
            )
        db.execute("UPDATE boards SET next_number = ? WHERE id = ?", [number + ideas, board.id])

    await app.core.store.db.write(write)


FRIDAY_IN_BERLIN = (
    "The digest is posted Fridays 17:30 (Europe/Berlin);"
    " next on Fri 13 Nov 2026 17:30 (Europe/Berlin)."
)


def schedule_of(settings: dict[str, Any]) -> tuple[str, str, str]:
    """(weekday, time, zone) of a board's stored settings."""
    return settings["digest_weekday"], settings["digest_time"], settings["timezone"]


async def posts_at_0805_berlin(app: App, clock: Any) -> None:
    """After ``config digest monday 8:05``: nothing at 08:04 Berlin time, W46 at 08:06."""
    clock.now = datetime(2026, 11, 16, 7, 4, tzinfo=UTC)
    assert await app.digests.tick() == []
    clock.now = datetime(2026, 11, 16, 7, 6, tzinfo=UTC)
    (posted,) = await app.digests.tick()
    assert posted.outcome == "posted" and posted.label == "2026-W46"


# A moderator's status note as long as /ideabot status takes, with everything hostile in it.
LONG_NOTE = ("Shipped! @everyone <!channel> <@U1> **bold** [x](https://evil.test) & more. " * 14)[
    :1000
]

"""The benchmarks' board: 100,000 ideas written straight into SQL, as ``insert_idea`` writes them.

Embedding 100,000 ideas would take minutes, so their vectors are random unit float32
vectors; the rows are the ones the service writes (an ``ideas`` row with
``canonical_id = id`` and its ``messages`` row) plus their authors. Deterministic for a
given size, so a second database seeded alike has the same ids.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlite_utils import Database

from bench.report import Report
from bench.texts import text_pool
from bot.app import App, build_app
from bot.boards import Board
from bot.domain import Person, Where
from bot.settings import Settings
from bot.text import title_of
from dedupe.embedder import Embedder
from storage.database import AsyncDatabase
from storage.sqlite_store import SqliteStore
from storage.times import to_db

MEMBERS = 5_000
IDEA_WEEKS = 104  # seeded ideas were posted over this many weeks
DIM = 384
SEED = 20_240_601

PLATFORM = "discord"
GUILD = "900000000000000001"
CHANNEL = "900000000000000002"
MEMBER_BASE = 800_000_000_000_000_000
MESSAGE_BASE = 1_000_000_000_000_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)

IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Seeded:
    """What ``seed_board`` wrote, index-aligned: seeded idea i has message i."""

    board_id: int
    idea_ids: IntArray
    message_rows: IntArray
    message_ids: list[str]
    created_us: IntArray
    first_member: int


def micros(value: datetime) -> int:
    return (value - EPOCH) // US


def db_times(us: IntArray) -> list[str]:
    """``storage.times.to_db`` of many UTC instants (epoch microseconds), vectorised."""
    text = np.datetime_as_string(us.astype("datetime64[us]"), unit="us")
    return [f"{t}+00:00" for t in text.tolist()]


def check_time_format(now: datetime) -> None:
    """The bulk-written timestamps must read exactly like the service's own."""
    if db_times(np.array([micros(now)], dtype=np.int64))[0] != to_db(now):
        raise RuntimeError("db_times does not match storage.times.to_db")


def seed_board(
    db: Database,
    board_id: int,
    size: int,
    now: datetime,
    *,
    embeddings: bool,
    channel: str = CHANNEL,
    guild: str = GUILD,
) -> Seeded:
    """Members and ``size`` ideas with their source messages, as ``insert_idea`` writes them.

    Deterministic for a given size, so a second database seeded alike has the same ids.
    """
    rng = np.random.default_rng(SEED + size)
    first_member = next_id(db, "members")
    db.conn.executemany(
        "INSERT INTO members (id, platform, user_id, name) VALUES (?, ?, ?, ?)",
        ((first_member + k, PLATFORM, str(MEMBER_BASE + k), f"member{k}") for k in range(MEMBERS)),
    )
    first_idea, first_message = next_id(db, "ideas"), next_id(db, "messages")
    number_row = db.execute("SELECT next_number FROM boards WHERE id = ?", [board_id]).fetchone()
    first_number = int(number_row[0])
    now_us = micros(now)
    created_us = np.sort(
        rng.integers(now_us - IDEA_WEEKS * 7 * 86_400_000_000, now_us - 3_600_000_000, size)
    )
    created = db_times(created_us)
    authors = rng.integers(MEMBERS, size=size)
    pool = text_pool(1_000, rng)
    texts = [pool[i] for i in rng.integers(len(pool), size=size)]
    message_ids = [str(MESSAGE_BASE + i) for i in range(size)]
    blobs = unit_vectors(size, rng) if embeddings else None

    def idea_rows() -> Iterator[tuple[Any, ...]]:
        for i in range(size):
            yield (
                first_idea + i,
                board_id,
                first_number + i,
                title_of(texts[i]),
                texts[i],
                first_member + int(authors[i]),
                PLATFORM,
                channel,
                message_ids[i],
                f"https://discord.com/channels/{guild}/{channel}/{message_ids[i]}",
                first_idea + i,
                None if blobs is None else blobs[i].tobytes(),
                created[i],
                created[i],
            )

    db.conn.executemany(
        "INSERT INTO ideas (id, board_id, number, title, body, author_id, platform, channel_id,"
        " message_id, permalink, canonical_id, embedding, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        idea_rows(),
    )
    db.conn.executemany(
        "INSERT INTO messages (id, board_id, idea_id, platform, channel_id, message_id, kind)"
        " VALUES (?, ?, ?, ?, ?, ?, 'source')",
        (
            (first_message + i, board_id, first_idea + i, PLATFORM, channel, message_ids[i])
            for i in range(size)
        ),
    )
    db.execute("UPDATE boards SET next_number = ? WHERE id = ?", [first_number + size, board_id])
    return Seeded(
        board_id=board_id,
        idea_ids=np.arange(first_idea, first_idea + size, dtype=np.int64),
        message_rows=np.arange(first_message, first_message + size, dtype=np.int64),
        message_ids=message_ids,
        created_us=created_us,
        first_member=first_member,
    )


def next_id(db: Database, table: str) -> int:
    return int(db.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}").fetchone()[0])


def unit_vectors(count: int, rng: np.random.Generator) -> npt.NDArray[np.float32]:
    vectors = rng.standard_normal((count, DIM), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors


def people() -> list[Person]:
    """The seeded members as the platform names them (so the member cache hits)."""
    return [
        Person(platform=PLATFORM, user_id=str(MEMBER_BASE + k), name=f"member{k}")
        for k in range(MEMBERS)
    ]


def where(size: int) -> Where:
    return Where(
        platform=PLATFORM, workspace_id=GUILD, channel_id=CHANNEL, workspace_name=f"Bench {size}"
    )


@dataclass
class BoardRun:
    app: App
    board: Board
    seeded: Seeded


async def open_board(
    report: Report, path: Path, size: int, embedder: Embedder, now: datetime
) -> BoardRun:
    """A fresh database at ``path`` whose board holds ``size`` ideas with stored vectors."""
    app = await build_app(Settings(), db_path=path, embedder=embedder)
    board = await app.core.board_for(where(size))
    started = time.perf_counter()
    seeded = await sqlite_db(app).write(seed_board, board.id, size, now, embeddings=True)
    report.progress(f"seeded {size:,} ideas in {time.perf_counter() - started:.1f}s")
    return BoardRun(app=app, board=board, seeded=seeded)


def sqlite_db(app: App) -> AsyncDatabase:
    """The SQLite database under the app's store: the benches seed it in bulk."""
    store = app.core.store
    if not isinstance(store, SqliteStore):
        raise TypeError("the benches seed a SQLite store")
    return store.db

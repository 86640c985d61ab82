"""Benchmark of ideabot's core paths: capture, votes, digest, embeddings, memory.

Run with ``make bench`` (``python -m bench.core``); it is not part of the test suite.
Every database lives in a temporary directory that is removed at the end. The whole
run takes about a minute and a half on a 2-core machine (model load and filling the
boards included). Progress goes to stderr; the figures to stdout.

What each figure means
----------------------
``submit_p50_ms_{10k,100k}``, ``submit_p99_ms_{10k,100k}``
    Latency of ``IdeaService.submit`` for one idea, as chat delivers them: 200
    distinct idea sentences (``bench.texts``: each about a different feature, about a
    third of them close enough to an earlier one to be offered as a possible
    duplicate) are submitted one at a time and each is awaited before the next.
    Each submit embeds the text with the real model (``SentenceTransformerEmbedder``),
    searches the board's similarity index, stores the idea and reads it back. The
    10,000 or 100,000 ideas already on the board are written straight into SQL with
    random unit float32 vectors (embedding them all would take minutes): the same rows
    ``insert_idea`` writes (an ``ideas`` row with ``canonical_id = id`` and its
    ``messages`` row) plus their authors.
``index_load_ms_{10k,100k}``, ``index_search_ms_{10k,100k}``
    The service's similarity index is loaded from the store on first use; the bench
    makes that first use explicitly before the submits (so its one-off cost is shown
    on its own, not inside the p99) and then times ``search`` alone (median).
``idea_read_ms_1m``, ``submit_p50_ms_100k_1m`` (extras)
    The same on the 100k board once it holds the 1M facts below: the median of 20
    idea reads (``Core.idea``, which computes the idea's score from the facts) and of
    20 submits (texts rephrasing earlier ideas, so mostly possible duplicates).
``votes_per_s``, ``raw_insert_per_s``, ``vote_ratio``
    100,000 reaction-add events from 5,000 members over the 100k board's messages,
    fed to ``IdeaService.react`` the way discord.py and bolt deliver them: one task
    per event, all concurrent, then gathered. The baseline is the floor for storing
    the same 100,000 reaction rows: one sqlite-utils ``insert_all`` in one transaction
    into the ``reactions`` table of a fresh database with the same schema, pragmas and
    parent rows (so the same indexes and foreign-key checks apply), with the rows
    already resolved to ids; it runs just before and just after the service and the
    two rates are averaged. The service does more per event (finds the message's
    idea, the member, builds results, crosses threads), so the ratio says how much of
    the raw write speed survives that; the target is ``vote_ratio >= 0.3``. Both are
    timed with the bench's prepared inputs frozen out of the garbage collector.
    Events are Discord-like: no event id, so no ``processed_events`` row.
``digest_ms_1m``
    ``build_digest`` for the last full week with 1,000,000 reaction facts in the
    store: the 100,000 votes above plus 900,000 facts written in bulk, spread over
    the last four weeks and the current one, 10% of them removed again. Median of
    three builds; the target is under 1000 ms.
``embed_per_s``, ``direct_encode_per_s``, ``embed_ratio``
    Texts per second through ``await embedder.embed(texts)`` next to calling the same
    model object's ``encode`` directly with the same texts, batch size and
    ``normalize_embeddings=True``; both warmed up, best of three alternated rounds.
    The ratio is the cost of the wrapper (the worker-thread hop); target >= 0.9.
``rss_mb``, ``rss_peak_mb``
    Resident memory at the end: the model plus a live 100k board (its index) and its
    database connections, after the bench's own scratch data is freed and the freed
    heap handed back to the OS. The peak includes the bench's scratch data (1M facts
    being generated, 100k events), so it overstates what a bot needs.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import psutil  # type: ignore[import-untyped]
from sqlite_utils import Database

from bench.texts import submit_texts, text_pool
from bot.app import App, build_app
from bot.boards import Board
from bot.digest import build_digest, last_full_week
from bot.domain import IdeaDraft, Person, ReactionChange, Where
from bot.results import Created, Merged, PossibleDuplicate, VoteChanged
from bot.settings import Settings
from bot.text import title_of
from dedupe.embedder import SentenceTransformerEmbedder
from storage import boards as board_rows
from storage.database import connect, migrate
from storage.times import to_db

BOARD_SIZES = (10_000, 100_000)
SUBMITS = 200
MEMBERS = 5_000
VOTE_EVENTS = 100_000
FACTS = 1_000_000
REMOVED_SHARE = 0.10
FACT_WEEKS = 4  # full weeks of reaction facts before the current week
IDEA_WEEKS = 104  # seeded ideas were posted over this many weeks
EMBED_TEXTS = 512
EMBED_ROUNDS = 3
SEARCHES = 100
LATE_READS = 20  # idea reads and submits on the board with 1M facts
DIM = 384
SEED = 20_240_601

PLATFORM = "discord"
GUILD = "900000000000000001"
CHANNEL = "900000000000000002"
EMOJI = "👍"
MEMBER_BASE = 800_000_000_000_000_000
MESSAGE_BASE = 1_000_000_000_000_000_000
SUBMIT_MESSAGE_BASE = 1_100_000_000_000_000_000
LATE_MESSAGE_BASE = 1_200_000_000_000_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
US = timedelta(microseconds=1)

IntArray = npt.NDArray[np.int64]

# -- figures and output -------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    name: str
    value: float
    target: str = "-"
    ok: bool | None = None

    def shown(self) -> str:
        if abs(self.value) >= 100:
            return f"{self.value:,.0f}"
        return f"{self.value:.1f}" if abs(self.value) >= 10 else f"{self.value:.3g}"


class Report:
    """Figures in the order they were measured; printed as a table, then as lines."""

    def __init__(self) -> None:
        self.figures: list[Figure] = []
        self.started = time.perf_counter()

    def add(self, name: str, value: float, target: str = "-", ok: bool | None = None) -> None:
        self.figures.append(Figure(name, value, target, ok))
        self.progress(f"{name} = {value:.4g}")

    def progress(self, message: str) -> None:
        print(
            f"[{time.perf_counter() - self.started:6.1f}s] {message}", file=sys.stderr, flush=True
        )

    def print(self) -> None:
        rows = [("measure", "value", "target", "ok")]
        for f in self.figures:
            verdict = "-" if f.ok is None else ("ok" if f.ok else "MISS")
            rows.append((f.name, f.shown(), f.target, verdict))
        widths = [max(len(r[i]) for r in rows) for i in range(4)]
        for n, row in enumerate(rows):
            print(f"{row[0]:<{widths[0]}}  {row[1]:>{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}")
            if n == 0:
                print("  ".join("-" * w for w in widths))
        print()
        for f in self.figures:
            print(f"{f.name}: {round(f.value, 3)}")


# -- seeding the store ------------------------------------------------------------


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
    db: Database, board_id: int, size: int, now: datetime, *, embeddings: bool
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
                CHANNEL,
                message_ids[i],
                f"https://discord.com/channels/{GUILD}/{CHANNEL}/{message_ids[i]}",
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
            (first_message + i, board_id, first_idea + i, PLATFORM, CHANNEL, message_ids[i])
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


# -- reaction facts -----------------------------------------------------------------


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


# -- process helpers --------------------------------------------------------------------


@contextmanager
def frozen_heap() -> Iterator[None]:
    """Keep the collector off the bench's own scratch objects while timing.

    The bench builds its 100,000 events (or rows) up front; a bot receives them one at
    a time. Freezing what exists moves it out of the collector's generations, so the
    timing pays for the garbage the code under test makes, not for walking the
    bench's prepared inputs. Used for the service and the raw baseline alike.
    """
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def rss_mb() -> float:
    return float(psutil.Process().memory_info().rss) / 2**20


def release_free_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS (glibc), so RSS shows live data."""
    gc.collect()
    try:
        libc = ctypes.CDLL("libc.so.6")
    except OSError:
        return
    libc.malloc_trim(0)


# -- the measurements ---------------------------------------------------------------


async def bench_embedding(
    report: Report, embedder: SentenceTransformerEmbedder, texts: list[str]
) -> None:
    """Embedder vs the model's own encode: same texts, batch size and normalisation."""
    model = embedder._model  # the very model object the embedder calls

    def direct() -> None:
        model.encode(
            texts,
            batch_size=embedder.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )

    await embedder.embed(texts[:128])
    direct()
    wrapped, plain = [], []
    for _ in range(EMBED_ROUNDS):
        started = time.perf_counter()
        await embedder.embed(texts)
        wrapped.append(time.perf_counter() - started)
        started = time.perf_counter()
        direct()
        plain.append(time.perf_counter() - started)
    embed_per_s, direct_per_s = len(texts) / min(wrapped), len(texts) / min(plain)
    ratio = embed_per_s / direct_per_s
    report.add("embed_per_s", embed_per_s)
    report.add("direct_encode_per_s", direct_per_s)
    report.add("embed_ratio", ratio, ">= 0.9", ratio >= 0.9)


@dataclass
class BoardRun:
    app: App
    board: Board
    seeded: Seeded


async def open_board(
    report: Report, folder: Path, size: int, embedder: SentenceTransformerEmbedder, now: datetime
) -> BoardRun:
    """A fresh database whose board holds ``size`` ideas with stored vectors."""
    app = await build_app(Settings(), db_path=folder / f"board-{size}.db", embedder=embedder)
    board = await app.core.board_for(where(size))
    started = time.perf_counter()
    seeded = await app.core.store.db.write(seed_board, board.id, size, now, embeddings=True)
    report.progress(f"seeded {size:,} ideas in {time.perf_counter() - started:.1f}s")
    return BoardRun(app=app, board=board, seeded=seeded)


async def bench_submit(report: Report, run: BoardRun, texts: list[str], now: datetime) -> None:
    """Index load, search, and submit latency on one board."""
    core, size = run.app.core, len(run.seeded.idea_ids)
    label = f"{size // 1000}k"
    started = time.perf_counter()
    index = await core.index(run.board)
    report.add(f"index_load_ms_{label}", (time.perf_counter() - started) * 1000)

    queries = await core.embedder.embed(texts[:SEARCHES])
    timings = []
    for vector in queries:
        started = time.perf_counter()
        index.search(vector, k=5)
        timings.append(time.perf_counter() - started)
    report.add(f"index_search_ms_{label}", statistics.median(timings) * 1000)

    latencies = await submit_all(report, run, texts, now, SUBMIT_MESSAGE_BASE, label)
    report.add(f"submit_p50_ms_{label}", float(np.percentile(latencies, 50)))
    report.add(f"submit_p99_ms_{label}", float(np.percentile(latencies, 99)))


async def submit_all(
    report: Report,
    run: BoardRun,
    texts: list[str],
    now: datetime,
    message_base: int,
    label: str,
) -> npt.NDArray[np.float64]:
    """Submit each text as a new chat message, one at a time; the latencies in ms."""
    size = len(run.seeded.idea_ids)
    voters = people()
    latencies, kinds = [], {"created": 0, "suggested": 0, "merged": 0}
    for i, text in enumerate(texts):
        message_id = str(message_base + i)
        draft = IdeaDraft(
            where=where(size),
            author=voters[i % MEMBERS],
            text=text,
            created_at=now,
            message_id=message_id,
            permalink=f"https://discord.com/channels/{GUILD}/{CHANNEL}/{message_id}",
        )
        started = time.perf_counter()
        result = await run.app.ideas.submit(draft)
        latencies.append(time.perf_counter() - started)
        if isinstance(result, Created):
            kinds["created"] += 1
        elif isinstance(result, PossibleDuplicate):
            kinds["suggested"] += 1
        elif isinstance(result, Merged):
            kinds["merged"] += 1
        else:
            raise RuntimeError(f"unexpected submit result {result!r}")
    report.progress(f"submit outcomes on {label}: {kinds}")
    return np.array(latencies) * 1000


async def bench_after_facts(report: Report, run: BoardRun, texts: list[str], now: datetime) -> None:
    """Reading an idea and submitting one once the board holds 1M reaction facts.

    The main submit figures are taken on boards without votes, as the issue asks;
    a real board has votes, and every idea read computes the idea's score from them.
    """
    core, rng = run.app.core, np.random.default_rng(SEED + 3)
    timings = []
    for number in rng.integers(1, len(run.seeded.idea_ids) + 1, size=LATE_READS):
        started = time.perf_counter()
        await core.idea(run.board, int(number))
        timings.append(time.perf_counter() - started)
    report.add("idea_read_ms_1m", statistics.median(timings) * 1000)
    latencies = await submit_all(report, run, texts, now, LATE_MESSAGE_BASE, "100k, 1M facts")
    report.add("submit_p50_ms_100k_1m", float(np.percentile(latencies, 50)))


async def bench_votes(report: Report, run: BoardRun, facts: Facts, folder: Path) -> None:
    """Concurrent react() events through the service next to a raw insert_all of the rows.

    The raw insert runs once before and once after the service (each into a fresh
    database) and the two are averaged, so a noisy neighbour hurts both sides alike.
    """
    raw_before = raw_insert(run.seeded, facts, folder / "raw-before.db")
    events = reaction_events(run.seeded, facts, VOTE_EVENTS)
    service = run.app.ideas
    with frozen_heap():
        started = time.perf_counter()
        tasks = [asyncio.create_task(service.react(event)) for event in events]
        results = await asyncio.gather(*tasks)
        elapsed = time.perf_counter() - started
    changed = sum(1 for r in results if isinstance(r, VoteChanged) and r.changed)
    if changed != VOTE_EVENTS:
        raise RuntimeError(f"only {changed} of {VOTE_EVENTS} votes were recorded")
    del events, tasks, results
    votes_per_s = VOTE_EVENTS / elapsed
    raw_after = raw_insert(run.seeded, facts, folder / "raw-after.db")
    report.progress(f"raw insert_all: {raw_before:,.0f}/s before, {raw_after:,.0f}/s after")

    raw_per_s = (raw_before + raw_after) / 2
    ratio = votes_per_s / raw_per_s
    report.add("votes_per_s", votes_per_s)
    report.add("raw_insert_per_s", raw_per_s)
    report.add("vote_ratio", ratio, ">= 0.3", ratio >= 0.3)


def raw_insert(seeded: Seeded, facts: Facts, path: Path) -> float:
    """Rows per second of one insert_all into a fresh database at ``path`` seeded alike."""
    size = len(seeded.idea_ids)
    db = connect(path)
    try:
        migrate(db)
        with db.atomic():
            board = board_rows.create_board(db, f"bench-{size}", to_db(datetime.now(UTC)))
            twin = seed_board(db, board.id, size, datetime.now(UTC), embeddings=False)
        if not np.array_equal(twin.message_rows, seeded.message_rows):
            raise RuntimeError("the raw database's messages do not match the board's")
        rows = raw_rows(seeded, facts, VOTE_EVENTS)
        with frozen_heap():
            started = time.perf_counter()
            with db.atomic():
                db.table("reactions").insert_all(rows)
            elapsed = time.perf_counter() - started
        stored = db.execute("SELECT COUNT(*) FROM reactions").fetchone()[0]
        if stored != VOTE_EVENTS:
            raise RuntimeError(f"raw insert stored {stored} rows")
        return VOTE_EVENTS / elapsed
    finally:
        db.close()


async def bench_digest(report: Report, run: BoardRun, facts: Facts, now: datetime) -> None:
    """Top the reactions up to 1M facts, then build last week's digest."""
    core = run.app.core
    started = time.perf_counter()
    await core.store.db.write(insert_facts, run.seeded, facts, VOTE_EVENTS, now)
    total = await core.store.db.read(
        lambda db: db.execute("SELECT COUNT(*) FROM reactions").fetchone()[0]
    )
    report.progress(f"{total:,} reaction facts in {time.perf_counter() - started:.1f}s")
    period = last_full_week(now, run.board.settings.zone)
    timings = []
    for _ in range(3):
        started = time.perf_counter()
        digest = await build_digest(core, run.board, period)
        timings.append(time.perf_counter() - started)
    report.progress(
        f"digest {period.label}: {digest.headline.votes_cast:,} votes cast, "
        f"{digest.headline.new_ideas} new ideas, top {[r.gained for r in digest.top]}, "
        f"runs {[round(t * 1000) for t in timings]} ms"
    )
    value = statistics.median(timings) * 1000
    report.add("digest_ms_1m", value, "< 1000", value < 1000)


async def main() -> None:
    report = Report()
    rng = np.random.default_rng(SEED)
    texts = submit_texts(SUBMITS, rng)
    now = datetime.now(UTC)
    check_time_format(now)
    fact_start = last_full_week(now, ZoneInfo("UTC")).start - timedelta(weeks=FACT_WEEKS - 1)

    embedder = SentenceTransformerEmbedder()
    started = time.perf_counter()
    await embedder.load()
    report.progress(f"model loaded in {time.perf_counter() - started:.1f}s, rss {rss_mb():.0f} MB")
    with tempfile.TemporaryDirectory(prefix="ideabot-bench-") as tmp:
        folder = Path(tmp)
        try:
            await bench_embedding(report, embedder, text_pool(EMBED_TEXTS, rng))
            small = await open_board(report, folder, BOARD_SIZES[0], embedder, now)
            await bench_submit(report, small, texts, now)
            await small.app.close()
            report.progress(f"10k board closed, rss {rss_mb():.0f} MB")

            large = await open_board(report, folder, BOARD_SIZES[1], embedder, now)
            await bench_submit(report, large, texts, now)
            facts = make_facts(large.seeded, FACTS, fact_start, now)
            await bench_votes(report, large, facts, folder)
            await bench_digest(report, large, facts, now)
            await bench_after_facts(report, large, text_pool(LATE_READS, rng), now)
            del facts
            report.progress(f"before freeing scratch memory: rss {rss_mb():.0f} MB")
            release_free_memory()
            report.add("rss_mb", rss_mb())
            report.add("rss_peak_mb", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
            await large.app.close()
        finally:
            embedder.close()
    report.add("bench_wall_s", time.perf_counter() - report.started)
    report.print()


def run() -> None:
    asyncio.run(main())


if __name__ == "__main__":
    run()

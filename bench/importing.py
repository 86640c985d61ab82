"""Benchmark of ``ideabot import``: a large Slack export against raw embedding speed.

Run with ``python -m bench.importing`` (``make bench`` runs it after ``bench.core``);
``--messages N`` makes a quicker, smaller run. Everything lives in a temporary folder
removed at the end. Progress goes to stderr; the figures to stdout.

What each figure means
----------------------
The bench writes a Slack workspace export (``users.json``, ``channels.json``, one JSON
file per day) of ``--messages`` messages (default 50,000): 94% top-level ideas (texts
from ``bench.texts``, each a feature request in one of several phrasings plus a detail
sentence, all distinct; many are close to another, so the batch sees merges and
suggestions), 5% thread replies and 1% channel joins. They carry ``--reactions``
reactions (default 4 per message: 200,000): 👍 from 1 to 10 of 5,000 members, a tenth
of them with ``count`` above the people listed (anonymous votes), and some ❤️ (no vote).

``import_msgs_per_s``
    Messages of the export per second through the whole import, as ``ideabot import``
    runs it: reading and parsing every file, embedding the new ideas in batches with the
    default runtime (ONNX), deciding duplicates, writing ideas, messages, merges, suggestions,
    members and reaction facts in one transaction, into a fresh SQLite file.
``import_ideas_per_s``, ``raw_embed_per_s``, ``import_ratio``
    Ideas per second through the import next to the runtime's own batch encoding of
    exactly the same texts (the same embedder object, so the same runtime and batch size,
    its encode called directly in the import's chunks), measured once each in the same
    run. At 50,000 messages each takes minutes, so the bench encodes the texts twice in
    all (raw, and in the import), not more; the raw pass is split around the import,
    every other chunk before it and the rest after, so that a machine whose speed drifts
    during the run (other load, heat) weighs on both figures alike. The ratio is how much
    of the raw embedding speed the whole import keeps: everything but embedding must be
    cheap. Target >= 0.9.
``raw_embed_s`` (``raw_embed_before_s`` + ``raw_embed_after_s``), ``import_s``, ``bench_wall_s``
    How long the raw encoding (its two halves), the import and the whole bench took
    (seconds). Two halves far apart say the machine's speed moved during the run.
``parse_s``, ``embed_s``, ``dedupe_s``, ``write_s``, ``embed_share``
    Where the import's time went: reading the export, embedding (first to last batch),
    from the last batch to the first vote written (duplicate decisions and writing the
    ideas), and writing the votes to the commit; ``embed_share`` is embedding's part of
    the whole import, a figure the machine's load hardly moves.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import Report
from bench.texts import FRAMES, ITEMS, phrase
from bot import runtime
from bot.app import build_app
from bot.importing.importer import import_export
from bot.importing.plan import EMBED_CHUNK
from bot.importing.reader import read_export
from bot.settings import Settings
from dedupe.embedder import build_embedder

MESSAGES = 50_000
REACTIONS_PER_MESSAGE = 4
MEMBERS = 5_000
PER_DAY = 100
START = 1_600_000_000  # 2020-09-13
SEED = 20_260_601
TEAM = "T0BENCH01"
DETAILS = (
    "I use it every morning on the train.",
    "Our whole team has been asking for this.",
    "It would save me a lot of clicks.",
    "Right now I have to do it by hand.",
    "The web version already has something like it.",
    "My kids would love it too.",
    "This is the one thing I miss from my old app.",
    "It matters most when I am travelling.",
    "I would pay for this.",
    "Please consider it for the next release.",
    "It keeps coming up in our user group.",
    "Even a simple first version would help.",
    "I tried a workaround but it is clumsy.",
    "It would make the app feel finished.",
    "Accessibility would improve a lot with it.",
    "I switch devices a lot, so this matters.",
    "It is the top request in our office.",
    "Without it I keep a spreadsheet on the side.",
    "A setting to turn it off would be fine too.",
    "Competitors added this last year.",
    "It would help new users get started.",
    "I mostly need it on weekends.",
    "It would cut my weekly admin in half.",
    "This would be great for shared accounts.",
    "I noticed others asking in the forum as well.",
    "It should work offline too.",
    "Keyboard users would benefit most.",
    "It would be nice on tablets especially.",
    "Older relatives struggle without it.",
    "A small change with a big effect, I think.",
    "I would use it several times a day.",
    "It fits how our club works.",
    "It would reduce mistakes for me.",
    "It would be handy during busy weeks.",
    "The current flow confuses people.",
    "I'd love a preview of it first.",
    "My manager asked me to request it.",
    "It helps when the connection is slow.",
    "It would be useful for students.",
    "It could be a paid extra.",
)


def idea_texts(count: int, rng: np.random.Generator) -> list[str]:
    """``count`` distinct texts: a feature request in some phrasing, then a detail."""
    combos = len(ITEMS) * len(FRAMES) * len(DETAILS)
    if count > combos:
        raise ValueError(f"at most {combos} distinct texts")
    codes = rng.choice(combos, size=count, replace=False)
    out = []
    for code in codes.tolist():
        base, detail = divmod(code, len(DETAILS))
        item, frame = divmod(base, len(FRAMES))
        out.append(f"{phrase(item, frame)} {DETAILS[detail]}")
    return out


def write_export(
    folder: Path, messages: int, reactions: int, rng: np.random.Generator
) -> list[str]:
    """A Slack export of ``messages`` messages in ``folder``; the idea texts, in order."""
    users = [
        {"id": f"U{n:08d}", "team_id": TEAM, "name": f"member{n}", "is_bot": False}
        for n in range(MEMBERS)
    ]
    (folder / "users.json").write_text(json.dumps(users))
    channel = {"id": "C0BENCH01", "name": "ideas", "created": str(START), "members": []}
    (folder / "channels.json").write_text(json.dumps([channel]))
    day_folder = folder / "ideas"
    day_folder.mkdir()
    kinds = rng.choice(3, size=messages, p=[0.94, 0.05, 0.01])  # idea, reply, join
    texts = idea_texts(int((kinds == 0).sum()), rng)
    # Reactions per idea: a Poisson share of the total, then split into 👍 and ❤️.
    per_idea = rng.poisson(reactions / max(1, len(texts)), size=len(texts))
    text_at = 0
    last_parent = None
    day: list[dict[str, object]] = []
    for n, kind in enumerate(kinds.tolist()):
        ts = f"{START + n * 600}.{n % 1_000_000:06d}"
        author = f"U{int(rng.integers(MEMBERS)):08d}"
        if kind == 0:
            message: dict[str, object] = {"type": "message", "user": author, "ts": ts}
            message["text"] = texts[text_at]
            votes = int(min(per_idea[text_at], 10))
            voters = rng.choice(MEMBERS, size=votes, replace=False).tolist()
            listed = [f"U{v:08d}" for v in voters]
            extra = int(rng.integers(1, 4)) if rng.random() < 0.1 else 0
            reactions_of = [{"name": "+1", "users": listed, "count": len(listed) + extra}]
            if per_idea[text_at] > votes:
                hearts = int(per_idea[text_at]) - votes
                who = rng.choice(MEMBERS, size=min(hearts, 50), replace=False).tolist()
                reactions_of.append(
                    {"name": "heart", "users": [f"U{v:08d}" for v in who], "count": hearts}
                )
            message["reactions"] = reactions_of
            last_parent = ts
            text_at += 1
        elif kind == 1 and last_parent is not None:
            message = {
                "type": "message",
                "user": author,
                "ts": ts,
                "text": "Agreed, +1",
                "thread_ts": last_parent,
                "parent_user_id": author,
            }
        else:
            message = {
                "type": "message",
                "subtype": "channel_join",
                "user": author,
                "ts": ts,
                "text": f"<@{author}> has joined the channel",
            }
        day.append(message)
        if len(day) == PER_DAY:
            (day_folder / f"day-{n // PER_DAY:05d}.json").write_text(json.dumps(day))
            day = []
    if day:
        (day_folder / "day-last.json").write_text(json.dumps(day))
    return texts


async def bench(messages: int, reactions: int) -> Report:
    report = Report()
    rng = np.random.default_rng(SEED)
    embedder = build_embedder()  # the default runtime (ONNX), as `ideabot import` builds it
    await embedder.load()
    await embedder.embed(["warm up"] * 64)
    with tempfile.TemporaryDirectory(prefix="ideabot-bench-import-") as tmp:
        folder = Path(tmp) / "export"
        folder.mkdir()
        texts = write_export(folder, messages, reactions, rng)
        report.progress(f"export written: {messages:,} messages, {len(texts):,} ideas")

        chunks = [texts[start : start + EMBED_CHUNK] for start in range(0, len(texts), EMBED_CHUNK)]
        # Every other chunk before the import, the rest after it: one pass over the texts
        # in all, and a machine that slows down or speeds up during the long run weighs
        # on both sides alike.
        before, after = chunks[::2], chunks[1::2]

        def raw_encode(part: list[list[str]]) -> float:
            # The runtime's own batch encoding (tokenize, run, pool, normalise), called
            # directly in this thread, in the import's chunks: no worker-thread hop, no
            # event loop, nothing but the model's work.
            started = time.perf_counter()
            for chunk in part:
                embedder._encode(chunk)
            return time.perf_counter() - started

        raw_before_s = raw_encode(before)
        report.progress(f"raw encode, half the chunks before the import: {raw_before_s:.1f}s")

        marks: dict[str, float] = {}

        def progress(stage: str, done: int, total: int) -> None:
            now = time.perf_counter()
            marks.setdefault(f"{stage} first", now)
            marks[f"{stage} last"] = now
            if done == total or done % 10_240 == 0:
                report.progress(f"{stage}: {done:,}/{total:,}")

        app = await build_app(Settings(db=Path(tmp) / "bench.db"), embedder=embedder)
        try:
            started = time.perf_counter()
            export = read_export([folder])
            parsed = time.perf_counter()
            result = await import_export(app.core, export, progress=progress)
            finished = time.perf_counter()
        finally:
            await app.close()
        raw_after_s = raw_encode(after)
        report.progress(f"raw encode, the other half after the import: {raw_after_s:.1f}s")
        embedder.close()
    raw_s = raw_before_s + raw_after_s
    total_s = finished - started
    report.progress(
        f"imported {result.ideas:,} ideas ({result.merged:,} merged, {result.suggested:,}"
        f" suggested), {result.votes:,} votes + {result.anonymous_votes:,} anonymous"
    )
    ideas_per_s = result.ideas / total_s
    raw_per_s = len(texts) / raw_s
    ratio = ideas_per_s / raw_per_s
    report.add("messages", messages)
    report.add("reactions", reactions)
    report.add("ideas", result.ideas)
    report.add("votes_written", result.votes + result.anonymous_votes)
    report.add("raw_embed_s", raw_s)
    report.add("raw_embed_before_s", raw_before_s)
    report.add("raw_embed_after_s", raw_after_s)
    report.add("import_s", total_s)
    report.add("import_msgs_per_s", messages / total_s)
    report.add("import_ideas_per_s", ideas_per_s)
    report.add("raw_embed_per_s", raw_per_s)
    report.add("import_ratio", ratio, ">= 0.9", ratio >= 0.9)
    embed_first = marks.get("ideas embedded first", parsed)
    embed_last = marks.get("ideas embedded last", parsed)
    votes_first = marks.get("votes written first", finished)
    report.add("parse_s", parsed - started)
    # The first progress mark comes after the first batch: count from the parse's end.
    report.add("embed_s", embed_last - parsed)
    report.add("dedupe_s", votes_first - embed_last)
    report.add("write_s", finished - votes_first)
    # Robust to the machine's load: how much of the import's own time was embedding.
    report.add("embed_share", (embed_last - parsed) / total_s)
    del embed_first
    report.add("bench_wall_s", time.perf_counter() - report.started)
    return report


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=MESSAGES)
    parser.add_argument("--reactions", type=int, default=None, help="default: 4 per message")
    args = parser.parse_args()
    reactions = (
        args.reactions if args.reactions is not None else args.messages * REACTIONS_PER_MESSAGE
    )
    report = runtime.run(bench(args.messages, reactions))
    report.progress(f"import bench took {time.perf_counter() - report.started:.0f}s")
    report.print()


if __name__ == "__main__":
    run()

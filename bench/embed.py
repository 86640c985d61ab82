"""Benchmark of the embedding runtimes: the default (ONNX) against torch, in one run.

Run with ``python -m bench.embed`` (``make bench`` runs it last); ``--int8`` also measures a
temporary int8 export beside the installed one. Progress goes to stderr; the figures to stdout
as ``name: value`` lines.

What each figure means
----------------------
``encode_ms_onnx``, ``encode_ms_torch``, ``encode_speedup``
    Median milliseconds of one ``embed([text])`` through each embedder's async interface
    (the bot's path for a submitted idea), over 100 short idea texts, after a warm-up;
    the two runtimes take turns ten texts at a time, so a load on the machine weighs on
    both alike, and the first text of each turn is not counted: it runs while the other
    runtime's thread pool is still awake (torch's spins for a while after each call) and
    measures that neighbour, not the runtime. The speedup is torch's time over ONNX's
    (target >= 1.8).
``batch_per_s_onnx``, ``batch_per_s_torch``
    Texts per second embedding 512 idea texts in one call (batches of 64, the default).
``cosine_min``, ``cosine_mean``
    Cosine between the two runtimes' vectors of the same 512 texts.
``embedder_rss_mb``, ``embedder_rss_peak_mb``, ``rss_torch_mb``, ``rss_torch_peak_mb``
    Resident memory of a fresh subprocess that builds the default embedder (the ONNX one,
    as ``ideabot run`` does), holds a 100k x 384 float32 index, embeds a few texts and
    searches: after that, and its peak (VmHWM: ru_maxrss would carry the parent's peak
    over the exec). The index is built before the model loads, as the bot holds its boards'
    vectors before it serves, so the bench's scratch copy of the matrix is not in the peak
    on top of the model. The torch figures are the same subprocess with the
    sentence-transformers embedder: the baseline (target for the default: <= 400 MB).
    ``bench.core`` measures ``rss_mb`` itself on a real `ideabot run` serving a 100k board.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import Report
from bench.texts import text_pool
from dedupe.embedder import SentenceTransformerEmbedder, ThreadedEmbedder
from dedupe.onnx_embedder import OnnxEmbedder

SINGLES = 100
# The runtimes take turns this many texts at a time (see ``encode_ms``).
TURN = 10
BATCH_TEXTS = 512
INDEX_ROWS = 100_000
SEED = 20_261_130


async def encode_ms(*embedders: ThreadedEmbedder, texts: list[str]) -> list[float]:
    """Return each embedder's median milliseconds of embedding one text at a time."""
    for embedder in embedders:
        await embedder.embed(texts[:10])  # warm-up: first runs allocate
    times: list[list[float]] = [[] for _ in embedders]
    for block in range(0, len(texts), TURN):
        for spent, embedder in zip(times, embedders, strict=True):
            for i, text in enumerate(texts[block : block + TURN]):
                started = time.perf_counter()
                await embedder.embed([text])
                if i:  # the first of a turn runs beside the other runtime's idle threads
                    spent.append(time.perf_counter() - started)
    return [statistics.median(spent) * 1000 for spent in times]


def memory_mb() -> tuple[float, float]:
    """Return this process's resident memory now and at its peak (MB)."""
    fields = {}
    with open("/proc/self/status") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = float(value.split()[0]) / 1024  # kB
    return fields["VmRSS"], fields["VmHWM"]


async def batch_run(embedder: ThreadedEmbedder, texts: list[str]) -> tuple[float, np.ndarray]:
    """Return texts per second of one embed call over `texts`, and the vectors."""
    started = time.perf_counter()
    vectors = await embedder.embed(texts)
    return len(texts) / (time.perf_counter() - started), vectors


def rss_child(runtime: str) -> None:
    """In a fresh process: load an embedder and a 100k index, embed, print memory as JSON."""
    from dedupe.embedder import build_embedder, default_model_path
    from dedupe.index import SimilarityIndex

    async def work() -> None:
        rng = np.random.default_rng(SEED)
        matrix = rng.standard_normal((INDEX_ROWS, 384), dtype=np.float32)
        matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
        index = SimilarityIndex.from_arrays(range(INDEX_ROWS), matrix)
        del matrix
        embedder = build_embedder(None if runtime == "onnx" else default_model_path())
        for text in text_pool(20, rng):
            (vector,) = await embedder.embed([text])
            index.search(vector, k=5)
        await embedder.embed(text_pool(64, rng))
        rss, peak = memory_mb()
        result = {"rss_mb": rss, "peak_mb": peak, "torch": "torch" in sys.modules}
        print(json.dumps(result))
        embedder.close()

    asyncio.run(work())


def measure_rss(runtime: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-m", "bench.embed", "--rss-child", runtime],
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"memory run of {runtime} failed:\n{done.stderr[-2000:]}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


async def main(int8: bool) -> None:
    report = Report()
    rng = np.random.default_rng(SEED)
    singles = text_pool(SINGLES, rng)
    batch = text_pool(BATCH_TEXTS, rng)
    onnx = OnnxEmbedder()
    torch = SentenceTransformerEmbedder()
    started = time.perf_counter()
    await onnx.load()  # includes checking both hashes of the manifest
    onnx_load_s = time.perf_counter() - started
    report.progress(f"onnx loaded ({onnx.precision}) in {onnx_load_s:.2f}s")
    await torch.load()
    report.progress("torch loaded")

    onnx_ms, torch_ms = await encode_ms(onnx, torch, texts=singles)
    report.add("encode_ms_onnx", onnx_ms)
    report.add("encode_ms_torch", torch_ms)
    speedup = torch_ms / onnx_ms
    report.add("encode_speedup", speedup, ">= 1.8", speedup >= 1.8)

    onnx_rate, onnx_vectors = await batch_run(onnx, batch)
    torch_rate, torch_vectors = await batch_run(torch, batch)
    report.add("batch_per_s_onnx", onnx_rate)
    report.add("batch_per_s_torch", torch_rate)
    cosines = np.sum(onnx_vectors * torch_vectors, axis=1)
    report.add("cosine_min", float(cosines.min()), ">= 0.99", bool(cosines.min() >= 0.99))
    report.add("cosine_mean", float(cosines.mean()))

    if int8:
        from dedupe.onnx_export import export

        with tempfile.TemporaryDirectory() as scratch:
            export(Path(scratch), precision="int8")
            quant = OnnxEmbedder(Path(scratch))
            await quant.load()
            int8_ms, fp32_ms = await encode_ms(quant, onnx, texts=singles)
            report.add("encode_ms_int8", int8_ms)
            report.add("encode_ms_fp32_beside_int8", fp32_ms)
            rate, vectors = await batch_run(quant, batch)
            report.add("batch_per_s_int8", rate)
            cos = np.sum(vectors * torch_vectors, axis=1)
            report.add("cosine_min_int8", float(cos.min()))
            report.add("cosine_mean_int8", float(cos.mean()))
            quant.close()
    report.add("onnx_load_s", onnx_load_s)
    onnx.close()
    torch.close()

    default = measure_rss("onnx")
    if default["torch"]:
        raise SystemExit("the default embedder imported torch")
    baseline = measure_rss("torch")
    report.add("embedder_rss_mb", default["rss_mb"], "<= 400", default["rss_mb"] <= 400)
    report.add("embedder_rss_peak_mb", default["peak_mb"])
    report.add("rss_torch_mb", baseline["rss_mb"])
    report.add("rss_torch_peak_mb", baseline["peak_mb"])
    report.print()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--int8", action="store_true", help="also measure an int8 export")
    parser.add_argument("--rss-child", choices=["onnx", "torch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.rss_child:
        rss_child(args.rss_child)
    else:
        asyncio.run(main(args.int8))

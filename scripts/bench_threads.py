#!/usr/bin/env python
"""Python threads sharing one fitted object: serial vs 2 and 8 threads.

Every object runs with its own ``n_jobs=1``, so any speed-up comes from
Python threads running at once, which they can only do while khabar has
released the GIL. The documents are split into ``--batches`` batches; the
serial run calls the method on each batch in turn, the threaded runs hand
the same batches to a ``ThreadPoolExecutor`` (the three take turns in every
run). Reported: documents per second (median of ``--runs`` runs after a
warm-up), the threaded/serial ratio, and the cores the threaded run kept
busy (process CPU time over wall time: about 2 on two free cores when the
GIL is released, at most about 1 when it is held). Both need idle cores:
the machine's load average is printed before and after. On a shared Linux
machine, give the run its own scheduling group with a higher priority::

    setsid bash -c 'echo -15 > /proc/self/autogroup; python scripts/bench_threads.py'

Corpus: ant_corpus dev (title + text) from ``--data-dir``; without it, the
bundled sample article cut into paragraphs. Cases: ``TextVectorizer``
(word 1-2 + char_wb 2-5, fitted on the corpus) ``transform``,
``HashingVectorizer.transform``, the bundled ``topic-ar``
``TopicClassifier.predict``, ``EntityRecognizer.find_batch`` (gazetteer
only, with the Python ``re`` patterns, and with the ``ner-ar`` tagger).

Example::

    python scripts/bench_threads.py --runs 5
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import khabar as kb

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def load_docs(data_dir: Path, limit: int) -> tuple[list[str], str]:
    path = data_dir / "ant_corpus" / "dev.jsonl.gz"
    if path.is_file():
        with gzip.open(path, "rt", encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]
        docs = [f"{r['title']}\n{r['text']}" if r.get("title") else r["text"] for r in rows]
        return docs[:limit], f"ant_corpus dev ({path})"
    body = kb.sample_article().body
    paras = [p.strip() for p in body.split(".,") if p.strip()]
    docs = [" ".join(paras[i % len(paras) :] + paras[: i % len(paras)]) for i in range(limit)]
    return docs, "the bundled sample article, rotated (no dataset found)"


def timed(runners: list[Callable[[], Any]], runs: int) -> list[tuple[float, float]]:
    """For each runner: median wall time and the median number of cores it
    kept busy (process CPU time, all threads, over wall time). The runners
    take turns in every run, so a change in the machine's load touches them
    all alike."""
    for f in runners:
        f()  # warm-up
    times: list[list[float]] = [[] for _ in runners]
    cores: list[list[float]] = [[] for _ in runners]
    for _ in range(runs):
        for i, f in enumerate(runners):
            t, c = time.perf_counter(), time.process_time()
            f()
            wall = time.perf_counter() - t
            times[i].append(wall)
            cores[i].append((time.process_time() - c) / wall)
    return [(statistics.median(t), statistics.median(c)) for t, c in zip(times, cores, strict=True)]


def serial(f: Callable[[Any], Any], batches: list[Any]) -> Callable[[], Any]:
    return lambda: [f(b) for b in batches]


def threaded(
    pool: ThreadPoolExecutor, f: Callable[[Any], Any], batches: list[Any]
) -> Callable[[], Any]:
    return lambda: list(pool.map(f, batches))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("KHABAR_DATA_DIR", DEFAULT_DATA_DIR))
    )
    ap.add_argument("--docs", type=int, default=993, help="documents (default: all of dev)")
    ap.add_argument("--batches", type=int, default=64)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args(argv)

    docs, source = load_docs(args.data_dir, args.docs)
    n = len(docs)
    size = args.batches
    batches = [docs[i * n // size : (i + 1) * n // size] for i in range(size)]
    batches = [b for b in batches if b]
    vec = kb.TextVectorizer(analyzer=[("word", (1, 2)), ("char_wb", (2, 5))], n_jobs=1).fit(docs)
    cases: list[tuple[str, Callable[[Any], Any]]] = [
        ("TextVectorizer.transform (word 1-2 + char_wb 2-5)", vec.transform),
        (
            "HashingVectorizer.transform (word 1-2)",
            kb.HashingVectorizer(ngram_range=(1, 2), n_jobs=1).transform,
        ),
        (
            "TopicClassifier.predict (topic-ar)",
            kb.pretrained.load("topic-ar").set_params(n_jobs=1).predict,
        ),
        (
            "EntityRecognizer.find_batch (gazetteer)",
            kb.EntityRecognizer(patterns=False, n_jobs=1).find_batch,
        ),
        ("EntityRecognizer.find_batch (+ re patterns)", kb.EntityRecognizer(n_jobs=1).find_batch),
        (
            "EntityRecognizer.find_batch (+ ner-ar tagger)",
            kb.EntityRecognizer(patterns=False, tagger="ner-ar", n_jobs=1).find_batch,
        ),
    ]

    load0 = os.getloadavg()
    print(
        f"khabar {kb.__version__}, Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs ({platform.machine()}), load average {load0[0]:.2f} at start"
    )
    print(f"{n} documents ({sum(len(d.encode()) for d in docs) / 1e6:.1f} MB) from {source}")
    print(
        f"{len(batches)} batches; median of {args.runs} interleaved runs after a warm-up; "
        "n_jobs=1\n"
    )
    print(
        "| case | serial docs/s | 2 threads docs/s | ratio | cores | "
        "8 threads docs/s | ratio | cores |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    # pools created once: thread start-up is not measured
    with ThreadPoolExecutor(2) as two, ThreadPoolExecutor(8) as eight:
        for name, f in cases:
            runners = [serial(f, batches), threaded(two, f, batches), threaded(eight, f, batches)]
            (t1, _), (t2, c2), (t8, c8) = timed(runners, args.runs)
            row = [f"{n / t1:,.0f}"]
            row += [f"{n / t2:,.0f}", f"{t1 / t2:.2f}x", f"{c2:.2f}"]
            row += [f"{n / t8:,.0f}", f"{t1 / t8:.2f}x", f"{c8:.2f}"]
            print(f"| {name} | " + " | ".join(row) + " |", flush=True)
    load1 = os.getloadavg()
    print(f"\nload average {load1[0]:.2f} at the end (other processes compete for the cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

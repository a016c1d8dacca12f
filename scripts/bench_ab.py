#!/usr/bin/env python
"""Paired A/B timing of two (or more) khabar builds on the benchmark corpus.

Why: on a shared VM the same build timed back to back varies by 15% or more,
so two separate benchmark runs cannot tell a 5-10% change from noise. Here
one long-lived worker process per build loads the corpus once, then the
workers take turns (A, B, B, A, ...) making one call each, so every pair of
calls is measured seconds apart under the same machine conditions. The
report is each build's median time and the median of its per-pair ratios to
the first build.

A build is a directory holding a ``khabar`` package, e.g. an unpacked wheel::

    maturin build --release -o /tmp/whl-new && mkdir -p /tmp/ab/new && \\
        (cd /tmp/ab/new && unzip -q /tmp/whl-new/khabar-*.whl)
    python scripts/bench_ab.py --case hash --n-jobs 2 --rounds 10 /tmp/ab/old /tmp/ab/new

The corpus is the one of ``scripts/bench_vectorize.py`` (``--quick`` for
its 2,000-document smoke version).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent

# The worker: load the corpus, warm up, then time one call per "go" line.
WORKER = r"""
import sys, time
sys.path.insert(0, sys.argv[4])
import bench_vectorize as bv
import khabar
case, n_jobs, quick = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
docs = bv.load_corpus(bv.resolve_data_dir(None), quick=quick)
if case == "transform":
    tv = khabar.TextVectorizer(
        analyzer=[("word", (1, 2)), ("char_wb", (2, 5))], n_jobs=n_jobs
    ).fit(docs)
    call = tv.transform
elif case == "hash_char_wb":  # not a bench_vectorize.py case
    hv = khabar.HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_jobs=n_jobs)
    call = hv.transform
else:  # bench_vectorize.py's own cases, with khabar's default normaliser
    names = {"hash": "hash_word", "word": "tfidf_word", "char_wb": "tfidf_char_wb"}
    call = bv.make_call("khabar", names[case], "arabic", n_jobs)
call(docs)
print("ready", khabar.__file__, flush=True)
for _ in sys.stdin:
    t = time.perf_counter()
    call(docs)
    print(time.perf_counter() - t, flush=True)
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("builds", nargs="+", help="directories holding a khabar package")
    ap.add_argument(
        "--case",
        choices=("hash", "word", "char_wb", "transform", "hash_char_wb"),
        default="hash",
        help="HashingVectorizer word (1,2) transform; TextVectorizer word (1,2) or char_wb "
        "(2,5) fit_transform; transform with a fitted word (1,2) + char_wb (2,5) "
        "TextVectorizer (the topic model's features); or HashingVectorizer char_wb (2,5)",
    )
    ap.add_argument("--n-jobs", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=10)
    ap.add_argument("--quick", action="store_true", help="2,000 documents")
    args = ap.parse_args(argv)
    if len(args.builds) < 2:
        ap.error("give at least two builds to compare")
    for b in args.builds:
        if not (Path(b) / "khabar" / "__init__.py").is_file():
            ap.error(f"{b} holds no khabar package (expected {b}/khabar/__init__.py)")
    workers: dict[str, subprocess.Popen[str]] = {}
    for b in args.builds:
        env = dict(os.environ, PYTHONPATH=str(Path(b).resolve()))
        cmd = [sys.executable, "-c", WORKER, args.case, str(args.n_jobs)]
        cmd += ["1" if args.quick else "0", str(SCRIPTS)]
        p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        assert p.stdout is not None and p.stdin is not None
        line = p.stdout.readline().split()
        if not line or line[0] != "ready":
            raise SystemExit(f"worker for {b} failed to start")
        if not line[1].startswith(str(Path(b).resolve())):
            raise SystemExit(f"worker for {b} imported another khabar: {line[1]}")
        workers[b] = p
    times: dict[str, list[float]] = {b: [] for b in args.builds}
    for r in range(args.rounds):
        order = args.builds if r % 2 == 0 else args.builds[::-1]
        for b in order:
            p = workers[b]
            assert p.stdin is not None and p.stdout is not None
            p.stdin.write("go\n")
            p.stdin.flush()
            times[b].append(float(p.stdout.readline()))
    for p in workers.values():
        assert p.stdin is not None
        p.stdin.close()
        p.wait()
    base = args.builds[0]
    print(f"case {args.case}, n_jobs={args.n_jobs}, {args.rounds} rounds")
    for b in args.builds:
        ratios = [x / y for x, y in zip(times[b], times[base], strict=True)]
        print(
            f"{b}: median {statistics.median(times[b]) * 1000:.0f} ms, "
            f"min {min(times[b]) * 1000:.0f} ms, "
            f"median ratio to {base} {statistics.median(ratios):.3f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

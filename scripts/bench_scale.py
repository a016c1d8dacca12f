#!/usr/bin/env python
"""Out-of-core training at scale: khabar vs scikit-learn, streamed from JSONL.

A JSONL corpus (``{"text": ..., "label": ...}`` per line) is grown by
repetition from ANT Corpus train (title + body, Arabic news, 9 topics) to
about 100 MB, 300 MB and 1 GB, written to a temporary directory (not the
repo). Each (size, implementation) pair runs in a fresh worker subprocess
(this script with ``--worker``) that streams the file once:

- ``khabar``: :func:`khabar.datasets.iter_batches` (Python ``json.loads`` per
  line, texts as a list of ``str``) into
  ``khabar.HashingVectorizer(n_jobs=2).transform`` and
  ``khabar.LinearClassifier(loss="hinge").partial_fit``;
- ``khabar-arrow``: the same, but ``pyarrow.json.open_json`` reads the file
  as Arrow record batches and the text column goes zero-copy into the
  vectorizer (faster on large files, but pyarrow's reader itself grows in
  memory with the file: see the peak RSS column);
- ``sklearn``: :func:`khabar.datasets.iter_batches` (the same reader) then
  ``sklearn.feature_extraction.text.HashingVectorizer`` and
  ``SGDClassifier(loss="hinge").partial_fit``.

All use 2**20 hashed features of word unigrams and batches of 10,000
documents (pyarrow's block size is set so its batches are about that size).
Throughput is file MB per second of wall time for the whole stream (read,
hash, train), timed after the worker's imports; peak RSS is the worker's
``ru_maxrss`` (the whole process, interpreter and libraries included). The
report also gives, on the first 10,000 documents, khabar's transform from a
pyarrow array versus from a Python list (same output checked).

Examples::

    python scripts/bench_scale.py --sizes 100 300 1000 --json bench_scale.json
    python scripts/bench_scale.py --quick          # 20 MB smoke run
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "ant_corpus"
BATCH = 10_000
N_FEATURES = 2**20
IMPLS = ("khabar", "khabar-arrow", "sklearn")


def build_corpus(path: Path, mb: int) -> int:
    """Write ``mb`` MB of JSONL by repeating ANT Corpus train; returns rows."""
    with gzip.open(DATA / "train.jsonl.gz", "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    lines = [
        json.dumps({"text": f"{r['title']}\n{r['text']}", "label": r["label"]}, ensure_ascii=False)
        + "\n"
        for r in rows
    ]
    target, written, n = mb * 1_000_000, 0, 0
    with path.open("w", encoding="utf-8") as out:
        while written < target:
            for line in lines:
                out.write(line)
                written += len(line.encode("utf-8"))
                n += 1
                if written >= target:
                    break
    return n


def labels_of(path: Path) -> list[str]:
    with gzip.open(DATA / "train.jsonl.gz", "rt", encoding="utf-8") as f:
        return sorted({json.loads(line)["label"] for line in f})


def worker(impl: str, path: Path, classes: list[str]) -> dict[str, Any]:
    import numpy as np

    # Import first, then start the clock: the throughput is the stream's, not
    # the interpreter's start-up (about 1 s, which used to weigh on the
    # 100 MB row). Each import only loads what its implementation uses.
    if impl.startswith("khabar"):
        import khabar

        if impl == "khabar-arrow":
            import pyarrow.json as pj
    else:
        from sklearn.feature_extraction.text import HashingVectorizer
        from sklearn.linear_model import SGDClassifier
    from khabar.datasets import iter_batches

    t0 = time.perf_counter()
    n = 0
    if impl == "khabar-arrow":
        hv = khabar.HashingVectorizer(n_features=N_FEATURES, n_jobs=2)
        clf = khabar.LinearClassifier("hinge", random_state=0)
        # ~10,000 documents of ~5 kB per block
        opts = pj.ReadOptions(block_size=48 << 20)
        for batch in pj.open_json(path, read_options=opts):
            X = hv.transform(batch.column("text"))
            clf.partial_fit(X, batch.column("label").to_pylist(), classes=classes)
            n += batch.num_rows
    elif impl == "khabar":
        hv = khabar.HashingVectorizer(n_features=N_FEATURES, n_jobs=2)
        clf = khabar.LinearClassifier("hinge", random_state=0)
        for texts, labels in iter_batches(path, batch_size=BATCH):
            clf.partial_fit(hv.transform(texts), labels, classes=classes)
            n += len(texts)
    else:
        hv = HashingVectorizer(n_features=N_FEATURES)
        sgd = SGDClassifier(loss="hinge", random_state=0)
        for texts, labels in iter_batches(path, batch_size=BATCH):
            sgd.partial_fit(hv.transform(texts), labels, classes=np.asarray(classes))
            n += len(texts)
    secs = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    return {"impl": impl, "docs": n, "seconds": secs, "peak_rss_mb": rss / 1e6}


def arrow_vs_list(path: Path) -> dict[str, Any]:
    """khabar transform of the first BATCH documents of an Arrow column:
    passed as is (read in place) versus converted to a list of ``str``
    first (what a list-only API forces: ``column.to_pylist()``)."""
    import khabar
    import pyarrow as pa

    texts: list[str] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            texts.append(json.loads(line)["text"])
            if len(texts) >= BATCH:
                break
    arr = pa.array(texts)
    hv = khabar.HashingVectorizer(n_features=N_FEATURES, n_jobs=2)
    same = (hv.transform(arr) != hv.transform(arr.to_pylist())).nnz == 0

    def best(fn: Any) -> float:
        times = []
        for _ in range(7):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return min(times)

    t_arrow = best(lambda: hv.transform(arr))
    t_list = best(lambda: hv.transform(arr.to_pylist()))
    t_str = best(lambda: hv.transform(texts))
    return {
        "docs": len(texts),
        "arrow_s": t_arrow,
        "to_pylist_then_list_s": t_list,
        "list_already_str_s": t_str,
        "arrow_speedup": t_list / t_arrow,
        "identical": same,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000], help="MB")
    ap.add_argument("--impls", nargs="+", default=list(IMPLS), choices=IMPLS)
    ap.add_argument("--quick", action="store_true", help="one 20 MB file")
    ap.add_argument("--json", type=Path, help="write the results here")
    ap.add_argument("--tmp", type=Path, default=Path(tempfile.gettempdir()))
    ap.add_argument("--worker", nargs=2, metavar=("IMPL", "PATH"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if not DATA.is_dir():
        sys.exit(f"ANT Corpus not found at {DATA}")
    classes = labels_of(DATA)
    if args.worker:
        print(json.dumps(worker(args.worker[0], Path(args.worker[1]), classes)))
        return
    sizes = [20] if args.quick else args.sizes
    results: list[dict[str, Any]] = []
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores; python {platform.python_version()}"
    )
    arrow = None
    for mb in sizes:
        path = args.tmp / f"khabar_scale_{mb}mb.jsonl"
        if not path.exists() or path.stat().st_size < mb * 1_000_000:
            print(f"writing {path} ...", flush=True)
            build_corpus(path, mb)
        size_mb = path.stat().st_size / 1e6
        if arrow is None:
            arrow = arrow_vs_list(path)
        for impl in args.impls:
            out = subprocess.run(
                [sys.executable, __file__, "--worker", impl, str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            r["file_mb"] = size_mb
            r["mb_per_s"] = size_mb / r["seconds"]
            results.append(r)
            print(
                f"{size_mb:7.0f} MB  {impl:12s} {r['docs']:>9,} docs  {r['seconds']:7.1f} s  "
                f"{r['mb_per_s']:6.2f} MB/s  peak RSS {r['peak_rss_mb']:7.0f} MB",
                flush=True,
            )
    print("\nsummary (n_jobs=2):")
    for mb in sizes:
        rs = {
            r["impl"]: r
            for r in results
            if round(r["file_mb"]) >= mb * 0.99 and round(r["file_mb"]) <= mb * 1.01 + 1
        }
        for k in ("khabar", "khabar-arrow"):
            if k in rs and "sklearn" in rs:
                ratio = rs[k]["mb_per_s"] / rs["sklearn"]["mb_per_s"]
                print(f"  {mb:5d} MB: throughput {k}/sklearn = {ratio:.1f}x")
    for impl in args.impls:
        peaks = [r["peak_rss_mb"] for r in results if r["impl"] == impl]
        if len(peaks) > 1:
            print(f"  {impl}: peak RSS largest/smallest file = {max(peaks) / min(peaks):.2f}x")
    if arrow:
        print(
            f"  Arrow column in place vs column.to_pylist() first ({arrow['docs']:,} docs, "
            f"best of 7): {arrow['arrow_speedup']:.2f}x faster, identical output: "
            f"{arrow['identical']} (a list of str already in memory: "
            f"{arrow['list_already_str_s'] / arrow['arrow_s']:.2f}x the Arrow time)"
        )
    if args.json:
        args.json.write_text(json.dumps({"runs": results, "arrow_vs_list": arrow}, indent=2))


if __name__ == "__main__":
    main()

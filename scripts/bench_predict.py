#!/usr/bin/env python
"""Prediction speed of the default TopicClassifier against the
scikit-learn pipeline it competes with, in the same run.

Both are trained on ant_corpus train (title + text). Measured:

* single-document latency: ``predict([doc])`` on a 500-word article built
  from dev texts, median and 95th percentile over ``--calls`` calls after a
  warm-up (khabar with ``n_jobs=1`` and with the default thread count);
* batch throughput: ``predict(dev)`` over the whole dev split, median of
  ``--runs`` runs, documents per second.

scikit-learn here is the pipeline of ``scripts/eval_topic.py`` (two
``TfidfVectorizer`` in a ``FeatureUnion`` + ``LinearSVC``, C=1). Ratios are
khabar speed / scikit-learn speed.

Example::

    python scripts/bench_predict.py --calls 2000 --runs 5 --json bench_predict.json
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
from pathlib import Path
from typing import Any

import khabar as kb

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def read(data_dir: Path, split: str) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    with gzip.open(data_dir / "ant_corpus" / f"{split}.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            texts.append(f"{r['title']}\n{r['text']}")
            labels.append(r["label"])
    return texts, labels


def article(texts: list[str], words: int = 500) -> str:
    out: list[str] = []
    for t in texts:
        out.extend(t.split())
        if len(out) >= words:
            break
    return " ".join(out[:words])


def latency(fn: Any, doc: str, calls: int) -> dict[str, float]:
    for _ in range(max(calls // 10, 10)):
        fn([doc])
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        fn([doc])
        times.append(time.perf_counter() - t)
    times.sort()
    return {
        "median_us": 1e6 * statistics.median(times),
        "p95_us": 1e6 * times[int(0.95 * (len(times) - 1))],
    }


def throughput(fn: Any, docs: list[str], runs: int) -> float:
    fn(docs[:50])
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn(docs)
        times.append(time.perf_counter() - t)
    return len(docs) / statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--data-dir",
        type=Path,
        default=Path(os.environ.get("KHABAR_DATA_DIR", DEFAULT_DATA_DIR)),
    )
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-sklearn", action="store_true")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args(argv)
    if not (args.data_dir / "ant_corpus").is_dir():
        print(f"ant_corpus not found under {args.data_dir}", file=sys.stderr)
        return 2
    train, dev = read(args.data_dir, "train"), read(args.data_dir, "dev")
    doc = article(dev[0])
    res: dict[str, Any] = {
        "khabar": kb.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "article_words": len(doc.split()),
        "article_chars": len(doc),
        "dev_docs": len(dev[0]),
        "calls": args.calls,
        "runs": args.runs,
    }
    clf = kb.TopicClassifier().fit(*train)
    # n_jobs is read at call time, so one fitted model serves both settings
    res["khabar_latency_default"] = latency(clf.predict, doc, args.calls)
    res["khabar_batch_docs_per_s"] = throughput(clf.predict, dev[0], args.runs)
    clf.set_params(n_jobs=1)
    res["khabar_latency_n_jobs_1"] = latency(clf.predict, doc, args.calls)
    res["khabar_proba_latency_n_jobs_1"] = latency(clf.predict_proba, doc, args.calls)
    res["khabar_batch_docs_per_s_n_jobs_1"] = throughput(clf.predict, dev[0], args.runs)
    if not args.no_sklearn:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion, make_pipeline
        from sklearn.svm import LinearSVC

        sk = make_pipeline(
            FeatureUnion(
                [
                    ("word", TfidfVectorizer(ngram_range=(1, 2))),
                    ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
                ]
            ),
            LinearSVC(C=1.0),
        ).fit(*train)
        res["sklearn_latency"] = latency(sk.predict, doc, max(args.calls // 5, 50))
        res["sklearn_batch_docs_per_s"] = throughput(sk.predict, dev[0], args.runs)
        res["latency_ratio_n_jobs_1"] = (
            res["sklearn_latency"]["median_us"] / res["khabar_latency_n_jobs_1"]["median_us"]
        )
        res["batch_ratio"] = res["khabar_batch_docs_per_s"] / res["sklearn_batch_docs_per_s"]
    print(json.dumps(res, indent=2))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

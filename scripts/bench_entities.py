#!/usr/bin/env python
"""Entity recognition throughput on real Arabic news.

Corpus: ant_corpus train + dev (title + text). Reports tokens per second
(tokens as ``khabar.tokenize`` counts them) for ``EntityRecognizer.find_batch``:
gazetteer only with one thread and with the default thread count; with the
(Python ``re``) DATE/MONEY/PERCENT/NUMBER patterns on one thread; with the
bundled ``ner-ar`` tagger merged in (no patterns, then with patterns) on one
thread; median of ``--runs`` runs after a warm-up; and mentions per 1,000
tokens by type (of the last configuration).

Example::

    python scripts/bench_entities.py --runs 3
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import os
import statistics
import sys
import time
from pathlib import Path

import khabar as kb

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("KHABAR_DATA_DIR", DEFAULT_DATA_DIR))
    )
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args(argv)
    texts = []
    for split in ("train", "dev"):
        path = args.data_dir / "ant_corpus" / f"{split}.jsonl.gz"
        if not path.is_file():
            print(f"{path} not found", file=sys.stderr)
            return 2
        with gzip.open(path, "rt", encoding="utf-8") as f:
            texts += [f"{r['title']}\n{r['text']}" for r in map(json.loads, f)]
    n_tokens = sum(len(kb.tokenize(t, normalizer=None)) for t in texts)
    out = {
        "docs": len(texts),
        "tokens": n_tokens,
        "MB": sum(map(len, (t.encode() for t in texts))) / 1e6,
    }
    configs = ((False, 1, None), (False, None, None), (True, 1, None))
    configs += ((False, 1, "ner-ar"), (True, 1, "ner-ar"))
    for patterns, n_jobs, tagger in configs:
        rec = kb.EntityRecognizer(n_jobs=n_jobs, patterns=patterns, tagger=tagger)
        found = rec.find_batch(texts[:200])
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            found = rec.find_batch(texts)
            times.append(time.perf_counter() - t)
        what = "gazetteer" + ("+tagger" if tagger else "") + ("+patterns" if patterns else "")
        out[f"{what}_tokens_per_s_n_jobs_{n_jobs}"] = n_tokens / statistics.median(times)
    counts = collections.Counter(e.type for row in found for e in row)
    out["mentions_per_1000_tokens"] = {k: 1000 * v / n_tokens for k, v in sorted(counts.items())}
    print(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python
"""Rebuild the bundled pretrained models from ../shared/data,
deterministically (the same inputs give the same bytes; ``--check`` trains
twice and compares).

Models:

* ``topic-ar`` — :class:`khabar.TopicClassifier` (default settings) on the
  ``train`` split of ant_corpus (title + newline + text);
* ``topic-en`` — the same on bbc_news ``train``;
* ``stance-en`` — :class:`khabar.StanceClassifier` (default settings) on the
  fnc1 ``train`` split (headline, body) pairs;
* ``stance-ar`` — the same on the arabic_fc_stance ``train`` folds (claim,
  article) pairs;
* ``ner-ar`` — :class:`khabar.EntityTagger` on all of CLEANANERCorp
  ``train.clean.conll`` (PERS renamed PER) with the settings of
  ``scripts/eval_ner.py`` (chosen on its dev split: the last 10% of
  sentences) and the word clusters in ``resources/word_clusters_ar.tsv.gz``
  (``scripts/build_word_clusters.py``). The dev scores in the model card
  come from ``scripts/eval_ner.py`` (trained without the dev block); the
  shipped file is retrained on everything.

    python scripts/train_pretrained.py [--only ner-ar] [--check]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import khabar as kb
from khabar.datasets import read_conll

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "python" / "khabar" / "models"


def train_ner_ar(data: Path) -> bytes:
    sents, tags = read_conll(data / "anercorp" / "train.clean.conll", tag_map={"PERS": "PER"})
    # a path relative to the repository root: it is recorded in the model's
    # parameters as where the clusters came from
    tagger = kb.EntityTagger(n_iter=15, word_clusters="resources/word_clusters_ar.tsv.gz")
    tagger.fit(sents, tags)
    return tagger.to_bytes()


def _train_rows(data: Path, name: str) -> list[dict[str, Any]]:
    with gzip.open(data / name / "train.jsonl.gz", "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def _fit_bytes(model: Any, X: list[Any], y: list[Any]) -> bytes:
    model.fit(X, y)
    return bytes(model.to_bytes())  # n_jobs is not stored: loaded models use all cores


def _topic(data: Path, name: str) -> bytes:
    rows = _train_rows(data, name)
    texts = [f"{r['title']}\n{r['text']}" if r.get("title") else r["text"] for r in rows]
    return _fit_bytes(kb.TopicClassifier(n_jobs=1), texts, [r["label"] for r in rows])


def _stance(data: Path, name: str) -> bytes:
    rows = _train_rows(data, name)
    pairs = [(r["headline_or_claim"], r["body"]) for r in rows]
    return _fit_bytes(kb.StanceClassifier(n_jobs=1), pairs, [r["label"] for r in rows])


MODELS = {
    "ner-ar": train_ner_ar,
    "topic-ar": lambda data: _topic(data, "ant_corpus"),
    "topic-en": lambda data: _topic(data, "bbc_news"),
    "stance-en": lambda data: _stance(data, "fnc1"),
    "stance-ar": lambda data: _stance(data, "arabic_fc_stance"),
}


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--only", choices=sorted(MODELS), action="append")
    ap.add_argument("--check", action="store_true", help="train twice and require identical bytes")
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"data directory not found: {args.data}", file=sys.stderr)
        return 2
    os.chdir(ROOT)
    OUT.mkdir(parents=True, exist_ok=True)
    for name in args.only or sorted(MODELS):
        t0 = time.perf_counter()
        data = MODELS[name](args.data)
        if args.check and MODELS[name](args.data) != data:
            print(f"{name}: two trainings gave different bytes", file=sys.stderr)
            return 1
        path = OUT / f"{name}.khabar"
        path.write_bytes(data)
        digest = hashlib.sha256(data).hexdigest()[:16]
        print(
            f"{name}: {len(data) / 1e6:.2f} MB, sha256 {digest}…, "
            f"{time.perf_counter() - t0:.1f}s -> {path.relative_to(ROOT)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Arabic NER on our dev split of CLEANANERCorp: entity-level micro-F1
(exact span and type, conlleval reading) per type and overall.

Split: ../shared/data/anercorp/train.clean.conll, sentences in file order;
the last 10% of sentences (a contiguous block of whole documents, like the
held-out CAMeL test split) is dev, the rest is train. ``PERS`` is renamed
``PER``. Settings were chosen on this dev split only.

Systems, trained on the train part in the same run:

* khabar ``EntityTagger`` with the shipped settings (gazetteer + cue lists +
  word clusters from ``resources/word_clusters_ar.tsv.gz``);
* ablations: no word clusters; no clusters, cues or gazetteer;
* the gazetteer alone (``EntityRecognizer(patterns=False)`` over the
  sentence text, mentions mapped back to tokens; PER/LOC/ORG/MISC only).

Also reports 5-fold cross-validation over contiguous blocks of the whole
file for the shipped settings (less dependent on one block's topics), and
tagging speed (tokens/s, one thread) on dev.

    python scripts/eval_ner.py [--json out.json] [--no-cv]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import khabar as kb
from khabar.datasets import read_conll
from khabar.metrics import entity_scores

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "anercorp" / "train.clean.conll"
CLUSTERS = ROOT / "resources" / "word_clusters_ar.tsv.gz"
#: the settings of the shipped ner-ar model
SHIPPED: dict[str, Any] = {"n_iter": 15, "word_clusters": str(CLUSTERS)}


def split(path: Path) -> tuple[list[list[str]], list[list[str]], list[list[str]], list[list[str]]]:
    sents, tags = read_conll(path, tag_map={"PERS": "PER"})
    cut = len(sents) - len(sents) // 10
    return sents[:cut], tags[:cut], sents[cut:], tags[cut:]


def gazetteer_tags(sents: list[list[str]]) -> list[list[str]]:
    """Tag sentences with the gazetteer alone (types the tagger knows)."""
    rec = kb.EntityRecognizer(patterns=False, types=["PER", "LOC", "ORG", "MISC"])
    out = []
    for toks in sents:
        text = " ".join(toks)
        starts = []
        pos = 0
        for t in toks:
            starts.append(pos)
            pos += len(t) + 1
        tags = ["O"] * len(toks)
        for m in rec.find(text):
            first = max(i for i, s in enumerate(starts) if s <= m.start)
            last = max(i for i, s in enumerate(starts) if s < m.end)
            tags[first] = f"B-{m.type}"
            for i in range(first + 1, last + 1):
                tags[i] = f"I-{m.type}"
        out.append(tags)
    return out


def show(name: str, scores: dict[str, dict[str, float]], extra: str = "") -> None:
    per = "  ".join(
        f"{t} {scores[t]['f1']:.3f}" for t in ("PER", "LOC", "ORG", "MISC") if t in scores
    )
    m = scores["micro"]
    prf = f"P {m['precision']:.3f} R {m['recall']:.3f} F1 {m['f1']:.4f}"
    print(f"{name:<34} micro {prf} | {per}{extra}")


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-cv", action="store_true")
    args = ap.parse_args()
    if not args.data.is_file():
        print(f"data not found: {args.data}", file=sys.stderr)
        return 2
    tr_s, tr_t, dv_s, dv_t = split(args.data)
    n_tok = sum(map(len, dv_s))
    print(
        f"train {len(tr_s)} sentences / {sum(map(len, tr_s))} tokens; "
        f"dev {len(dv_s)} sentences / {n_tok} tokens"
    )
    results: dict[str, Any] = {}
    systems = {
        "EntityTagger (shipped settings)": SHIPPED,
        "  - no word clusters": {"n_iter": 15},
        "  - no clusters, cues, gazetteer": {"n_iter": 15, "cues": False, "gazetteer": False},
    }
    for name, params in systems.items():
        t0 = time.perf_counter()
        tagger = kb.EntityTagger(**params).fit(tr_s, tr_t)
        fit_s = time.perf_counter() - t0
        single = kb.EntityTagger(**params)
        single.__dict__.update(tagger.__dict__)
        single.n_jobs = 1
        t0 = time.perf_counter()
        pred = single.predict(dv_s)
        speed = n_tok / (time.perf_counter() - t0)
        scores = entity_scores(dv_t, pred)
        show(name, scores, f" | fit {fit_s:.1f}s, {speed / 1e3:.0f}k tokens/s (1 thread)")
        results[name.strip(" -")] = {"scores": scores, "fit_s": fit_s, "tokens_per_s": speed}
    scores = entity_scores(dv_t, gazetteer_tags(dv_s))
    show("gazetteer only", scores)
    results["gazetteer only"] = {"scores": scores}

    if not args.no_cv:
        sents, tags = read_conll(args.data, tag_map={"PERS": "PER"})
        n = len(sents)
        folds = []
        for k in range(5):
            a, b = k * n // 5, (k + 1) * n // 5
            m = kb.EntityTagger(**SHIPPED).fit(sents[:a] + sents[b:], tags[:a] + tags[b:])
            folds.append(entity_scores(tags[a:b], m.predict(sents[a:b]))["micro"]["f1"])
        print(
            f"5-fold CV (contiguous blocks), shipped settings: micro-F1 "
            f"{statistics.mean(folds):.4f} ± {statistics.stdev(folds):.4f} "
            f"({', '.join(f'{f:.3f}' for f in folds)})"
        )
        print("  (the word clusters saw the text of folds 1-4, not their tags)")
        results["cv5"] = folds
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python
"""Topic classification: khabar's TopicClassifier against scikit-learn and
fastText, trained on ``train`` and scored on ``dev`` in the same run.

Datasets (from ../shared/data): ant_corpus and bbc_news (title + "\\n" +
text) and asnd (text). Peers:

* scikit-learn TF-IDF word (1,2) + char_wb (2,5) (a ``FeatureUnion`` of two
  default ``TfidfVectorizer``) + ``LinearSVC``, ``C`` tuned on dev;
* the same features + ``LogisticRegression`` (lbfgs), ``C`` tuned on dev;
* fastText (if ``import fasttext`` works), ``lr``/``epoch`` tuned on dev,
  word bigrams and char n-grams 2-5.

The peers get their best dev setting (an optimistic estimate for them);
khabar runs with default arguments only. Fit time is vectorize + fit of the
reported setting, wall clock, one run, on this machine.

Examples::

    python scripts/eval_topic.py                       # everything (~20 min on 2 cores)
    python scripts/eval_topic.py --datasets asnd --no-logreg --json out.json
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import khabar as kb
from sklearn.metrics import accuracy_score, f1_score

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DATASETS = ("ant_corpus", "asnd", "bbc_news")
SVC_C = (0.1, 0.3, 1.0, 3.0)
LR_C = (3.0, 10.0, 30.0, 100.0)
NAMES = {"svc": "LinearSVC", "logreg": "LogisticRegression"}
FT_GRID = ({"lr": 0.5, "epoch": 25}, {"lr": 1.0, "epoch": 25}, {"lr": 0.3, "epoch": 50})


def read(data_dir: Path, dataset: str, split: str) -> tuple[list[str], list[str]]:
    path = data_dir / dataset / f"{split}.jsonl.gz"
    texts, labels = [], []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            title = r.get("title")
            texts.append(f"{title}\n{r['text']}" if title else r["text"])
            labels.append(r["label"])
    return texts, labels


def scores(y_true: list[str], y_pred: Any) -> dict[str, float]:
    return {
        "macro_f1": float(f1_score(y_true, list(y_pred), average="macro")),
        "accuracy": float(accuracy_score(y_true, list(y_pred))),
    }


def run_khabar(tr: tuple, dv: tuple) -> dict[str, Any]:
    t = time.perf_counter()
    clf = kb.TopicClassifier().fit(*tr)
    fit_s = time.perf_counter() - t
    t = time.perf_counter()
    pred = clf.predict(dv[0])
    pred_s = time.perf_counter() - t
    return {
        "name": "khabar TopicClassifier()",
        "fit_s": fit_s,
        "predict_s": pred_s,
        "setting": "defaults",
        **scores(dv[1], pred),
    }


def sklearn_features() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion

    return FeatureUnion(
        [
            ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2))),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5))),
        ]
    )


def run_sklearn(tr: tuple, dv: tuple, model: str) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    t = time.perf_counter()
    feats = sklearn_features()
    Xtr = feats.fit_transform(tr[0])
    vec_s = time.perf_counter() - t
    Xdv = feats.transform(dv[0])
    best: dict[str, Any] | None = None
    for C in SVC_C if model == "svc" else LR_C:
        est = LinearSVC(C=C) if model == "svc" else LogisticRegression(C=C, max_iter=1000)
        t = time.perf_counter()
        est.fit(Xtr, tr[1])
        fit_s = time.perf_counter() - t
        res = scores(dv[1], est.predict(Xdv))
        print(
            f"    sklearn {model} C={C}: macro-F1 {res['macro_f1']:.4f} fit {fit_s:.1f}s",
            file=sys.stderr,
        )
        if best is None or res["macro_f1"] > best["macro_f1"]:
            best = {
                "name": "scikit-learn TF-IDF + " + NAMES[model],
                "fit_s": vec_s + fit_s,
                "setting": f"C={C} (best on dev)",
                **res,
            }
    assert best is not None
    return best


def run_fasttext(tr: tuple, dv: tuple) -> dict[str, Any] | None:
    try:
        import fasttext
    except ImportError:
        return None

    def clean(s: str) -> str:
        return " ".join(s.split())

    best: dict[str, Any] | None = None
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "train.txt")
        with open(path, "w", encoding="utf-8") as f:
            for text, label in zip(*tr, strict=True):
                f.write(f"__label__{label.replace(' ', '_')} {clean(text)}\n")
        for params in FT_GRID:
            t = time.perf_counter()
            m = fasttext.train_supervised(
                path, wordNgrams=2, minn=2, maxn=5, dim=100, thread=2, seed=0, verbose=0, **params
            )
            fit_s = time.perf_counter() - t
            # fastText's own predict() breaks on numpy 2; call the C++ binding
            labels, _ = m.f.multilinePredict([clean(s) for s in dv[0]], 1, 0.0, "strict")
            pred = [ls[0].replace("__label__", "") for ls in labels]
            res = scores(dv[1], pred)
            print(f"    fastText {params}: macro-F1 {res['macro_f1']:.4f}", file=sys.stderr)
            if best is None or res["macro_f1"] > best["macro_f1"]:
                best = {
                    "name": "fastText",
                    "fit_s": fit_s,
                    "setting": f"lr={params['lr']} epoch={params['epoch']} (best on dev)",
                    **res,
                }
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("KHABAR_DATA_DIR", DEFAULT_DATA_DIR))
    )
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=DATASETS)
    ap.add_argument(
        "--no-logreg", action="store_true", help="skip the (slow) LogisticRegression peer"
    )
    ap.add_argument("--no-fasttext", action="store_true")
    ap.add_argument("--json", type=Path, help="also write the results here")
    args = ap.parse_args(argv)
    if not args.data_dir.is_dir():
        print(
            f"data directory {args.data_dir} not found (set --data-dir or KHABAR_DATA_DIR)",
            file=sys.stderr,
        )
        return 2
    out: dict[str, Any] = {
        "khabar": kb.__version__,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "results": {},
    }
    for ds in args.datasets:
        tr, dv = read(args.data_dir, ds, "train"), read(args.data_dir, ds, "dev")
        print(f"== {ds}: {len(tr[0])} train / {len(dv[0])} dev", file=sys.stderr)
        rows = [run_khabar(tr, dv), run_sklearn(tr, dv, "svc")]
        if not args.no_logreg:
            rows.append(run_sklearn(tr, dv, "logreg"))
        if not args.no_fasttext:
            ft = run_fasttext(tr, dv)
            if ft is not None:
                rows.append(ft)
        out["results"][ds] = rows
        peers = [r for r in rows[1:] if r["name"].startswith("scikit-learn")]
        best = max(peers, key=lambda r: r["macro_f1"])
        print(f"\n{ds} (dev)")
        print("| system | setting | macro-F1 | accuracy | fit s |\n|---|---|---:|---:|---:|")
        for r in rows:
            cells = [r["name"], r["setting"], f"{r['macro_f1']:.4f}", f"{r['accuracy']:.4f}"]
            print("| " + " | ".join(cells) + f" | {r['fit_s']:.1f} |")
        k = rows[0]
        gain = 100 * (k["macro_f1"] - best["macro_f1"])
        print(
            f"khabar - best scikit-learn: {gain:+.1f} macro-F1 points; "
            f"fit {best['fit_s'] / k['fit_s']:.1f}x faster than {best['name']}\n"
        )
        sys.stdout.flush()
    if args.json:
        args.json.write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

#!/usr/bin/env python
"""Word clusters for the Arabic entity tagger, learnt from unlabelled text.

Why: most people and organisations in a news test set were never tagged in
training (on our anercorp dev split 87% of PER mentions are unseen). Words
that occur in the same contexts (محمد, أحمد, يوسف...) fall in one cluster,
so the tagger can generalise from a cluster it has seen tagged.

How: every word seen at least ``--min-count`` times is described by its
left and right neighbours (counts over the ``--contexts`` most frequent
words), weighted by positive PMI (context distribution smoothed with
exponent 0.75), reduced to ``--dims`` dimensions by truncated SVD and
clustered by k-means at several granularities (``--levels``). Words are
normalised exactly as the tagger normalises tokens (khabar's "arabic"
preset, every digit written 0).

Text (unlabelled, from ../shared/data; only permissively licensed sets):
the ``train`` split of ant_corpus (title and text; Apache-2.0 with a
citation request), of asnd (CC BY 4.0), and the tokens of anercorp
``train.clean.conll`` (GPL-3.0; the tagger trained on it is GPL-3.0 anyway)
— minus the dev tail (last 10% of sentences) unless ``--all-anercorp``, so
dev scores stay honest.

Output: a gzipped TSV, ``word<TAB>id<TAB>id...`` (one id per level), sorted
by word; deterministic for a given input (fixed SVD start vector, fixed
k-means seeds, single-threaded BLAS recommended for bit-identical output).

    python scripts/build_word_clusters.py -o resources/word_clusters_ar.tsv.gz
"""

from __future__ import annotations

import argparse
import collections
import gzip
import json
import re
import sys
import time
from pathlib import Path

import khabar as kb
import numpy as np
import scipy.sparse as sp
from khabar.datasets import read_conll
from scipy.sparse.linalg import svds

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DIGIT = re.compile(r"\d")


def norm(tok: str) -> str:
    return DIGIT.sub("0", kb.normalize(tok)) or "∅"


def corpus(data: Path, all_anercorp: bool) -> list[list[str]]:
    docs: list[list[str]] = []
    for name, fields in [("ant_corpus", ("title", "text")), ("asnd", ("text",))]:
        with gzip.open(data / name / "train.jsonl.gz", "rt", encoding="utf-8") as f:
            for line in f:
                row = json.loads(line)
                for field in fields:
                    if row.get(field):
                        docs.append([norm(t) for t in kb.tokenize(row[field], normalizer="none")])
    sents, _ = read_conll(data / "anercorp" / "train.clean.conll")
    if not all_anercorp:
        sents = sents[: len(sents) - len(sents) // 10]
    docs.extend([norm(t) for t in s] for s in sents)
    return docs


def embed(
    docs: list[list[str]], min_count: int, n_ctx: int, dims: int
) -> tuple[list[str], np.ndarray]:
    counts = collections.Counter(w for d in docs for w in d)
    # ties broken by the word, so the vocabulary order is deterministic
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    vocab = [w for w, c in ranked if c >= min_count]
    vid = {w: i for i, w in enumerate(vocab)}
    ctx = {w: i for i, (w, _) in enumerate(ranked[:n_ctx])}
    rows: list[int] = []
    cols: list[int] = []
    for d in docs:
        ids = [vid.get(w, -1) for w in d]
        cs = [ctx.get(w, n_ctx) for w in d]
        for i, v in enumerate(ids):
            if v < 0:
                continue
            rows += [v, v]
            cols += [
                cs[i - 1] if i > 0 else n_ctx,
                n_ctx + 1 + (cs[i + 1] if i + 1 < len(d) else n_ctx),
            ]
    m = sp.csr_matrix(
        (np.ones(len(rows)), (rows, cols)), shape=(len(vocab), 2 * (n_ctx + 1))
    ).tocoo()
    row_sum = np.asarray(m.tocsr().sum(1)).ravel()
    col_p = np.asarray(m.tocsc().sum(0)).ravel() ** 0.75
    col_p /= col_p.sum()
    pmi = np.log(m.data / row_sum[m.row] / col_p[m.col])
    keep = pmi > 0
    ppmi = sp.csr_matrix((pmi[keep], (m.row[keep], m.col[keep])), shape=m.shape)
    v0 = np.full(min(ppmi.shape), 1.0 / np.sqrt(min(ppmi.shape)))
    u, s, _ = svds(ppmi, k=dims, v0=v0)
    emb = u * np.sqrt(s)
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-9
    return vocab, emb


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("-o", "--output", type=Path, required=True)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--contexts", type=int, default=3000)
    ap.add_argument("--dims", type=int, default=64)
    ap.add_argument("--levels", default="64,256,1024")
    ap.add_argument(
        "--all-anercorp", action="store_true", help="include the dev tail (for the shipped model)"
    )
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"data directory not found: {args.data}", file=sys.stderr)
        return 2
    from sklearn.cluster import MiniBatchKMeans

    t0 = time.perf_counter()
    docs = corpus(args.data, args.all_anercorp)
    vocab, emb = embed(docs, args.min_count, args.contexts, args.dims)
    levels = [int(k) for k in args.levels.split(",")]
    labels = [
        MiniBatchKMeans(k, random_state=0, batch_size=4096, n_init=3).fit(emb).labels_
        for k in levels
    ]
    order = sorted(range(len(vocab)), key=vocab.__getitem__)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same clusters give the same bytes
    with open(args.output, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        for i in order:
            gz.write((vocab[i] + "\t" + "\t".join(str(lab[i]) for lab in labels) + "\n").encode())
    n_tok = sum(map(len, docs))
    print(
        f"{len(vocab)} words from {n_tok} tokens, levels {levels}, "
        f"{time.perf_counter() - t0:.1f}s -> {args.output}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

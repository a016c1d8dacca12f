"""Command line: ``khabar`` / ``python -m khabar``.

For now one job: ``khabar demo`` (also the default) shows what khabar does
to the bundled sample article: its topic from the bundled ``topic-ar``
model, normalisation, tokens, n-gram features and entities. The other
subcommands (predict, entities, train, evaluate, info) are not built yet.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from . import (
    HashingVectorizer,
    TextVectorizer,
    __version__,
    entities,
    normalize,
    pretrained,
    sample_article,
    tokenize,
)


def _demo(args: argparse.Namespace) -> int:
    art = sample_article()
    text = art.headline + "\n" + art.body
    out = sys.stdout
    print(f"khabar {__version__} — demo on the bundled sample article\n", file=out)
    print(f"headline : {art.headline}", file=out)
    print(f"body     : {len(art.body)} characters\n", file=out)
    t0 = time.perf_counter()
    topic = pretrained.load("topic-ar")
    proba = topic.predict_proba([text])[0]
    dt = (time.perf_counter() - t0) * 1e3
    ranked = sorted(zip(proba, topic.classes_.tolist(), strict=True), reverse=True)[:3]
    shown = ", ".join(f"{label} {p:.2f}" for p, label in ranked)
    print(f"topic (bundled topic-ar, load + predict {dt:.0f} ms): {shown}\n", file=out)
    norm = normalize(text)
    print("normalised (first 160 chars):", file=out)
    print("  " + norm[:160] + " …\n", file=out)
    toks = tokenize(text, normalizer="arabic")
    print(f"tokens   : {len(toks)} (first 15: {' | '.join(toks[:15])})\n", file=out)
    # Fit on the article's sentences so IDF means something.
    sentences = [s.strip() for s in norm.replace("،", ".").split(".") if len(s.strip()) > 10]
    t0 = time.perf_counter()
    vec = TextVectorizer(analyzer=[("word", (1, 2)), ("char_wb", (2, 5))], stop_words="arabic")
    X = vec.fit_transform(sentences)
    dt = (time.perf_counter() - t0) * 1e3
    print(
        f"TextVectorizer word(1,2)+char_wb(2,5): {X.shape[0]} sentences x {X.shape[1]} "
        f"features, {X.nnz} non-zeros, {dt:.1f} ms",
        file=out,
    )
    Xa = vec.transform([text])
    names = vec.get_feature_names_out()
    row = Xa.getrow(0)
    top = sorted(zip(row.data, row.indices, strict=True), reverse=True)
    words = [(w, names[i]) for w, i in top if names[i].startswith("word:")][: args.top]
    print(f"top {len(words)} word features of the whole article (TF-IDF):", file=out)
    for w, name in words:
        print(f"  {w:.3f}  {name[5:]}", file=out)
    H = HashingVectorizer(ngram_range=(1, 2), n_features=2**18).transform([text])
    print(f"\nHashingVectorizer (1,2), 2**18 columns: {H.nnz} non-zeros", file=out)
    t0 = time.perf_counter()
    found = entities(text)
    dt = (time.perf_counter() - t0) * 1e3
    print(f"\nentities ({len(found)} mentions, {dt:.1f} ms), grouped by type:", file=out)
    groups: dict[str, dict[str, int]] = {}
    for e in found:
        key = e.canonical if e.type not in ("DATE", "MONEY", "PERCENT", "NUMBER") else e.surface
        groups.setdefault(e.type, {}).setdefault(key, 0)
        groups[e.type][key] += 1
    for etype in ("PER", "LOC", "ORG", "MISC", "TITLE", "DATE", "MONEY", "PERCENT", "NUMBER"):
        if etype in groups:
            items = sorted(groups[etype].items(), key=lambda kv: (-kv[1], kv[0]))
            shown = "، ".join(f"{name} ×{n}" if n > 1 else name for name, n in items[:8])
            print(f"  {etype:<7} {shown}", file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`khabar demo | head`): not an error for a
        # command line. Point stdout at devnull so the interpreter's final
        # flush does not fail again (the recipe in Python's signal docs).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _main(argv: list[str] | None) -> int:
    parser = argparse.ArgumentParser(
        prog="khabar",
        description="khabar: Arabic-first news text features and classifiers.",
    )
    parser.add_argument("--version", action="version", version=f"khabar {__version__}")
    sub = parser.add_subparsers(dest="command")
    demo = sub.add_parser("demo", help="normalise, tokenise and vectorise the bundled sample")
    demo.add_argument("--top", type=int, default=10, help="how many top features to show")
    args = parser.parse_args(argv)
    if args.command in (None, "demo"):
        if args.command is None:
            args.top = 10
        return _demo(args)
    parser.error(f"unknown command {args.command}")
    return 2


if __name__ == "__main__":
    sys.exit(main())

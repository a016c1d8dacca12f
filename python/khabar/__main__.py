"""Command line: ``khabar`` / ``python -m khabar``.

* ``khabar demo`` (also the default): the bundled sample article's topic
  (bundled ``topic-ar``), the stance of its body towards its headline
  (bundled ``stance-ar``), normalisation, tokens, n-gram features, entities;
* ``khabar predict --model NAME|PATH [FILE|-]``: labels and probabilities
  for plain text (one document per line), JSONL, CSV/TSV or Parquet input,
  streamed in batches, as JSONL (or CSV) on stdout in input order;
* ``khabar entities [FILE|-]``: entity mentions per document, as JSONL;
* ``khabar info MODEL``: what a model file or bundled model holds.

* ``khabar train --task topic|stance|ner --train F [--dev F] -o model.khabar``:
  train with default settings (topic/stance from JSONL/CSV/TSV/Parquet
  records with a label field, NER from CoNLL), report dev scores;
* ``khabar evaluate --model M --data F``: accuracy, macro-F1, per-class F1,
  the FNC score for 4-way stance, the confusion matrix (entity scores for
  taggers).

Bad input (a missing or unreadable file, invalid UTF-8, a missing field, a
corrupt or newer model file) ends the command with one line on stderr,
``khabar COMMAND: error: ...`` naming the file and line where there is one,
and exit status 1; usage errors exit with 2.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import (
    HashingVectorizer,
    TextVectorizer,
    __version__,
    _records,
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
    print(f"topic (bundled topic-ar, load + predict {dt:.0f} ms): {shown}", file=out)
    t0 = time.perf_counter()
    stance = pretrained.load("stance-ar")
    sp = stance.predict_proba([(art.headline, art.body)])[0]
    dt = (time.perf_counter() - t0) * 1e3
    ranked = sorted(zip(sp, stance.classes_.tolist(), strict=True), reverse=True)[:3]
    shown = ", ".join(f"{label} {p:.2f}" for p, label in ranked)
    print(
        f"stance of the body towards the headline (bundled stance-ar, {dt:.0f} ms): {shown}\n",
        file=out,
    )
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


def _load_model(spec: str) -> Any:
    from . import load

    if spec in pretrained.list():
        return pretrained.load(spec)
    path = Path(spec)
    if not path.is_file():
        raise _records.InputError(
            f"--model {spec!r} is neither a bundled model ({', '.join(pretrained.list())}) "
            "nor a model file"
        )
    return load(path)


def _inputs(args: argparse.Namespace, pairs: bool) -> Iterator[list[tuple[Any, Any]]]:
    """Batches of ``(id or None, text or (headline, body))``."""
    fmt = _records.detect_format(args.input, args.input_format)
    if pairs and fmt == "text":
        raise _records.InputError(
            "a stance model needs headline/body pairs: give JSONL, CSV/TSV or Parquet input "
            "with --headline-field and --body-field"
        )
    text_field = args.text_column or args.text_field

    def items() -> Iterator[tuple[Any, Any]]:
        for where, rec in _records.records(args.input, fmt):
            if pairs:
                x: Any = (
                    _records.field(where, rec, args.headline_field),
                    _records.field(where, rec, args.body_field),
                )
            else:
                x = _records.field(where, rec, "text" if fmt == "text" else text_field)
            yield rec.get("id"), x

    return _records.batched(items(), args.batch_size)


def _load_predictor(spec: str) -> Any:
    """A model that predicts (not, say, a saved vectorizer)."""
    model = _load_model(spec)
    if not hasattr(model, "predict"):
        kind = type(model).__name__
        raise _records.InputError(f"{spec} holds a {kind}, which does not predict")
    return model


def _predict(args: argparse.Namespace) -> int:
    from .stance import StanceClassifier

    model = _load_predictor(args.model)
    pairs = isinstance(model, StanceClassifier)
    classes = [str(c) for c in model.classes_]
    out = sys.stdout
    writer = None
    if args.format == "csv":
        writer = csv.writer(out)
        writer.writerow(["id", "label", *[f"proba_{c}" for c in classes]])
    for batch in _inputs(args, pairs):
        ids = [i for i, _ in batch]
        xs = [x for _, x in batch]
        proba = model.predict_proba(xs)
        for i, row in zip(ids, proba, strict=True):
            k = int(row.argmax())
            if writer is not None:
                writer.writerow(["" if i is None else i, classes[k], *[f"{p:.6f}" for p in row]])
                continue
            obj: dict[str, Any] = {} if i is None else {"id": i}
            obj["label"] = classes[k]
            obj["proba"] = {c: round(float(p), 6) for c, p in zip(classes, row, strict=True)}
            out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return 0


def _entities(args: argparse.Namespace) -> int:
    from .entities import EntityRecognizer

    rec = EntityRecognizer(tagger=args.tagger, types=args.types.split(",") if args.types else None)
    for batch in _inputs(args, False):
        found = rec.find_batch([x for _, x in batch])
        for (i, _), mentions in zip(batch, found, strict=True):
            obj: dict[str, Any] = {} if i is None else {"id": i}
            obj["entities"] = [m._asdict() for m in mentions]
            sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    return 0


def _info(args: argparse.Namespace) -> int:
    from . import _core
    from ._base import params_from_json

    if args.model in pretrained.list():
        data = pretrained._bytes(pretrained._MODELS[args.model][0])
        where = f"bundled model {args.model}: {pretrained.describe()[args.model]}"
    else:
        path = Path(args.model)
        if not path.is_file():
            raise _records.InputError(f"no bundled model or file named {args.model!r}")
        data = path.read_bytes()
        where = str(path)
    kind, _core_obj, meta_json, version = _core.load_bytes(data)
    meta = params_from_json(meta_json) if meta_json else {}
    obj = _load_model(args.model)
    print(where)
    print(f"  class        : {meta.get('class', kind)} (core {kind})")
    print(f"  written by   : khabar {version}")
    print(f"  size         : {len(data) / 1e6:.2f} MB")
    classes = getattr(obj, "classes_", None)
    if classes is not None:
        print(f"  labels       : {', '.join(str(c) for c in classes)}")
    params = {k: v for k, v in meta.get("params", {}).items() if v is not None}
    print(f"  parameters   : {json.dumps(params, ensure_ascii=False, default=str)}")
    return 0


def _log(msg: str) -> None:
    print(f"[khabar] {msg}", file=sys.stderr, flush=True)


def _labelled(args: argparse.Namespace, path: str, task: str) -> tuple[list[Any], list[Any]]:
    """``(X, y)`` from a record file: texts (topic) or pairs (stance)."""
    from .datasets import read_conll

    if task == "ner":
        tag_map = {}
        for m in args.tag_map or []:
            old, sep, new = m.partition("=")
            if not sep or not old or not new:
                raise _records.InputError(f"--tag-map {m!r}: expected OLD=NEW, e.g. PERS=PER")
            tag_map[old] = new
        return read_conll(path, tag_map=tag_map)
    fmt = _records.detect_format(path, args.input_format)
    if fmt == "text":
        raise _records.InputError(
            f"{path}: training data needs labels: give JSONL, CSV/TSV or Parquet"
        )
    xs: list[Any] = []
    ys: list[Any] = []
    for where, rec in _records.records(path, fmt):
        if task == "stance":
            xs.append(
                (
                    _records.field(where, rec, args.headline_field),
                    _records.field(where, rec, args.body_field),
                )
            )
        else:
            xs.append(_records.field(where, rec, args.text_column or args.text_field))
        if args.label_field not in rec or rec[args.label_field] in (None, ""):
            raise _records.InputError(f"{where}: no label in field {args.label_field!r}")
        ys.append(rec[args.label_field])
    return xs, ys


def _task_of(model: Any) -> str:
    from .stance import StanceClassifier
    from .tagger import EntityTagger

    if isinstance(model, EntityTagger):
        return "ner"
    return "stance" if isinstance(model, StanceClassifier) else "topic"


def _scores(model: Any, X: list[Any], y: list[Any]) -> None:
    from .metrics import classification_scores, entity_scores, fnc_score

    if _task_of(model) == "ner":
        es = entity_scores(y, model.predict(X))
        for t, v in es.items():
            print(
                f"  {t:<8} P {v['precision']:.4f}  R {v['recall']:.4f}  F1 {v['f1']:.4f}  "
                f"support {int(v['support'])}"
            )
        return
    pred = model.predict(X).tolist()
    labels = [str(c) for c in model.classes_]
    gold = [str(v) for v in y]
    unseen = sorted(set(gold) - set(labels))
    if unseen:
        _log(f"labels not known to the model (always wrong): {unseen}")
    s = classification_scores(gold, [str(p) for p in pred], labels=labels + unseen)
    acc, f1 = s["accuracy"], s["macro_f1"]
    print(f"  examples {len(gold)}   accuracy {acc:.4f}   macro-F1 {f1:.4f}")
    if {"agree", "disagree", "discuss", "unrelated"} <= set(labels):
        print(f"  FNC score {fnc_score(gold, pred):.2f}")
    for c, v in s["per_class"].items():
        prf = f"P {v['precision']:.4f}  R {v['recall']:.4f}  F1 {v['f1']:.4f}"
        print(f"  {c:<20} {prf}  support {int(v['support'])}")
    width = max(len(c) for c in s["labels"])
    print("  confusion (rows: true, columns: predicted):")
    print("  " + " " * width + "  " + "  ".join(f"{c[:8]:>8}" for c in s["labels"]))
    for c, row in zip(s["labels"], s["confusion"], strict=True):
        print(f"  {c:>{width}}  " + "  ".join(f"{n:>8}" for n in row))


def _train(args: argparse.Namespace) -> int:
    from . import EntityTagger, StanceClassifier, TopicClassifier

    t0 = time.perf_counter()
    X, y = _labelled(args, args.train, args.task)
    _log(f"read {len(X)} training {'sentences' if args.task == 'ner' else 'examples'} "
         f"from {args.train} ({time.perf_counter() - t0:.1f}s)")  # fmt: skip
    model: Any = {"topic": TopicClassifier, "stance": StanceClassifier, "ner": EntityTagger}[
        args.task
    ]()
    t0 = time.perf_counter()
    _log(f"fitting {type(model).__name__} with default settings ...")
    model.fit(X, y)
    _log(f"fitted in {time.perf_counter() - t0:.1f}s")
    model.save(args.output)
    _log(f"saved {args.output} ({Path(args.output).stat().st_size / 1e6:.2f} MB)")
    if args.dev:
        Xd, yd = _labelled(args, args.dev, args.task)
        print(f"dev scores ({args.dev}):")
        _scores(model, Xd, yd)
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    model = _load_predictor(args.model)
    X, y = _labelled(args, args.data, _task_of(model))
    print(f"{args.model} on {args.data}:")
    _scores(model, X, y)
    return 0


def _add_label_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--input-format", choices=_records.FORMATS, help="default: from the extension")
    p.add_argument("--text-field", default="text", help="topic: field with the text")
    p.add_argument("--text-column", help="topic: CSV/TSV column with the text")
    p.add_argument("--label-field", default="label", help="field with the label")
    p.add_argument("--headline-field", default="headline_or_claim", help="stance")
    p.add_argument("--body-field", default="body", help="stance")
    p.add_argument(
        "--tag-map", nargs="*", metavar="OLD=NEW", help="ner: rename entity types, e.g. PERS=PER"
    )


def _add_input_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("input", nargs="?", default="-", help="input file, or - for stdin (default)")
    p.add_argument(
        "--input-format",
        choices=_records.FORMATS,
        help="default: from the file extension (.jsonl .csv .tsv .parquet), else text "
        "(one document per line)",
    )
    p.add_argument("--text-field", default="text", help="JSONL/Parquet field with the text")
    p.add_argument("--text-column", help="CSV/TSV column with the text (default: --text-field)")
    p.add_argument("--batch-size", type=int, default=1000, help="documents per batch")


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
    pred = sub.add_parser(
        "predict",
        help="label documents (or headline/body pairs) with a bundled or saved model",
        description="Label each input record; output one JSON object per record, in input "
        "order, with its 'id' (if the record has one), 'label' and 'proba'.",
    )
    pred.add_argument("--model", required=True, help="bundled model name or model file path")
    _add_input_args(pred)
    pred.add_argument("--headline-field", default="headline_or_claim", help="stance models")
    pred.add_argument("--body-field", default="body", help="stance models")
    pred.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    ents = sub.add_parser("entities", help="entity mentions of each document, as JSONL")
    _add_input_args(ents)
    ents.add_argument("--tagger", help="add a trained tagger's mentions, e.g. ner-ar (GPL-3.0)")
    ents.add_argument("--types", help="comma-separated types to keep, e.g. PER,LOC,ORG")
    info = sub.add_parser("info", help="describe a model file or bundled model")
    info.add_argument("model")
    train = sub.add_parser(
        "train",
        help="train a topic, stance or NER model with default settings",
        description="Train with the defaults chosen on our dev splits; progress on stderr.",
    )
    train.add_argument("--task", choices=("topic", "stance", "ner"), required=True)
    train.add_argument("--train", required=True, help="training file (CoNLL for ner)")
    train.add_argument("--dev", help="optional dev file to score after training")
    train.add_argument("-o", "--output", required=True, help="model file to write")
    _add_label_args(train)
    ev = sub.add_parser("evaluate", help="score a model on labelled data")
    ev.add_argument("--model", required=True, help="bundled model name or model file path")
    ev.add_argument("--data", required=True, help="labelled file (CoNLL for taggers)")
    _add_label_args(ev)
    args = parser.parse_args(argv)
    if args.command in (None, "demo"):
        if args.command is None:
            args.top = 10
        return _demo(args)
    if getattr(args, "batch_size", 1) < 1:
        parser.error("--batch-size must be at least 1")
    jobs = {
        "predict": _predict,
        "entities": _entities,
        "info": _info,
        "train": _train,
        "evaluate": _evaluate,
    }
    try:
        return jobs[args.command](args)
    except (_records.InputError, ValueError, TypeError, OSError, EOFError) as e:
        # bad input, a bad model file, or a file that cannot be read or
        # written (missing, a directory, no permission, a broken .gz): one
        # line naming the problem, no traceback
        print(f"khabar {args.command}: error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

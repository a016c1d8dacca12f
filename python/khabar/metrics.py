"""Evaluation metrics.

Entity-level scores for sequence tagging follow conlleval: a mention is a
maximal run ``B-X I-X ...`` (an ``I-X`` that does not continue a mention
of type ``X`` starts a new one), and it counts as correct only when both its
span and its type match exactly.

>>> from khabar.metrics import entity_spans, entity_scores
>>> entity_spans(["B-PER", "I-PER", "O", "I-LOC"])
[(0, 2, 'PER'), (3, 4, 'LOC')]
>>> s = entity_scores([["B-PER", "I-PER", "O", "B-LOC"]], [["B-PER", "I-PER", "O", "B-ORG"]])
>>> round(s["micro"]["f1"], 3), s["PER"]["f1"], s["LOC"]["recall"]
(0.5, 1.0, 0.0)
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any


def _seq(name: str, v: Any) -> list[Any]:
    """``v`` as a list: a sequence of labels or tag lists, not ``None`` and
    not a bare string (which would be scored character by character)."""
    if v is None or isinstance(v, (str, bytes)):
        what = "None" if v is None else f"a single {type(v).__name__}"
        raise TypeError(f"{name} must be a sequence, not {what}")
    try:
        return list(v.tolist() if hasattr(v, "tolist") else v)
    except TypeError:
        raise TypeError(f"{name} must be a sequence, got {type(v).__name__}") from None


def _labels(name: str, v: Any) -> list[Any]:
    """A sequence of labels, with missing ones (None, NaN) named by position."""
    items = _seq(name, v)
    for i, x in enumerate(items):
        if x is None or (isinstance(x, float) and x != x) or type(x).__name__ == "NAType":
            raise ValueError(f"{name}[{i}] is missing ({x!r}); drop or fill missing labels first")
    return items


def entity_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Mentions ``(start, end, type)`` (token offsets, end exclusive) in an
    IOB2 tag sequence, read the conlleval way.

    Raises ``TypeError`` if ``tags`` is not a sequence of str (a bare str
    included) and ``ValueError`` naming the first tag that is not IOB2.
    """
    out: list[tuple[int, int, str]] = []
    start: int | None = None
    kind = ""
    for i, tag in enumerate([*_seq("tags", tags), "O"]):
        if not isinstance(tag, str):
            raise TypeError(f"tag {i} is {type(tag).__name__}, expected str")
        prefix, _, ty = tag.partition("-")
        if prefix not in ("O", "B", "I") or (prefix != "O" and not ty):
            raise ValueError(f"tag {i} {tag!r} is not an IOB2 tag (O, B-TYPE, I-TYPE)")
        if start is not None and (prefix != "I" or ty != kind):
            out.append((start, i, kind))
            start = None
        if prefix == "B" or (prefix == "I" and start is None):
            start, kind = i, ty
    return out


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f, "support": tp + fn}


def entity_scores(
    y_true: Sequence[Sequence[str]], y_pred: Sequence[Sequence[str]]
) -> dict[str, dict[str, float]]:
    """Entity-level precision, recall, F1 and support (gold mentions) per
    type and ``"micro"`` over all types, for lists of IOB2 tag lists.

    Raises ``ValueError`` when the lists (or any sentence's tags) differ in
    length, naming the sentence, and ``TypeError`` when either is not a list
    of tag lists (e.g. one flat list of tags).
    """
    y_true, y_pred = _seq("y_true", y_true), _seq("y_pred", y_pred)
    for name, sents in (("y_true", y_true), ("y_pred", y_pred)):
        for s, tags in enumerate(sents):
            if tags is None or isinstance(tags, (str, bytes)):
                raise TypeError(
                    f"{name}[{s}] is {type(tags).__name__}; each sentence must be a list of tags"
                )
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} sentences but y_pred has {len(y_pred)}")
    counts: dict[str, list[int]] = {}
    for s, (gold, pred) in enumerate(zip(y_true, y_pred, strict=True)):
        if len(gold) != len(pred):
            raise ValueError(f"sentence {s}: {len(gold)} gold tags but {len(pred)} predicted")
        g = set(entity_spans(gold))
        p = set(entity_spans(pred))
        for span in g | p:
            c = counts.setdefault(span[2], [0, 0, 0])
            if span in g and span in p:
                c[0] += 1
            elif span in p:
                c[1] += 1
            else:
                c[2] += 1
    out: dict[str, Any] = {ty: _prf(*c) for ty, c in sorted(counts.items())}
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    out["micro"] = _prf(*total)
    return out


RELATED = ("agree", "disagree", "discuss")


def fnc_score(y_true: Sequence[str], y_pred: Sequence[str], *, percent: bool = True) -> float:
    """The FNC-1 weighted score: +0.25 for a correct related/unrelated
    decision, and +0.75 more for the correct label when the gold label is
    agree, disagree or discuss. Returned as a percentage of the best
    possible score (``percent=False``: the raw score).

    >>> round(fnc_score(["agree", "unrelated", "discuss"], ["discuss", "unrelated", "discuss"]), 2)
    66.67

    Raises ``TypeError`` unless both are sequences of labels, and
    ``ValueError`` if they differ in length, are empty or miss a label.
    """
    y_true, y_pred = _labels("y_true", y_true), _labels("y_pred", y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}")
    if not len(y_true):
        raise ValueError("fnc_score needs at least one pair")
    score = best = 0.0
    for t, p in zip(y_true, y_pred, strict=True):
        related = t in RELATED
        best += 1.0 if related else 0.25
        if related == (p in RELATED):
            score += 0.25
            if related and t == p:
                score += 0.75
    return 100.0 * score / best if percent else score


def classification_scores(
    y_true: Sequence[Any], y_pred: Sequence[Any], labels: Sequence[Any] | None = None
) -> dict[str, Any]:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the
    confusion matrix (rows: true label, columns: predicted, in ``labels``
    order; default: sorted labels seen in either list).

    >>> s = classification_scores(["a", "b", "b"], ["a", "b", "a"])
    >>> round(s["macro_f1"], 3), s["confusion"]
    (0.667, [[1, 0], [1, 1]])

    Raises ``TypeError`` unless both are sequences of hashable labels, and
    ``ValueError`` if they differ in length, miss a label (``None``, NaN) or
    hold one outside ``labels``.
    """
    y_true, y_pred = _labels("y_true", y_true), _labels("y_pred", y_pred)
    for name, items in (("y_true", y_true), ("y_pred", y_pred)):
        for i, x in enumerate(items):
            if not isinstance(x, Hashable):
                raise TypeError(f"{name}[{i}] is {type(x).__name__}; labels must be hashable")
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}")
    labs = list(labels) if labels is not None else sorted(set(y_true) | set(y_pred), key=str)
    index = {lab: i for i, lab in enumerate(labs)}
    conf = [[0] * len(labs) for _ in labs]
    for t, p in zip(y_true, y_pred, strict=True):
        if t not in index or p not in index:
            raise ValueError(f"label {t if t not in index else p!r} is not in labels {labs}")
        conf[index[t]][index[p]] += 1
    per = {}
    for lab, i in index.items():
        tp = conf[i][i]
        fp = sum(conf[r][i] for r in range(len(labs))) - tp
        fn = sum(conf[i]) - tp
        per[lab] = _prf(tp, fp, fn)
    n = len(y_true)
    return {
        "accuracy": sum(conf[i][i] for i in range(len(labs))) / n if n else 0.0,
        "macro_f1": sum(v["f1"] for v in per.values()) / len(per) if per else 0.0,
        "per_class": per,
        "labels": labs,
        "confusion": conf,
    }

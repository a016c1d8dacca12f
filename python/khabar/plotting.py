"""Figures for notebooks: a confusion matrix and a model's top features,
with Arabic labels drawn readably.

matplotlib does not shape Arabic or lay out right-to-left text, so labels
are prepared before drawing: with ``arabic-reshaper`` and ``python-bidi``
installed (``pip install 'khabar[plot]'``) they are shaped and reordered
properly; without them, Arabic runs are only reversed (right order,
unjoined letters). ``transliterate=True`` draws a Latin transliteration
instead.

>>> from khabar.plotting import confusion_matrix
>>> fig = confusion_matrix(["رياضة", "اقتصاد", "رياضة"], ["رياضة", "رياضة", "رياضة"])
>>> type(fig).__name__
'Figure'
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from .metrics import classification_scores

_ARABIC_RUN = re.compile(
    r"[\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF][\u0600-\u06FF\u0750-\u077F\uFB50-\uFDFF\uFE70-\uFEFF\s]*"
)
#: Buckwalter-style transliteration (one Latin character per Arabic letter)
_TRANSLIT = dict(
    zip(
        "ءآأؤإئابةتثجحخدذرزسشصضطظعغفقكلمنهوىي",
        "'|>&<}AbptvjHxd*rzs$SDTZEgfqklmnhwYy",
        strict=True,
    )
)


def _pyplot() -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError("khabar.plotting needs matplotlib: pip install 'khabar[plot]'") from None
    return plt


def display_text(s: str, *, transliterate: bool = False) -> str:
    """``s`` prepared for matplotlib: Arabic shaped and in visual order (or
    transliterated)."""
    s = str(s)
    if transliterate:
        return "".join(_TRANSLIT.get(c, c) for c in s)
    if not _ARABIC_RUN.search(s):
        return s
    try:
        import arabic_reshaper
        from bidi.algorithm import get_display

        return str(get_display(arabic_reshaper.reshape(s)))
    except ImportError:
        return _ARABIC_RUN.sub(lambda m: m.group(0)[::-1], s)


def confusion_matrix(
    y_true: Sequence[Any],
    y_pred: Sequence[Any],
    *,
    labels: Sequence[Any] | None = None,
    normalize: bool = False,
    transliterate: bool = False,
    ax: Any = None,
) -> Any:
    """A confusion-matrix figure (rows: true labels, columns: predicted);
    ``normalize=True`` shows each row as fractions. Returns the Figure."""
    plt = _pyplot()
    s = classification_scores(list(y_true), list(y_pred), labels=labels)
    m = np.asarray(s["confusion"], dtype=float)
    if normalize:
        m = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    names = [display_text(str(c), transliterate=transliterate) for c in s["labels"]]
    if ax is None:
        size = max(4.0, 0.6 * len(names) + 2)
        fig, ax = plt.subplots(figsize=(size, size))
    else:
        fig = ax.figure
    im = ax.imshow(m, cmap="Blues")
    ax.set_xticks(range(len(names)), names, rotation=45, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    top = m.max() if m.size else 0
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            text = f"{m[i, j]:.2f}" if normalize else f"{int(m[i, j])}"
            color = "white" if m[i, j] > top / 2 else "black"
            ax.text(j, i, text, ha="center", va="center", color=color)
    ax.set_title(f"accuracy {s['accuracy']:.3f}, macro-F1 {s['macro_f1']:.3f}")
    fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig


def top_features(
    model: Any, label: Any, k: int = 20, *, transliterate: bool = False, ax: Any = None
) -> Any:
    """A horizontal bar chart of the ``k`` largest-weight features of
    ``label`` in a fitted :class:`khabar.TopicClassifier`. Returns the Figure."""
    if not hasattr(model, "top_features"):
        raise TypeError(
            f"{type(model).__name__} has no top_features(label, k); use a TopicClassifier"
        )
    plt = _pyplot()
    feats = model.top_features(label, k)
    names = [display_text(f, transliterate=transliterate) for f, _ in feats][::-1]
    weights = [w for _, w in feats][::-1]
    if ax is None:
        fig, ax = plt.subplots(figsize=(6, max(3.0, 0.3 * len(names) + 1)))
    else:
        fig = ax.figure
    ax.barh(range(len(names)), weights, color="#3b75af")
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("weight")
    ax.set_title(f"top features: {display_text(str(label), transliterate=transliterate)}")
    fig.tight_layout()
    return fig

"""Out-of-core training of :class:`khabar.TopicClassifier`.

A corpus larger than memory is read as ``(texts, labels)`` batches, several
times: one pass counts the vocabulary (document frequencies summed across
batches, so it equals an in-memory fit's) and the labels; then each epoch
vectorizes every batch and takes SGD steps on it (``partial_fit``), rows
shuffled within the batch. Memory holds one batch plus the model and the
candidate terms of the vocabulary pass.

The linear model differs from an in-memory fit: SGD instead of the exact
batch solver, with ``alpha = 1 / (C * n_documents)`` (the same objective),
``class_weight="balanced"`` computed from the counting pass, and no
probability calibration (``predict_proba`` needs ``loss="log"`` or
``"modified_huber"``).
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np

from ._base import check_n_jobs
from ._progress import _tqdm, enabled
from .linear_model import LinearClassifier

if TYPE_CHECKING:
    from .pipeline import TopicClassifier

#: SGD epochs when ``max_iter`` is None
DEFAULT_EPOCHS = 5

Batches = Callable[[], Iterator[tuple[Any, Any]]]


def batch_source(source: Any) -> Batches:
    """A function returning a fresh iterator of ``(texts, labels)`` batches:
    from a path (read with :func:`khabar.datasets.iter_batches`, fields
    ``text`` and ``label``), a callable, or a re-iterable collection."""
    if isinstance(source, (str, os.PathLike)):
        from .datasets import iter_batches

        return lambda: iter_batches(source)
    if callable(source):
        return lambda: iter(source())
    if isinstance(source, Iterator):
        raise TypeError(
            "a one-shot iterator of batches can be read only once, but a streamed fit reads "
            "the data 1 + max_iter times; pass a path, a list of batches, or a function that "
            "returns a fresh iterator (e.g. lambda: iter_batches(path, text_field=...))"
        )
    if isinstance(source, Iterable):
        return lambda: iter(source)
    raise TypeError(
        "X must be texts with y, or (with y=None) a path, a function returning (texts, labels) "
        f"batches, or a collection of such batches; got {type(source).__name__}"
    )


def _batches(source: Batches) -> Iterator[tuple[list[Any], list[Any]]]:
    for i, batch in enumerate(source()):
        if not isinstance(batch, tuple) or len(batch) != 2:
            raise TypeError(f"batch {i} is not a (texts, labels) tuple")
        texts, labels = list(batch[0]), list(batch[1])
        if len(texts) != len(labels):
            raise ValueError(f"batch {i} has {len(texts)} texts but {len(labels)} labels")
        yield texts, labels


def _bar(show: bool, total: int | None, desc: str) -> Any:
    return _tqdm()(total=total, desc=desc, unit="doc", leave=False) if show else None


def fit_stream(clf: TopicClassifier, source: Any) -> None:
    """Fit ``clf`` on the batches of ``source`` (see the module docstring)."""
    batches = batch_source(source)
    vec = clf._make_vectorizer()
    counts: Counter[Any] = Counter()
    show = clf.progress is True and enabled(True, 0)
    bar = _bar(show, None, "TopicClassifier.fit: counting")
    for texts, labels in _batches(batches):
        vec.partial_fit(texts)
        counts.update(labels)
        if bar is not None:
            bar.update(len(texts))
    if bar is not None:
        bar.close()
    n, classes = classes_of(counts)
    vec._sync()
    model = LinearClassifier(
        clf.loss,
        solver="sgd",
        alpha=1.0 / (float(clf.C) * n),
        class_weight=class_weight_of(clf.class_weight, counts),
        random_state=clf.random_state,
        n_jobs=clf.n_jobs,
        progress=clf.progress,  # as the in-memory fit's model_ (partial_fit shows no bar)
    )
    rng = np.random.default_rng(_seed(clf.random_state))
    epochs = DEFAULT_EPOCHS if clf.max_iter is None else int(clf.max_iter)
    show = show or (clf.progress is None and enabled(None, n))
    bar = _bar(show, n * epochs, "TopicClassifier.fit: SGD")
    check_n_jobs(clf.n_jobs)
    for _ in range(epochs):
        for texts, labels in _batches(batches):
            order = rng.permutation(len(texts))
            X = vec.transform([texts[i] for i in order])
            model.partial_fit(X, [labels[i] for i in order], classes=classes)
            if bar is not None:
                bar.update(len(texts))
    if bar is not None:
        bar.close()
    clf._install(vec, model)


def classes_of(counts: Counter[Any]) -> tuple[int, np.ndarray]:
    """``(n_documents, sorted classes)`` from label counts gathered over a
    stream or over partitions; errors for no data, a missing label or a
    single class."""
    n = sum(counts.values())
    if n == 0:
        raise ValueError("cannot fit on an empty corpus (0 documents)")
    if None in counts:
        raise ValueError("a label is None; every document needs a label")
    classes = np.unique(np.asarray(list(counts)))
    if len(classes) < 2:
        raise ValueError(f"y has a single class ({classes[0]!r}); a classifier needs at least 2")
    return n, classes


def class_weight_of(class_weight: Any, counts: Counter[Any]) -> Any:
    """``"balanced"`` as the dict an in-memory fit would compute."""
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                f"class_weight must be 'balanced', a dict or None, got {class_weight!r}"
            )
        n, k = sum(counts.values()), len(counts)
        return {c: n / (k * m) for c, m in counts.items()}
    return class_weight


def _seed(random_state: Any) -> int | None:
    if random_state is None or isinstance(random_state, (int, np.integer)):
        return None if random_state is None else int(random_state)
    raise TypeError(f"random_state must be an int or None, got {random_state!r}")

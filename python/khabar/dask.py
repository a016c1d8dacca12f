"""khabar on Dask: predict, featurise and train over partitions.

Needs ``dask[dataframe]`` (``pip install 'khabar[dask]'``); works with the
local schedulers and with ``dask.distributed`` clusters. A fitted model is
put into the graph once (as one key) and shipped to each worker once; khabar
objects pickle as their compact model bytes.

- :func:`predict`, :func:`predict_proba`, :func:`transform`: one call per
  partition (``map_partitions``), results in input order.
- :func:`fit`: trains a :class:`khabar.TopicClassifier` where the data
  lives. The vocabulary is counted per partition and the counts merged, so
  it equals a single-machine fit's; then each partition fits the linear
  model on its rows with the global class weights, and the models are
  combined by **parameter averaging** (weighted by rows). The trade-off:
  the average of per-partition optima is not the optimum on all data; with
  few, large, similarly distributed partitions it stays close (on ANT
  Corpus dev, 2 partitions: see ``tests/test_dask.py`` and the issue
  notes), while many small or label-skewed partitions lose more. Shuffle
  the data first if partitions are sorted by label.

Spark users: see the README's recipe (``mapInPandas``).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from . import _core
from ._classif import check_X, encode_labels, sample_weights
from ._topic_stream import class_weight_of, classes_of
from .feature_extraction import TextVectorizer
from .linear_model import LinearClassifier
from .pipeline import TopicClassifier

try:
    import dask.array as da
    import dask.bag as db
    import dask.dataframe as dd
    import pandas as pd
    from dask.base import compute
    from dask.delayed import delayed
except ImportError as e:  # pragma: no cover - exercised without dask
    raise ImportError("khabar.dask needs dask: pip install 'khabar[dask]'") from e

__all__ = ["fit", "predict", "predict_proba", "transform"]


def _kind(texts: Any) -> str:
    if isinstance(texts, dd.Series):
        return "series"
    if isinstance(texts, db.Bag):
        return "bag"
    if isinstance(texts, dd.DataFrame):
        raise TypeError(
            "texts must be a dask Series (one column), e.g. ddf['text'], not a DataFrame"
        )
    raise TypeError(f"texts must be a dask Series or a dask Bag of str, got {type(texts).__name__}")


def _check_fitted(model: Any) -> None:
    fitted = getattr(model, "__sklearn_is_fitted__", None)
    if fitted is None or not fitted():
        raise ValueError(f"{type(model).__name__} is not fitted; fit it before using khabar.dask")


def _labels(part: pd.Series, model: Any) -> pd.Series:
    return pd.Series(model.predict(list(part)), index=part.index, name=part.name)


def predict(model: Any, texts: Any) -> Any:
    """Labels of ``texts`` (a dask Series or Bag of str) with a fitted
    khabar model (``TopicClassifier``, or anything with ``predict`` on
    texts): a dask Series with the same index (a Bag for a Bag)."""
    kind = _kind(texts)
    _check_fitted(model)
    ref = delayed(model, pure=True)
    if kind == "bag":
        return texts.map_partitions(lambda part, m: list(m.predict(list(part))), ref)
    classes = getattr(model, "classes_", None)
    dtype = np.asarray(classes).dtype if classes is not None else object
    meta = pd.Series([], dtype=dtype, name=texts.name)
    return texts.map_partitions(_labels, ref, meta=meta)


def _proba(part: pd.Series, model: Any, columns: list[str]) -> pd.DataFrame:
    p = model.predict_proba(list(part)) if len(part) else np.zeros((0, len(columns)))
    return pd.DataFrame(p, index=part.index, columns=columns)


def predict_proba(model: Any, texts: Any) -> Any:
    """Class probabilities: a dask DataFrame with one column per class (in
    ``model.classes_`` order, names as str) and the index of ``texts`` (a
    Bag of arrays for a Bag)."""
    kind = _kind(texts)
    _check_fitted(model)
    ref = delayed(model, pure=True)
    if kind == "bag":
        return texts.map_partitions(lambda part, m: list(m.predict_proba(list(part))), ref)
    columns = [str(c) for c in model.classes_]
    meta = pd.DataFrame({c: pd.Series([], dtype="float64") for c in columns})
    return texts.map_partitions(_proba, ref, columns, meta=meta)


def transform(vectorizer: Any, texts: Any) -> Any:
    """Feature matrix of ``texts``: a dask array whose blocks are
    ``scipy.sparse.csr_matrix`` (one block of rows per partition; row counts
    are unknown until computed, as with any dask array built from
    partitions)."""
    import scipy.sparse as sp

    kind = _kind(texts)
    if not getattr(vectorizer, "__sklearn_is_fitted__", lambda: True)():
        raise ValueError(f"{type(vectorizer).__name__} is not fitted")
    n = _n_features(vectorizer)
    ref = delayed(vectorizer, pure=True)
    parts = texts.to_delayed()
    blocks = [
        da.from_delayed(
            delayed(lambda p, v: v.transform(list(p)))(p, ref),
            shape=(np.nan, n),
            dtype=np.float64,
            meta=sp.csr_matrix((0, n)),
        )
        for p in parts
    ]
    if kind == "bag" and not blocks:  # pragma: no cover - empty bag
        return da.zeros((0, n))
    return da.concatenate(blocks, axis=0, allow_unknown_chunksizes=True)


def _n_features(vectorizer: Any) -> int:
    n = getattr(vectorizer, "n_features_out_", None)
    if n is None:
        n = getattr(vectorizer, "n_features", None)
    if not isinstance(n, (int, np.integer)):
        raise TypeError(f"{type(vectorizer).__name__} does not say how many features it makes")
    return int(n)


# -- distributed training -------------------------------------------------------
def _count(
    texts: pd.Series, labels: pd.Series, config: dict[str, Any]
) -> tuple[bytes, Counter[Any]]:
    if len(texts) != len(labels):
        raise ValueError(f"a partition has {len(texts)} texts but {len(labels)} labels")
    stream = _core.VocabStreamCore(config)
    stream.update(list(texts))
    return stream.to_bytes(), Counter(labels.tolist())


def _fit_part(
    texts: pd.Series,
    labels: pd.Series,
    vec: TextVectorizer,
    model: LinearClassifier,
    classes: np.ndarray,
    class_weight: Any,
) -> tuple[bytes, int]:
    X = vec.transform(list(texts))
    parts, n_rows, _ = check_X(X)
    _, codes, _ = encode_labels(labels.tolist(), n_rows, classes=classes)
    sw = sample_weights(None, class_weight, classes, codes, False, n_rows)
    core = _core.LinearModelCore.fit(
        model._config(),
        parts,
        codes,
        len(classes),
        sw,
        n_jobs=model.n_jobs,
        probability=bool(model.probability),
    )
    return core.to_bytes(""), n_rows


def fit(estimator: TopicClassifier, texts: Any, labels: Any) -> TopicClassifier:
    """Fit ``estimator`` (a :class:`khabar.TopicClassifier`, unfitted
    parameters) on a dask Series of texts and a dask Series of labels with
    the same partitions (e.g. two columns of one dask DataFrame), where the
    data lives. Returns the fitted estimator. See the module docstring for
    how, and for the accuracy trade-off of parameter averaging."""
    if not isinstance(estimator, TopicClassifier):
        raise TypeError(
            f"estimator must be a khabar.TopicClassifier, got {type(estimator).__name__}"
        )
    if _kind(texts) != "series" or not isinstance(labels, dd.Series):
        raise TypeError("texts and labels must both be dask Series (columns of a dask DataFrame)")
    if texts.npartitions != labels.npartitions:
        raise ValueError(
            f"texts has {texts.npartitions} partitions but labels {labels.npartitions}; "
            "take both from one dask DataFrame"
        )
    t_parts, y_parts = texts.to_delayed(), labels.to_delayed()
    vec = estimator._make_vectorizer()
    config = vec._config()
    pairs = list(zip(t_parts, y_parts, strict=True))
    counted = compute(*[delayed(_count)(t, y, config) for t, y in pairs])
    stream = _core.VocabStreamCore(config)
    totals: Counter[Any] = Counter()
    for blob, counts in counted:
        stream.merge(_core.VocabStreamCore.from_bytes(blob))
        totals.update(counts)
    _, classes = classes_of(totals)
    vec._set_core(stream.finish())
    model = estimator._make_model()
    class_weight = class_weight_of(model.class_weight, totals)  # "balanced": global counts
    vec_ref = delayed(vec, pure=True)
    fitted = compute(
        *[delayed(_fit_part)(t, y, vec_ref, model, classes, class_weight) for t, y in pairs]
    )
    cores, weights = [], []
    for blob, rows in fitted:
        if rows:
            _kind_name, core, _meta, _version = _core.load_bytes(blob)
            cores.append(core)
            weights.append(float(rows))
    avg = _core.LinearModelCore.average(cores, weights)
    model._set_fitted(avg, classes, False)
    return estimator._install(vec, model)

"""Shared machinery of khabar's classifiers: input checks, label encoding,
class weights, and the scikit-learn classifier contract."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

try:  # pragma: no cover - depends on scikit-learn being installed
    from sklearn.exceptions import ConvergenceWarning
except ImportError:  # pragma: no cover

    class ConvergenceWarning(UserWarning):  # type: ignore[no-redef]
        """A solver stopped before reaching its tolerance."""


__all__ = ["ConvergenceWarning"]


class available_if:
    """Expose a method only when ``check(self)`` is true, so that
    ``hasattr(clf, "predict_proba")`` answers honestly (scikit-learn's
    convention; its own helper is private API)."""

    def __init__(self, check: Callable[[Any], bool]) -> None:
        self.check = check

    def __call__(self, fn: Callable[..., Any]) -> Any:
        check = self.check

        class _Descriptor:
            def __set_name__(self, owner: type, name: str) -> None:
                self.name = name

            def __get__(self, obj: Any, owner: type | None = None) -> Any:
                if obj is None:
                    return fn
                if not check(obj):
                    raise AttributeError(
                        f"This {type(obj).__name__} has no {fn.__name__!r}: "
                        f"{getattr(obj, '_unavailable_reason', lambda n: '')(fn.__name__)}"
                    )
                return fn.__get__(obj, owner)

        d = _Descriptor()
        d.__doc__ = fn.__doc__
        return d


def check_X(X: Any, name: str = "X") -> tuple[Any, int, int]:
    """Validate a feature matrix and return ``(parts, n_rows, n_cols)`` where
    ``parts`` is the ``(data, indices, indptr, n_cols)`` tuple the Rust
    core borrows. Accepts scipy sparse matrices/arrays and 2-D numpy arrays
    (bool included); text must go through a vectorizer (or use
    ``TopicClassifier``).

    Raises ``TypeError`` for ``None``, raw text, non-numeric or complex
    values, and ``ValueError`` for anything not 2-dimensional.
    """
    if X is None:
        raise TypeError(f"{name} is None; expected a 2-D feature matrix (scipy sparse or numpy)")
    if isinstance(X, (str, bytes)) or (
        isinstance(X, Sequence) and len(X) > 0 and isinstance(X[0], str)
    ):
        raise TypeError(
            f"{name} looks like raw text; vectorize it first (e.g. khabar.TextVectorizer) "
            "or use khabar.TopicClassifier, which takes texts"
        )
    if not sp.issparse(X):
        arr = np.asarray(X)
        # bool is accepted (binary features), as scikit-learn does
        if arr.dtype == object or not (
            np.issubdtype(arr.dtype, np.number) or arr.dtype == np.bool_
        ):
            raise TypeError(f"{name} must be numeric; got an array of dtype {arr.dtype}")
        if arr.ndim != 2:
            raise ValueError(f"{name} must be 2-dimensional; got shape {arr.shape}")
        X = sp.csr_matrix(arr)
    if X.ndim != 2:
        raise ValueError(f"{name} must be 2-dimensional; got shape {X.shape}")
    if np.issubdtype(X.dtype, np.complexfloating):
        # casting to float would silently drop the imaginary parts
        raise TypeError(f"{name} must be real-valued; got dtype {X.dtype}")
    if X.format != "csr":
        X = X.tocsr()
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    n_rows, n_cols = X.shape
    if n_cols >= 2**31:
        raise ValueError(f"{name} has {n_cols} columns; at most 2**31 - 1 are supported")
    data = np.ascontiguousarray(X.data)
    indices = np.ascontiguousarray(X.indices, dtype=np.int32)
    indptr = np.ascontiguousarray(X.indptr, dtype=np.int64)
    return (data, indices, indptr, int(n_cols)), int(n_rows), int(n_cols)


def _is_missing(v: Any) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    return type(v).__name__ in ("NAType", "NaTType")


def _label_list(y: Any, name: str = "y") -> list[Any]:
    if y is None:
        raise TypeError(f"{name} is None; expected one label per sample")
    if isinstance(y, (str, bytes)):
        raise TypeError(f"{name} must be a sequence of labels, not a single {type(y).__name__}")
    if hasattr(y, "tolist") and getattr(y, "ndim", 1) == 1:
        items = list(y.tolist())
    elif hasattr(y, "ndim") and getattr(y, "ndim", 1) != 1:
        raise ValueError(f"{name} must be 1-dimensional; got shape {getattr(y, 'shape', '?')}")
    else:
        try:
            items = list(y)
        except TypeError:
            raise TypeError(
                f"{name} must be a sequence of labels, got {type(y).__name__}"
            ) from None
    for i, v in enumerate(items):
        if _is_missing(v):
            raise ValueError(f"{name}[{i}] is missing ({v!r}); drop or fill missing labels first")
    return items


def check_truth(y: Any, n_rows: int, name: str = "y") -> list[Any]:
    """The true labels given to ``score``: one per row, none missing.

    Raises ``TypeError`` for ``None`` or a bare string (which would be
    compared character by character) and ``ValueError`` naming the row for a
    missing label or the count for a length mismatch, as ``fit`` does.
    """
    items = _label_list(y, name)
    if len(items) != n_rows:
        raise ValueError(f"X has {n_rows} rows but {name} has {len(items)} labels")
    return items


def check_classes(classes: Any, name: str = "classes") -> list[Any]:
    """The ``classes`` argument of ``partial_fit`` as a list (a bare string
    would otherwise become its characters)."""
    if isinstance(classes, (str, bytes)):
        raise TypeError(
            f"{name} must be a sequence of labels, not a single {type(classes).__name__}; "
            f"e.g. {name}=[{classes!r}, ...]"
        )
    return list(classes.tolist() if hasattr(classes, "tolist") else classes)


def is_multilabel(items: list[Any]) -> bool:
    """A list of label collections (lists, tuples, sets) is multi-label."""
    return bool(items) and all(
        isinstance(v, (list, tuple, set, frozenset, np.ndarray)) for v in items
    )


def _sorted_classes(values: Any) -> np.ndarray:
    try:
        arr = np.asarray(values)
        if arr.dtype == object:
            arr = np.asarray(sorted(values))
        return np.unique(arr)
    except TypeError as e:
        raise TypeError(f"labels must be mutually comparable (all str or all numbers): {e}") from e


def encode_labels(
    y: Any, n_rows: int, classes: np.ndarray | None = None, name: str = "y"
) -> tuple[np.ndarray, Any, bool]:
    """Encode labels to integer codes.

    Returns ``(classes, codes, multilabel)``: ``codes`` is a uint32 array for
    single-label ``y`` or an ``(indptr, labels)`` pair for multi-label ``y``
    (a list of label lists). With ``classes`` given, labels outside it are an
    error that names the row.
    """
    items = _label_list(y, name)
    if len(items) != n_rows:
        raise ValueError(f"X has {n_rows} rows but {name} has {len(items)} labels")
    multilabel = is_multilabel(items)
    if multilabel:
        flat = [lab for row in items for lab in row]
        for i, row in enumerate(items):
            for lab in row:
                if _is_missing(lab):
                    raise ValueError(f"{name}[{i}] contains a missing label ({lab!r})")
        if classes is None:
            if not flat:
                raise ValueError(f"{name} has no labels at all; nothing to learn")
            classes = _sorted_classes(flat)
        index = {c: i for i, c in enumerate(classes.tolist())}
        indptr = np.zeros(len(items) + 1, dtype=np.int64)
        labels: list[int] = []
        for i, row in enumerate(items):
            codes_i = set()
            for lab in row:
                key = lab.item() if isinstance(lab, np.generic) else lab
                if key not in index:
                    raise ValueError(f"{name}[{i}] has label {lab!r}, not among {classes.tolist()}")
                codes_i.add(index[key])
            labels.extend(sorted(codes_i))
            indptr[i + 1] = len(labels)
        return classes, (indptr, np.asarray(labels, dtype=np.uint32)), True
    if classes is None:
        classes = _sorted_classes(items)
    index = {c: i for i, c in enumerate(classes.tolist())}
    codes = np.empty(len(items), dtype=np.uint32)
    for i, v in enumerate(items):
        key = v.item() if isinstance(v, np.generic) else v
        try:
            codes[i] = index[key]
        except (KeyError, TypeError):
            raise ValueError(
                f"{name}[{i}] = {v!r} is not one of the classes {classes.tolist()}"
            ) from None
    return classes, codes, False


def sample_weights(
    sample_weight: Any,
    class_weight: Any,
    classes: np.ndarray,
    codes: Any,
    multilabel: bool,
    n_rows: int,
) -> np.ndarray:
    """Per-row weights: ``sample_weight`` times the row's class weight."""
    if sample_weight is None:
        sw = np.ones(n_rows, dtype=np.float64)
    else:
        sw = np.asarray(sample_weight, dtype=np.float64)
        if sw.ndim == 0:
            sw = np.full(n_rows, float(sw))
        if sw.shape != (n_rows,):
            raise ValueError(f"sample_weight has shape {sw.shape}; expected ({n_rows},)")
        bad = np.flatnonzero(~np.isfinite(sw) | (sw < 0))
        if bad.size:
            raise ValueError(
                f"sample_weight[{bad[0]}] = {sw[bad[0]]} is not a finite non-negative number"
            )
        sw = sw.copy()
    if class_weight is None:
        return sw
    if multilabel:
        raise ValueError("class_weight is not supported with multi-label y; use sample_weight")
    k = len(classes)
    if isinstance(class_weight, str):
        if class_weight != "balanced":
            raise ValueError(
                f"class_weight must be None, 'balanced' or a dict, got {class_weight!r}"
            )
        counts = np.bincount(codes, weights=sw, minlength=k)
        cw = np.where(counts > 0, sw.sum() / (k * np.maximum(counts, 1e-300)), 0.0)
    elif isinstance(class_weight, Mapping):
        index = {c: i for i, c in enumerate(classes.tolist())}
        cw = np.ones(k)
        for label, w in class_weight.items():
            if label not in index:
                raise ValueError(
                    f"class_weight has label {label!r}, which is not among {classes.tolist()}"
                )
            if not isinstance(w, numbers.Real) or not math.isfinite(w) or w < 0:
                raise ValueError(f"class_weight[{label!r}] = {w!r} must be a non-negative number")
            cw[index[label]] = float(w)
    else:
        raise TypeError(
            f"class_weight must be None, 'balanced' or a dict, not {type(class_weight).__name__}"
        )
    return cast("np.ndarray", sw * cw[codes])


def warn_convergence(name: str, n_iter: int) -> None:
    warnings.warn(
        f"{name} did not converge in {n_iter} iterations; increase max_iter or tol, or "
        "scale the features",
        ConvergenceWarning,
        stacklevel=3,
    )


def labels_to_json(classes: np.ndarray) -> list[Any]:
    return [c.item() if isinstance(c, np.generic) else c for c in classes.tolist()]


def labels_from_json(values: list[Any]) -> np.ndarray:
    return np.asarray(values)

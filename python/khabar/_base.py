"""Shared machinery of khabar's estimators.

scikit-learn stays optional: when it is installed, estimators inherit from
``sklearn.base.BaseEstimator`` (HTML repr, tags, ``clone``, ``Pipeline`` and
``GridSearchCV`` integration); without it, a small stand-in supplies
``get_params``/``set_params`` and a readable ``repr``.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable
from typing import Any, cast

import numpy as np
import scipy.sparse as sp

from . import _core

__all__ = [
    "HAVE_SKLEARN",
    "ModelFormatError",
    "NotFittedError",
    "_SkBase",
    "_SkTransformerMixin",
    "as_text_list",
    "check_n_jobs",
    "csr_from_parts",
    "params_from_json",
    "params_to_json",
]

try:  # pragma: no cover - exercised in environments without scikit-learn
    from sklearn.base import BaseEstimator as _SkBase
    from sklearn.base import TransformerMixin as _SkTransformerMixin

    HAVE_SKLEARN = True
except ImportError:  # pragma: no cover
    HAVE_SKLEARN = False

    class _SkBase:  # type: ignore[no-redef]
        """Minimal stand-in for ``sklearn.base.BaseEstimator``."""

        @classmethod
        def _get_param_names(cls) -> list[str]:
            sig = inspect.signature(cls.__init__)
            return sorted(
                p.name
                for p in sig.parameters.values()
                if p.name != "self" and p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)
            )

        def get_params(self, deep: bool = True) -> dict[str, Any]:
            return {k: getattr(self, k) for k in self._get_param_names()}

        def set_params(self, **params: Any) -> Any:
            valid = self._get_param_names()
            for k, v in params.items():
                if k not in valid:
                    raise ValueError(
                        f"invalid parameter {k!r} for {type(self).__name__}; valid: {valid}"
                    )
                setattr(self, k, v)
            return self

        def __repr__(self) -> str:
            args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
            return f"{type(self).__name__}({args})"

    class _SkTransformerMixin:  # type: ignore[no-redef]
        def fit_transform(self, X: Any, y: Any = None, **fit_params: Any) -> Any:
            return self.fit(X, y, **fit_params).transform(X)  # type: ignore[attr-defined]


ModelFormatError = _core.ModelFormatError

try:  # pragma: no cover - depends on scikit-learn being installed
    from sklearn.exceptions import NotFittedError as _SkNotFittedError
except ImportError:  # pragma: no cover

    class _SkNotFittedError(ValueError, AttributeError):  # type: ignore[no-redef]
        pass


class NotFittedError(_SkNotFittedError):
    """An estimator was used before ``fit``.

    Subclasses ``ValueError`` and ``AttributeError`` (and scikit-learn's
    ``NotFittedError`` when it is installed), so ``hasattr(est, "vocabulary_")``
    is ``False`` on an unfitted vectorizer, as in scikit-learn.
    """


def as_text_list(X: Any, name: str = "raw_documents") -> list[Any]:
    """Turn any supported collection of documents into a Python list.

    Accepts lists, tuples, 1-D numpy arrays, pandas Series (including
    Arrow-backed strings), pyarrow arrays and any other iterable. A bare
    ``str``/``bytes`` is rejected, as scikit-learn does, because iterating it
    would treat every character as a document. Element types are checked in
    Rust, which names the offending row.
    """
    if isinstance(X, (str, bytes, bytearray)):
        raise TypeError(
            f"{name} must be an iterable of str (one document each), not a single "
            f"{type(X).__name__}; wrap it in a list: [text]"
        )
    if X is None:
        raise TypeError(f"{name} must be an iterable of str, not None")
    if isinstance(X, list):
        return X
    if isinstance(X, np.ndarray):
        if X.ndim != 1:
            raise ValueError(f"{name} must be 1-dimensional, got an array of shape {X.shape}")
        return cast("list[Any]", X.tolist())
    mod = type(X).__module__ or ""
    if mod.startswith("pandas") and hasattr(X, "ndim"):  # a Series or DataFrame, not pd.NA
        if getattr(X, "ndim", 1) != 1:
            raise ValueError(
                f"{name} must be a 1-D collection of texts; got a DataFrame with "
                f"{X.shape[1]} columns: select one column, e.g. df['text']"
            )
        return list(X.tolist())
    if mod.startswith("pyarrow") and hasattr(X, "to_pylist"):
        return list(X.to_pylist())
    if not isinstance(X, Iterable):
        raise TypeError(f"{name} must be an iterable of str, not {type(X).__name__}")
    return list(X)


def check_n_jobs(n_jobs: Any) -> int | None:
    """Validate ``n_jobs`` (None or a non-zero int)."""
    if n_jobs is None:
        return None
    if isinstance(n_jobs, bool) or not isinstance(n_jobs, (int, np.integer)):
        raise TypeError(f"n_jobs must be an int or None, got {type(n_jobs).__name__}")
    if int(n_jobs) == 0:
        raise ValueError("n_jobs=0 is not valid; use a positive count, -1 for all cores, or None")
    if not -(2**31) <= int(n_jobs) < 2**31:
        raise ValueError(f"n_jobs={n_jobs} is out of range; use a thread count, -1 or None")
    return int(n_jobs)


def csr_from_parts(parts: tuple[Any, Any, Any, tuple[int, int]]) -> sp.csr_matrix:
    """Wrap arrays built in Rust into a ``csr_matrix`` without copying."""
    data, indices, indptr, shape = parts
    # indices/indptr already share the dtype scipy would pick (int32 while
    # it fits), so scipy keeps these arrays instead of copying them.
    m = sp.csr_matrix((data, indices, indptr), shape=shape, copy=False)
    m.has_sorted_indices = True
    return m


def _tag_tuples(o: Any) -> Any:
    """JSON has no tuples; tag them so parameters load back unchanged."""
    if isinstance(o, tuple):
        return {"__tuple__": [_tag_tuples(v) for v in o]}
    if isinstance(o, list):
        return [_tag_tuples(v) for v in o]
    if isinstance(o, dict):
        return {k: _tag_tuples(v) for k, v in o.items()}
    return o


def params_to_json(params: dict[str, Any]) -> str:
    """Serialise estimator parameters for a model file's metadata.

    Tuples, numpy dtypes and ``Normalizer`` objects round-trip exactly;
    arrays and other sequences (``np.ndarray``, ``pd.Index``) are stored as
    lists.
    """

    def default(o: Any) -> Any:
        if hasattr(o, "_to_json_param"):
            return o._to_json_param()
        if isinstance(o, type) and issubclass(o, np.generic):
            return {"__dtype__": np.dtype(o).name}
        if isinstance(o, np.dtype):
            return {"__dtype__": o.name}
        if isinstance(o, (set, frozenset)):
            return sorted(o)
        if isinstance(o, np.integer):
            return int(o)
        if isinstance(o, np.floating):
            return float(o)
        if isinstance(o, np.bool_):
            return bool(o)
        if hasattr(o, "tolist"):
            return _tag_tuples(o.tolist())
        raise TypeError(
            f"parameter value {o!r} of type {type(o).__name__} cannot be saved in a model file"
        )

    return json.dumps(_tag_tuples(params), default=default, ensure_ascii=False, sort_keys=True)


def params_from_json(text: str) -> dict[str, Any]:
    """Inverse of :func:`params_to_json`."""

    def hook(d: dict[str, Any]) -> Any:
        if set(d) == {"__tuple__"}:
            return tuple(d["__tuple__"])
        if set(d) == {"__dtype__"}:
            return np.dtype(d["__dtype__"]).type
        if set(d) == {"__normalizer__"}:
            from .preprocessing import Normalizer

            return Normalizer(**d["__normalizer__"])
        return d

    out: dict[str, Any] = json.loads(text, object_hook=hook) if text else {}
    return out

"""Saving and loading fitted khabar objects.

Every fitted object is written in khabar's model format (magic bytes, format
version, payload length, CRC-32 checksum, serde payload; see ``src/io.rs``).
Pickling uses the same bytes, so ``joblib``, ``multiprocessing`` and Dask
ship small, fast, code-free payloads. Loading never executes code: a
truncated, corrupted, foreign or newer-version file raises
:class:`khabar.ModelFormatError`.
"""

from __future__ import annotations

import html
import os
from pathlib import Path
from typing import Any

from . import _core
from ._base import ModelFormatError, NotFittedError, params_from_json, params_to_json

_REGISTRY: dict[str, type] = {}
# cores rebuilt from parameters alone (the estimator re-creates them)
_STATELESS = frozenset({"Normalizer", "HashingVectorizer"})


#: parameters that only say how to run, never what is learnt: left out of
#: model files so that the same model gives the same bytes
_RUNTIME_PARAMS = frozenset({"n_jobs", "progress"})


class PersistMixin:
    """``save``/``to_bytes``/``from_bytes`` and pickling through model bytes."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    #: appended to the "not fitted" error message
    _fit_hint = "call fit first"

    def _fitted(self) -> Any:
        """The fitted core, or :class:`NotFittedError`."""
        core = self.__dict__.get("_core_")
        if core is None:
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; {self._fit_hint}")
        return core

    def _repr_html_(self) -> str:
        """A small table for notebooks: type, fitted state, labels, feature
        count, normaliser and model size."""
        rows: list[tuple[str, str]] = [("model", type(self).__name__)]
        if self.__dict__.get("_core_") is None:
            rows.append(("state", "not fitted"))
        else:
            classes = getattr(self, "classes_", None)
            if classes is not None:
                shown = [str(c) for c in list(classes)[:12]]
                more = f" … ({len(classes)} in all)" if len(classes) > 12 else ""
                rows.append(("labels", ", ".join(shown) + more))
            for attr in ("n_features_in_", "n_features_"):
                n = getattr(self, attr, None)
                if isinstance(n, int):
                    rows.append(("features", f"{n:,}"))
                    break
            rows.append(("size", f"{len(self.to_bytes()) / 1e6:.2f} MB"))
        norm = getattr(self, "normalizer", None)
        if norm is not None:
            rows.append(("normaliser", str(norm)))
        body = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in rows
        )
        return f"<table>{body}</table>"

    def _persist_core(self) -> Any:
        """The Rust object holding the state, or ``None`` when unfitted."""
        return self.__dict__.get("_core_")

    def _set_core(self, core: Any) -> None:
        self._core_ = core

    def _persist_state(self) -> dict[str, Any] | None:
        """Fitted Python-side state (e.g. ``classes_``) as JSON-able data."""
        return None

    def _restore_state(self, state: dict[str, Any]) -> None:
        """Inverse of :meth:`_persist_state`."""

    def to_bytes(self) -> bytes:
        """The fitted object in khabar's model format.

        Run-time settings that cannot change the model (``n_jobs``,
        ``progress``) are not stored: a model fitted with ``n_jobs=1`` or
        ``n_jobs=2`` gives the same bytes, and a loaded model takes their
        defaults. (Pickling keeps them.)"""
        core = self._persist_core()
        if core is None:
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; nothing to save")
        params = {
            k: v
            for k, v in self.get_params(deep=False).items()  # type: ignore[attr-defined]
            if k not in _RUNTIME_PARAMS
        }
        meta = {"class": type(self).__name__, "params": params}
        state = self._persist_state()
        if state is not None:
            meta["state"] = state
        return bytes(core.to_bytes(params_to_json(meta)))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the fitted object to ``path`` (atomically: temp file + rename)."""
        data = self.to_bytes()
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)

    @classmethod
    def from_bytes(cls, data: bytes) -> Any:
        """Rebuild an object from :meth:`to_bytes` output."""
        obj = loads(data)
        if not isinstance(obj, cls):
            raise ModelFormatError(f"the data holds a {type(obj).__name__}, not a {cls.__name__}")
        return obj

    def __getstate__(self) -> dict[str, Any]:
        state: dict[str, Any] = {"params": self.get_params(deep=False)}  # type: ignore[attr-defined]
        core = self.__dict__.get("_core_")
        if core is not None:
            state["model"] = bytes(core.to_bytes(""))
            extra = self._persist_state()
            if extra is not None:
                state["state"] = extra
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state["params"])
        if "model" in state:
            _kind, core, _meta, _version = _core.load_bytes(state["model"])
            self._set_core(core)
            if "state" in state:
                self._restore_state(state["state"])


def loads(data: bytes) -> Any:
    """Rebuild a fitted khabar object from model bytes.

    Raises
    ------
    TypeError
        If ``data`` is not bytes-like.
    khabar.ModelFormatError
        If the bytes are not a valid khabar model (empty, truncated,
        corrupted, wrong magic bytes, written by a newer khabar, or with
        metadata that does not fit the model).
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes (a model file's content), got {type(data).__name__}")
    kind, core, meta_json, _version = _core.load_bytes(bytes(data))
    try:
        meta = params_from_json(meta_json)
        cls = _REGISTRY[meta["class"]]
        params = meta["params"]
        obj = cls(**params)
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        raise ModelFormatError(f"the model's metadata is invalid: {e!r}") from e
    expected = getattr(cls, "_core_kind", kind)
    if kind != expected:
        raise ModelFormatError(
            f"the model data holds a {kind} core, but its metadata names a {cls.__name__}"
        )
    if kind in _STATELESS:
        # rebuilt from the parameters alone: check them now, so a damaged
        # parameter fails here rather than at the first transform
        try:
            obj.fit()
        except (ValueError, TypeError) as e:
            raise ModelFormatError(f"the model's parameters are invalid: {e}") from e
    else:
        try:
            obj._set_core(core)
        except (ValueError, KeyError, TypeError) as e:
            raise ModelFormatError(f"the model's parts do not fit together: {e}") from e
    has_state = type(obj)._persist_state is not PersistMixin._persist_state
    if has_state and "state" not in meta:
        # without it the object would lack classes_ and fail on first use
        raise ModelFormatError(f"the model's metadata has no fitted state for a {cls.__name__}")
    if "state" in meta:
        try:
            obj._restore_state(meta["state"])
        except (ValueError, KeyError, TypeError, AttributeError) as e:
            raise ModelFormatError(f"the model's fitted state is invalid: {e!r}") from e
    return obj


def load(path: str | os.PathLike[str]) -> Any:
    """Load a model file written by ``save``.

    Raises
    ------
    TypeError
        If ``path`` is not a str or path-like object.
    FileNotFoundError
        If there is no file at ``path`` (it does not exist or is a directory).
    khabar.ModelFormatError
        If the file is not a valid khabar model (truncated, corrupted, wrong
        magic bytes, or written by a newer khabar).

    Examples
    --------
    >>> import khabar as kb, tempfile, os
    >>> vec = kb.TextVectorizer().fit(["بغداد", "طهران"])
    >>> path = os.path.join(tempfile.mkdtemp(), "vec.khabar")
    >>> vec.save(path)
    >>> kb.load(path).get_feature_names_out().tolist()
    ['بغداد', 'طهران']
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    if str(path) == "":
        raise FileNotFoundError("path is empty; give the model file's path")
    p = Path(path)
    # is_file() is False for a directory, an empty or NUL-containing name
    # and one that cannot be encoded, which would otherwise each raise a
    # different error (IsADirectoryError, ValueError, UnicodeEncodeError)
    if not p.is_file():
        what = "is a directory, not a model file" if p.is_dir() else "does not exist"
        raise FileNotFoundError(f"model file {str(path)!r} {what}")
    return loads(p.read_bytes())

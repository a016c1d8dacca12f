"""Chunked processing of document streams with bounded memory.

Estimators accept documents as in-memory collections (lists, tuples, numpy
arrays, pandas Series, pyarrow arrays) or as any other iterable, e.g. a
generator reading a file. In-memory collections go to the Rust core in one
call (fastest: the core parallelises inside it). Any other iterable is
consumed in chunks of ``batch_size`` documents, so it is never held in
memory as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, TypeVar

import numpy as np

from ._base import as_text_list

#: documents per chunk when an iterable is streamed
BATCH_SIZE = 10_000

T = TypeVar("T")

_ROW = re.compile(r"^(\w+)\[(\d+)\]")


def check_batch_size(batch_size: Any) -> int:
    """``batch_size`` as a positive int (``None``: :data:`BATCH_SIZE`)."""
    if batch_size is None:
        return BATCH_SIZE
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f"batch_size must be a positive int or None, got {batch_size!r}")
    if batch_size < 1:
        raise ValueError(f"batch_size={batch_size} must be at least 1")
    return int(batch_size)


def in_memory(X: Any) -> bool:
    """Whether ``X`` is a collection already in memory (sized and sliceable)
    rather than a stream to be consumed once."""
    if isinstance(X, (list, tuple, np.ndarray)):
        return True
    mod = type(X).__module__ or ""
    return mod.startswith(("pandas", "pyarrow")) or _arrow_strings(X) is not None


def _arrow_strings(X: Any) -> Any:
    """``X`` as an object the core reads through the Arrow PyCapsule
    interface without creating Python strings, or ``None``."""
    if isinstance(X, (list, tuple, np.ndarray)):
        return None
    mod = type(X).__module__ or ""
    if mod.startswith("pandas"):
        if getattr(X, "ndim", 1) != 1:
            return None
        dtype = getattr(X, "dtype", None)
        arrow_backed = getattr(dtype, "storage", None) == "pyarrow" or (
            type(dtype).__name__ == "ArrowDtype"
        )
        arr: Any = getattr(X, "array", None)
        if arrow_backed and hasattr(arr, "__arrow_array__"):
            return arr.__arrow_array__()  # the ChunkedArray, not a copy
        return None
    if hasattr(X, "__arrow_c_stream__") or hasattr(X, "__arrow_c_array__"):
        return X
    return None


def text_docs(X: Any, name: str) -> Any:
    """An in-memory collection of documents as the core takes it: an Arrow
    string array read in place (pyarrow arrays, Arrow-backed pandas Series,
    anything with ``__arrow_c_stream__``/``__arrow_c_array__``), else a
    list of str."""
    arrow = _arrow_strings(X)
    return arrow if arrow is not None else as_text_list(X, name)


def text_chunks(X: Any, name: str, batch_size: int) -> Iterator[Any]:
    """``X`` as lists of at most ``batch_size`` documents (an in-memory
    collection: whole, see :func:`text_docs`)."""
    if X is None or isinstance(X, (str, bytes, bytearray)) or in_memory(X):
        yield text_docs(X, name)
        return
    if not isinstance(X, Iterable):
        raise TypeError(f"{name} must be an iterable of str, not {type(X).__name__}")
    it = iter(X)
    while chunk := list(islice(it, batch_size)):
        yield chunk


def shift_rows(err: Exception, offset: int) -> Exception:
    """The same error with a row index ``name[i]`` at the start of its
    message moved by ``offset`` (errors from a chunk name rows of the whole
    input)."""
    msg = str(err)
    m = _ROW.match(msg)
    if not offset or m is None:
        return err
    return type(err)(f"{m.group(1)}[{int(m.group(2)) + offset}]{msg[m.end() :]}")


def map_chunks(fn: Callable[[list[Any]], T], X: Any, name: str, batch_size: Any) -> list[T]:
    """``fn`` over the chunks of ``X`` (at least one call, so an empty input
    gives an empty result of the right shape); error messages name rows of
    the whole input."""
    out: list[T] = []
    offset = 0
    for chunk in text_chunks(X, name, check_batch_size(batch_size)):
        try:
            out.append(fn(chunk))
        except (TypeError, ValueError) as e:
            raise shift_rows(e, offset) from None
        offset += len(chunk)
    if not out:
        out.append(fn([]))
    return out

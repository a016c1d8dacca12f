"""Vectorizer parameters checked and turned into the Rust core's config:
analyzers and n-gram ranges, stop words, dtype, norm and the tokenizer
flags shared by :class:`khabar.TextVectorizer` and
:class:`khabar.HashingVectorizer`. Errors name the parameter.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from . import _core
from .preprocessing import _normalizer_config

_ANALYZERS = ("word", "char", "char_wb")


def _check_range(value: Any, name: str = "ngram_range") -> tuple[int, int]:
    ok = (
        isinstance(value, (tuple, list))
        and len(value) == 2
        and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in value)
    )
    if not ok:
        raise ValueError(f"{name} must be a (min_n, max_n) pair of ints, got {value!r}")
    lo, hi = int(value[0]), int(value[1])
    if lo < 1 or hi < lo or hi > 64:  # 64: the core's MAX_NGRAM
        raise ValueError(f"{name}={value!r} is invalid; need 1 <= min_n <= max_n <= 64")
    return lo, hi


def _analyzer_specs(analyzer: Any, ngram_range: Any) -> list[tuple[str, int, int]]:
    """Resolve ``analyzer`` (a name, or a list of names / (name, range)
    pairs) into (kind, min_n, max_n) triples."""
    if isinstance(analyzer, str):
        items: list[Any] = [analyzer]
    elif isinstance(analyzer, (list, tuple)) and analyzer:
        items = list(analyzer)
    else:
        raise ValueError(
            "analyzer must be 'word', 'char', 'char_wb' or a non-empty list of them "
            f"(optionally as (name, ngram_range) pairs), got {analyzer!r}"
        )
    specs = []
    for item in items:
        if isinstance(item, str):
            name, rng = item, ngram_range
        elif isinstance(item, (tuple, list)) and len(item) == 2 and isinstance(item[0], str):
            name, rng = item[0], item[1]
        else:
            raise ValueError(f"invalid analyzer entry {item!r}; use 'word' or ('word', (1, 2))")
        if name not in _ANALYZERS:
            raise ValueError(f"unknown analyzer {name!r}; expected one of {_ANALYZERS}")
        lo, hi = _check_range(rng)
        specs.append((name, lo, hi))
    return specs


def _stop_words(stop_words: Any) -> list[str] | None:
    if stop_words is None:
        return None
    if isinstance(stop_words, str):
        if stop_words not in ("arabic", "english"):
            raise ValueError(
                f"unknown stop_words {stop_words!r}; expected 'arabic', 'english', "
                "a list of words or None"
            )
        return list(_core.stop_words(stop_words))
    words = list(stop_words)
    bad = [w for w in words if not isinstance(w, str)]
    if bad:
        raise TypeError(f"stop_words must contain only str, found {bad[0]!r}")
    return words


def _dtype_name(dtype: Any) -> str:
    try:
        name = np.dtype(dtype).name
    except TypeError as e:
        raise ValueError(f"dtype must be numpy.float32 or numpy.float64, got {dtype!r}") from e
    if name not in ("float32", "float64"):
        raise ValueError(f"dtype must be numpy.float32 or numpy.float64, got {dtype!r}")
    return cast("str", name)


def _norm(norm: Any) -> str | None:
    if norm not in ("l1", "l2", None):
        raise ValueError(f"norm must be 'l1', 'l2' or None, got {norm!r}")
    return cast("str | None", norm)


def _common_config(est: Any) -> dict[str, Any]:
    for flag in ("keep_punct", "split_hashtags", "segment_clitics", "binary"):
        if not isinstance(getattr(est, flag), (bool, np.bool_)):
            raise TypeError(f"{flag} must be a bool, got {getattr(est, flag)!r}")
    return {
        "analyzers": _analyzer_specs(est.analyzer, est.ngram_range),
        "normalizer": _normalizer_config(est.normalizer),
        "keep_punct": bool(est.keep_punct),
        "split_hashtags": bool(est.split_hashtags),
        "segment_clitics": bool(est.segment_clitics),
        "stop_words": _stop_words(est.stop_words),
        "binary": bool(est.binary),
        "norm": _norm(est.norm),
        "dtype": _dtype_name(est.dtype),
    }

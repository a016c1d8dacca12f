"""How :class:`khabar.StanceClassifier` turns pairs into its design matrix:
standardised pair features, then the TF-IDF term blocks (some with one
column slot per training target), hstacked in a fixed column order.

A mixin, so the classifier module keeps to the model, persistence and
prediction; the attributes it reads are the classifier's parameters and
fitted parts.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from . import _core
from ._base import check_n_jobs
from ._pairs import _gazetteer
from .feature_extraction import TextVectorizer
from .preprocessing import _normalizer_config

_BLOCKS = ("headline", "body", "body_minus_headline", "headline_minus_body")
#: every term block, in column order; opt-in: ``body_chars`` (character
#: 2-5-grams of the body), ``body_top_sentences`` (words of the 3 body
#: sentences most similar to the headline) and the by-target blocks
_ALL_BLOCKS = (
    *_BLOCKS,
    "body_by_target",
    "body_chars",
    "body_top_sentences",
    "body_chars_by_target",
)
_TOP_K = 3
#: blocks with one copy of their vocabulary per training target (column
#: slot t holds the pairs whose first element is the t-th target)
_BY_TARGET = ("body_by_target", "body_chars_by_target")
_CHARS = ("body_chars", "body_chars_by_target")


class _StanceDesign:
    """The design-matrix half of :class:`khabar.StanceClassifier`."""

    # parameters of the classifier
    normalizer: Any
    max_features: int
    n_jobs: int | None
    term_blocks: tuple[str, ...]
    pair_features: bool
    entities: bool
    max_targets: int
    # fitted parts
    _pf_core: Any
    _vecs: dict[str, TextVectorizer]
    _targets: list[str]
    _mean: np.ndarray
    _scale: np.ndarray

    def _vectorizer(self, block: str) -> TextVectorizer:
        ngrams = (1, 2) if block == "headline" else (1, 1)
        return TextVectorizer(
            progress=False,  # the classifier shows its own bar
            analyzer="char_wb" if block in _CHARS else "word",
            ngram_range=(2, 5) if block in _CHARS else ngrams,
            normalizer=self.normalizer,
            sublinear_tf=True,
            max_features=int(self.max_features),
            dtype=np.float32,
            n_jobs=self.n_jobs,
        )

    # -- features --------------------------------------------------------------
    def _texts(self, heads: list[Any], bodies: list[Any], pf: Any) -> dict[str, list[Any]]:
        texts: dict[str, list[Any]] = {
            "headline": heads,
            "body": bodies,
            "body_chars": bodies,
            "body_by_target": bodies,
            "body_chars_by_target": bodies,
        }
        if any("_minus_" in b for b in self.term_blocks):
            body_only, head_only = pf.diff_texts(heads, bodies, check_n_jobs(self.n_jobs))
            texts["body_minus_headline"] = body_only
            texts["headline_minus_body"] = head_only
        return texts

    def _design(self, heads: list[Any], bodies: list[Any], fit: bool) -> sp.csr_matrix:
        n_jobs = check_n_jobs(self.n_jobs)
        if fit:
            self._pf_core = _core.PairFeaturesCore.fit(
                heads,
                bodies,
                _normalizer_config(self.normalizer),
                _gazetteer(self.entities),
                n_jobs,
            )
        pf = self._pf_core
        blocks: list[Any] = []
        top: list[str] | None = None
        if self.pair_features or "body_top_sentences" in self.term_blocks:
            if "body_top_sentences" in self.term_blocks:
                P, top = pf.transform_with_sentences(heads, bodies, _TOP_K, n_jobs)
            else:
                P = pf.transform(heads, bodies, n_jobs)
            P = np.asarray(P, dtype=np.float32)
        if self.pair_features:
            if fit:
                self._mean = P.mean(axis=0)
                self._scale = P.std(axis=0) + 1e-6
            blocks.append(sp.csr_matrix((P - self._mean) / self._scale))
        texts = self._texts(heads, bodies, pf)
        if top is not None:
            texts["body_top_sentences"] = top
        if fit:
            self._vecs = {}
            by_target = any(b in self.term_blocks for b in _BY_TARGET)
            self._targets: list[str] = self._fit_targets(heads) if by_target else []
        # A by-target block reads the same texts with the same settings as
        # its plain twin ("body", "body_chars"): fit and transform once.
        done: dict[Any, tuple[Any, Any]] = {}
        for b in _ALL_BLOCKS:
            if b not in self.term_blocks or (b in _BY_TARGET and not self._targets):
                continue
            if fit:
                vec = self._vectorizer(b)
                key: tuple[int, Any] = (id(texts[b]), repr(vec.get_params()))
                if key not in done:
                    try:
                        done[key] = (vec, vec.fit_transform(texts[b]))
                    except ValueError:
                        # every text empty (e.g. no headline word ever missing
                        # from its body): the block adds nothing, leave it out
                        continue
                vec, M = done[key]
                self._vecs[b] = vec
            elif b in self._vecs:
                vec = self._vecs[b]
                key = (id(texts[b]), id(vec))
                if key not in done:
                    done[key] = (vec, vec.transform(texts[b]))
                M = done[key][1]
            else:
                continue
            blocks.append(self._by_target(M, heads) if b in _BY_TARGET else M)
        if fit and not any(b in self._vecs for b in _BY_TARGET):
            self._targets = []
        X = sp.hstack(blocks, format="csr", dtype=np.float32)
        if X.shape[1] > np.iinfo(np.int32).max:
            # only reachable with by-target blocks of a huge vocabulary
            raise ValueError(
                f"the design matrix would have {X.shape[1]} columns (over 2**31); "
                "lower max_features or max_targets"
            )
        X.indices = X.indices.astype(np.int32)
        return X

    def _fit_targets(self, heads: list[Any]) -> list[str]:
        """The distinct first elements (targets), sorted, or ``[]`` when
        there are more than ``max_targets`` of them (the block is off)."""
        targets = set(self._check_heads(heads))
        return sorted(targets) if len(targets) <= int(self.max_targets) else []

    @staticmethod
    def _check_heads(heads: list[Any]) -> list[Any]:
        # usually the Rust core has named a non-str headline already; not
        # when only body blocks read the pairs
        for i, h in enumerate(heads):
            if not isinstance(h, str):
                raise TypeError(f"headlines[{i}] is {type(h).__name__}, expected str")
        return heads

    def _by_target(self, M: sp.csr_matrix, heads: list[Any]) -> sp.csr_matrix:
        """``M`` (n x V) moved into the column slot of each row's target:
        n x (V * T), columns ``t * V + j``; a target not seen in training
        gives an empty row."""
        index = {t: i for i, t in enumerate(self._targets)}
        slot = np.asarray(
            [index.get(h, -1) for h in self._check_heads(heads)], dtype=np.int64
        ).reshape(-1)
        M = sp.csr_matrix(M)
        n, V = M.shape
        T = len(self._targets)
        rows = np.repeat(np.arange(n), np.diff(M.indptr))
        t = slot[rows]
        keep = t >= 0
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows[keep], minlength=n), out=indptr[1:])
        indices = M.indices[keep].astype(np.int64) + t[keep] * V
        return sp.csr_matrix((M.data[keep], indices, indptr), shape=(n, V * T))

    @staticmethod
    def _csr_args(X: sp.csr_matrix) -> tuple[Any, Any, Any, int]:
        return (
            np.ascontiguousarray(X.data, dtype=np.float32),
            np.ascontiguousarray(X.indices, dtype=np.int32),
            np.ascontiguousarray(X.indptr, dtype=np.int64),
            X.shape[1],
        )

    def _column_names(self) -> list[tuple[str, str]]:
        """``(block, feature)`` of every design-matrix column."""
        names: list[tuple[str, str]] = []
        if self.pair_features:
            names += [("pair", n) for n in _core.PairFeaturesCore.feature_names()]
        for b, vec in self._vecs.items():
            terms = [str(n) for n in vec.get_feature_names_out()]
            if b in _BY_TARGET:
                names += [(b, f"{n} @ {t}") for t in self._targets for n in terms]
            else:
                names += [(b, n) for n in terms]
        return names

"""TF-IDF and hashing vectorizers with an Arabic-aware Rust core.

``TextVectorizer`` follows scikit-learn's ``TfidfVectorizer`` parameters and
semantics; ``HashingVectorizer`` follows scikit-learn's ``HashingVectorizer``
and uses the same hash. Both normalise text first (``normalizer="arabic"``
by default), tokenise correctly for any script, and release the GIL while
they work.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import scipy.sparse as sp

from . import _core
from ._base import (
    NotFittedError,
    _SkBase,
    _SkTransformerMixin,
    check_n_jobs,
    csr_from_parts,
)
from ._progress import chunked, enabled
from ._stream import in_memory, map_chunks, text_docs
from ._vectorizer_params import _common_config
from .persistence import PersistMixin


def _with_bar(progress: bool | None, docs: Any, transform: Any) -> sp.csr_matrix:
    """``transform(docs)`` as a matrix, in chunks behind a bar when
    ``progress`` asks for one (see :mod:`khabar._progress`)."""
    return _stack([csr_from_parts(p) for p in chunked(progress, docs, transform, "transform")])


def _stack(parts: list[sp.csr_matrix]) -> sp.csr_matrix:
    """Rows of chunked results, one matrix (no copy for a single chunk)."""
    if len(parts) == 1:
        return parts[0]
    m = sp.vstack(parts, format="csr")
    m.has_sorted_indices = True
    return m


class TextVectorizer(PersistMixin, _SkTransformerMixin, _SkBase):
    """Convert texts to a TF-IDF weighted document-term matrix.

    Same parameters and results as scikit-learn's ``TfidfVectorizer`` where
    they overlap, plus Arabic-aware normalisation, a Unicode-correct
    tokenizer, several analyzers in one pass, and parallel fitting. With
    ``normalizer=None`` and ``analyzer="char"``/``"char_wb"`` the vocabulary
    and matrix are exactly scikit-learn's (tested).

    Parameters
    ----------
    analyzer : str or list, default="word"
        ``"word"`` (n-grams of tokens), ``"char"`` (character n-grams over the
        whole text) or ``"char_wb"`` (character n-grams inside words, padded
        with a space). A list combines several into one matrix, each with its
        own vocabulary, IDF and row normalisation (like a ``FeatureUnion``),
        with feature names prefixed ``"word:"``, ``"char_wb:"``. Entries may
        be names or ``(name, ngram_range)`` pairs, e.g.
        ``[("word", (1, 2)), ("char_wb", (2, 5))]``.
    ngram_range : (int, int), default=(1, 1)
        Range of n for analyzers given by name only.
    normalizer : str, dict, Normalizer or None, default="arabic"
        Normalisation applied before analysis (see :class:`khabar.Normalizer`);
        ``None`` or ``"none"`` disables it. Recorded in the fitted model.
    stop_words : {"arabic", "english"}, list of str or None, default=None
        Words removed before word n-grams are built (word analyzer only).
        They are normalised like the text, so «إلى» also removes «الى».
    keep_punct : bool, default=False
        Keep punctuation tokens in word n-grams.
    split_hashtags : bool, default=False
        Replace a hashtag by its words.
    segment_clitics : bool, default=False
        Split Arabic clitics off words before word n-grams.
    min_df, max_df : int or float, default=1 and 1.0
        Ignore terms whose document frequency is below ``min_df`` / above
        ``max_df`` (an int is a count, a float a fraction of documents).
    max_features : int or None, default=None
        Keep only the most frequent terms (per analyzer block); ties keep
        alphabetical order.
    vocabulary : mapping or iterable of str, optional
        A fixed vocabulary (single analyzer only); terms must be given in
        normalised form. Fitting then learns only the IDF.
    binary, use_idf, smooth_idf, sublinear_tf, norm
        As in ``TfidfVectorizer``.
    dtype : numpy.float64 or numpy.float32, default=numpy.float64
    n_jobs : int or None, default=None
        Threads for fit and transform. ``None`` uses ``KHABAR_NUM_THREADS``
        or every core; ``-1`` every core. Results never depend on it.
    progress : bool or None, default=None
        A tqdm bar on stderr while fitting and transforming in chunks of
        5,000 documents (same results): ``None`` shows one for 20,000
        documents or more when tqdm is installed, ``True`` always,
        ``False`` never.

    Attributes
    ----------
    vocabulary_ : dict
        Term -> column (built on first access).
    idf_ : ndarray of shape (n_features,)
        Inverse document frequencies (when ``use_idf``).

    Examples
    --------
    >>> from khabar import TextVectorizer
    >>> docs = ["بومبيو يهدد بإغلاق السفارة", "السفارة الأميركية في بغداد"]
    >>> vec = TextVectorizer(ngram_range=(1, 2))
    >>> X = vec.fit_transform(docs)
    >>> X.shape
    (2, 13)
    >>> vec.get_feature_names_out()[:3].tolist()
    ['الاميركية', 'الاميركية في', 'السفارة']
    """

    def __init__(
        self,
        *,
        analyzer: Any = "word",
        ngram_range: tuple[int, int] = (1, 1),
        normalizer: Any = "arabic",
        stop_words: Any = None,
        keep_punct: bool = False,
        split_hashtags: bool = False,
        segment_clitics: bool = False,
        min_df: float | int = 1,
        max_df: float | int = 1.0,
        max_features: int | None = None,
        vocabulary: Any = None,
        binary: bool = False,
        use_idf: bool = True,
        smooth_idf: bool = True,
        sublinear_tf: bool = False,
        norm: str | None = "l2",
        dtype: Any = np.float64,
        n_jobs: int | None = None,
        progress: bool | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.normalizer = normalizer
        self.stop_words = stop_words
        self.keep_punct = keep_punct
        self.split_hashtags = split_hashtags
        self.segment_clitics = segment_clitics
        self.progress = progress
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.vocabulary = vocabulary
        self.binary = binary
        self.use_idf = use_idf
        self.smooth_idf = smooth_idf
        self.sublinear_tf = sublinear_tf
        self.norm = norm
        self.dtype = dtype
        self.n_jobs = n_jobs

    # -- configuration -------------------------------------------------
    def _config(self) -> dict[str, Any]:
        cfg = _common_config(self)
        for flag in ("use_idf", "smooth_idf", "sublinear_tf"):
            if not isinstance(getattr(self, flag), (bool, np.bool_)):
                raise TypeError(f"{flag} must be a bool, got {getattr(self, flag)!r}")
            cfg[flag] = bool(getattr(self, flag))
        for name in ("min_df", "max_df"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)):
                raise TypeError(f"{name} must be an int or a float, got {v!r}")
            if isinstance(v, (float, np.floating)) and not 0.0 <= float(v) <= 1.0:
                raise ValueError(f"{name}={v!r}: a float must be a fraction in [0.0, 1.0]")
            if isinstance(v, (int, np.integer)) and v < 0:
                raise ValueError(f"{name}={v!r} must not be negative")
            cfg[name] = int(v) if isinstance(v, (int, np.integer)) else float(v)
        mf = self.max_features
        if mf is not None and (
            isinstance(mf, bool) or not isinstance(mf, (int, np.integer)) or mf <= 0
        ):
            raise ValueError(f"max_features must be a positive int or None, got {mf!r}")
        cfg["max_features"] = None if mf is None else int(mf)
        cfg["vocabulary"] = self._vocabulary_pairs(len(cfg["analyzers"]))
        return cfg

    def _vocabulary_pairs(self, n_analyzers: int) -> list[tuple[str, int]] | None:
        voc = self.vocabulary
        if voc is None:
            return None
        if n_analyzers != 1:
            raise ValueError("a fixed vocabulary needs exactly one analyzer")
        if isinstance(voc, Mapping):
            pairs = [(k, int(v)) for k, v in voc.items()]
        elif isinstance(voc, (str, bytes)):
            raise TypeError("vocabulary must be a mapping or an iterable of str, not a single str")
        else:
            terms = list(voc)
            if len(set(terms)) != len(terms):
                dup = next(t for t in terms if terms.count(t) > 1)
                raise ValueError(f"duplicate term in vocabulary: {dup!r}")
            pairs = [(t, i) for i, t in enumerate(terms)]
        if not pairs:
            raise ValueError("empty vocabulary passed to fit")
        bad = [k for k, _ in pairs if not isinstance(k, str)]
        if bad:
            raise TypeError(f"vocabulary terms must be str, found {bad[0]!r}")
        return pairs

    # -- estimator API -------------------------------------------------
    def fit(self, raw_documents: Any, y: Any = None) -> TextVectorizer:
        """Learn the vocabulary and IDF from ``raw_documents``.

        An in-memory collection is fitted in one parallel pass; any other
        iterable (a generator reading a file, say) is streamed in chunks
        of ``10_000`` documents with the same result, holding one chunk
        and the candidate terms in memory."""
        if in_memory(raw_documents):
            self._fit(raw_documents, transform=False)
            return self
        self.__dict__.pop("_stream_", None)
        return self.partial_fit(raw_documents)._sync()

    def partial_fit(self, raw_documents: Any, y: Any = None) -> TextVectorizer:
        """Count one more chunk of documents (any iterable of str).

        Document frequencies are summed across calls, and ``min_df``,
        ``max_df`` and ``max_features`` are applied to the totals when the
        vectorizer is next used, so the vocabulary equals a :meth:`fit` on
        all chunks together. The parameters of the first call are used
        throughout; :meth:`fit` starts over. Memory grows with the number of
        distinct n-grams seen (all are candidates until the end), not with
        the number of documents. Saving or pickling keeps the fitted
        vocabulary, not the running counts."""
        stream = self.__dict__.get("_stream_")
        if stream is None:
            stream = _core.VocabStreamCore(self._config())
            self._stream_ = stream
        n_jobs = check_n_jobs(self.n_jobs)
        map_chunks(lambda d: stream.update(d, n_jobs), raw_documents, "raw_documents", None)
        self._stream_dirty_ = True
        return self

    def _sync(self) -> TextVectorizer:
        """Turn the counts of :meth:`partial_fit` calls into the fitted
        vocabulary (once per batch of calls: pruning sorts every term)."""
        if self.__dict__.pop("_stream_dirty_", False):
            self._set_core(self._stream_.finish(check_n_jobs(self.n_jobs)))
        return self

    def fit_transform(self, raw_documents: Any, y: Any = None) -> sp.csr_matrix:
        """Fit and return the document-term matrix, in one pass."""
        # the output holds every row anyway, so a stream is read into a
        # list (fit then transform would need to read it twice)
        X = self._fit(raw_documents, transform=True)
        assert X is not None
        return X

    def _fit(self, raw_documents: Any, transform: bool) -> sp.csr_matrix | None:
        cfg = self._config()
        docs = text_docs(raw_documents, "raw_documents")
        if len(docs) == 0:
            raise ValueError("cannot fit on an empty corpus (0 documents)")
        n_jobs = check_n_jobs(self.n_jobs)
        self.__dict__.pop("_stream_", None)  # a fit starts over
        self.__dict__.pop("_stream_dirty_", None)
        if enabled(self.progress, len(docs)):
            # counted in chunks behind a bar: the same vocabulary (summed
            # document frequencies), one more pass for the matrix
            stream = _core.VocabStreamCore(cfg)
            chunked(True, docs, lambda d: stream.update(d, n_jobs), "fit: counting")
            self._set_core(stream.finish(n_jobs))
            return self.transform(docs) if transform else None
        core, parts = _core.TextVectorizerCore.fit(cfg, docs, n_jobs, transform)
        self._set_core(core)
        return csr_from_parts(parts) if parts is not None else None

    def _set_core(self, core: Any) -> None:
        self._core_ = core
        self.__dict__.pop("_vocabulary_cache", None)
        self.__dict__.pop("_names_cache", None)
        idf = core.idf()
        if idf is not None:
            self.idf_ = idf
        elif "idf_" in self.__dict__:
            del self.idf_

    def _persist_core(self) -> Any:
        self._sync()
        return self.__dict__.get("_core_")

    def __getstate__(self) -> dict[str, Any]:
        self._sync()
        return super().__getstate__()

    def transform(self, raw_documents: Any, *, batch_size: int | None = None) -> sp.csr_matrix:
        """Document-term matrix of ``raw_documents`` with the fitted vocabulary.

        Any iterable of str works; one that is not an in-memory collection
        is read in chunks of ``batch_size`` documents (default 10,000)."""
        core = self._check_fitted()
        n_jobs = check_n_jobs(self.n_jobs)
        return _stack(
            map_chunks(
                lambda d: _with_bar(self.progress, d, lambda c: core.transform(c, n_jobs)),
                raw_documents,
                "raw_documents",
                batch_size,
            )
        )

    def _check_fitted(self) -> Any:
        self._sync()
        core = self.__dict__.get("_core_")
        if core is None:
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )
        return core

    def __sklearn_is_fitted__(self) -> bool:
        return self.__dict__.get("_core_") is not None or "_stream_dirty_" in self.__dict__

    @property
    def vocabulary_(self) -> dict[str, int]:
        """Term -> column mapping (prefixed names when several analyzers)."""
        core = self._check_fitted()
        cache = self.__dict__.get("_vocabulary_cache")
        if cache is None:
            cache = {t: i for i, t in enumerate(core.feature_names())}
            self.__dict__["_vocabulary_cache"] = cache
        return cache

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        """Feature names (normalised terms), as an object array."""
        core = self._check_fitted()
        names = self.__dict__.get("_names_cache")
        if names is None:
            names = np.asarray(core.feature_names(), dtype=object)
            names.flags.writeable = False
            self.__dict__["_names_cache"] = names
        return names

    @property
    def n_features_out_(self) -> int:
        return int(self._check_fitted().n_features)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


class HashingVectorizer(PersistMixin, _SkTransformerMixin, _SkBase):
    """Stateless feature hashing of texts, compatible with scikit-learn's.

    Uses the same hash as scikit-learn (MurmurHash3 x86_32, seed 0, on the
    UTF-8 bytes of each n-gram), so with ``normalizer=None`` the columns and
    signs equal ``sklearn.feature_extraction.text.HashingVectorizer``'s for
    the same n-grams. No fitting is needed; ``fit`` only validates.

    Parameters
    ----------
    analyzer, ngram_range, normalizer, stop_words, keep_punct, split_hashtags, \
segment_clitics
        As in :class:`TextVectorizer`; several analyzers hash into the one space.
    n_features : int, default=2**20
        Number of columns, ``1 <= n_features <= 2**31 - 1``.
    alternate_sign : bool, default=True
        Give each term a sign from its hash, so collisions cancel on average.
    binary : bool, default=False
        Set every non-zero value to 1 (before normalisation).
    norm : {"l1", "l2"} or None, default="l2"
    dtype : numpy.float64 or numpy.float32
    n_jobs : int or None, default=None
    progress : bool or None, default=None
        A tqdm bar while transforming, as in :class:`TextVectorizer`.

    Examples
    --------
    >>> from khabar import HashingVectorizer
    >>> X = HashingVectorizer(n_features=2**10).transform(["بغداد واشنطن", "طهران"])
    >>> X.shape, X.nnz
    ((2, 1024), 3)
    """

    def __init__(
        self,
        *,
        analyzer: Any = "word",
        ngram_range: tuple[int, int] = (1, 1),
        normalizer: Any = "arabic",
        stop_words: Any = None,
        keep_punct: bool = False,
        split_hashtags: bool = False,
        segment_clitics: bool = False,
        n_features: int = 2**20,
        alternate_sign: bool = True,
        binary: bool = False,
        norm: str | None = "l2",
        dtype: Any = np.float64,
        n_jobs: int | None = None,
        progress: bool | None = None,
    ) -> None:
        self.analyzer = analyzer
        self.ngram_range = ngram_range
        self.normalizer = normalizer
        self.stop_words = stop_words
        self.keep_punct = keep_punct
        self.split_hashtags = split_hashtags
        self.segment_clitics = segment_clitics
        self.progress = progress
        self.n_features = n_features
        self.alternate_sign = alternate_sign
        self.binary = binary
        self.norm = norm
        self.dtype = dtype
        self.n_jobs = n_jobs

    def _config(self) -> dict[str, Any]:
        cfg = _common_config(self)
        nf = self.n_features
        if isinstance(nf, bool) or not isinstance(nf, (int, np.integer)):
            raise TypeError(f"n_features must be an int, got {nf!r}")
        if not 1 <= int(nf) <= 2**31 - 1:
            raise ValueError(f"n_features={nf} is out of range; need 1 <= n_features <= 2**31 - 1")
        if not isinstance(self.alternate_sign, (bool, np.bool_)):
            raise TypeError(f"alternate_sign must be a bool, got {self.alternate_sign!r}")
        cfg["n_features"] = int(nf)
        cfg["alternate_sign"] = bool(self.alternate_sign)
        return cfg

    def _core_obj(self) -> Any:
        cfg = self._config()
        key = repr(sorted(cfg.items()))
        cached = self.__dict__.get("_cached_core")
        if cached is None or cached[0] != key:
            cached = (key, _core.HashingVectorizerCore(cfg))
            self.__dict__["_cached_core"] = cached
        return cached[1]

    def fit(self, X: Any = None, y: Any = None) -> HashingVectorizer:
        """Validate the parameters (hashing learns nothing)."""
        self._core_obj()
        check_n_jobs(self.n_jobs)
        return self

    def partial_fit(self, X: Any = None, y: Any = None) -> HashingVectorizer:
        """Does nothing but validate: hashing is stateless."""
        return self.fit(X, y)

    def transform(self, X: Any, *, batch_size: int | None = None) -> sp.csr_matrix:
        """Hash the documents of ``X`` into a sparse matrix.

        Any iterable of str works; one that is not an in-memory collection
        (a generator reading a file, say) is read in chunks of
        ``batch_size`` documents (default 10,000), so only the output
        matrix grows with the input. For a stream too large for its matrix,
        hash chunk by chunk yourself: see :func:`khabar.datasets.iter_batches`."""
        core = self._core_obj()
        n_jobs = check_n_jobs(self.n_jobs)
        return _stack(
            map_chunks(
                lambda d: _with_bar(self.progress, d, lambda c: core.transform(c, n_jobs)),
                X,
                "X",
                batch_size,
            )
        )

    def fit_transform(self, X: Any, y: Any = None) -> sp.csr_matrix:
        return self.transform(X)

    def __sklearn_is_fitted__(self) -> bool:
        return True

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags

    def _persist_core(self) -> Any:
        return self._core_obj()

"""``TopicClassifier``: texts in, topics out.

Arabic-aware normalisation, word and character n-gram TF-IDF blocks, and a
linear model with class weights for imbalanced topics, fitted and applied
in Rust. The defaults were chosen on the dev splits of ANT Corpus, ASND and
BBC News (``scripts/eval_topic.py``); they are parameters, so
``GridSearchCV`` can tune them on your data.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple, cast

import numpy as np

from . import _core
from ._base import NotFittedError, _SkBase, check_n_jobs
from ._classif import (
    available_if,
    check_truth,
    encode_labels,
    labels_from_json,
    labels_to_json,
)
from ._linear_params import _resolve_solver
from ._progress import chunked, stages
from ._stream import in_memory, map_chunks, text_docs
from .feature_extraction import TextVectorizer
from .linear_model import LinearClassifier
from .persistence import PersistMixin
from .preprocessing import _check_text, normalize, tokenize_with_offsets


class Contribution(NamedTuple):
    """One feature's share of a class score in :meth:`TopicClassifier.explain`."""

    feature: str
    """The feature as the model sees it (normalised), e.g. ``"السفاره في"``."""
    kind: str
    """``"word"`` or the character analyzer (``"char_wb"``, ``"char"``)."""
    surface: str
    """Where it occurs in the text, in the text's original spelling."""
    weight: float
    """Feature value times the class weight: its contribution to the score."""


class TopicClassifier(PersistMixin, _SkBase):
    """Topic classification of news texts, ready to use.

    Parameters
    ----------
    normalizer : str, dict, Normalizer or None, default "arabic"
        Text normalisation (see :class:`khabar.Normalizer`).
    word_ngram_range : (int, int) or None, default (1, 2)
        Word n-gram block; ``None`` drops it.
    char_ngram_range : (int, int) or None, default (2, 5)
        Character n-gram block; ``None`` drops it.
    char_analyzer : {"char_wb", "char"}, default "char_wb"
    sublinear_tf : bool, default True
        ``1 + log(tf)`` term frequencies.
    min_df, max_df : as in :class:`khabar.TextVectorizer`
    max_features : int or None, default 50_000
        Most frequent terms kept per block (so 100,000 features by default):
        on the dev sets this cost nothing in accuracy against no limit, and
        it keeps models small (about 6 MB for 9 classes) and fast.
    segment_clitics : bool, default False
    loss, C, class_weight, nb_scale : the linear model
        (see :class:`khabar.LinearClassifier`). ``class_weight="balanced"``
        keeps rare topics from being swallowed by frequent ones.
    probability : bool, default True
        For hinge losses, calibrate probabilities (Platt scaling on 2-fold
        cross-validated scores) so that ``predict_proba`` works.
    max_iter, random_state : the solver
    tol : float or None, default None
        Stopping tolerance of the solver. ``None`` picks one per solver:
        ``0.1`` for the hinge losses (dual coordinate descent; liblinear's
        own default there, which on the dev sets gave the same predictions
        as ``1e-4`` in a third of the time) and ``1e-4`` for ``"log"`` and
        ``"modified_huber"`` (L-BFGS, whose gradient test at ``0.1`` would
        stop before the first step).
    progress : bool or None, default None
        A tqdm progress bar on stderr: ``None`` shows one for inputs of
        20,000 texts or more when tqdm is installed; ``True`` always (fit
        stages; prediction in chunks of 5,000); ``False`` never. Passed to
        the linear model, whose own bar counts solver passes (under ``None``
        for fits of 25 million non-zeros x classes or more; see
        :class:`khabar.LinearClassifier`).
    n_jobs : int or None
        Threads; results do not depend on it.

    Attributes
    ----------
    classes_ : ndarray
    vectorizer_ : TextVectorizer
    model_ : LinearClassifier

    Examples
    --------
    >>> clf = TopicClassifier().fit(
    ...     ["المنتخب يفوز بالمباراة", "الفريق يتأهل للنهائي", "البورصة ترتفع", "الدينار يتراجع"],
    ...     ["sport", "sport", "economy", "economy"])
    >>> clf.predict(["المنتخب يتأهل"]).tolist()
    ['sport']
    """

    _core_kind = "TextPipeline"

    def __init__(
        self,
        *,
        normalizer: Any = "arabic",
        word_ngram_range: tuple[int, int] | None = (1, 2),
        char_ngram_range: tuple[int, int] | None = (2, 5),
        char_analyzer: str = "char_wb",
        sublinear_tf: bool = True,
        min_df: float | int = 1,
        max_df: float | int = 1.0,
        max_features: int | None = 50_000,
        segment_clitics: bool = False,
        loss: str = "squared_hinge",
        C: float = 0.5,
        class_weight: Any = "balanced",
        nb_scale: bool = False,
        probability: bool = True,
        max_iter: int | None = None,
        tol: float | None = None,
        random_state: Any = None,
        n_jobs: int | None = None,
        progress: bool | None = None,
    ) -> None:
        self.progress = progress
        self.normalizer = normalizer
        self.word_ngram_range = word_ngram_range
        self.char_ngram_range = char_ngram_range
        self.char_analyzer = char_analyzer
        self.sublinear_tf = sublinear_tf
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.segment_clitics = segment_clitics
        self.loss = loss
        self.C = C
        self.class_weight = class_weight
        self.nb_scale = nb_scale
        self.probability = probability
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- parts -------------------------------------------------------------
    def _make_vectorizer(self) -> TextVectorizer:
        blocks: list[Any] = []
        if self.word_ngram_range is not None:
            blocks.append(("word", tuple(self.word_ngram_range)))
        if self.char_ngram_range is not None:
            if self.char_analyzer not in ("char_wb", "char"):
                raise ValueError(
                    f"char_analyzer must be 'char_wb' or 'char', got {self.char_analyzer!r}"
                )
            blocks.append((self.char_analyzer, tuple(self.char_ngram_range)))
        if not blocks:
            raise ValueError("word_ngram_range and char_ngram_range cannot both be None")
        return TextVectorizer(
            progress=False,  # the classifier shows its own bar
            analyzer=blocks,
            normalizer=self.normalizer,
            segment_clitics=self.segment_clitics,
            sublinear_tf=self.sublinear_tf,
            min_df=self.min_df,
            max_df=self.max_df,
            max_features=self.max_features,
            dtype=np.float32,
            n_jobs=self.n_jobs,
        )

    def _tol(self) -> float:
        """``tol``, or the default of the loss's solver (see the class doc)."""
        if self.tol is not None:
            return self.tol  # checked by LinearClassifier
        return 0.1 if _resolve_solver("auto", self.loss) == "dcd" else 1e-4

    def _make_model(self) -> LinearClassifier:
        return LinearClassifier(
            self.loss,
            C=self.C,
            class_weight=self.class_weight,
            nb_scale=self.nb_scale,
            probability=self.probability,
            max_iter=self.max_iter,
            tol=self._tol(),
            random_state=self.random_state,
            n_jobs=self.n_jobs,
            progress=self.progress,  # its bar over solver passes
        )

    # -- fitting -------------------------------------------------------------
    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> TopicClassifier:
        """Fit on texts ``X`` (any iterable of str) and their labels ``y``.

        Out of core, with ``y=None``: ``X`` is a path to a JSONL, CSV/TSV or
        Parquet file with ``text`` and ``label`` fields, a function
        returning a fresh iterator of ``(texts, labels)`` batches (e.g.
        ``lambda: khabar.datasets.iter_batches(path, text_field="body")``),
        or a list of such batches. The data is read ``1 + max_iter`` times
        (default ``max_iter`` 5): once for the vocabulary and labels, then
        once per SGD epoch, holding one batch in memory. The linear model is
        then trained by SGD on the same objective; ``predict_proba`` needs
        ``loss="log"`` or ``"modified_huber"`` there (see
        ``khabar._topic_stream``)."""
        if y is None:
            if isinstance(X, (list, tuple, np.ndarray)) and len(X) and isinstance(X[0], str):
                raise TypeError(
                    "y is None: give one label per text, fit(texts, labels); y=None means "
                    "X is a source of (texts, labels) batches for a streamed fit"
                )
            if sample_weight is not None:
                raise ValueError("sample_weight is not supported by a streamed fit (y=None)")
            from ._topic_stream import fit_stream

            fit_stream(self, X)
            return self
        docs = text_docs(X, "X")
        if len(docs) == 0:
            raise ValueError("cannot fit on an empty corpus (0 documents)")
        # check labels before the (slower) vectorizing, so errors come fast
        classes, _, multilabel = encode_labels(y, len(docs))
        if multilabel:
            raise ValueError(
                "TopicClassifier takes one label per text; for multi-label use "
                "TextVectorizer + LinearClassifier"
            )
        if len(classes) < 2:
            raise ValueError(
                f"y has a single class ({classes[0]!r}); a classifier needs at least 2"
            )
        with stages(self.progress, len(docs), 2, "TopicClassifier.fit") as stage:
            stage("vectorizing")
            vec = self._make_vectorizer()
            Xm = vec.fit_transform(docs)
            stage("fitting the linear model")
            model = self._make_model().fit(Xm, y, sample_weight=sample_weight)
        return self._install(vec, model)

    def _install(self, vec: TextVectorizer, model: LinearClassifier) -> TopicClassifier:
        """Become the pipeline of a fitted vectorizer and linear model (the
        in-memory, streamed and distributed fits all end here)."""
        self._set_core(_core.TextPipelineCore(vec._core_, model._core_))
        self.vectorizer_ = vec
        self.model_ = model
        self.classes_ = model.classes_
        return self

    def _set_core(self, core: Any) -> None:
        self._core_ = core

    def _persist_state(self) -> dict[str, Any] | None:
        return {"classes": labels_to_json(self.classes_)}

    def _restore_state(self, state: dict[str, Any]) -> None:
        core = self._fitted()
        self.classes_ = labels_from_json(state["classes"])
        vec = self._make_vectorizer()
        vec._set_core(core.vectorizer())
        model = self._make_model()
        model._set_fitted(core.model(), self.classes_, False)
        expected = 1 if len(self.classes_) == 2 else len(self.classes_)
        if model._fitted().n_outputs != expected:
            raise ValueError("the number of classes does not match the model")
        self.vectorizer_ = vec
        self.model_ = model

    def _fitted(self) -> Any:
        core = self.__dict__.get("_core_")
        if core is None:
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit first")
        return core

    def __sklearn_is_fitted__(self) -> bool:
        return self.__dict__.get("_core_") is not None

    # -- prediction ----------------------------------------------------------
    def _by_chunks(self, X: Any, method: str) -> np.ndarray:
        """The core's ``method`` over the texts of ``X`` (in chunks, with a
        bar, when progress is on)."""
        call = getattr(self._fitted(), method)
        n_jobs = check_n_jobs(self.n_jobs)
        if not in_memory(X):  # a stream: read in chunks, never whole
            return np.concatenate(map_chunks(lambda d: call(d, n_jobs), X, "X", None))
        docs = text_docs(X, "X")
        return np.concatenate(chunked(self.progress, docs, lambda d: call(d, n_jobs), method))

    def predict(self, X: Any) -> np.ndarray:
        """The topic of each text."""
        codes = self._by_chunks(X, "predict_codes")  # raises NotFittedError first
        return cast("np.ndarray", self.classes_[codes])

    def decision_function(self, X: Any) -> np.ndarray:
        z = self._by_chunks(X, "decision_function")
        return z[:, 0] if z.shape[1] == 1 else z

    def _has_proba(self) -> bool:
        core = self.__dict__.get("_core_")
        if core is None:
            return self.loss in ("log", "modified_huber") or bool(self.probability)
        return bool(self.model_._has_proba())

    def _unavailable_reason(self, name: str) -> str:
        return f"loss={self.loss!r} with probability=False gives no probabilities"

    @available_if(_has_proba)
    def predict_proba(self, X: Any) -> np.ndarray:
        """Topic probabilities, shape (n_texts, n_classes), columns in
        ``classes_`` order.

        With a hinge loss these are Platt-calibrated one-vs-rest scores; on
        borderline texts the most probable class can differ from
        :meth:`predict`, which uses the decision values (as with
        scikit-learn's ``SVC(probability=True)``)."""
        return self._by_chunks(X, "predict_proba")

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy."""
        pred = self.predict(X)
        truth = np.asarray(check_truth(y, len(pred)))
        return float(np.average(pred == truth, weights=sample_weight))

    # -- inspection ----------------------------------------------------------
    def _class_index(self, label: Any) -> int:
        matches = np.flatnonzero(self.classes_ == label)
        if not matches.size:
            raise ValueError(f"unknown label {label!r}; the classes are {self.classes_.tolist()}")
        return int(matches[0])

    def _class_weights(self, k: int) -> np.ndarray:
        """Weights whose dot product with a row gives class ``k``'s score
        (for a binary model the negative class uses the negated row)."""
        coef = self.model_.coef_
        if coef.shape[0] == 1:
            return cast("np.ndarray", coef[0] if k == 1 else -coef[0])
        return cast("np.ndarray", coef[k])

    def top_features(self, label: Any, k: int = 20) -> list[tuple[str, float]]:
        """The ``k`` features with the largest weights for ``label``, as
        ``(feature, weight)`` pairs; feature names carry their block prefix
        (``"word:"``, ``"char_wb:"``)."""
        self._fitted()
        _check_k(k)
        w = self._class_weights(self._class_index(label))
        names = self.vectorizer_.get_feature_names_out()
        top = np.argsort(-w, kind="stable")[:k]
        return [(str(names[j]), float(w[j])) for j in top]

    def explain(self, text: str, k: int = 10, label: Any = None) -> list[Contribution]:
        """Why ``text`` got its topic: the ``k`` features that add most to
        the score of ``label`` (default: the predicted topic), each with the
        place it occurs in the text, in the original spelling.

        >>> clf = TopicClassifier().fit(
        ...     ["المنتخب يفوز بالمباراة", "الفريق يتأهل للنهائي", "البورصة ترتفع",
        ...      "الدينار يتراجع"], ["sport", "sport", "economy", "economy"])
        >>> top = clf.explain("البورصةُ ترتفع", k=3)
        >>> top[0].surface in "البورصةُ ترتفع"
        True
        """
        _check_text(text)
        self._fitted()
        _check_k(k)
        row = self.vectorizer_.transform([text])
        if label is None:
            label = self.predict([text])[0]
        w = self._class_weights(self._class_index(label))
        cols, vals = row.indices, row.data.astype(np.float64)
        contrib = vals * w[cols]
        order = np.argsort(-contrib, kind="stable")[:k]
        names = self.vectorizer_.get_feature_names_out()
        spans = _Spans(text, self.vectorizer_)
        out = []
        for o in order:
            name = str(names[cols[o]])
            kind, _, feature = name.partition(":") if ":" in name else ("word", "", name)
            out.append(Contribution(feature, kind, spans.surface(kind, feature), float(contrib[o])))
        return out

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        return tags


def _check_k(k: Any) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")


class _Spans:
    """Map normalised features back to the text's own words."""

    def __init__(self, text: str, vectorizer: TextVectorizer) -> None:
        self.text = text
        self.tokens = [t for t in tokenize_with_offsets(text)]
        norm = vectorizer.normalizer
        self.norm = [normalize(t[0], normalizer=norm) for t in self.tokens]

    def surface(self, kind: str, feature: str) -> str:
        if kind == "word":
            parts = feature.split(" ")
            n = len(parts)
            for i in range(len(self.norm) - n + 1):
                if self.norm[i : i + n] == parts:
                    return self.text[self.tokens[i][1] : self.tokens[i + n - 1][2]]
            # a clitic-segmented token: show the words that contain it
            parts = [p for p in parts if p]
            words = [
                self.tokens[i][0] for i, t in enumerate(self.norm) if any(p in t for p in parts)
            ]
            return " … ".join(dict.fromkeys(words))
        core = feature.strip(" ")
        if kind == "char_wb":
            # a leading/trailing space marks a word boundary
            pat = ("^" if feature.startswith(" ") else "") + re.escape(core)
            pat += "$" if feature.endswith(" ") else ""
            words = [self.tokens[i][0] for i, t in enumerate(self.norm) if re.search(pat, t)]
        else:
            words = [self.tokens[i][0] for i, t in enumerate(self.norm) if core in t]
        return " … ".join(dict.fromkeys(words))

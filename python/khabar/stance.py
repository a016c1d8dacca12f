"""Stance: does a body agree with, disagree with, discuss, or ignore a
headline or claim (FNC-1 style), or is a text for or against a target
(Mawqif style)?

Input is pairs ``(headline_or_claim, body)``: a list of 2-tuples, an
``(n, 2)`` array, or a two-column DataFrame.

>>> import khabar as kb
>>> heads = ["بومبيو يهدد بإغلاق السفارة", "الحكومة ترفع أسعار الوقود", "الرئيس يزور باريس"]
>>> other = ["فاز الفريق بالمباراة أمس", "أمطار غزيرة في الشمال", "افتتاح معرض للكتاب"]
>>> pairs, y = [], []
>>> for h, o in zip(heads, other):
...     pairs += [(h, "نفى مسؤول أن " + h), (h, "أكد مسؤول أن " + h), (h, o)]
...     y += ["disagree", "agree", "unrelated"]
>>> clf = kb.StanceClassifier(max_iter=30, validation_fraction=0.0).fit(pairs * 5, y * 5)
>>> clf.predict([("الكاظمي يزور واشنطن", "نفى مكتب الكاظمي أنه يزور واشنطن"),
...              ("الكاظمي يزور واشنطن", "أكد مكتب الكاظمي أنه يزور واشنطن"),
...              ("الكاظمي يزور واشنطن", "ارتفاع درجات الحرارة في الصيف")]).tolist()
['disagree', 'agree', 'unrelated']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NamedTuple, cast

import numpy as np
import scipy.sparse as sp

from . import _core
from ._base import ModelFormatError, _SkBase
from ._classif import check_truth, encode_labels, labels_from_json, labels_to_json, sample_weights
from ._pairs import StancePairFeatures, as_pairs
from ._progress import chunked, stages
from ._stance_design import _ALL_BLOCKS, _BLOCKS, _BY_TARGET, _StanceDesign
from ._stream import in_memory, map_chunks
from .linear_model import LinearClassifier
from .persistence import PersistMixin

__all__ = ["Evidence", "StanceClassifier", "StancePairFeatures", "as_pairs"]


class Evidence(NamedTuple):
    """One feature's share of a stance decision (:meth:`StanceClassifier.explain`)."""

    block: str
    """``"pair"`` for a pair feature, else the term block (``"body"``, ...)."""
    feature: str
    """The pair feature's name or the (normalised) term; ``"term @ target"``
    in a by-target block."""
    value: float
    """Its value in the design matrix (standardised for pair features)."""
    weight: float
    """Fall in the label's probability when the feature is removed."""


class StanceClassifier(_StanceDesign, PersistMixin, _SkBase):
    """Stance of a body towards a headline, claim or target.

    Features: :class:`StancePairFeatures` (standardised) plus TF-IDF term
    vectors of the headline, the body, the body's words absent from the
    headline and the headline's absent from the body. Model: a one-hidden-
    layer MLP trained in Rust (sparse input layer, ReLU, dropout, L2, Adam,
    early stopping on a held-out fraction, class weights; deterministic for a
    given ``random_state``), or ``model="linear"`` for
    :class:`LinearClassifier` (logistic regression).

    Parameters
    ----------
    model : {"mlp", "linear"}, default "mlp"
    hidden_layer_size : int, default 50
    alpha : float, default 1e-4
        L2 penalty of the MLP (for ``"linear"``: ``C = 1 / (alpha * n)``
        is not used; set ``C``).
    C : float, default 1.0
        Inverse regularisation of the linear model.
    learning_rate : float, default 1e-3
        Adam step size.
    batch_size : int, default 64
    max_iter : int, default 15
        Passes (epochs) over the pairs for the MLP (the maximum, with early
        stopping).
    dropout : float, default 0.3
        Dropout on the hidden layer during training.
    validation_fraction : float, default 0.0
        Held out for early stopping on weighted (balanced, under balanced
        class weights) accuracy; 0 trains for ``max_iter`` passes. The
        defaults were chosen on our validation splits (see
        ``scripts/eval_stance.py``): a fixed 15 passes beat early stopping
        on average over the four stance sets.
    n_iter_no_change : int, default 5
    refit : bool, default True
        After early stopping picked the number of epochs, train again on
        all pairs for that many epochs.
    class_weight : None, "balanced" or dict, default "balanced"
    max_features : int, default 5000
        Vocabulary size of each term block. With ``hidden_layer_size=50``
        this matched the macro-F1 of 20000 / 100 on average over our four
        validation splits, trains ~5x faster and gives model files of a few
        MB.
    pair_features : bool, default True
    term_blocks : tuple of str
        Which term blocks to use, among ``"headline"``, ``"body"``,
        ``"body_minus_headline"``, ``"headline_minus_body"`` (the default),
        and the opt-in ``"body_chars"`` (character 2-5-grams of the body),
        ``"body_top_sentences"`` (words of the 3 body sentences most
        similar to the headline), ``"body_by_target"`` and
        ``"body_chars_by_target"``.

        The by-target blocks are for target-specific stance (a few fixed
        targets, as in Mawqif or SemEval-2016), where the same word can
        speak for one target and against another: the body's words (or
        character 2-5-grams) get one column slot per distinct first
        element ("target") of the training pairs, so each target has its
        own weights for them. A pair whose target was not seen in training
        gets an empty block (the other blocks still apply). They are used
        only when the training pairs have at most ``max_targets`` distinct
        targets, and left out otherwise (headline/claim data such as FNC-1
        has thousands); ``targets_`` lists the targets, empty when off. On
        the Mawqif validation split of ``scripts/eval_stance.py`` they
        added 0.5-2 points of macro-F1 (within seed and split noise),
        which is why they are not on by default.
    max_targets : int, default 32
        The most distinct targets for which the by-target blocks are used
        (they widen the design matrix by their vocabulary times the number
        of targets); 0 turns them off.
    entities : bool, default True
        Entity-overlap features.
    normalizer : as elsewhere in khabar, default "arabic"
    random_state : int, default 0
        In ``[0, 2**64)``.
    n_jobs : int or None
    progress : bool or None, default None
        A tqdm bar on stderr (fit stages; prediction in chunks of 5,000):
        ``None`` shows one for 20,000 pairs or more when tqdm is installed.
        With ``model="linear"`` it is passed to the linear model, whose own
        bar counts solver passes (see :class:`khabar.LinearClassifier`).

    Attributes
    ----------
    classes_ : ndarray
    targets_ : ndarray of str
        The targets of the by-target blocks in column-slot order (sorted);
        empty when those blocks are off.
    n_iter_ : int
        Epochs run (MLP).
    loss_curve_, validation_curve_ : list of float
        Training and held-out loss per epoch (MLP).
    """

    _core_kind = "StanceBundle"

    def __init__(
        self,
        *,
        model: str = "mlp",
        hidden_layer_size: int = 50,
        alpha: float = 1e-4,
        C: float = 1.0,
        learning_rate: float = 1e-3,
        batch_size: int = 64,
        max_iter: int = 15,
        dropout: float = 0.3,
        validation_fraction: float = 0.0,
        n_iter_no_change: int = 5,
        refit: bool = True,
        class_weight: Any = "balanced",
        max_features: int = 5000,
        pair_features: bool = True,
        term_blocks: tuple[str, ...] = _BLOCKS,
        max_targets: int = 32,
        entities: bool = True,
        normalizer: Any = "arabic",
        random_state: int = 0,
        n_jobs: int | None = None,
        progress: bool | None = None,
    ) -> None:
        self.progress = progress
        self.model = model
        self.hidden_layer_size = hidden_layer_size
        self.alpha = alpha
        self.C = C
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_iter = max_iter
        self.dropout = dropout
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.refit = refit
        self.class_weight = class_weight
        self.max_features = max_features
        self.pair_features = pair_features
        self.term_blocks = term_blocks
        self.max_targets = max_targets
        self.entities = entities
        self.normalizer = normalizer
        self.random_state = random_state
        self.n_jobs = n_jobs

    # -- parameters ------------------------------------------------------------
    def _check_params(self) -> None:
        if self.model not in ("mlp", "linear"):
            raise ValueError(f"model must be 'mlp' or 'linear', got {self.model!r}")
        blocks = tuple(self.term_blocks)
        bad = [b for b in blocks if b not in _ALL_BLOCKS]
        if bad:
            raise ValueError(f"unknown term_blocks {bad}; use some of {_ALL_BLOCKS}")
        if not blocks and not self.pair_features:
            raise ValueError("no features: enable pair_features or some term_blocks")
        v = self.max_targets
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < 2**31:
            raise ValueError(f"max_targets must be an integer in [0, 2**31), got {v!r}")
        for name in ("hidden_layer_size", "batch_size", "max_iter", "max_features"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v < 2**31:
                raise ValueError(f"{name} must be a positive integer below 2**31, got {v!r}")
        for name, lo, hi in (("dropout", 0, 1), ("validation_fraction", 0, 1)):
            v = getattr(self, name)
            if not isinstance(v, (int, float)) or not lo <= v < hi:
                raise ValueError(f"{name} must be in [{lo}, {hi}), got {v!r}")
        for name in ("alpha", "learning_rate", "C"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not v > 0:
                raise ValueError(f"{name} must be a positive number, got {v!r}")
        # both go to Rust as unsigned integers: check here so a bad value
        # is a ValueError naming it, not an OverflowError from the binding
        v = self.n_iter_no_change
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 1 <= v < 2**31:
            raise ValueError(f"n_iter_no_change must be a positive integer, got {v!r}")
        rs = self.random_state
        if isinstance(rs, bool) or not isinstance(rs, (int, np.integer)) or not 0 <= rs < 2**64:
            raise ValueError(f"random_state must be an integer in [0, 2**64), got {rs!r}")

    def _linear(self) -> LinearClassifier:
        # The dense, standardised pair features converge slowly under
        # L-BFGS: on fnc1 (40k pairs) tol=1e-4 needed 596 iterations (over
        # the cap, with a warning) for the same scores as tol=1e-3 reaches
        # in 283 (FNC 92.66 vs 92.48 on the headline-disjoint split; the
        # small sets within +-0.008 macro-F1). The gradient test is
        # scale-free (a mean loss), so 1e-3 is not loose for big data.
        return LinearClassifier(
            "log",
            C=self.C,
            class_weight=self.class_weight,
            tol=1e-3,
            max_iter=500,
            n_jobs=self.n_jobs,
            progress=self.progress,  # so progress=False silences its bar too
        )

    # -- fitting -------------------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> StanceClassifier:
        """Fit on pairs ``X`` and their stance labels ``y``."""
        self._check_params()
        heads, bodies = as_pairs(X)
        if not heads:
            raise ValueError("cannot fit on 0 pairs")
        classes, codes, multilabel = encode_labels(y, len(heads))
        if multilabel:
            raise ValueError("StanceClassifier takes one label per pair")
        if len(classes) < 2:
            raise ValueError(f"y has a single class ({classes[0]!r}); a classifier needs 2")
        with stages(self.progress, len(heads), 2, "StanceClassifier.fit") as stage:
            stage("features")
            Xm = self._design(heads, bodies, fit=True)
            stage(f"fitting the {self.model} model")
            model_core = self._fit_model(Xm, classes, codes, sample_weight, len(heads))
        self.classes_ = classes
        self._bundle(model_core)
        return self

    def _fit_model(
        self, Xm: sp.csr_matrix, classes: np.ndarray, codes: Any, sample_weight: Any, n: int
    ) -> Any:
        if self.model == "linear":
            lin = self._linear().fit(Xm, classes[codes], sample_weight=sample_weight)
            model_core = lin._core_
        else:
            sw = sample_weights(sample_weight, self.class_weight, classes, codes, False, n)
            args = (
                self._csr_args(Xm),
                np.asarray(codes, dtype=np.int64),
                np.asarray(sw, dtype=np.float64),
                len(classes),
            )

            def mlp(max_iter: int, validation_fraction: float) -> Any:
                return _core.MlpCore.fit(
                    *args,
                    hidden=int(self.hidden_layer_size),
                    alpha=float(self.alpha),
                    learning_rate=float(self.learning_rate),
                    batch_size=int(self.batch_size),
                    max_iter=max_iter,
                    dropout=float(self.dropout),
                    validation_fraction=validation_fraction,
                    n_iter_no_change=int(self.n_iter_no_change),
                    seed=int(self.random_state),
                )

            model_core = mlp(int(self.max_iter), float(self.validation_fraction))
            if self.refit and self.validation_fraction > 0:
                # the held-out rows chose the number of epochs; now train on
                # every row for that many (small stance sets cannot spare 10%)
                curve = list(model_core.validation_curve)
                best = int(np.argmax(curve)) + 1 if curve else int(self.max_iter)
                self._early_stopping_curve = curve
                model_core = mlp(best, 0.0)
        return model_core

    def _bundle(self, model_core: Any) -> None:
        # a block in several column slots is named "<block>*<slots>" (the
        # core checks the model's width with it); the targets are in the
        # metadata (_persist_state)
        vecs = [
            (f"{b}*{len(self._targets)}" if b in _BY_TARGET else b, vec._core_)
            for b, vec in self._vecs.items()
        ]
        mean = self._mean.tolist() if self.pair_features else []
        scale = self._scale.tolist() if self.pair_features else []
        self._core_ = _core.StanceBundleCore(self._pf_core, vecs, mean, scale, model_core)
        self._model_core = model_core

    def _set_core(self, core: Any) -> None:
        self._core_ = core
        pf, vecs, mean, scale, model_core = core.parts()
        self._pf_core = pf
        self._vecs = {}
        self._target_slots = 0
        for name, v in vecs:
            b, star, slots = name.partition("*")
            if b not in _ALL_BLOCKS or bool(star) != (b in _BY_TARGET):
                raise ModelFormatError(f"unknown term block {name!r} in the model")
            if star:
                if self._target_slots not in (0, int(slots)):
                    raise ModelFormatError("the by-target blocks have different slot counts")
                self._target_slots = int(slots)  # the core has checked it
            vec = self._vectorizer(b)
            vec._set_core(v)
            self._vecs[b] = vec
        self._mean = np.asarray(mean, dtype=np.float32)
        self._scale = np.asarray(scale, dtype=np.float32)
        self._model_core = model_core
        self._targets = []  # set by _restore_state

    def _persist_state(self) -> dict[str, Any] | None:
        state: dict[str, Any] = {"classes": labels_to_json(self.classes_)}
        if self._targets:
            state["targets"] = list(self._targets)
        return state

    def _restore_state(self, state: dict[str, Any]) -> None:
        self.classes_ = labels_from_json(state["classes"])
        # prediction builds the design matrix from these parameters: they
        # must name the blocks the saved model was trained on
        missing = sorted(set(self._vecs) - set(self.term_blocks))
        if missing or bool(self.pair_features) != bool(len(self._mean)):
            raise ValueError(
                f"the parameters (term_blocks={self.term_blocks!r}, pair_features="
                f"{self.pair_features!r}) do not match the model's feature blocks"
            )
        targets = state.get("targets", [])
        if (
            not isinstance(targets, list)
            or not all(isinstance(t, str) for t in targets)
            or len(set(targets)) != len(targets)
            or len(targets) != self._target_slots
        ):
            raise ValueError("the targets do not match the by-target term blocks")
        self._targets = targets

    def __sklearn_is_fitted__(self) -> bool:
        return self.__dict__.get("_core_") is not None

    # -- prediction ----------------------------------------------------------------
    @property
    def targets_(self) -> np.ndarray:
        """The training targets (distinct first elements) of the
        ``"body_by_target"`` block, in column-slot order; empty when the
        block is off."""
        self._fitted()
        return np.asarray(self._targets, dtype=object)

    @property
    def n_iter_(self) -> int:
        self._fitted()
        return int(getattr(self._model_core, "n_iter", 0))

    @property
    def loss_curve_(self) -> list[float]:
        self._fitted()
        return list(getattr(self._model_core, "loss_curve", []))

    @property
    def validation_curve_(self) -> list[float]:
        self._fitted()
        return list(getattr(self._model_core, "validation_curve", []))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities, shape (n_pairs, n_classes), columns in ``classes_`` order.

        ``X`` may also be any iterable of pairs (a generator over a file, say):
        it is then read in chunks of 10,000 pairs, never whole."""
        self._fitted()
        if not in_memory(X) and not isinstance(X, (str, bytes)) and isinstance(X, Iterable):
            out = map_chunks(lambda part: self.predict_proba(part), X, "X", None)
            return np.concatenate(out) if out else np.zeros((0, len(self.classes_)))
        heads, bodies = as_pairs(X)
        if not heads:
            return np.zeros((0, len(self.classes_)))
        pairs = list(zip(heads, bodies, strict=True))

        def proba(part: Any) -> np.ndarray:
            h, b = [p[0] for p in part], [p[1] for p in part]
            return self._proba(self._design(h, b, fit=False))

        return np.concatenate(chunked(self.progress, pairs, proba, "predict_proba"))

    def _proba(self, Xm: sp.csr_matrix) -> np.ndarray:
        if isinstance(self._model_core, _core.MlpCore):
            return np.asarray(self._model_core.predict_proba(self._csr_args(Xm)), dtype=np.float64)
        lin = self._linear()
        lin._set_fitted(self._model_core, self.classes_, False)
        return cast("np.ndarray", lin.predict_proba(Xm))

    def explain(self, pair: tuple[str, str], k: int = 10, label: Any = None) -> list[Evidence]:
        """The ``k`` features that most support ``label`` (default: the
        predicted one) for one ``(headline, body)`` pair.

        Each feature present in the pair is removed in turn (a pair feature
        is set to its training mean, a term is dropped) and the fall in the
        label's probability is its weight; negative weights speak against
        the label. Model-agnostic, so it works for the MLP and the linear
        model alike; it costs one batched prediction of ``nnz + 1`` rows.

        Raises ``TypeError`` if ``pair`` is not a tuple or list (or holds a
        non-str), ``ValueError`` if it does not hold exactly two texts, if
        ``k`` is not a positive integer or ``label`` is unknown.
        """
        self._fitted()
        if isinstance(k, bool) or not isinstance(k, int) or k < 1:
            raise ValueError(f"k must be a positive integer, got {k!r}")
        if not isinstance(pair, (tuple, list)):
            raise TypeError(f"pair must be one (headline, body) tuple, got {type(pair).__name__}")
        if len(pair) != 2:
            raise ValueError(f"pair must be one (headline, body) tuple, got length {len(pair)}")
        heads, bodies = as_pairs([pair], "pair")
        row = self._design(heads, bodies, fit=False)
        base = self._proba(row)[0]
        if label is None:
            c = int(base.argmax())
        else:
            hits = np.flatnonzero(self.classes_ == label)
            if not len(hits):
                raise ValueError(f"label {label!r} is not one of {self.classes_.tolist()}")
            c = int(hits[0])
        cols, vals = row.indices, row.data
        n = len(cols)
        if n == 0:
            return []
        # row i drops entry i: n rows of n - 1 entries each
        keep = ~np.eye(n, dtype=bool)
        data = np.broadcast_to(vals, (n, n))[keep]
        indices = np.broadcast_to(cols, (n, n))[keep]
        indptr = np.arange(n + 1, dtype=np.int64) * (n - 1)
        dropped = sp.csr_matrix((data, indices, indptr), shape=(n, row.shape[1]))
        weights = base[c] - self._proba(dropped)[:, c]
        names = self._column_names()
        order = np.argsort(-np.abs(weights), kind="stable")[:k]
        return [
            Evidence(names[cols[i]][0], names[cols[i]][1], float(vals[i]), float(weights[i]))
            for i in order
        ]

    def predict(self, X: Any) -> np.ndarray:
        """The stance label of each pair."""
        proba = self.predict_proba(X)
        labels: np.ndarray = self.classes_[proba.argmax(axis=1)]
        return labels

    def score(self, X: Any, y: Any) -> float:
        """Macro-averaged F1 (the stance tasks' usual metric).

        Raises ``TypeError`` if ``y`` is not a sequence of labels and
        ``ValueError`` if its length differs from ``X``'s or a label is
        missing (the message names the row).
        """
        from .metrics import classification_scores

        pred = self.predict(X)
        truth = check_truth(y, len(pred))
        return float(
            classification_scores(truth, pred.tolist(), labels=self.classes_.tolist())["macro_f1"]
        )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

"""Multinomial and Complement Naive Bayes in Rust: fast, strong baselines
for short texts, with scikit-learn's ``MultinomialNB``/``ComplementNB``
semantics (same smoothing, priors and weight normalisation)."""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from . import _core
from ._base import NotFittedError, _SkBase, check_n_jobs
from ._classif import (
    check_classes,
    check_truth,
    check_X,
    encode_labels,
    labels_from_json,
    labels_to_json,
    sample_weights,
)
from .persistence import PersistMixin


class _BaseNB(PersistMixin, _SkBase):
    _core_kind = "NaiveBayes"
    _kind = "multinomial"

    alpha: float
    fit_prior: bool
    n_jobs: int | None

    def _norm(self) -> bool:
        return False

    def _check_params(self) -> None:
        a = self.alpha
        if isinstance(a, bool) or not isinstance(a, (int, float, np.number)) or not a > 0:
            raise ValueError(f"alpha must be a positive number, got {a!r}")

    def _new_core(self, n_features: int, n_classes: int) -> Any:
        self._check_params()
        return _core.NaiveBayesCore(
            self._kind, float(self.alpha), bool(self.fit_prior), self._norm(), n_features, n_classes
        )

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Any:
        """Count features per class in ``X`` (non-negative: counts or
        TF-IDF) for labels ``y``.

        Raises ``TypeError`` for an ``X`` that is not a numeric 2-D matrix
        (see ``LinearClassifier.fit``) or a ``y`` that is not a sequence of
        labels, and ``ValueError`` for negative or non-finite features, a
        single class, a missing label or mismatched lengths (naming the row).
        """
        parts, n_rows, n_cols = check_X(X)
        if n_rows == 0:
            raise ValueError("cannot fit on 0 samples; X is empty")
        classes, codes, multilabel = encode_labels(y, n_rows)
        if multilabel:
            raise ValueError(f"{type(self).__name__} does not support multi-label y")
        if len(classes) < 2:
            raise ValueError(
                f"y has a single class ({classes[0]!r}); a classifier needs at least 2"
            )
        sw = sample_weights(sample_weight, None, classes, codes, False, n_rows)
        core = self._new_core(n_cols, len(classes))
        core.partial_fit(parts, codes, sw)
        self._set_core(core)
        self.classes_ = classes
        self.n_features_in_ = n_cols
        return self

    def partial_fit(self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None) -> Any:
        """Add a batch's counts; the first call needs ``classes`` (a sequence
        of every label; a bare string raises ``TypeError``)."""
        parts, n_rows, n_cols = check_X(X)
        core = self.__dict__.get("_core_")
        if core is None:
            if classes is None:
                raise ValueError("the first call to partial_fit needs classes=[...]")
            all_classes = np.unique(np.asarray(check_classes(classes)))
            if len(all_classes) < 2:
                raise ValueError("classes must hold at least 2 labels")
            core = self._new_core(n_cols, len(all_classes))
            self._set_core(core)
            self.classes_ = all_classes
            self.n_features_in_ = n_cols
        _, codes, multilabel = encode_labels(y, n_rows, classes=self.classes_)
        if multilabel:
            raise ValueError(f"{type(self).__name__} does not support multi-label y")
        sw = sample_weights(sample_weight, None, self.classes_, codes, False, n_rows)
        if n_rows:
            core.partial_fit(parts, codes, sw)
        return self

    def _fitted(self) -> Any:
        core = self.__dict__.get("_core_")
        if core is None:
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet; call fit first")
        return core

    def _jll(self, X: Any, proba: bool) -> np.ndarray:
        core = self._fitted()
        parts, _, n_cols = check_X(X)
        if n_cols != self.n_features_in_:
            raise ValueError(
                f"X has {n_cols} features, but {type(self).__name__} was fitted with "
                f"{self.n_features_in_}"
            )
        return cast(
            "np.ndarray",
            core.joint_log_likelihood(parts, proba=proba, n_jobs=check_n_jobs(self.n_jobs)),
        )

    def predict_joint_log_proba(self, X: Any) -> np.ndarray:
        """Unnormalised joint log-likelihoods, (n, n_classes)."""
        return self._jll(X, proba=False)

    def predict_proba(self, X: Any) -> np.ndarray:
        return self._jll(X, proba=True)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return cast("np.ndarray", np.log(self.predict_proba(X)))

    def predict(self, X: Any) -> np.ndarray:
        return cast("np.ndarray", self.classes_[self._jll(X, proba=False).argmax(axis=1)])

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy.

        Raises ``TypeError`` if ``y`` is not a sequence of labels and
        ``ValueError`` if its length differs from ``X``'s or a label is
        missing (the message names the row).
        """
        pred = self.predict(X)
        truth = np.asarray(check_truth(y, len(pred)))
        return float(np.average(pred == truth, weights=sample_weight))

    def _arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        return cast(
            "tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]", self._fitted().arrays()
        )

    @property
    def class_count_(self) -> np.ndarray:
        return self._arrays()[0]

    @property
    def feature_count_(self) -> np.ndarray:
        return self._arrays()[1]

    @property
    def class_log_prior_(self) -> np.ndarray:
        return self._arrays()[2]

    @property
    def feature_log_prob_(self) -> np.ndarray:
        return self._arrays()[3]

    def _persist_state(self) -> dict[str, Any] | None:
        return {"classes": labels_to_json(self.classes_), "n_features": self.n_features_in_}

    def _restore_state(self, state: dict[str, Any]) -> None:
        self.classes_ = labels_from_json(state["classes"])
        self.n_features_in_ = int(state["n_features"])
        # the metadata must describe the counts it travels with
        feature_count = self._arrays()[1]
        if feature_count.shape != (len(self.classes_), self.n_features_in_):
            raise ValueError(
                f"{len(self.classes_)} classes and {self.n_features_in_} features do not match "
                f"the model's counts of shape {feature_count.shape}"
            )

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.input_tags.sparse = True
        return tags


class MultinomialNB(_BaseNB):
    """Multinomial Naive Bayes (scikit-learn's ``MultinomialNB``).

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[2, 0, 1], [3, 0, 0], [0, 2, 1], [0, 3, 0]])
    >>> MultinomialNB().fit(X, ["sport", "sport", "economy", "economy"]).predict(X).tolist()
    ['sport', 'sport', 'economy', 'economy']
    """

    _kind = "multinomial"

    def __init__(self, *, alpha: float = 1.0, fit_prior: bool = True, n_jobs: int | None = None):
        self.alpha = alpha
        self.fit_prior = fit_prior
        self.n_jobs = n_jobs


class ComplementNB(_BaseNB):
    """Complement Naive Bayes (Rennie et al. 2003; scikit-learn's
    ``ComplementNB``), well suited to imbalanced text classes."""

    _kind = "complement"

    def __init__(
        self,
        *,
        alpha: float = 1.0,
        fit_prior: bool = True,
        norm: bool = False,
        n_jobs: int | None = None,
    ):
        self.alpha = alpha
        self.fit_prior = fit_prior
        self.norm = norm
        self.n_jobs = n_jobs

    def _norm(self) -> bool:
        return bool(self.norm)

"""Linear classifiers trained in Rust on sparse feature matrices.

``LinearClassifier`` covers logistic regression (multinomial or
one-vs-rest), linear SVMs (hinge, squared hinge) and the modified Huber
loss, with three solvers:

* ``"lbfgs"`` — deterministic L-BFGS on ``½‖W‖² + C Σ sᵢ L(xᵢ)`` (the
  objective of scikit-learn's ``LogisticRegression``; intercept not
  penalised);
* ``"dcd"`` — dual coordinate descent as in liblinear (scikit-learn's
  ``LinearSVC``), for hinge and squared hinge, one class per thread;
* ``"sgd"`` — mini-batch AdaGrad with penalty strength ``alpha`` (L2, or
  L1 or elastic net through ``penalty``), used by ``partial_fit`` for data
  that arrives in chunks.

``"auto"`` picks L-BFGS for log and modified Huber and DCD for the hinge
losses, and SGD when ``penalty`` has an L1 part. Results do not depend on
``n_jobs``.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from . import _core
from ._base import NotFittedError, _SkBase, check_n_jobs
from ._classif import (
    available_if,
    check_classes,
    check_truth,
    check_X,
    encode_labels,
    labels_from_json,
    labels_to_json,
    sample_weights,
    warn_convergence,
)
from ._linear_params import l1_share, linear_config
from ._progress import pass_bar
from .persistence import PersistMixin


class LinearClassifier(PersistMixin, _SkBase):
    """A linear classifier trained in Rust: logistic regression, linear SVM or
    modified Huber, multiclass or multi-label.

    Parameters
    ----------
    loss : {"log", "hinge", "squared_hinge", "modified_huber"}, default "log"
        ``"log"`` is logistic regression; ``"hinge"`` and ``"squared_hinge"``
        are linear SVMs (``LinearSVC``); ``"modified_huber"`` is a smooth
        hinge with probability estimates.
    C : float, default 1.0
        Inverse regularisation strength (L2), as in scikit-learn.
    penalty : {"l2", "l1", "elasticnet"}, default "l2"
        The penalty. ``"l1"`` and ``"elasticnet"`` need the SGD solver
        (``solver="auto"`` picks it), where the strength is ``alpha``: L2
        ``alpha * (1 - r)`` plus L1 ``alpha * r``, with ``r`` = 1 for
        ``"l1"`` and ``l1_ratio`` for ``"elasticnet"``. The L1 part is a
        proximal step after each AdaGrad update (composite mirror descent,
        Duchi et al. 2011), so weights of features that do not help become
        exactly zero; how many depends on ``alpha`` (around ``1e-3`` and
        up on TF-IDF features).
    l1_ratio : float, default 0.15
        The L1 share of ``alpha`` with ``penalty="elasticnet"``, in [0, 1]
        (ignored otherwise), as in scikit-learn's ``SGDClassifier``.
    multi_class : {"auto", "multinomial", "ovr"}, default "auto"
        Softmax over classes or one-vs-rest. ``"auto"`` is multinomial for
        log loss, one-vs-rest otherwise. Multi-label ``y`` is always
        one-vs-rest.
    solver : {"auto", "lbfgs", "dcd", "sgd"}, default "auto"
    fit_intercept : bool, default True
    intercept_scaling : float, default 1.0
        DCD only: the value of the constant feature that carries the
        (regularised) intercept, as in liblinear.
    class_weight : None, "balanced" or dict, default None
        Multiplies each sample's weight by its class weight. ``"balanced"``
        uses ``n_samples / (n_classes * count(class))``.
    max_iter : int or None, default None
        Iterations (L-BFGS, DCD) or epochs (SGD); ``None`` means 200, 1000
        and 50 respectively.
    tol : float, default 1e-4
        Stopping tolerance: gradient norm (L-BFGS), projected-gradient gap
        (DCD), or improvement of the epoch loss (SGD).
    probability : bool, default False
        For the hinge losses, fit Platt sigmoids on 2-fold cross-validated
        decision values so ``predict_proba`` is available. With the DCD
        solver the fold models are warm-started from the full model, so this
        costs about two more fits on half the data. Log and modified Huber
        losses always have probabilities.
    nb_scale : bool, default False
        NB-SVM (Wang & Manning 2012): scale each feature, per class, by its
        log-count ratio before training (features must be non-negative). The
        stored ``coef_`` includes the scaling.
    nb_alpha : float, default 1.0
        Smoothing of the log-count ratios.
    alpha, eta0, batch_size : SGD only
        Penalty strength per sample (L2 unless ``penalty`` says otherwise),
        AdaGrad base step, mini-batch size.
    early_stopping, validation_fraction, n_iter_no_change : SGD only
        Stop when the score on a held-out fraction has not improved by
        ``tol`` for ``n_iter_no_change`` epochs (the best weights are kept).
    random_state : int or None
        Seeds DCD's and SGD's shuffles and the calibration folds.
    n_jobs : int or None
        Threads (classes in parallel for DCD, row/column chunks for
        L-BFGS). The fitted model does not depend on it.
    progress : bool or None, default None
        A tqdm bar on stderr over the solver passes of :meth:`fit` (L-BFGS
        iterations, DCD passes per group of up to 8 classes, SGD epochs;
        with ``probability=True``, as many again per calibration fold). The
        total is the most passes there can be and shrinks when a solver
        converges early, so the bar ends full. ``None`` shows one when tqdm
        is installed and the fit is large (stored non-zeros of ``X`` times
        the classes, 1 for two classes, at least 25 million: about a second
        or more); ``True`` always; ``False`` never. It does not change the
        model, and Ctrl-C while it is shown stops the fit at the next pass
        with ``KeyboardInterrupt``. ``partial_fit`` shows no bar. Like
        ``n_jobs``, it is not saved in model files.

    Attributes
    ----------
    classes_ : ndarray of the class labels (or of the labels, multi-label)
    coef_ : ndarray of shape (1 or n_classes, n_features)
    intercept_ : ndarray
    n_iter_ : int
    thresholds_ : ndarray, multi-label only
        Per-label decision thresholds on probabilities (0.5) or, without
        probabilities, on decision values (0.0); see :meth:`tune_thresholds`.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> X = sp.csr_matrix(np.array([[1.0, 0], [0.9, 0.1], [0, 1.0], [0.1, 0.8]]))
    >>> clf = LinearClassifier(C=10).fit(X, ["a", "a", "b", "b"])
    >>> clf.predict(X).tolist()
    ['a', 'a', 'b', 'b']
    >>> clf.predict_proba(X).shape
    (4, 2)
    """

    _core_kind = "LinearModel"

    def __init__(
        self,
        loss: str = "log",
        *,
        C: float = 1.0,
        penalty: str = "l2",
        l1_ratio: float = 0.15,
        multi_class: str = "auto",
        solver: str = "auto",
        fit_intercept: bool = True,
        intercept_scaling: float = 1.0,
        class_weight: Any = None,
        max_iter: int | None = None,
        tol: float = 1e-4,
        probability: bool = False,
        nb_scale: bool = False,
        nb_alpha: float = 1.0,
        alpha: float = 1e-5,
        eta0: float = 0.1,
        batch_size: int = 32,
        early_stopping: bool = False,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        random_state: Any = None,
        n_jobs: int | None = None,
        progress: bool | None = None,
    ) -> None:
        self.loss = loss
        self.C = C
        self.penalty = penalty
        self.l1_ratio = l1_ratio
        self.multi_class = multi_class
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.intercept_scaling = intercept_scaling
        self.class_weight = class_weight
        self.max_iter = max_iter
        self.tol = tol
        self.probability = probability
        self.nb_scale = nb_scale
        self.nb_alpha = nb_alpha
        self.alpha = alpha
        self.eta0 = eta0
        self.batch_size = batch_size
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress

    # -- configuration -------------------------------------------------
    def _config(self, solver: str | None = None) -> dict[str, Any]:
        return linear_config(self, solver)

    def _l1_share(self) -> float:
        """The L1 share of ``alpha`` that ``penalty`` and ``l1_ratio`` ask for."""
        return l1_share(self.penalty, self.l1_ratio)

    # -- fitting ----------------------------------------------------------
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearClassifier:
        """Fit on a feature matrix ``X`` and labels ``y`` (a sequence of
        labels, or a sequence of label lists for multi-label)."""
        parts, n_rows, _n_cols = check_X(X)
        if n_rows == 0:
            raise ValueError("cannot fit on 0 samples; X is empty")
        classes, codes, multilabel = encode_labels(y, n_rows)
        if not multilabel and len(classes) < 2:
            raise ValueError(
                f"y has a single class ({classes[0]!r}); a classifier needs at least 2"
            )
        sw = sample_weights(sample_weight, self.class_weight, classes, codes, multilabel, n_rows)
        n_jobs = check_n_jobs(self.n_jobs)
        config = self._config()
        scale = None
        if self.nb_scale:
            scale = _core.log_count_ratio(parts, codes, len(classes), float(self.nb_alpha))
        n_outputs = len(classes) if multilabel or len(classes) > 2 else 1
        work = int(parts[0].shape[0]) * n_outputs  # stored non-zeros x outputs
        with pass_bar(self.progress, work, f"{type(self).__name__}.fit") as on_step:
            core = _core.LinearModelCore.fit(
                config,
                parts,
                codes,
                len(classes),
                sw,
                scale=scale,
                n_jobs=n_jobs,
                probability=bool(self.probability),
                on_step=on_step,
            )
        if not core.converged:
            warn_convergence(type(self).__name__, core.n_iter)
        self._set_fitted(core, classes, multilabel)
        return self

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> LinearClassifier:
        """One SGD pass over a batch. The first call needs ``classes`` (all
        the labels that will ever occur); later calls continue training.
        ``class_weight="balanced"`` is not available here (batches do not
        know the global class counts); use a dict."""
        parts, n_rows, n_cols = check_X(X)
        core = self.__dict__.get("_core_")
        if core is None:
            if classes is None:
                raise ValueError("the first call to partial_fit needs classes=[...]")
            first = check_classes(classes)
            all_classes = np.unique(np.asarray(first))
            if len(all_classes) != len(first):
                raise ValueError("classes contains duplicates")
        else:
            all_classes = self.classes_
            if classes is not None and not np.array_equal(
                np.unique(np.asarray(check_classes(classes))), all_classes
            ):
                raise ValueError(
                    f"classes={list(classes)!r} differs from the classes of the first call "
                    f"{all_classes.tolist()!r}"
                )
        if isinstance(self.class_weight, str):
            raise ValueError("class_weight='balanced' is not supported by partial_fit; use a dict")
        if self.nb_scale:
            raise ValueError("nb_scale is not supported by partial_fit")
        _, codes, multilabel = encode_labels(y, n_rows, classes=all_classes)
        if not multilabel and len(all_classes) < 2:
            raise ValueError("classes must hold at least 2 labels")
        sw = sample_weights(
            sample_weight, self.class_weight, all_classes, codes, multilabel, n_rows
        )
        if core is None:
            core = _core.LinearModelCore.start_sgd(
                self._config(solver="sgd"), n_cols, codes, len(all_classes)
            )
            self._set_fitted(core, all_classes, multilabel)
        elif not core.can_partial_fit:
            raise ValueError(
                "this model was not trained with solver='sgd' (or used nb_scale); "
                "partial_fit cannot continue it"
            )
        if n_rows:
            core.partial_fit(parts, codes, len(all_classes), sw, self._l1_share())
        self.__dict__.pop("_coef_cache", None)
        return self

    def _set_fitted(self, core: Any, classes: np.ndarray, multilabel: bool) -> None:
        self._set_core(core)
        self.classes_ = classes
        self.multilabel_ = multilabel
        self.n_features_in_ = core.n_features
        if multilabel:
            self.thresholds_ = np.full(len(classes), 0.5 if core.has_proba else 0.0)
        self.__dict__.pop("_coef_cache", None)

    def _persist_state(self) -> dict[str, Any] | None:
        state: dict[str, Any] = {
            "classes": labels_to_json(self.classes_),
            "multilabel": bool(self.multilabel_),
        }
        if self.multilabel_:
            state["thresholds"] = [float(t) for t in self.thresholds_]
        return state

    def _restore_state(self, state: dict[str, Any]) -> None:
        self.classes_ = labels_from_json(state["classes"])
        self.multilabel_ = bool(state["multilabel"])
        core = self._fitted()
        self.n_features_in_ = core.n_features
        if not self.multilabel_ and len(self.classes_) < 2:
            raise ValueError("a classifier needs at least 2 classes")
        expected = len(self.classes_) if (self.multilabel_ or len(self.classes_) > 2) else 1
        if core.n_outputs != expected:
            raise ValueError("the number of classes does not match the model")
        if self.multilabel_:
            self.thresholds_ = np.asarray(state["thresholds"], dtype=np.float64)

    # -- prediction -------------------------------------------------------
    def _fitted(self) -> Any:
        core = self.__dict__.get("_core_")
        if core is None:
            raise NotFittedError(
                f"This {type(self).__name__} is not fitted yet; call fit (or partial_fit) first"
            )
        return core

    def _X(self, X: Any) -> Any:
        core = self._fitted()
        parts, _, n_cols = check_X(X)
        if n_cols != core.n_features:
            raise ValueError(
                f"X has {n_cols} features, but {type(self).__name__} was fitted with "
                f"{core.n_features}"
            )
        return parts

    def decision_function(self, X: Any) -> np.ndarray:
        """Decision values: shape (n,) for binary problems, else
        (n, n_classes)."""
        core = self._fitted()
        z = core.decision_function(self._X(X), n_jobs=check_n_jobs(self.n_jobs))
        return cast("np.ndarray", z[:, 0] if z.shape[1] == 1 and not self.multilabel_ else z)

    def _has_proba(self) -> bool:
        core = self.__dict__.get("_core_")
        if core is None:
            return self.loss in ("log", "modified_huber") or bool(self.probability)
        return bool(core.has_proba)

    def _unavailable_reason(self, name: str) -> str:
        return (
            f"loss={self.loss!r} gives no probabilities; use loss='log' or "
            "'modified_huber', or set probability=True (Platt scaling)"
        )

    @available_if(_has_proba)
    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n, n_classes); for multi-label, each
        label's independent probability."""
        core = self._fitted()
        return cast("np.ndarray", core.predict_proba(self._X(X), n_jobs=check_n_jobs(self.n_jobs)))

    @available_if(_has_proba)
    def predict_log_proba(self, X: Any) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return cast("np.ndarray", np.log(self.predict_proba(X)))

    def predict(self, X: Any) -> Any:
        """Labels: an array of class labels, or for multi-label a list of
        label lists (labels whose score passes ``thresholds_``)."""
        core = self._fitted()
        if self.multilabel_:
            scores = (
                self.predict_proba(X)
                if core.has_proba
                else core.decision_function(self._X(X), n_jobs=check_n_jobs(self.n_jobs))
            )
            hits = scores >= self.thresholds_[None, :]
            return [self.classes_[row].tolist() for row in hits]
        z = core.decision_function(self._X(X), n_jobs=check_n_jobs(self.n_jobs))
        if z.shape[1] == 1:
            idx = (z[:, 0] > 0).astype(np.intp)
        else:
            idx = z.argmax(axis=1)
        return self.classes_[idx]

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """Mean accuracy (subset accuracy for multi-label)."""
        pred = self.predict(X)
        truth = check_truth(y, len(pred))
        if self.multilabel_:
            pairs = zip(pred, truth, strict=True)
            right = np.array([set(p) == set(t) for p, t in pairs], dtype=float)
        else:
            right = np.asarray(pred == np.asarray(truth, dtype=pred.dtype), dtype=float)
        return float(np.average(right, weights=sample_weight))

    def tune_thresholds(self, X: Any, y: Any) -> LinearClassifier:
        """Multi-label: choose each label's threshold to maximise its F1 on
        held-out data ``(X, y)`` (never the training data, where scores are
        optimistic)."""
        core = self._fitted()
        if not self.multilabel_:
            raise ValueError("tune_thresholds applies to multi-label models only")
        _parts, n_rows, _ = check_X(X)
        _, (indptr, labels), multi = encode_labels(y, n_rows, classes=self.classes_)
        if not multi:
            raise ValueError("y must be a list of label lists")
        truth = np.zeros((n_rows, len(self.classes_)), dtype=bool)
        for i in range(n_rows):
            truth[i, labels[indptr[i] : indptr[i + 1]]] = True
        scores = (
            self.predict_proba(X)
            if core.has_proba
            else core.decision_function(self._X(X), n_jobs=check_n_jobs(self.n_jobs))
        )
        for k in range(len(self.classes_)):
            s, t = scores[:, k], truth[:, k]
            best, best_f1 = self.thresholds_[k], -1.0
            for cand in np.unique(s):
                p = s >= cand
                tp = float((p & t).sum())
                f1 = 2 * tp / max(float(p.sum() + t.sum()), 1.0)
                if f1 > best_f1:
                    best, best_f1 = cand, f1
            self.thresholds_[k] = best
        return self

    # -- fitted attributes -------------------------------------------------
    @property
    def coef_(self) -> np.ndarray:
        cache = self.__dict__.get("_coef_cache")
        if cache is None:
            cache = self._fitted().coef()
            self.__dict__["_coef_cache"] = cache
        return cast("np.ndarray", cache)

    @property
    def intercept_(self) -> np.ndarray:
        return cast("np.ndarray", self._fitted().intercept())

    @property
    def n_iter_(self) -> int:
        return int(self._fitted().n_iter)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        from sklearn.utils import ClassifierTags

        tags.classifier_tags = ClassifierTags(multi_label=True)
        tags.input_tags.sparse = True
        return tags

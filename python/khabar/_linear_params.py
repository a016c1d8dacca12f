"""`LinearClassifier` parameters checked and turned into the Rust core's
config: loss, solver choice, penalty and its L1 share, the seed. Errors
name the parameter.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_LOSSES = ("log", "hinge", "squared_hinge", "modified_huber")
_PENALTIES = ("l2", "l1", "elasticnet")
_DEFAULT_MAX_ITER = {"lbfgs": 200, "dcd": 1000, "sgd": 50}
_NUMBERS = ("C", "tol", "intercept_scaling", "eta0", "alpha", "validation_fraction")


def _resolve_solver(solver: str, loss: str, penalty: str = "l2") -> str:
    if solver == "auto":
        if penalty != "l2":
            return "sgd"  # the only solver with an L1 part
        return "dcd" if loss in ("hinge", "squared_hinge") else "lbfgs"
    return solver


def _seed(random_state: Any) -> int:
    if random_state is None:
        return 0
    if isinstance(random_state, np.random.RandomState):
        return int(random_state.randint(0, 2**31 - 1))
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        if random_state < 0:
            raise ValueError(f"random_state must be >= 0, got {random_state}")
        return int(random_state)
    raise TypeError(f"random_state must be None, an int or a RandomState, got {random_state!r}")


def _check_penalty(penalty: Any) -> str:
    if penalty not in _PENALTIES:
        raise ValueError(f"penalty must be one of {_PENALTIES}, got {penalty!r}")
    return str(penalty)


def l1_share(penalty: Any, l1_ratio: Any) -> float:
    """The L1 share of ``alpha`` that ``penalty`` and ``l1_ratio`` ask for
    (``l1_ratio`` only counts for ``"elasticnet"``, as in scikit-learn)."""
    penalty = _check_penalty(penalty)
    if penalty == "l2":
        return 0.0
    if penalty == "l1":
        return 1.0
    if isinstance(l1_ratio, bool) or not isinstance(l1_ratio, (int, float, np.number)):
        raise TypeError(f"l1_ratio must be a number, got {l1_ratio!r}")
    if not 0.0 <= float(l1_ratio) <= 1.0:
        raise ValueError(f"l1_ratio must be in [0, 1], got {l1_ratio!r}")
    return float(l1_ratio)


def linear_config(est: Any, solver: str | None = None) -> dict[str, Any]:
    """The core's config for estimator ``est`` (a ``LinearClassifier``),
    with ``solver`` overriding its own."""
    if est.loss not in _LOSSES:
        raise ValueError(f"loss must be one of {_LOSSES}, got {est.loss!r}")
    share = l1_share(est.penalty, est.l1_ratio)
    solver = _resolve_solver(solver or est.solver, est.loss, est.penalty)
    max_iter = est.max_iter
    if max_iter is None:
        max_iter = _DEFAULT_MAX_ITER.get(solver, 100)
    for name in _NUMBERS:
        v = getattr(est, name)
        if isinstance(v, bool) or not isinstance(v, (int, float, np.number)):
            raise TypeError(f"{name} must be a number, got {v!r}")
    return {
        "loss": est.loss,
        "solver": solver,
        "multi_class": est.multi_class,
        "C": float(est.C),
        "fit_intercept": bool(est.fit_intercept),
        "intercept_scaling": float(est.intercept_scaling),
        "max_iter": max_iter,
        "tol": float(est.tol),
        "random_state": _seed(est.random_state),
        "alpha": float(est.alpha),
        "eta0": float(est.eta0),
        "batch_size": est.batch_size,
        "early_stopping": bool(est.early_stopping),
        "validation_fraction": float(est.validation_fraction),
        "n_iter_no_change": est.n_iter_no_change,
        "l1_ratio": share,
    }

"""Pairs ``(headline_or_claim, body)`` in, and the dense pair features of
:class:`StancePairFeatures` out (re-exported by :mod:`khabar.stance`).

Kept apart from the classifier: the pair features are a transformer of
their own, usable in any scikit-learn pipeline.
"""

from __future__ import annotations

from typing import Any, cast

import numpy as np

from . import _core
from ._base import _SkBase, _SkTransformerMixin, check_n_jobs
from .entities import builtin_gazetteer_text
from .persistence import PersistMixin
from .preprocessing import _normalizer_config


def as_pairs(X: Any, name: str = "X") -> tuple[list[Any], list[Any]]:
    """``(headlines, bodies)`` from 2-tuples, an ``(n, 2)`` array or a
    two-column DataFrame; errors name the row.

    Raises ``TypeError`` for a bare string, a non-iterable or a row that is
    not a tuple/list (a set, a str, ``None``), and ``ValueError`` for a row
    that does not hold exactly two items or one pair given without its list.
    Non-str items are named by the Rust core (``headlines[i]``/``bodies[i]``).
    """
    if isinstance(X, (str, bytes)):
        raise TypeError(f"{name} must be pairs (headline, body), not a single {type(X).__name__}")
    if hasattr(X, "iloc") and hasattr(X, "columns"):  # DataFrame
        if X.shape[1] != 2:
            raise ValueError(f"{name} must have 2 columns (headline, body), got {X.shape[1]}")
        return list(X.iloc[:, 0]), list(X.iloc[:, 1])
    if isinstance(X, np.ndarray):
        if X.ndim != 2 or X.shape[1] != 2:
            raise ValueError(f"{name} must have shape (n, 2), got {X.shape}")
        return X[:, 0].tolist(), X[:, 1].tolist()
    heads: list[Any] = []
    bodies: list[Any] = []
    try:
        rows = list(X)
    except TypeError:
        raise TypeError(
            f"{name} must be a list of (headline, body) pairs, got {type(X).__name__}"
        ) from None
    if len(rows) == 2 and all(isinstance(r, str) for r in rows):
        # one pair given bare: ("headline", "body") instead of [("headline", "body")]
        raise ValueError(
            f"{name} looks like a single (headline, body) pair; wrap it in a list: [pair]"
        )
    for i, row in enumerate(rows):
        # sets and dicts have a length but no order (or keys instead of items)
        if isinstance(row, (str, bytes, set, frozenset, dict)) or not hasattr(row, "__getitem__"):
            raise TypeError(
                f"{name}[{i}] must be a (headline, body) pair (tuple or list), "
                f"got {type(row).__name__}"
            )
        if len(row) != 2:
            raise ValueError(
                f"{name}[{i}] must be a (headline, body) pair, got {type(row).__name__} "
                f"of length {len(row)}"
            )
        heads.append(row[0])
        bodies.append(row[1])
    return heads, bodies


def _gazetteer(entities: bool) -> list[str] | None:
    return [builtin_gazetteer_text()] if entities else None


class StancePairFeatures(PersistMixin, _SkTransformerMixin, _SkBase):
    """Dense features of how a body relates to its headline or claim.

    Word and stem overlap, headline n-gram (1-4) and character 4-gram hits
    in the whole body, its first 255 characters and its first sentence,
    TF-IDF cosine with the body and with its best-matching sentences (IDF
    fitted on the training texts), shared PER/LOC/ORG entities and numbers,
    refuting / hedging / reporting / negation cue counts (built-in Arabic and
    English lexicons), question marks, quotes and lengths — computed in
    Rust, in parallel, each distinct body once. See
    :meth:`get_feature_names_out`.

    Parameters
    ----------
    entities : bool, default True
        Entity-overlap features from the built-in gazetteer.
    normalizer : as elsewhere in khabar, default "arabic"
    n_jobs : int or None
    """

    _core_kind = "PairFeatures"

    def __init__(
        self, *, entities: bool = True, normalizer: Any = "arabic", n_jobs: int | None = None
    ) -> None:
        self.entities = entities
        self.normalizer = normalizer
        self.n_jobs = n_jobs

    def fit(self, X: Any, y: Any = None) -> StancePairFeatures:
        """Fit IDF on the distinct headlines and bodies of ``X``."""
        heads, bodies = as_pairs(X)
        if not heads:
            raise ValueError("cannot fit on 0 pairs")
        core = _core.PairFeaturesCore.fit(
            heads,
            bodies,
            _normalizer_config(self.normalizer),
            _gazetteer(bool(self.entities)),
            check_n_jobs(self.n_jobs),
        )
        self._set_core(core)
        return self

    def transform(self, X: Any) -> np.ndarray:
        """Features, shape ``(n_pairs, n_features)``, float32."""
        heads, bodies = as_pairs(X)
        return cast(
            "np.ndarray", self._fitted().transform(heads, bodies, check_n_jobs(self.n_jobs))
        )

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.asarray(_core.PairFeaturesCore.feature_names(), dtype=object)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        return tags

"""A statistical named-entity tagger: an averaged structured perceptron over
IOB2 tags, trained and run in Rust.

Features per token (see ``src/features/token_features.rs``): the normalised
word and its clitic-stripped stem, proclitics, character prefixes and
suffixes, shape, the words, stems, suffixes and shapes around it, word
bigrams, membership in the built-in gazetteer (names) and cue lists (given
names, titles such as الرئيس, head nouns such as وزارة / مدينة), and
optionally word clusters learnt from unlabelled text. Decoding is Viterbi
restricted to valid IOB2 sequences.

>>> import khabar as kb
>>> sents = [["قال", "أحمد", "حسن", "في", "بغداد"], ["وصل", "علي", "إلى", "دمشق"]] * 5
>>> tags = [["O", "B-PER", "I-PER", "O", "B-LOC"], ["O", "B-PER", "O", "B-LOC"]] * 5
>>> tagger = kb.EntityTagger(n_iter=5).fit(sents, tags)
>>> tagger.predict([["وصل", "محمد", "إلى", "القاهرة"]])
[['O', 'B-PER', 'O', 'B-LOC']]
>>> tagger.classes_
['LOC', 'PER']
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

from . import _core
from ._base import _SkBase, check_n_jobs
from ._progress import epoch_bar
from .entities import _user_tsv, builtin_gazetteer_text
from .metrics import entity_scores
from .persistence import PersistMixin
from .preprocessing import _normalizer_config, normalize

_DIGIT = re.compile(r"\d")


def builtin_cues_text() -> str:
    """The built-in tagger cue lists, as TSV text."""
    return resources.files("khabar").joinpath("data/tagger_cues.tsv").read_text("utf-8")


def _as_sentences(x: Any, name: str) -> list[list[Any]]:
    """A list of token lists (tuples and other sequences are copied)."""
    if isinstance(x, (str, bytes)):
        raise TypeError(f"{name} must be a list of token lists, not a single {type(x).__name__}")
    if not isinstance(x, Sequence) and not hasattr(x, "__iter__"):
        raise TypeError(f"{name} must be a list of token lists, got {type(x).__name__}")
    out = []
    for i, s in enumerate(x):
        if isinstance(s, (str, bytes)):
            raise TypeError(
                f"{name}[{i}] is a {type(s).__name__}; each sentence must be a list of tokens "
                "(split it first, e.g. khabar.tokenize(text))"
            )
        if not isinstance(s, (list, tuple)) and not hasattr(s, "tolist"):
            raise TypeError(f"{name}[{i}] is {type(s).__name__}, expected a list of str")
        out.append(list(s.tolist() if hasattr(s, "tolist") else s))
    return out


def _read_clusters(src: Any, normalizer: Any) -> tuple[list[str], int, list[int]]:
    """Clusters from a dict ``{word: id or [ids]}`` or a TSV(.gz) file of
    ``word<TAB>id[<TAB>id...]``, keyed the way the tagger normalises words."""
    rows: list[tuple[str, list[int]]] = []
    if isinstance(src, (str, os.PathLike)):
        path = Path(src)
        if not path.is_file():
            raise FileNotFoundError(f"word_clusters file not found: {path}")
        opener: Any = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                parts = line.rstrip("\r\n").split("\t")
                if len(parts) < 2 or not parts[0]:
                    raise ValueError(f"{path}:{n}: expected word<TAB>cluster id[<TAB>id...]")
                try:
                    rows.append((parts[0], [int(v) for v in parts[1:]]))
                except ValueError:
                    raise ValueError(f"{path}:{n}: cluster ids must be integers") from None
    elif isinstance(src, Mapping):
        for w, ids in src.items():
            if not isinstance(w, str):
                raise TypeError(f"word_clusters keys must be str, got {type(w).__name__}")
            rows.append((w, [ids] if isinstance(ids, int) else list(ids)))
    else:
        raise TypeError(
            f"word_clusters must be None, a dict or a path to a TSV file, got {type(src).__name__}"
        )
    if not rows:
        raise ValueError("word_clusters is empty")
    levels = len(rows[0][1])
    words: list[str] = []
    flat: list[int] = []
    seen: set[str] = set()
    for w, ids in rows:
        if len(ids) != levels:
            raise ValueError(f"word_clusters: {w!r} has {len(ids)} ids, the first word {levels}")
        if any(not isinstance(i, int) or not 0 <= i < 65535 for i in ids):
            raise ValueError(f"word_clusters: ids of {w!r} must be integers in [0, 65535)")
        key = _DIGIT.sub("0", normalize(w, normalizer)) or "∅"
        if key in seen:  # two spellings that normalise alike: the first wins
            continue
        seen.add(key)
        words.append(key)
        flat.extend(ids)
    return words, levels, flat


class EntityTagger(PersistMixin, _SkBase):
    """Averaged-perceptron IOB2 tagger for named entities.

    Parameters
    ----------
    n_iter : int, default 15
        Passes over the training sentences (chosen on our ANERcorp dev split).
    min_count : int, default 1
        Drop features seen in fewer training tokens.
    gazetteer : bool, dict or path, default True
        Gazetteer membership features: ``True`` for the built-in lists, a
        dict / TSV / JSON file as in :class:`EntityRecognizer` for your names
        plus the built-in ones, ``False`` for none.
    cues : bool, default True
        Features from the built-in cue lists (given names, titles, head nouns).
    word_clusters : None, dict or path
        Word clusters (``{word: id or [ids]}`` or a TSV(.gz) of
        ``word<TAB>id...``), e.g. from ``scripts/build_word_clusters.py``.
        A path is recorded in saved models as given; the clusters themselves
        are stored inside the model.
    normalizer : as elsewhere in khabar, default "arabic"
    o_penalty : float, default 0.0
        Subtracted from the score of ``O`` at every token when decoding:
        positive values find more entities (recall up, precision down). The
        weights are on the scale of perceptron updates; 8-16 moves recall by
        1-2 points on our dev split.
    random_state : int, default 0
        Seed of the per-pass shuffle; training is deterministic.
    n_jobs : int or None
        Threads for feature extraction and prediction.
    progress : bool or None, default None
        A tqdm bar over the training passes on stderr: ``None`` shows one
        for 20,000 training tokens or more when tqdm is installed, ``True``
        always, ``False`` never. It does not change the model, and Ctrl-C
        while it is shown stops the fit at the end of the current pass with
        ``KeyboardInterrupt``, leaving the estimator as it was (unfitted,
        if it was).

    Attributes
    ----------
    tags_ : list of str
        IOB2 tags (``O`` first).
    classes_ : list of str
        Entity types.
    n_features_ : int
        Distinct features learnt.
    train_errors_ : list of int
        Training tokens tagged wrongly in each pass (before its update).
    """

    _core_kind = "EntityTagger"
    _fit_hint = "call fit(sentences, tags) or use khabar.pretrained.load('ner-ar')"

    def __init__(
        self,
        *,
        n_iter: int = 15,
        min_count: int = 1,
        gazetteer: Any = True,
        cues: bool = True,
        word_clusters: Any = None,
        normalizer: Any = "arabic",
        o_penalty: float = 0.0,
        random_state: int = 0,
        n_jobs: int | None = None,
        progress: bool | None = None,
    ) -> None:
        self.n_iter = n_iter
        self.min_count = min_count
        self.gazetteer = gazetteer
        self.cues = cues
        self.word_clusters = word_clusters
        self.normalizer = normalizer
        self.o_penalty = o_penalty
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.progress = progress

    def _check_params(self) -> None:
        # upper bounds: Rust takes these as u32/u64, and an int beyond them
        # would surface as an OverflowError that names nothing
        for name in ("n_iter", "min_count"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v < 2**32:
                raise ValueError(f"{name} must be an integer in [1, 2**32), got {v!r}")
        rs = self.random_state
        if isinstance(rs, bool) or not isinstance(rs, int) or not 0 <= rs < 2**64:
            raise ValueError(f"random_state must be an integer in [0, 2**64), got {rs!r}")
        self._penalty()
        if not isinstance(self.cues, bool):
            raise TypeError(f"cues must be True or False, got {self.cues!r}")

    def _penalty(self) -> float:
        p = self.o_penalty
        if (
            isinstance(p, bool)
            or not isinstance(p, (int, float))
            or p != p
            or abs(p) == float("inf")
        ):
            raise ValueError(f"o_penalty must be a finite number, got {p!r}")
        return float(p)

    def _gazetteer_sources(self) -> list[str] | None:
        g = self.gazetteer
        if g is False or g is None:
            return None
        if g is True:
            return [builtin_gazetteer_text()]
        return [_user_tsv(g), builtin_gazetteer_text()]

    def fit(self, X: Any, y: Any) -> EntityTagger:
        """Train on token lists ``X`` and their IOB2 tag lists ``y``
        (``I-X`` that does not continue an ``X`` is read as ``B-X``)."""
        self._check_params()
        sents = _as_sentences(X, "X")
        tags = _as_sentences(y, "y")
        if len(sents) != len(tags):
            raise ValueError(f"X has {len(sents)} sentences but y has {len(tags)} tag lists")
        if not sents:
            raise ValueError("cannot fit on 0 sentences; X is empty")
        clusters = (
            None
            if self.word_clusters is None
            else _read_clusters(self.word_clusters, self.normalizer)
        )
        n_tokens = sum(len(s) for s in sents)
        with epoch_bar(self.progress, n_tokens, self.n_iter, "EntityTagger.fit") as on_epoch:
            core = _core.EntityTaggerCore.fit(
                sents,
                tags,
                _normalizer_config(self.normalizer),
                self._gazetteer_sources(),
                [builtin_cues_text()] if self.cues else None,
                clusters,
                self.n_iter,
                self.min_count,
                self.random_state,
                check_n_jobs(self.n_jobs),
                on_epoch,
            )
        self._set_core(core)
        return self

    @property
    def tags_(self) -> list[str]:
        return list(self._fitted().tags)

    @property
    def classes_(self) -> list[str]:
        return sorted({t[2:] for t in self.tags_ if t != "O"})

    @property
    def n_features_(self) -> int:
        return int(self._fitted().n_features)

    @property
    def train_errors_(self) -> list[int]:
        return list(self._fitted().errors)

    def predict(self, X: Any) -> list[list[str]]:
        """IOB2 tag lists for token lists ``X`` (one tag per token)."""
        core = self._fitted()
        sents = _as_sentences(X, "X")
        tags: list[list[str]] = core.predict(sents, check_n_jobs(self.n_jobs), self._penalty())
        return tags

    def score(self, X: Any, y: Any) -> float:
        """Entity-level micro-F1 (exact span and type, conlleval reading)."""
        return entity_scores(_as_sentences(y, "y"), self.predict(X))["micro"]["f1"]

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.target_tags.required = True
        return tags

"""Named entities: people, places, organisations, nationalities and titles
from gazetteers, and dates, money, percentages and numbers by pattern, in
Arabic and English news, offline.

>>> import khabar as kb
>>> [(e.surface, e.type, e.canonical) for e in kb.entities("وصل بومبيو إلى بغدادَ أمس")]
[('بومبيو', 'PER', 'مايك بومبيو'), ('بغدادَ', 'LOC', 'بغداد')]

Offsets index the original string (``text[e.start:e.end] == e.surface``),
through diacritics, tatweel and attached clitics («وبغداد» -> «بغداد»).
The built-in lists (``khabar/data/gazetteer.tsv``) were written for khabar
from general knowledge; canonical names are Arabic where one exists, with
English names and other spellings as variants.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import scipy.sparse as sp

from . import _core
from ._base import NotFittedError, _SkBase, _SkTransformerMixin, as_text_list, check_n_jobs
from .preprocessing import _check_text, _normalizer_config

ENTITY_TYPES = ("PER", "LOC", "ORG", "MISC", "TITLE")
#: Types found by pattern rather than by name lists.
PATTERN_TYPE_NAMES = ("DATE", "MONEY", "PERCENT", "NUMBER")
ALL_TYPES = ENTITY_TYPES + PATTERN_TYPE_NAMES


class Entity(NamedTuple):
    """One mention: ``text[start:end] == surface``."""

    start: int
    end: int
    type: str
    surface: str
    canonical: str


def builtin_gazetteer_text() -> str:
    """The built-in gazetteer, as TSV text (``TYPE<TAB>name<TAB>variants``)."""
    return resources.files("khabar").joinpath("data/gazetteer.tsv").read_text("utf-8")


def _user_tsv(user: Any) -> str:
    """Turn a user gazetteer (dict, or a TSV/JSON file path) into TSV text."""
    if user is None:
        return ""
    if isinstance(user, (str, os.PathLike)):
        path = Path(user)
        if not path.is_file():
            raise FileNotFoundError(f"user gazetteer file not found: {path}")
        try:
            text = path.read_text("utf-8")
            if path.suffix.lower() == ".json":
                return _user_tsv(json.loads(text))
        except UnicodeDecodeError as e:
            raise ValueError(f"user gazetteer {path}: not valid UTF-8 (byte {e.start})") from None
        except json.JSONDecodeError as e:
            raise ValueError(f"user gazetteer {path}: invalid JSON ({e})") from None
        return text
    if not isinstance(user, Mapping):
        raise TypeError(
            "user_gazetteer must be a dict {type: [names]} or {type: {name: [variants]}}, "
            f"or a path to a .tsv/.json file; got {type(user).__name__}"
        )
    lines = []
    for etype, names in user.items():
        if not isinstance(etype, str) or etype.upper() not in ENTITY_TYPES:
            raise ValueError(f"user_gazetteer type {etype!r} is not one of {ENTITY_TYPES}")
        items: Iterable[tuple[Any, Any]]
        if isinstance(names, Mapping):
            items = names.items()
        elif isinstance(names, (list, tuple, set)):
            items = ((n, ()) for n in names)
        else:
            raise TypeError(f"user_gazetteer[{etype!r}] must be a list of names or a dict")
        for name, variants in items:
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"user_gazetteer[{etype!r}] has an invalid name {name!r}")
            if isinstance(variants, str):
                variants = [variants]
            bad = [v for v in variants if not isinstance(v, str)]
            if bad:
                raise ValueError(f"user_gazetteer[{etype!r}][{name!r}] has non-str variants {bad}")
            for v in (name, *variants):
                if not v.isascii():
                    try:
                        v.encode("utf-8")
                    except UnicodeEncodeError:
                        raise ValueError(
                            f"user_gazetteer[{etype!r}] has a name with a lone surrogate, "
                            f"which is not valid Unicode: {v!r}"
                        ) from None
            fields = [name, *variants]
            if any(("\t" in f or "|" in f or "\n" in f) for f in fields):
                raise ValueError(f"names may not contain tabs, '|' or newlines: {fields!r}")
            lines.append(
                f"{etype.upper()}\t{name.strip()}\t{'|'.join(v.strip() for v in variants)}"
            )
    return "\n".join(lines)


class EntityRecognizer:
    """Find entity mentions with the built-in and user gazetteers.

    Parameters
    ----------
    builtin : bool, default True
        Use the built-in Arabic/English lists.
    user_gazetteer : dict, path or None
        ``{"PER": ["name", ...]}``, ``{"ORG": {"canonical": ["variant", ...]}}``,
        or a ``.tsv`` (``TYPE<TAB>name<TAB>variant|variant``) / ``.json`` file.
        User names take precedence over built-in ones. A missing file raises
        ``FileNotFoundError``; a file that is not UTF-8 (or not valid JSON),
        an unknown type or an invalid name raises ``ValueError``.
    types : iterable of str or None
        Keep only these types (default: all of PER, LOC, ORG, MISC, TITLE,
        DATE, MONEY, PERCENT, NUMBER). A bare str raises ``TypeError``.
    patterns : bool, default True
        Also find DATE (Arabic, Maghrebi, Levantine and English month and
        day names, numeric dates), MONEY, PERCENT and NUMBER by pattern;
        names from the gazetteers win where the two overlap.
    normalizer : as elsewhere in khabar, default "arabic"
        How names and text are normalised before matching.
    tagger : None, str or EntityTagger, default None
        A trained :class:`khabar.EntityTagger` (or the name of a bundled one,
        such as ``"ner-ar"``) whose mentions are merged with the gazetteer's:
        user names first, then longer mentions, and on equal length the
        gazetteer (it knows the canonical form). A tagger mention takes the
        canonical form of the longest listed name of its type inside it,
        else its normalised text. Note ``"ner-ar"`` is GPL-3.0 (its training
        data's licence).
    n_jobs : int or None
        Threads for :meth:`find_batch`.

    Matching is longest-first at token boundaries; Arabic proclitics
    (و ف ب ك ل ال لل) may precede a name. Short all-capital Latin names
    (US, UN) must match case exactly.
    """

    def __init__(
        self,
        *,
        builtin: bool = True,
        user_gazetteer: Any = None,
        types: Iterable[str] | None = None,
        patterns: bool = True,
        normalizer: Any = "arabic",
        tagger: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        self.patterns = patterns
        self.tagger = tagger
        self.builtin = builtin
        self.user_gazetteer = user_gazetteer
        if isinstance(types, str):
            # tuple("PER") would be ("P", "E", "R")
            raise TypeError(f"types must be a list of type names, e.g. [{types!r}], not a str")
        self.types = None if types is None else tuple(types)
        self.normalizer = normalizer
        self.n_jobs = n_jobs
        if self.types is not None:
            bad = [t for t in self.types if t not in ALL_TYPES]
            if bad:
                raise ValueError(f"unknown entity types {bad}; use some of {ALL_TYPES}")
        sources = [_user_tsv(user_gazetteer)]
        if builtin:
            sources.append(builtin_gazetteer_text())
        tagger_obj, penalty = _resolve_tagger(tagger)
        self._core = _core.GazetteerCore(
            sources, _normalizer_config(normalizer), tagger_obj, 1, penalty
        )

    def __len__(self) -> int:
        return len(self._core)

    def _wrap(self, text: str, found: list[tuple[int, int, str, str]]) -> list[Entity]:
        keep = self.types
        out = [Entity(s, e, t, text[s:e], c) for s, e, t, c in found]
        if self.patterns and (keep is None or any(t in PATTERN_TYPE_NAMES for t in keep)):
            taken = bytearray(len(text))
            for m in out:
                taken[m.start : m.end] = b"\x01" * (m.end - m.start)
            extra = [p for p in pattern_entities(text) if not any(taken[p.start : p.end])]
            out = sorted(out + extra)
        return [m for m in out if keep is None or m.type in keep]

    def find(self, text: str) -> list[Entity]:
        """Mentions in ``text``, left to right."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        _check_text(text)
        return self._wrap(text, self._core.find(text))

    __call__ = find

    def find_batch(self, texts: Any) -> list[list[Entity]]:
        """:meth:`find` for many texts, in parallel (rows named in errors)."""
        docs = as_text_list(texts, "texts")
        found = self._core.find_batch(docs, check_n_jobs(self.n_jobs))
        return [self._wrap(t, f) for t, f in zip(docs, found, strict=True)]

    _PARAMS = ("builtin", "user_gazetteer", "types", "patterns", "normalizer", "tagger", "n_jobs")

    def __getstate__(self) -> dict[str, Any]:
        # The compiled core cannot be pickled, and joblib/multiprocessing
        # pickle a recogniser to ship it to workers: keep the parameters and
        # compile again on load (a user gazetteer path is read again there).
        return {k: self.__dict__[k] for k in self._PARAMS}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(**state)  # type: ignore[misc]

    def __repr__(self) -> str:
        return (
            f"EntityRecognizer(builtin={self.builtin}, user_gazetteer="
            f"{'...' if self.user_gazetteer is not None else None}, types={self.types}, "
            f"tagger={_tagger_repr(self.tagger)}, "
            f"entries={len(self)})"
        )


def _tagger_repr(tagger: Any) -> str:
    return repr(tagger) if tagger is None or isinstance(tagger, str) else "<EntityTagger>"


def _resolve_tagger(tagger: Any) -> tuple[Any, float]:
    """The tagger core and its ``o_penalty`` for a ``tagger`` argument."""
    if tagger is None:
        return None, 0.0
    if isinstance(tagger, str):
        from . import pretrained

        tagger = pretrained.load(tagger)
    from .tagger import EntityTagger

    if not isinstance(tagger, EntityTagger):
        raise TypeError(
            f"tagger must be None, a bundled model name or a fitted EntityTagger, "
            f"got {type(tagger).__name__}"
        )
    return tagger._fitted(), tagger._penalty()


@lru_cache(maxsize=1)
def _default() -> EntityRecognizer:
    return EntityRecognizer()


def entities(text: str) -> list[Entity]:
    """Entity mentions in ``text`` with the default recogniser."""
    return _default().find(text)


class EntityCounter(_SkTransformerMixin, _SkBase):
    """Entity-count features for a scikit-learn pipeline.

    Per document: the number of mentions of each type in ``types`` and,
    with ``per_entity=True``, of each entity seen in at least ``min_df``
    training documents (columns ``"PER=مايك بومبيو"``, keyed by canonical
    name). ``normalize="per_100_tokens"`` divides counts by the document's
    length in hundreds of tokens. ``tagger`` adds a trained tagger's
    mentions, as in :class:`EntityRecognizer`. Output is a CSR matrix.

    >>> ec = EntityCounter(per_entity=True)
    >>> X = ec.fit_transform(["بومبيو في بغداد", "بغداد وطهران"])
    >>> ec.get_feature_names_out().tolist()[:4]
    ['PER', 'LOC', 'ORG', 'MISC']
    >>> X.toarray()[1, :4].tolist()
    [0.0, 2.0, 0.0, 0.0]
    """

    def __init__(
        self,
        *,
        types: Iterable[str] = ("PER", "LOC", "ORG", "MISC"),
        per_entity: bool = False,
        min_df: float | int = 1,
        normalize: str | None = None,
        builtin: bool = True,
        user_gazetteer: Any = None,
        normalizer: Any = "arabic",
        tagger: Any = None,
        n_jobs: int | None = None,
    ) -> None:
        self.types = types
        self.tagger = tagger
        self.per_entity = per_entity
        self.min_df = min_df
        self.normalize = normalize
        self.builtin = builtin
        self.user_gazetteer = user_gazetteer
        self.normalizer = normalizer
        self.n_jobs = n_jobs

    def _types(self) -> tuple[str, ...]:
        if isinstance(self.types, str):
            raise TypeError(f"types must be a list of type names, e.g. [{self.types!r}], not a str")
        types = tuple(self.types)
        bad = [t for t in types if t not in ENTITY_TYPES]
        if bad or not types:
            raise ValueError(f"types must be a non-empty subset of {ENTITY_TYPES}; got {types!r}")
        return types

    def _recognizer(self) -> EntityRecognizer:
        tagger = self.tagger
        tag_key = tagger if tagger is None or isinstance(tagger, str) else id(tagger)
        key = (self.builtin, repr(self.user_gazetteer), repr(self.normalizer), self.n_jobs, tag_key)
        cached = self.__dict__.get("_rec")
        if cached is None or cached[0] != key:
            rec = EntityRecognizer(
                builtin=self.builtin,
                user_gazetteer=self.user_gazetteer,
                normalizer=self.normalizer,
                tagger=self.tagger,
                n_jobs=self.n_jobs,
            )
            cached = (key, rec)
            self.__dict__["_rec"] = cached
        return cached[1]

    def _mentions(self, X: Any) -> tuple[list[Any], list[list[Entity]]]:
        if self.normalize not in (None, "per_100_tokens"):
            raise ValueError(f"normalize must be None or 'per_100_tokens', got {self.normalize!r}")
        docs = as_text_list(X, "X")
        types = set(self._types())
        found = self._recognizer().find_batch(docs)
        return docs, [[e for e in row if e.type in types] for row in found]

    def fit(self, X: Any, y: Any = None) -> EntityCounter:
        """Learn the per-entity columns (when ``per_entity``)."""
        docs, found = self._mentions(X)
        if not docs:
            raise ValueError("cannot fit on an empty corpus (0 documents)")
        vocab: list[str] = []
        if self.per_entity:
            md = self.min_df
            if isinstance(md, bool) or not isinstance(md, (int, float)) or md < 0:
                raise ValueError(f"min_df must be a non-negative int or a fraction, got {md!r}")
            need = md if isinstance(md, int) else md * len(docs)
            df: dict[str, int] = {}
            for row in found:
                for key in {f"{e.type}={e.canonical}" for e in row}:
                    df[key] = df.get(key, 0) + 1
            vocab = sorted(k for k, v in df.items() if v >= need)
        self.vocabulary_ = {k: i for i, k in enumerate(vocab)}
        return self

    def transform(self, X: Any) -> Any:
        """Entity counts, shape (n_documents, n_types + n_entities)."""
        if "vocabulary_" not in self.__dict__:
            raise NotFittedError("This EntityCounter is not fitted yet; call fit first")
        docs, found = self._mentions(X)
        types = self._types()
        tcol = {t: i for i, t in enumerate(types)}
        off = len(types)
        rows, cols, vals = [], [], []
        for i, (doc, row) in enumerate(zip(docs, found, strict=True)):
            counts: dict[int, float] = {}
            for e in row:
                counts[tcol[e.type]] = counts.get(tcol[e.type], 0.0) + 1.0
                j = self.vocabulary_.get(f"{e.type}={e.canonical}")
                if j is not None:
                    counts[off + j] = counts.get(off + j, 0.0) + 1.0
            scale = 1.0
            if self.normalize == "per_100_tokens" and counts:
                n_tok = len(_core.tokenize(doc))
                scale = 100.0 / max(n_tok, 1)
            for j, v in sorted(counts.items()):
                rows.append(i)
                cols.append(j)
                vals.append(v * scale)
        shape = (len(docs), off + len(self.vocabulary_))
        return sp.csr_matrix(
            (np.asarray(vals, dtype=np.float64), (np.asarray(rows, dtype=np.int64), cols)),
            shape=shape,
        )

    def get_feature_names_out(self, input_features: Any = None) -> Any:
        if "vocabulary_" not in self.__dict__:
            raise NotFittedError("This EntityCounter is not fitted yet; call fit first")
        names = list(self._types()) + sorted(self.vocabulary_, key=self.vocabulary_.__getitem__)
        return np.asarray(names, dtype=object)

    def __getstate__(self) -> dict[str, Any]:
        # the compiled gazetteer is rebuilt on demand, not pickled
        return {k: v for k, v in self.__dict__.items() if k != "_rec"}

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


# -- patterns: dates, money, percentages, numbers ------------------------------
_AR_MONTHS = (
    "يناير فبراير مارس أبريل ابريل إبريل مايو يونيو يوليو أغسطس اغسطس سبتمبر أكتوبر اكتوبر "
    "نوفمبر ديسمبر جانفي فيفري أفريل افريل ماي جوان جويلية أوت اوت كانون الثاني شباط آذار "
    "نيسان أيار حزيران تموز آب أيلول تشرين الأول"
).split()
_AR_MONTH_RE = (
    r"(?:كانون\s+(?:الثاني|الأول|الاول)|تشرين\s+(?:الثاني|الأول|الاول)|"
    + "|".join(m for m in _AR_MONTHS if m not in ("كانون", "الثاني", "تشرين", "الأول"))
    + ")"
)
_EN_MONTH_RE = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|"
    r"December|Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.)"
)
_DAYS_RE = (
    r"(?:(?:يوم\s+)?(?:ال)?(?:سبت|أحد|احد|اثنين|إثنين|ثلاثاء|أربعاء|اربعاء|خميس|جمعة)|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
)
_DIGIT = r"[0-9٠-٩۰-۹]"
_NUM = rf"{_DIGIT}+(?:[.,٫٬]{_DIGIT}+)*"
# Where a MONEY/PERCENT number may start: not inside a number. Without it
# `re` retries the failing `{_NUM}...suffix` at every digit of a long digit
# run (or "1.1.1..."), each time scanning to the run's end: quadratic time
# (a 20 KB run of digits took a minute). Such starts were never kept anyway
# (a match glued to a digit is dropped, and one inside a longer number is
# covered by the match at the number's start).
_NUM_START = rf"(?<!{_DIGIT})(?<!{_DIGIT}[.,٫٬])"
_CURRENCY_WORDS = (
    r"(?:دولارات|دولار|دينارا|دينار|يورو|ريالا|ريال|جنيها|جنيه|دراهم|درهم|ليرة|ليرات|"
    r"روبل|ين|يوان|dollars?|euros?|pounds?|dinars?|riyals?|dirhams?|USD|EUR|GBP|TND|IQD|SAR)"
)
_SCALE = r"(?:\s+(?:ألف|آلاف|مليون|ملايين|مليار|مليارات|billion|million|thousand|bn|m))?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "DATE",
        re.compile(
            rf"(?:{_DAYS_RE}\s+)?(?<!{_DIGIT}){_DIGIT}{{1,2}}\s+(?:{_AR_MONTH_RE}|{_EN_MONTH_RE})"
            rf"(?:\s+{_DIGIT}{{4}})?"
            rf"|(?:{_AR_MONTH_RE}|{_EN_MONTH_RE})\s+{_DIGIT}{{4}}"
            rf"|(?:{_AR_MONTH_RE}|{_EN_MONTH_RE})\s+{_DIGIT}{{1,2}}(?!{_DIGIT})"
            rf"(?:,?\s+{_DIGIT}{{4}})?"
            rf"|{_DIGIT}{{1,2}}[/.-]{_DIGIT}{{1,2}}[/.-]{_DIGIT}{{2,4}}"
            rf"|{_DIGIT}{{4}}-{_DIGIT}{{2}}-{_DIGIT}{{2}}"
            rf"|{_DAYS_RE}"
        ),
    ),
    (
        "MONEY",
        re.compile(
            rf"[$€£]\s?{_NUM}{_SCALE}"
            rf"|{_NUM_START}{_NUM}{_SCALE}\s*(?:{_CURRENCY_WORDS}|[$€£])"
        ),
    ),
    (
        "PERCENT",
        re.compile(
            rf"{_NUM_START}{_NUM}\s*(?:%|٪|\s(?:في\s+المئة|في\s+المائة|بالمئة|بالمائة|percent|per\s+cent))"
        ),
    ),
    ("NUMBER", re.compile(_NUM)),
]
PATTERN_TYPES = tuple(t for t, _ in _PATTERNS)


def _glued(c: str) -> bool:
    return c.isdigit() or (c.isascii() and c.isalnum())


def pattern_entities(text: str) -> list[Entity]:
    """DATE, MONEY, PERCENT and NUMBER mentions found by pattern, longest
    first and non-overlapping, in text order (``canonical`` is the surface
    with digits folded to ASCII)."""
    _check_text(text)
    spans: list[tuple[int, int, str]] = []
    taken = bytearray(len(text))
    for etype, pat in _PATTERNS:
        for m in pat.finditer(text):
            s, e = m.span()
            # never glued to other digits or Latin letters (Arabic clitics
            # such as و in «و٧٠» may touch), nor inside an earlier match
            if (s > 0 and _glued(text[s - 1])) or (e < len(text) and _glued(text[e])):
                continue
            if any(taken[s:e]):
                continue
            taken[s:e] = b"\x01" * (e - s)
            spans.append((s, e, etype))
    spans.sort()
    fold = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
    return [Entity(s, e, t, text[s:e], text[s:e].translate(fold)) for s, e, t in spans]

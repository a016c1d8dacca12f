"""The bad-input battery: every public entry point against hostile input.

Each case is one row of a table: (entry point, hostile input, expected
exception, regex its message must match) — or, where working is the right
answer, the call and the property its result must have. The rules:

* a documented exception (``TypeError``, ``ValueError``, a khabar exception
  such as ``ModelFormatError``, ``FileNotFoundError`` for paths) whose
  message names the parameter or the row;
* never a segfault, an abort, a hang or a Rust panic: every call goes
  through :func:`_guarded`, which fails the test if anything that is not an
  ``Exception`` escapes (pyo3's ``PanicException`` is a ``BaseException``),
  and the binding layer's last-resort "internal error" ``RuntimeError`` is
  never an accepted outcome;
* the command line answers bad input with one line on stderr, a non-zero
  exit and no traceback.

Cases marked ``xfail(strict=True)`` document a known gap whose fix is
pending in a module owned elsewhere; the reason says which. When the fix
lands the case passes, strict xfail turns that into a failure, and the
marker must go.
"""

from __future__ import annotations

import faulthandler
import gzip
import json
import pickle
import random
import re
import struct
import subprocess
import sys
import zlib
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import khabar as kb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.sparse as sp
from khabar import metrics
from khabar.datasets import read_conll
from khabar.entities import pattern_entities

# -- shared data -------------------------------------------------------------

DOCS = ["المنتخب يفوز بالمباراة", "الفريق يتأهل للنهائي", "البورصة ترتفع", "الدينار يتراجع"]
Y = ["sport", "sport", "economy", "economy"]
XM = sp.csr_matrix(np.array([[1.0, 0], [0.9, 0.1], [0, 1.0], [0.1, 0.8]]))

_HEADS = ["بومبيو يهدد بإغلاق السفارة", "الحكومة ترفع أسعار الوقود", "الرئيس يزور باريس"]
_OTHER = ["فاز الفريق بالمباراة أمس", "أمطار غزيرة في الشمال", "افتتاح معرض للكتاب"]
PAIRS: list[tuple[str, str]] = []
PAIR_Y: list[str] = []
for _h, _o in zip(_HEADS, _OTHER, strict=True):
    PAIRS += [(_h, "نفى مسؤول أن " + _h), (_h, "أكد مسؤول أن " + _h), (_h, _o)]
    PAIR_Y += ["disagree", "agree", "unrelated"]

SENTS = [["قال", "أحمد", "حسن", "في", "بغداد"], ["وصل", "علي", "إلى", "دمشق"]] * 3
TAGS = [["O", "B-PER", "I-PER", "O", "B-LOC"], ["O", "B-PER", "O", "B-LOC"]] * 3

#: ~10 MB (in characters; 18 MB of UTF-8) single document: Arabic words and
#: sentence punctuation, as one very long article.
BIG_CHARS = 10_000_000
#: 100,000 tiny documents, empty ones among them.
N_TINY = 100_000

# Every hostile input gets an id here as the tables are built, so the
# battery can report (and test) how many distinct inputs it tries.
HOSTILE: set[str] = set()


def _h(name: str) -> str:
    HOSTILE.add(name)
    return name


# -- the guard ---------------------------------------------------------------


def _guarded(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn``; fail the test if anything but an ``Exception`` escapes.

    pyo3 turns a Rust panic it did not catch into ``PanicException``, a
    ``BaseException``: ``except Exception`` in user code misses it and it
    takes a notebook cell down with it. khabar's bindings catch panics
    themselves and raise ``RuntimeError("internal error in khabar ...")``;
    that is a bug report, not an answer, so it fails the test too.
    """
    try:
        return fn(*args, **kwargs)
    except Exception as e:
        if isinstance(e, RuntimeError) and "internal error in khabar" in str(e):
            pytest.fail(f"a Rust panic was caught at the FFI boundary: {e}", pytrace=False)
        raise
    except BaseException as e:
        if isinstance(e, (KeyboardInterrupt, SystemExit, GeneratorExit)):
            raise
        pytest.fail(
            f"{type(e).__module__}.{type(e).__name__} (not an Exception) escaped: {e}",
            pytrace=False,
        )


def _expect(exc: type[BaseException], pattern: str, fn: Callable[..., Any], *args: Any) -> None:
    with pytest.raises(exc, match=pattern):
        _guarded(fn, *args)


@pytest.fixture(autouse=True)
def _no_hang() -> Iterator[None]:
    # A hang is a failure too: dump every thread's stack and stop the run
    # instead of waiting forever (no case takes more than a few seconds).
    faulthandler.dump_traceback_later(300, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _xfail(reason: str, raises: type[BaseException] | tuple[type[BaseException], ...]) -> Any:
    return pytest.mark.xfail(strict=True, raises=raises, reason=reason)


# -- fitted objects (built once) -------------------------------------------------


class Fitted:
    """The fitted estimators the battery calls, built on first use."""

    def __init__(self) -> None:
        self._cache: dict[str, Any] = {}

    def _get(self, key: str, build: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    @property
    def tv(self) -> kb.TextVectorizer:
        return self._get("tv", lambda: kb.TextVectorizer(ngram_range=(1, 2)).fit(DOCS))

    @property
    def hv(self) -> kb.HashingVectorizer:
        return self._get("hv", lambda: kb.HashingVectorizer(n_features=2**12))

    @property
    def tc(self) -> kb.TopicClassifier:
        return self._get("tc", lambda: kb.TopicClassifier(progress=False).fit(DOCS, Y))

    @property
    def lc(self) -> kb.LinearClassifier:
        return self._get("lc", lambda: kb.LinearClassifier().fit(XM, Y))

    @property
    def nb(self) -> kb.MultinomialNB:
        return self._get("nb", lambda: kb.MultinomialNB().fit(XM, Y))

    @property
    def cnb(self) -> kb.ComplementNB:
        return self._get("cnb", lambda: kb.ComplementNB().fit(XM, Y))

    @property
    def er(self) -> kb.EntityRecognizer:
        return self._get("er", kb.EntityRecognizer)

    @property
    def ec(self) -> kb.EntityCounter:
        return self._get("ec", lambda: kb.EntityCounter(per_entity=True).fit([*DOCS, "بغداد"]))

    @property
    def tg(self) -> kb.EntityTagger:
        return self._get("tg", lambda: kb.EntityTagger(n_iter=2).fit(SENTS, TAGS))

    @property
    def spf(self) -> kb.StancePairFeatures:
        return self._get("spf", lambda: kb.StancePairFeatures().fit(PAIRS))

    @property
    def st(self) -> kb.StanceClassifier:
        return self._get(
            "st", lambda: kb.StanceClassifier(max_iter=3, progress=False).fit(PAIRS, PAIR_Y)
        )


F = Fitted()


def _labels_for(X: Any) -> list[str]:
    """Two alternating labels, as many as ``X`` has rows (when it has a
    length), so a classifier's fit reaches the check of ``X`` itself."""
    try:
        n = X.shape[0] if hasattr(X, "shape") and len(X.shape) else len(X)
    except TypeError:
        n = 2
    return (["sport", "economy"] * (n // 2 + 1))[:n]


# =============================================================================
# 1. Collections of texts
# =============================================================================

#: (entry point, the parameter's name in messages about the whole input,
#: call). Row-level messages come from Rust and name the row ("[1]").
TEXT_LIST_ENTRIES: list[tuple[str, str, Callable[[Any], Any]]] = [
    ("TextVectorizer.fit", "raw_documents", lambda X: kb.TextVectorizer().fit(X)),
    (
        "TextVectorizer.fit_transform",
        "raw_documents",
        lambda X: kb.TextVectorizer().fit_transform(X),
    ),
    ("TextVectorizer.transform", "raw_documents", lambda X: F.tv.transform(X)),
    ("HashingVectorizer.transform", "X", lambda X: F.hv.transform(X)),
    ("Normalizer.transform", "X", lambda X: kb.Normalizer().transform(X)),
    (
        "TopicClassifier.fit",
        "X",
        lambda X: kb.TopicClassifier(progress=False).fit(X, _labels_for(X)),
    ),
    ("TopicClassifier.predict", "X", lambda X: F.tc.predict(X)),
    ("TopicClassifier.predict_proba", "X", lambda X: F.tc.predict_proba(X)),
    ("TopicClassifier.decision_function", "X", lambda X: F.tc.decision_function(X)),
    ("EntityRecognizer.find_batch", "texts", lambda X: F.er.find_batch(X)),
    ("EntityCounter.fit", "X", lambda X: kb.EntityCounter().fit(X)),
    ("EntityCounter.transform", "X", lambda X: F.ec.transform(X)),
]


#: (input id, factory, exception, regex with {p} for the parameter name, marks)
TEXT_LIST_ERRORS: list[tuple[str, Callable[[], Any], type[Exception], str, Any]] = [
    ("None", lambda: None, TypeError, r"{p} must be an iterable of str, not None", ()),
    ("NaN", lambda: float("nan"), TypeError, r"{p} must be an iterable of str, not float", ()),
    (
        "pd.NA",
        lambda: pd.NA,
        TypeError,
        r"{p} must be an iterable of str",
        (),
    ),
    ("int", lambda: 5, TypeError, r"{p} must be an iterable of str, not int", ()),
    ("bytes", lambda: "بغداد".encode(), TypeError, r"{p} must be .*not a single bytes", ()),
    (
        "bytearray",
        lambda: bytearray(b"abc"),
        TypeError,
        r"{p} must be .*not a single bytearray",
        (),
    ),
    (
        "bare str",
        lambda: "بومبيو في بغداد",
        TypeError,
        r"{p} must be .*single str; wrap it in a list",
        (),
    ),
    ("bare numpy str", lambda: np.str_("بغداد"), TypeError, r"{p} must be .*single str", ()),
    (
        "nested lists",
        lambda: [["بغداد", "طهران"], ["دمشق"]],
        TypeError,
        r"\[0\] is list, expected str",
        (),
    ),
    (
        "None row",
        lambda: ["بغداد", None],
        TypeError,
        r"\[1\] is NoneType, expected str.*fillna",
        (),
    ),
    (
        "NaN row",
        lambda: ["بغداد", float("nan")],
        TypeError,
        r"\[1\] is float, expected str.*NaN",
        (),
    ),
    ("pd.NA row", lambda: ["بغداد", pd.NA], TypeError, r"\[1\] is NAType, expected str", ()),
    ("bytes row", lambda: ["بغداد", b"x"], TypeError, r"\[1\] is bytes, expected str.*decode", ()),
    ("int row", lambda: ["بغداد", 3], TypeError, r"\[1\] is int, expected str", ()),
    ("bool row", lambda: ["بغداد", True], TypeError, r"\[1\] is bool, expected str", ()),
    ("float rows", lambda: [1.5, 2.5], TypeError, r"\[0\] is float, expected str", ()),
    ("dict row", lambda: ["بغداد", {"text": "x"}], TypeError, r"\[1\] is dict, expected str", ()),
    (
        "2-D array",
        lambda: np.array([["a", "b"], ["c", "d"]]),
        ValueError,
        r"{p} must be 1-dimensional",
        (),
    ),
    (
        "2-column DataFrame",
        lambda: pd.DataFrame({"a": ["x"], "b": ["y"]}),
        ValueError,
        r"{p} must be a 1-D collection.*DataFrame with 2 columns",
        (),
    ),
    (
        "Series with None",
        lambda: pd.Series(["بغداد", None]),
        TypeError,
        r"\[1\] is (float|NoneType|null)",
        (),
    ),
    (
        "string Series with NA",
        lambda: pd.Series(["بغداد", None], dtype="string"),
        TypeError,
        r"\[1\] is (NAType|null)",
        (),
    ),
    (
        "object array with NaN",
        lambda: np.array(["بغداد", np.nan], dtype=object),
        TypeError,
        r"\[1\] is float, expected str",
        (),
    ),
    (
        "Arrow array with null",
        lambda: pa.array(["بغداد", None]),
        TypeError,
        r"\[1\] is (null|NoneType)",
        (),
    ),
    ("Arrow int array", lambda: pa.array([1, 2]), TypeError, r"(type integer|\[0\] is int)", ()),
    (
        "Arrow binary array",
        lambda: pa.array([b"a", b"b"]),
        TypeError,
        r"(type binary|\[0\] is bytes)",
        (),
    ),
    (
        "lone high surrogate",
        lambda: ["بغداد", "a\ud800b"],
        ValueError,
        r"\[1\] contains a lone surrogate",
        (),
    ),
    (
        "lone low surrogate",
        lambda: ["بغداد", "\udc80"],
        ValueError,
        r"\[1\] contains a lone surrogate",
        (),
    ),
    (
        "surrogate pair as two code points",
        lambda: ["بغداد", "emoji \ud83d\ude00"],
        ValueError,
        r"\[1\] contains a lone surrogate",
        (),
    ),
]


def _text_list_error_cases() -> list[Any]:
    out = []
    for entry, p, call in TEXT_LIST_ENTRIES:
        for inp, factory, exc, pattern, marks in TEXT_LIST_ERRORS:
            case = f"{entry}[{_h(inp)}]"
            out.append(pytest.param(call, factory, exc, pattern.format(p=p), id=case, marks=marks))
    return out


@pytest.mark.parametrize(("call", "factory", "exc", "pattern"), _text_list_error_cases())
def test_text_collections_reject_hostile_input(call, factory, exc, pattern):
    _expect(exc, pattern, call, factory())


# -- collections where working is the right answer --------------------------------

_FITTERS = {
    "TextVectorizer.fit",
    "TextVectorizer.fit_transform",
    "TopicClassifier.fit",
    "EntityCounter.fit",
}


def _n_rows(result: Any) -> int:
    if sp.issparse(result) or isinstance(result, np.ndarray):
        return int(result.shape[0])
    return len(result)


def _case_ids(entries: list[tuple[str, str, Callable[[Any], Any]]], inp: str) -> list[Any]:
    out = []
    for entry, _p, call in entries:
        case = f"{entry}[{_h(inp)}]"
        out.append(pytest.param(entry, call, id=case))
    return out


@pytest.mark.parametrize(("entry", "call"), _case_ids(TEXT_LIST_ENTRIES, "empty list"))
def test_empty_collection(entry, call):
    if entry in _FITTERS:
        _expect(ValueError, r"empty corpus \(0 documents\)", call, [])
        return
    out = _guarded(call, [])
    assert _n_rows(out) == 0
    if sp.issparse(out) or (isinstance(out, np.ndarray) and out.ndim == 2):
        assert out.shape[1] > 0  # zero rows, but the fitted number of columns


@pytest.mark.parametrize(("entry", "call"), _case_ids(TEXT_LIST_ENTRIES, "empty strings only"))
def test_empty_strings_only(entry, call):
    docs = ["", "   ", "\n\t"]
    if entry in ("TextVectorizer.fit", "TextVectorizer.fit_transform", "TopicClassifier.fit"):
        _expect(ValueError, r"empty vocabulary", call, docs)
        return
    out = _guarded(call, docs)
    if isinstance(out, kb.EntityCounter):
        out = out.transform(docs)
    assert _n_rows(out) == 3
    if sp.issparse(out):
        assert out.nnz == 0 and out.shape[1] > 0
    elif entry == "Normalizer.transform":
        assert out == ["", "", ""]
    elif entry == "EntityRecognizer.find_batch":
        assert out == [[], [], []]


_CLEAN = "بومبيو في بغداد"
# RLM/LRM, bidi isolates, ZWJ/ZWNJ inside words, BOM, soft hyphen, ZWSP between words
_MARKED = "\u200fبوم\u200dبيو\u200e \u2067في\u2069 \ufeffبغ\u200cداد\u00ad\u200b"


@pytest.mark.parametrize(
    ("entry", "call"), _case_ids(TEXT_LIST_ENTRIES, "bidi marks and zero-width joiners")
)
def test_invisible_marks_change_nothing(entry, call):
    # The default "arabic" normaliser removes bidi marks, joiners, BOM and
    # soft hyphens and turns a zero-width space into a space (documented in
    # Normalizer), so marked text gives exactly the clean text's result.
    if entry in _FITTERS:
        a = _guarded(call, [_MARKED, "طهران"])
        b = _guarded(call, [_CLEAN, "طهران"])
        if entry == "TopicClassifier.fit":
            a, b = a.vectorizer_, b.vectorizer_
        if hasattr(a, "get_feature_names_out"):
            assert a.get_feature_names_out().tolist() == b.get_feature_names_out().tolist()
        if sp.issparse(a):
            assert (a != b).nnz == 0
        return
    a = _guarded(call, [_MARKED])
    b = _guarded(call, [_CLEAN])
    if entry == "Normalizer.transform":
        assert a == b == ["بومبيو في بغداد"]
    elif entry == "EntityRecognizer.find_batch":
        assert [(e.type, e.canonical) for e in a[0]] == [(e.type, e.canonical) for e in b[0]]
        assert [e.canonical for e in a[0]] == ["مايك بومبيو", "بغداد"]
        assert all(_MARKED[e.start : e.end] == e.surface for e in a[0])
    elif sp.issparse(a):
        assert (a != b).nnz == 0
    elif a.dtype.kind == "f":
        np.testing.assert_allclose(a, b)
    else:
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("entry", "call"), _case_ids(TEXT_LIST_ENTRIES, "NUL bytes"))
def test_nul_bytes_are_text(entry, call):
    # NUL is an ordinary (if odd) character: no truncation at it, no crash.
    docs = ["بغداد\x00طهران", "\x00", "a\x00\x00b"]
    out = _guarded(call, docs)
    if entry == "TopicClassifier.fit":
        out = out.vectorizer_
    if isinstance(out, kb.TextVectorizer):
        # the words on either side of a NUL are both learnt
        words = {n.split(":", 1)[-1] for n in out.get_feature_names_out()}
        assert {"بغداد", "طهران", "a", "b"} <= words
        return
    if isinstance(out, kb.EntityCounter):
        out = out.transform(docs)
    assert _n_rows(out) == 3
    if entry == "Normalizer.transform":
        assert out[0] == "بغداد\x00طهران"
    if entry == "EntityRecognizer.find_batch":
        assert [e.surface for e in out[0]] == ["بغداد", "طهران"]


_OTHER_CONTAINERS: list[tuple[str, Callable[[], Any]]] = [
    ("generator", lambda: (d for d in DOCS)),
    ("tuple", lambda: tuple(DOCS)),
    ("numpy str array", lambda: np.array(DOCS)),
    ("pandas Series", lambda: pd.Series(DOCS)),
    ("Arrow array", lambda: pa.array(DOCS)),
]


def _container_cases() -> list[Any]:
    out = []
    for entry, _p, call in TEXT_LIST_ENTRIES:
        if entry in _FITTERS:
            continue
        for inp, factory in _OTHER_CONTAINERS:
            case = f"{entry}[{_h(inp)}]"
            out.append(pytest.param(entry, call, factory, id=case))
    return out


@pytest.mark.parametrize(("entry", "call", "factory"), _container_cases())
def test_any_one_dimensional_container_works(entry, call, factory):
    a = _guarded(call, factory())
    b = _guarded(call, list(DOCS))
    if sp.issparse(a):
        assert (a != b).nnz == 0
    elif isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    else:
        assert a == b


@pytest.fixture(scope="module")
def tiny_docs() -> list[str]:
    rng = random.Random(0)
    words = ["بغداد", "a", "", "ب", "x y", "١٢٣", "#وسم", " "]
    return [rng.choice(words) for _ in range(N_TINY)]


_TINY_ENTRIES = [
    e
    for e in TEXT_LIST_ENTRIES
    if e[0] not in _FITTERS and e[0] != "TopicClassifier.decision_function"
]


@pytest.mark.parametrize(("entry", "call"), _case_ids(_TINY_ENTRIES, "100k tiny documents"))
def test_100k_tiny_documents(entry, call, tiny_docs):
    out = _guarded(call, tiny_docs)
    assert _n_rows(out) == N_TINY
    if entry == "Normalizer.transform":
        assert out[:3] == [kb.normalize(d) for d in tiny_docs[:3]]
    if sp.issparse(out):
        # the empty documents (and the single blank) are empty rows
        empty = [i for i, d in enumerate(tiny_docs) if not d.strip()]
        assert empty and not np.diff(out.indptr)[empty].any()


def test_100k_tiny_documents_fit(tiny_docs):
    X = _guarded(kb.TextVectorizer().fit_transform, tiny_docs)
    assert X.shape[0] == N_TINY
    assert set(kb.TextVectorizer().fit(tiny_docs).get_feature_names_out()) == {
        "بغداد",
        "a",
        "ب",
        "x",
        "y",
        "123",
        "#وسم",
    }


@pytest.fixture(scope="module")
def big_doc() -> str:
    unit = "بومبيو يهدد بإغلاق السفارة في بغداد، وواشنطن ترد. "
    return (unit * (BIG_CHARS // len(unit) + 1))[:BIG_CHARS]


_BIG_ENTRIES: list[tuple[str, Callable[[str], Any], Callable[[Any], None]]] = [
    ("normalize", kb.normalize, lambda r: r.startswith("بومبيو يهدد باغلاق")),
    ("tokenize", kb.tokenize, lambda r: r[:3] == ["بومبيو", "يهدد", "بإغلاق"]),
    ("Normalizer.transform", lambda d: kb.Normalizer().transform([d]), lambda r: len(r) == 1),
    (
        "HashingVectorizer.transform",
        lambda d: kb.HashingVectorizer(ngram_range=(1, 2)).transform([d]),
        lambda r: r.shape == (1, 2**20) and 0 < r.nnz < 100,
    ),
    (
        "TextVectorizer.transform",
        lambda d: F.tv.transform([d]),
        lambda r: r.shape == (1, F.tv.n_features_out_),
    ),
    ("TopicClassifier.predict", lambda d: F.tc.predict([d]), lambda r: r.tolist()[0] in Y),
]


@pytest.mark.parametrize(
    ("fn", "check"),
    [pytest.param(f, c, id=f"{n}[{_h('10 MB document')}]") for n, f, c in _BIG_ENTRIES],
)
def test_10mb_document(fn, check, big_doc):
    result = _guarded(fn, big_doc)
    assert check(result)


def test_2mb_document_entities(big_doc):
    # Entity search runs the gazetteer and the DATE/MONEY/PERCENT patterns
    # (linear, but ~1 s per MB), so a fifth of the big document.
    doc = big_doc[: BIG_CHARS // 5]
    found = _guarded(kb.entities, doc)
    assert found and all(doc[e.start : e.end] == e.surface for e in found)
    assert {e.canonical for e in found} >= {"مايك بومبيو", "بغداد", "واشنطن"}


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param("7" * 200_000, id=_h("200k-digit number")),
        pytest.param("1," * 100_000, id=_h("100k comma-separated digits")),
        pytest.param("ب" * 300_000, id=_h("300k-letter word")),
        pytest.param("http://" + "a" * 500_000, id=_h("500 kB URL")),
        pytest.param("@" * 200_000 + "#" * 200_000, id=_h("400k @ and # signs")),
    ],
)
def test_degenerate_long_runs_finish(doc):
    # Inputs that make naive regexes backtrack (quadratic or worse): each
    # must finish, with mentions whose offsets point into the text.
    for fn in (
        kb.entities,
        kb.tokenize,
        lambda d: F.hv.transform([d]),
        lambda d: F.tc.predict([d]),
    ):
        out = _guarded(fn, doc)
        assert out is not None
    found = _guarded(pattern_entities, doc)
    assert all(doc[e.start : e.end] == e.surface for e in found)


# =============================================================================
# 2. Single texts
# =============================================================================

SINGLE_TEXT_ENTRIES: list[tuple[str, Callable[[Any], Any]]] = [
    ("normalize", kb.normalize),
    ("normalize(normalizer=dict)", lambda t: kb.normalize(t, normalizer={"fold_alef": False})),
    ("tokenize", kb.tokenize),
    ("tokenize_with_offsets", kb.tokenize_with_offsets),
    ("Normalizer.__call__", lambda t: kb.Normalizer()(t)),
    ("entities", kb.entities),
    ("EntityRecognizer.find", lambda t: F.er.find(t)),
    ("pattern_entities", pattern_entities),
    ("TopicClassifier.explain", lambda t: F.tc.explain(t)),
]


SINGLE_TEXT_ERRORS: list[tuple[str, Any, type[Exception], str]] = [
    ("None", None, TypeError, r"text must be a? ?str, got NoneType"),
    ("NaN", float("nan"), TypeError, r"text must be a? ?str, got float"),
    ("pd.NA", pd.NA, TypeError, r"text must be a? ?str, got NAType"),
    ("bytes", "بغداد".encode(), TypeError, r"text must be a? ?str, got bytes"),
    ("int", 5, TypeError, r"text must be a? ?str, got int"),
    ("list", ["بغداد"], TypeError, r"text must be a? ?str, got list"),
    ("bytearray", bytearray(b"x"), TypeError, r"text must be a? ?str, got bytearray"),
    ("lone high surrogate", "بغداد\ud800", ValueError, r"lone surrogate"),
    ("lone low surrogate", "\udc80abc", ValueError, r"lone surrogate"),
]


def _single_text_cases() -> list[Any]:
    out = []
    for entry, fn in SINGLE_TEXT_ENTRIES:
        for inp, value, exc, pattern in SINGLE_TEXT_ERRORS:
            case = f"{entry}[{_h(inp)}]"
            marks: Any = ()
            if entry == "TopicClassifier.explain" and "surrogate" in inp:
                marks = ()
                pattern = r"text contains a lone surrogate"
            out.append(pytest.param(fn, value, exc, pattern, id=case, marks=marks))
    return out


@pytest.mark.parametrize(("fn", "value", "exc", "pattern"), _single_text_cases())
def test_single_text_rejects_hostile_input(fn, value, exc, pattern):
    _expect(exc, pattern, fn, value)


def _single_ok(inp: str) -> list[Any]:
    out = []
    for entry, fn in SINGLE_TEXT_ENTRIES:
        case = f"{entry}[{_h(inp)}]"
        out.append(pytest.param(entry, fn, id=case))
    return out


@pytest.mark.parametrize(("entry", "fn"), _single_ok("empty string"))
def test_single_empty_string(entry, fn):
    out = _guarded(fn, "")
    assert out in ("", [])


@pytest.mark.parametrize(("entry", "fn"), _single_ok("numpy str scalar"))
def test_single_numpy_str(entry, fn):
    assert _guarded(fn, np.str_("بغداد")) == _guarded(fn, "بغداد")


@pytest.mark.parametrize(("entry", "fn"), _single_ok("NUL bytes"))
def test_single_nul_bytes(entry, fn):
    text = "بغداد\x00طهران"
    out = _guarded(fn, text)
    if entry.startswith("normalize") or entry == "Normalizer.__call__":
        assert out == text  # not truncated at the NUL
    elif entry in ("entities", "EntityRecognizer.find"):
        assert [e.surface for e in out] == ["بغداد", "طهران"]
    elif entry == "tokenize":
        assert out[0] == "بغداد" and out[-1] == "طهران"
    elif entry == "tokenize_with_offsets":
        assert all(text[s:e] == tok for tok, s, e, _ in out)


@pytest.mark.parametrize(("entry", "fn"), _single_ok("bidi marks and zero-width joiners"))
def test_single_invisible_marks(entry, fn):
    out = _guarded(fn, _MARKED)
    if entry in ("normalize", "Normalizer.__call__", "normalize(normalizer=dict)"):
        assert out == _CLEAN  # documented: removed, a ZWSP becomes a space (then trimmed)
    elif entry in ("entities", "EntityRecognizer.find"):
        assert [(e.type, e.canonical) for e in out] == [
            ("PER", "مايك بومبيو"),
            ("LOC", "بغداد"),
        ]
        assert all(_MARKED[e.start : e.end] == e.surface for e in out)
    elif entry == "tokenize_with_offsets":
        assert all(_MARKED[s:e] == tok for tok, s, e, _ in out)
        # a joiner inside a word keeps it one token
        assert "بوم\u200dبيو" in [tok for tok, *_ in out]
    elif entry == "tokenize":
        assert kb.tokenize(_MARKED, normalizer="arabic") == ["بومبيو", "في", "بغداد"]


# =============================================================================
# 3. Parameters
# =============================================================================

_TOPIC = lambda **kw: kb.TopicClassifier(progress=False, **kw).fit(DOCS, Y)  # noqa: E731

NGRAM_ESTIMATORS: list[tuple[str, Callable[[Any], Any]]] = [
    ("TextVectorizer(ngram_range)", lambda r: kb.TextVectorizer(ngram_range=r).fit(DOCS)),
    (
        "TextVectorizer(analyzer=[(char, range)])",
        lambda r: kb.TextVectorizer(analyzer=[("char", r)]).fit(DOCS),
    ),
    (
        "HashingVectorizer(ngram_range)",
        lambda r: kb.HashingVectorizer(ngram_range=r).transform(DOCS),
    ),
    ("TopicClassifier(word_ngram_range)", lambda r: _TOPIC(word_ngram_range=r)),
    ("TopicClassifier(char_ngram_range)", lambda r: _TOPIC(char_ngram_range=r)),
]

NGRAM_BAD: list[tuple[str, Any, type[Exception], str]] = [
    ("negative min_n", (-1, 2), ValueError, r"ngram_range=\(-1, 2\) is invalid"),
    ("negative range", (-3, -1), ValueError, r"ngram_range=\(-3, -1\) is invalid"),
    ("zero min_n", (0, 1), ValueError, r"ngram_range=\(0, 1\) is invalid"),
    ("reversed range", (3, 1), ValueError, r"ngram_range=\(3, 1\) is invalid"),
    ("huge max_n", (1, 10**6), ValueError, r"ngram_range.*<= 64"),
    ("huge min_n", (10**6, 10**6), ValueError, r"ngram_range.*<= 64"),
    ("max_n = 2**63-1", (1, 2**63 - 1), ValueError, r"ngram_range.*<= 64"),
    ("max_n = 2**64", (1, 2**64), ValueError, r"ngram_range"),
    (
        "float bounds",
        (1.0, 2.0),
        ValueError,
        r"ngram_range must be a \(min_n, max_n\) pair of ints",
    ),
    ("bool bounds", (True, True), ValueError, r"ngram_range must be a \(min_n, max_n\) pair"),
    ("one bound", (1,), ValueError, r"ngram_range must be a \(min_n, max_n\) pair"),
    ("three bounds", (1, 2, 3), ValueError, r"ngram_range must be a \(min_n, max_n\) pair"),
    ("str range", "12", ValueError, r"ngram_range must be a \(min_n, max_n\) pair"),
]


def _ngram_cases() -> list[Any]:
    out = []
    for entry, fn in NGRAM_ESTIMATORS:
        for inp, value, exc, pattern in NGRAM_BAD:
            case = f"{entry}[{_h('ngram_range ' + inp)}]"
            marks = ()
            out.append(pytest.param(fn, value, exc, pattern, id=case, marks=marks))
    return out


@pytest.mark.parametrize(("fn", "value", "exc", "pattern"), _ngram_cases())
def test_bad_ngram_range(fn, value, exc, pattern):
    _expect(exc, pattern, fn, value)


@pytest.mark.parametrize(
    ("value", "exc", "pattern"),
    [
        pytest.param(0, ValueError, r"n_features=0 is out of range", id=_h("n_features=0")),
        pytest.param(-1, ValueError, r"n_features=-1 is out of range", id=_h("n_features=-1")),
        pytest.param(
            2**31, ValueError, r"n_features=2147483648 is out of range", id=_h("n_features=2**31")
        ),
        pytest.param(
            2**64, ValueError, r"n_features=\d+ is out of range", id=_h("n_features=2**64")
        ),
        pytest.param(1.5, TypeError, r"n_features must be an int", id=_h("n_features=1.5")),
        pytest.param(None, TypeError, r"n_features must be an int", id=_h("n_features=None")),
        pytest.param(True, TypeError, r"n_features must be an int", id=_h("n_features=True")),
        pytest.param("1024", TypeError, r"n_features must be an int", id=_h("n_features='1024'")),
    ],
)
def test_bad_n_features(value, exc, pattern):
    _expect(exc, pattern, kb.HashingVectorizer(n_features=value).transform, DOCS)
    _expect(exc, pattern, kb.HashingVectorizer(n_features=value).fit)


@pytest.mark.parametrize(
    "n", [pytest.param(1, id=_h("n_features=1")), pytest.param(2**31 - 1, id="n_features=2**31-1")]
)
def test_extreme_valid_n_features(n):
    X = _guarded(kb.HashingVectorizer(n_features=n).transform, DOCS)
    assert X.shape == (len(DOCS), n)
    assert X.indices.max() < n


#: entry points that take n_jobs, called with the estimator built with it
N_JOBS_ENTRIES: list[tuple[str, Callable[[Any], Any]]] = [
    ("TextVectorizer.fit", lambda n: kb.TextVectorizer(n_jobs=n).fit(DOCS)),
    ("TextVectorizer.transform", lambda n: F.tv.set_params(n_jobs=n).transform(DOCS)),
    ("HashingVectorizer.transform", lambda n: kb.HashingVectorizer(n_jobs=n).transform(DOCS)),
    ("Normalizer.transform", lambda n: kb.Normalizer(n_jobs=n).transform(DOCS)),
    ("TopicClassifier.fit", lambda n: _TOPIC(n_jobs=n)),
    ("LinearClassifier.fit", lambda n: kb.LinearClassifier(n_jobs=n).fit(XM, Y)),
    ("MultinomialNB.predict", lambda n: kb.MultinomialNB(n_jobs=n).fit(XM, Y).predict(XM)),
    ("EntityRecognizer.find_batch", lambda n: kb.EntityRecognizer(n_jobs=n).find_batch(DOCS)),
    ("EntityCounter.fit_transform", lambda n: kb.EntityCounter(n_jobs=n).fit_transform(DOCS)),
    ("EntityTagger.fit", lambda n: kb.EntityTagger(n_iter=1, n_jobs=n).fit(SENTS, TAGS)),
    ("StancePairFeatures.fit", lambda n: kb.StancePairFeatures(n_jobs=n).fit(PAIRS)),
]


N_JOBS_BAD: list[tuple[str, Any, type[Exception], str, Any]] = [
    ("n_jobs=0", 0, ValueError, r"n_jobs=0 is not valid", ()),
    ("n_jobs=1.5", 1.5, TypeError, r"n_jobs must be an int or None, got float", ()),
    ("n_jobs='2'", "2", TypeError, r"n_jobs must be an int or None, got str", ()),
    ("n_jobs=True", True, TypeError, r"n_jobs must be an int or None, got bool", ()),
    ("n_jobs=2**64", 2**64, ValueError, r"n_jobs", ()),
]


def _n_jobs_cases() -> list[Any]:
    out = []
    for entry, fn in N_JOBS_ENTRIES:
        for inp, value, exc, pattern, marks in N_JOBS_BAD:
            case = f"{entry}[{_h(inp)}]"
            out.append(pytest.param(fn, value, exc, pattern, id=case, marks=marks))
    return out


@pytest.mark.parametrize(("fn", "value", "exc", "pattern"), _n_jobs_cases())
def test_bad_n_jobs(fn, value, exc, pattern):
    try:
        _expect(exc, pattern, fn, value)
    finally:
        F.tv.set_params(n_jobs=None)


@pytest.mark.parametrize(
    "n", [pytest.param(-1, id=_h("n_jobs=-1")), pytest.param(10**6, id=_h("n_jobs=10**6"))]
)
def test_odd_but_valid_n_jobs(n):
    # -1 means every core; more threads than cores are capped, not an error
    a = _guarded(kb.TextVectorizer(n_jobs=n).fit_transform, DOCS)
    b = kb.TextVectorizer(n_jobs=1).fit_transform(DOCS)
    assert (a != b).nnz == 0


# =============================================================================
# 4. Labels: one class, mismatched lengths, missing and unseen labels
# =============================================================================

#: classifiers' fit, called as fit(X, y) with their own kind of X
CLASSIFIERS: list[tuple[str, Callable[[Any], Any]]] = [
    ("TopicClassifier.fit", lambda y: kb.TopicClassifier(progress=False).fit(DOCS, y)),
    ("LinearClassifier.fit", lambda y: kb.LinearClassifier().fit(XM, y)),
    ("MultinomialNB.fit", lambda y: kb.MultinomialNB().fit(XM, y)),
    ("ComplementNB.fit", lambda y: kb.ComplementNB().fit(XM, y)),
    ("StanceClassifier.fit", lambda y: kb.StanceClassifier(max_iter=2).fit(PAIRS[:4], y)),
]

Y_BAD: list[tuple[str, Any, type[Exception], str]] = [
    ("one-class training set", ["a"] * 4, ValueError, r"y has a single class \(.*'a'.*\)"),
    ("y shorter than X", Y[:3], ValueError, r"X has 4 rows but y has 3 labels"),
    ("y longer than X", [*Y, "sport"], ValueError, r"X has 4 rows but y has 5 labels"),
    ("y None", None, TypeError, r"y is None"),
    ("y bare str", "ssee", TypeError, r"y must be a sequence of labels, not a single str"),
    ("y int", 4, TypeError, r"y must be a sequence of labels, got int"),
    ("y with None", ["a", None, "b", "a"], ValueError, r"y\[1\] is missing \(None\)"),
    ("y with NaN", ["a", float("nan"), "b", "a"], ValueError, r"y\[1\] is missing \(nan\)"),
    ("y with pd.NA", ["a", pd.NA, "b", "a"], ValueError, r"y\[1\] is missing \(<NA>\)"),
    ("y 2-D", np.array([["a"], ["b"], ["a"], ["b"]]), ValueError, r"y must be 1-dimensional"),
    ("y empty label lists", [[], [], [], []], ValueError, r"y has no labels at all"),
    ("y unorderable labels", [{"a": 1}] * 4, TypeError, r"labels must be mutually comparable"),
]


def _y_cases() -> list[Any]:
    out = []
    for entry, fn in CLASSIFIERS:
        for inp, y, exc, pattern in Y_BAD:
            case = f"{entry}[{_h(inp)}]"
            marks: Any = ()
            if entry == "TopicClassifier.fit" and inp == "y None":
                marks = ()
            out.append(pytest.param(fn, y, exc, pattern, id=case, marks=marks))
    return out


@pytest.mark.parametrize(("fn", "y", "exc", "pattern"), _y_cases())
def test_bad_labels_at_fit(fn, y, exc, pattern):
    _expect(exc, pattern, fn, y)


#: score(X, y) of every classifier
SCORERS: list[tuple[str, Callable[[Any], Any], Any]] = [
    (
        "TopicClassifier.score",
        lambda y: F.tc.score(DOCS, y),
        None,
    ),
    (
        "LinearClassifier.score",
        lambda y: F.lc.score(XM, y),
        None,
    ),
    ("MultinomialNB.score", lambda y: F.nb.score(XM, y), None),
    ("ComplementNB.score", lambda y: F.cnb.score(XM, y), None),
    ("StanceClassifier.score", lambda y: F.st.score(PAIRS[:4], y), None),
]

SCORE_BAD: list[tuple[str, Any, type[Exception], str]] = [
    ("y None", None, TypeError, r"y is None"),
    ("y int", 4, TypeError, r"y must be a sequence of labels, got int"),
    ("y bare str", "ssee", TypeError, r"y must be a sequence of labels, not a single str"),
    ("y with None", ["a", None, "b", "a"], ValueError, r"y\[1\] is missing"),
    ("y with pd.NA", ["a", pd.NA, "b", "a"], ValueError, r"y\[1\] is missing"),
    ("y shorter than X", ["a"] * 3, ValueError, r"X has 4 \w+ but y has 3 labels"),
]
# what a pending case fails with today: a wrong message (AssertionError from
# pytest.raises' match), another exception type, or no exception at all
_TODAY = (AssertionError, TypeError, ValueError, pytest.fail.Exception)


def _score_cases() -> list[Any]:
    out = []
    for entry, fn, pending in SCORERS:
        for inp, y, exc, pattern in SCORE_BAD:
            case = f"{entry}[{_h(inp)}]"
            marks: Any = ()
            if pending and inp != "y shorter than X":
                marks = _xfail(pending, _TODAY)
            out.append(pytest.param(fn, y, exc, pattern, id=case, marks=marks))
    return out


@pytest.mark.parametrize(("fn", "y", "exc", "pattern"), _score_cases())
def test_bad_labels_at_score(fn, y, exc, pattern):
    _expect(exc, pattern, fn, y)


@pytest.mark.parametrize(
    ("entry", "fn", "expected"),
    [
        pytest.param(
            "TopicClassifier.score",
            lambda: F.tc.score(DOCS, ["sport", "sport", "economy", "crime"]),
            0.75,
            id=_h("unseen label at score") + "-topic",
        ),
        pytest.param(
            "LinearClassifier.score",
            lambda: F.lc.score(XM, ["sport", "sport", "economy", "crime"]),
            0.75,
            id="unseen label at score-linear",
        ),
        pytest.param(
            "MultinomialNB.score",
            lambda: F.nb.score(XM, ["sport", "sport", "economy", "crime"]),
            0.75,
            id="unseen label at score-nb",
        ),
    ],
)
def test_unseen_label_at_score_counts_as_wrong(entry, fn, expected):
    assert _guarded(fn) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("fn", "exc", "pattern"),
    [
        pytest.param(
            lambda: (
                kb.LinearClassifier()
                .partial_fit(XM, Y, classes=["sport", "economy"])
                .partial_fit(XM, ["sport", "crime", "economy", "economy"])
            ),
            ValueError,
            r"y\[1\] = 'crime' is not one of the classes",
            id="LinearClassifier.partial_fit[" + _h("unseen label at partial_fit") + "]",
        ),
        pytest.param(
            lambda: (
                kb.MultinomialNB()
                .partial_fit(XM, Y, classes=["sport", "economy"])
                .partial_fit(XM, ["sport", "crime", "economy", "economy"])
            ),
            ValueError,
            r"y\[1\] = 'crime' is not one of the classes",
            id="MultinomialNB.partial_fit[unseen label at partial_fit]",
        ),
        pytest.param(
            lambda: kb.LinearClassifier().partial_fit(XM, Y),
            ValueError,
            r"first call to partial_fit needs classes",
            id="LinearClassifier.partial_fit[" + _h("no classes on first call") + "]",
        ),
        pytest.param(
            lambda: kb.MultinomialNB().partial_fit(XM, Y),
            ValueError,
            r"first call to partial_fit needs classes",
            id="MultinomialNB.partial_fit[no classes on first call]",
        ),
        pytest.param(
            lambda: kb.LinearClassifier().partial_fit(XM, ["a"] * 4, classes=["a"]),
            ValueError,
            r"at least 2 labels",
            id="LinearClassifier.partial_fit[" + _h("one class in classes") + "]",
        ),
        pytest.param(
            lambda: kb.MultinomialNB().partial_fit(XM, ["a"] * 4, classes=["a"]),
            ValueError,
            r"at least 2 labels",
            id="MultinomialNB.partial_fit[one class in classes]",
        ),
        pytest.param(
            lambda: kb.MultinomialNB().partial_fit(np.eye(2), ["a", "b"], classes="ab"),
            TypeError,
            r"classes must be a sequence of labels, not a single str",
            id="MultinomialNB.partial_fit[" + _h("classes bare str") + "]",
        ),
        pytest.param(
            lambda: kb.LinearClassifier().partial_fit(np.eye(2), ["a", "b"], classes="ab"),
            TypeError,
            r"classes must be a sequence of labels",
            id="LinearClassifier.partial_fit[classes bare str]",
        ),
        pytest.param(
            lambda: kb.LinearClassifier().partial_fit(XM, Y, classes=["sport", "sport", "economy"]),
            ValueError,
            r"classes contains duplicates",
            id="LinearClassifier.partial_fit[" + _h("duplicate classes") + "]",
        ),
        pytest.param(
            lambda: (
                kb.LinearClassifier()
                .partial_fit(XM, Y, classes=["sport", "economy"])
                .partial_fit(sp.csr_matrix(np.ones((4, 3))), Y)
            ),
            ValueError,
            r"X has 3 features",
            id="LinearClassifier.partial_fit[" + _h("column count changes between batches") + "]",
        ),
        pytest.param(
            lambda: (
                kb.MultinomialNB()
                .partial_fit(XM, Y, classes=["sport", "economy"])
                .partial_fit(sp.csr_matrix(np.ones((4, 3))), Y)
            ),
            ValueError,
            r"X has 3 features",
            id="MultinomialNB.partial_fit[column count changes between batches]",
        ),
        pytest.param(
            lambda: kb.LinearClassifier(class_weight={"crime": 2.0}).fit(XM, Y),
            ValueError,
            r"class_weight has label 'crime'",
            id="LinearClassifier.fit[" + _h("unseen label in class_weight") + "]",
        ),
        pytest.param(
            lambda: kb.TopicClassifier(class_weight={"crime": 2.0}).fit(DOCS, Y),
            ValueError,
            r"class_weight has label 'crime'",
            id="TopicClassifier.fit[unseen label in class_weight]",
        ),
        pytest.param(
            lambda: F.tc.explain(DOCS[0], label="crime"),
            ValueError,
            r"unknown label 'crime'",
            id="TopicClassifier.explain[" + _h("unseen label to explain") + "]",
        ),
        pytest.param(
            lambda: F.tc.top_features("crime"),
            ValueError,
            r"unknown label 'crime'",
            id="TopicClassifier.top_features[unseen label to explain]",
        ),
        pytest.param(
            lambda: F.st.explain(PAIRS[0], label="maybe"),
            ValueError,
            r"label 'maybe' is not one of",
            id="StanceClassifier.explain[unseen label to explain]",
        ),
        pytest.param(
            lambda: metrics.classification_scores(["a"], ["b"], labels=["a"]),
            ValueError,
            r"label 'b' is not in labels",
            id="metrics.classification_scores[" + _h("label outside labels") + "]",
        ),
    ],
)
def test_partial_fit_and_unseen_labels(fn, exc, pattern):
    _expect(exc, pattern, fn)


def test_tagger_all_o_training_set_works():
    # one "class" for a tagger (no entities at all) is valid: it learns to say O
    _h("tagger trained without entities")
    tg = _guarded(kb.EntityTagger(n_iter=1).fit, SENTS, [["O"] * len(s) for s in SENTS])
    assert tg.classes_ == []
    assert tg.predict([["أي", "كلام"]]) == [["O", "O"]]


def test_tagger_unseen_tokens_work():
    _h("tokens never seen in training")
    out = _guarded(F.tg.predict, [["زيلينسكي", "يصل", "إلى", "كييف"], ["x"] * 50])
    assert [len(t) for t in out] == [4, 50]
    assert all(t == "O" or t[:2] in ("B-", "I-") for row in out for t in row)


# =============================================================================
# 5. Feature matrices for the linear and naive Bayes models
# =============================================================================

MATRIX_ENTRIES: list[tuple[str, Callable[[Any], Any]]] = [
    ("LinearClassifier.fit", lambda X: kb.LinearClassifier().fit(X, _labels_for(X))),
    ("LinearClassifier.predict", lambda X: F.lc.predict(X)),
    ("LinearClassifier.predict_proba", lambda X: F.lc.predict_proba(X)),
    ("LinearClassifier.decision_function", lambda X: F.lc.decision_function(X)),
    ("MultinomialNB.fit", lambda X: kb.MultinomialNB().fit(X, _labels_for(X))),
    ("MultinomialNB.predict", lambda X: F.nb.predict(X)),
    ("ComplementNB.fit", lambda X: kb.ComplementNB().fit(X, _labels_for(X))),
    ("ComplementNB.predict_proba", lambda X: F.cnb.predict_proba(X)),
]

_GOOD = np.array([[1.0, 0], [0.9, 0.1], [0, 1.0], [0.1, 0.8]])

MATRIX_BAD: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    ("None", lambda: None, TypeError, r"X is None; expected a 2-D feature matrix"),
    ("raw texts", lambda: DOCS, TypeError, r"X looks like raw text; vectorize it first"),
    ("bare str", lambda: "بغداد", TypeError, r"X looks like raw text"),
    ("1-D array", lambda: np.ones(4), ValueError, r"X must be 2-dimensional; got shape \(4,\)"),
    (
        "3-D array",
        lambda: np.ones((4, 2, 1)),
        ValueError,
        r"X must be 2-dimensional; got shape \(4, 2, 1\)",
    ),
    ("scalar", lambda: 5, ValueError, r"X must be 2-dimensional; got shape \(\)"),
    (
        "object array",
        lambda: np.array([[1, "a"]] * 4, dtype=object),
        TypeError,
        r"X must be numeric; got an array of dtype object",
    ),
    (
        "complex array",
        lambda: _GOOD.astype(complex),
        TypeError,
        r"X must be real-valued; got dtype complex",
    ),
    (
        "NaN in sparse X",
        lambda: sp.csr_matrix(np.where(np.eye(4, 2) > 0, np.nan, _GOOD)),
        ValueError,
        r"X: row 0 contains a non-finite value",
    ),
    (
        "inf in dense X",
        lambda: np.where(np.eye(4, 2) > 0, np.inf, _GOOD),
        ValueError,
        r"X: row 0 contains a non-finite value",
    ),
]


def _matrix_cases() -> list[Any]:
    out = []
    for entry, fn in MATRIX_ENTRIES:
        for inp, factory, exc, pattern in MATRIX_BAD:
            case = f"{entry}[{'X ' + _h(inp)}]"
            out.append(pytest.param(fn, factory, exc, pattern, id=case))
        if not entry.endswith(".fit"):
            case = f"{entry}[{_h('X with the wrong column count')}]"
            out.append(
                pytest.param(
                    fn,
                    lambda: np.ones((2, 3)),
                    ValueError,
                    r"X has 3 features, but \w+ was fitted with 2",
                    id=case,
                )
            )
    return out


@pytest.mark.parametrize(("fn", "factory", "exc", "pattern"), _matrix_cases())
def test_bad_feature_matrices(fn, factory, exc, pattern):
    _expect(exc, pattern, fn, factory())


@pytest.mark.parametrize(
    ("fn", "exc", "pattern"),
    [
        pytest.param(
            lambda: kb.LinearClassifier().fit(sp.csr_matrix((0, 2)), []),
            ValueError,
            r"cannot fit on 0 samples",
            id="LinearClassifier.fit[" + _h("X with 0 rows") + "]",
        ),
        pytest.param(
            lambda: kb.MultinomialNB().fit(sp.csr_matrix((0, 2)), []),
            ValueError,
            r"cannot fit on 0 samples",
            id="MultinomialNB.fit[X with 0 rows]",
        ),
        pytest.param(
            lambda: kb.MultinomialNB().fit(-_GOOD, Y),
            ValueError,
            r"non-negative features.*row 0, column 0",
            id="MultinomialNB.fit[" + _h("negative counts") + "]",
        ),
        pytest.param(
            lambda: kb.ComplementNB().fit(-_GOOD, Y),
            ValueError,
            r"non-negative features.*row 0, column 0",
            id="ComplementNB.fit[negative counts]",
        ),
        pytest.param(
            lambda: kb.LinearClassifier().fit(XM, Y, sample_weight=[1, 1, 1]),
            ValueError,
            r"sample_weight has shape \(3,\); expected \(4,\)",
            id="LinearClassifier.fit[" + _h("sample_weight of the wrong length") + "]",
        ),
        pytest.param(
            lambda: kb.MultinomialNB().fit(XM, Y, sample_weight=[1, np.nan, 1, 1]),
            ValueError,
            r"sample_weight\[1\] = nan",
            id="MultinomialNB.fit[" + _h("NaN sample_weight") + "]",
        ),
        pytest.param(
            lambda: kb.TopicClassifier().fit(DOCS, Y, sample_weight=[1, -1, 1, 1]),
            ValueError,
            r"sample_weight\[1\] = -1.0",
            id="TopicClassifier.fit[" + _h("negative sample_weight") + "]",
        ),
        pytest.param(
            lambda: kb.LinearClassifier().fit(XM, Y, sample_weight=[0, 0, 0, 0]),
            ValueError,
            r"sample weights sum to zero",
            id="LinearClassifier.fit[" + _h("all-zero sample_weight") + "]",
        ),
    ],
)
def test_bad_matrix_shapes_and_weights(fn, exc, pattern):
    _expect(exc, pattern, fn)


@pytest.mark.parametrize(
    ("fn", "shape"),
    [
        pytest.param(
            lambda: F.lc.predict(sp.csr_matrix((0, 2))),
            (0,),
            id="LinearClassifier.predict[" + _h("0-row X at predict") + "]",
        ),
        pytest.param(
            lambda: F.lc.predict_proba(sp.csr_matrix((0, 2))),
            (0, 2),
            id="LinearClassifier.predict_proba[0-row X at predict]",
        ),
        pytest.param(
            lambda: F.nb.predict(sp.csr_matrix((0, 2))),
            (0,),
            id="MultinomialNB.predict[0-row X at predict]",
        ),
        pytest.param(
            lambda: kb.LinearClassifier().fit(_GOOD > 0.5, Y).predict(_GOOD > 0.5),
            (4,),
            id="LinearClassifier.fit[" + _h("bool feature matrix") + "]",
        ),
        pytest.param(
            lambda: F.lc.predict(sp.coo_matrix(XM)),
            (4,),
            id="LinearClassifier.predict[" + _h("COO matrix") + "]",
        ),
        pytest.param(
            lambda: F.lc.predict_proba(np.full((1, 2), 1e300)),
            (1, 2),
            id="LinearClassifier.predict_proba[" + _h("huge feature values") + "]",
        ),
    ],
)
def test_matrices_that_work(fn, shape):
    out = _guarded(fn)
    assert out.shape == shape
    if out.dtype.kind == "f":
        assert np.all(np.isfinite(out))


@pytest.mark.parametrize(
    ("make", "exc", "pattern"),
    [
        pytest.param(
            lambda: kb.LinearClassifier(C=0), ValueError, r"invalid parameter `C`: 0", id=_h("C=0")
        ),
        pytest.param(
            lambda: kb.LinearClassifier(C=float("nan")),
            ValueError,
            r"invalid parameter `C`: NaN",
            id=_h("C=NaN"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(C=float("inf")),
            ValueError,
            r"invalid parameter `C`: inf",
            id=_h("C=inf"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(C="1"),
            TypeError,
            r"C must be a number, got '1'",
            id=_h("C='1'"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(max_iter=0),
            ValueError,
            r"invalid parameter `max_iter`: 0",
            id=_h("max_iter=0"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(max_iter=2**64),
            TypeError,
            r"`max_iter`",
            id=_h("max_iter=2**64"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(tol=-1.0),
            ValueError,
            r"invalid parameter `tol`",
            id=_h("tol=-1"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(loss="foo"),
            ValueError,
            r"loss must be one of",
            id=_h("loss='foo'"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(solver="foo"),
            ValueError,
            r"invalid parameter `solver`",
            id=_h("solver='foo'"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(multi_class="foo"),
            ValueError,
            r"invalid parameter `multi_class`",
            id=_h("multi_class='foo'"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(solver="sgd", batch_size=0),
            ValueError,
            r"invalid parameter `batch_size`",
            id=_h("batch_size=0"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(random_state=-1),
            ValueError,
            r"random_state must be >= 0",
            id=_h("random_state=-1"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(random_state="x"),
            TypeError,
            r"random_state must be None, an int",
            id=_h("random_state='x'"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(class_weight="bal"),
            ValueError,
            r"class_weight must be None, 'balanced' or a dict",
            id=_h("class_weight='bal'"),
        ),
        pytest.param(
            lambda: kb.LinearClassifier(class_weight={"sport": -1}),
            ValueError,
            r"class_weight\['sport'\] = -1",
            id=_h("negative class weight"),
        ),
        pytest.param(
            lambda: kb.MultinomialNB(alpha=0),
            ValueError,
            r"alpha must be a positive number, got 0",
            id=_h("alpha=0"),
        ),
        pytest.param(
            lambda: kb.ComplementNB(alpha=float("nan")),
            ValueError,
            r"alpha must be a positive number, got nan",
            id=_h("alpha=NaN"),
        ),
        pytest.param(
            lambda: kb.MultinomialNB(alpha=None),
            ValueError,
            r"alpha must be a positive number, got None",
            id=_h("alpha=None"),
        ),
    ],
)
def test_bad_model_parameters(make, exc, pattern):
    _expect(exc, pattern, lambda: make().fit(XM, Y))


@pytest.mark.parametrize(
    ("kw", "exc", "pattern"),
    [
        pytest.param(
            {"min_df": -1}, ValueError, r"min_df=-1 must not be negative", id=_h("min_df=-1")
        ),
        pytest.param(
            {"min_df": 1.5},
            ValueError,
            r"min_df=1.5: a float must be a fraction",
            id=_h("min_df=1.5"),
        ),
        pytest.param({"max_df": 0.0}, ValueError, r"max_df", id=_h("max_df=0.0")),
        pytest.param(
            {"max_features": 0},
            ValueError,
            r"max_features must be a positive int",
            id=_h("max_features=0"),
        ),
        pytest.param(
            {"char_analyzer": "bytes"},
            ValueError,
            r"char_analyzer must be 'char_wb' or 'char'",
            id=_h("char_analyzer='bytes'"),
        ),
        pytest.param(
            {"normalizer": 5},
            TypeError,
            r"normalizer must be 'arabic', 'none', None",
            id=_h("normalizer=5"),
        ),
        pytest.param(
            {"normalizer": "latin"},
            ValueError,
            r"invalid preset 'latin'",
            id=_h("normalizer='latin'"),
        ),
        pytest.param(
            {"normalizer": {"nfkc": "yes"}},
            TypeError,
            r"Normalizer option nfkc must be True, False or None",
            id=_h("normalizer option 'yes'"),
        ),
        pytest.param(
            {"normalizer": {"bogus": True}},
            ValueError,
            r"unknown normalizer option\(s\) \['bogus'\]",
            id=_h("unknown normalizer option"),
        ),
        pytest.param(
            {"word_ngram_range": None, "char_ngram_range": None},
            ValueError,
            r"cannot both be None",
            id=_h("no n-gram blocks"),
        ),
        pytest.param(
            {"sublinear_tf": "yes"},
            TypeError,
            r"sublinear_tf must be a bool",
            id=_h("sublinear_tf='yes'"),
        ),
    ],
)
def test_bad_topic_parameters(kw, exc, pattern):
    _expect(exc, pattern, lambda: _TOPIC(**kw))


# =============================================================================
# 6. Pairs (stance)
# =============================================================================

PAIR_ENTRIES: list[tuple[str, Callable[[Any], Any]]] = [
    ("StanceClassifier.predict", lambda X: F.st.predict(X)),
    ("StanceClassifier.predict_proba", lambda X: F.st.predict_proba(X)),
    ("StancePairFeatures.transform", lambda X: F.spf.transform(X)),
    ("StancePairFeatures.fit", lambda X: kb.StancePairFeatures().fit(X)),
]

PAIR_BAD: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    (
        "None",
        lambda: None,
        TypeError,
        r"X must be a list of \(headline, body\) pairs, got NoneType",
    ),
    ("int", lambda: 5, TypeError, r"X must be a list of \(headline, body\) pairs, got int"),
    (
        "bare str",
        lambda: "headline",
        TypeError,
        r"X must be pairs \(headline, body\), not a single str",
    ),
    ("bytes", lambda: b"headline", TypeError, r"X must be pairs .*not a single bytes"),
    (
        "one pair without its list",
        lambda: ("headline", "body"),
        ValueError,
        r"X looks like a single \(headline, body\) pair; wrap it in a list",
    ),
    (
        "flat list of texts",
        lambda: ["headline", "body", "another"],
        TypeError,
        r"X\[0\] must be a \(headline, body\) pair \(tuple or list\), got str",
    ),
    (
        "1-tuples",
        lambda: [("headline",)],
        ValueError,
        r"X\[0\] must be a \(headline, body\) pair, got tuple of length 1",
    ),
    (
        "3-tuples",
        lambda: [("h", "b", "extra")],
        ValueError,
        r"X\[0\] must be a \(headline, body\) pair, got tuple of length 3",
    ),
    (
        "set pair",
        lambda: [{"h", "b"}],
        TypeError,
        r"X\[0\] must be a \(headline, body\) pair \(tuple or list\), got set",
    ),
    (
        "dict pair",
        lambda: [{"headline": "h", "body": "b"}],
        TypeError,
        r"X\[0\] must be .*got dict",
    ),
    ("None row", lambda: [PAIRS[0], None], TypeError, r"X\[1\] must be .*got NoneType"),
    ("None body", lambda: [("h", None)], TypeError, r"bodies\[0\] is NoneType, expected str"),
    (
        "NaN body",
        lambda: [("h", float("nan"))],
        TypeError,
        r"bodies\[0\] is float, expected str.*NaN",
    ),
    ("pd.NA body", lambda: [("h", pd.NA)], TypeError, r"bodies\[0\] is NAType"),
    ("bytes headline", lambda: [(b"h", "b")], TypeError, r"headlines\[0\] is bytes.*decode"),
    ("int headline", lambda: [(1, "b")], TypeError, r"headlines\[0\] is int"),
    ("nested headline", lambda: [(["h"], "b")], TypeError, r"headlines\[0\] is list"),
    (
        "lone surrogate body",
        lambda: [("h", "b\ud800")],
        ValueError,
        r"bodies\[0\] contains a lone surrogate",
    ),
    (
        "(n, 3) array",
        lambda: np.array([["a", "b", "c"]]),
        ValueError,
        r"X must have shape \(n, 2\), got \(1, 3\)",
    ),
    (
        "1-D array",
        lambda: np.array(["a", "b"]),
        ValueError,
        r"X must have shape \(n, 2\), got \(2,\)",
    ),
    (
        "3-column DataFrame",
        lambda: pd.DataFrame({"a": ["x"], "b": ["y"], "c": ["z"]}),
        ValueError,
        r"X must have 2 columns \(headline, body\), got 3",
    ),
]


def _pair_cases() -> list[Any]:
    out = []
    for entry, fn in PAIR_ENTRIES:
        for inp, factory, exc, pattern in PAIR_BAD:
            case = f"{entry}[{'pairs ' + _h(inp)}]"
            out.append(pytest.param(fn, factory, exc, pattern, id=case))
    return out


@pytest.mark.parametrize(("fn", "factory", "exc", "pattern"), _pair_cases())
def test_bad_pairs(fn, factory, exc, pattern):
    _expect(exc, pattern, fn, factory())


@pytest.mark.parametrize(
    ("fn", "exc", "pattern"),
    [
        pytest.param(
            lambda: F.st.explain(None),
            TypeError,
            r"pair must be one \(headline, body\) tuple, got NoneType",
            id="StanceClassifier.explain[pairs None]",
        ),
        pytest.param(
            lambda: F.st.explain("headline"),
            TypeError,
            r"pair must be one \(headline, body\) tuple, got str",
            id="StanceClassifier.explain[pairs bare str]",
        ),
        pytest.param(
            lambda: F.st.explain(("h", "b", "c")),
            ValueError,
            r"pair must be one \(headline, body\) tuple, got length 3",
            id="StanceClassifier.explain[pairs 3-tuples]",
        ),
        pytest.param(
            lambda: F.st.explain(("h", None)),
            TypeError,
            r"bodies\[0\] is NoneType",
            id="StanceClassifier.explain[pairs None body]",
        ),
        pytest.param(
            lambda: F.st.explain(PAIRS[0], k=0),
            ValueError,
            r"k must be a positive integer, got 0",
            id="StanceClassifier.explain[" + _h("k=0") + "]",
        ),
        pytest.param(
            lambda: kb.StanceClassifier().fit([], []),
            ValueError,
            r"cannot fit on 0 pairs",
            id="StanceClassifier.fit[pairs empty list]",
        ),
        pytest.param(
            lambda: kb.StancePairFeatures().fit([]),
            ValueError,
            r"cannot fit on 0 pairs",
            id="StancePairFeatures.fit[pairs empty list]",
        ),
        pytest.param(
            lambda: kb.StanceClassifier().fit(PAIRS, PAIR_Y[:-1]),
            ValueError,
            r"X has 9 rows but y has 8 labels",
            id="StanceClassifier.fit[y shorter than X]",
        ),
        pytest.param(
            lambda: kb.StanceClassifier(random_state=-1).fit(PAIRS, PAIR_Y),
            ValueError,
            r"random_state must be an integer in \[0, 2\*\*64\), got -1",
            id="StanceClassifier.fit[random_state=-1]",
        ),
        pytest.param(
            lambda: kb.StanceClassifier(random_state=2**64).fit(PAIRS, PAIR_Y),
            ValueError,
            r"random_state must be an integer",
            id="StanceClassifier.fit[" + _h("random_state=2**64") + "]",
        ),
        pytest.param(
            lambda: kb.StanceClassifier(random_state="x").fit(PAIRS, PAIR_Y),
            ValueError,
            r"random_state must be an integer",
            id="StanceClassifier.fit[random_state='x']",
        ),
        pytest.param(
            lambda: kb.StanceClassifier(n_iter_no_change=-1).fit(PAIRS, PAIR_Y),
            ValueError,
            r"n_iter_no_change must be a positive integer",
            id="StanceClassifier.fit[" + _h("n_iter_no_change=-1") + "]",
        ),
        pytest.param(
            lambda: kb.StanceClassifier(hidden_layer_size=2**64).fit(PAIRS, PAIR_Y),
            ValueError,
            r"hidden_layer_size must be a positive integer",
            id="StanceClassifier.fit[" + _h("hidden_layer_size=2**64") + "]",
        ),
        pytest.param(
            lambda: kb.StanceClassifier(dropout=1.0).fit(PAIRS, PAIR_Y),
            ValueError,
            r"dropout must be in \[0, 1\)",
            id="StanceClassifier.fit[" + _h("dropout=1") + "]",
        ),
        pytest.param(
            lambda: kb.StanceClassifier(term_blocks=("title",)).fit(PAIRS, PAIR_Y),
            ValueError,
            r"unknown term_blocks \['title'\]",
            id="StanceClassifier.fit[" + _h("unknown term block") + "]",
        ),
    ],
)
def test_bad_stance_calls(fn, exc, pattern):
    _expect(exc, pattern, fn)


def test_pairs_that_work():
    _h("pairs of empty strings")
    assert _guarded(F.st.predict, [("", ""), ("", PAIRS[0][1])]).shape == (2,)
    assert _guarded(F.st.predict_proba, []).shape == (0, 3)
    assert _guarded(F.spf.transform, []).shape[0] == 0
    _h("two-column DataFrame of pairs")
    df = pd.DataFrame({"h": [p[0] for p in PAIRS], "b": [p[1] for p in PAIRS]})
    np.testing.assert_array_equal(_guarded(F.st.predict, df), F.st.predict(PAIRS))
    _h("pairs with marks and NUL")
    marked = [("\u200f" + h + "\x00", "\ufeff" + b) for h, b in PAIRS[:3]]
    assert _guarded(F.st.predict, marked).shape == (3,)


# =============================================================================
# 7. Tagger, entity options, metrics, datasets, small functions
# =============================================================================


@pytest.mark.parametrize(
    ("fn", "exc", "pattern"),
    [
        pytest.param(
            lambda: F.tg.predict(None),
            TypeError,
            r"X must be a list of token lists, got NoneType",
            id="EntityTagger.predict[None]",
        ),
        pytest.param(
            lambda: F.tg.predict("قال أحمد"),
            TypeError,
            r"X must be a list of token lists, not a single str",
            id="EntityTagger.predict[bare str]",
        ),
        pytest.param(
            lambda: F.tg.predict(["قال", "أحمد"]),
            TypeError,
            r"X\[0\] is a str; each sentence must be a list of tokens",
            id="EntityTagger.predict[" + _h("sentences as strings") + "]",
        ),
        pytest.param(
            lambda: F.tg.predict([[["قال"]]]),
            TypeError,
            r"sentences\[0\]\[0\] is list, expected str",
            id="EntityTagger.predict[nested lists]",
        ),
        pytest.param(
            lambda: F.tg.predict([["قال", None]]),
            TypeError,
            r"sentences\[0\]\[1\] is NoneType",
            id="EntityTagger.predict[None row]",
        ),
        pytest.param(
            lambda: F.tg.predict([["قال", float("nan")]]),
            TypeError,
            r"sentences\[0\]\[1\] is float.*NaN",
            id="EntityTagger.predict[NaN row]",
        ),
        pytest.param(
            lambda: F.tg.predict([["قال", b"x"]]),
            TypeError,
            r"sentences\[0\]\[1\] is bytes",
            id="EntityTagger.predict[bytes row]",
        ),
        pytest.param(
            lambda: F.tg.predict([["a\ud800"]]),
            ValueError,
            r"sentences\[0\]\[0\] contains a lone surrogate",
            id="EntityTagger.predict[lone high surrogate]",
        ),
        pytest.param(
            lambda: F.tg.predict([{"قال"}]),
            TypeError,
            r"X\[0\] is set, expected a list of str",
            id="EntityTagger.predict[" + _h("set as a sentence") + "]",
        ),
        pytest.param(
            lambda: kb.EntityTagger(n_iter=1).fit(SENTS, TAGS[:-1]),
            ValueError,
            r"X has 6 sentences but y has 5 tag lists",
            id="EntityTagger.fit[y shorter than X]",
        ),
        pytest.param(
            lambda: kb.EntityTagger(n_iter=1).fit(SENTS, [["O"], *TAGS[1:]]),
            ValueError,
            r"sentence 0: 5 tokens but 1 tags",
            id="EntityTagger.fit[" + _h("tags shorter than the sentence") + "]",
        ),
        pytest.param(
            lambda: kb.EntityTagger(n_iter=1).fit(
                SENTS, [["O", "X-PER", "I-PER", "O", "B-LOC"], *TAGS[1:]]
            ),
            ValueError,
            r'sentence 0, token 1: "X-PER" is not an IOB2 tag',
            id="EntityTagger.fit[" + _h("tag that is not IOB2") + "]",
        ),
        pytest.param(
            lambda: kb.EntityTagger(n_iter=1).fit(
                SENTS, [["O", None, "I-PER", "O", "B-LOC"], *TAGS[1:]]
            ),
            TypeError,
            r"tags\[0\]\[1\] is NoneType",
            id="EntityTagger.fit[None tag]",
        ),
        pytest.param(
            lambda: kb.EntityTagger(n_iter=1).fit([], []),
            ValueError,
            r"cannot fit on 0 sentences",
            id="EntityTagger.fit[empty list]",
        ),
        pytest.param(
            lambda: kb.EntityTagger(n_iter=2**64).fit(SENTS, TAGS),
            ValueError,
            r"n_iter must be an integer in \[1, 2\*\*32\)",
            id="EntityTagger.fit[" + _h("n_iter=2**64") + "]",
        ),
        pytest.param(
            lambda: kb.EntityTagger(n_iter=0).fit(SENTS, TAGS),
            ValueError,
            r"n_iter must be an integer",
            id="EntityTagger.fit[" + _h("n_iter=0") + "]",
        ),
        pytest.param(
            lambda: kb.EntityTagger(random_state=2**64).fit(SENTS, TAGS),
            ValueError,
            r"random_state must be an integer in \[0, 2\*\*64\)",
            id="EntityTagger.fit[random_state=2**64]",
        ),
        pytest.param(
            lambda: kb.EntityTagger(o_penalty=float("nan")).fit(SENTS, TAGS),
            ValueError,
            r"o_penalty must be a finite number",
            id="EntityTagger.fit[" + _h("o_penalty=NaN") + "]",
        ),
        pytest.param(
            lambda: kb.EntityTagger(word_clusters={}).fit(SENTS, TAGS),
            ValueError,
            r"word_clusters is empty",
            id="EntityTagger.fit[" + _h("empty word_clusters") + "]",
        ),
        pytest.param(
            lambda: kb.EntityTagger(word_clusters={"a": -1}).fit(SENTS, TAGS),
            ValueError,
            r"word_clusters: ids of 'a'",
            id="EntityTagger.fit[" + _h("negative cluster id") + "]",
        ),
        pytest.param(
            lambda: kb.EntityTagger().predict(SENTS),
            kb.NotFittedError,
            r"not fitted yet",
            id="EntityTagger.predict[" + _h("unfitted model") + "]",
        ),
        pytest.param(
            lambda: kb.TopicClassifier().predict(DOCS),
            kb.NotFittedError,
            r"not fitted yet",
            id="TopicClassifier.predict[unfitted model]",
        ),
        pytest.param(
            lambda: kb.StanceClassifier().predict(PAIRS),
            kb.NotFittedError,
            r"not fitted yet",
            id="StanceClassifier.predict[unfitted model]",
        ),
        pytest.param(
            lambda: kb.TextVectorizer().transform(DOCS),
            kb.NotFittedError,
            r"not fitted yet",
            id="TextVectorizer.transform[unfitted model]",
        ),
        pytest.param(
            lambda: kb.EntityCounter().transform(DOCS),
            kb.NotFittedError,
            r"not fitted yet",
            id="EntityCounter.transform[unfitted model]",
        ),
        pytest.param(
            lambda: kb.LinearClassifier().predict(XM),
            kb.NotFittedError,
            r"not fitted yet",
            id="LinearClassifier.predict[unfitted model]",
        ),
        pytest.param(
            lambda: kb.EntityRecognizer(types="PER"),
            TypeError,
            r"types must be a list of type names, e.g. \['PER'\], not a str",
            id="EntityRecognizer[" + _h("types bare str") + "]",
        ),
        pytest.param(
            lambda: kb.EntityCounter(types="PER").fit(DOCS),
            TypeError,
            r"types must be a list of type names",
            id="EntityCounter.fit[types bare str]",
        ),
        pytest.param(
            lambda: kb.EntityRecognizer(types=["PERSON"]),
            ValueError,
            r"unknown entity types \['PERSON'\]",
            id="EntityRecognizer[" + _h("unknown entity type") + "]",
        ),
        pytest.param(
            lambda: kb.EntityCounter(types=[]).fit(DOCS),
            ValueError,
            r"types must be a non-empty subset",
            id="EntityCounter.fit[" + _h("no entity types") + "]",
        ),
        pytest.param(
            lambda: kb.EntityRecognizer(user_gazetteer=5),
            TypeError,
            r"user_gazetteer must be a dict",
            id="EntityRecognizer[" + _h("user_gazetteer=5") + "]",
        ),
        pytest.param(
            lambda: kb.EntityRecognizer(user_gazetteer={"PERSON": ["x"]}),
            ValueError,
            r"user_gazetteer type 'PERSON'",
            id="EntityRecognizer[" + _h("user_gazetteer unknown type") + "]",
        ),
        pytest.param(
            lambda: kb.EntityRecognizer(user_gazetteer={"PER": [""]}),
            ValueError,
            r"user_gazetteer\['PER'\] has an invalid name ''",
            id="EntityRecognizer[" + _h("user_gazetteer empty name") + "]",
        ),
        pytest.param(
            lambda: kb.EntityRecognizer(user_gazetteer={"PER": ["a\tb"]}),
            ValueError,
            r"names may not contain tabs",
            id="EntityRecognizer[" + _h("user_gazetteer name with a tab") + "]",
        ),
        pytest.param(
            lambda: kb.EntityRecognizer(user_gazetteer={"PER": ["a\ud800"]}),
            ValueError,
            r"user_gazetteer\['PER'\] has a name with a lone surrogate",
            id="EntityRecognizer[" + _h("user_gazetteer lone surrogate") + "]",
        ),
        pytest.param(
            lambda: kb.EntityRecognizer(user_gazetteer="/nonexistent/names.tsv"),
            FileNotFoundError,
            r"user gazetteer file not found",
            id="EntityRecognizer[" + _h("user_gazetteer missing file") + "]",
        ),
        pytest.param(
            lambda: kb.EntityRecognizer(tagger="ner-xx"),
            ValueError,
            r"unknown pretrained model 'ner-xx'",
            id="EntityRecognizer[" + _h("unknown tagger name") + "]",
        ),
        pytest.param(
            lambda: kb.EntityRecognizer(tagger=5),
            TypeError,
            r"tagger must be None, a bundled model name or a fitted EntityTagger",
            id="EntityRecognizer[tagger=5]",
        ),
        pytest.param(
            lambda: kb.EntityCounter(normalize="per_word").fit(DOCS),
            ValueError,
            r"normalize must be None or 'per_100_tokens'",
            id="EntityCounter.fit[" + _h("normalize='per_word'") + "]",
        ),
    ],
)
def test_bad_tagger_and_entity_calls(fn, exc, pattern):
    _expect(exc, pattern, fn)


@pytest.mark.parametrize(
    ("fn", "exc", "pattern"),
    [
        pytest.param(
            lambda: metrics.entity_spans(None),
            TypeError,
            r"tags must be a sequence, not None",
            id="metrics.entity_spans[None]",
        ),
        pytest.param(
            lambda: metrics.entity_spans("B-PER"),
            TypeError,
            r"tags must be a sequence, not a single str",
            id="metrics.entity_spans[bare str]",
        ),
        pytest.param(
            lambda: metrics.entity_spans([1]),
            TypeError,
            r"tag 0 is int, expected str",
            id="metrics.entity_spans[int row]",
        ),
        pytest.param(
            lambda: metrics.entity_spans(["O", "X-PER"]),
            ValueError,
            r"tag 1 'X-PER' is not an IOB2 tag",
            id="metrics.entity_spans[tag that is not IOB2]",
        ),
        pytest.param(
            lambda: metrics.entity_scores(None, None),
            TypeError,
            r"y_true must be a sequence, not None",
            id="metrics.entity_scores[None]",
        ),
        pytest.param(
            lambda: metrics.entity_scores(["O", "B-PER"], ["O", "B-PER"]),
            TypeError,
            r"y_true\[0\] is str; each sentence must be a list of tags",
            id="metrics.entity_scores[" + _h("flat tag list for a list of sentences") + "]",
        ),
        pytest.param(
            lambda: metrics.entity_scores([["O"]], [["O"], ["O"]]),
            ValueError,
            r"y_true has 1 sentences but y_pred has 2",
            id="metrics.entity_scores[y shorter than X]",
        ),
        pytest.param(
            lambda: metrics.entity_scores([["O", "O"]], [["O"]]),
            ValueError,
            r"sentence 0: 2 gold tags but 1 predicted",
            id="metrics.entity_scores[tags shorter than the sentence]",
        ),
        pytest.param(
            lambda: metrics.fnc_score("agree", "agree"),
            TypeError,
            r"y_true must be a sequence, not a single str",
            id="metrics.fnc_score[bare str]",
        ),
        pytest.param(
            lambda: metrics.fnc_score([], []),
            ValueError,
            r"fnc_score needs at least one pair",
            id="metrics.fnc_score[empty list]",
        ),
        pytest.param(
            lambda: metrics.fnc_score(["agree"], ["agree", "discuss"]),
            ValueError,
            r"y_true has 1 labels but y_pred has 2",
            id="metrics.fnc_score[y shorter than X]",
        ),
        pytest.param(
            lambda: metrics.fnc_score(["agree", None], ["agree", "agree"]),
            ValueError,
            r"y_true\[1\] is missing",
            id="metrics.fnc_score[y with None]",
        ),
        pytest.param(
            lambda: metrics.classification_scores(None, None),
            TypeError,
            r"y_true must be a sequence, not None",
            id="metrics.classification_scores[None]",
        ),
        pytest.param(
            lambda: metrics.classification_scores("ab", "ab"),
            TypeError,
            r"y_true must be a sequence, not a single str",
            id="metrics.classification_scores[bare str]",
        ),
        pytest.param(
            lambda: metrics.classification_scores([["a"]], [["a"]]),
            TypeError,
            r"y_true\[0\] is list; labels must be hashable",
            id="metrics.classification_scores[" + _h("unhashable labels") + "]",
        ),
        pytest.param(
            lambda: metrics.classification_scores([float("nan")], ["a"]),
            ValueError,
            r"y_true\[0\] is missing \(nan\)",
            id="metrics.classification_scores[NaN]",
        ),
        pytest.param(
            lambda: metrics.classification_scores(["a"], ["a", "b"]),
            ValueError,
            r"y_true has 1 labels but y_pred has 2",
            id="metrics.classification_scores[y shorter than X]",
        ),
        pytest.param(
            lambda: kb.stop_words(None),
            TypeError,
            r"name must be 'arabic' or 'english', got NoneType",
            id="stop_words[None]",
        ),
        pytest.param(
            lambda: kb.stop_words("french"),
            ValueError,
            r"unknown stop-word list name='french'",
            id="stop_words[" + _h("unknown list name") + "]",
        ),
        pytest.param(
            lambda: kb.stop_words("a\ud800"),
            ValueError,
            r"unknown stop-word list name=",
            id="stop_words[lone high surrogate]",
        ),
        pytest.param(
            lambda: kb.TextVectorizer(stop_words="french").fit(DOCS),
            ValueError,
            r"unknown stop_words 'french'",
            id="TextVectorizer.fit[unknown list name]",
        ),
        pytest.param(
            lambda: kb.TextVectorizer(stop_words=["في", 5]).fit(DOCS),
            TypeError,
            r"stop_words must contain only str, found 5",
            id="TextVectorizer.fit[" + _h("non-str stop word") + "]",
        ),
        pytest.param(
            lambda: kb.TextVectorizer(vocabulary="abc").fit(DOCS),
            TypeError,
            r"vocabulary must be a mapping or an iterable of str, not a single str",
            id="TextVectorizer.fit[" + _h("vocabulary bare str") + "]",
        ),
        pytest.param(
            lambda: kb.TextVectorizer(vocabulary=["a", "a"]).fit(DOCS),
            ValueError,
            r"duplicate term in vocabulary: 'a'",
            id="TextVectorizer.fit[" + _h("duplicate vocabulary term") + "]",
        ),
        pytest.param(
            lambda: kb.TextVectorizer(vocabulary=[]).fit(DOCS),
            ValueError,
            r"empty vocabulary",
            id="TextVectorizer.fit[" + _h("empty vocabulary") + "]",
        ),
        pytest.param(
            lambda: kb.TextVectorizer(analyzer="bytes").fit(DOCS),
            ValueError,
            r"unknown analyzer 'bytes'",
            id="TextVectorizer.fit[" + _h("unknown analyzer") + "]",
        ),
        pytest.param(
            lambda: kb.TextVectorizer(dtype=np.int32).fit(DOCS),
            ValueError,
            r"dtype must be numpy.float32 or numpy.float64",
            id="TextVectorizer.fit[" + _h("dtype=int32") + "]",
        ),
        pytest.param(
            lambda: kb.TextVectorizer(norm="l3").fit(DOCS),
            ValueError,
            r"norm must be 'l1', 'l2' or None",
            id="TextVectorizer.fit[" + _h("norm='l3'") + "]",
        ),
        pytest.param(
            lambda: kb.pretrained.load(None),
            TypeError,
            r"name must be a str, got NoneType",
            id="pretrained.load[None]",
        ),
        pytest.param(
            lambda: kb.pretrained.load("topic-xx"),
            ValueError,
            r"unknown pretrained model 'topic-xx'",
            id="pretrained.load[" + _h("unknown model name") + "]",
        ),
        pytest.param(
            lambda: kb.pretrained.card(5),
            TypeError,
            r"name must be a str, got int",
            id="pretrained.card[int]",
        ),
        pytest.param(
            lambda: kb.pretrained.card("topic-xx"),
            ValueError,
            r"unknown pretrained model 'topic-xx'",
            id="pretrained.card[unknown model name]",
        ),
    ],
)
def test_bad_small_calls(fn, exc, pattern):
    _expect(exc, pattern, fn)


@pytest.mark.parametrize(
    "fn",
    [
        pytest.param(
            lambda: F.tc.explain(DOCS[0], k=-1), id="TopicClassifier.explain[" + _h("k=-1") + "]"
        ),
        pytest.param(
            lambda: F.tc.explain(DOCS[0], k="x"), id="TopicClassifier.explain[" + _h("k='x'") + "]"
        ),
        pytest.param(
            lambda: F.tc.top_features("sport", k=None),
            id="TopicClassifier.top_features[" + _h("k=None") + "]",
        ),
    ],
)
def test_bad_k_for_topic_explanations(fn):
    _expect(ValueError, r"k must be a positive integer", fn)


def _conll(tmp_path: Path, data: bytes) -> Path:
    p = tmp_path / "data.conll"
    p.write_bytes(data)
    return p


@pytest.mark.parametrize(
    ("data", "kwargs", "exc", "pattern"),
    [
        pytest.param(
            b"a O\n\xff\xfe B-PER\n",
            {},
            ValueError,
            r"data\.conll:2.*UTF-8",
            id="read_conll[" + _h("non-UTF-8 file") + "]",
        ),
        pytest.param(
            b"token\n",
            {},
            ValueError,
            r"data\.conll:1: expected 'token TAG'",
            id="read_conll[" + _h("line with one field") + "]",
        ),
        pytest.param(
            b"a O\nb X-PER\n",
            {},
            ValueError,
            r"data\.conll:2: 'X-PER' is not an IOB2 tag",
            id="read_conll[tag that is not IOB2]",
        ),
        pytest.param(
            b"a B-PER\n",
            {"tag_map": 5},
            TypeError,
            r"tag_map",
            id="read_conll[" + _h("tag_map=5") + "]",
        ),
    ],
)
def test_read_conll_bad_files(tmp_path, data, kwargs, exc, pattern):
    path = _conll(tmp_path, data)
    _expect(exc, pattern, lambda: read_conll(path, **kwargs))


def test_read_conll_paths_and_edge_files(tmp_path):
    _h("missing file")
    _expect(FileNotFoundError, r"CoNLL file not found", read_conll, tmp_path / "missing.conll")
    _h("directory for a file")
    _expect(FileNotFoundError, r"CoNLL file not found", read_conll, tmp_path)
    _h("empty file")
    assert _guarded(read_conll, _conll(tmp_path, b"")) == ([], [])
    _h("CRLF line ends")
    assert _guarded(read_conll, _conll(tmp_path, b"a O\r\n\r\nb B-LOC\r\n")) == (
        [["a"], ["b"]],
        [["O"], ["B-LOC"]],
    )
    assert _guarded(read_conll, _conll(tmp_path, b"a\x00b O\n")) == ([["a\x00b"]], [["O"]])


# =============================================================================
# 8. Model files
# =============================================================================


def _saved() -> dict[str, Callable[[], Any]]:
    return {
        "TextVectorizer": lambda: F.tv,
        "HashingVectorizer": lambda: F.hv,
        "LinearClassifier": lambda: F.lc,
        "MultinomialNB": lambda: F.nb,
        "TopicClassifier": lambda: F.tc,
        "EntityTagger": lambda: F.tg,
        "StancePairFeatures": lambda: F.spf,
        "StanceClassifier": lambda: F.st,
    }


def _use(obj: Any) -> Any:
    """Exercise a loaded object the way a user would first use it."""
    if isinstance(obj, (kb.TextVectorizer, kb.HashingVectorizer)):
        return obj.transform(DOCS)
    if isinstance(obj, (kb.LinearClassifier, kb.MultinomialNB)):
        return obj.predict_proba(XM)
    if isinstance(obj, kb.TopicClassifier):
        return obj.predict_proba(DOCS)
    if isinstance(obj, kb.EntityTagger):
        return obj.predict(SENTS)
    if isinstance(obj, kb.StancePairFeatures):
        return obj.transform(PAIRS)
    return obj.predict_proba(PAIRS)


def _reseal(b: bytes) -> bytes:
    """Recompute the header's length and CRC-32 after editing the payload,
    as a crafted file (or a buggy writer) would."""
    payload = b[24:]
    return b[:12] + struct.pack("<QI", len(payload), zlib.crc32(payload)) + payload


def _set_u32(b: bytes, at: int, v: int) -> bytes:
    return b[:at] + struct.pack("<I", v) + b[at + 4 :]


def _flip(b: bytes, at: int, bit: int = 0x10) -> bytes:
    at %= len(b)
    return b[:at] + bytes([b[at] ^ bit]) + b[at + 1 :]


#: (corruption id, transform of the good bytes, message regex)
CORRUPTIONS: list[tuple[str, Callable[[bytes], bytes], str]] = [
    ("zero-length", lambda b: b"", r"the data is empty \(0 bytes\)"),
    (
        "truncated to 1 byte",
        lambda b: b[:1],
        r"truncated: 1 bytes, shorter than the 24-byte header",
    ),
    ("truncated to the magic", lambda b: b[:8], r"truncated: 8 bytes"),
    ("truncated in the header", lambda b: b[:23], r"truncated: 23 bytes"),
    (
        "header only",
        lambda b: b[:24],
        r"truncated: the header declares \d+ payload bytes but only 0",
    ),
    ("truncated at half", lambda b: b[: len(b) // 2], r"truncated: the header declares"),
    ("last byte cut", lambda b: b[:-1], r"truncated: the header declares"),
    ("trailing byte", lambda b: b + b"\x00", r"1 unexpected trailing bytes"),
    ("bit-flipped magic", lambda b: _flip(b, 1), r"not a khabar model \(wrong magic bytes\)"),
    ("PNG file", lambda b: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, r"wrong magic bytes"),
    ("zip file", lambda b: b"PK\x03\x04" + b"\x00" * 64, r"wrong magic bytes"),
    ("pickle", lambda b: pickle.dumps({"class": "TopicClassifier"}), r"wrong magic bytes"),
    ("JSON text", lambda b: b'{"class": "TopicClassifier", "params": {}}', r"wrong magic bytes"),
    ("text mode newline mangling", lambda b: b.replace(b"\n", b"\r\n", 1), r"wrong magic bytes"),
    ("format version 0", lambda b: _set_u32(b, 8, 0), r"invalid format version 0"),
    (
        "future format version 2",
        lambda b: _set_u32(b, 8, 2),
        r"written by a newer khabar \(format version 2",
    ),
    ("future format version 2**32-1", lambda b: _set_u32(b, 8, 2**32 - 1), r"newer khabar"),
    ("length field bit-flipped", lambda b: _flip(b, 12), r"truncated|trailing"),
    (
        "length field 2**64-1",
        lambda b: b[:12] + b"\xff" * 8 + b[20:],
        r"truncated: the header declares 18446744073709551615",
    ),
    ("checksum bit-flipped", lambda b: _flip(b, 20), r"checksum mismatch: the data is corrupted"),
    ("payload first byte flipped", lambda b: _flip(b, 24), r"checksum mismatch"),
    (
        "payload middle bit flipped",
        lambda b: _flip(b, 24 + (len(b) - 24) // 2, 0x01),
        r"checksum mismatch",
    ),
    ("payload last byte flipped", lambda b: _flip(b, len(b) - 1, 0x80), r"checksum mismatch"),
    (
        "payload zeroed, checksum recomputed",
        lambda b: _reseal(b[:24] + b"\x00" * (len(b) - 24)),
        r"could not be decoded|unexpected trailing bytes|metadata is invalid",
    ),
    (
        "payload truncated, checksum recomputed",
        lambda b: _reseal(b[: 24 + (len(b) - 24) // 3]),
        r"could not be decoded",
    ),
]


def _corruption_cases() -> list[Any]:
    out = []
    for kind in _saved():
        for inp, corrupt, pattern in CORRUPTIONS:
            case = f"loads({kind})[{_h('model file ' + inp)}]"
            out.append(pytest.param(kind, corrupt, pattern, id=case))
    return out


@pytest.fixture(scope="module")
def model_bytes() -> dict[str, bytes]:
    return {kind: get().to_bytes() for kind, get in _saved().items()}


@pytest.mark.parametrize(("kind", "corrupt", "pattern"), _corruption_cases())
def test_corrupt_model_bytes(kind, corrupt, pattern, model_bytes):
    bad = corrupt(model_bytes[kind])
    _expect(kb.ModelFormatError, pattern, kb.loads, bad)


@pytest.mark.parametrize(
    "inp",
    [
        "zero-length",
        "truncated at half",
        "bit-flipped magic",
        "future format version 2",
        "checksum bit-flipped",
    ],
)
def test_corrupt_model_files_through_every_loader(inp, model_bytes, tmp_path):
    corrupt, pattern = next((c, p) for i, c, p in CORRUPTIONS if i == inp)
    bad = corrupt(model_bytes["TopicClassifier"])
    path = tmp_path / "m.khabar"
    path.write_bytes(bad)
    _expect(kb.ModelFormatError, pattern, kb.load, path)
    _expect(kb.ModelFormatError, pattern, kb.load, str(path))
    _expect(kb.ModelFormatError, pattern, kb.TopicClassifier.from_bytes, bad)
    _expect(kb.ModelFormatError, pattern, kb.loads, bytearray(bad))
    _expect(kb.ModelFormatError, pattern, kb.loads, memoryview(bad))
    # pickling ships the same bytes: a damaged pickle must fail the same way
    state = F.tc.__getstate__()
    state["model"] = corrupt(state["model"])
    clone = kb.TopicClassifier.__new__(kb.TopicClassifier)
    _expect(kb.ModelFormatError, pattern, clone.__setstate__, state)


def test_model_file_of_another_class(model_bytes):
    _h("model file of another class")
    _expect(
        kb.ModelFormatError,
        r"the data holds a LinearClassifier, not a TopicClassifier",
        kb.TopicClassifier.from_bytes,
        model_bytes["LinearClassifier"],
    )


def _with_metadata(core: Any, meta: dict[str, Any]) -> bytes:
    return bytes(core.to_bytes(json.dumps(meta)))


@pytest.mark.parametrize(
    ("make", "pattern"),
    [
        pytest.param(
            lambda: _with_metadata(F.lc._core_, {"class": "Nope", "params": {}}),
            r"metadata is invalid: KeyError\('Nope'\)",
            id=_h("metadata names an unknown class"),
        ),
        pytest.param(
            lambda: _with_metadata(
                F.lc._core_, {"class": "TopicClassifier", "params": {}, "state": {"classes": Y}}
            ),
            r"holds a LinearModel core, but its metadata names a TopicClassifier",
            id=_h("metadata class does not match the core"),
        ),
        pytest.param(
            lambda: _with_metadata(
                F.lc._core_, {"class": "LinearClassifier", "params": {"no_such_param": 1}}
            ),
            r"unexpected keyword argument 'no_such_param'",
            id=_h("metadata with an unknown parameter"),
        ),
        pytest.param(
            lambda: _with_metadata(F.lc._core_, {"class": "LinearClassifier", "params": {}}),
            r"no fitted state for a LinearClassifier",
            id=_h("metadata without the fitted state"),
        ),
        pytest.param(
            lambda: _with_metadata(
                F.lc._core_,
                {
                    "class": "LinearClassifier",
                    "params": {},
                    "state": {"classes": ["a", "b", "c"], "multilabel": False},
                },
            ),
            r"fitted state is invalid.*number of classes",
            id=_h("metadata with the wrong number of classes"),
        ),
        pytest.param(
            lambda: _with_metadata(
                F.nb._core_,
                {
                    "class": "MultinomialNB",
                    "params": {},
                    "state": {"classes": Y[1:3], "n_features": 7},
                },
            ),
            r"fitted state is invalid.*7 features",
            id=_h("metadata with the wrong feature count"),
        ),
        pytest.param(
            lambda: _with_metadata(
                F.hv._core_obj(), {"class": "HashingVectorizer", "params": {"ngram_range": [0, 1]}}
            ),
            r"parameters are invalid: ngram_range",
            id=_h("metadata with an invalid parameter value"),
        ),
        pytest.param(
            lambda: _with_metadata(
                F.lc._core_, {"class": "LinearClassifier", "params": {}, "state": "classes"}
            ),
            r"fitted state is invalid",
            id=_h("metadata state of the wrong type"),
        ),
        pytest.param(
            lambda: bytes(F.lc._core_.to_bytes("not json")),
            r"metadata is invalid: JSONDecodeError",
            id=_h("metadata that is not JSON"),
        ),
        pytest.param(
            lambda: bytes(F.lc._core_.to_bytes("")), r"metadata is invalid", id=_h("empty metadata")
        ),
        pytest.param(
            lambda: _with_metadata(
                F.st._core_,
                {
                    "class": "StanceClassifier",
                    "params": {"term_blocks": ["headline"]},
                    "state": {"classes": ["agree", "disagree", "unrelated"]},
                },
            ),
            r"do not match the model's feature blocks",
            id=_h("metadata naming other stance blocks"),
        ),
    ],
)
def test_crafted_model_metadata(make, pattern):
    # A file whose checksum is right but whose metadata does not fit its
    # model (edited by hand, or written by a buggy tool) fails at load time,
    # not at the first prediction.
    _expect(kb.ModelFormatError, pattern, kb.loads, make())


@pytest.mark.parametrize(
    "kind",
    [
        pytest.param(k, id=f"{k}[{_h('payload bit flips with a recomputed checksum')}]")
        for k in _saved()
    ],
)
def test_crafted_payload_bit_flips(kind, model_bytes):
    # Bit flips with the checksum recomputed: every one either fails to
    # load with ModelFormatError or loads into an object that works (a
    # flipped weight is still a weight). Never an internal error, never
    # another exception type at first use.
    good = model_bytes[kind]
    rng = random.Random(kind)
    outcomes = {"rejected": 0, "works": 0}
    for _ in range(60):
        bad = _reseal(_flip(good, rng.randrange(24, len(good)), 1 << rng.randrange(8)))
        try:
            obj = _guarded(kb.loads, bad)
        except kb.ModelFormatError:
            outcomes["rejected"] += 1
            continue
        _guarded(_use, obj)
        outcomes["works"] += 1
    assert outcomes["rejected"] > 0


@pytest.mark.parametrize(
    ("fn", "exc", "pattern"),
    [
        pytest.param(
            lambda p: kb.loads("not bytes"),
            TypeError,
            r"data must be bytes \(a model file's content\), got str",
            id="loads[" + _h("str for bytes") + "]",
        ),
        pytest.param(lambda p: kb.loads(None), TypeError, r"data must be bytes", id="loads[None]"),
        pytest.param(
            lambda p: kb.load(None),
            TypeError,
            r"path must be a str or os.PathLike, got NoneType",
            id="load[None]",
        ),
        pytest.param(
            lambda p: kb.load(b"m.khabar"),
            TypeError,
            r"path must be a str or os.PathLike, got bytes",
            id="load[bytes]",
        ),
        pytest.param(
            lambda p: kb.load(p / "missing.khabar"),
            FileNotFoundError,
            r"model file '.*missing.khabar' does not exist",
            id="load[missing file]",
        ),
        pytest.param(
            lambda p: kb.load(p),
            FileNotFoundError,
            r"is a directory, not a model file",
            id="load[directory for a file]",
        ),
        pytest.param(
            lambda p: kb.load(""), FileNotFoundError, r"path is empty", id="load[empty string]"
        ),
        pytest.param(
            lambda p: kb.load("m\x00.khabar"),
            FileNotFoundError,
            r"does not exist",
            id="load[NUL bytes]",
        ),
        pytest.param(
            lambda p: kb.load("m\ud800.khabar"),
            FileNotFoundError,
            r"does not exist",
            id="load[lone high surrogate]",
        ),
    ],
)
def test_bad_model_paths(fn, exc, pattern, tmp_path):
    _expect(exc, pattern, fn, tmp_path)


# =============================================================================
# 9. The command line
# =============================================================================


def _cli_files(d: Path) -> None:
    """Input and model files for the CLI cases."""
    (d / "latin.txt").write_bytes("بغداد\n".encode() + "Bagdad \xe9t\xe9\n".encode("latin-1"))
    (d / "cp1256.jsonl").write_bytes(b'{"text": "' + "بغداد".encode("cp1256") + b'"}\n')
    (d / "bad.csv").write_bytes(b"text,label\nok,a\n\xe9t\xe9,b\n")
    (d / "ok.jsonl").write_text(
        '{"text": "بغداد", "label": "a"}\n{"text": "طهران", "label": "b"}\n', "utf-8"
    )
    (d / "unseen.jsonl").write_text(
        '{"text": "the match", "label": "sport"}\n{"text": "x", "label": "weather"}\n', "utf-8"
    )
    (d / "bom.jsonl").write_bytes(b"\xef\xbb\xbf" + '{"text": "بغداد"}\n'.encode())
    (d / "surrogate.jsonl").write_text('{"text": "a\\ud800b"}\n', "utf-8")
    (d / "fake.jsonl.gz").write_bytes(b"not gzip at all")
    (d / "mac.csv").write_bytes(b"text\rthe match\rthe election\r")
    (d / "cut.jsonl.gz").write_bytes(gzip.compress(b'{"text": "a"}\n' * 2000)[:80])
    (d / "latin.conll").write_bytes(b"a O\n\xe9t\xe9 B-PER\n")
    good = F.tc.to_bytes()
    (d / "truncated.khabar").write_bytes(good[: len(good) // 2])
    (d / "flipped.khabar").write_bytes(_flip(good, len(good) // 2))
    (d / "zero.khabar").write_bytes(b"")
    (d / "png.khabar").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    (d / "future.khabar").write_bytes(_set_u32(good, 8, 7))
    F.tv.save(d / "vectorizer.khabar")


#: (case id, argv after ``python -m khabar``, expected exit code, regex for
#: the single stderr line or None for a success, marks). The first group
#: runs as real subprocesses (what the issue asks: non-UTF-8 input, a
#: missing file, a bad field name, corrupt models); the rest call
#: ``khabar.__main__.main`` in-process, the same code path without paying
#: an interpreter start-up each (an exception escaping ``main`` would be the
#: traceback a shell user sees, and fails the test).
CLI_SUBPROCESS: list[tuple[str, list[str], int, str | None, Any]] = [
    (
        "predict, non-UTF-8 text file",
        ["predict", "--model", "topic-en", "latin.txt"],
        1,
        r"latin\.txt, line 2: not valid UTF-8",
        (),
    ),
    (
        "predict, non-UTF-8 JSONL",
        ["predict", "--model", "topic-ar", "cp1256.jsonl"],
        1,
        r"cp1256\.jsonl, line 1: not valid UTF-8.*iconv",
        (),
    ),
    (
        "predict, non-UTF-8 CSV",
        ["predict", "--model", "topic-en", "bad.csv"],
        1,
        r"bad\.csv, line 3: not valid UTF-8",
        (),
    ),
    (
        "entities, non-UTF-8 text",
        ["entities", "latin.txt"],
        1,
        r"latin\.txt, line 2: not valid UTF-8",
        (),
    ),
    (
        "predict, missing input file",
        ["predict", "--model", "topic-ar", "nope.jsonl"],
        1,
        r"input file not found: nope\.jsonl",
        (),
    ),
    (
        "predict, bad field name",
        ["predict", "--model", "topic-ar", "--text-field", "body", "ok.jsonl"],
        1,
        r"ok\.jsonl, line 1: no field 'body' \(fields: \['label', 'text'\]\)",
        (),
    ),
    (
        "predict, truncated model",
        ["predict", "--model", "truncated.khabar", "ok.jsonl"],
        1,
        r"invalid khabar model data: truncated",
        (),
    ),
    (
        "predict, bit-flipped model",
        ["predict", "--model", "flipped.khabar", "ok.jsonl"],
        1,
        r"checksum mismatch",
        (),
    ),
    (
        "info, wrong-magic model",
        ["info", "png.khabar"],
        1,
        r"not a khabar model \(wrong magic bytes\)",
        (),
    ),
    (
        "evaluate, future-version model",
        ["evaluate", "--model", "future.khabar", "--data", "ok.jsonl"],
        1,
        r"written by a newer khabar \(format version 7",
        (),
    ),
]

CLI_IN_PROCESS: list[tuple[str, list[str], int, str | None, Any]] = [
    (
        "train, non-UTF-8 CoNLL",
        ["train", "--task", "ner", "--train", "latin.conll", "-o", "ner.khabar"],
        1,
        r"latin\.conll.*(line 2|:2).*UTF-8",
        (),
    ),
    (
        "train, bad label field",
        [
            "train",
            "--task",
            "topic",
            "--train",
            "ok.jsonl",
            "--label-field",
            "topic",
            "-o",
            "m.khabar",
        ],
        1,
        r"ok\.jsonl, line 1: no label in field 'topic'",
        (),
    ),
    (
        "predict, lone surrogate in JSON",
        ["predict", "--model", "topic-ar", "surrogate.jsonl"],
        1,
        r"surrogate\.jsonl, line 1: field 'text' contains a lone surrogate",
        (),
    ),
    (
        "predict, .gz that is not gzip",
        ["predict", "--model", "topic-ar", "fake.jsonl.gz"],
        1,
        r"fake\.jsonl\.gz: not a gzip file",
        (),
    ),
    (
        "predict, truncated .gz",
        ["predict", "--model", "topic-ar", "cut.jsonl.gz"],
        1,
        r"cut\.jsonl\.gz, after line \d+: the compressed data is damaged or truncated",
        (),
    ),
    (
        "predict, zero-length model",
        ["predict", "--model", "zero.khabar", "ok.jsonl"],
        1,
        r"the data is empty \(0 bytes\)",
        (),
    ),
    (
        "info, truncated model",
        ["info", "truncated.khabar"],
        1,
        r"invalid khabar model data: truncated",
        (),
    ),
    (
        "evaluate, model that does not predict",
        ["evaluate", "--model", "vectorizer.khabar", "--data", "ok.jsonl"],
        1,
        r"vectorizer\.khabar holds a TextVectorizer, which does not predict",
        (),
    ),
    (
        "predict, unknown model",
        ["predict", "--model", "topic-xx", "ok.jsonl"],
        1,
        r"--model 'topic-xx' is neither a bundled model",
        (),
    ),
    (
        "train, bad --tag-map",
        ["train", "--task", "ner", "--train", "latin.conll", "--tag-map", "PERS", "-o", "m.khabar"],
        1,
        r"--tag-map 'PERS': expected OLD=NEW",
        (),
    ),
    (
        "train, one-class training set",
        [
            "train",
            "--task",
            "topic",
            "--train",
            "bom.jsonl",
            "--label-field",
            "text",
            "-o",
            "m.khabar",
        ],
        1,
        r"y has a single class",
        (),
    ),
    (
        "train, output in a missing directory",
        ["train", "--task", "topic", "--train", "ok.jsonl", "-o", "no/such/dir/m.khabar"],
        1,
        r"No such file or directory",
        (),
    ),
    (
        "predict, Parquet that is not Parquet",
        ["predict", "--model", "topic-ar", "--input-format", "parquet", "ok.jsonl"],
        1,
        r"ok\.jsonl: not a readable Parquet file",
        (),
    ),
    ("predict, UTF-8 BOM", ["predict", "--model", "topic-ar", "bom.jsonl"], 0, None, ()),
    (
        "predict, CSV with CR line ends",
        ["predict", "--model", "topic-en", "--format", "csv", "mac.csv"],
        0,
        None,
        (),
    ),
    (
        "evaluate, unseen labels",
        ["evaluate", "--model", "topic-en", "--data", "unseen.jsonl"],
        0,
        None,
        (),
    ),
]


@pytest.fixture(scope="module")
def cli_dir(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("cli")
    _cli_files(d)
    return d


@pytest.fixture(scope="module")
def cli_results(cli_dir) -> dict[str, tuple[int, str, str]]:
    def run(argv: list[str]) -> tuple[int, str, str]:
        r = subprocess.run(
            [sys.executable, "-m", "khabar", *argv],
            cwd=cli_dir,
            capture_output=True,
            text=True,
            timeout=180,
        )
        return r.returncode, r.stdout, r.stderr

    # independent runs, mostly interpreter start-up: run them side by side
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, [argv for _, argv, *_ in CLI_SUBPROCESS]))
    return {case: r for (case, *_), r in zip(CLI_SUBPROCESS, results, strict=True)}


def _check_cli(case: str, code: int, pattern: str | None, result: tuple[int, str, str]) -> None:
    returncode, stdout, stderr = result
    assert "Traceback" not in stderr, stderr
    assert returncode == code, stderr
    if pattern is None:
        assert stdout.strip()
        return
    lines = [ln for ln in stderr.splitlines() if not ln.startswith("[khabar] ")]
    assert len(lines) == 1, stderr  # progress lines aside, one line
    assert lines[0].startswith(f"khabar {case.split(',')[0]}: error: "), lines[0]
    assert re.search(pattern, lines[0]), lines[0]


@pytest.mark.parametrize(
    ("case", "code", "pattern"),
    [
        pytest.param(c, code, pat, id=f"cli[{_h('CLI ' + c)}]", marks=m)
        for c, _, code, pat, m in CLI_SUBPROCESS
    ],
)
def test_cli_subprocess(case, code, pattern, cli_results):
    _check_cli(case, code, pattern, cli_results[case])


@pytest.mark.parametrize(
    ("case", "argv", "code", "pattern"),
    [
        pytest.param(c, argv, code, pat, id=f"cli[{_h('CLI ' + c)}]", marks=m)
        for c, argv, code, pat, m in CLI_IN_PROCESS
    ],
)
def test_cli_in_process(case, argv, code, pattern, cli_dir, capsys, monkeypatch):
    from khabar.__main__ import main

    monkeypatch.chdir(cli_dir)
    try:
        returncode = _guarded(main, argv)
    except SystemExit as e:  # argparse usage errors
        returncode = e.code if isinstance(e.code, int) else 1
    out, err = capsys.readouterr()
    _check_cli(case, code, pattern, (returncode, out, err))


# =============================================================================
# 10. The battery's own size
# =============================================================================


def test_battery_is_large_enough(request):
    # Counted from the tables, so adding a row counts it. The issue asks for
    # at least 60 distinct hostile inputs; every parametrised case counts.
    assert len(HOSTILE) >= 60, sorted(HOSTILE)
    here = [item for item in request.session.items if item.path == Path(__file__)]
    assert len(here) >= 150 or len(request.session.items) < 150

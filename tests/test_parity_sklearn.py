"""Parity with scikit-learn where khabar computes the same thing.

* ``analyzer="char"``/``"char_wb"`` with ``normalizer=None``: exactly
  ``TfidfVectorizer(analyzer=..., lowercase=False)`` (vocabulary, feature
  names, values), for fit_transform and for transform on unseen documents.
* ``analyzer="word"`` with ``normalizer=None``: exactly ``TfidfVectorizer``
  driven by ``khabar.tokenize`` as its tokenizer.
* Several analyzers at once: exactly a ``FeatureUnion`` of the single ones.
* ``HashingVectorizer``: same columns, signs and values as scikit-learn's,
  because both use MurmurHash3 x86_32 with seed 0.
"""

from __future__ import annotations

import warnings

import khabar as kb
import numpy as np
import pytest
import scipy.sparse as sp
from _util import TRICKY_DOCS, max_abs_diff
from khabar import _core
from sklearn.feature_extraction.text import HashingVectorizer as SkHashingVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.utils import murmurhash3_32

ATOL = 1e-6


@pytest.fixture(scope="module")
def docs(bbc_dev, ant_dev) -> list[str]:
    """English + Arabic news (title + text) plus hand-written tricky documents."""
    return bbc_dev[:50] + ant_dev[:150] + TRICKY_DOCS


def sk_word(**kw) -> TfidfVectorizer:
    return TfidfVectorizer(tokenizer=kb.tokenize, token_pattern=None, lowercase=False, **kw)


def assert_same_model(kv: kb.TextVectorizer, sv: TfidfVectorizer) -> None:
    """Same vocabulary mapping, same feature-name order and same IDF."""
    assert kv.vocabulary_ == {t: int(i) for t, i in sv.vocabulary_.items()}
    names_k = kv.get_feature_names_out()
    names_s = sv.get_feature_names_out()
    assert names_k.tolist() == names_s.tolist()
    if sv.use_idf:
        np.testing.assert_allclose(kv.idf_, sv.idf_, rtol=0, atol=1e-12)


def assert_same_matrix(A: sp.spmatrix, B: sp.spmatrix, atol: float = ATOL) -> None:
    assert A.shape == B.shape
    assert max_abs_diff(A, B) < atol
    # Same sparsity pattern, too (sklearn never keeps explicit zeros here).
    assert (A != 0).nnz == (B != 0).nnz


# -- character analyzers -------------------------------------------------

CHAR_CASES = [
    pytest.param((1, 1), {}, id="1-1"),
    pytest.param((2, 4), {}, id="2-4"),
    pytest.param((2, 5), {}, id="2-5"),
    pytest.param((1, 3), {}, id="1-3"),
    pytest.param((2, 4), {"min_df": 2}, id="2-4-min_df=2"),
    pytest.param((2, 4), {"min_df": 0.01}, id="2-4-min_df=0.01"),
    pytest.param((1, 3), {"max_df": 0.9}, id="1-3-max_df=0.9"),
    pytest.param((2, 4), {"max_df": 50}, id="2-4-max_df=50"),
    pytest.param((1, 3), {"min_df": 2, "max_df": 0.5}, id="1-3-min_df=2-max_df=0.5"),
    pytest.param((2, 4), {"sublinear_tf": True}, id="2-4-sublinear"),
    pytest.param((1, 3), {"norm": "l1"}, id="1-3-l1"),
    pytest.param((2, 4), {"norm": None}, id="2-4-norm=None"),
    pytest.param((1, 3), {"use_idf": False}, id="1-3-no_idf"),
    pytest.param((2, 4), {"smooth_idf": False}, id="2-4-no_smooth"),
    pytest.param((1, 3), {"binary": True}, id="1-3-binary"),
    pytest.param((2, 4), {"binary": True, "use_idf": False, "norm": None}, id="2-4-binary-counts"),
    pytest.param(
        (1, 3),
        {"sublinear_tf": True, "smooth_idf": False, "norm": "l1", "min_df": 0.01},
        id="1-3-mixed",
    ),
]


@pytest.mark.parametrize("analyzer", ["char", "char_wb"])
@pytest.mark.parametrize(("ngram_range", "params"), CHAR_CASES)
def test_char_fit_transform_matches_sklearn(docs, analyzer, ngram_range, params):
    kv = kb.TextVectorizer(analyzer=analyzer, ngram_range=ngram_range, normalizer=None, **params)
    sv = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range, lowercase=False, **params)
    A = kv.fit_transform(docs)
    B = sv.fit_transform(docs)
    assert_same_model(kv, sv)
    assert_same_matrix(A, B)


TRANSFORM_CASES = [
    pytest.param("char", (2, 4), {}, id="char-2-4"),
    pytest.param("char_wb", (2, 5), {"min_df": 2}, id="char_wb-2-5-min_df"),
    pytest.param("char", (1, 3), {"sublinear_tf": True, "norm": "l1"}, id="char-1-3-sub-l1"),
    pytest.param("char_wb", (1, 3), {"smooth_idf": False, "max_df": 0.9}, id="char_wb-1-3"),
    pytest.param("char_wb", (2, 4), {"binary": True, "norm": None}, id="char_wb-binary"),
]


@pytest.mark.parametrize(("analyzer", "ngram_range", "params"), TRANSFORM_CASES)
def test_char_transform_unseen_docs_matches_sklearn(docs, analyzer, ngram_range, params):
    # Interleave so both halves contain English, Arabic and tricky docs.
    fit_docs, new_docs = docs[::2], docs[1::2]
    kv = kb.TextVectorizer(analyzer=analyzer, ngram_range=ngram_range, normalizer=None, **params)
    sv = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range, lowercase=False, **params)
    kv.fit(fit_docs)
    sv.fit(fit_docs)
    assert_same_model(kv, sv)
    A = kv.transform(new_docs)
    B = sv.transform(new_docs)
    assert_same_matrix(A, B)
    # Unseen n-grams must really occur, otherwise this test proves little.
    unseen = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range, lowercase=False)
    assert unseen.fit(new_docs).vocabulary_.keys() - sv.vocabulary_.keys()


def test_char_whitespace_edge_cases_match_sklearn():
    """sklearn's "char" collapses runs of 2+ whitespace (``\\s\\s+``) but keeps
    a single tab; "char_wb" splits on ``str.split()`` whitespace, which
    includes the ASCII separators \\x1c-\\x1f. khabar must do the same."""
    seps = ["\t", "\n", "\r", "\x0b", "\x0c", "\x1c", "\x1f", "\x85", "\xa0", "\u2028", "\u3000"]
    docs = []
    for s in seps:
        docs += [f"ab{s}cd", f"x{s}{s}y", f"{s}z {s}", f"q{s} {s}r"]
    for analyzer in ("char", "char_wb"):
        kv = kb.TextVectorizer(analyzer=analyzer, ngram_range=(1, 3), normalizer=None)
        sv = TfidfVectorizer(analyzer=analyzer, ngram_range=(1, 3), lowercase=False)
        A, B = kv.fit_transform(docs), sv.fit_transform(docs)
        assert_same_model(kv, sv)
        assert_same_matrix(A, B)
    # A single tab survives in "char" n-grams, a double one does not.
    kv = kb.TextVectorizer(analyzer="char", ngram_range=(1, 1), normalizer=None).fit(["a\tb"])
    assert "\t" in kv.vocabulary_
    kv = kb.TextVectorizer(analyzer="char", ngram_range=(1, 1), normalizer=None).fit(["a\t\tb"])
    assert "\t" not in kv.vocabulary_ and " " in kv.vocabulary_


# -- word analyzer -----------------------------------------------------------

WORD_CASES = [
    pytest.param({}, id="default"),
    pytest.param({"min_df": 2}, id="min_df=2"),
    pytest.param({"max_df": 0.5}, id="max_df=0.5"),
    pytest.param({"sublinear_tf": True}, id="sublinear"),
    pytest.param({"min_df": 0.01, "max_df": 40, "norm": "l1"}, id="df-window-l1"),
    pytest.param({"binary": True, "smooth_idf": False}, id="binary-no_smooth"),
]


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2), (1, 3)])
@pytest.mark.parametrize("params", WORD_CASES)
def test_word_matches_sklearn_with_khabar_tokenizer(docs, ngram_range, params):
    kv = kb.TextVectorizer(analyzer="word", ngram_range=ngram_range, normalizer=None, **params)
    sv = sk_word(ngram_range=ngram_range, **params)
    A = kv.fit_transform(docs)
    B = sv.fit_transform(docs)
    assert_same_model(kv, sv)
    assert_same_matrix(A, B)


def test_word_transform_unseen_docs_matches_sklearn(docs):
    kv = kb.TextVectorizer(ngram_range=(1, 2), normalizer=None, min_df=2).fit(docs[::2])
    sv = sk_word(ngram_range=(1, 2), min_df=2).fit(docs[::2])
    assert_same_model(kv, sv)
    assert_same_matrix(kv.transform(docs[1::2]), sv.transform(docs[1::2]))


@pytest.mark.parametrize("ngram_range", [(1, 1), (1, 2)])
def test_word_english_stop_words_match_sklearn(bbc_dev, ngram_range):
    docs = bbc_dev[:60]
    stop = kb.stop_words("english")
    kv = kb.TextVectorizer(ngram_range=ngram_range, normalizer=None, stop_words="english")
    sv = sk_word(ngram_range=ngram_range, stop_words=stop)
    with warnings.catch_warnings():
        # sklearn warns that the stop words may be inconsistent with the tokenizer.
        warnings.simplefilter("ignore", UserWarning)
        B = sv.fit_transform(docs)
    A = kv.fit_transform(docs)
    assert_same_model(kv, sv)
    assert_same_matrix(A, B)
    # The stop words really were removed (and "the" is in the list).
    assert "the" in stop and "the" not in kv.vocabulary_
    assert "the" in kb.TextVectorizer(normalizer=None).fit(docs).vocabulary_


# -- with khabar's normaliser ----------------------------------------------------


@pytest.fixture(scope="module")
def social_docs(read_texts, ant_dev) -> list[str]:
    """Social-media news posts (hashtags, mentions, URLs) plus Arabic articles."""
    return read_texts("asnd", "dev", 150) + ant_dev[:100] + TRICKY_DOCS


@pytest.mark.parametrize(
    ("analyzer", "ngram_range", "params"),
    [
        pytest.param("word", (1, 2), {}, id="word"),
        pytest.param("char_wb", (2, 4), {}, id="char_wb"),
        pytest.param("char", (1, 3), {}, id="char"),
        pytest.param("word", (1, 2), {"segment_clitics": True}, id="word-clitics"),
        pytest.param("word", (1, 2), {"split_hashtags": True}, id="word-hashtags"),
        pytest.param("word", (1, 1), {"keep_punct": True}, id="word-punct"),
    ],
)
def test_default_normalizer_equals_sklearn_with_normalize_preprocessor(
    social_docs, analyzer, ngram_range, params
):
    """The default pipeline is exactly: kb.normalize, then the analyzer
    (for "word": kb.tokenize with the same options)."""
    kv = kb.TextVectorizer(analyzer=analyzer, ngram_range=ngram_range, **params)
    extra = {}
    if analyzer == "word":
        extra = {"tokenizer": lambda s: kb.tokenize(s, **params), "token_pattern": None}
    sv = TfidfVectorizer(
        analyzer=analyzer,
        ngram_range=ngram_range,
        preprocessor=kb.normalize,
        lowercase=False,
        **extra,
    )
    A = kv.fit_transform(social_docs)
    B = sv.fit_transform(social_docs)
    assert_same_model(kv, sv)
    assert_same_matrix(A, B)


def test_arabic_stop_words_equal_sklearn_with_normalised_list(social_docs):
    stop = sorted({kb.normalize(w) for w in kb.stop_words("arabic")})
    kv = kb.TextVectorizer(stop_words="arabic")
    sv = sk_word(preprocessor=kb.normalize, stop_words=stop)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        B = sv.fit_transform(social_docs)
    A = kv.fit_transform(social_docs)
    assert_same_model(kv, sv)
    assert_same_matrix(A, B)
    assert "في" not in kv.vocabulary_ and "الي" not in kv.vocabulary_


# -- several analyzers ---------------------------------------------------


def test_combined_analyzers_equal_feature_union(docs):
    kv = kb.TextVectorizer(analyzer=[("word", (1, 2)), ("char_wb", (2, 4))], normalizer=None)
    union = FeatureUnion(
        [
            ("word", sk_word(ngram_range=(1, 2))),
            ("char_wb", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=False)),
        ]
    )
    A = kv.fit_transform(docs)
    B = union.fit_transform(docs)
    assert_same_matrix(A, B)
    names = kv.get_feature_names_out().tolist()
    sk_names = [n.replace("__", ":", 1) for n in union.get_feature_names_out()]
    assert names == sk_names
    n_word = len(union.transformer_list[0][1].vocabulary_)
    assert all(n.startswith("word:") for n in names[:n_word])
    assert all(n.startswith("char_wb:") for n in names[n_word:])
    # Each block is normalised on its own, as in a FeatureUnion (l2 norm per block).
    word_block = A[:, :n_word].toarray()
    norms = np.linalg.norm(word_block, axis=1)
    nonempty = norms > 0
    np.testing.assert_allclose(norms[nonempty], 1.0, atol=1e-9)
    # transform on new docs matches too
    assert_same_matrix(kv.transform(TRICKY_DOCS), union.transform(TRICKY_DOCS))


# -- hashing -----------------------------------------------------------------

HASH_CASES = [
    pytest.param("char_wb", (2, 4), {}, id="char_wb-2-4"),
    pytest.param("char", (1, 3), {}, id="char-1-3"),
    pytest.param("word", (1, 2), {}, id="word-1-2"),
    pytest.param("char_wb", (2, 4), {"alternate_sign": False}, id="char_wb-no_sign"),
    pytest.param("word", (1, 1), {"alternate_sign": False}, id="word-no_sign"),
    pytest.param("char_wb", (2, 4), {"norm": None}, id="char_wb-norm=None"),
    pytest.param("word", (1, 2), {"norm": None}, id="word-norm=None"),
    pytest.param("char_wb", (2, 4), {"binary": True}, id="char_wb-binary"),
    pytest.param("word", (1, 2), {"binary": True, "norm": None}, id="word-binary-raw"),
    pytest.param("char", (2, 3), {"norm": "l1", "n_features": 2**10}, id="char-l1-collide"),
]


@pytest.mark.parametrize(("analyzer", "ngram_range", "params"), HASH_CASES)
def test_hashing_matches_sklearn(docs, analyzer, ngram_range, params):
    params = {"n_features": 2**18, **params}
    kh = kb.HashingVectorizer(analyzer=analyzer, ngram_range=ngram_range, normalizer=None, **params)
    extra = {"tokenizer": kb.tokenize, "token_pattern": None} if analyzer == "word" else {}
    sh = SkHashingVectorizer(
        analyzer=analyzer, ngram_range=ngram_range, lowercase=False, **extra, **params
    )
    A = kh.transform(docs)
    B = sh.transform(docs)
    assert A.shape == B.shape == (len(docs), params["n_features"])
    # sklearn may keep explicit zeros where colliding +1/-1 cancel; khabar drops them.
    assert max_abs_diff(A, B) < 1e-9
    assert not np.any(A.data == 0), "khabar must not store explicit zeros"
    B.eliminate_zeros()
    assert A.nnz == B.nnz
    if params.get("norm", "l2") is None and not params.get("binary"):
        # raw counts: values are integers
        np.testing.assert_array_equal(A.data, np.round(A.data))
    if not params.get("alternate_sign", True):
        assert A.data.min() > 0


def test_murmurhash3_32_matches_sklearn():
    strings = [
        "",
        "a",
        "ab",
        "abc",
        "abcd",
        "abcde",
        "hello world",
        "The quick brown fox",
        "بغداد",
        "الْعَرَبِيَّةُ",
        "السفارة الأميركية",
        "١٢٣",
        "۴۵۶",
        "ـ",
        "\u200f\u200d",
        "😀",
        "👨\u200d👩\u200d👧",
        "🇸🇦",
        "日本語テキスト",
        "Ελληνικά",
        "кириллица",
        "e\u0301",
        "\x00",
        "\x00\x00\x00\x00",
        "\uffff",
        "\U0010ffff",
        " " * 17,
        "#بغداد_الآن",
        "https://t.co/abc",
        "a" * 1000,
    ]
    strings += [chr(c) for c in range(0x600, 0x700, 7)]
    strings += ["x" * n for n in range(0, 12)]
    for s in strings:
        assert _core.murmurhash3_32(s) == murmurhash3_32(s, seed=0), repr(s)
    # The values are signed 32-bit ints, as sklearn's default.
    vals = [_core.murmurhash3_32(s) for s in strings]
    assert min(vals) < 0 < max(vals)
    assert all(-(2**31) <= v < 2**31 for v in vals)


# -- dtypes --------------------------------------------------------------------


def test_float32_dtype_and_int32_indices(docs):
    k64 = kb.TextVectorizer(analyzer="char_wb", ngram_range=(2, 4), normalizer=None)
    k32 = kb.TextVectorizer(
        analyzer="char_wb", ngram_range=(2, 4), normalizer=None, dtype=np.float32
    )
    A64 = k64.fit_transform(docs)
    A32 = k32.fit_transform(docs)
    assert A64.dtype == np.float64
    assert A32.dtype == np.float32
    assert k32.transform(docs[:5]).dtype == np.float32
    for X in (A32, A64):
        assert X.indices.dtype == np.int32
        assert X.indptr.dtype == np.int32
    assert max_abs_diff(A32, A64) < 1e-6
    sv = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), lowercase=False, dtype=np.float32)
    B32 = sv.fit_transform(docs)
    assert max_abs_diff(A32, B32) < 1e-6

    H = kb.HashingVectorizer(analyzer="char_wb", ngram_range=(2, 4), dtype=np.float32)
    X = H.transform(docs)
    assert X.dtype == np.float32
    assert X.indices.dtype == np.int32 and X.indptr.dtype == np.int32

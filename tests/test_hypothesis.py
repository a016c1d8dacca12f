"""Property-based tests on random Unicode: RTL/bidi marks, ZWJ sequences,
combining marks, emoji, presentation forms, and lone surrogates."""

from __future__ import annotations

import unicodedata

import khabar as kb
import numpy as np
import pytest
from _util import assert_valid_csr, max_abs_diff
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.feature_extraction.text import HashingVectorizer as SkHashingVectorizer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

SPECIAL = [
    # bidi marks, embeddings, isolates
    "\u200f", "\u200e", "\u061c", "\u202a", "\u202b", "\u202c", "\u202e", "\u2066", "\u2067",
    "\u2069",
    # zero-width characters, BOM, soft hyphen
    "\u200d", "\u200c", "\u200b", "\ufeff", "\u00ad", "\u2060",
    # tatweel, harakat, shadda, sukun, superscript alef, Latin combining marks
    "\u0640", "\u064b", "\u064e", "\u0650", "\u0651", "\u0652", "\u0670", "\u06e1", "\u0301",
    "\u0308", "e\u0301", "\u0627\u0651\u064e", "\u0301\u0301",
    # emoji: simple, ZWJ family, flag, skin tone, keycap, variation selector
    "😀", "👨\u200d👩\u200d👧", "🇸🇦", "👍🏽", "1\ufe0f\u20e3", "❤\ufe0f",
    # presentation forms, ligatures, digits, Arabic punctuation
    "\ufefb", "ﻣﺤﻤﺪ", "ﷺ", "ﷲ", "\ufb50", "ﬁ", "١٢٣", "۴۵", "٫", "٬", "،", "؛", "؟",
    # whitespace of all kinds
    " ", "  ", "\t", "\n", "\r\n", "\x0b", "\x1c", "\x85", "\xa0", "\u2028", "\u3000",
    # tokens with structure
    "#وسم_عربي", "@user_1", "https://t.co/x?a=1", "a@b.co", "1,000.5", "RT", "...",
]  # fmt: skip
WORDS = [
    "بغداد", "الْعَرَبِيَّةُ", "إلى", "على", "مدرسة", "كتـــاب", "والكتاب", "Hello", "WORLD",
    "ΣΟΦΟΣ", "дом", "İstanbul", "straße", "日本語", "x", "a1", "42",
]  # fmt: skip

# codec="utf-8" excludes surrogates (a bare st.characters() may produce them);
# those are generated on purpose by `surrogates` below.
piece = st.one_of(
    st.sampled_from(SPECIAL),
    st.sampled_from(WORDS),
    st.characters(codec="utf-8"),
    st.characters(codec="ascii"),
)
unicode_text = st.one_of(
    st.text(max_size=40),  # any code point except surrogates
    st.lists(piece, max_size=20).map("".join),
)
surrogates = st.lists(st.characters(categories=["Cs"]), min_size=1, max_size=2).map("".join)
text_with_surrogate = st.tuples(unicode_text, surrogates, unicode_text).map("".join)
docs_strategy = st.lists(unicode_text, min_size=1, max_size=8)


def has_surrogate(s: str) -> bool:
    return any(unicodedata.category(c) == "Cs" for c in s)


def sk_word(**kw) -> TfidfVectorizer:
    return TfidfVectorizer(tokenizer=kb.tokenize, token_pattern=None, lowercase=False, **kw)


# -- normalisation and tokenisation ---------------------------------------------


@SETTINGS
@given(unicode_text, st.sampled_from(["arabic", {"fold_teh_marbuta": True}, None]))
def test_normalize_total_and_idempotent(text, normalizer):
    out = kb.normalize(text, normalizer)
    assert isinstance(out, str)
    assert kb.normalize(out, normalizer) == out
    if normalizer is None:
        assert out == text
    else:
        # collapse_whitespace: no leading/trailing or doubled whitespace
        assert out == out.strip()
        assert "  " not in out
        for ch in "\u200f\u200e\u200d\u200c\ufeff\u00ad\u0640":
            assert ch not in out


@SETTINGS
@given(unicode_text)
def test_normalizer_transform_matches_normalize(text):
    docs = [text, text[::-1], ""]
    assert kb.Normalizer().transform(docs) == [kb.normalize(d) for d in docs]


@SETTINGS
@given(unicode_text, st.booleans())
def test_tokenize_with_offsets_exact(text, keep_punct):
    toks = kb.tokenize_with_offsets(text, keep_punct=keep_punct)
    prev_end = 0
    for tok, start, end, kind in toks:
        assert text[start:end] == tok
        assert prev_end <= start < end <= len(text)
        assert kind in {"word", "number", "url", "email", "mention", "hashtag", "punct", "symbol"}
        assert not tok.isspace()
        prev_end = end
    assert [t[0] for t in toks] == kb.tokenize(text, keep_punct=keep_punct)
    if not keep_punct:
        assert all(kind != "punct" for *_rest, kind in toks)


@SETTINGS
@given(text_with_surrogate)
def test_text_functions_reject_lone_surrogates(text):
    for fn in (kb.normalize, kb.tokenize, kb.tokenize_with_offsets):
        with pytest.raises(ValueError, match="surrogate"):
            fn(text)


# -- vectorizers -------------------------------------------------------------------


@SETTINGS
@given(docs_strategy)
def test_text_vectorizer_word_char_wb_valid_csr(docs):
    vec = kb.TextVectorizer(analyzer=[("word", (1, 1)), ("char_wb", (2, 3))])
    norm_docs = [kb.normalize(d) for d in docs]
    word_terms = {t for d in norm_docs for t in kb.tokenize(d)}
    has_chars = any(d.split() for d in norm_docs)
    try:
        X = vec.fit_transform(docs)
    except ValueError as e:
        msg = str(e)
        assert "empty vocabulary" in msg or "no terms remain" in msg
        # only when an analyzer block really has no terms at all
        assert not word_terms or not has_chars
        return
    assert word_terms and has_chars
    names = vec.get_feature_names_out().tolist()
    assert_valid_csr(X, len(docs), len(names))
    assert X.shape == (len(docs), len(vec.vocabulary_))
    # the word block is exactly the set of tokens of the normalised text
    assert {n[5:] for n in names if n.startswith("word:")} == word_terms
    # the whole matrix equals a FeatureUnion of sklearn vectorizers on the
    # normalised text
    union = FeatureUnion(
        [
            ("word", sk_word()),
            ("char_wb", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), lowercase=False)),
        ]
    )
    Y = union.fit_transform(norm_docs)
    assert names == [n.replace("__", ":", 1) for n in union.get_feature_names_out()]
    assert max_abs_diff(X, Y) < 1e-9
    # rows are l2-normalised per block: the squared row norm is the number
    # of non-empty blocks (0, 1 or 2)
    sq = np.asarray(X.multiply(X).sum(axis=1)).ravel()
    assert np.all(np.isclose(sq, np.round(sq), atol=1e-9)) and np.all(sq <= 2 + 1e-9)


@SETTINGS
@given(
    st.lists(unicode_text, min_size=1, max_size=8),
    st.sampled_from(["char", "char_wb", "word"]),
    st.sampled_from([(1, 1), (1, 3), (2, 4)]),
)
def test_text_vectorizer_parity_on_random_text(docs, analyzer, ngram_range):
    """normalizer=None: same as sklearn on arbitrary Unicode."""
    kv = kb.TextVectorizer(analyzer=analyzer, ngram_range=ngram_range, normalizer=None)
    if analyzer == "word":
        sv = sk_word(ngram_range=ngram_range)
    else:
        sv = TfidfVectorizer(analyzer=analyzer, ngram_range=ngram_range, lowercase=False)
    try:
        Y = sv.fit_transform(docs)
    except ValueError:
        with pytest.raises(ValueError, match=r"empty vocabulary|no terms remain"):
            kv.fit_transform(docs)
        return
    X = kv.fit_transform(docs)
    assert kv.vocabulary_ == sv.vocabulary_
    assert_valid_csr(X, len(docs), len(sv.vocabulary_))
    assert max_abs_diff(X, Y) < 1e-9


@SETTINGS
@given(
    st.lists(unicode_text, max_size=8),
    st.sampled_from(["word", "char", "char_wb", ["word", "char_wb"]]),
    st.integers(min_value=1, max_value=64),
    st.booleans(),
    st.booleans(),
    st.sampled_from(["l1", "l2", None]),
)
def test_hashing_vectorizer_always_valid(docs, analyzer, n_features, alternate_sign, binary, norm):
    h = kb.HashingVectorizer(
        analyzer=analyzer,
        ngram_range=(1, 2),
        n_features=n_features,
        alternate_sign=alternate_sign,
        binary=binary,
        norm=norm,
    )
    X = h.transform(docs)
    assert_valid_csr(X, len(docs), n_features)
    assert not np.any(X.data == 0)
    if isinstance(analyzer, str) and docs:  # sklearn cannot transform []
        # same as sklearn on the normalised text (same hash, signs, collisions)
        extra = {"tokenizer": kb.tokenize, "token_pattern": None} if analyzer == "word" else {}
        sk = SkHashingVectorizer(
            analyzer=analyzer,
            ngram_range=(1, 2),
            n_features=n_features,
            alternate_sign=alternate_sign,
            binary=binary,
            norm=norm,
            lowercase=False,
            **extra,
        )
        Y = sk.transform([kb.normalize(d) for d in docs])
        assert max_abs_diff(X, Y) < 1e-9


@SETTINGS
@given(st.lists(st.one_of(unicode_text, text_with_surrogate), min_size=1, max_size=6))
def test_vectorizers_on_lone_surrogates(docs):
    bad_rows = [i for i, d in enumerate(docs) if has_surrogate(d)]
    for run in (
        lambda: kb.TextVectorizer(analyzer=["word", "char_wb"]).fit_transform(docs),
        lambda: kb.HashingVectorizer(n_features=2**10).transform(docs),
    ):
        if bad_rows:
            with pytest.raises(ValueError, match="surrogate") as exc:
                run()
            # the message names the first offending row
            assert f"[{bad_rows[0]}]" in str(exc.value)
        else:
            try:
                X = run()
            except ValueError as e:
                assert "empty vocabulary" in str(e)
                continue
            assert_valid_csr(X, len(docs))

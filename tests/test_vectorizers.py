"""TextVectorizer / HashingVectorizer: the scikit-learn contract, persistence,
determinism, input handling and parameter validation."""

from __future__ import annotations

import io
import os
import pickle
import re
import struct
import subprocess
import sys
import warnings
import zlib
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import joblib
import khabar as kb
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
import scipy.sparse as sp
from _util import assert_csr_identical, assert_valid_csr, max_abs_diff
from sklearn.base import clone
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline
from sklearn.svm import LinearSVC
from sklearn.utils import estimator_checks as ec

SMALL = [
    "بومبيو يهدد بإغلاق السفارة في بغداد",
    "الكاظمي يلتقي بومبيو في واشنطن",
    "إلى بغداد الى واشنطن",
    "Hello World from الْعَرَبِيَّةُ",
    "١٢٣ كتـــاب #عاجل_بغداد",
]

ESTIMATORS = [kb.TextVectorizer, kb.HashingVectorizer, kb.Normalizer]


# -- scikit-learn estimator contract ----------------------------------------


@pytest.mark.parametrize("Est", ESTIMATORS)
def test_keyword_only_init(Est):
    with pytest.raises(TypeError):
        Est("word")


@pytest.mark.parametrize("Est", [kb.TextVectorizer, kb.HashingVectorizer])
def test_get_set_params_and_clone(Est):
    est = Est(ngram_range=(1, 2), normalizer=None, norm="l1")
    params = est.get_params()
    assert params["ngram_range"] == (1, 2)
    assert params["normalizer"] is None
    assert params["norm"] == "l1"
    assert est.set_params(norm=None, analyzer="char") is est
    assert est.norm is None and est.analyzer == "char"
    with pytest.raises(ValueError):
        est.set_params(bogus=1)
    c = clone(est)
    assert c is not est
    assert c.get_params() == est.get_params()
    # parameters are stored unchanged (no validation/conversion in __init__)
    odd = Est(ngram_range=[1, 3], analyzer="bogus")
    assert odd.ngram_range == [1, 3] and odd.analyzer == "bogus"


def test_clone_of_fitted_is_unfitted():
    vec = kb.TextVectorizer().fit(SMALL)
    c = clone(vec)
    assert c.get_params() == vec.get_params()
    with pytest.raises(kb.NotFittedError):
        c.transform(SMALL)


def test_nested_normalizer_params():
    vec = kb.TextVectorizer(normalizer=kb.Normalizer(fold_teh_marbuta=True))
    params = vec.get_params(deep=True)
    assert params["normalizer__fold_teh_marbuta"] is True
    vec.set_params(normalizer__fold_teh_marbuta=False)
    assert vec.normalizer.fold_teh_marbuta is False
    vec.fit(["مدرسة"])
    assert vec.get_feature_names_out().tolist() == ["مدرسة"]


def test_pipeline_with_logistic_regression(read_labelled):
    texts, labels = read_labelled("bbc_news", "train", 300)
    test_texts, test_labels = read_labelled("bbc_news", "dev", 100)
    pipe = Pipeline(
        [
            ("vec", kb.TextVectorizer(ngram_range=(1, 2), min_df=2)),
            ("clf", LogisticRegression(max_iter=1000)),
        ]
    )
    pipe.fit(texts, labels)
    pred = pipe.predict(test_texts)
    assert len(pred) == len(test_texts)
    assert set(pred) <= set(labels)
    # BBC topics are easy: a TF-IDF + LR model must beat chance (0.2) by far.
    acc = np.mean(np.asarray(pred) == np.asarray(test_labels))
    assert acc > 0.8


def test_pipeline_arabic(read_labelled):
    texts, labels = read_labelled("ant_corpus", "train", 400)
    dev_texts, dev_labels = read_labelled("ant_corpus", "dev", 200)
    pipe = Pipeline(
        [
            ("vec", kb.TextVectorizer(analyzer=[("word", (1, 1)), ("char_wb", (2, 4))], min_df=2)),
            ("clf", LinearSVC()),
        ]
    )
    pipe.fit(texts, labels)
    majority = Counter(dev_labels).most_common(1)[0][1] / len(dev_labels)
    # ANT is imbalanced (localNews ~48 %); the model must clearly beat that.
    assert pipe.score(dev_texts, dev_labels) > majority + 0.15
    assert pipe.score(texts, labels) > 0.95


def test_grid_search(read_labelled):
    texts, labels = read_labelled("bbc_news", "train", 160)
    pipe = Pipeline([("vec", kb.TextVectorizer()), ("clf", LinearSVC())])
    grid = GridSearchCV(
        pipe,
        {"vec__ngram_range": [(1, 1), (1, 2)], "vec__min_df": [1, 2, 0.5]},
        cv=2,
        n_jobs=1,
    )
    grid.fit(texts, labels)
    scores = grid.cv_results_["mean_test_score"]
    assert len(scores) == 6
    assert np.all(np.isfinite(scores))
    best = grid.cv_results_["params"][int(np.argmax(scores))]
    assert grid.best_params_ == best
    assert grid.best_score_ > 0.6
    best_vec = grid.best_estimator_.named_steps["vec"]
    assert best_vec.ngram_range == grid.best_params_["vec__ngram_range"]
    assert best_vec.min_df == grid.best_params_["vec__min_df"]
    # min_df=0.5 keeps only very common words: a different (smaller) vocabulary
    small = kb.TextVectorizer(min_df=0.5).fit(texts)
    assert len(small.vocabulary_) < len(kb.TextVectorizer(min_df=2).fit(texts).vocabulary_)


# Only the checks of sklearn.utils.estimator_checks that do not feed numeric
# 2-D arrays apply to text estimators. They are listed here; everything that
# fits on numeric X (check_dont_overwrite_parameters, check_estimators_pickle,
# check_transformer_general, check_fit2d_*, check_estimators_dtypes,
# check_fit_idempotent, ...) does not apply to TextVectorizer: khabar rejects
# 2-D input by design, as TfidfVectorizer does. Text versions of the
# important ones are below (test_fit_keeps_params_and_sets_only_trailing_underscore,
# test_pickle_*, test_fit_transform_equals_fit_then_transform).
APPLICABLE_CHECKS = [
    "check_parameters_default_constructible",
    "check_get_params_invariance",
    "check_no_attributes_set_in_init",
    "check_set_params",
    "check_estimator_cloneable",
    "check_estimator_repr",
    "check_do_not_raise_errors_in_init_or_set_params",
    "check_mixin_order",
    "check_valid_tag_types",
    "check_estimator_tags_renamed",
]


@pytest.mark.parametrize("check", APPLICABLE_CHECKS)
@pytest.mark.parametrize("Est", ESTIMATORS)
def test_sklearn_estimator_checks(Est, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(ec, check)(Est.__name__, Est())


# HashingVectorizer.fit and Normalizer.fit learn nothing and ignore X, so these
# fit-based checks run (they test parameter handling, not the data).
STATELESS_CHECKS = [
    "check_dont_overwrite_parameters",
    "check_estimators_overwrite_params",
    "check_fit_check_is_fitted",
    "check_estimators_fit_returns_self",
]


@pytest.mark.parametrize("check", STATELESS_CHECKS)
@pytest.mark.parametrize("Est", [kb.HashingVectorizer, kb.Normalizer])
def test_sklearn_checks_for_stateless_estimators(Est, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        getattr(ec, check)(Est.__name__, Est())


def test_sklearn_check_transformers_unfitted():
    ec.check_transformers_unfitted("TextVectorizer", kb.TextVectorizer())


@pytest.mark.parametrize(
    "params",
    [
        {},
        {
            "analyzer": [("word", (1, 2)), "char_wb"],
            "ngram_range": [2, 3],
            "stop_words": ["في"],
            "normalizer": kb.Normalizer(fold_teh_marbuta=True),
            "vocabulary": None,
            "dtype": np.float32,
        },
        {"vocabulary": {"بغداد": 0, "بومبيو": 1}},
    ],
    ids=["default", "rich", "vocabulary"],
)
def test_fit_keeps_params_and_sets_only_trailing_underscore(params):
    """Text version of check_dont_overwrite_parameters /
    check_estimators_overwrite_params: fit must not modify the parameters and
    may only add public attributes whose names end with "_"."""
    vec = kb.TextVectorizer(**params)
    before_hash = joblib.hash(vec.get_params())
    before = set(vars(vec))
    vec.fit(SMALL)
    assert joblib.hash(vec.get_params()) == before_hash
    added = {a for a in set(vars(vec)) - before if not a.startswith("_")}
    assert all(a.endswith("_") for a in added), added
    assert "idf_" in added


def test_sklearn_tags_declare_text_input():
    for Est in ESTIMATORS:
        tags = Est().__sklearn_tags__()
        assert tags.input_tags.string is True
        assert tags.input_tags.two_d_array is False
    assert kb.TextVectorizer().__sklearn_tags__().requires_fit is True
    assert kb.HashingVectorizer().__sklearn_tags__().requires_fit is False


def test_check_is_fitted():
    from sklearn.exceptions import NotFittedError as SkNotFittedError
    from sklearn.utils.validation import check_is_fitted

    with pytest.raises(SkNotFittedError):
        check_is_fitted(kb.TextVectorizer())
    check_is_fitted(kb.TextVectorizer().fit(SMALL))
    check_is_fitted(kb.HashingVectorizer())


def test_unfitted_attribute_access_behaves_like_sklearn():
    vec = kb.TextVectorizer()
    assert issubclass(kb.NotFittedError, AttributeError)
    assert hasattr(vec, "vocabulary_") is False
    assert hasattr(vec, "n_features_out_") is False
    ec.check_get_feature_names_out_error("TextVectorizer", vec)


# -- pickling and model files ---------------------------------------------------


@pytest.fixture(scope="module")
def fitted(ant_dev) -> tuple[kb.TextVectorizer, list[str]]:
    vec = kb.TextVectorizer(
        analyzer=[("word", (1, 2)), ("char_wb", (2, 4))],
        min_df=2,
        stop_words="arabic",
        sublinear_tf=True,
        dtype=np.float32,
    ).fit(ant_dev[:150])
    return vec, ant_dev[150:200]


def _roundtrips(est):
    yield "pickle", pickle.loads(pickle.dumps(est))
    buf = io.BytesIO()
    joblib.dump(est, buf)
    buf.seek(0)
    yield "joblib", joblib.load(buf)


def test_pickle_joblib_roundtrip_fitted(fitted):
    vec, new_docs = fitted
    expected = vec.transform(new_docs)
    for how, vec2 in _roundtrips(vec):
        assert type(vec2) is kb.TextVectorizer, how
        assert vec2.get_params() == vec.get_params(), how
        assert_csr_identical(vec2.transform(new_docs), expected)
        assert vec2.vocabulary_ == vec.vocabulary_
        np.testing.assert_array_equal(vec2.idf_, vec.idf_)


def test_pickle_joblib_roundtrip_unfitted():
    vec = kb.TextVectorizer(ngram_range=(1, 2), normalizer=kb.Normalizer(fold_teh_marbuta=True))
    for how, vec2 in _roundtrips(vec):
        assert vec2.ngram_range == (1, 2), how
        assert vec2.normalizer.fold_teh_marbuta is True
        with pytest.raises(kb.NotFittedError):
            vec2.transform(SMALL)
        assert_csr_identical(vec2.fit_transform(SMALL), clone(vec).fit_transform(SMALL))


def test_pickle_hashing_and_normalizer():
    h = kb.HashingVectorizer(analyzer="char_wb", ngram_range=(2, 3), n_features=2**12)
    expected = h.transform(SMALL)
    for _how, h2 in _roundtrips(h):
        assert_csr_identical(h2.transform(SMALL), expected)
    n = kb.Normalizer(fold_teh_marbuta=True, remove_diacritics=False)
    for _how, n2 in _roundtrips(n):
        assert n2.transform(SMALL) == n.transform(SMALL)
        assert n2.get_params() == n.get_params()


def test_save_load_roundtrip(fitted, tmp_path):
    vec, new_docs = fitted
    path = tmp_path / "vec.khabar"
    vec.save(path)
    assert path.stat().st_size > 0
    assert not (tmp_path / "vec.khabar.tmp").exists()
    vec2 = kb.load(path)
    assert type(vec2) is kb.TextVectorizer
    assert_csr_identical(vec2.transform(new_docs), vec.transform(new_docs))
    assert vec2.get_feature_names_out().tolist() == vec.get_feature_names_out().tolist()
    assert vec2.dtype is np.float32
    # str paths work too
    vec.save(str(tmp_path / "v2.khabar"))
    assert_csr_identical(
        kb.load(str(tmp_path / "v2.khabar")).transform(new_docs[:3]), vec.transform(new_docs[:3])
    )


def test_to_bytes_loads_roundtrip(fitted):
    vec, new_docs = fitted
    data = vec.to_bytes()
    assert isinstance(data, bytes)
    vec2 = kb.loads(data)
    assert_csr_identical(vec2.transform(new_docs), vec.transform(new_docs))
    assert kb.loads(bytearray(data)).vocabulary_ == vec.vocabulary_
    assert kb.loads(memoryview(data)).vocabulary_ == vec.vocabulary_
    assert isinstance(kb.TextVectorizer.from_bytes(data), kb.TextVectorizer)
    with pytest.raises(kb.ModelFormatError):
        kb.HashingVectorizer.from_bytes(data)
    with pytest.raises(TypeError):
        kb.loads("not bytes")


def test_hashing_vectorizer_to_bytes():
    h = kb.HashingVectorizer(analyzer="char", ngram_range=(1, 2), n_features=1000, norm=None)
    h2 = kb.loads(h.to_bytes())
    assert type(h2) is kb.HashingVectorizer
    assert h2.n_features == 1000 and h2.norm is None
    assert_csr_identical(h2.transform(SMALL), h.transform(SMALL))


def test_loaded_params_equal_original():
    vec = kb.TextVectorizer(analyzer=[("word", (1, 2)), "char"]).fit(SMALL)
    vec2 = kb.loads(vec.to_bytes())
    assert vec2.get_params() == vec.get_params()


def test_unfitted_to_bytes_raises():
    with pytest.raises(kb.NotFittedError):
        kb.TextVectorizer().to_bytes()


@pytest.fixture(scope="module")
def model_bytes() -> bytes:
    return kb.TextVectorizer(ngram_range=(1, 2)).fit(SMALL * 20).to_bytes()


def test_model_header_layout(model_bytes):
    assert model_bytes[:8] == b"\x89KHABAR\n"
    version = struct.unpack("<I", model_bytes[8:12])[0]
    assert version == kb._core.FORMAT_VERSION


def _expect_format_error(data: bytes, pattern: str) -> None:
    with pytest.raises(kb.ModelFormatError, match=pattern):
        kb.loads(data)


def test_corrupt_truncated(model_bytes, tmp_path):
    _expect_format_error(model_bytes[: len(model_bytes) // 2], "truncated")
    _expect_format_error(model_bytes[:-1], "truncated")
    _expect_format_error(model_bytes[:10], "truncated")
    path = tmp_path / "trunc.khabar"
    path.write_bytes(model_bytes[:-5])
    with pytest.raises(kb.ModelFormatError, match="truncated"):
        kb.load(path)


def test_corrupt_flipped_byte(model_bytes):
    for pos in (len(model_bytes) // 2, len(model_bytes) - 1, 40):
        bad = bytearray(model_bytes)
        bad[pos] ^= 0xFF
        _expect_format_error(bytes(bad), "checksum")


def test_corrupt_zero_length(model_bytes, tmp_path):
    _expect_format_error(b"", "empty")
    path = tmp_path / "empty.khabar"
    path.write_bytes(b"")
    with pytest.raises(kb.ModelFormatError):
        kb.load(path)


def test_corrupt_wrong_magic(model_bytes):
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    _expect_format_error(png, "magic")
    _expect_format_error(b"\x89PNG\r\n\x1a\n" + model_bytes[8:], "magic")
    _expect_format_error(pickle.dumps(kb.TextVectorizer()), "magic")


def test_corrupt_future_version(model_bytes):
    bad = bytearray(model_bytes)
    bad[8:12] = struct.pack("<I", 999_999)
    with pytest.raises(kb.ModelFormatError, match="newer") as exc:
        kb.loads(bytes(bad))
    assert "999999" in str(exc.value)


def test_model_format_error_is_value_error():
    assert issubclass(kb.ModelFormatError, ValueError)


def _envelope(header: bytes, payload: bytes) -> bytes:
    """Rebuild a model file around ``payload`` with a correct length and CRC-32
    (layout documented in src/io.rs: magic, u32 version, u64 length, u32 crc)."""
    return header[:12] + struct.pack("<QI", len(payload), zlib.crc32(payload)) + payload


def test_trailing_bytes_rejected(model_bytes):
    _expect_format_error(model_bytes + b"xyz", "trailing")


def test_checksum_valid_garbage_payload_never_panics(model_bytes):
    """A payload that passes the checksum but is damaged must give a
    ModelFormatError, or a model that still works; never a panic (pyo3's
    PanicException is a BaseException) or any other exception type."""
    payload = model_bytes[24:]
    meta_start = payload.find(b'{"class"')
    assert meta_start > 0
    rng = np.random.default_rng(20240607)
    outcomes = Counter()
    for _ in range(1500):
        p = bytearray(payload)
        for pos in rng.integers(0, meta_start, size=int(rng.integers(1, 4))):
            p[pos] = int(rng.integers(0, 256))
        if rng.random() < 0.2:
            p = p[: int(rng.integers(0, meta_start))]
        try:
            vec = kb.loads(_envelope(model_bytes, bytes(p)))
        except kb.ModelFormatError:
            outcomes["error"] += 1
            continue
        X = vec.transform([*SMALL, ""])
        assert_valid_csr(X, len(SMALL) + 1, len(vec.get_feature_names_out()))
        outcomes["loaded"] += 1
    assert outcomes["error"] > 0


def test_unknown_parameter_in_metadata_is_model_format_error(model_bytes):
    payload = model_bytes[24:]
    assert b'"sublinear_tf"' in payload
    tampered = payload.replace(b'"sublinear_tf"', b'"sublinXar_tf"')
    _expect_format_error(_envelope(model_bytes, tampered), "metadata")


@pytest.mark.parametrize(
    "params",
    [
        {"vocabulary": np.array(["بغداد", "بومبيو"])},
        {"vocabulary": pd.Index(["بغداد", "بومبيو"])},
        {"stop_words": np.array(["في"])},
    ],
    ids=["vocabulary-ndarray", "vocabulary-Index", "stop_words-ndarray"],
)
def test_array_valued_params_can_be_saved(params, tmp_path):
    vec = kb.TextVectorizer(**params).fit(SMALL)
    path = tmp_path / "vec.khabar"
    vec.save(path)
    assert_csr_identical(kb.load(path).transform(SMALL), vec.transform(SMALL))


def test_load_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError):
        kb.load(tmp_path / "does-not-exist.khabar")


# -- determinism and equivalences -------------------------------------------------


@pytest.mark.parametrize(
    "analyzer",
    ["word", [("word", (1, 2)), ("char_wb", (2, 4))], "char"],
    ids=["word", "word+char_wb", "char"],
)
def test_n_jobs_does_not_change_results(ant_dev, analyzer):
    fit_docs, new_docs = ant_dev[:400], ant_dev[::-1][:100]
    v1 = kb.TextVectorizer(analyzer=analyzer, n_jobs=1)
    v2 = kb.TextVectorizer(analyzer=analyzer, n_jobs=2)
    A1, A2 = v1.fit_transform(fit_docs), v2.fit_transform(fit_docs)
    assert_csr_identical(A1, A2)
    assert v1.get_feature_names_out().tolist() == v2.get_feature_names_out().tolist()
    np.testing.assert_array_equal(v1.idf_, v2.idf_)
    assert_csr_identical(v1.transform(new_docs), v2.transform(new_docs))
    assert_csr_identical(
        v1.transform(new_docs),
        kb.TextVectorizer(analyzer=analyzer, n_jobs=-1).fit(fit_docs).transform(new_docs),
    )


def test_n_jobs_hashing_does_not_change_results(ant_dev):
    for analyzer in ("word", ["word", "char_wb"]):
        h1 = kb.HashingVectorizer(analyzer=analyzer, ngram_range=(1, 2), n_jobs=1)
        h2 = kb.HashingVectorizer(analyzer=analyzer, ngram_range=(1, 2), n_jobs=2)
        assert_csr_identical(h1.transform(ant_dev), h2.transform(ant_dev))


def test_concurrent_transform_from_threads(ant_dev):
    """A fitted vectorizer is immutable: transform from many Python threads
    at once (the GIL is released) gives the same result every time."""
    docs = ant_dev[:200]
    vec = kb.TextVectorizer(analyzer=["word", "char_wb"]).fit(docs)
    h = kb.HashingVectorizer()
    ref, href = vec.transform(docs), h.transform(docs)
    with ThreadPoolExecutor(max_workers=4) as pool:
        outs = list(pool.map(lambda _: (vec.transform(docs), h.transform(docs)), range(8)))
    for X, H in outs:
        assert_csr_identical(X, ref)
        assert_csr_identical(H, href)


def test_refit_replaces_state():
    vec = kb.TextVectorizer().fit(["x y"])
    assert vec.vocabulary_ == {"x": 0, "y": 1}
    vec.fit(["p q r"])
    assert vec.vocabulary_ == {"p": 0, "q": 1, "r": 2}
    assert vec.idf_.shape == (3,)
    assert vec.get_feature_names_out().tolist() == ["p", "q", "r"]
    vec.set_params(use_idf=False).fit(["p"])
    assert not hasattr(vec, "idf_")
    assert vec.transform(["p q"]).shape == (1, 1)


def test_int_and_float_df_thresholds_differ():
    """As in sklearn: an int is a document count, a float a proportion."""
    docs = ["a b c", "a b", "a d", "e"]
    names = {}
    for max_df in (1, 1.0, 2, np.int64(2), 0.5):
        names[repr(max_df)] = kb.TextVectorizer(max_df=max_df).fit(docs).vocabulary_.keys()
    assert sorted(names["1"]) == ["c", "d", "e"]
    assert sorted(names["1.0"]) == ["a", "b", "c", "d", "e"]
    assert sorted(names["2"]) == sorted(names["np.int64(2)"]) == ["b", "c", "d", "e"]
    assert sorted(names["0.5"]) == ["b", "c", "d", "e"]
    assert sorted(kb.TextVectorizer(min_df=2).fit(docs).vocabulary_) == ["a", "b"]
    assert sorted(kb.TextVectorizer(min_df=0.75).fit(docs).vocabulary_) == ["a"]


def test_fit_transform_equals_fit_then_transform(ant_dev):
    docs = ant_dev[:200]
    for params in ({}, {"analyzer": ["word", "char_wb"], "ngram_range": (1, 2)}, {"min_df": 3}):
        v = kb.TextVectorizer(**params)
        A = v.fit_transform(docs)
        B = kb.TextVectorizer(**params).fit(docs).transform(docs)
        assert A.shape == B.shape
        assert max_abs_diff(A, B) < 1e-12
        assert_valid_csr(A, len(docs))


def test_fitted_attributes_shapes(ant_dev):
    docs = ant_dev[:100]
    v = kb.TextVectorizer(ngram_range=(1, 2))
    X = v.fit_transform(docs)
    n = len(v.vocabulary_)
    assert X.shape == (len(docs), n)
    assert v.idf_.shape == (n,)
    assert v.get_feature_names_out().shape == (n,)
    assert v.get_feature_names_out().dtype == object
    assert v.n_features_out_ == n
    assert sorted(v.vocabulary_.values()) == list(range(n))
    names = v.get_feature_names_out()
    assert all(names[i] == term for term, i in v.vocabulary_.items())
    assert names.tolist() == sorted(names.tolist())  # single analyzer: sorted terms
    assert np.all(v.idf_ >= 1.0)
    # rows are l2-normalised
    norms = sp.linalg.norm(X, axis=1)
    np.testing.assert_allclose(norms[norms > 0], 1.0, atol=1e-9)
    # no IDF without use_idf
    v = kb.TextVectorizer(use_idf=False).fit(docs)
    assert not hasattr(v, "idf_")


def test_feature_names_are_normalised():
    v = kb.TextVectorizer().fit(["إلى بغداد", "الى بغداد", "إلي BAGHDAD الْعَرَبِيَّةُ"])
    names = v.get_feature_names_out().tolist()
    assert names.count("الي") == 1
    assert "إلى" not in names and "الى" not in names
    assert "baghdad" in names and "BAGHDAD" not in names
    assert "العربية" in names
    X = v.transform(["إلى", "الى", "إلي"]).toarray()
    col = v.vocabulary_["الي"]
    assert np.all(X[:, col] > 0)
    np.testing.assert_array_equal(X[0], X[1])


def test_stop_words_arabic_removes_normalised_forms():
    docs = ["ذهب إلى بغداد في الصباح", "عاد الى واشنطن من بغداد", "على الطاولة"]
    v = kb.TextVectorizer(stop_words="arabic").fit(docs)
    names = set(v.get_feature_names_out())
    assert names == {"ذهب", "بغداد", "الصباح", "عاد", "واشنطن", "الطاولة"}
    plain = set(kb.TextVectorizer().fit(docs).get_feature_names_out())
    assert {"الي", "في", "من", "علي"} <= plain
    # custom list, given unnormalised, also removes the normalised variants
    v = kb.TextVectorizer(stop_words=["إلى"]).fit(docs)
    assert "الي" not in v.vocabulary_ and "في" in v.vocabulary_
    # stop words only affect the word analyzer
    v = kb.TextVectorizer(analyzer="char", stop_words="arabic").fit(["في"])
    assert set(v.vocabulary_) == {"ف", "ي"}


def test_max_features_keeps_most_frequent(ant_dev):
    docs = ant_dev[:200]
    k = 50
    v = kb.TextVectorizer(normalizer=None, max_features=k).fit(docs)
    cv = CountVectorizer(tokenizer=kb.tokenize, token_pattern=None, lowercase=False)
    counts = np.asarray(cv.fit_transform(docs).sum(axis=0)).ravel()
    terms = cv.get_feature_names_out()
    # most frequent first; ties broken alphabetically (documented)
    order = sorted(range(len(terms)), key=lambda i: (-counts[i], terms[i]))
    expected = sorted(terms[i] for i in order[:k])
    assert v.get_feature_names_out().tolist() == expected
    assert len(v.vocabulary_) == k
    assert min(counts[cv.vocabulary_[t]] for t in expected) >= counts[order[k]]


def test_max_features_per_analyzer_block():
    v = kb.TextVectorizer(analyzer=["word", "char"], max_features=2).fit(
        ["aa bb", "aa cc", "aa bb"]
    )
    names = v.get_feature_names_out().tolist()
    # word counts: aa=3, bb=2, cc=1; char counts: a=6, b=4, " "=3, c=2
    assert names == ["word:aa", "word:bb", "char:a", "char:b"]


def test_fixed_vocabulary_list_and_dict():
    docs = ["بغداد بومبيو", "بومبيو", "hello"]
    v = kb.TextVectorizer(vocabulary=["بومبيو", "بغداد", "غائب"])
    X = v.fit_transform(docs)
    assert v.get_feature_names_out().tolist() == ["بومبيو", "بغداد", "غائب"]
    assert X.shape == (3, 3)
    assert X[2].nnz == 0 and X[:, 2].nnz == 0
    assert X[1, 0] == pytest.approx(1.0)
    v2 = kb.TextVectorizer(vocabulary={"بغداد": 1, "بومبيو": 0})
    X2 = v2.fit_transform(docs)
    assert v2.vocabulary_ == {"بومبيو": 0, "بغداد": 1}
    assert X2.shape == (3, 2)
    # same as sklearn with the same vocabulary and tokenizer
    from sklearn.feature_extraction.text import TfidfVectorizer

    sk = TfidfVectorizer(
        vocabulary={"بغداد": 1, "بومبيو": 0},
        tokenizer=kb.tokenize,
        token_pattern=None,
        lowercase=False,
    )
    assert max_abs_diff(X2, sk.fit_transform(docs)) < 1e-12


def test_fixed_vocabulary_errors():
    with pytest.raises(ValueError, match="vocabulary"):
        kb.TextVectorizer(vocabulary={"a": 0, "b": 5}).fit(["a b"])
    with pytest.raises(ValueError, match="vocabulary"):
        kb.TextVectorizer(vocabulary={"a": 0, "b": 0}).fit(["a b"])
    with pytest.raises(ValueError, match="duplicate"):
        kb.TextVectorizer(vocabulary=["a", "a"]).fit(["a b"])
    with pytest.raises(ValueError, match="empty vocabulary"):
        kb.TextVectorizer(vocabulary=[]).fit(["a b"])
    with pytest.raises(ValueError, match="one analyzer"):
        kb.TextVectorizer(vocabulary=["a"], analyzer=["word", "char"]).fit(["a b"])
    with pytest.raises(TypeError, match="vocabulary"):
        kb.TextVectorizer(vocabulary="abc").fit(["a b"])


def test_not_fitted_error():
    v = kb.TextVectorizer()
    for call in (
        lambda: v.transform(SMALL),
        v.get_feature_names_out,
        lambda: v.vocabulary_,
    ):
        with pytest.raises(kb.NotFittedError, match="not fitted"):
            call()
    assert issubclass(kb.NotFittedError, ValueError)


def test_hashing_basic_properties():
    h = kb.HashingVectorizer(n_features=2**10)
    assert h.fit(SMALL) is h
    assert h.partial_fit(SMALL) is h
    X = h.transform(SMALL)
    assert_valid_csr(X, len(SMALL), 2**10)
    assert_csr_identical(h.fit_transform(SMALL), X)
    Y = kb.HashingVectorizer(n_features=2**10).transform(["بغداد واشنطن", "طهران"])
    assert Y.shape == (2, 1024) and Y.nnz == 3
    # normalised: "إلى" and "الى" hash to the same column
    a = kb.HashingVectorizer().transform(["إلى", "الى"])
    assert_csr_identical(a[0], a[1])
    # empty input is allowed for stateless hashing
    assert kb.HashingVectorizer(n_features=8).transform([]).shape == (0, 8)


# -- input types -----------------------------------------------------------------


def _input_variants(docs: list[str]):
    yield "list", lambda: list(docs)
    yield "tuple", lambda: tuple(docs)
    yield "generator", lambda: (d for d in docs)
    yield "map", lambda: map(str, docs)
    yield "numpy-object", lambda: np.array(docs, dtype=object)
    yield "numpy-str", lambda: np.array(docs)
    yield "pandas-object", lambda: pd.Series(docs, dtype=object)
    yield "pandas-string-pyarrow", lambda: pd.Series(docs, dtype="string[pyarrow]")
    yield "pandas-offset-index", lambda: pd.Series(docs, index=range(100, 100 + len(docs)))
    yield "pyarrow-array", lambda: pa.array(docs)
    yield "pyarrow-large-string", lambda: pa.array(docs, type=pa.large_string())
    yield "pyarrow-chunked", lambda: pa.chunked_array([docs[:2], docs[2:]])


@pytest.mark.parametrize(
    ("name", "make"), list(_input_variants(SMALL)), ids=[n for n, _ in _input_variants(SMALL)]
)
def test_input_types_give_same_matrix(name, make):
    ref_vec = kb.TextVectorizer(analyzer=["word", "char_wb"])
    ref = ref_vec.fit_transform(SMALL)
    assert_csr_identical(kb.TextVectorizer(analyzer=["word", "char_wb"]).fit_transform(make()), ref)
    assert_csr_identical(ref_vec.transform(make()), ref)
    h = kb.HashingVectorizer(n_features=2**12)
    assert_csr_identical(h.transform(make()), h.transform(SMALL))
    assert kb.Normalizer().transform(make()) == kb.Normalizer().transform(SMALL)


def test_bare_string_rejected():
    for call in (
        kb.TextVectorizer().fit,
        kb.TextVectorizer().fit_transform,
        kb.HashingVectorizer().transform,
        kb.TextVectorizer().fit(SMALL).transform,
    ):
        with pytest.raises(TypeError, match="wrap it in a list"):
            call("بغداد")
    with pytest.raises(TypeError, match="wrap it in a list"):
        kb.TextVectorizer().fit(b"bytes")


@pytest.mark.parametrize(
    "bad", [None, float("nan"), b"bytes", 42, pd.NA], ids=["None", "NaN", "bytes", "int", "NA"]
)
def test_bad_row_types_name_the_row(bad):
    docs = ["a b", "c d", bad, "e"]
    for call in (
        kb.TextVectorizer().fit,
        kb.TextVectorizer().fit(["a"]).transform,
        kb.HashingVectorizer().transform,
        kb.Normalizer().transform,
    ):
        with pytest.raises(TypeError, match=r"\[2\]"):
            call(docs)


def test_missing_values_in_pandas_and_arrow_name_the_row():
    with pytest.raises(TypeError, match=r"\[1\]"):
        kb.TextVectorizer().fit(pd.Series(["a", None, "b"], dtype="string[pyarrow]"))
    with pytest.raises(TypeError, match=r"\[1\]"):
        kb.TextVectorizer().fit(pa.array(["a", None]))


def test_lone_surrogate_rejected():
    docs = ["ok", "bad \ud800 text"]
    for call in (
        kb.TextVectorizer().fit,
        kb.TextVectorizer().fit(["ok"]).transform,
        kb.HashingVectorizer().transform,
    ):
        with pytest.raises(ValueError, match="surrogate") as exc:
            call(docs)
        assert "[1]" in str(exc.value)


def test_two_dimensional_input_rejected():
    with pytest.raises(ValueError, match="1-dimensional"):
        kb.TextVectorizer().fit(np.array([["a"], ["b"]]))
    with pytest.raises(ValueError, match="column"):
        kb.TextVectorizer().fit(pd.DataFrame({"a": ["x"], "b": ["y"]}))


def test_empty_corpus_and_empty_vocabulary():
    with pytest.raises(ValueError, match="empty"):
        kb.TextVectorizer().fit([])
    for analyzer in ("word", "char", "char_wb", ["word", "char_wb"]):
        with pytest.raises(ValueError, match="empty vocabulary"):
            kb.TextVectorizer(analyzer=analyzer).fit(["", "", "   "])
    with pytest.raises(ValueError, match="empty vocabulary"):
        kb.TextVectorizer(stop_words="arabic").fit(["في من", "إلى"])
    with pytest.raises(ValueError, match="no terms remain"):
        kb.TextVectorizer(min_df=3).fit(["a b", "c d", "e f"])
    # transform of empty docs is fine: all-zero rows
    v = kb.TextVectorizer().fit(SMALL)
    X = v.transform(["", "   ", "غير موجود"])
    assert X.shape == (3, len(v.vocabulary_)) and X.nnz == 0
    assert v.transform([]).shape == (0, len(v.vocabulary_))


# -- parameter validation ------------------------------------------------------------

TV_BAD_PARAMS = [
    ({"ngram_range": (0, 1)}, ValueError, "ngram_range"),
    ({"ngram_range": (2, 1)}, ValueError, "ngram_range"),
    ({"ngram_range": (1,)}, ValueError, "ngram_range"),
    ({"ngram_range": (1.0, 2)}, ValueError, "ngram_range"),
    ({"analyzer": "bogus"}, ValueError, "analyzer"),
    ({"analyzer": []}, ValueError, "analyzer"),
    ({"analyzer": [("word", (0, 1))]}, ValueError, "ngram_range"),
    ({"norm": "l3"}, ValueError, "norm"),
    ({"n_jobs": 0}, ValueError, "n_jobs"),
    ({"n_jobs": 1.5}, TypeError, "n_jobs"),
    ({"min_df": -1}, ValueError, "min_df"),
    ({"min_df": 1.5}, ValueError, "min_df"),
    ({"min_df": "1"}, TypeError, "min_df"),
    ({"min_df": True}, TypeError, "min_df"),
    ({"max_df": 1.5}, ValueError, "max_df"),
    ({"max_df": -0.1}, ValueError, "max_df"),
    ({"max_features": 0}, ValueError, "max_features"),
    ({"max_features": 2.5}, ValueError, "max_features"),
    ({"dtype": np.int32}, ValueError, "dtype"),
    ({"dtype": "not-a-dtype"}, ValueError, "dtype"),
    ({"binary": "yes"}, TypeError, "binary"),
    ({"sublinear_tf": 1}, TypeError, "sublinear_tf"),
    ({"stop_words": "french"}, ValueError, "stop_words"),
    ({"stop_words": ["ok", 3]}, TypeError, "stop_words"),
    ({"normalizer": "bogus"}, ValueError, "preset"),
    ({"normalizer": {"bogus": True}}, ValueError, "normalizer"),
    ({"normalizer": 3}, TypeError, "normalizer"),
]


@pytest.mark.parametrize(
    ("params", "exc", "pattern"), TV_BAD_PARAMS, ids=[str(p[0]) for p in TV_BAD_PARAMS]
)
def test_text_vectorizer_invalid_params(params, exc, pattern):
    vec = kb.TextVectorizer(**params)  # construction never validates
    with pytest.raises(exc, match=pattern):
        vec.fit(SMALL)


HV_BAD_PARAMS = [
    ({"n_features": 0}, ValueError, "n_features"),
    ({"n_features": 2**31}, ValueError, "n_features"),
    ({"n_features": 1.5}, TypeError, "n_features"),
    ({"ngram_range": (0, 1)}, ValueError, "ngram_range"),
    ({"analyzer": "bogus"}, ValueError, "analyzer"),
    ({"norm": "l3"}, ValueError, "norm"),
    ({"alternate_sign": 1}, TypeError, "alternate_sign"),
    ({"dtype": np.int32}, ValueError, "dtype"),
    ({"n_jobs": 0}, ValueError, "n_jobs"),
]


@pytest.mark.parametrize(
    ("params", "exc", "pattern"), HV_BAD_PARAMS, ids=[str(p[0]) for p in HV_BAD_PARAMS]
)
def test_hashing_vectorizer_invalid_params(params, exc, pattern):
    h = kb.HashingVectorizer(**params)
    with pytest.raises(exc, match=pattern):
        h.transform(SMALL)
    if "n_jobs" not in params:  # see test_fit_validates_n_jobs
        with pytest.raises(exc, match=pattern):
            h.fit()


@pytest.mark.parametrize("Est", [kb.HashingVectorizer, kb.Normalizer])
def test_fit_validates_n_jobs(Est):
    with pytest.raises(ValueError, match="n_jobs"):
        Est(n_jobs=0).fit(SMALL)


def test_min_df_greater_than_max_df():
    with pytest.raises(ValueError, match="max_df"):
        kb.TextVectorizer(min_df=2, max_df=1).fit(["a", "a b", "a c"])


@pytest.mark.parametrize("value", ["1", "0", None])
def test_khabar_trace_prints_fit_stage_timings_only_when_asked(value: str | None) -> None:
    """``KHABAR_TRACE=1`` makes a fit print its stages' timings on stderr
    (one line each, in order); unset or ``0``, a fit prints nothing."""
    script = (
        "import khabar\n"
        "docs = ['في بغداد اليوم', 'السفارة في بغداد', 'اليوم']\n"
        "khabar.TextVectorizer(ngram_range=(1, 2), n_jobs=2).fit_transform(docs)\n"
        "khabar.TextVectorizer(analyzer='char_wb', n_jobs=1).fit(docs)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "KHABAR_TRACE"}
    if value is not None:
        env["KHABAR_TRACE"] = value
    proc = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("khabar ")]
    if value != "1":
        assert lines == []
        return
    assert all(re.fullmatch(r"khabar [a-z]+: [a-z :()]+ \d+\.\d{4} s", ln) for ln in lines), lines
    fit = [
        ln.split(":")[1].rsplit(" ", 2)[0].strip() for ln in lines if ln.startswith("khabar fit:")
    ]
    # the word fit_transform, then the char_wb fit (no rows)
    assert fit == ["count", "vocabulary", "rows", "count", "vocabulary"]
    assert any("merge: lookups" in ln for ln in lines)  # two workers merged
    assert any("vocabulary: order" in ln for ln in lines)

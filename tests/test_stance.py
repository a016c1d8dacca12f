"""Stance pair features, the stance classifier (MLP and linear), stance
metrics, and bad input."""

from __future__ import annotations

import pickle
from pathlib import Path

import khabar as kb
import numpy as np
import pytest
from khabar.metrics import classification_scores, fnc_score

HEADS = ["بومبيو يهدد بإغلاق السفارة", "الحكومة ترفع أسعار الوقود", "الرئيس يزور باريس"]
OTHER = ["فاز الفريق بالمباراة أمس", "أمطار غزيرة في الشمال", "افتتاح معرض للكتاب"]


def toy() -> tuple[list[tuple[str, str]], list[str]]:
    pairs, y = [], []
    for h, o in zip(HEADS, OTHER, strict=True):
        pairs += [(h, "نفى مسؤول أن " + h), (h, "أكد مسؤول أن " + h), (h, o)]
        y += ["disagree", "agree", "unrelated"]
    return pairs * 5, y * 5


PROBE = [
    ("الكاظمي يزور واشنطن", "نفى مكتب الكاظمي أنه يزور واشنطن"),
    ("الكاظمي يزور واشنطن", "أكد مكتب الكاظمي أنه يزور واشنطن"),
    ("الكاظمي يزور واشنطن", "ارتفاع درجات الحرارة في الصيف"),
]


@pytest.fixture(scope="module")
def fitted() -> kb.StanceClassifier:
    pairs, y = toy()
    return kb.StanceClassifier().fit(pairs, y)


def test_pair_features_measure_overlap_and_cues():
    pf = kb.StancePairFeatures().fit(PROBE)
    X = pf.transform(PROBE)
    names = pf.get_feature_names_out().tolist()
    assert X.shape == (3, len(names)) and X.dtype == np.float32
    col = {n: X[:, i] for i, n in enumerate(names)}
    assert col["word_contain_h_in_b"][0] == 1.0 and col["word_contain_h_in_b"][2] == 0.0
    assert col["refute_body_per100"][0] > 0 and col["refute_body_per100"][1] == 0
    assert col["report_body_per100"][1] > 0  # أكد
    assert col["tfidf_cosine"][2] == 0.0 < col["tfidf_cosine"][0]
    assert col["entity_headline_in_body"][0] == 1.0  # الكاظمي, واشنطن
    # same row whatever the batch around it
    np.testing.assert_array_equal(pf.transform(PROBE[1:2])[0], X[1])


def test_classifier_generalises_on_toy_pairs(fitted):
    assert fitted.classes_.tolist() == ["agree", "disagree", "unrelated"]
    assert fitted.predict(PROBE).tolist() == ["disagree", "agree", "unrelated"]
    p = fitted.predict_proba(PROBE)
    assert p.shape == (3, 3)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-5)
    assert fitted.n_iter_ == 15 and len(fitted.loss_curve_) == 15
    assert fitted.loss_curve_[-1] < fitted.loss_curve_[0]


def test_linear_model_option_and_input_shapes():
    pairs, y = toy()
    clf = kb.StanceClassifier(model="linear").fit(pairs, y)
    assert clf.predict(PROBE).tolist() == ["disagree", "agree", "unrelated"]
    arr = np.array(PROBE, dtype=object)
    assert clf.predict(arr).tolist() == clf.predict(PROBE).tolist()
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame(PROBE, columns=["claim", "text"])
    assert clf.predict(df).tolist() == clf.predict(PROBE).tolist()


def test_training_is_deterministic():
    pairs, y = toy()
    a = kb.StanceClassifier(max_iter=3).fit(pairs, y).predict_proba(PROBE)
    b = kb.StanceClassifier(max_iter=3).fit(pairs, y).predict_proba(PROBE)
    np.testing.assert_array_equal(a, b)
    c = kb.StanceClassifier(max_iter=3, random_state=5).fit(pairs, y).predict_proba(PROBE)
    assert not np.array_equal(a, c)


def test_early_stopping_refit_uses_the_curve():
    pairs, y = toy()
    clf = kb.StanceClassifier(max_iter=8, validation_fraction=0.2, n_iter_no_change=2)
    clf.fit(pairs, y)
    curve = clf._early_stopping_curve
    assert 1 <= len(curve) <= 8
    assert clf.n_iter_ == int(np.argmax(curve)) + 1  # refit for the best epoch count


def test_save_load_and_pickle(fitted, tmp_path: Path):
    path = tmp_path / "stance.khabar"
    fitted.save(path)
    back = kb.load(path)
    assert isinstance(back, kb.StanceClassifier)
    np.testing.assert_array_equal(back.predict_proba(PROBE), fitted.predict_proba(PROBE))
    again = pickle.loads(pickle.dumps(fitted))
    assert again.predict(PROBE).tolist() == fitted.predict(PROBE).tolist()
    data = bytearray(fitted.to_bytes())
    data[-5] ^= 0x01
    with pytest.raises(kb.ModelFormatError):
        kb.loads(bytes(data))
    lin = kb.StanceClassifier(model="linear", term_blocks=("body",)).fit(*toy())
    back = kb.loads(lin.to_bytes())
    np.testing.assert_allclose(back.predict_proba(PROBE), lin.predict_proba(PROBE))


@pytest.mark.parametrize(
    ("X", "exc", "match"),
    [
        ("a headline", TypeError, "pairs"),
        ([("only one",)], ValueError, r"X\[0\] must be a \(headline, body\) pair"),
        ([("h", "b", "c")], ValueError, "length 3"),
        ([("h", None)], TypeError, r"bodies\[0\] is NoneType"),
        ([(b"h", "b")], TypeError, "decode bytes"),
        ([("h", "\ud800")], ValueError, "surrogate"),
        (np.array([["a", "b", "c"]]), ValueError, r"shape \(n, 2\)"),
    ],
)
def test_bad_pairs_are_named(fitted, X, exc, match):
    with pytest.raises(exc, match=match):
        fitted.predict(X)


def test_bad_fit_input_and_params():
    pairs, y = toy()
    with pytest.raises(ValueError, match="0 pairs"):
        kb.StanceClassifier().fit([], [])
    with pytest.raises(ValueError, match="single class"):
        kb.StanceClassifier().fit(pairs, ["agree"] * len(pairs))
    with pytest.raises(ValueError):
        kb.StanceClassifier().fit(pairs, y[:-1])
    with pytest.raises(ValueError, match="model"):
        kb.StanceClassifier(model="svm").fit(pairs, y)
    with pytest.raises(ValueError, match="term_blocks"):
        kb.StanceClassifier(term_blocks=("title",)).fit(pairs, y)
    with pytest.raises(ValueError, match="dropout"):
        kb.StanceClassifier(dropout=1.5).fit(pairs, y)
    with pytest.raises(kb.NotFittedError):
        kb.StanceClassifier().predict(PROBE)


def test_stance_metrics():
    gold = ["agree", "disagree", "discuss", "unrelated", "unrelated"]
    assert fnc_score(gold, gold) == 100.0
    # related/unrelated right but the related label wrong: 0.25 of 1.0
    assert fnc_score(["agree"], ["discuss"]) == 25.0
    assert fnc_score(["agree"], ["unrelated"]) == 0.0
    s = classification_scores(gold, ["agree", "agree", "discuss", "unrelated", "discuss"])
    assert s["labels"] == ["agree", "disagree", "discuss", "unrelated"]
    assert s["confusion"][1] == [1, 0, 0, 0]
    assert s["per_class"]["unrelated"]["recall"] == 0.5
    with pytest.raises(ValueError, match="labels"):
        fnc_score(["agree"], [])


def test_opt_in_blocks_top_sentences_and_chars():
    pairs, y = toy()
    long_body = "الطقس حار اليوم. نفى مسؤول أن الكاظمي يزور واشنطن. افتتح معرض للكتاب."
    pf = kb.StancePairFeatures().fit(pairs)
    _, top = pf._fitted().transform_with_sentences(["الكاظمي يزور واشنطن"], [long_body], 1)
    assert top == ["نفي مسؤول الكاظمي يزور واشنطن"]  # best sentence, normalised (ى -> ي)
    blocks = ("headline", "body_top_sentences", "body_chars")
    clf = kb.StanceClassifier(term_blocks=blocks).fit(pairs, y)
    assert set(clf._vecs) == {"headline", "body_top_sentences", "body_chars"}
    back = kb.loads(clf.to_bytes())
    np.testing.assert_array_equal(back.predict_proba(PROBE), clf.predict_proba(PROBE))


def test_explain_names_the_evidence(fitted):
    ex = fitted.explain(PROBE[0], k=6)
    assert len(ex) == 6
    assert [abs(e.weight) for e in ex] == sorted((abs(e.weight) for e in ex), reverse=True)
    # the denial is what makes it "disagree": a refuting cue or the word itself
    assert any("refute" in e.feature or e.feature.startswith("نف") for e in ex[:3]), ex
    assert all(e.block in ("pair", "headline", "body", "body_minus_headline", "headline_minus_body")
               for e in ex)  # fmt: skip
    against = fitted.explain(PROBE[0], k=3, label="unrelated")
    assert against[0].weight != ex[0].weight
    with pytest.raises(ValueError, match="not one of"):
        fitted.explain(PROBE[0], label="maybe")
    with pytest.raises(ValueError, match="k must be"):
        fitted.explain(PROBE[0], k=0)
    with pytest.raises(ValueError, match="pair"):
        fitted.explain(("only headline",))  # type: ignore[arg-type]


def test_chunked_prediction_with_progress_matches(fitted):
    pytest.importorskip("tqdm")
    from khabar import _progress

    whole = fitted.predict_proba(PROBE)
    old = _progress.CHUNK
    _progress.CHUNK = 2
    try:
        fitted.set_params(progress=True)
        np.testing.assert_allclose(fitted.predict_proba(PROBE), whole, rtol=1e-6)
    finally:
        _progress.CHUNK = old
        fitted.set_params(progress=None)


def test_without_pair_features_fits_and_round_trips():
    # regression: the bundle kept the pair extractor (it builds the word-diff
    # blocks) without the 52 features, and its validation refused that
    pairs = [("العراق ينفي", "نفت الحكومة العراقية الخبر")] * 10 + [
        ("خبر", "قال المتحدث إن الخبر صحيح")
    ] * 10
    y = ["disagree"] * 10 + ["agree"] * 10
    clf = kb.StanceClassifier(
        model="linear", entities=False, pair_features=False, max_features=10
    ).fit(pairs, y)
    again = kb.StanceClassifier.from_bytes(clf.to_bytes())
    assert list(again.predict(pairs)) == list(clf.predict(pairs)) == y


# -- target-conditioned blocks (body_by_target, body_chars_by_target) ----------

BY_TARGET = ("headline", "body", "body_by_target")


def flip_pairs() -> tuple[list[tuple[str, str]], list[str]]:
    """Two targets; "ممتاز" (excellent) is said of target A by its fans and
    of target B by A's fans mocking it, so it means Favor for A and Against
    for B, and "كارثة" (disaster) the other way round."""
    fillers = ["اليوم", "والله", "بصراحة", "هذا", "الخبر", "صار", "الحين", "اكيد"]
    pairs, y = [], []
    for i, f in enumerate(fillers):
        g = fillers[(i + 3) % len(fillers)]
        pairs += [
            ("target A", f"{f} ممتاز {g}"),
            ("target A", f"{g} كارثة {f}"),
            ("target B", f"{f} ممتاز {g}"),
            ("target B", f"{g} كارثة {f}"),
        ]
        y += ["Favor", "Against", "Against", "Favor"]
    return pairs, y


FLIP_PROBE = [
    ("target A", "ممتاز جدا"),
    ("target A", "كارثة جدا"),
    ("target B", "ممتاز جدا"),
    ("target B", "كارثة جدا"),
]
FLIP_TRUTH = ["Favor", "Against", "Against", "Favor"]


def _flip_model(blocks: tuple[str, ...]) -> kb.StanceClassifier:
    pairs, y = flip_pairs()
    params = {"pair_features": False, "entities": False, "C": 10.0}
    return kb.StanceClassifier(model="linear", term_blocks=blocks, **params).fit(pairs, y)


def test_by_target_block_learns_a_word_that_flips_between_targets():
    # a linear model with one weight per body word cannot flip it by target
    # (the headline block only shifts each target's prior); the by-target
    # block gives each target its own weight
    shared = _flip_model(("headline", "body"))
    assert shared.targets_.tolist() == []
    assert sum(p == t for p, t in zip(shared.predict(FLIP_PROBE), FLIP_TRUTH, strict=True)) <= 2
    per_target = _flip_model(BY_TARGET)
    assert per_target.targets_.tolist() == ["target A", "target B"]
    assert per_target.predict(FLIP_PROBE).tolist() == FLIP_TRUTH
    ex = per_target.explain(FLIP_PROBE[2], k=1)
    assert ex[0].block == "body_by_target" and ex[0].feature == "ممتاز @ target B"


def test_by_target_block_is_on_for_few_targets_and_off_for_many():
    pairs, y = toy()  # 3 distinct headlines
    blocks = (*BY_TARGET, "body_chars_by_target")
    on = kb.StanceClassifier(term_blocks=blocks, max_iter=2).fit(pairs, y)
    assert on.targets_.tolist() == sorted(set(HEADS))
    assert {"body_by_target", "body_chars_by_target"} <= set(on._vecs)
    n_terms = {b: len(v.get_feature_names_out()) for b, v in on._vecs.items()}
    width = on._design(*map(list, zip(*PROBE, strict=True)), fit=False).shape[1]
    assert width == 52 + n_terms["headline"] + n_terms["body"] + 3 * (
        n_terms["body_by_target"] + n_terms["body_chars_by_target"]
    )
    for cap in (2, 0):
        off = kb.StanceClassifier(term_blocks=blocks, max_targets=cap, max_iter=2).fit(pairs, y)
        assert off.targets_.tolist() == []
        assert set(off._vecs) == {"headline", "body"}
        back = kb.loads(off.to_bytes())
        np.testing.assert_array_equal(back.predict_proba(PROBE), off.predict_proba(PROBE))
    # the default blocks do not include them
    assert kb.StanceClassifier(max_iter=2).fit(pairs, y).targets_.tolist() == []


def test_by_target_block_puts_the_body_in_its_target_slot_and_zeros_unseen():
    pairs, y = toy()
    clf = kb.StanceClassifier(term_blocks=("body", "body_by_target"), pair_features=False)
    clf.fit(pairs, y)
    V = len(clf._vecs["body"].get_feature_names_out())
    assert len(clf._vecs["body_by_target"].get_feature_names_out()) == V
    seen = [pairs[0], pairs[4]]  # targets HEADS[0] and HEADS[1]
    X = clf._design(*map(list, zip(*(seen + PROBE[:1]), strict=True)), fit=False).toarray()
    body, by_target = X[:, :V], X[:, V:]
    assert by_target.shape[1] == 3 * V
    for row, (h, _) in enumerate(seen):
        t = clf.targets_.tolist().index(h)
        np.testing.assert_array_equal(by_target[row, t * V : (t + 1) * V], body[row])
        assert not np.delete(by_target[row], np.s_[t * V : (t + 1) * V]).any()
    assert body[2].any() and not by_target[2].any()  # PROBE's target is unseen
    assert len(clf.predict(PROBE)) == 3


@pytest.mark.parametrize("model", ["mlp", "linear"])
def test_by_target_model_round_trips(model, tmp_path: Path):
    pairs, y = toy()
    blocks = (*BY_TARGET, "body_chars", "body_chars_by_target")
    clf = kb.StanceClassifier(model=model, term_blocks=blocks, max_iter=3).fit(pairs, y)
    probe = PROBE + pairs[:3]
    want = clf.predict_proba(probe)
    path = tmp_path / "st.khabar"
    clf.save(path)
    for back in (kb.load(path), pickle.loads(pickle.dumps(clf))):
        assert back.targets_.tolist() == clf.targets_.tolist()
        np.testing.assert_array_equal(back.predict_proba(probe), want)


def test_by_target_model_file_must_name_its_targets():
    import json

    pairs, y = toy()
    clf = kb.StanceClassifier(term_blocks=BY_TARGET, max_iter=2).fit(pairs, y)
    meta = json.loads(json.dumps({"class": "StanceClassifier", "params": clf.get_params()}))
    meta["params"].pop("n_jobs"), meta["params"].pop("progress")
    for targets in ([], ["a", "b"], ["a", "a", "b"], ["a", "b", 3], "abc"):
        state = {"classes": clf.classes_.tolist(), "targets": targets}
        data = bytes(clf._core_.to_bytes(json.dumps({**meta, "state": state})))
        with pytest.raises(kb.ModelFormatError, match="targets do not match"):
            kb.loads(data)
    # any three distinct targets fit the model's width (they are only names)
    state = {"classes": clf.classes_.tolist(), "targets": ["x", "y", "z"]}
    back = kb.loads(bytes(clf._core_.to_bytes(json.dumps({**meta, "state": state}))))
    assert back.targets_.tolist() == ["x", "y", "z"]


def test_by_target_bad_input():
    pairs, y = toy()
    with pytest.raises(ValueError, match="max_targets"):
        kb.StanceClassifier(term_blocks=BY_TARGET, max_targets=-1).fit(pairs, y)
    with pytest.raises(ValueError, match="max_targets"):
        kb.StanceClassifier(term_blocks=BY_TARGET, max_targets=True).fit(pairs, y)
    # only body blocks read the pairs, so the headline type is checked here
    only_body = kb.StanceClassifier(
        term_blocks=("body_by_target",), pair_features=False, model="linear"
    )
    with pytest.raises(TypeError, match=r"headlines\[1\] is int, expected str"):
        only_body.fit([("a", "x y"), (5, "y z")], ["p", "q"])
    only_body.fit(pairs, y)
    with pytest.raises(TypeError, match=r"headlines\[0\] is NoneType, expected str"):
        only_body.predict([(None, "x")])

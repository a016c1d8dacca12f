"""TopicClassifier: texts in, topics out; persistence, explanations,
scikit-learn integration, bad input."""

from __future__ import annotations

import pickle

import khabar as kb
import numpy as np
import pytest

SPORT = [
    "المنتخب الوطني يفوز بالمباراة النهائية",
    "الفريق يتأهل إلى نصف النهائي بعد فوز كبير",
    "اللاعب يسجل هدفين في المباراة",
    "الترجي يفوز على النادي الافريقي في الدربي",
]
ECONOMY = [
    "البورصة ترتفع بعد قرار البنك المركزي",
    "الدينار يتراجع أمام الدولار",
    "ارتفاع نسبة التضخم وأسعار المواد الغذائية",
    "البنك المركزي يرفع نسبة الفائدة",
]
POLITICS = [
    "الرئيس يلتقي وزير الخارجية الأمريكي في بغداد",
    "البرلمان يصادق على قانون الانتخابات",
    "وزير الخارجية يبحث الأزمة مع نظيره الفرنسي",
    "الحكومة تعلن عن تعديل وزاري",
]
TEXTS = SPORT + ECONOMY + POLITICS
LABELS = ["sport"] * 4 + ["economy"] * 4 + ["politics"] * 4


@pytest.fixture(scope="module")
def clf() -> kb.TopicClassifier:
    return kb.TopicClassifier(random_state=0).fit(TEXTS, LABELS)


def test_fit_predict_and_probabilities(clf):
    assert clf.classes_.tolist() == ["economy", "politics", "sport"]
    assert clf.predict(TEXTS).tolist() == LABELS
    new = ["المنتخب يفوز بالمباراة", "البنك المركزي والدولار", "وزير الخارجية في بغداد"]
    assert clf.predict(new).tolist() == ["sport", "economy", "politics"]
    p = clf.predict_proba(new)
    assert p.shape == (3, 3) and np.allclose(p.sum(axis=1), 1.0)
    z = clf.decision_function(new)
    assert (clf.classes_[z.argmax(axis=1)] == clf.predict(new)).all()
    assert clf.score(TEXTS, LABELS) == 1.0


def test_parts_are_exposed(clf):
    assert isinstance(clf.vectorizer_, kb.TextVectorizer)
    assert isinstance(clf.model_, kb.LinearClassifier)
    X = clf.vectorizer_.transform(TEXTS)
    assert np.allclose(clf.model_.decision_function(X), clf.decision_function(TEXTS))


def test_accepts_any_iterable_of_text(clf):
    pd = pytest.importorskip("pandas")
    s = pd.Series(TEXTS[:3])
    assert clf.predict(s).tolist() == clf.predict(TEXTS[:3]).tolist()
    assert clf.predict(np.array(TEXTS[:3], dtype=object)).tolist() == LABELS[:3]
    assert clf.predict(t for t in TEXTS[:3]).tolist() == LABELS[:3]


def test_binary_problem():
    c = kb.TopicClassifier().fit(SPORT + ECONOMY, ["sport"] * 4 + ["economy"] * 4)
    assert c.predict(["الفريق يفوز", "الدولار يرتفع"]).tolist() == ["sport", "economy"]
    assert c.predict_proba(["الفريق يفوز"]).shape == (1, 2)
    assert c.top_features("sport", 3)[0][1] > 0
    assert c.decision_function(["الفريق يفوز"]).shape == (1,)


def test_explain_names_features_in_the_original_spelling(clf):
    text = "المنتخبُ الوطنيّ يفوزُ بالمباراةِ"
    top = clf.explain(text, k=5)
    assert len(top) == 5
    assert all(isinstance(c, kb.Contribution) for c in top)
    weights = [c.weight for c in top]
    assert weights == sorted(weights, reverse=True) and weights[0] > 0
    for c in top:
        assert c.kind in ("word", "char_wb")
        # the surface is text the user wrote, diacritics included
        for piece in c.surface.split(" … "):
            assert piece in text
    assert any("\u064f" in c.surface or "\u0650" in c.surface for c in top)


def test_explain_contributions_add_up_to_the_score(clf):
    text = SPORT[0]
    k = clf.classes_.tolist().index("sport")
    everything = clf.explain(text, k=10**6, label="sport")
    z = clf.decision_function([text])[0, k]
    assert sum(c.weight for c in everything) + clf.model_.intercept_[k] == pytest.approx(
        z, abs=1e-4
    )


def test_top_features(clf):
    top = clf.top_features("economy", k=10)
    assert len(top) == 10
    assert [w for _, w in top] == sorted((w for _, w in top), reverse=True)
    assert any(name.startswith("word:") for name, _ in top)
    with pytest.raises(ValueError, match="unknown label"):
        clf.top_features("weather")


def test_save_load_and_pickle_give_identical_predictions(clf, tmp_path):
    path = tmp_path / "topic.khabar"
    clf.save(path)
    for other in (kb.load(path), pickle.loads(pickle.dumps(clf))):
        assert isinstance(other, kb.TopicClassifier)
        assert other.classes_.tolist() == clf.classes_.tolist()
        assert np.array_equal(other.predict_proba(TEXTS), clf.predict_proba(TEXTS))
        assert other.explain(TEXTS[0], k=3) == clf.explain(TEXTS[0], k=3)
        assert other.get_params() == clf.get_params()


def test_results_do_not_depend_on_n_jobs():
    a = kb.TopicClassifier(n_jobs=1).fit(TEXTS, LABELS)
    b = kb.TopicClassifier(n_jobs=2).fit(TEXTS, LABELS)
    assert np.array_equal(a.predict_proba(TEXTS), b.predict_proba(TEXTS))


def test_sklearn_grid_search():
    from sklearn.model_selection import GridSearchCV

    gs = GridSearchCV(kb.TopicClassifier(), {"C": [0.1, 1.0]}, cv=2).fit(TEXTS * 2, LABELS * 2)
    assert gs.best_params_["C"] in (0.1, 1.0)
    assert gs.predict(["الفريق يفوز"]).tolist() == ["sport"]


def test_probability_false_hides_predict_proba():
    c = kb.TopicClassifier(probability=False).fit(TEXTS, LABELS)
    assert not hasattr(c, "predict_proba")
    assert kb.TopicClassifier(loss="log").fit(TEXTS, LABELS).predict_proba(TEXTS).shape == (12, 3)


@pytest.mark.parametrize(
    "texts, labels, exc, match",
    [
        ([*TEXTS[:-1], None], LABELS, TypeError, r"\[11\] is NoneType"),
        (TEXTS, LABELS[:-1], ValueError, "12 rows but y has 11"),
        (TEXTS, ["sport"] * 12, ValueError, "single class"),
        ([], [], ValueError, "empty"),
        ("one text", ["sport"], TypeError, "wrap it in a list"),
        (TEXTS, [*LABELS[:-1], float("nan")], ValueError, r"y\[11\] is missing"),
    ],
)
def test_bad_input_is_a_clear_error(texts, labels, exc, match):
    with pytest.raises(exc, match=match):
        kb.TopicClassifier().fit(texts, labels)


def test_unfitted_and_bad_predict_input(clf):
    with pytest.raises(kb.NotFittedError):
        kb.TopicClassifier().predict(["x"])
    with pytest.raises(TypeError, match=r"X\[1\] is bytes"):
        clf.predict(["ok", b"bytes"])
    with pytest.raises(TypeError):
        clf.explain(None)  # type: ignore[arg-type]
    assert clf.predict([]).shape == (0,)
    assert clf.predict(["", "   "]).shape == (2,)


def test_real_data_beats_the_majority_class(read_labelled):
    texts, labels = read_labelled("ant_corpus", "train", 1500)
    dev_texts, dev_labels = read_labelled("ant_corpus", "dev", 400)
    from sklearn.metrics import f1_score

    clf = kb.TopicClassifier().fit(texts, labels)
    pred = clf.predict(dev_texts)
    acc = float(np.mean(pred == np.asarray(dev_labels)))
    majority = max(dev_labels.count(v) for v in set(dev_labels)) / len(dev_labels)
    assert acc > majority + 0.15
    assert f1_score(dev_labels, pred, average="macro") > 0.5
    # calibrated probabilities mostly agree with the decision values
    agree = np.mean(clf.classes_[clf.predict_proba(dev_texts).argmax(axis=1)] == pred)
    assert agree > 0.9


@pytest.mark.parametrize("loss", ["log", "modified_huber"])
def test_lbfgs_losses_get_a_tolerance_that_trains(loss: str) -> None:
    # tol=None is resolved per solver. A fixed tol=0.1 (right for dual
    # coordinate descent) stopped L-BFGS before its first step: with
    # loss="log" the model was all zeros (0.002 macro-F1 on ant_corpus dev).
    clf = kb.TopicClassifier(loss=loss).fit(TEXTS, LABELS)
    assert clf.model_.tol == 1e-4
    assert clf.model_.n_iter_ > 0
    assert clf.predict(TEXTS).tolist() == LABELS
    assert clf.get_params()["tol"] is None  # the parameter is stored unchanged
    assert kb.TopicClassifier().fit(TEXTS, LABELS).model_.tol == 0.1
    assert kb.TopicClassifier(loss=loss, tol=0.5).fit(TEXTS, LABELS).model_.tol == 0.5

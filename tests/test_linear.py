"""LinearClassifier and Naive Bayes: agreement with scikit-learn, weights,
multi-label, partial_fit, thread-count independence, persistence."""

from __future__ import annotations

import pickle
import warnings

import khabar as kb
import numpy as np
import pytest
import scipy.sparse as sp
from khabar.linear_model import LinearClassifier
from khabar.naive_bayes import ComplementNB, MultinomialNB

sklearn = pytest.importorskip("sklearn")
from sklearn.datasets import make_classification  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.naive_bayes import ComplementNB as SkComplementNB  # noqa: E402
from sklearn.naive_bayes import MultinomialNB as SkMultinomialNB  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402


def problem(n_classes: int = 3, n: int = 400, seed: int = 0, density: bool = False):
    X, y = make_classification(
        n_samples=n,
        n_features=30,
        n_informative=12,
        n_redundant=4,
        n_classes=n_classes,
        n_clusters_per_class=1,
        class_sep=1.2,
        random_state=seed,
    )
    labels = np.array(["economy", "politics", "sport", "culture", "tech"])[y]
    Xs = sp.csr_matrix(X)
    return (X if density else Xs), labels


@pytest.mark.parametrize("n_classes", [2, 3, 5])
@pytest.mark.parametrize("C", [0.1, 1.0, 10.0])
def test_log_loss_matches_sklearn_logistic_regression(n_classes, C):
    X, y = problem(n_classes)
    sk = LogisticRegression(C=C, tol=1e-10, max_iter=10_000).fit(X, y)
    ours = LinearClassifier(C=C, tol=1e-8, max_iter=2000).fit(X, y)
    assert ours.classes_.tolist() == sk.classes_.tolist()
    assert (ours.predict(X) == sk.predict(X)).all()
    assert np.abs(ours.predict_proba(X) - sk.predict_proba(X)).max() < 1e-3
    assert ours.coef_.shape == sk.coef_.shape
    assert ours.intercept_.shape == sk.intercept_.shape


@pytest.mark.parametrize("loss", ["hinge", "squared_hinge"])
def test_hinge_losses_match_sklearn_linear_svc(loss):
    X, y = problem(4)
    # fixed seeds: liblinear shuffles with its own generator
    sk = LinearSVC(loss=loss, C=0.5, tol=1e-8, max_iter=100_000, random_state=0).fit(X, y)
    ours = LinearClassifier(loss, C=0.5, tol=1e-8, max_iter=100_000, random_state=0).fit(X, y)
    agree = (ours.predict(X) == sk.predict(X)).mean()
    assert agree >= 0.99, agree
    assert np.abs(ours.coef_ - sk.coef_).max() < 0.02


def test_ovr_log_matches_sklearn_ovr():
    from sklearn.multiclass import OneVsRestClassifier

    X, y = problem(3)
    sk = OneVsRestClassifier(LogisticRegression(C=2.0, tol=1e-10, max_iter=10_000)).fit(X, y)
    ours = LinearClassifier(C=2.0, multi_class="ovr", tol=1e-8, max_iter=2000).fit(X, y)
    assert np.abs(ours.predict_proba(X) - sk.predict_proba(X)).max() < 1e-3


def test_dense_input_is_accepted():
    X, y = problem(3, density=True)
    a = LinearClassifier().fit(X, y).predict(X)
    b = LinearClassifier().fit(sp.csr_matrix(X), y).predict(sp.csr_matrix(X))
    assert (a == b).all()


def test_float32_and_float64_features_agree():
    X, y = problem(3)
    a = LinearClassifier(tol=1e-8, max_iter=2000).fit(X.astype(np.float32), y)
    b = LinearClassifier(tol=1e-8, max_iter=2000).fit(X, y)
    assert np.abs(a.predict_proba(X) - b.predict_proba(X)).max() < 1e-3


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"multi_class": "ovr"},
        {"loss": "hinge"},
        {"loss": "squared_hinge", "probability": True},
        {"loss": "modified_huber"},
        {"solver": "sgd", "random_state": 3},
        {"nb_scale": True},
    ],
)
def test_results_do_not_depend_on_n_jobs(params):
    X, y = problem(4)
    X = abs(X)  # nb_scale needs non-negative features
    one = LinearClassifier(n_jobs=1, **params).fit(X, y)
    two = LinearClassifier(n_jobs=2, **params).fit(X, y)
    assert np.array_equal(one.coef_, two.coef_)
    assert np.array_equal(one.intercept_, two.intercept_)
    assert np.array_equal(one.decision_function(X), two.decision_function(X))


def test_class_weight_balanced_equals_explicit_sample_weights():
    X, y = problem(3)
    keep = np.r_[np.flatnonzero(y != "sport"), np.flatnonzero(y == "sport")[:20]]
    X, y = X[keep], y[keep]
    a = LinearClassifier(class_weight="balanced").fit(X, y)
    classes, counts = np.unique(y, return_counts=True)
    w = dict(zip(classes, len(y) / (len(classes) * counts), strict=False))
    b = LinearClassifier().fit(X, y, sample_weight=[w[v] for v in y])
    c = LinearClassifier(class_weight=w).fit(X, y)
    assert np.allclose(a.coef_, b.coef_) and np.allclose(a.coef_, c.coef_)
    # and it does move the minority class
    plain = LinearClassifier().fit(X, y)
    assert (a.predict(X) == "sport").sum() > (plain.predict(X) == "sport").sum()


def test_sample_weight_matches_sklearn():
    X, y = problem(3)
    sw = np.linspace(0.1, 3.0, len(y))
    sk = LogisticRegression(C=1.0, tol=1e-10, max_iter=10_000).fit(X, y, sample_weight=sw)
    ours = LinearClassifier(tol=1e-8, max_iter=2000).fit(X, y, sample_weight=sw)
    assert np.abs(ours.predict_proba(X) - sk.predict_proba(X)).max() < 1e-3


def test_integer_sample_weight_equals_repeating_rows():
    X, y = problem(3, n=120)
    sw = np.array([2 if i % 3 == 0 else 1 for i in range(len(y))])
    rep = np.repeat(np.arange(len(y)), sw)
    a = LinearClassifier(tol=1e-8, max_iter=2000).fit(X, y, sample_weight=sw)
    b = LinearClassifier(tol=1e-8, max_iter=2000).fit(X[rep], y[rep])
    assert np.abs(a.predict_proba(X) - b.predict_proba(X)).max() < 1e-4


def test_multilabel_one_vs_rest():
    X, y = problem(4, n=600)
    # two tags per row: the class, and "long" for half of the rows
    tags = [[v] + (["long"] if X[i].sum() > 0 else []) for i, v in enumerate(y)]
    clf = LinearClassifier(C=10).fit(X, tags)
    assert clf.multilabel_ and "long" in clf.classes_.tolist()
    pred = clf.predict(X)
    assert isinstance(pred, list) and all(isinstance(p, list) for p in pred)
    hit = np.mean([set(p) == set(t) for p, t in zip(pred, tags, strict=False)])
    assert hit > 0.6, hit
    proba = clf.predict_proba(X)
    assert proba.shape == (len(tags), len(clf.classes_))
    assert not np.allclose(proba.sum(axis=1), 1.0)  # independent per label
    before = clf.thresholds_.copy()
    clf.tune_thresholds(X[:300], tags[:300])
    assert not np.array_equal(before, clf.thresholds_)
    assert clf.score(X, tags) == pytest.approx(
        np.mean([set(p) == set(t) for p, t in zip(clf.predict(X), tags, strict=False)])
    )


def test_partial_fit_learns_in_batches_and_needs_classes():
    X, y = problem(3, n=900)
    clf = LinearClassifier(solver="sgd", random_state=0)
    with pytest.raises(ValueError, match="classes"):
        clf.partial_fit(X[:10], y[:10])
    classes = np.unique(y)
    for _epoch in range(5):
        for start in range(0, 900, 100):
            clf.partial_fit(X[start : start + 100], y[start : start + 100], classes=classes)
    assert clf.score(X, y) > 0.8
    batch = LinearClassifier().fit(X, y).score(X, y)
    assert clf.score(X, y) > batch - 0.08
    with pytest.raises(ValueError, match="not one of the classes"):
        clf.partial_fit(X[:2], ["economy", "weather"])


def test_partial_fit_continues_after_pickle():
    X, y = problem(3, n=300)
    a = LinearClassifier(solver="sgd", random_state=1).partial_fit(X, y, classes=np.unique(y))
    b = pickle.loads(pickle.dumps(a))
    a.partial_fit(X, y)
    b.partial_fit(X, y)
    assert np.array_equal(a.coef_, b.coef_)


def test_partial_fit_refuses_a_batch_solver_model():
    X, y = problem(3, n=100)
    clf = LinearClassifier().fit(X, y)
    with pytest.raises(ValueError, match="sgd"):
        clf.partial_fit(X, y)


def test_l1_and_elastic_net_penalties_zero_weights():
    X, y = problem(3, n=600)
    l2 = LinearClassifier(solver="sgd", alpha=0.03, random_state=0).fit(X, y)
    # solver="auto" picks SGD, the only solver with an L1 part
    l1 = LinearClassifier(penalty="l1", alpha=0.03, random_state=0).fit(X, y)
    en = LinearClassifier(penalty="elasticnet", l1_ratio=0.5, alpha=0.03, random_state=0).fit(X, y)
    zeros = [int((m.coef_ == 0).sum()) for m in (l2, en, l1)]
    assert zeros[0] == 0 and zeros[2] >= 10 and zeros[2] > zeros[1], zeros
    for m in (l2, en, l1):
        assert m.score(X, y) > 0.8
    assert "l1_ratio" in l1.get_params() and l1.get_params()["penalty"] == "l1"


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"penalty": "l3"}, "penalty must be one of"),
        ({"penalty": "elasticnet", "l1_ratio": 1.5}, "l1_ratio must be in"),
        ({"penalty": "l1", "solver": "lbfgs"}, "solver"),
        ({"penalty": "elasticnet", "solver": "dcd", "loss": "hinge"}, "solver"),
    ],
)
def test_penalty_settings_are_checked(kwargs, message):
    X, y = problem(3, n=60)
    with pytest.raises(ValueError, match=message):
        LinearClassifier(**kwargs).fit(X, y)


def test_l1_penalty_survives_saving_for_partial_fit():
    # The L1 share is an estimator parameter passed to every partial_fit
    # call (the SGD state in the file is unchanged), so a loaded model must
    # continue exactly as the original does, and differently from L2.
    X, y = problem(3, n=300)
    a = LinearClassifier(penalty="l1", alpha=0.03, random_state=1)
    a.partial_fit(X, y, classes=np.unique(y))
    b = kb.LinearClassifier.from_bytes(a.to_bytes())
    c = pickle.loads(pickle.dumps(a)).set_params(penalty="l2")
    for m in (a, b, c):
        for _ in range(3):
            m.partial_fit(X, y)
    assert b.penalty == "l1"
    assert np.array_equal(a.coef_, b.coef_)
    assert (a.coef_ == 0).sum() > (c.coef_ == 0).sum()


def test_sgd_early_stopping_keeps_best():
    X, y = problem(3, n=800)
    clf = LinearClassifier(solver="sgd", early_stopping=True, max_iter=200, random_state=0).fit(
        X, y
    )
    assert clf.n_iter_ < 200 and clf.score(X, y) > 0.8


def test_probabilities_availability_follows_the_loss():
    X, y = problem(3)
    svm = LinearClassifier("hinge").fit(X, y)
    assert not hasattr(svm, "predict_proba")
    with pytest.raises(AttributeError, match="probability=True"):
        svm.predict_proba(X)
    cal = LinearClassifier("hinge", probability=True, random_state=0).fit(X, y)
    p = cal.predict_proba(X)
    assert np.allclose(p.sum(axis=1), 1.0)
    # calibrated probabilities rank like the decision values
    assert (p.argmax(axis=1) == cal.decision_function(X).argmax(axis=1)).mean() > 0.97
    mh = LinearClassifier("modified_huber").fit(X, y).predict_proba(X)
    assert np.allclose(mh.sum(axis=1), 1.0) and (mh >= 0).all()


def test_nb_scaling_trains_and_needs_non_negative_features():
    X, y = problem(3)
    with pytest.raises(ValueError, match="non-negative"):
        LinearClassifier(nb_scale=True).fit(X, y)
    pos = sp.csr_matrix(X.toarray() - X.toarray().min())
    clf = LinearClassifier(nb_scale=True).fit(pos, y)
    assert clf.score(pos, y) > 0.8


def test_convergence_warning():
    X, y = problem(3)
    with pytest.warns(Warning, match="did not converge"):
        LinearClassifier(max_iter=2).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LinearClassifier().fit(X, y)


@pytest.mark.parametrize(
    "params",
    [{}, {"loss": "hinge", "probability": True}, {"solver": "sgd"}, {"nb_scale": True}],
)
def test_save_load_and_pickle_round_trip(tmp_path, params):
    X, y = problem(3)
    X = abs(X)
    clf = LinearClassifier(C=3.0, **params).fit(X, y)
    path = tmp_path / "m.khabar"
    clf.save(path)
    for other in (kb.load(path), pickle.loads(pickle.dumps(clf))):
        assert isinstance(other, LinearClassifier) and other.C == 3.0
        assert other.classes_.tolist() == clf.classes_.tolist()
        assert np.array_equal(other.decision_function(X), clf.decision_function(X))
        assert np.array_equal(other.predict(X), clf.predict(X))


def test_integer_labels_round_trip(tmp_path):
    X, _ = problem(3)
    y = np.arange(X.shape[0]) % 3 + 10
    clf = LinearClassifier().fit(X, y)
    other = kb.loads(clf.to_bytes())
    assert other.predict(X).tolist() == clf.predict(X).tolist()
    assert other.classes_.dtype.kind == "i"


@pytest.mark.parametrize(
    "bad_y, match",
    [
        (["a"] * 399 + [None], r"y\[399\] is missing"),
        (["a"] * 400, "single class"),
        (["a", "b"] * 10, "rows but y has"),
    ],
)
def test_bad_labels_are_clear_errors(bad_y, match):
    X, _ = problem(2)
    with pytest.raises(ValueError, match=match):
        LinearClassifier().fit(X, bad_y)


def test_bad_inputs_are_clear_errors():
    X, y = problem(3)
    with pytest.raises(TypeError, match="raw text"):
        LinearClassifier().fit(["some text"] * 400, y)
    with pytest.raises(TypeError, match="None"):
        LinearClassifier().fit(None, y)
    bad = X.copy()
    bad.data[5] = np.nan
    with pytest.raises(ValueError, match="non-finite"):
        LinearClassifier().fit(bad, y)
    with pytest.raises(ValueError, match="sample_weight"):
        LinearClassifier().fit(X, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="class_weight"):
        LinearClassifier(class_weight={"nope": 2.0}).fit(X, y)
    with pytest.raises(ValueError, match="loss"):
        LinearClassifier("perceptron").fit(X, y)
    with pytest.raises(ValueError, match="C"):
        LinearClassifier(C=0).fit(X, y)
    with pytest.raises(ValueError, match="solver"):
        LinearClassifier("hinge", solver="lbfgs").fit(X, y)
    with pytest.raises(ValueError, match="n_jobs"):
        LinearClassifier(n_jobs=0).fit(X, y)
    clf = LinearClassifier().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(X[:, :10])
    with pytest.raises(kb.NotFittedError):
        LinearClassifier().predict(X)


def test_sklearn_clone_and_grid_search():
    from sklearn.base import clone
    from sklearn.model_selection import GridSearchCV

    X, y = problem(3)
    clf = LinearClassifier(C=2.0, class_weight="balanced")
    assert clone(clf).get_params() == clf.get_params()
    gs = GridSearchCV(LinearClassifier(), {"C": [0.1, 10.0]}, cv=3).fit(X, y)
    assert gs.best_params_["C"] in (0.1, 10.0) and gs.score(X, y) > 0.7


@pytest.mark.parametrize(
    "ours, theirs",
    [
        (MultinomialNB(alpha=0.5), SkMultinomialNB(alpha=0.5)),
        (MultinomialNB(fit_prior=False), SkMultinomialNB(fit_prior=False)),
        (ComplementNB(), SkComplementNB()),
        (ComplementNB(norm=True, alpha=0.3), SkComplementNB(norm=True, alpha=0.3)),
    ],
)
def test_naive_bayes_matches_sklearn(ours, theirs):
    X = sp.random(300, 60, density=0.1, random_state=1, format="csr") * 4
    y = np.array(["a", "b", "c"])[np.arange(300) % 3]
    sw = np.linspace(0.5, 2.0, 300)
    ours.fit(X, y, sample_weight=sw)
    theirs.fit(X, y, sample_weight=sw)
    assert np.allclose(ours.predict_proba(X), theirs.predict_proba(X), atol=1e-10)
    assert np.allclose(ours.feature_log_prob_, theirs.feature_log_prob_)
    assert (ours.predict(X) == theirs.predict(X)).all()


def test_naive_bayes_partial_fit_equals_fit_and_round_trips():
    X = sp.random(200, 40, density=0.2, random_state=2, format="csr")
    y = np.arange(200) % 4
    full = MultinomialNB().fit(X, y)
    inc = MultinomialNB()
    for s in range(0, 200, 50):
        inc.partial_fit(X[s : s + 50], y[s : s + 50], classes=[0, 1, 2, 3])
    assert np.allclose(full.predict_proba(X), inc.predict_proba(X))
    back = pickle.loads(pickle.dumps(full))
    assert np.array_equal(back.predict_proba(X), full.predict_proba(X))
    with pytest.raises(ValueError, match="non-negative"):
        MultinomialNB().fit(-X, y)

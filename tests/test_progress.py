"""Progress bars over the solver passes of linear fits (issue 6) and the
passes of EntityTagger fits: what they show, that they change nothing, that
an exception in one (Ctrl-C) stops the fit, and that ``progress`` is a
run-time setting, not part of a model."""

from __future__ import annotations

import os
import pickle
import signal
import threading
from typing import Any, ClassVar

import khabar as kb
import numpy as np
import pytest
import scipy.sparse as sp
from khabar import _core, _progress
from khabar._classif import check_X
from khabar._linear_params import _DEFAULT_MAX_ITER, _resolve_solver

pytest.importorskip("tqdm")

TEXTS = ["المنتخب يفوز", "الفريق يتأهل", "البورصة ترتفع", "الدينار يتراجع"] * 3
LABELS = ["sport", "sport", "economy", "economy"] * 3

CONFIGS = [
    {"loss": "log"},  # L-BFGS, multinomial
    {"loss": "squared_hinge", "probability": True},  # DCD + 2 calibration folds
    {"loss": "modified_huber", "solver": "sgd"},
    {"loss": "squared_hinge", "solver": "lbfgs", "probability": True},
]


def problem(n: int = 600, d: int = 300, k: int = 4, seed: int = 0) -> tuple[Any, np.ndarray]:
    """Noisy classes, each with its own block of informative features."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k, n)
    X = sp.random(n, d, density=0.03, random_state=seed, format="lil")
    for i, c in enumerate(y):
        X[i, c * 5 + rng.integers(0, 5)] = 1.0 + rng.random()
    return X.tocsr(), y


class FakeBar:
    """Stands in for tqdm and keeps what a bar was told."""

    made: ClassVar[list[FakeBar]] = []

    def __init__(self, total: int | None = None, **kw: Any) -> None:
        self.total, self.n, self.kw, self.closed = total, 0, kw, False
        self.seen: list[tuple[int, int | None]] = []
        FakeBar.made.append(self)

    def update(self, k: int) -> None:
        self.n += k
        self.seen.append((self.n, self.total))

    def close(self) -> None:
        self.closed = True


class InterruptingBar(FakeBar):
    """A bar whose second update raises KeyboardInterrupt, as Ctrl-C would."""

    def update(self, k: int) -> None:
        super().update(k)
        if self.n >= 2:
            raise KeyboardInterrupt


@pytest.fixture
def fake_tqdm(monkeypatch: pytest.MonkeyPatch) -> type[FakeBar]:
    FakeBar.made = []
    monkeypatch.setattr(_progress, "_tqdm", lambda: FakeBar)
    return FakeBar


@pytest.mark.parametrize("params", CONFIGS, ids=lambda p: "-".join(map(str, p.values())))
def test_linear_bar_on_stderr_and_the_model_unchanged(params, capsys):
    X, y = problem()
    quiet = kb.LinearClassifier(progress=False, **params).fit(X, y)
    assert capsys.readouterr().err == ""  # progress=False: nothing at all
    loud = kb.LinearClassifier(progress=True, **params).fit(X, y)
    assert "LinearClassifier.fit" in capsys.readouterr().err
    np.testing.assert_array_equal(loud.coef_, quiet.coef_)
    np.testing.assert_array_equal(loud.intercept_, quiet.intercept_)
    np.testing.assert_array_equal(loud.predict_proba(X), quiet.predict_proba(X))
    assert loud.n_iter_ == quiet.n_iter_
    # the same model bytes (progress is not stored, the numbers are equal)
    assert loud.to_bytes() == quiet.to_bytes()
    two = kb.LinearClassifier(progress=True, n_jobs=2, **params).fit(X, y)
    assert two.to_bytes() == quiet.to_bytes()


@pytest.mark.parametrize("params", CONFIGS, ids=lambda p: "-".join(map(str, p.values())))
def test_linear_bar_counts_passes_and_ends_full(params, fake_tqdm):
    X, y = problem()
    clf = kb.LinearClassifier(progress=True, **params).fit(X, y)
    (bar,) = fake_tqdm.made
    assert bar.closed and bar.kw["desc"] == "LinearClassifier.fit"
    first_total = bar.total if not bar.seen else bar.seen[0][1]
    assert bar.n > 0 and bar.n == bar.total  # converged early: the total shrank to the passes run
    dones = [d for d, _ in bar.seen]
    totals = [t for _, t in bar.seen]
    assert dones == sorted(dones) and totals == sorted(totals, reverse=True)
    assert all(d <= t for d, t in bar.seen)
    # the first total is the budget: max_iter per solver run (DCD: per
    # group of classes, here 2; calibration: once more per fold, 2 folds)
    solver = _resolve_solver(clf.solver, clf.loss)
    max_iter = _DEFAULT_MAX_ITER[solver]
    runs = 3 if params.get("probability") else 1
    groups = 2 if solver == "dcd" else 1
    assert first_total == runs * groups * max_iter


def test_auto_shows_a_bar_only_for_large_fits(capsys, monkeypatch):
    X, y = problem()
    kb.LinearClassifier().fit(X, y)  # progress=None, a small fit
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(_progress, "LINEAR_AUTO_MIN", X.nnz * 4)  # non-zeros x classes
    kb.LinearClassifier().fit(X, y)
    assert "LinearClassifier.fit" in capsys.readouterr().err
    monkeypatch.setattr(_progress, "LINEAR_AUTO_MIN", X.nnz * 4 + 1)
    kb.LinearClassifier().fit(X, y)
    assert capsys.readouterr().err == ""
    with pytest.raises(TypeError, match="progress"):
        kb.LinearClassifier(progress="yes").fit(X, y)


def test_partial_fit_shows_no_bar(capsys):
    X, y = problem()
    kb.LinearClassifier("hinge", progress=True).partial_fit(X, y, classes=np.unique(y))
    assert capsys.readouterr().err == ""


def long_fit_args() -> tuple[dict[str, Any], Any, np.ndarray, np.ndarray]:
    """A DCD problem that runs to max_iter (a tolerance it cannot reach)."""
    X, y = problem(n=2000, d=500, k=4, seed=3)
    clf = kb.LinearClassifier("hinge", tol=1e-300, max_iter=300_000)
    parts, _, _ = check_X(X)
    return clf._config(), parts, y.astype(np.uint32), np.ones(len(y))


def test_an_exception_in_the_callback_stops_the_fit_and_is_raised():
    config, parts, codes, sw = long_fit_args()
    for exc in (KeyboardInterrupt, ValueError):
        seen: list[tuple[int, int]] = []

        def on_step(
            done: int, total: int, exc: type[BaseException] = exc, seen: list[Any] = seen
        ) -> None:
            seen.append((done, total))
            if done >= 3:
                raise exc("stop")

        with pytest.raises(exc, match="stop"):
            _core.LinearModelCore.fit(config, parts, codes, 4, sw, n_jobs=2, on_step=on_step)
        # not called again once it raised, and raised long before the end
        assert seen[-1][0] >= 3 and all(d < 3 for d, _ in seen[:-1])
        assert seen[-1][0] < seen[-1][1]


def test_keyboard_interrupt_through_the_bar_leaves_the_estimator_unfitted(monkeypatch):
    monkeypatch.setattr(_progress, "_tqdm", lambda: InterruptingBar)
    X, y = problem(n=2000, d=500, k=4, seed=3)
    clf = kb.LinearClassifier("hinge", tol=1e-300, max_iter=300_000, progress=True)
    with pytest.raises(KeyboardInterrupt):
        clf.fit(X, y)
    assert InterruptingBar.made[-1].closed
    with pytest.raises(kb.NotFittedError):
        clf.predict(X)


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="POSIX signals")
def test_ctrl_c_during_a_fit_with_a_bar_stops_it():
    """A real SIGINT: Python runs its handler on the main thread, in the
    next callback, so the fit ends with KeyboardInterrupt within a pass."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    config, parts, codes, sw = long_fit_args()
    calls = []
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            _core.LinearModelCore.fit(
                config, parts, codes, 4, sw, n_jobs=2, on_step=lambda d, t: calls.append(d)
            )
    finally:
        timer.cancel()
        timer.join()
    assert calls and calls[-1] < 2 * 300_000


# -- EntityTagger: the hook runs after each training pass ----------------
# a small CoNLL-like training set: token lists and IOB2 tag lists
TAGGER_SENTS = [
    ["قال", "أحمد", "حسن", "في", "بغداد", "اليوم"],
    ["وصل", "علي", "إلى", "دمشق"],
    ["زار", "بومبيو", "بغداد"],
    ["قال", "الكاظمي", "في", "بغداد"],
] * 4
TAGGER_TAGS = [
    ["O", "B-PER", "I-PER", "O", "B-LOC", "O"],
    ["O", "B-PER", "O", "B-LOC"],
    ["O", "B-PER", "B-LOC"],
    ["O", "B-PER", "O", "B-LOC"],
] * 4


def tagger_fit(n_iter: int, on_epoch: Any) -> Any:
    """The core fit without the built-in lists (quick passes)."""
    return _core.EntityTaggerCore.fit(
        TAGGER_SENTS, TAGGER_TAGS, n_iter=n_iter, n_jobs=2, on_epoch=on_epoch
    )


def test_tagger_bar_counts_every_pass_and_closes(fake_tqdm):
    tagger = kb.EntityTagger(n_iter=6, gazetteer=False, cues=False, progress=True)
    tagger.fit(TAGGER_SENTS, TAGGER_TAGS)
    (bar,) = fake_tqdm.made
    assert bar.closed and bar.kw["desc"] == "EntityTagger.fit"
    assert [d for d, _ in bar.seen] == list(range(1, 7)) and bar.total == 6
    assert len(tagger.train_errors_) == 6


def test_an_exception_in_the_tagger_callback_stops_the_fit_and_is_raised():
    for exc in (KeyboardInterrupt, ValueError):
        seen: list[int] = []

        def on_epoch(k: int, exc: type[BaseException] = exc, seen: list[int] = seen) -> None:
            seen.append(k)
            if k >= 3:
                raise exc("stop")

        with pytest.raises(exc, match="stop"):
            tagger_fit(1_000, on_epoch)
        # stopped after the pass that raised, and not called again
        assert seen == [1, 2, 3]
    # a callback that returns normally changes nothing
    assert tagger_fit(5, lambda k: None).to_bytes() == tagger_fit(5, None).to_bytes()


def test_keyboard_interrupt_through_the_tagger_bar_leaves_it_unfitted(monkeypatch):
    monkeypatch.setattr(_progress, "_tqdm", lambda: InterruptingBar)
    params = {"n_iter": 1_000, "gazetteer": False, "cues": False, "progress": True}
    tagger = kb.EntityTagger(**params)
    with pytest.raises(KeyboardInterrupt):
        tagger.fit(TAGGER_SENTS, TAGGER_TAGS)
    bar = InterruptingBar.made[-1]
    assert bar.closed and bar.n == 2
    # nothing half-set: the instance holds its parameters and nothing else
    assert vars(tagger) == vars(kb.EntityTagger(**params))
    with pytest.raises(kb.NotFittedError):
        tagger.predict(TAGGER_SENTS)
    with pytest.raises(kb.NotFittedError):
        _ = tagger.tags_


@pytest.mark.skipif(not hasattr(signal, "pthread_kill"), reason="POSIX signals")
def test_ctrl_c_during_a_tagger_fit_with_a_bar_stops_it():
    """A real SIGINT during EntityTagger training: it surfaces as
    KeyboardInterrupt from the next pass's callback and ends the fit."""
    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signals reach the main thread only")
    n_iter = 500_000  # seconds of passes, far more than 0.3 s allows
    calls: list[int] = []
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            # Python code (as a tqdm bar is): a builtin such as calls.append
            # would not run the pending signal handler
            tagger_fit(n_iter, lambda k: calls.append(k))
    finally:
        timer.cancel()
        timer.join()
    assert calls and calls[-1] < n_iter
    assert calls == list(range(1, len(calls) + 1))


def test_progress_is_a_run_time_setting(tmp_path):
    X, y = problem()
    clf = kb.LinearClassifier(progress=True).fit(X, y)
    clf.save(tmp_path / "m.khabar")
    loaded = kb.load(tmp_path / "m.khabar")
    assert loaded.progress is None  # model files do not store it
    assert loaded.to_bytes() == clf.to_bytes()
    assert pickle.loads(pickle.dumps(clf)).progress is True  # pickles keep it


def test_topic_classifier_passes_progress_to_its_linear_model(capsys, monkeypatch):
    monkeypatch.setattr(_progress, "LINEAR_AUTO_MIN", 0)  # every fit is "large"
    quiet = kb.TopicClassifier(progress=False).fit(TEXTS, LABELS)
    assert capsys.readouterr().err == ""
    assert quiet.model_.progress is False
    auto = kb.TopicClassifier().fit(TEXTS, LABELS)
    assert "LinearClassifier.fit" in capsys.readouterr().err
    loud = kb.TopicClassifier(progress=True).fit(TEXTS, LABELS)
    assert "LinearClassifier.fit" in capsys.readouterr().err
    assert loud.to_bytes() == quiet.to_bytes() == auto.to_bytes()


def test_stance_classifier_progress_false_silences_its_linear_model(capsys, monkeypatch):
    monkeypatch.setattr(_progress, "LINEAR_AUTO_MIN", 0)
    heads = ["بومبيو يهدد بإغلاق السفارة", "الحكومة ترفع أسعار الوقود"]
    pairs = [(h, "نفى مسؤول أن " + h) for h in heads] + [(h, "أكد مسؤول أن " + h) for h in heads]
    y = ["disagree", "disagree", "agree", "agree"]
    kb.StanceClassifier(model="linear", progress=False).fit(pairs * 3, y * 3)
    assert capsys.readouterr().err == ""

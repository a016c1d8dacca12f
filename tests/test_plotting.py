"""khabar.plotting: figures for notebooks, with Arabic labels prepared."""

from __future__ import annotations

import khabar as kb
import pytest

plt = pytest.importorskip("matplotlib.pyplot")
from khabar.plotting import confusion_matrix, display_text, top_features  # noqa: E402


def test_confusion_matrix_figure_counts_and_title():
    fig = confusion_matrix(["رياضة", "اقتصاد", "رياضة"], ["رياضة", "رياضة", "رياضة"])
    ax = fig.axes[0]
    cells = sorted(t.get_text() for t in ax.texts)
    assert cells == ["0", "0", "1", "2"]
    assert "macro-F1" in ax.get_title()
    norm = confusion_matrix(["a", "b"], ["a", "a"], normalize=True)
    assert "1.00" in [t.get_text() for t in norm.axes[0].texts]
    plt.close("all")


def test_top_features_figure():
    clf = kb.TopicClassifier().fit(
        ["المنتخب يفوز بالمباراة", "الفريق يتأهل للنهائي", "البورصة ترتفع", "الدينار يتراجع"],
        ["sport", "sport", "economy", "economy"],
    )
    fig = top_features(clf, "sport", k=5)
    assert len(fig.axes[0].patches) == 5
    with pytest.raises(TypeError, match="top_features"):
        top_features(object(), "sport")
    plt.close("all")


def test_arabic_labels_are_prepared():
    shaped = display_text("بغداد")
    assert shaped != "بغداد" and len(shaped) >= 3  # shaped (presentation forms) and reordered
    assert display_text("Baghdad") == "Baghdad"
    assert display_text("بغداد", transliterate=True) == "bgdAd"


def test_html_repr_for_notebooks():
    clf = kb.TopicClassifier()
    assert "not fitted" in clf._repr_html_()
    clf.fit(["المنتخب يفوز", "الفريق يتأهل", "البورصة ترتفع", "الدينار يتراجع"],
            ["sport", "sport", "economy", "economy"])  # fmt: skip
    page = clf._repr_html_()
    assert "TopicClassifier" in page and "economy, sport" in page and "MB" in page
    assert "&lt;" not in kb.pretrained.load("ner-ar")._repr_html_()  # names escaped, none here


def test_progress_bars_on_request(capsys):
    pytest.importorskip("tqdm")
    texts = ["المنتخب يفوز", "الفريق يتأهل", "البورصة ترتفع", "الدينار يتراجع"] * 3
    labels = ["sport", "sport", "economy", "economy"] * 3
    quiet = kb.TopicClassifier().fit(texts, labels)
    loud = kb.TopicClassifier(progress=True).fit(texts, labels)
    err = capsys.readouterr().err
    assert "TopicClassifier.fit" in err or "fitting" in err
    assert loud.predict(texts).tolist() == quiet.predict(texts).tolist()
    # predictions in chunks give the same result as one call
    from khabar import _progress

    old = _progress.CHUNK
    _progress.CHUNK = 5
    try:
        assert loud.predict_proba(texts).shape == (12, 2)
        assert loud.predict(texts).tolist() == quiet.predict(texts).tolist()
    finally:
        _progress.CHUNK = old
    assert "predict" in capsys.readouterr().err
    with pytest.raises(TypeError, match="progress"):
        kb.TopicClassifier(progress="yes").fit(texts, labels)


def test_vectorizer_progress_bars_give_the_same_matrices(capsys, monkeypatch):
    pytest.importorskip("tqdm")
    from khabar import _progress

    monkeypatch.setattr(_progress, "CHUNK", 7)  # several chunks behind the bar
    texts = [f"الخبر رقم {i % 9} عن المدينة {i % 4}" for i in range(40)]
    params = {"analyzer": [("word", (1, 2)), ("char_wb", (2, 4))], "max_features": 30}
    quiet = kb.TextVectorizer(**params)
    loud = kb.TextVectorizer(progress=True, **params)
    Xq, Xl = quiet.fit_transform(texts), loud.fit_transform(texts)
    assert loud.vocabulary_ == quiet.vocabulary_
    assert (Xq != Xl).nnz == 0 and (loud.transform(texts) != Xq).nnz == 0
    hq = kb.HashingVectorizer(n_features=256).transform(texts)
    hl = kb.HashingVectorizer(n_features=256, progress=True).transform(texts)
    assert (hq != hl).nnz == 0
    err = capsys.readouterr().err
    assert "counting" in err and "transform" in err


def test_tagger_progress_bar_counts_passes_and_changes_nothing(capsys):
    pytest.importorskip("tqdm")
    sents = [["زار", "بومبيو", "بغداد"], ["قال", "الكاظمي", "في", "بغداد"]] * 5
    tags = [["O", "B-PER", "B-LOC"], ["O", "B-PER", "O", "B-LOC"]] * 5
    quiet = kb.EntityTagger(n_iter=4, progress=False).fit(sents, tags)
    loud = kb.EntityTagger(n_iter=4, progress=True).fit(sents, tags)
    assert "EntityTagger.fit" in capsys.readouterr().err
    assert loud._core_.to_bytes("") == quiet._core_.to_bytes("")

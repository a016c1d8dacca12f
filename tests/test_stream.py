"""Streaming input, out-of-core fits and zero-copy Arrow input (issue 7)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import khabar
import numpy as np
import pytest
from khabar.datasets import iter_batches

pa = pytest.importorskip("pyarrow")

TOPICS = {
    "sport": ["المنتخب يفوز بالمباراة", "الفريق يتأهل للنهائي", "اللاعب يسجل هدفا"],
    "economy": ["البورصة ترتفع اليوم", "الدينار يتراجع امام الدولار", "البنك يرفع الفائدة"],
    "politics": ["البرلمان يصوت على القانون", "الوزير يلتقي السفير", "الحكومة تستقيل"],
}


def corpus(n: int) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    names = sorted(TOPICS)
    for i in range(n):
        y = names[i % 3]
        base = TOPICS[y][i % 3]
        texts.append(f"{base} رقم {i % 17} في المدينة {i % 5}")
        labels.append(y)
    return texts, labels


def csr_equal(a, b) -> bool:
    return (
        a.shape == b.shape
        and np.array_equal(a.indptr, b.indptr)
        and np.array_equal(a.indices, b.indices)
        and np.array_equal(a.data, b.data)
    )


VEC_PARAMS = {"analyzer": [("word", (1, 2)), ("char_wb", (2, 4))], "max_features": 60, "min_df": 2}


def test_fit_on_a_generator_equals_fit_on_a_list():
    docs, _ = corpus(23_000)  # more than one 10,000-document chunk
    once = khabar.TextVectorizer(**VEC_PARAMS).fit(docs)
    streamed = khabar.TextVectorizer(**VEC_PARAMS).fit(d for d in docs)
    assert streamed.vocabulary_ == once.vocabulary_
    np.testing.assert_array_equal(streamed.idf_, once.idf_)
    assert csr_equal(streamed.transform(iter(docs)), once.transform(docs))


@pytest.mark.parametrize("chunk", [1, 500, 4000])
def test_partial_fit_in_any_chunks_equals_fit(chunk):
    docs, _ = corpus(4000)
    once = khabar.TextVectorizer(**VEC_PARAMS).fit(docs)
    vec = khabar.TextVectorizer(**VEC_PARAMS)
    for i in range(0, len(docs), chunk):
        vec.partial_fit(docs[i : i + chunk])
    assert vec.vocabulary_ == once.vocabulary_
    assert csr_equal(vec.transform(docs), once.transform(docs))
    # more data after use: the vocabulary is recomputed from the new totals
    vec.partial_fit(["كلمة جديدة تماما"] * 3000)
    assert "word:تماما" in vec.vocabulary_ and "word:تماما" not in once.vocabulary_
    # pickling keeps the fitted vocabulary
    import pickle

    again = pickle.loads(pickle.dumps(vec))
    assert again.vocabulary_ == vec.vocabulary_


def test_errors_in_a_stream_name_the_row_of_the_whole_input():
    docs, _ = corpus(12_000)
    docs[10_005] = None  # type: ignore[call-overload]
    with pytest.raises(TypeError, match=r"\[10005\] is NoneType"):
        khabar.HashingVectorizer().transform(iter(docs))
    with pytest.raises(TypeError, match=r"\[10005\] is NoneType"):
        khabar.TextVectorizer().fit(iter(docs))


def test_hashing_and_predict_accept_any_iterable():
    docs, labels = corpus(600)
    hv = khabar.HashingVectorizer(n_features=2**12)
    assert csr_equal(hv.transform(d for d in docs), hv.transform(docs))
    assert csr_equal(hv.transform(iter(docs), batch_size=7), hv.transform(docs))
    assert hv.transform(iter([])).shape == (0, 2**12)
    with pytest.raises(ValueError, match="batch_size"):
        hv.transform(iter(docs), batch_size=0)
    clf = khabar.TopicClassifier(max_features=200, random_state=0).fit(docs, labels)
    np.testing.assert_array_equal(clf.predict(d for d in docs), clf.predict(docs))
    np.testing.assert_allclose(clf.predict_proba(iter(docs)), clf.predict_proba(docs))
    np.testing.assert_allclose(clf.decision_function(iter(docs)), clf.decision_function(docs))


def write_jsonl(path: Path, texts, labels, gz=False) -> Path:
    opener = gzip.open if gz else open
    with opener(path, "wt", encoding="utf-8") as f:
        for t, y in zip(texts, labels, strict=True):
            f.write(json.dumps({"body": t, "topic": y}, ensure_ascii=False) + "\n")
    return path


def test_iter_batches_reads_jsonl_csv_and_parquet(tmp_path):
    texts, labels = corpus(25)
    jl = write_jsonl(tmp_path / "a.jsonl.gz", texts, labels, gz=True)
    got = list(iter_batches(jl, text_field="body", label_field="topic", batch_size=10))
    assert [len(t) for t, _ in got] == [10, 10, 5]
    assert [t for batch, _ in got for t in batch] == texts
    assert [y for _, batch in got for y in batch] == labels
    import csv

    with open(tmp_path / "a.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["body", "topic"])
        w.writerows(zip(texts, labels, strict=True))
    got = list(iter_batches(tmp_path / "a.csv", text_field="body", label_field="topic"))
    assert got == [(texts, labels)]
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"body": texts, "topic": labels}), tmp_path / "a.parquet")
    got = list(iter_batches(tmp_path / "a.parquet", text_field="body", label_field=None))
    assert got == [(texts, [None] * 25)]


def test_iter_batches_errors_name_the_line(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"text": "a", "label": "x"}\n{"text": 3, "label": "x"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 2: field 'text' is int"):
        list(iter_batches(p))
    p.write_text('{"text": "a"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"line 1: no label in field 'label'"):
        list(iter_batches(p))
    with pytest.raises(FileNotFoundError):
        list(iter_batches(tmp_path / "missing.jsonl"))


@pytest.mark.parametrize("read_ahead", [True, False])
def test_iter_batches_read_ahead_gives_the_same_batches(tmp_path, read_ahead):
    texts, labels = corpus(47)
    p = tmp_path / "crlf.jsonl"
    # a byte-order mark, CRLF line ends and blank or whitespace-only lines
    body = "\r\n".join(
        json.dumps({"body": t, "topic": y}, ensure_ascii=False) + ("\r\n  \t" if i % 9 == 0 else "")
        for i, (t, y) in enumerate(zip(texts, labels, strict=True))
    )
    p.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8") + b"\r\n\r\n")
    got = list(
        iter_batches(
            p, text_field="body", label_field="topic", batch_size=10, read_ahead=read_ahead
        )
    )
    assert [len(t) for t, _ in got] == [10, 10, 10, 10, 7]
    assert [t for batch, _ in got for t in batch] == texts
    assert [y for _, batch in got for y in batch] == labels


def test_iter_batches_read_ahead_raises_in_order_and_stops_its_thread(tmp_path):
    import threading

    def readers() -> list[threading.Thread]:
        return [t for t in threading.enumerate() if t.name == "khabar-read-ahead"]

    p = tmp_path / "late_error.jsonl"
    lines = [json.dumps({"text": f"t{i}", "label": "a"}) for i in range(25)]
    lines[23] = '{"text": "t23", "label": "a"'  # invalid JSON in the third batch
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    seen = []
    with pytest.raises(ValueError, match=r"line 24: invalid JSON"):
        for texts, _ in iter_batches(p, batch_size=10):
            seen.append(texts[0])
    assert seen == ["t0", "t10"]  # the batches before the bad one arrive first
    assert readers() == []
    # stopping early ends the thread too (and closes the file)
    it = iter_batches(p, batch_size=2)
    assert next(it) == (["t0", "t1"], ["a", "a"])
    assert len(readers()) == 1
    it.close()
    assert readers() == []


def test_iter_batches_checks_lone_surrogates_only_where_json_can_spell_them(tmp_path):
    p = tmp_path / "escapes.jsonl"
    p.write_text(
        '{"text": "ok \\ud83d\\ude00", "label": "a"}\n'  # an escaped pair: one emoji
        '{"text": "fine", "title": "\\ud800", "label": "a"}\n'  # surrogate outside the text
        '{"text": "a\\ud800b", "label": "a"}\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"line 3: field 'text' contains a lone surrogate"):
        list(iter_batches(p, batch_size=2))
    first = next(iter_batches(p, batch_size=2))
    assert first == (["ok \U0001f600", "fine"], ["a", "a"])


def test_topic_classifier_fits_out_of_core_from_a_path(tmp_path):
    texts, labels = corpus(900)
    jl = write_jsonl(tmp_path / "train.jsonl", texts, labels)
    clf = khabar.TopicClassifier(max_features=300, random_state=0, loss="modified_huber")
    clf.fit(lambda: iter_batches(jl, text_field="body", label_field="topic", batch_size=128))
    assert list(clf.classes_) == ["economy", "politics", "sport"]
    assert clf.score(texts, labels) > 0.95
    proba = clf.predict_proba(texts[:5])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # deterministic with random_state; a list of batches works like a path
    batches = [(texts[i : i + 128], labels[i : i + 128]) for i in range(0, 900, 128)]
    again = khabar.TopicClassifier(max_features=300, random_state=0, loss="modified_huber")
    again.fit(batches)
    assert again.to_bytes() == clf.to_bytes()


def test_streamed_fit_rejects_one_shot_iterators_and_bad_batches():
    texts, labels = corpus(30)
    with pytest.raises(TypeError, match="one-shot iterator"):
        khabar.TopicClassifier().fit(iter([(texts, labels)]))
    with pytest.raises(ValueError, match="batch 0 has 30 texts but 29 labels"):
        khabar.TopicClassifier().fit([(texts, labels[:-1])])
    with pytest.raises(ValueError, match="single class"):
        khabar.TopicClassifier().fit([(texts, ["x"] * 30)])


ARROW_TYPES = ["string", "large_string", "string_view"]


@pytest.mark.parametrize("kind", ARROW_TYPES)
def test_arrow_input_gives_the_same_output_as_a_list(kind):
    docs, _ = corpus(300)
    docs[7] = ""  # empty strings and long strings (string_view keeps <= 12 bytes inline)
    arr = pa.array(docs, type=getattr(pa, kind)())
    chunked = pa.chunked_array([arr.slice(0, 100), arr.slice(100)])
    hv = khabar.HashingVectorizer(n_features=2**12)
    tv = khabar.TextVectorizer(**VEC_PARAMS).fit(docs)
    for x in (arr, chunked, arr.slice(0)):
        assert csr_equal(hv.transform(x), hv.transform(docs))
        assert csr_equal(tv.transform(x), tv.transform(docs))
    # a slice with an offset reads the right rows
    assert csr_equal(hv.transform(arr.slice(50, 30)), hv.transform(docs[50:80]))
    assert khabar.TextVectorizer(**VEC_PARAMS).fit(arr).vocabulary_ == tv.vocabulary_


def test_arrow_backed_pandas_series_is_read_in_place():
    pd = pytest.importorskip("pandas")
    docs, labels = corpus(300)
    clf = khabar.TopicClassifier(max_features=200, random_state=0).fit(docs, labels)
    for dtype in ("string[pyarrow]", pd.ArrowDtype(pa.large_string())):
        s = pd.Series(docs, dtype=dtype)
        np.testing.assert_array_equal(clf.predict(s), clf.predict(docs))


def test_bad_arrow_input_names_the_row_or_the_type():
    hv = khabar.HashingVectorizer()
    with pytest.raises(TypeError, match=r"\[1\] is null"):
        hv.transform(pa.array(["a", None]))
    with pytest.raises(TypeError, match=r"\[150\] is null"):
        hv.transform(pa.chunked_array([["a"] * 100, ["b"] * 50 + [None]]))
    with pytest.raises(TypeError, match="integer"):
        hv.transform(pa.array([1, 2]))
    with pytest.raises(TypeError, match="dictionary-encoded"):
        hv.transform(pa.array(["a", "b"]).dictionary_encode())
    with pytest.raises(TypeError, match="binary"):
        hv.transform(pa.array([b"\xff"]))


def test_stance_predict_streams_pairs():
    pairs = [("العراق ينفي", "نفت الحكومة العراقية الخبر")] * 10 + [
        ("خبر", "قال المتحدث إن الخبر صحيح")
    ] * 10
    y = ["disagree"] * 10 + ["agree"] * 10
    clf = khabar.StanceClassifier(model="linear", entities=False, max_features=20).fit(pairs, y)
    np.testing.assert_allclose(clf.predict_proba(p for p in pairs), clf.predict_proba(pairs))
    assert list(clf.predict(iter(pairs))) == list(clf.predict(pairs))
    assert clf.predict_proba(iter([])).shape == (0, 2)

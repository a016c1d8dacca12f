"""khabar.dask: prediction, features and distributed training (issue 7)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import khabar
import numpy as np
import pytest

dd = pytest.importorskip("dask.dataframe")
db = pytest.importorskip("dask.bag")
pd = pytest.importorskip("pandas")
kd = pytest.importorskip("khabar.dask")

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "ant_corpus"


def corpus(n: int) -> tuple[list[str], list[str]]:
    words = {
        "sport": ["المنتخب يفوز", "الفريق يتأهل", "اللاعب يسجل"],
        "economy": ["البورصة ترتفع", "الدينار يتراجع", "البنك يرفع الفائدة"],
        "politics": ["البرلمان يصوت", "الوزير يلتقي السفير", "الحكومة تستقيل"],
    }
    names = sorted(words)
    texts = [f"{words[names[i % 3]][i % 3]} رقم {i % 11}" for i in range(n)]
    return texts, [names[i % 3] for i in range(n)]


@pytest.fixture(scope="module")
def small():
    texts, labels = corpus(400)
    clf = khabar.TopicClassifier(max_features=300, random_state=0).fit(texts, labels)
    df = pd.DataFrame({"text": texts, "label": labels}, index=np.arange(1000, 1400))
    return clf, texts, labels, dd.from_pandas(df, npartitions=4)


def test_predict_and_proba_keep_order_and_index(small):
    clf, texts, _, ddf = small
    got = kd.predict(clf, ddf["text"]).compute(scheduler="sync")
    np.testing.assert_array_equal(got.to_numpy(), clf.predict(texts))
    assert list(got.index) == list(range(1000, 1400))
    proba = kd.predict_proba(clf, ddf["text"]).compute(scheduler="sync")
    assert list(proba.columns) == [str(c) for c in clf.classes_]
    np.testing.assert_allclose(proba.to_numpy(), clf.predict_proba(texts))
    bag = db.from_sequence(texts, npartitions=3)
    assert kd.predict(clf, bag).compute(scheduler="sync") == list(clf.predict(texts))


def test_transform_gives_csr_blocks_equal_to_local(small):
    _, texts, _, ddf = small
    vec = khabar.TextVectorizer(analyzer="char_wb", ngram_range=(2, 3)).fit(texts)
    arr = kd.transform(vec, ddf["text"])
    blocks = [b.compute(scheduler="sync") for b in arr.to_delayed().ravel()]
    import scipy.sparse as sp

    assert all(sp.issparse(b) for b in blocks) and len(blocks) == 4
    whole = sp.vstack(blocks).tocsr()
    assert (whole != vec.transform(texts)).nnz == 0


def test_bad_arguments_are_clear(small):
    clf, _, _, ddf = small
    with pytest.raises(TypeError, match="not a DataFrame"):
        kd.predict(clf, ddf)
    with pytest.raises(TypeError, match="dask Series or a dask Bag"):
        kd.predict(clf, ["a"])
    with pytest.raises(ValueError, match="not fitted"):
        kd.predict(khabar.TopicClassifier(), ddf["text"])
    with pytest.raises(TypeError, match="TopicClassifier"):
        kd.fit(khabar.TextVectorizer(), ddf["text"], ddf["label"])


def test_distributed_fit_on_synthetic_data_matches_local_vocabulary(small):
    clf, texts, labels, ddf = small
    est = khabar.TopicClassifier(max_features=300, random_state=0)
    kd.fit(est, ddf["text"], ddf["label"])
    # the vocabulary is merged from partition counts: identical to local
    assert est.vectorizer_.vocabulary_ == clf.vectorizer_.vocabulary_
    assert est.score(texts, labels) > 0.95
    again = khabar.TopicClassifier.from_bytes(est.to_bytes())
    np.testing.assert_array_equal(again.predict(texts), est.predict(texts))


def read(path: Path) -> pd.DataFrame:
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    return pd.DataFrame({"text": [r["text"] for r in rows], "label": [r["label"] for r in rows]})


@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data/ant_corpus not present")
def test_local_cluster_fit_is_within_two_points_of_single_machine():
    distributed = pytest.importorskip("dask.distributed")
    from khabar.metrics import classification_scores

    train, dev = read(DATA / "train.jsonl.gz"), read(DATA / "dev.jsonl.gz")
    # shuffled before partitioning: parameter averaging assumes partitions
    # drawn from the same distribution
    train = train.sample(frac=1.0, random_state=0).reset_index(drop=True)
    single = khabar.TopicClassifier(random_state=0).fit(train["text"].tolist(), train["label"])
    f1_single = classification_scores(dev["label"], single.predict(dev["text"].tolist()))[
        "macro_f1"
    ]
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster),
    ):
        ddf = dd.from_pandas(train, npartitions=2)
        est = kd.fit(khabar.TopicClassifier(random_state=0), ddf["text"], ddf["label"])
        dev_dd = dd.from_pandas(dev, npartitions=2)
        pred = kd.predict(est, dev_dd["text"]).compute()
    f1_dask = classification_scores(dev["label"], pred.tolist())["macro_f1"]
    print(f"ant_corpus dev macro-F1: single {f1_single:.4f}, dask (2 partitions) {f1_dask:.4f}")
    assert abs(f1_dask - f1_single) <= 0.02

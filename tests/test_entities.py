"""Gazetteer entity recognition: the sample article, exact offsets through
diacritics/tatweel/clitics, user gazetteers, bad input."""

from __future__ import annotations

import json

import khabar as kb
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from khabar.entities import Entity, EntityRecognizer

# The hand annotation of ../shared/samples/README.md (the same article ships
# in the package as the bundled sample).
ANNOTATED = [
    ("بومبيو", "PER"),
    ("الكاظمي", "PER"),
    ("ترمب", "PER"),
    ("مقتدى الصدر", "PER"),
    ("برهم صالح", "PER"),
    ("بغداد", "LOC"),
    ("العراق", "LOC"),
    ("الولايات المتحدة", "LOC"),
    ("إيران", "LOC"),
    ("طهران", "LOC"),
    ("المنطقة الخضراء", "LOC"),
    ("واشنطن بوست", "ORG"),
    ("الخارجية الأميركية", "ORG"),
    ("كتائب حزب الله", "ORG"),
    ("عصائب أهل الحق", "ORG"),
    ("البيت الأبيض", "ORG"),
    ("تويتر", "ORG"),
]


def test_sample_article_finds_most_annotated_entities():
    art = kb.sample_article()
    text = f"{art.headline}\n\n{art.body}"
    found = kb.entities(text)
    assert all(text[e.start : e.end] == e.surface for e in found)
    norm = [(kb.normalize(e.surface), kb.normalize(e.canonical), e.type) for e in found]
    hits = []
    for name, etype in ANNOTATED:
        n = kb.normalize(name)
        ok = any(t == etype and (n in s or n in c or c in n) for s, c, t in norm)
        hits.append(ok)
    missed = [a for a, ok in zip(ANNOTATED, hits, strict=True) if not ok]
    assert sum(hits) / len(hits) >= 0.8, f"missed {missed}"


NAMES = [("بغداد", "LOC"), ("العراق", "LOC"), ("الأمم المتحدة", "ORG"), ("طهران", "LOC")]
DIACRITICS = ["\u064e", "\u064f", "\u0650", "\u0651", "\u0652", "\u0640"]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(NAMES),
    st.sampled_from(["", "و", "ب", "ف", "وب"]),
    st.lists(st.tuples(st.integers(0, 20), st.sampled_from(DIACRITICS)), max_size=4),
    st.sampled_from(["", "قال ", "Mixed English و ", "  \u200f"]),
    st.sampled_from(["", " اليوم", "، ثم", "."]),
)
def test_offsets_are_exact_through_marks_and_clitics(name_type, clitic, marks, before, after):
    name, etype = name_type
    chars = list(name)
    for pos, mark in sorted(marks, reverse=True):
        p = pos % len(chars)
        if chars[p] != " ":
            chars.insert(p + 1, mark)
    decorated = "".join(chars)
    text = f"{before}{clitic}{decorated}{after}"
    found = [e for e in kb.entities(text) if e.type == etype]
    assert found, text
    e = found[0]
    assert text[e.start : e.end] == e.surface
    assert kb.normalize(e.surface).replace("ـ", "") == kb.normalize(name)
    assert e.start == len(before) + len(clitic)


def test_lil_prefix_and_boundaries():
    found = kb.entities("وللعراق علاقات مع البغداديين")
    assert [(e.surface, e.canonical) for e in found if e.type == "LOC"] == [("عراق", "العراق")]


def test_english_names_and_case_sensitive_abbreviations():
    found = kb.entities("The US and the UN met in Baghdad; tell us more.")
    surfaces = [e.surface for e in found]
    assert "US" in surfaces and "UN" in surfaces and "Baghdad" in surfaces
    assert "us" not in surfaces


def test_user_gazetteer_takes_precedence_and_files_load(tmp_path):
    rec = EntityRecognizer(user_gazetteer={"ORG": {"عراقي 24": ["Iraqi 24"]}, "PER": ["بغداد"]})
    found = rec.find("نقل موقع عراقي 24 عن بغداد")
    assert ("عراقي 24", "ORG") in [(e.surface, e.type) for e in found]
    assert ("بغداد", "PER") in [(e.surface, e.type) for e in found]
    tsv = tmp_path / "g.tsv"
    tsv.write_text("ORG\tشركة الخبر\tAl Khabar Co\n", encoding="utf-8")
    assert EntityRecognizer(builtin=False, user_gazetteer=tsv).find("شركة الخبر")[0].type == "ORG"
    js = tmp_path / "g.json"
    js.write_text(json.dumps({"LOC": ["قرية النخيل"]}, ensure_ascii=False), encoding="utf-8")
    assert len(EntityRecognizer(builtin=False, user_gazetteer=js).find("في قرية النخيل")) == 1


def test_types_filter_batch_and_threads():
    texts = ["بومبيو في بغداد", "", "الأمم المتحدة"] * 20
    rec = EntityRecognizer(types=["LOC"], n_jobs=2)
    batch = rec.find_batch(texts)
    assert batch == [rec.find(t) for t in texts]
    assert all(e.type == "LOC" for row in batch for e in row)
    assert isinstance(batch[0][0], Entity)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [
        ({"user_gazetteer": {"PLACE": ["x"]}}, ValueError, "PLACE"),
        ({"user_gazetteer": ["x"]}, TypeError, "user_gazetteer"),
        ({"user_gazetteer": "/nonexistent/g.tsv"}, FileNotFoundError, "not found"),
        ({"types": ["CITY"]}, ValueError, "CITY"),
        ({"user_gazetteer": {"PER": ["a\tb"]}}, ValueError, "tabs"),
    ],
)
def test_bad_configuration_is_a_clear_error(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        EntityRecognizer(**kwargs)


def test_bad_text_is_a_clear_error():
    with pytest.raises(TypeError, match="str"):
        kb.entities(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="surrogate"):
        kb.entities("بغداد \ud800")
    with pytest.raises(TypeError, match=r"texts\[1\]"):
        EntityRecognizer().find_batch(["بغداد", b"x"])
    assert kb.entities("") == []


def test_entity_counter_counts_types_and_entities():
    docs = ["بومبيو في بغداد وبغداد", "طهران", "نص بلا أسماء"]
    ec = kb.EntityCounter(per_entity=True, min_df=1)
    X = ec.fit_transform(docs)
    names = ec.get_feature_names_out().tolist()
    assert names[:4] == ["PER", "LOC", "ORG", "MISC"]
    assert X.shape == (3, len(names))
    row = dict(zip(names, X.toarray()[0], strict=True))
    assert row["PER"] == 1 and row["LOC"] == 2 and row["LOC=بغداد"] == 2
    assert X[2].nnz == 0
    # min_df drops entities seen in too few documents
    ec2 = kb.EntityCounter(per_entity=True, min_df=2).fit([*docs, "بغداد"])
    assert [n for n in ec2.get_feature_names_out() if "=" in n] == ["LOC=بغداد"]
    # per 100 tokens: 2 LOC mentions in a 4-token text -> 50
    per = kb.EntityCounter(normalize="per_100_tokens").fit(docs).transform(docs[:1])
    assert per.toarray()[0, 1] == pytest.approx(50.0)


def test_entity_counter_in_a_pipeline_and_pickled():
    import pickle

    from sklearn.pipeline import make_pipeline

    docs = ["بومبيو في بغداد", "الكاظمي في طهران", "المنتخب يفوز", "الفريق يتأهل"] * 5
    labels = ["politics", "politics", "sport", "sport"] * 5
    pipe = make_pipeline(kb.EntityCounter(), kb.LinearClassifier(C=10)).fit(docs, labels)
    assert pipe.predict(["ترمب في بغداد", "المنتخب يتأهل"]).tolist() == ["politics", "sport"]
    back = pickle.loads(pickle.dumps(pipe))
    assert back.predict(docs).tolist() == pipe.predict(docs).tolist()


def test_entity_counter_bad_parameters():
    with pytest.raises(ValueError, match="types"):
        kb.EntityCounter(types=["CITY"]).fit(["x"])
    with pytest.raises(ValueError, match="normalize"):
        kb.EntityCounter(normalize="l2").fit(["x"])
    with pytest.raises(kb.NotFittedError):
        kb.EntityCounter().transform(["x"])
    with pytest.raises(ValueError, match="empty"):
        kb.EntityCounter().fit([])


@pytest.mark.parametrize(
    "text, expected",
    [
        ("وصل يوم الخميس 12 جانفي 2020", [("يوم الخميس 12 جانفي 2020", "DATE")]),
        ("في كانون الثاني 2020", [("كانون الثاني 2020", "DATE")]),
        ("On March 3, 2020 it rose", [("March 3, 2020", "DATE")]),
        ("بتاريخ 12/03/2021", [("12/03/2021", "DATE")]),
        ("ارتفع 3.5% و٧٠ في المئة", [("3.5%", "PERCENT"), ("٧٠ في المئة", "PERCENT")]),
        ("بقيمة 2 مليار دولار و$5 million", [("2 مليار دولار", "MONEY"), ("$5 million", "MONEY")]),
        ("العدد 1,000,000 وx1 وabc123", [("1,000,000", "NUMBER")]),
    ],
)
def test_patterns(text, expected):
    got = [(e.surface, e.type) for e in kb.entities(text) if e.type in ALL_PATTERN_TYPES]
    assert got == expected


ALL_PATTERN_TYPES = ("DATE", "MONEY", "PERCENT", "NUMBER")


def test_patterns_merge_with_names_and_fold_digits():
    found = kb.entities("قال بومبيو في بغداد يوم ٣ يناير ٢٠٢٠")
    assert [e.type for e in found] == ["PER", "LOC", "DATE"]
    assert found[-1].canonical == "3 يناير 2020"
    assert all(
        e.type not in ALL_PATTERN_TYPES for e in EntityRecognizer(patterns=False).find("في 2020")
    )


def test_read_conll(tmp_path, data_dir):
    from khabar.datasets import read_conll

    sents, tags = read_conll(data_dir / "anercorp" / "train.clean.conll", tag_map={"PERS": "PER"})
    assert len(sents) == len(tags) > 3000
    assert all(len(s) == len(t) for s, t in zip(sents, tags, strict=True))
    flat = {t for row in tags for t in row}
    assert "B-PER" in flat and "B-PERS" not in flat and "B-LOC" in flat
    bad = tmp_path / "bad.conll"
    bad.write_text("word B-PER\nword BAD-TAG\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.conll:2"):
        read_conll(bad)
    with pytest.raises(FileNotFoundError):
        read_conll(tmp_path / "missing.conll")

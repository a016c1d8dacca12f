"""Normalisation and tokenisation: khabar.normalize, Normalizer, tokenize,
tokenize_with_offsets, stop_words."""

from __future__ import annotations

import re

import khabar as kb
import pytest
from sklearn.pipeline import Pipeline, make_pipeline

DIACRITISED = "الْعَرَبِيَّةُ"  # al-ʿarabiyyatu, with fatha/sukun/kasra/shadda/damma


def only(option: str, **extra: bool) -> kb.Normalizer:
    """A normaliser with just one step switched on."""
    return kb.Normalizer(preset="none", **{option: True, **extra})


# -- the default "arabic" preset ------------------------------------------


def test_default_preset_config():
    cfg = kb.Normalizer().get_config()
    assert set(cfg) == set(kb.NORMALIZER_OPTIONS)
    assert cfg["fold_teh_marbuta"] is False
    assert all(v is True for k, v in cfg.items() if k != "fold_teh_marbuta")
    none = kb.Normalizer(preset="none").get_config()
    assert set(none) == set(kb.NORMALIZER_OPTIONS)
    assert not any(none.values())


def test_get_config_reflects_overrides():
    cfg = kb.Normalizer(remove_diacritics=False, fold_teh_marbuta=True).get_config()
    assert cfg["remove_diacritics"] is False
    assert cfg["fold_teh_marbuta"] is True
    assert cfg["fold_alef"] is True
    cfg = kb.Normalizer(preset="none", fold_yeh=True).get_config()
    assert [k for k, v in cfg.items() if v] == ["fold_yeh"]
    # Changing a parameter after construction is seen (no stale cache).
    n = kb.Normalizer()
    assert n("إلى") == "الي"
    n.set_params(fold_alef=False)
    assert n.get_config()["fold_alef"] is False
    assert n("إلى") == "إلي"


def test_normalize_examples():
    assert kb.normalize(DIACRITISED) == "العربية"
    assert kb.normalize("الْعَرَبِيَّةُ أحمد ١٢٣") == "العربية احمد 123"
    assert kb.normalize("أَهْلاً   بِكُمْ") == "اهلا بكم"
    assert kb.Normalizer()("إلى مدرسةٍ") == "الي مدرسة"


# -- one option at a time ----------------------------------------------------


def test_remove_diacritics():
    n = only("remove_diacritics")
    assert n(DIACRITISED) == "العربية"
    # tanween, shadda, sukun, superscript alef, Quranic small high marks
    assert n("كتابٌ مدرسةً كتابٍ") == "كتاب مدرسة كتاب"
    assert n("محمّد") == "محمد"
    assert n("هٰذا") == "هذا"
    assert n("الرَّحْمٰنِ") == "الرحمن"
    # other letters untouched
    assert n("أإآ ىة ـ ١") == "أإآ ىة ـ ١"
    assert kb.Normalizer(remove_diacritics=False)(DIACRITISED) == DIACRITISED


def test_remove_tatweel():
    n = only("remove_tatweel")
    assert n("كتـــاب الـعـربـيـة") == "كتاب العربية"
    assert kb.Normalizer(remove_tatweel=False)("كتـــاب") == "كتـــاب"


def test_fold_alef():
    n = only("fold_alef")
    assert n("أحمد إسلام آمن ٱلله") == "احمد اسلام امن الله"
    # ى and ة are not alefs
    assert n("مستشفى مدرسة") == "مستشفى مدرسة"
    assert kb.Normalizer(fold_alef=False)("أحمد") == "أحمد"


def test_fold_yeh():
    n = only("fold_yeh")
    assert n("مستشفى") == "مستشفي"
    assert n("فارسی") == "فارسي"  # Persian yeh U+06CC
    assert kb.normalize("على") == "علي"
    assert kb.Normalizer(fold_yeh=False)("على") == "على"


def test_fold_teh_marbuta_off_by_default_on_when_asked():
    assert kb.normalize("مدرسة") == "مدرسة"
    assert kb.Normalizer()("مدرسة") == "مدرسة"
    assert kb.Normalizer(fold_teh_marbuta=True)("مدرسة") == "مدرسه"
    assert only("fold_teh_marbuta")("الْعَرَبِيَّةُ") == "الْعَرَبِيَّهُ"
    assert kb.normalize("مدرسة", {"fold_teh_marbuta": True}) == "مدرسه"


def test_fold_digits_arabic_indic_and_persian():
    n = only("fold_digits")
    assert n("٠١٢٣٤٥٦٧٨٩") == "0123456789"
    assert n("۰۱۲۳۴۵۶۷۸۹") == "0123456789"
    assert n("١٢٣٫٥ و ١٬٠٠٠") == "123.5 و 1,000"
    assert kb.normalize("عام ٢٠٢٤") == "عام 2024"
    assert kb.Normalizer(fold_digits=False)("٢٠٢٤") == "٢٠٢٤"


def test_nfkc_presentation_forms_and_compatibility():
    n = only("nfkc")
    assert n("\ufefb") == "لا"  # lam-alef ligature, isolated form
    assert n("ﻣﺤﻤﺪ") == "محمد"  # presentation forms
    assert n("ＡＢＣ１２３") == "ABC123"  # full width
    assert n("ﬁ") == "fi"
    assert n("e\u0301") == "é"  # composition
    assert kb.normalize("\ufefb") == "لا"
    assert kb.Normalizer(nfkc=False)("\ufefb") == "\ufefb"


def test_lowercase_latin_greek_cyrillic():
    n = only("lowercase")
    assert n("Hello WORLD") == "hello world"
    assert n("ΑΒΓ ΔΈΛΤΑ") == "αβγ δέλτα"
    assert n("ДОМ Москва") == "дом москва"
    assert n("ÀÉÎ") == "àéî"
    assert n("بغداد") == "بغداد"  # Arabic has no case
    assert kb.Normalizer(lowercase=False)("Hello") == "Hello"


def test_collapse_whitespace():
    n = only("collapse_whitespace")
    assert n("  a \t\n b\u3000\u00a0c  ") == "a b c"
    assert n("\n\n") == ""
    assert n("a\r\nb") == "a b"
    assert kb.Normalizer(collapse_whitespace=False)(" a  b ") == " a  b "


def test_remove_controls():
    n = only("remove_controls")
    # bidi marks and embeddings, ZWJ, ZWNJ, BOM, soft hyphen are removed
    assert n("\u200fمرحبا\u200e") == "مرحبا"
    assert n("a\u200db\u200cc\ufeffd\u00ade") == "abcde"
    assert n("\u202bنص\u202c \u2067x\u2069") == "نص x"
    # a zero-width space becomes a space
    assert n("a\u200bb") == "a b"
    assert kb.normalize("a\u200bb") == "a b"
    assert kb.Normalizer(remove_controls=False)("a\u200db") == "a\u200db"


def test_preset_none_is_identity():
    n = kb.Normalizer(preset="none")
    samples = [
        DIACRITISED,
        "  Hello\tWORLD  ",
        "كتـــاب أإآ ى ة ١٢٣ ۴۵۶ \ufefb \u200f\u200d",
        "😀 👨\u200d👩\u200d👧",
        "",
    ]
    for s in samples:
        assert n(s) == s
        assert kb.normalize(s, None) == s
        assert kb.normalize(s, "none") == s
    assert n.transform(samples) == samples


def test_idempotent_on_examples():
    for s in [DIACRITISED, "  Hello\tWORLD  ", "كتـــاب أإآ ى \ufefb ١٢٣ ﷺ", "İSTANBUL"]:
        once = kb.normalize(s)
        assert kb.normalize(once) == once


def test_unknown_preset_and_option_errors():
    with pytest.raises(ValueError, match="preset"):
        kb.Normalizer(preset="bogus").get_config()
    with pytest.raises(ValueError, match="preset"):
        kb.normalize("x", "bogus")
    with pytest.raises(TypeError):
        kb.Normalizer(bogus=True)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="bogus"):
        kb.normalize("x", {"bogus": True})
    with pytest.raises(TypeError, match="fold_alef"):
        kb.Normalizer(fold_alef="yes").get_config()
    with pytest.raises(TypeError, match="normalizer"):
        kb.normalize("x", 42)
    with pytest.raises(TypeError, match="str"):
        kb.normalize(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        kb.Normalizer("arabic")  # type: ignore[misc]  # keyword-only


# -- Normalizer as a scikit-learn transformer ---------------------------------


def test_normalizer_fit_transform_returns_list():
    n = kb.Normalizer()
    assert n.fit(["x"]) is n
    assert n.fit() is n
    out = n.transform(["إلى", "  A  B ", DIACRITISED])
    assert isinstance(out, list)
    assert out == ["الي", "a b", "العربية"]
    assert n.fit_transform(("إلى",)) == ["الي"]
    with pytest.raises(TypeError, match="wrap it in a list"):
        n.transform("إلى")
    with pytest.raises(TypeError, match=r"\[1\]"):
        n.transform(["ok", None])


def test_normalizer_parallel_equals_serial():
    docs = [f"{DIACRITISED} رقم ١٢٣ كتـــاب {i}" for i in range(3000)]
    serial = kb.Normalizer(n_jobs=1).transform(docs)
    assert kb.Normalizer(n_jobs=2).transform(docs) == serial
    assert serial == [kb.normalize(d) for d in docs]


def test_normalizer_in_pipeline():
    pipe = Pipeline([("norm", kb.Normalizer(fold_teh_marbuta=True))])
    assert pipe.fit_transform(["مدرسةٌ  إلى", "ABC"]) == ["مدرسه الي", "abc"]
    assert pipe.transform(["ى"]) == ["ي"]
    pipe = make_pipeline(kb.Normalizer(fold_teh_marbuta=True), kb.TextVectorizer(normalizer=None))
    pipe.fit(["مدرسة إلى", "مدرسه"])
    assert pipe[-1].get_feature_names_out().tolist() == ["الي", "مدرسه"]


# -- tokenize ------------------------------------------------------------------


def test_diacritised_word_is_one_token():
    assert kb.tokenize(DIACRITISED) == [DIACRITISED]
    assert kb.tokenize(DIACRITISED, normalizer="arabic") == ["العربية"]
    assert kb.tokenize("الْعَرَبِيَّةُ، لغة جميلة!") == [DIACRITISED, "لغة", "جميلة"]


def test_sklearn_default_token_pattern_splits_diacritised_words():
    """Documents the bug khabar fixes: sklearn's default ``(?u)\\b\\w\\w+\\b``
    treats Arabic combining marks as word boundaries and mangles the word."""
    from sklearn.feature_extraction.text import CountVectorizer

    sk_tokens = re.findall(r"(?u)\b\w\w+\b", DIACRITISED)
    # only the article "ال" survives; the rest is cut into 1-letter pieces
    assert sk_tokens == ["ال"]
    assert CountVectorizer().fit([DIACRITISED]).vocabulary_ == {"ال": 0}
    assert kb.TextVectorizer(normalizer=None).fit([DIACRITISED]).vocabulary_ == {DIACRITISED: 0}


def test_arabic_punctuation_is_split_off():
    text = "قال، نعم؛ لماذا؟ حسنا."
    assert kb.tokenize(text) == ["قال", "نعم", "لماذا", "حسنا"]
    assert kb.tokenize(text, keep_punct=True) == ["قال", "،", "نعم", "؛", "لماذا", "؟", "حسنا", "."]


def test_numbers_urls_emails_mentions_hashtags_are_single_tokens():
    text = "RT @AJArabic: 1,000.5 دولار https://t.co/x?a=1 mail me@example.com #بغداد_الآن 3.14"
    assert kb.tokenize(text) == [
        "RT",
        "@AJArabic",
        "1,000.5",
        "دولار",
        "https://t.co/x?a=1",
        "mail",
        "me@example.com",
        "#بغداد_الآن",
        "3.14",
    ]
    kinds = {tok: kind for tok, _s, _e, kind in kb.tokenize_with_offsets(text)}
    assert kinds["@AJArabic"] == "mention"
    assert kinds["1,000.5"] == "number"
    assert kinds["https://t.co/x?a=1"] == "url"
    assert kinds["me@example.com"] == "email"
    assert kinds["#بغداد_الآن"] == "hashtag"
    assert kinds["دولار"] == "word"


def test_url_trailing_punctuation_not_part_of_url():
    toks = kb.tokenize_with_offsets("see https://a.b/c?d=1, then", keep_punct=True)
    assert ("https://a.b/c?d=1", 4, 21, "url") in toks
    assert (",", 21, 22, "punct") in toks


def test_split_hashtags():
    assert kb.tokenize("#عاجل_بغداد") == ["#عاجل_بغداد"]
    assert kb.tokenize("#عاجل_بغداد", split_hashtags=True) == ["عاجل", "بغداد"]
    assert kb.tokenize("خبر #BreakingNews_Today", split_hashtags=True) == [
        "خبر",
        "BreakingNews",
        "Today",
    ]


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("والكتاب", ["و+", "ال+", "كتاب"]),
        ("للعراق", ["ل+", "ال+", "عراق"]),
        ("بالمدرسة", ["ب+", "ال+", "مدرسة"]),
    ],
)
def test_segment_clitics(word, expected):
    assert kb.tokenize(word, segment_clitics=True) == expected
    assert kb.tokenize(word) == [word]


def test_mixed_arabic_latin():
    assert kb.tokenize("زار Pompeo بغداد مع Trump") == ["زار", "Pompeo", "بغداد", "مع", "Trump"]
    assert kb.tokenize("Mixed English و عربي text", normalizer="arabic") == [
        "mixed",
        "english",
        "و",
        "عربي",
        "text",
    ]


def test_tokenize_rejects_non_str():
    with pytest.raises(TypeError):
        kb.tokenize(None)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        kb.tokenize(["a"])  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        kb.tokenize_with_offsets(b"a")  # type: ignore[arg-type]


def test_lone_surrogate_in_text_functions_raises_value_error():
    # UnicodeEncodeError is a ValueError; the message names the surrogate.
    for fn in (kb.normalize, kb.tokenize, kb.tokenize_with_offsets):
        with pytest.raises(ValueError, match="surrogate"):
            fn("a\ud800b")


# -- tokenize_with_offsets -----------------------------------------------------

OFFSET_TEXTS = [
    DIACRITISED + " لغة",
    "كتـــاب الـعـربـيـة، جميل!",
    "Mixed English و عربي text 123 @user #tag_x",
    "emoji 😀 and family 👨\u200d👩\u200d👧 flag 🇸🇦 done",
    "e\u0301te\u0301 \u200fمرحبا\u200e ok",
    "RT @AJA: 5 قتلى https://t.co/x me@x.org ١٢٣",
    "\U0001d54f\U0001d550 𝔘𝔫𝔦 astral",
]


@pytest.mark.parametrize("keep_punct", [False, True])
@pytest.mark.parametrize("text", OFFSET_TEXTS)
def test_offsets_are_exact(text, keep_punct):
    toks = kb.tokenize_with_offsets(text, keep_punct=keep_punct)
    assert toks
    prev_end = 0
    for tok, start, end, kind in toks:
        assert text[start:end] == tok
        assert start >= prev_end and end > start
        assert kind in {"word", "number", "url", "email", "mention", "hashtag", "punct", "symbol"}
        prev_end = end
    assert [t[0] for t in toks] == kb.tokenize(text, keep_punct=keep_punct)


def test_offsets_example_from_docs():
    assert kb.tokenize_with_offsets("RT @AJA: 5 قتلى") == [
        ("RT", 0, 2, "word"),
        ("@AJA", 3, 7, "mention"),
        ("5", 9, 10, "number"),
        ("قتلى", 11, 15, "word"),
    ]


def test_offsets_are_code_point_offsets_for_astral_chars():
    text = "😀 بغداد"
    toks = kb.tokenize_with_offsets(text)
    assert ("بغداد", 2, 7, "word") in toks


# -- stop words ---------------------------------------------------------------


def test_stop_words_lists():
    ar = kb.stop_words("arabic")
    en = kb.stop_words("english")
    assert len(ar) > 50 and len(en) > 50
    assert "في" in ar and "من" in ar
    assert "the" in en and "and" in en
    assert all(isinstance(w, str) and w for w in ar + en)
    assert "بغداد" not in ar
    # a fresh list each call: mutating it must not affect the library
    ar.append("بغداد")
    assert "بغداد" not in kb.stop_words("arabic")
    with pytest.raises(ValueError):
        kb.stop_words("klingon")


def test_sample_article():
    art = kb.sample_article()
    assert art.headline.startswith("بومبيو")
    assert len(art.body) > 200
    toks = kb.tokenize(art.headline + "\n" + art.body, normalizer="arabic")
    assert "بومبيو" in toks and "بغداد" in toks

"""Regenerate the fuzz targets' committed seeds (fuzz/seeds/<target>/).

    python3 fuzz/gen_seeds.py

Text targets get a few hand-picked inputs (diacritics, presentation forms,
controls, URLs, hashtags, mixed scripts, clitics); `model_load` gets tiny
model files written by the installed khabar package, each whole (to test
the envelope) and as a bare payload (the target adds a valid header, so
mutations reach the decoder). Keep the total small: these are starting
points, not a corpus.
"""

import os
import struct
import tempfile
import warnings

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
HEADER_LEN = 24

TEXTS = [
    "بومبيو يهدد بإغلاق السفارة في بغداد.. ويورّط الكاظمي",
    "اللغة الْعَرَبِيَّةُ جميلة، العـــربية؛ لماذا؟ نعم.",
    "RT @AJArabic: عاجل #بغداد_الآن https://t.co/xY1?a=b. a.b@c.org!",
    "عام ٢٠٢٠ و۱۴۰۰ و٣٫٥ 1,000.5 و3.5% 12/05/2020 10:30.",
    "\ufee3\ufea4\ufee4\ufeaa \ufefb \u0627\u0654 \u0623\u0654 \ufdfa",
    "  Hello\t\tWORLD  ΑΘΗΝΑ Москва\n İstanbul ß ﬁ",
    "\u200fبغداد\u200e a\u200bb \ufeffx\u00ady \u200d\u200c",
    "قال Trump إن «الاتفاق» 👍🏽 مهم 👨\u200d👩\u200d👧",
    "والكتاب للعراق بالنسبة كتابها وبغداد وللعراقِ والولايات المتحدة الأمريكية",
    "the US and the UN in Baghdad; U.S. troops, tell us",
    "e\u0301 a\u0316\u0301 \u0301x \x1c\x1f\x85\xa0\u3000\u2028",
]
GAZETTEER = (
    "PER\tبومبيو\tمايك بومبيو|Pompeo\nLOC\tالعراق\tIraq|عراق\nLOC\tبغداد\tBaghdad\n"
    "LOC\tالولايات المتحدة\tUS|U.S.|United States\nORG\tالأمم المتحدة\tUN\n"
)
ARABIC = 0x3BF  # normaliser bits: every switch but fold_teh_marbuta


def write(target: str, name: str, data: bytes) -> None:
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def text_seeds() -> None:
    for i, t in enumerate(TEXTS):
        b = t.encode()
        bits = [ARABIC, 0x3FF, 0x000, 0x155, 0x2AA][i % 5]
        write("normalize", f"text{i:02}", struct.pack("<H", bits) + b)
        write("tokenize", f"text{i:02}", bytes([i % 8]) + b)
        gaz = GAZETTEER if i % 2 == 0 else ""
        write("entities", f"text{i:02}", bytes([i * 29 & 0xFF]) + gaz.encode() + b"\0" + b)
    # ngrams: six header bytes (see fuzz_targets/ngrams.rs), NUL-separated docs
    for i in range(0, len(TEXTS) - 1, 2):
        head = bytes([0b111 | (i << 3) & 0xF8, 0x12, 0x21 + i, i * 37 & 0xFF])
        docs = "\0".join(TEXTS[i : i + 3]).encode()
        write("ngrams", f"docs{i:02}", head + struct.pack("<H", ARABIC) + docs)


def model_seeds() -> None:
    warnings.filterwarnings("ignore")
    import khabar as kb

    docs = [
        "بومبيو يهدد بإغلاق السفارة في بغداد",
        "الكاظمي يلتقي بومبيو في واشنطن",
        "Trump and Pompeo in Baghdad",
        "السفارة الأميركية في بغداد",
    ]
    y = ["a", "b", "a", "b"]
    pairs = [(docs[0], docs[3]), (docs[1], docs[2]), (docs[2], docs[0]), (docs[3], docs[1])]
    stances = ["agree", "disagree", "discuss", "unrelated"]
    X = kb.TextVectorizer().fit_transform(docs)
    tags = [["B-PER", "O", "O", "O", "O", "B-LOC"], ["B-PER", "O", "B-PER", "O", "B-LOC"]]
    models = {
        "hashing": kb.HashingVectorizer(
            analyzer=[("word", (1, 2)), ("char_wb", (2, 3))], stop_words=["في"]
        ).fit([]),
        "text_vectorizer": kb.TextVectorizer(analyzer=[("word", (1, 2)), ("char", (2, 2))]).fit(
            docs[:2]
        ),
        "text_vectorizer_wb": kb.TextVectorizer(
            analyzer="char_wb", ngram_range=(2, 3), stop_words="arabic"
        ).fit(docs[:1]),
        "linear": kb.LinearClassifier().fit(X, y),
        "nb": kb.MultinomialNB().fit(X, y),
        "topic": kb.TopicClassifier().fit(docs, y),
        "tagger": kb.EntityTagger(gazetteer=False, cues=False, n_iter=2).fit(
            [d.split() for d in docs[:2]], tags
        ),
        "pair_features": kb.StancePairFeatures(entities=False).fit(pairs),
        "stance": kb.StanceClassifier(
            entities=False, hidden_layer_size=2, max_iter=2, max_features=20
        ).fit(pairs, stances),
        "stance_linear": kb.StanceClassifier(model="linear", entities=False, max_features=10).fit(
            pairs, stances
        ),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for name, model in models.items():
            path = os.path.join(tmp, name)
            model.save(path)
            with open(path, "rb") as f:
                data = f.read()
            write("model_load", f"{name}.khabar", data)
            write("model_load", f"{name}.payload", data[HEADER_LEN:])


if __name__ == "__main__":
    text_seeds()
    model_seeds()

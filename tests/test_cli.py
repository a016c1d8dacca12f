"""The command line: `python -m khabar` as a shell user runs it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "khabar", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_demo_runs_on_the_bundled_sample():
    r = _run("demo", "--top", "5")
    assert r.returncode == 0, r.stderr
    assert "بومبيو" in r.stdout  # the headline and top features mention Pompeo
    assert "TextVectorizer" in r.stdout
    assert len(r.stdout.splitlines()) > 5
    # entities grouped by type, with canonical names
    per = next(line for line in r.stdout.splitlines() if line.strip().startswith("PER"))
    assert "مايك بومبيو" in per and "مصطفى الكاظمي" in per
    # the bundled topic model classifies the article (a US-Iraq diplomacy story)
    topic = next(line for line in r.stdout.splitlines() if line.startswith("topic"))
    assert topic.split(": ", 1)[1].startswith("internationalNews")
    stance = next(line for line in r.stdout.splitlines() if line.startswith("stance"))
    assert stance.split(": ", 1)[1].split()[0] in {"agree", "discuss"}


def test_version_flag():
    r = _run("--version")
    assert r.returncode == 0
    assert r.stdout.startswith("khabar ")


def test_closed_pipe_is_not_a_traceback():
    # Close our end of stdout before the child writes anything: its first
    # print meets EPIPE, as with `khabar demo | head -1`.
    p = subprocess.Popen(
        [sys.executable, "-m", "khabar", "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.close()
    err = p.stderr.read()
    assert p.wait(timeout=120) == 0, err
    assert "Traceback" not in err


def test_unknown_command_is_a_usage_error():
    r = _run("bogus")
    assert r.returncode == 2
    assert "usage" in r.stderr.lower()
    assert "Traceback" not in r.stderr


def _run_in(stdin: str | bytes, *args: str) -> subprocess.CompletedProcess[bytes]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    return subprocess.run(
        [sys.executable, "-m", "khabar", *args], input=data, capture_output=True, timeout=120
    )


def test_predict_plain_text_from_stdin_keeps_order():
    r = _run_in(
        "فاز الفريق بالمباراة النهائية للدوري\nارتفعت أسعار النفط\n",
        "predict",
        "--model",
        "topic-ar",
    )
    assert r.returncode == 0, r.stderr.decode()
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert rows[0]["label"] == "sport" and len(rows) == 2
    assert abs(sum(rows[0]["proba"].values()) - 1) < 1e-3 and "id" not in rows[0]


def test_predict_jsonl_keeps_ids_and_csv_output(tmp_path):
    path = tmp_path / "in.jsonl"
    recs = [{"id": i, "body": f"Shares fell sharply on Wall Street {i}"} for i in range(5)]
    path.write_text("\n".join(json.dumps(r) for r in recs) + "\n", encoding="utf-8")
    r = _run_in(b"", "predict", "--model", "topic-en", str(path), "--text-field", "body",
                "--batch-size", "2")  # fmt: skip
    assert r.returncode == 0, r.stderr.decode()
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert [row["id"] for row in rows] == list(range(5))
    assert {row["label"] for row in rows} == {"business"}
    r = _run_in(b"", "predict", "--model", "topic-en", str(path), "--text-field", "body",
                "--format", "csv")  # fmt: skip
    lines = r.stdout.decode().splitlines()
    assert lines[0].startswith("id,label,proba_business") and lines[1].startswith("0,business,")


def test_predict_with_a_saved_stance_model_on_csv_pairs(tmp_path):
    import khabar as kb

    heads = ["بومبيو يهدد بإغلاق السفارة", "الحكومة ترفع أسعار الوقود", "الرئيس يزور باريس"]
    other = ["فاز الفريق بالمباراة أمس", "أمطار غزيرة في الشمال", "افتتاح معرض للكتاب"]
    pairs, y = [], []
    for h, o in zip(heads, other, strict=True):
        pairs += [(h, "نفى مسؤول أن " + h), (h, o)]
        y += ["disagree", "unrelated"]
    model = tmp_path / "stance.khabar"
    kb.StanceClassifier().fit(pairs * 5, y * 5).save(model)
    data = tmp_path / "pairs.csv"
    data.write_text(
        "id,claim,text\n1,الكاظمي يزور واشنطن,نفى مكتب الكاظمي أنه يزور واشنطن\n"
        "2,الكاظمي يزور واشنطن,ارتفاع درجات الحرارة في الصيف\n",
        encoding="utf-8",
    )
    r = _run_in(b"", "predict", "--model", str(model), str(data),
                "--headline-field", "claim", "--body-field", "text")  # fmt: skip
    assert r.returncode == 0, r.stderr.decode()
    labels = [json.loads(line)["label"] for line in r.stdout.decode().splitlines()]
    assert labels == ["disagree", "unrelated"]
    r = _run_in("a line\n", "predict", "--model", str(model))
    assert r.returncode == 1 and b"headline/body pairs" in r.stderr


def test_entities_and_info():
    r = _run_in(
        '{"id": "a", "text": "وصل بومبيو إلى بغداد"}\n', "entities", "--input-format", "jsonl"
    )
    assert r.returncode == 0, r.stderr.decode()
    row = json.loads(r.stdout.decode())
    assert row["id"] == "a"
    assert [(e["surface"], e["type"]) for e in row["entities"]] == [
        ("بومبيو", "PER"),
        ("بغداد", "LOC"),
    ]
    r = _run_in(b"", "info", "ner-ar")
    out = r.stdout.decode()
    assert r.returncode == 0 and "EntityTagger" in out and "GPL-3.0" in out


@pytest.mark.parametrize(
    ("stdin", "args", "message"),
    [
        (b"\xff\xfe\n", ("predict", "--model", "topic-ar"), "line 1: not valid UTF-8"),
        (b'{"txt": "x"}\n', ("predict", "--model", "topic-ar", "--input-format", "jsonl"),
         "line 1: no field 'text'"),
        (b'{"text": 5}\n', ("entities", "--input-format", "jsonl"), "field 'text' is int"),
        (b"[1]\n", ("entities", "--input-format", "jsonl"), "expected a JSON object"),
        (b"x\n", ("predict", "--model", "no-such-model"), "neither a bundled model"),
        (b"", ("predict", "--model", "topic-ar", "/no/such/file.txt"), "input file not found"),
        (b"", ("info", "/no/such/model.khabar"), "no bundled model or file"),
    ],
)  # fmt: skip
def test_cli_errors_name_the_place(stdin, args, message):
    r = _run_in(stdin, *args)
    assert r.returncode == 1
    assert message in r.stderr.decode() and b"Traceback" not in r.stderr


def test_predict_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    path = tmp_path / "in.parquet"
    table = pa.table(
        {"id": [1, 2], "text": ["The striker scored twice", "Parliament passed the bill"]}
    )
    pq.write_table(table, path)
    r = _run_in(b"", "predict", "--model", "topic-en", str(path))
    assert r.returncode == 0, r.stderr.decode()
    rows = [json.loads(line) for line in r.stdout.decode().splitlines()]
    assert [(row["id"], row["label"]) for row in rows] == [(1, "sport"), (2, "politics")]


def test_train_then_evaluate_topic_and_ner(tmp_path):
    import gzip

    rows = [{"text": f"the match ended {i} goals to nil", "label": "sport"} for i in range(6)]
    rows += [
        {"text": f"shares and markets fell {i} percent", "label": "business"} for i in range(6)
    ]
    data = tmp_path / "train.jsonl.gz"  # gzip is read transparently
    with gzip.open(data, "wt", encoding="utf-8") as f:
        f.write("\n".join(json.dumps(r) for r in rows) + "\n")
    model = tmp_path / "topic.khabar"
    r = _run_in(
        b"", "train", "--task", "topic", "--train", str(data), "--dev", str(data), "-o", str(model)
    )
    assert r.returncode == 0, r.stderr.decode()
    assert b"fitted in" in r.stderr and model.is_file()
    assert "macro-F1 1.0000" in r.stdout.decode()
    r = _run_in(b"", "evaluate", "--model", str(model), "--data", str(data))
    assert r.returncode == 0 and "confusion" in r.stdout.decode()
    conll = tmp_path / "ner.conll"
    conll.write_text(("قال O\nأحمد B-PERS\nفي O\nبغداد B-LOC\n\n" * 5), encoding="utf-8")
    ner = tmp_path / "ner.khabar"
    r = _run_in(b"", "train", "--task", "ner", "--train", str(conll), "-o", str(ner),
                "--tag-map", "PERS=PER")  # fmt: skip
    assert r.returncode == 0, r.stderr.decode()
    r = _run_in(b"", "evaluate", "--model", str(ner), "--data", str(conll), "--tag-map", "PERS=PER")
    assert "micro" in r.stdout.decode() and "PER" in r.stdout.decode()
    bad = tmp_path / "nolabel.jsonl"
    bad.write_text('{"text": "x"}\n', encoding="utf-8")
    r = _run_in(b"", "train", "--task", "topic", "--train", str(bad), "-o", str(tmp_path / "m"))
    assert r.returncode == 1 and b"line 1: no label in field 'label'" in r.stderr

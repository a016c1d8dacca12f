#!/usr/bin/env python
"""Benchmark khabar's vectorizers against scikit-learn on real Arabic news text.

The corpus is every Arabic text in the shared data dir (ANT corpus title + body,
ASND posts and Arabic FC stance bodies; train and dev splits), exactly
deduplicated.

Speed: for each case one worker subprocess (this script with the hidden
``--paired`` flag) loads the corpus, warms every variant up once, then times
them taking turns: ``--runs`` rounds of scikit-learn, khabar and khabar without
its normaliser (one call each, the order rotating), then ``--pairs`` rounds of
khabar with ``n_jobs=1`` and ``n_jobs=2``. A ratio is the median of the
per-round ratios and a speed the median of its calls. This VM's speed drifts by
10-20% over minutes, so variants timed minutes apart (one process each, as
this script did before) gave ratios that moved by as much between runs; taking
turns cancels the drift.

Memory: each (case, variant) runs in its own fresh worker subprocess (hidden
``--worker`` flag) that makes one call, the first in the process: the parent
samples the worker's resident set size from ``/proc/<pid>/statm`` every 5 ms
and reports the peak increase over the RSS the worker measured right before
the call (the output matrix is included). The worker's own ``ru_maxrss``
increase is recorded in the JSON as a cross-check.

Examples::

    python scripts/bench_vectorize.py --quick            # smoke run, 2000 docs
    python scripts/bench_vectorize.py --runs 3 --json bench.json
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
QUICK_DOCS = 2000
SAMPLE_INTERVAL_S = 0.005
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
MEMORY_METHOD = (
    "peak RSS increase over the baseline taken right before the call, sampled every 5 ms "
    "from /proc/<pid>/statm by the parent while a fresh worker subprocess makes its first "
    "(warm-up) call; output matrix included"
)

# (source dir, field builder) for the Arabic corpora.
SOURCES: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("ant_corpus", lambda r: f"{r['title']}\n{r['text']}"),
    ("asnd", lambda r: r["text"]),
    ("arabic_fc_stance", lambda r: r["body"]),
]
SPLITS = ("train", "dev")

# Benchmark cases: name -> (description, khabar kind, khabar kwargs, sklearn kind, sklearn
# kwargs, speed target for khabar n_jobs=1 / sklearn).
CASES: dict[str, dict[str, Any]] = {
    "hash_word": {
        "title": "HashingVectorizer word (1,2) transform",
        "khabar": ("HashingVectorizer", {"ngram_range": (1, 2)}),
        "sklearn": ("HashingVectorizer", {"ngram_range": (1, 2)}),
        "target": 15.0,
    },
    "tfidf_word": {
        "title": "TextVectorizer word (1,2) fit_transform",
        "khabar": ("TextVectorizer", {"ngram_range": (1, 2)}),
        "sklearn": ("TfidfVectorizer", {"ngram_range": (1, 2)}),
        "target": 10.0,
    },
    "tfidf_char_wb": {
        "title": "TextVectorizer char_wb (2,5) fit_transform",
        "khabar": ("TextVectorizer", {"analyzer": "char_wb", "ngram_range": (2, 5)}),
        "sklearn": ("TfidfVectorizer", {"analyzer": "char_wb", "ngram_range": (2, 5)}),
        "target": 20.0,
    },
}
PARALLEL_TARGET = 1.7
MEMORY_TARGET = 1.0  # khabar peak / sklearn peak must not exceed this


# ---------------------------------------------------------------------------
# corpus
# ---------------------------------------------------------------------------
def resolve_data_dir(arg: str | None) -> Path:
    if arg:
        return Path(arg)
    env = os.environ.get("KHABAR_DATA_DIR")
    if env:
        return Path(env)
    return DEFAULT_DATA_DIR


def load_corpus(data_dir: Path, repeat: int = 1, quick: bool = False) -> list[str]:
    """All Arabic texts, exactly deduplicated (first occurrence kept), in a fixed order."""
    if not data_dir.is_dir():
        raise SystemExit(
            f"error: data dir {data_dir} does not exist; pass --data-dir or set KHABAR_DATA_DIR "
            "to the folder holding ant_corpus/, asnd/ and arabic_fc_stance/"
        )
    missing = [
        str(data_dir / name / f"{split}.jsonl.gz")
        for name, _ in SOURCES
        for split in SPLITS
        if not (data_dir / name / f"{split}.jsonl.gz").is_file()
    ]
    if missing:
        raise SystemExit("error: missing data file(s): " + ", ".join(missing))
    docs: list[str] = []
    for name, build in SOURCES:
        for split in SPLITS:
            with gzip.open(data_dir / name / f"{split}.jsonl.gz", "rt", encoding="utf-8") as f:
                for line in f:
                    if line.strip():
                        docs.append(build(json.loads(line)))
    docs = list(dict.fromkeys(docs))
    if quick and len(docs) > QUICK_DOCS:
        keep = sorted(random.Random(20240607).sample(range(len(docs)), QUICK_DOCS))
        docs = [docs[i] for i in keep]
    return docs * max(1, repeat)


def corpus_mb(docs: list[str]) -> float:
    return sum(len(d.encode("utf-8")) for d in docs) / 1e6


# ---------------------------------------------------------------------------
# worker side
# ---------------------------------------------------------------------------
def make_call(impl: str, case: str, normalizer: str | None, n_jobs: int) -> Callable[[list], Any]:
    spec = CASES[case]
    if impl == "khabar":
        import khabar

        kind, kwargs = spec["khabar"]
        cls = getattr(khabar, kind)
        kw = {**kwargs, "n_jobs": n_jobs, "normalizer": normalizer}
        if kind == "HashingVectorizer":
            return lambda docs: cls(**kw).transform(docs)
        return lambda docs: cls(**kw).fit_transform(docs)
    from sklearn.feature_extraction import text as sktext

    kind, kwargs = spec["sklearn"]
    cls = getattr(sktext, kind)
    if kind == "HashingVectorizer":
        return lambda docs: cls(**kwargs).transform(docs)
    return lambda docs: cls(**kwargs).fit_transform(docs)


def core_build_id() -> str:
    """Identify the installed khabar extension (it may be rebuilt while benchmarking)."""
    import hashlib

    import khabar._core as core

    path = Path(core.__file__)
    st = path.stat()
    digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    mtime = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(st.st_mtime))
    return f"{path.name} sha256:{digest} mtime {mtime} size {st.st_size}"


def current_rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE_SIZE


def cpu_seconds() -> float:
    """User + system CPU time of this process, all threads."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "unknown"


def maxrss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def run_worker(args: argparse.Namespace) -> None:
    """Protocol on stdout/stdin: READY <rss> -> (GO) -> WARM <info> -> RESULT <json>."""
    normalizer = None if args.normalizer == "none" else args.normalizer
    docs = load_corpus(resolve_data_dir(args.data_dir), args.repeat, args.quick)
    call = make_call(args.impl, args.worker, normalizer, args.n_jobs)
    gc.collect()
    base_rss, base_maxrss = current_rss(), maxrss_bytes()
    print(f"READY {base_rss}", flush=True)
    if sys.stdin.readline().strip() != "GO":
        raise SystemExit("worker: expected GO")
    t0 = time.perf_counter()
    X = call(docs)
    warm_s = time.perf_counter() - t0
    info = {
        "core_build": core_build_id() if args.impl == "khabar" else None,
        "warmup_s": warm_s,
        "maxrss_delta_bytes": max(0, maxrss_bytes() - base_maxrss),
        "shape": list(X.shape),
        "nnz": int(X.nnz),
    }
    print("WARM " + json.dumps(info), flush=True)
    del X
    gc.collect()
    times, cpu_times = [], []
    for _ in range(args.runs):
        c0 = cpu_seconds()
        t0 = time.perf_counter()
        X = call(docs)
        times.append(time.perf_counter() - t0)
        cpu_times.append(cpu_seconds() - c0)
        del X
        gc.collect()
    print("RESULT " + json.dumps({**info, "times_s": times, "cpu_s": cpu_times}), flush=True)


def timed(call: Callable[[list], Any], docs: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of one call; its output is freed before returning."""
    c0 = cpu_seconds()
    t0 = time.perf_counter()
    X = call(docs)
    wall = time.perf_counter() - t0
    cpu = cpu_seconds() - c0
    del X
    gc.collect()
    return wall, cpu


def run_paired(args: argparse.Namespace) -> None:
    """Time a case's variants taking turns in one process; RESULT <json> on stdout.

    Variants: sklearn, khabar/arabic/n1, khabar/none/n1 (``--runs`` rounds,
    the order rotating each round), then khabar/arabic/n1 and n2 (``--pairs``
    rounds, alternating which goes first) unless ``--no-parallel``.
    """
    case = args.paired
    docs = load_corpus(resolve_data_dir(args.data_dir), args.repeat, args.quick)
    variants = {
        "sklearn": make_call("sklearn", case, None, 1),
        "khabar/arabic/n1": make_call("khabar", case, "arabic", 1),
        "khabar/none/n1": make_call("khabar", case, None, 1),
    }
    if not args.no_parallel:
        variants["khabar/arabic/n2"] = make_call("khabar", case, "arabic", 2)
    out: dict[str, Any] = {name: {"times_s": [], "cpu_s": []} for name in variants}
    for call in variants.values():  # warm-up
        timed(call, docs)

    def record(name: str) -> float:
        wall, cpu = timed(variants[name], docs)
        out[name]["times_s"].append(wall)
        out[name]["cpu_s"].append(cpu)
        return wall

    single = ["sklearn", "khabar/arabic/n1", "khabar/none/n1"]
    vs_sklearn: dict[str, list[float]] = {"khabar/arabic/n1": [], "khabar/none/n1": []}
    for r in range(args.runs):
        order = single[r % 3 :] + single[: r % 3]
        t = {name: record(name) for name in order}
        for name in vs_sklearn:
            vs_sklearn[name].append(t["sklearn"] / t[name])
    scaling: list[float] = []
    if not args.no_parallel:
        for r in range(args.pairs):
            order = ["khabar/arabic/n1", "khabar/arabic/n2"][:: 1 if r % 2 == 0 else -1]
            t = {name: record(name) for name in order}
            scaling.append(t["khabar/arabic/n1"] / t["khabar/arabic/n2"])
    result = {
        "core_build": core_build_id(),
        "variants": out,
        "ratio_vs_sklearn": vs_sklearn,
        "ratio_n2_vs_n1": scaling,
    }
    print("RESULT " + json.dumps(result), flush=True)


# ---------------------------------------------------------------------------
# parent side
# ---------------------------------------------------------------------------
class RssSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.path = f"/proc/{pid}/statm"
        self.peak = 0
        self.stop_event = threading.Event()

    def sample(self) -> None:
        try:
            with open(self.path) as f:
                rss = int(f.read().split()[1]) * PAGE_SIZE
        except (OSError, ValueError, IndexError):
            return
        self.peak = max(self.peak, rss)

    def run(self) -> None:
        while not self.stop_event.is_set():
            self.sample()
            self.stop_event.wait(SAMPLE_INTERVAL_S)
        self.sample()


def spawn_worker(
    args: argparse.Namespace, case: str, impl: str, normalizer: str, n_jobs: int
) -> dict[str, Any]:
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--worker", case,
        "--impl", impl,
        "--normalizer", normalizer,
        "--n-jobs", str(n_jobs),
        "--runs", "0",
        "--repeat", str(args.repeat),
        "--data-dir", str(resolve_data_dir(args.data_dir)),
    ]  # fmt: skip
    if args.quick:
        cmd.append("--quick")
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        line = proc.stdout.readline()
        if not line.startswith("READY "):
            raise RuntimeError(f"worker {case}/{impl} failed to start: {line!r}")
        base_rss = int(line.split()[1])
        sampler = RssSampler(proc.pid)
        sampler.peak = base_rss
        sampler.start()
        proc.stdin.write("GO\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        sampler.stop_event.set()
        sampler.join()
        if not line.startswith("WARM "):
            raise RuntimeError(f"worker {case}/{impl} failed during warm-up: {line!r}")
        line = proc.stdout.readline()
        if not line.startswith("RESULT "):
            raise RuntimeError(f"worker {case}/{impl} failed during timed runs: {line!r}")
        res: dict[str, Any] = json.loads(line[len("RESULT ") :])
    finally:
        proc.stdin.close()
        proc.wait()
    res["peak_bytes"] = max(0, sampler.peak - base_rss)
    res["baseline_rss_bytes"] = base_rss
    return res


def spawn_paired(args: argparse.Namespace, case: str) -> dict[str, Any]:
    """Run the taking-turns timing worker of one case (see ``run_paired``)."""
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--paired", case,
        "--runs", str(args.runs),
        "--pairs", str(args.pairs),
        "--repeat", str(args.repeat),
        "--data-dir", str(resolve_data_dir(args.data_dir)),
    ]  # fmt: skip
    if args.quick:
        cmd.append("--quick")
    if args.no_parallel:
        cmd.append("--no-parallel")
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=False)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"timing worker for {case} failed (exit {proc.returncode})")
    res: dict[str, Any] = json.loads(lines[-1][len("RESULT ") :])
    return res


def machine_facts() -> dict[str, Any]:
    import khabar
    import numpy
    import scipy
    import sklearn

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu_model": cpu,
        "cpu_count": os.cpu_count(),
        "usable_cores": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "sklearn": sklearn.__version__,
        "khabar": khabar.__version__,
        "khabar_core_build": core_build_id(),
        "loadavg_at_start": loadavg(),
        "KHABAR_NUM_THREADS": os.environ.get("KHABAR_NUM_THREADS"),
        "OPENBLAS_CORETYPE": os.environ.get("OPENBLAS_CORETYPE"),
    }


def fmt_mb(b: float) -> str:
    return f"{b / 1e6:.1f}"


def run_parent(args: argparse.Namespace) -> int:
    data_dir = resolve_data_dir(args.data_dir)
    docs = load_corpus(data_dir, args.repeat, args.quick)
    mb = corpus_mb(docs)
    n_docs = len(docs)
    del docs
    facts = machine_facts()
    print("## Machine")
    for k, v in facts.items():
        print(f"- {k}: {v}")
    print()
    print("## Corpus")
    print(f"- data dir: {data_dir}")
    print(
        f"- {n_docs} docs, {mb:.2f} MB of UTF-8 (repeat={args.repeat}, "
        f"quick={args.quick}; ant_corpus title+text, asnd text, arabic_fc_stance body; "
        "train+dev; exact dedupe)"
    )
    print(
        f"- timing: one process per case, every variant warmed up once, then taking turns: "
        f"{args.runs} rounds of sklearn / khabar / khabar normalizer=None, "
        f"{args.pairs} rounds of khabar n_jobs=1 / n_jobs=2; ratio = median of per-round ratios"
    )
    print(f"- memory: {MEMORY_METHOD}")
    print(
        "- settings: khabar n_jobs=1 unless stated; khabar's default normalizer='arabic' does "
        "NFKC + lowercase + diacritic/tatweel removal + alef/yeh/digit folding, which sklearn "
        "does not do; normalizer=None rows show khabar without it; sklearn runs with its "
        "defaults (lowercase=True is on, token_pattern r'(?u)\\b\\w\\w+\\b')"
    )
    load1 = (
        float(facts["loadavg_at_start"].split()[0]) if facts["loadavg_at_start"][0].isdigit() else 0
    )
    if load1 > 0.5:
        print(
            f"- WARNING: load average is {facts['loadavg_at_start']} before starting: other "
            "processes compete for the CPU, so wall-clock speeds (and n_jobs=2 scaling above "
            "all) are noisy; see the CPU-time table below"
        )
    print(flush=True)

    runs: dict[str, dict[str, Any]] = {}
    ratios: dict[str, dict[str, list[float]]] = {}

    def memory(key: str, case: str, impl: str, normalizer: str, n_jobs: int) -> None:
        t0 = time.perf_counter()
        res = spawn_worker(args, case, impl, normalizer, n_jobs)
        res.update(case=case, impl=impl, normalizer=normalizer, n_jobs=n_jobs)
        runs[key] = res
        print(
            f"[{time.perf_counter() - t0:6.1f}s] {key:42s} first call "
            f"{res['warmup_s']:8.3f}s  peak +{fmt_mb(res['peak_bytes'])} MB  "
            f"shape {tuple(res['shape'])} nnz {res['nnz']}",
            file=sys.stderr,
            flush=True,
        )

    for case in args.cases:
        memory(f"{case}/sklearn", case, "sklearn", "default", 1)
        memory(f"{case}/khabar/arabic/n1", case, "khabar", "arabic", 1)
        memory(f"{case}/khabar/none/n1", case, "khabar", "none", 1)
        if not args.no_parallel:
            memory(f"{case}/khabar/arabic/n2", case, "khabar", "arabic", 2)
        t0 = time.perf_counter()
        paired = spawn_paired(args, case)
        ratios[case] = {
            "vs_sklearn_arabic": paired["ratio_vs_sklearn"]["khabar/arabic/n1"],
            "vs_sklearn_none": paired["ratio_vs_sklearn"]["khabar/none/n1"],
            "n2_vs_n1": paired["ratio_n2_vs_n1"],
        }
        for variant, t in paired["variants"].items():
            res = runs[f"{case}/{variant}"]
            res.update(t)
            res["core_build_timed"] = paired["core_build"]
            res["median_s"] = statistics.median(t["times_s"])
            res["median_cpu_s"] = statistics.median(t["cpu_s"])
            res["mb_per_s"] = mb / res["median_s"]
            res["cpu_mb_per_s"] = mb / max(res["median_cpu_s"], 1e-9)
            print(
                f"[{time.perf_counter() - t0:6.1f}s] {case}/{variant:28s} median "
                f"{res['median_s']:8.3f}s {res['mb_per_s']:8.2f} MB/s "
                f"(cpu {res['median_cpu_s']:.3f}s, {len(t['times_s'])} calls taking turns)",
                file=sys.stderr,
                flush=True,
            )

    rows: list[dict[str, Any]] = []

    def add_row(
        name: str, a: dict, b: dict, ratio: float, target: str, ok: bool, speeds: bool = True
    ) -> None:
        rows.append(
            {
                "case": name,
                "khabar_mb_s": a["mb_per_s"] if speeds else None,
                "baseline_mb_s": b["mb_per_s"] if speeds else None,
                "ratio": ratio,
                "target": target,
                "pass": ok,
                "peak_mb_khabar": a["peak_bytes"] / 1e6,
                "peak_mb_baseline": b["peak_bytes"] / 1e6,
            }
        )

    n = 0
    for case in args.cases:
        n += 1
        spec = CASES[case]
        sk = runs[f"{case}/sklearn"]
        for norm in ("arabic", "none"):
            kh = runs[f"{case}/khabar/{norm}/n1"]
            ratio = statistics.median(ratios[case][f"vs_sklearn_{norm}"])
            label = "normalizer='arabic' (default)" if norm == "arabic" else "normalizer=None"
            add_row(
                f"{n}. {spec['title']}, {label}",
                kh,
                sk,
                ratio,
                f">= {spec['target']:g}x",
                ratio >= spec["target"],
            )
    if not args.no_parallel:
        for case in args.cases:
            k1, k2 = runs[f"{case}/khabar/arabic/n1"], runs[f"{case}/khabar/arabic/n2"]
            ratio = statistics.median(ratios[case]["n2_vs_n1"])
            add_row(
                f"4. parallel: {CASES[case]['title']}, n_jobs=2 vs n_jobs=1 "
                "(baseline = khabar n_jobs=1)",
                k2,
                k1,
                ratio,
                f">= {PARALLEL_TARGET:g}x",
                ratio >= PARALLEL_TARGET,
            )
    for case in args.cases:
        sk = runs[f"{case}/sklearn"]
        for norm in ("arabic", "none"):
            kh = runs[f"{case}/khabar/{norm}/n1"]
            ratio = kh["peak_bytes"] / max(sk["peak_bytes"], 1)
            label = "normalizer='arabic'" if norm == "arabic" else "normalizer=None"
            add_row(
                f"5. peak memory: {CASES[case]['title']}, {label} (ratio = khabar/sklearn peak)",
                kh,
                sk,
                ratio,
                f"<= {MEMORY_TARGET:g}x",
                ratio <= MEMORY_TARGET,
                speeds=False,
            )

    print("## Results")
    print()
    print(
        "| case | khabar MB/s | sklearn MB/s | ratio | target | pass/fail "
        "| peak MB khabar | peak MB sklearn |"
    )
    print("|---|---:|---:|---:|---|---|---:|---:|")

    def speed(v: float | None) -> str:
        return "-" if v is None else f"{v:.2f}"

    for r in rows:
        print(
            f"| {r['case']} | {speed(r['khabar_mb_s'])} | {speed(r['baseline_mb_s'])} "
            f"| {r['ratio']:.2f}x | {r['target']} | {'PASS' if r['pass'] else 'FAIL'} "
            f"| {r['peak_mb_khabar']:.1f} | {r['peak_mb_baseline']:.1f} |"
        )
    print()
    print(
        "Ratios are medians of per-round ratios, the variants taking turns in one process "
        f"({args.runs} rounds against sklearn, {args.pairs} rounds of n_jobs=2 against "
        "n_jobs=1); MB/s are medians of the same calls. Row 4 compares khabar n_jobs=2 "
        "(khabar column) with khabar n_jobs=1 (sklearn column); row 5's ratio is khabar "
        "peak / sklearn peak (lower is better), each measured on the first call in a fresh "
        "process."
    )
    builds = {r[k] for r in runs.values() for k in ("core_build", "core_build_timed") if r.get(k)}
    builds.add(facts["khabar_core_build"])
    if len(builds) > 1:
        print(
            "WARNING: the khabar extension changed during the run (rebuilt?); rows mix builds: "
            + "; ".join(sorted(builds))
        )
    failed = [r["case"] for r in rows if not r["pass"]]
    print(f"{len(rows) - len(failed)}/{len(rows)} targets met.")
    print()
    print("### Single-thread CPU time (user+sys of the worker; robust to other load)")
    print()
    print(
        "| case | khabar CPU MB/s | sklearn CPU MB/s | ratio | wall/CPU khabar | wall/CPU sklearn |"
    )
    print("|---|---:|---:|---:|---:|---:|")
    for case in args.cases:
        sk = runs[f"{case}/sklearn"]
        for norm in ("arabic", "none"):
            kh = runs[f"{case}/khabar/{norm}/n1"]
            print(
                f"| {CASES[case]['title']}, normalizer={norm} | {kh['cpu_mb_per_s']:.2f} "
                f"| {sk['cpu_mb_per_s']:.2f} | {kh['cpu_mb_per_s'] / sk['cpu_mb_per_s']:.2f}x "
                f"| {kh['median_s'] / kh['median_cpu_s']:.2f} "
                f"| {sk['median_s'] / sk['median_cpu_s']:.2f} |"
            )
    print()
    print(f"load average at end: {loadavg()} (a wall/CPU ratio above ~1.05 means contention)")
    if args.json:
        out = {
            "machine": facts,
            "corpus": {
                "data_dir": str(data_dir),
                "docs": n_docs,
                "mb_utf8": mb,
                "repeat": args.repeat,
                "quick": args.quick,
            },
            "settings": {
                "runs": args.runs,
                "pairs": args.pairs,
                "warmup": 1,
                "memory_method": MEMORY_METHOD,
            },
            "measurements": runs,
            "round_ratios": ratios,
            "rows": rows,
        }
        Path(args.json).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {args.json}")
    return 0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--data-dir", help=f"data folder (env KHABAR_DATA_DIR; default {DEFAULT_DATA_DIR})"
    )
    p.add_argument(
        "--runs", type=int, default=3, help="rounds against sklearn, after one warm-up (>= 1)"
    )
    p.add_argument(
        "--pairs", type=int, default=8, help="rounds of n_jobs=1 against n_jobs=2 (>= 1)"
    )
    p.add_argument("--repeat", type=int, default=1, help="grow the corpus by repeating it N times")
    p.add_argument("--quick", action="store_true", help=f"smoke run on a {QUICK_DOCS}-doc subset")
    p.add_argument("--json", metavar="PATH", help="write machine-readable results here")
    p.add_argument(
        "--cases", nargs="+", choices=list(CASES), default=list(CASES), help="cases to run"
    )
    p.add_argument("--no-parallel", action="store_true", help="skip the n_jobs=2 runs")
    # Hidden worker mode.
    p.add_argument("--worker", choices=list(CASES), help=argparse.SUPPRESS)
    p.add_argument("--paired", choices=list(CASES), help=argparse.SUPPRESS)
    p.add_argument("--impl", choices=["khabar", "sklearn"], help=argparse.SUPPRESS)
    p.add_argument("--normalizer", default="arabic", help=argparse.SUPPRESS)
    p.add_argument("--n-jobs", type=int, default=1, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    # Memory workers are spawned with --runs 0 (their one call is the warm-up).
    if args.runs < (0 if args.worker else 1):
        p.error("--runs must be >= 1")
    if args.pairs < 1:
        p.error("--pairs must be >= 1")
    if args.repeat < 1:
        p.error("--repeat must be >= 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker:
        run_worker(args)
        return 0
    if args.paired:
        run_paired(args)
        return 0
    return run_parent(args)


if __name__ == "__main__":
    sys.exit(main())

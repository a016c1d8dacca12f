"""The command line: `python -m khabar` as a shell user runs it."""

from __future__ import annotations

import subprocess
import sys


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

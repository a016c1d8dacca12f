"""Shared fixtures for the khabar test suite.

The evaluation data lives outside the repository, in ``../shared/data``
relative to the repository root (override with ``KHABAR_DATA_DIR``). Tests
that need it skip cleanly when it is absent.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from _util import data_dir_path, read_records, record_text


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The dataset directory; skips the test when it is not available."""
    d = data_dir_path()
    if not d.is_dir():
        pytest.skip(
            f"khabar evaluation data not found at {d} "
            "(set KHABAR_DATA_DIR to the shared/data directory)"
        )
    return d


@pytest.fixture(scope="session")
def read_texts(data_dir: Path) -> Callable[..., list[str]]:
    """``read_texts(dataset, split, n)`` -> the first ``n`` texts (title + "\\n" + text)."""
    cache: dict[tuple[str, str, int | None], list[str]] = {}

    def _read(dataset: str, split: str = "dev", n: int | None = 300) -> list[str]:
        key = (dataset, split, n)
        if key not in cache:
            cache[key] = [record_text(r) for r in read_records(data_dir, dataset, split, n)]
        return list(cache[key])

    return _read


@pytest.fixture(scope="session")
def read_labelled(data_dir: Path) -> Callable[..., tuple[list[str], list[str]]]:
    """``read_labelled(dataset, split, n)`` -> (texts, labels) of ``n`` documents
    spread evenly over the whole split (the files are sorted by label, so the
    first ``n`` rows would often hold a single class)."""
    cache: dict[tuple[str, str], list[dict]] = {}

    def _read(dataset: str, split: str = "dev", n: int = 300):
        if (dataset, split) not in cache:
            cache[dataset, split] = read_records(data_dir, dataset, split)
        recs = cache[dataset, split]
        if n < len(recs):
            recs = [recs[i * len(recs) // n] for i in range(n)]
        return [record_text(r) for r in recs], [r["label"] for r in recs]

    return _read


@pytest.fixture(scope="session")
def bbc_dev(read_texts) -> list[str]:
    """First 120 BBC News dev articles (English, long)."""
    return read_texts("bbc_news", "dev", 120)


@pytest.fixture(scope="session")
def ant_dev(read_texts) -> list[str]:
    """First 400 ANT Corpus dev articles (Arabic)."""
    return read_texts("ant_corpus", "dev", 400)

"""Helpers shared by the test modules (imported as ``_util``)."""

from __future__ import annotations

import gzip
import itertools
import json
import os
from pathlib import Path

import numpy as np
import pytest
import scipy.sparse as sp

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"

#: Hand-written documents with awkward whitespace, diacritics, tatweel,
#: mixed scripts, punctuation and emoji; appended to the real data in
#: parity tests.
TRICKY_DOCS: list[str] = [
    "a\tb  c\n\nd",
    "  leading and trailing spaces  ",
    "tab\tseparated\tvalues\tand\ttabs",
    "الْعَرَبِيَّةُ  لُغَةٌ\tجَمِيلَةٌ\n\nجداً",
    "كتـــاب الـعـربـيـة، هل قرأته؟ نعم؛ قرأته.",
    "بومبيو يهدد بإغلاق السفارة في بغداد.. ويورّط الكاظمي",
    "RT @AJArabic: عاجل #بغداد_الآن https://t.co/abc 1,000.5 دولار",
    "Mixed English و عربي text\r\nwith CRLF and ١٢٣ digits 😀 👨\u200d👩\u200d👧",
    "e\u0301te\u0301 café naïve",
    "",
]


def data_dir_path() -> Path:
    """Where the datasets are expected (may not exist)."""
    env = os.environ.get("KHABAR_DATA_DIR")
    return Path(env) if env else DEFAULT_DATA_DIR


def _split_file(data_dir: Path, dataset: str, split: str) -> Path:
    path = data_dir / dataset / f"{split}.jsonl.gz"
    if not path.is_file():
        pytest.skip(f"dataset file {path} is not available")
    return path


def read_records(data_dir: Path, dataset: str, split: str, n: int | None = None) -> list[dict]:
    """The first ``n`` JSON records of ``dataset/split.jsonl.gz`` (skip if absent)."""
    path = _split_file(data_dir, dataset, split)
    with gzip.open(path, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in itertools.islice(f, n)]


def record_text(rec: dict) -> str:
    """``title + "\\n" + text`` where a title exists, else ``text``."""
    title = rec.get("title")
    return f"{title}\n{rec['text']}" if title else rec["text"]


# -- helpers -------------------------------------------------------------


def assert_valid_csr(X: sp.spmatrix, n_rows: int, n_cols: int | None = None) -> None:
    """Structural validity of a CSR matrix as returned by khabar."""
    assert sp.issparse(X) and X.format == "csr"
    assert X.shape[0] == n_rows
    if n_cols is not None:
        assert X.shape[1] == n_cols
    indptr, indices, data = X.indptr, X.indices, X.data
    assert len(indptr) == n_rows + 1
    assert indptr[0] == 0 and indptr[-1] == len(indices) == len(data)
    assert np.all(np.diff(indptr) >= 0)
    if len(indices):
        assert indices.min() >= 0 and indices.max() < X.shape[1]
    for i in range(n_rows):
        row = indices[indptr[i] : indptr[i + 1]]
        assert np.all(np.diff(row) > 0), f"row {i}: column indices not strictly increasing"
    assert np.all(np.isfinite(data))


def assert_csr_identical(A: sp.spmatrix, B: sp.spmatrix) -> None:
    """Bit-for-bit equality of two CSR matrices (data, indices, indptr)."""
    assert A.shape == B.shape
    assert A.dtype == B.dtype
    np.testing.assert_array_equal(A.indptr, B.indptr)
    np.testing.assert_array_equal(A.indices, B.indices)
    np.testing.assert_array_equal(A.data, B.data)


def max_abs_diff(A: sp.spmatrix, B: sp.spmatrix) -> float:
    assert A.shape == B.shape, (A.shape, B.shape)
    D = abs(sp.csr_matrix(A, dtype=np.float64) - sp.csr_matrix(B, dtype=np.float64))
    return float(D.max()) if D.nnz else 0.0

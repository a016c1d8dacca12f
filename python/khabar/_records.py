"""Streaming record readers for the command line: plain text (one document
per line), JSONL, CSV/TSV and Parquet, read in batches so a large input
runs in bounded memory. Errors name the line (or row) and say what to do.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

FORMATS = ("text", "jsonl", "csv", "tsv", "parquet")


class InputError(ValueError):
    """Bad input for a command-line job (the message names where)."""


def detect_format(path: str | None, fmt: str | None) -> str:
    """The input format: given, from the file extension, else text."""
    if fmt:
        return fmt
    if path in (None, "-"):
        return "text"
    p = Path(path)
    suffix = (p.with_suffix("") if p.suffix.lower() == ".gz" else p).suffix.lower()
    return {
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".json": "jsonl",
        ".csv": "csv",
        ".tsv": "tsv",
        ".parquet": "parquet",
    }.get(suffix, "text")


def _lines(stream: IO[bytes], where: str) -> Iterator[tuple[int, str]]:
    for n, raw in enumerate(stream, 1):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(
                f"{where}, line {n}: not valid UTF-8 (byte {e.start}); convert the file first, "
                "e.g. iconv -f WINDOWS-1256 -t UTF-8"
            ) from None
        yield n, line.rstrip("\r\n")


def _open_binary(path: str | None) -> tuple[IO[bytes], str]:
    if path in (None, "-"):
        return sys.stdin.buffer, "stdin"
    p = Path(path)
    if not p.is_file():
        raise InputError(f"input file not found: {p}")
    if p.suffix.lower() == ".gz":  # gzip-compressed input is read as it streams
        return gzip.open(p, "rb"), str(p)  # type: ignore[return-value]
    return p.open("rb"), str(p)


def records(path: str | None, fmt: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, record)`` for every input record, streamed; ``where`` is
    e.g. ``"data.jsonl, line 3"`` for error messages."""
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}; use one of {FORMATS}")
    if fmt == "parquet":
        yield from _parquet(path)
        return
    stream, name = _open_binary(path)
    try:
        if fmt == "text":
            for n, line in _lines(stream, name):
                yield f"{name}, line {n}", {"text": line}
        elif fmt == "jsonl":
            for n, line in _lines(stream, name):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(f"{name}, line {n}: invalid JSON ({e.msg})") from None
                if not isinstance(obj, dict):
                    kind = type(obj).__name__
                    raise InputError(f"{name}, line {n}: expected a JSON object, got {kind}")
                yield f"{name}, line {n}", obj
        else:
            text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
            reader = csv.DictReader(text, delimiter="\t" if fmt == "tsv" else ",")
            try:
                for row in reader:
                    yield f"{name}, row {reader.line_num}", dict(row)
            except UnicodeDecodeError:
                raise InputError(
                    f"{name}, near row {reader.line_num}: not valid UTF-8; convert the file first"
                ) from None
            finally:
                text.detach()
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _parquet(path: str | None) -> Iterator[tuple[str, dict[str, Any]]]:
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise InputError("reading Parquet needs pyarrow: pip install 'khabar[arrow]'") from None
    if path in (None, "-"):
        raise InputError("Parquet input must be a file, not stdin")
    p = Path(path)
    if not p.is_file():
        raise InputError(f"input file not found: {p}")
    row = 0
    for batch in pq.ParquetFile(p).iter_batches(batch_size=4096):
        for rec in batch.to_pylist():
            row += 1
            yield f"{p}, row {row}", rec


def field(where: str, rec: dict[str, Any], name: str) -> str:
    """``rec[name]`` as a str, or an error naming the record."""
    if name not in rec:
        raise InputError(f"{where}: no field {name!r} (fields: {sorted(rec)})")
    value = rec[name]
    if not isinstance(value, str):
        raise InputError(f"{where}: field {name!r} is {type(value).__name__}, expected a string")
    return value


def batched(items: Iterator[Any], size: int) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch

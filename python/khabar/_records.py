"""Streaming record readers for the command line: plain text (one document
per line), JSONL, CSV/TSV and Parquet, read in batches so a large input
runs in bounded memory. Errors name the line (or row) and say what to do.
"""

from __future__ import annotations

import csv
import gzip
import json
import re
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

FORMATS = ("text", "jsonl", "csv", "tsv", "parquet")
_CR = re.compile(r"(?<=\r)(?!\n)")


class InputError(ValueError):
    """Bad input for a command-line job (the message names where)."""


class CleanWhere(str):
    """A record's place for messages (``"data.jsonl, line 3"``) when the
    record cannot hold a lone surrogate: it was decoded from UTF-8 and, for
    JSON, its line has no ``\\u`` escape. :func:`field` then skips its
    surrogate check, a re-encoding of every text (a fifth of reading a
    JSONL file)."""


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


def _raw_lines(stream: IO[bytes], where: str, keep_ends: bool) -> Iterator[tuple[int, str]]:
    """Decoded lines with their numbers. A leading UTF-8 byte-order mark
    (as Windows tools write) is dropped; invalid UTF-8 and a damaged gzip
    stream are errors naming the line."""
    n = 0
    lines = iter(stream)
    while True:
        try:
            raw = next(lines)
        except StopIteration:
            return
        except (OSError, EOFError, zlib.error) as e:  # BadGzipFile is an OSError
            raise InputError(
                f"{where}, after line {n}: the compressed data is damaged or truncated ({e})"
            ) from None
        n += 1
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise InputError(
                f"{where}, line {n}: not valid UTF-8 (byte {e.start}); convert the file first, "
                "e.g. iconv -f WINDOWS-1256 -t UTF-8"
            ) from None
        if n == 1:
            line = line.removeprefix("\ufeff")
        yield n, line if keep_ends else line.rstrip("\r\n")


def _lines(stream: IO[bytes], where: str) -> Iterator[tuple[int, str]]:
    return _raw_lines(stream, where, keep_ends=False)


def _open_binary(path: str | None) -> tuple[IO[bytes], str]:
    if path in (None, "-"):
        return sys.stdin.buffer, "stdin"
    p = Path(path)
    if not p.is_file():
        raise InputError(f"input file not found: {p}")
    if p.suffix.lower() == ".gz":  # gzip-compressed input is read as it streams
        with p.open("rb") as f:
            magic = f.read(2)
        if magic and magic != b"\x1f\x8b":
            raise InputError(f"{p}: not a gzip file (the name ends in .gz); rename or compress it")
        return gzip.open(p, "rb"), str(p)  # type: ignore[return-value]
    return p.open("rb"), str(p)


def records(path: str | None, fmt: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(where, record)`` for every input record, streamed; ``where`` is
    e.g. ``"data.jsonl, line 3"`` for error messages.

    A leading UTF-8 byte-order mark is skipped and CSV/TSV files may end
    lines with LF, CRLF or CR. Invalid UTF-8, malformed CSV, a damaged
    ``.gz`` or an unreadable Parquet file raise :class:`InputError` naming
    the file and line.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown input format {fmt!r}; use one of {FORMATS}")
    if fmt == "parquet":
        yield from _parquet(path)
        return
    stream, name = _open_binary(path)
    try:
        if fmt == "text":
            for n, line in _lines(stream, name):
                yield CleanWhere(f"{name}, line {n}"), {"text": line}
        elif fmt == "jsonl":
            # line ends are JSON whitespace: no copy of the line to strip them
            for n, line in _raw_lines(stream, name, keep_ends=True):
                if not line or line.isspace():
                    continue
                try:
                    obj = json.loads(line)
                except json.JSONDecodeError as e:
                    raise InputError(f"{name}, line {n}: invalid JSON ({e.msg})") from None
                if not isinstance(obj, dict):
                    kind = type(obj).__name__
                    raise InputError(f"{name}, line {n}: expected a JSON object, got {kind}")
                where = f"{name}, line {n}"
                yield (where if "\\u" in line else CleanWhere(where)), obj
        else:
            # decode line by line (the csv module accepts any iterator of
            # lines, quoted newlines included) so that a bad byte is reported
            # with its line number rather than that of a decoded chunk
            decoded = (
                part
                for _, line in _raw_lines(stream, name, keep_ends=True)
                # a lone CR also ends a line (old Mac files), as in Python's
                # universal newlines; CRLF stays one line end
                for part in _CR.split(line)
                if part
            )
            reader = csv.DictReader(decoded, delimiter="\t" if fmt == "tsv" else ",")
            try:
                for row in reader:
                    yield CleanWhere(f"{name}, row {reader.line_num}"), dict(row)
            except csv.Error as e:
                raise InputError(f"{name}, line {reader.line_num}: malformed CSV ({e})") from None
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
    try:
        batches = pq.ParquetFile(p).iter_batches(batch_size=4096)
        for batch in batches:
            for rec in batch.to_pylist():
                row += 1
                yield f"{p}, row {row}", rec
    except (OSError, ValueError) as e:  # pyarrow's ArrowInvalid is a ValueError
        if isinstance(e, InputError):
            raise
        raise InputError(f"{p}: not a readable Parquet file ({e})") from None


def field(where: str, rec: dict[str, Any], name: str) -> str:
    """``rec[name]`` as a str, or an error naming the record."""
    if name not in rec:
        raise InputError(f"{where}: no field {name!r} (fields: {sorted(rec)})")
    value = rec[name]
    if not isinstance(value, str):
        raise InputError(f"{where}: field {name!r} is {type(value).__name__}, expected a string")
    if isinstance(where, CleanWhere):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as e:
        # JSON can spell a lone surrogate ("\\ud800"); it is not text
        raise InputError(
            f"{where}: field {name!r} contains a lone surrogate at character {e.start}, "
            "which is not valid Unicode"
        ) from None
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

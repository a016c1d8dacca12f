"""Reading datasets.

:func:`iter_batches` streams ``(texts, labels)`` batches from JSONL, CSV/TSV
or Parquet files (optionally gzip-compressed) for training on corpora
larger than memory; :func:`read_conll` reads token-per-line entity data.

>>> import io, tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "tiny.conll")
>>> _ = open(path, "w", encoding="utf-8").write("بومبيو B-PER\\nفي O\\nبغداد B-LOC\\n\\nنص O\\n")
>>> sentences, tags = read_conll(path)
>>> sentences
[['بومبيو', 'في', 'بغداد'], ['نص']]
>>> tags
[['B-PER', 'O', 'B-LOC'], ['O']]
"""

from __future__ import annotations

import os
import queue
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from . import _records

_TAG = re.compile(r"^(?:O|[BI]-[A-Za-z]+)$")


def read_conll(
    path: str | os.PathLike[str], *, tag_map: dict[str, str] | None = None
) -> tuple[list[list[str]], list[list[str]]]:
    """Read a CoNLL file: one ``token TAG`` per line (the tag is the last
    whitespace-separated field), a blank line between sentences.

    Returns ``(sentences, tags)``: token lists and IOB2 tag lists. Tags are
    checked (``O``, ``B-X``, ``I-X``); ``tag_map`` renames entity types
    (e.g. ``{"PERS": "PER"}`` for ANERcorp). Errors name the line:
    ``ValueError`` for a malformed line, a bad tag or bytes that are not
    UTF-8 (a leading byte-order mark is skipped); ``TypeError`` for a
    ``path`` or ``tag_map`` of the wrong type.
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    if tag_map is not None and not isinstance(tag_map, Mapping):
        raise TypeError(f"tag_map must be a mapping such as {{'PERS': 'PER'}}, got {tag_map!r}")
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"CoNLL file not found: {path}")
    sentences: list[list[str]] = []
    tags: list[list[str]] = []
    toks: list[str] = []
    tgs: list[str] = []
    with path.open("rb") as f:
        for n, raw_bytes in enumerate(f, 1):
            try:
                raw = raw_bytes.decode("utf-8-sig" if n == 1 else "utf-8")
            except UnicodeDecodeError as e:
                raise ValueError(
                    f"{path}:{n}: not valid UTF-8 (byte {e.start}); convert the file first, "
                    "e.g. iconv -f WINDOWS-1256 -t UTF-8"
                ) from None
            line = raw.rstrip("\r\n")
            if not line.strip():
                if toks:
                    sentences.append(toks)
                    tags.append(tgs)
                    toks, tgs = [], []
                continue
            parts = line.split()
            if len(parts) < 2:
                raise ValueError(f"{path}:{n}: expected 'token TAG', got {line!r}")
            token, tag = " ".join(parts[:-1]), parts[-1]
            if not _TAG.match(tag):
                raise ValueError(f"{path}:{n}: {tag!r} is not an IOB2 tag (O, B-TYPE, I-TYPE)")
            if tag_map and tag != "O":
                prefix, etype = tag.split("-", 1)
                tag = f"{prefix}-{tag_map.get(etype, etype)}"
            toks.append(token)
            tgs.append(tag)
    if toks:
        sentences.append(toks)
        tags.append(tgs)
    return sentences, tags


def iter_batches(
    path: str | os.PathLike[str],
    *,
    text_field: str = "text",
    label_field: str | None = "label",
    batch_size: int = 10_000,
    format: str | None = None,
    read_ahead: bool = True,
) -> Iterator[tuple[list[str], list[Any]]]:
    """Stream ``(texts, labels)`` batches (tuples of two lists) from a file.

    ``format`` is ``"jsonl"``, ``"csv"``, ``"tsv"``, ``"parquet"`` or
    ``"text"`` (one document per line), by default from the extension
    (``.jsonl``/``.ndjson``, ``.csv``, ``.tsv``, ``.parquet``; ``.gz`` is
    decompressed as it streams). ``text_field``/``label_field`` name the
    JSON fields or columns; with ``label_field=None`` the labels are
    ``None``. Errors name the file and line (or row): a missing field, a
    text that is not a string, a missing label, invalid JSON or UTF-8.

    The file is read lazily. With ``read_ahead`` (the default; not for
    ``"-"``, standard input) a background thread reads the next batch while
    you work on the current one: khabar's vectorizers and models release
    the GIL, so reading and training overlap on two cores. Memory then
    holds up to three batches (yours, one waiting, one being read) instead
    of one. The batches and their order are the same either way; an error
    is raised when you reach the batch it is in.

    >>> import json, os, tempfile
    >>> path = os.path.join(tempfile.mkdtemp(), "news.jsonl")
    >>> with open(path, "w", encoding="utf-8") as f:
    ...     for t, y in [("المنتخب يفوز", "sport"), ("البورصة ترتفع", "economy"),
    ...                  ("الفريق يتأهل", "sport")]:
    ...         _ = f.write(json.dumps({"text": t, "label": y}, ensure_ascii=False) + "\\n")
    >>> [labels for _, labels in iter_batches(path, batch_size=2)]
    [['sport', 'economy'], ['sport']]
    """
    from ._stream import check_batch_size

    size = check_batch_size(batch_size)
    p = os.fspath(path)
    if not isinstance(p, str):
        raise TypeError(f"path must be a str or os.PathLike, got {type(path).__name__}")
    fmt = _records.detect_format(p, format)
    if p != "-" and not Path(p).is_file():
        raise FileNotFoundError(f"input file not found: {p}")
    batches = _read_batches(p, fmt, text_field, label_field, size)
    # Not from stdin: a pipe may block for good, and the thread could not
    # be told to stop while it waits for input.
    if read_ahead and p != "-":
        yield from _read_ahead(batches)
    else:
        yield from batches


def _read_batches(
    p: str, fmt: str, text_field: str, label_field: str | None, size: int
) -> Iterator[tuple[list[str], list[Any]]]:
    texts: list[str] = []
    labels: list[Any] = []
    # a bad record raises _records.InputError, a ValueError naming the line
    for where, rec in _records.records(p, fmt):
        texts.append(_records.field(where, rec, text_field))
        if label_field is None:
            labels.append(None)
        else:
            if rec.get(label_field) is None:
                raise _records.InputError(
                    f"{where}: no label in field {label_field!r} (fields: {sorted(rec)})"
                )
            labels.append(rec[label_field])
        if len(texts) >= size:
            yield texts, labels
            texts, labels = [], []
    if texts:
        yield texts, labels


_DONE = object()


def _read_ahead(items: Iterator[Any]) -> Iterator[Any]:
    """Yield ``items`` while a daemon thread produces the next one.

    The thread hands over one item at a time through a queue of one: at
    most one finished item waits while it produces the next. Its exception
    is re-raised here, in order, after the items before it. If the consumer stops early (``break``,
    garbage collection), the thread is told to stop, closes ``items`` (and
    with it the file) and exits.
    """
    handoff: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item: Any) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not offer((item, None)):
                    return
            offer((_DONE, None))
        except BaseException as e:  # handed to the consumer, raised there
            offer((_DONE, e))
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="khabar-read-ahead", daemon=True)
    worker.start()
    try:
        while True:
            item, error = handoff.get()
            if item is _DONE:
                if error is not None:
                    raise error
                return
            yield item
    finally:
        stop.set()
        worker.join()

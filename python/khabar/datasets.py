"""Reading datasets.

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
import re
from pathlib import Path

_TAG = re.compile(r"^(?:O|[BI]-[A-Za-z]+)$")


def read_conll(
    path: str | os.PathLike[str], *, tag_map: dict[str, str] | None = None
) -> tuple[list[list[str]], list[list[str]]]:
    """Read a CoNLL file: one ``token TAG`` per line (the tag is the last
    whitespace-separated field), a blank line between sentences.

    Returns ``(sentences, tags)``: token lists and IOB2 tag lists. Tags are
    checked (``O``, ``B-X``, ``I-X``); ``tag_map`` renames entity types
    (e.g. ``{"PERS": "PER"}`` for ANERcorp). Errors name the line.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"CoNLL file not found: {path}")
    sentences: list[list[str]] = []
    tags: list[list[str]] = []
    toks: list[str] = []
    tgs: list[str] = []
    with path.open(encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
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

"""Named entities from gazetteers: people, places, organisations,
nationalities and titles in Arabic and English news, offline.

>>> import khabar as kb
>>> [(e.surface, e.type, e.canonical) for e in kb.entities("وصل بومبيو إلى بغدادَ أمس")]
[('بومبيو', 'PER', 'مايك بومبيو'), ('بغدادَ', 'LOC', 'بغداد')]

Offsets index the original string (``text[e.start:e.end] == e.surface``),
through diacritics, tatweel and attached clitics («وبغداد» -> «بغداد»).
The built-in lists (``khabar/data/gazetteer.tsv``) were written for khabar
from general knowledge; canonical names are Arabic where one exists, with
English names and other spellings as variants.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

from . import _core
from ._base import as_text_list, check_n_jobs
from .preprocessing import _check_text, _normalizer_config

ENTITY_TYPES = ("PER", "LOC", "ORG", "MISC", "TITLE")


class Entity(NamedTuple):
    """One mention: ``text[start:end] == surface``."""

    start: int
    end: int
    type: str
    surface: str
    canonical: str


def builtin_gazetteer_text() -> str:
    """The built-in gazetteer, as TSV text (``TYPE<TAB>name<TAB>variants``)."""
    return resources.files("khabar").joinpath("data/gazetteer.tsv").read_text("utf-8")


def _user_tsv(user: Any) -> str:
    """Turn a user gazetteer (dict, or a TSV/JSON file path) into TSV text."""
    if user is None:
        return ""
    if isinstance(user, (str, os.PathLike)):
        path = Path(user)
        if not path.is_file():
            raise FileNotFoundError(f"user gazetteer file not found: {path}")
        text = path.read_text("utf-8")
        if path.suffix.lower() == ".json":
            return _user_tsv(json.loads(text))
        return text
    if not isinstance(user, Mapping):
        raise TypeError(
            "user_gazetteer must be a dict {type: [names]} or {type: {name: [variants]}}, "
            f"or a path to a .tsv/.json file; got {type(user).__name__}"
        )
    lines = []
    for etype, names in user.items():
        if not isinstance(etype, str) or etype.upper() not in ENTITY_TYPES:
            raise ValueError(f"user_gazetteer type {etype!r} is not one of {ENTITY_TYPES}")
        items: Iterable[tuple[Any, Any]]
        if isinstance(names, Mapping):
            items = names.items()
        elif isinstance(names, (list, tuple, set)):
            items = ((n, ()) for n in names)
        else:
            raise TypeError(f"user_gazetteer[{etype!r}] must be a list of names or a dict")
        for name, variants in items:
            if not isinstance(name, str) or not name.strip():
                raise ValueError(f"user_gazetteer[{etype!r}] has an invalid name {name!r}")
            if isinstance(variants, str):
                variants = [variants]
            bad = [v for v in variants if not isinstance(v, str)]
            if bad:
                raise ValueError(f"user_gazetteer[{etype!r}][{name!r}] has non-str variants {bad}")
            fields = [name, *variants]
            if any(("\t" in f or "|" in f or "\n" in f) for f in fields):
                raise ValueError(f"names may not contain tabs, '|' or newlines: {fields!r}")
            lines.append(
                f"{etype.upper()}\t{name.strip()}\t{'|'.join(v.strip() for v in variants)}"
            )
    return "\n".join(lines)


class EntityRecognizer:
    """Find entity mentions with the built-in and user gazetteers.

    Parameters
    ----------
    builtin : bool, default True
        Use the built-in Arabic/English lists.
    user_gazetteer : dict, path or None
        ``{"PER": ["name", ...]}``, ``{"ORG": {"canonical": ["variant", ...]}}``,
        or a ``.tsv`` (``TYPE<TAB>name<TAB>variant|variant``) / ``.json`` file.
        User names take precedence over built-in ones.
    types : iterable of str or None
        Keep only these types (default: all of PER, LOC, ORG, MISC, TITLE).
    normalizer : as elsewhere in khabar, default "arabic"
        How names and text are normalised before matching.
    n_jobs : int or None
        Threads for :meth:`find_batch`.

    Matching is longest-first at token boundaries; Arabic proclitics
    (و ف ب ك ل ال لل) may precede a name. Short all-capital Latin names
    (US, UN) must match case exactly.
    """

    def __init__(
        self,
        *,
        builtin: bool = True,
        user_gazetteer: Any = None,
        types: Iterable[str] | None = None,
        normalizer: Any = "arabic",
        n_jobs: int | None = None,
    ) -> None:
        self.builtin = builtin
        self.user_gazetteer = user_gazetteer
        self.types = None if types is None else tuple(types)
        self.normalizer = normalizer
        self.n_jobs = n_jobs
        if self.types is not None:
            bad = [t for t in self.types if t not in ENTITY_TYPES]
            if bad:
                raise ValueError(f"unknown entity types {bad}; use some of {ENTITY_TYPES}")
        sources = [_user_tsv(user_gazetteer)]
        if builtin:
            sources.append(builtin_gazetteer_text())
        self._core = _core.GazetteerCore(sources, _normalizer_config(normalizer))

    def __len__(self) -> int:
        return len(self._core)

    def _wrap(self, text: str, found: list[tuple[int, int, str, str]]) -> list[Entity]:
        keep = self.types
        return [Entity(s, e, t, text[s:e], c) for s, e, t, c in found if keep is None or t in keep]

    def find(self, text: str) -> list[Entity]:
        """Mentions in ``text``, left to right."""
        if not isinstance(text, str):
            raise TypeError(f"text must be a str, got {type(text).__name__}")
        _check_text(text)
        return self._wrap(text, self._core.find(text))

    __call__ = find

    def find_batch(self, texts: Any) -> list[list[Entity]]:
        """:meth:`find` for many texts, in parallel (rows named in errors)."""
        docs = as_text_list(texts, "texts")
        found = self._core.find_batch(docs, check_n_jobs(self.n_jobs))
        return [self._wrap(t, f) for t, f in zip(docs, found, strict=True)]

    def __repr__(self) -> str:
        return (
            f"EntityRecognizer(builtin={self.builtin}, user_gazetteer="
            f"{'...' if self.user_gazetteer is not None else None}, types={self.types}, "
            f"entries={len(self)})"
        )


@lru_cache(maxsize=1)
def _default() -> EntityRecognizer:
    return EntityRecognizer()


def entities(text: str) -> list[Entity]:
    """Entity mentions in ``text`` with the default recogniser."""
    return _default().find(text)

"""Pretrained models shipped inside the package (offline, no download).

>>> import khabar as kb
>>> kb.pretrained.list()
['ner-ar', 'stance-ar', 'stance-en', 'topic-ar', 'topic-en']
>>> kb.pretrained.load("topic-ar").predict(["فاز الفريق بالمباراة النهائية للدوري"]).tolist()
['sport']
>>> tagger = kb.pretrained.load("ner-ar")
>>> tagger.predict([["قال", "الرئيس", "الفرنسي", "إيمانويل", "ماكرون", "في", "باريس"]])[0]
['O', 'O', 'B-MISC', 'B-PER', 'I-PER', 'O', 'B-LOC']

Each model's training data, licence, labels and dev scores are in
``khabar/models/MODEL_CARDS.md`` (``kb.pretrained.card(name)`` prints its
section). Models are rebuilt by ``scripts/train_pretrained.py``.
"""

from __future__ import annotations

import builtins
from functools import lru_cache
from importlib import resources
from typing import Any, cast

from .persistence import loads

#: name -> (file in khabar/models, class name, one-line description)
_MODELS: dict[str, tuple[str, str, str]] = {
    "topic-ar": (
        "topic-ar.khabar",
        "TopicClassifier",
        "Arabic news topic (9 ANT corpus categories); Apache-2.0 data, citation requested",
    ),
    "topic-en": (
        "topic-en.khabar",
        "TopicClassifier",
        "English news topic (5 BBC News categories); BBC-owned articles, research use",
    ),
    "stance-en": (
        "stance-en.khabar",
        "StanceClassifier",
        "English headline/body stance (FNC-1: agree/disagree/discuss/unrelated)",
    ),
    "stance-ar": (
        "stance-ar.khabar",
        "StanceClassifier",
        "Arabic claim/article stance (Baly et al. 2018: agree/disagree/discuss/unrelated)",
    ),
    "ner-ar": (
        "ner-ar.khabar",
        "EntityTagger",
        "Arabic named-entity tagger (PER/LOC/ORG/MISC), CLEANANERCorp; GPL-3.0",
    ),
}


def list() -> builtins.list[str]:
    """Names of the bundled models."""
    return sorted(n for n, (f, _, _) in _MODELS.items() if _path(f).is_file())


def describe() -> dict[str, str]:
    """``{name: one-line description}`` of the bundled models."""
    return {n: _MODELS[n][2] for n in list()}


def _path(file: str) -> Any:
    return resources.files("khabar").joinpath("models").joinpath(file)


def load(name: str) -> Any:
    """A bundled model by name (a fresh object each call; loading is cached
    as bytes, so repeated loads are cheap).

    Raises ``TypeError`` if ``name`` is not a str and ``ValueError`` if it
    is not one of :func:`list`.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if name not in _MODELS:
        raise ValueError(f"unknown pretrained model {name!r}; available: {list()}")
    file, cls, _ = _MODELS[name]
    obj = loads(_bytes(file))
    if type(obj).__name__ != cls:  # pragma: no cover - a packaging error
        raise RuntimeError(f"bundled model {name!r} holds a {type(obj).__name__}, not a {cls}")
    return obj


@lru_cache(maxsize=8)
def _bytes(file: str) -> bytes:
    path = _path(file)
    if not path.is_file():
        raise FileNotFoundError(
            f"the bundled model file {file} is missing from this installation; "
            "rebuild it with scripts/train_pretrained.py"
        )
    data: bytes = path.read_bytes()
    return data


def card(name: str) -> str:
    """The model card section for ``name`` from ``MODEL_CARDS.md``.

    Raises ``TypeError`` if ``name`` is not a str and ``ValueError`` if it
    is not a bundled model.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, got {type(name).__name__}")
    if name not in _MODELS:
        raise ValueError(f"unknown pretrained model {name!r}; available: {list()}")
    text = _path("MODEL_CARDS.md").read_text("utf-8")
    sections = text.split("\n## ")
    for s in sections[1:]:
        if s.split("\n", 1)[0].strip().strip("`") == name:
            return cast("str", "## " + s.rstrip() + "\n")
    raise LookupError(f"no model card section for {name!r}")  # pragma: no cover

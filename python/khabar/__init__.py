"""khabar (خبر, "news"): Arabic-first news text classification with a Rust core.

>>> import khabar as kb
>>> kb.normalize("الْعَرَبِيَّةُ")
'العربية'
>>> X = kb.TextVectorizer(analyzer=[("word", (1, 2)), ("char_wb", (2, 5))]).fit_transform(
...     ["بومبيو يهدد بإغلاق السفارة في بغداد", "الكاظمي يلتقي بومبيو"])
>>> X.shape[0]
2
"""

from __future__ import annotations

from . import _core, metrics, pretrained
from ._base import ModelFormatError, NotFittedError
from ._classif import ConvergenceWarning
from .entities import Entity, EntityCounter, EntityRecognizer, entities
from .feature_extraction import HashingVectorizer, TextVectorizer
from .linear_model import LinearClassifier
from .naive_bayes import ComplementNB, MultinomialNB
from .persistence import load, loads
from .pipeline import Contribution, TopicClassifier
from .preprocessing import (
    NORMALIZER_OPTIONS,
    Normalizer,
    normalize,
    stop_words,
    tokenize,
    tokenize_with_offsets,
)
from .samples import sample_article
from .stance import Evidence, StanceClassifier, StancePairFeatures
from .tagger import EntityTagger

__version__: str = _core.__version__

__all__ = [
    "NORMALIZER_OPTIONS",
    "ComplementNB",
    "Contribution",
    "ConvergenceWarning",
    "Entity",
    "EntityCounter",
    "EntityRecognizer",
    "EntityTagger",
    "Evidence",
    "HashingVectorizer",
    "LinearClassifier",
    "ModelFormatError",
    "MultinomialNB",
    "Normalizer",
    "NotFittedError",
    "StanceClassifier",
    "StancePairFeatures",
    "TextVectorizer",
    "TopicClassifier",
    "__version__",
    "entities",
    "load",
    "loads",
    "metrics",
    "normalize",
    "pretrained",
    "sample_article",
    "stop_words",
    "tokenize",
    "tokenize_with_offsets",
]

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

from . import _core
from ._base import ModelFormatError, NotFittedError
from .feature_extraction import HashingVectorizer, TextVectorizer
from .persistence import load, loads
from .preprocessing import (
    NORMALIZER_OPTIONS,
    Normalizer,
    normalize,
    stop_words,
    tokenize,
    tokenize_with_offsets,
)
from .samples import sample_article

__version__: str = _core.__version__

__all__ = [
    "NORMALIZER_OPTIONS",
    "HashingVectorizer",
    "ModelFormatError",
    "Normalizer",
    "NotFittedError",
    "TextVectorizer",
    "__version__",
    "load",
    "loads",
    "normalize",
    "sample_article",
    "stop_words",
    "tokenize",
    "tokenize_with_offsets",
]

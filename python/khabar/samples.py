"""The bundled sample article (the one that motivated khabar)."""

from __future__ import annotations

from importlib import resources
from typing import NamedTuple


class Article(NamedTuple):
    """A news article: ``headline`` and ``body``."""

    headline: str
    body: str


def sample_article() -> Article:
    """The bundled Arabic sample: «بومبيو يهدد بإغلاق السفارة في بغداد».

    The file is the first line (headline), a blank line, then the body, as
    scraped (paragraphs joined with ``.,``).

    Examples
    --------
    >>> art = sample_article()
    >>> art.headline.startswith("بومبيو")
    True
    """
    text = resources.files("khabar").joinpath("data/sample_ar.txt").read_text(encoding="utf-8")
    headline, _, body = text.partition("\n")
    return Article(headline.strip(), body.strip())

"""Text normalisation and tokenisation.

>>> import khabar as kb
>>> kb.normalize("الْعَرَبِيَّةُ أحمد ١٢٣")
'العربية احمد 123'
>>> kb.tokenize("قال بومبيو، إن #بغداد_الآن... https://t.co/x")
['قال', 'بومبيو', 'إن', '#بغداد_الآن', 'https://t.co/x']
"""

from __future__ import annotations

from typing import Any

from . import _core
from ._base import _SkBase, _SkTransformerMixin, as_text_list, check_n_jobs

#: Names of the normalisation switches, in pipeline order.
NORMALIZER_OPTIONS: tuple[str, ...] = tuple(_core.NORMALIZER_OPTIONS)

_PRESETS = ("arabic", "none")


def _check_text(text: Any) -> None:
    """Reject non-str and lone surrogates with a clear message."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, got {type(text).__name__}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(
            f"text contains a lone surrogate ({text[e.start]!r} at position {e.start}), which "
            "is not valid Unicode; clean it first, e.g. "
            "s.encode('utf-8', 'replace').decode('utf-8')"
        ) from None


class Normalizer(_SkTransformerMixin, _SkBase):
    """Arabic-aware text normaliser.

    Every step is a switch; ``preset`` sets them all, and keyword arguments
    override single steps. Steps run in this order:

    ``nfkc``
        Unicode NFKC: folds Arabic presentation forms (ﻣﺤﻤﺪ -> محمد),
        ligatures and full-width characters.
    ``lowercase``
        Unicode-aware lowercasing (Latin, Cyrillic, Greek, ...).
    ``remove_diacritics``
        Removes harakat, tanween, shadda, sukun, superscript alef and Quranic
        annotation marks.
    ``remove_tatweel``
        Removes the kashida/tatweel ``ـ``.
    ``fold_alef``
        أ إ آ ٱ (and wavy-hamza alefs) -> ا.
    ``fold_yeh``
        ى (alef maqsura) and Persian ی -> ي.
    ``fold_teh_marbuta``
        ة -> ه. Off in the ``"arabic"`` preset because it merges real words.
    ``fold_digits``
        Arabic-Indic ٠-٩ and Persian ۰-۹ digits -> 0-9; ٫ ٬ -> . ,
    ``remove_controls``
        Removes bidi marks, zero-width (non-)joiners, BOM and soft hyphens;
        a zero-width space becomes a space.
    ``collapse_whitespace``
        Every run of whitespace -> one space; trims both ends.

    Parameters
    ----------
    preset : {"arabic", "none"}, default="arabic"
        ``"arabic"`` turns on everything except ``fold_teh_marbuta``;
        ``"none"`` turns everything off (text passes unchanged).
    nfkc, lowercase, remove_diacritics, remove_tatweel, fold_alef, fold_yeh, \
fold_teh_marbuta, fold_digits, remove_controls, collapse_whitespace : bool or None
        Override one step; ``None`` keeps the preset's value.

    Examples
    --------
    >>> from khabar import Normalizer
    >>> Normalizer()("إلى مدرسةٍ")
    'الي مدرسة'
    >>> Normalizer(fold_teh_marbuta=True)("مدرسة")
    'مدرسه'
    >>> Normalizer(preset="none")("إلى")
    'إلى'
    """

    def __init__(
        self,
        *,
        preset: str = "arabic",
        nfkc: bool | None = None,
        lowercase: bool | None = None,
        remove_diacritics: bool | None = None,
        remove_tatweel: bool | None = None,
        fold_alef: bool | None = None,
        fold_yeh: bool | None = None,
        fold_teh_marbuta: bool | None = None,
        fold_digits: bool | None = None,
        remove_controls: bool | None = None,
        collapse_whitespace: bool | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.preset = preset
        self.nfkc = nfkc
        self.lowercase = lowercase
        self.remove_diacritics = remove_diacritics
        self.remove_tatweel = remove_tatweel
        self.fold_alef = fold_alef
        self.fold_yeh = fold_yeh
        self.fold_teh_marbuta = fold_teh_marbuta
        self.fold_digits = fold_digits
        self.remove_controls = remove_controls
        self.collapse_whitespace = collapse_whitespace
        self.n_jobs = n_jobs

    def _core(self) -> Any:
        if self.preset not in _PRESETS:
            raise ValueError(f"invalid preset {self.preset!r}; expected one of {_PRESETS}")
        opts = {k: getattr(self, k) for k in NORMALIZER_OPTIONS}
        for k, v in opts.items():
            if v is not None and not isinstance(v, bool):
                raise TypeError(f"Normalizer option {k} must be True, False or None, got {v!r}")
        # Cache on the exact settings so parameter changes are always seen.
        key = (self.preset, tuple(opts.values()))
        cached = self.__dict__.get("_cached_core")
        if cached is None or cached[0] != key:
            cached = (key, _core.NormalizerCore(self.preset, opts))
            self.__dict__["_cached_core"] = cached
        return cached[1]

    def get_config(self) -> dict[str, bool]:
        """The resolved switches (preset plus overrides)."""
        return dict(self._core().config())

    def normalize(self, text: str) -> str:
        """Normalise one text."""
        _check_text(text)
        return str(self._core().normalize(text))

    __call__ = normalize

    def fit(self, X: Any = None, y: Any = None) -> Normalizer:
        """Validate the parameters; the normaliser learns nothing."""
        self._core()
        check_n_jobs(self.n_jobs)
        return self

    def transform(self, X: Any) -> list[str]:
        """Normalise every document of ``X`` (in parallel for large inputs)."""
        docs = as_text_list(X, "X")
        return list(self._core().normalize_batch(docs, check_n_jobs(self.n_jobs)))

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.two_d_array = False
        tags.requires_fit = False
        return tags

    def __getstate__(self) -> dict[str, Any]:
        return {"params": self.get_params(deep=False)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state["params"])

    def _to_json_param(self) -> dict[str, Any]:
        return {"__normalizer__": self.get_params(deep=False)}


def _normalizer_config(normalizer: Any) -> dict[str, bool]:
    """Resolve an estimator's ``normalizer`` parameter to the full switch dict."""
    if normalizer is None:
        return Normalizer(preset="none").get_config()
    if isinstance(normalizer, str):
        return Normalizer(preset=normalizer).get_config()
    if isinstance(normalizer, Normalizer):
        return normalizer.get_config()
    if isinstance(normalizer, dict):
        opts = dict(normalizer)
        preset = opts.pop("preset", "arabic")
        unknown = set(opts) - set(NORMALIZER_OPTIONS)
        if unknown:
            raise ValueError(
                f"unknown normalizer option(s) {sorted(unknown)}; "
                f"expected some of {list(NORMALIZER_OPTIONS)}"
            )
        return Normalizer(preset=preset, **opts).get_config()
    raise TypeError(
        "normalizer must be 'arabic', 'none', None, a dict of options or a khabar.Normalizer, "
        f"not {type(normalizer).__name__}"
    )


_DEFAULT = Normalizer()


def normalize(text: str, normalizer: Any = "arabic") -> str:
    """Normalise one text with the ``"arabic"`` preset (or ``normalizer``).

    Examples
    --------
    >>> normalize("أَهْلاً   بِكُمْ")
    'اهلا بكم'
    """
    _check_text(text)
    if normalizer == "arabic":
        return _DEFAULT.normalize(text)
    return str(_core.NormalizerCore("none", _normalizer_config(normalizer)).normalize(text))


def tokenize(
    text: str,
    *,
    normalizer: Any = None,
    keep_punct: bool = False,
    split_hashtags: bool = False,
    segment_clitics: bool = False,
) -> list[str]:
    """Split one text into tokens, correctly for any script.

    A diacritised Arabic word stays one token; punctuation (Arabic ، ؛ ؟ and
    Latin) is split off and dropped unless ``keep_punct``; numbers (``1,000.5``),
    URLs, e-mail addresses, ``@mentions`` and ``#hashtags`` are single tokens.
    With the defaults this is exactly the tokenizer ``TextVectorizer`` uses
    for ``analyzer="word"`` (after normalisation).

    Parameters
    ----------
    text : str
    normalizer : None, str, dict or Normalizer, default=None
        Normalise first (``None``: tokenise the text as it is).
    keep_punct : bool, default=False
        Also return punctuation tokens.
    split_hashtags : bool, default=False
        Return the words of a hashtag (``#عاجل_بغداد`` -> ``عاجل``, ``بغداد``).
    segment_clitics : bool, default=False
        Split Arabic proclitics and pronoun suffixes with light, data-free rules
        (they over-split some words that begin with و or ف; see ``src/text/stem.rs``)
        (``والكتاب`` -> ``و+``, ``ال+``, ``كتاب``).

    Examples
    --------
    >>> tokenize("الْعَرَبِيَّةُ، لغة جميلة!")
    ['الْعَرَبِيَّةُ', 'لغة', 'جميلة']
    >>> tokenize("الْعَرَبِيَّةُ، لغة!", keep_punct=True, normalizer="arabic")
    ['العربية', '،', 'لغة', '!']
    """
    _check_text(text)
    core = None
    if normalizer is not None:
        core = _core.NormalizerCore("none", _normalizer_config(normalizer))
    return list(
        _core.tokenize(
            text,
            core,
            keep_punct=keep_punct,
            split_hashtags=split_hashtags,
            segment_clitics=segment_clitics,
        )
    )


def tokenize_with_offsets(
    text: str, *, keep_punct: bool = False
) -> list[tuple[str, int, int, str]]:
    """Tokens with character offsets and kinds: ``(token, start, end, kind)``.

    ``text[start:end] == token`` always holds; ``kind`` is one of ``word``,
    ``number``, ``url``, ``email``, ``mention``, ``hashtag``, ``punct``,
    ``symbol``.

    Examples
    --------
    >>> for tok in tokenize_with_offsets("RT @AJA: 5 قتلى"):
    ...     print(tok)
    ('RT', 0, 2, 'word')
    ('@AJA', 3, 7, 'mention')
    ('5', 9, 10, 'number')
    ('قتلى', 11, 15, 'word')
    """
    _check_text(text)
    return list(_core.tokenize(text, None, keep_punct=keep_punct, with_offsets=True))


def stop_words(name: str) -> list[str]:
    """A built-in stop-word list: ``"arabic"`` or ``"english"``.

    Raises ``TypeError`` if ``name`` is not a str and ``ValueError`` for an
    unknown list.
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be 'arabic' or 'english', got {type(name).__name__}")
    if name not in ("arabic", "english"):
        raise ValueError(f"unknown stop-word list name={name!r}; expected 'arabic' or 'english'")
    return list(_core.stop_words(name))

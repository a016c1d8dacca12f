"""Type stubs for khabar's Rust extension module (checked by mypy.stubtest)."""

from collections.abc import Mapping
from typing import Any, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "FORMAT_VERSION",
    "NORMALIZER_OPTIONS",
    "HashingVectorizerCore",
    "ModelFormatError",
    "NormalizerCore",
    "TextVectorizerCore",
    "__version__",
    "load_bytes",
    "murmurhash3_32",
    "stop_words",
    "tokenize",
]
__version__: str
FORMAT_VERSION: int
NORMALIZER_OPTIONS: list[str]

class ModelFormatError(ValueError): ...

_CsrParts = tuple[npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any], tuple[int, int]]

@final
class NormalizerCore:
    def __new__(
        cls, preset: str = "arabic", options: Mapping[str, bool | None] | None = None
    ) -> NormalizerCore: ...
    def normalize(self, text: str) -> str: ...
    def normalize_batch(self, texts: list[Any], n_jobs: int | None = None) -> list[str]: ...
    def config(self) -> dict[str, bool]: ...

@final
class TextVectorizerCore:
    @staticmethod
    def fit(
        config: dict[str, Any], docs: list[Any], n_jobs: int | None = None, transform: bool = False
    ) -> tuple[TextVectorizerCore, _CsrParts | None]: ...
    def transform(self, docs: list[Any], n_jobs: int | None = None) -> _CsrParts: ...
    def feature_names(self) -> list[str]: ...
    def idf(self) -> npt.NDArray[np.float64] | None: ...
    @property
    def n_features(self) -> int: ...
    @property
    def n_docs(self) -> int: ...
    def blocks(self) -> list[tuple[str, int, int, int]]: ...
    def normalizer_config(self) -> dict[str, bool]: ...
    def to_bytes(self, metadata: str = ...) -> bytes: ...

@final
class HashingVectorizerCore:
    def __new__(cls, config: dict[str, Any]) -> HashingVectorizerCore: ...
    def transform(self, docs: list[Any], n_jobs: int | None = None) -> _CsrParts: ...
    def to_bytes(self, metadata: str = ...) -> bytes: ...

def tokenize(
    text: str,
    normalizer: NormalizerCore | None = None,
    keep_punct: bool = False,
    split_hashtags: bool = False,
    segment_clitics: bool = False,
    with_offsets: bool = False,
) -> list[Any]: ...
def stop_words(name: str) -> list[str]: ...
def murmurhash3_32(key: str, seed: int = 0) -> int: ...
def load_bytes(data: bytes) -> tuple[str, Any, str, str]: ...

"""Type stubs for khabar's Rust extension module (checked by mypy.stubtest)."""

from collections.abc import Callable, Mapping
from typing import Any, final

import numpy as np
import numpy.typing as npt

__all__ = [
    "FORMAT_VERSION",
    "NORMALIZER_OPTIONS",
    "EntityTaggerCore",
    "GazetteerCore",
    "HashingVectorizerCore",
    "LinearModelCore",
    "MlpCore",
    "ModelFormatError",
    "NaiveBayesCore",
    "NormalizerCore",
    "PairFeaturesCore",
    "StanceBundleCore",
    "TextPipelineCore",
    "TextVectorizerCore",
    "VocabStreamCore",
    "__version__",
    "load_bytes",
    "log_count_ratio",
    "murmurhash3_32",
    "stop_words",
    "tokenize",
]
__version__: str
FORMAT_VERSION: int
NORMALIZER_OPTIONS: list[str]

class ModelFormatError(ValueError): ...

_Csr = tuple[npt.NDArray[Any], npt.NDArray[np.int32], npt.NDArray[np.int64], int]
_Targets = npt.NDArray[np.uint32] | tuple[npt.NDArray[np.int64], npt.NDArray[np.uint32]]
_F64 = npt.NDArray[np.float64]
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

@final
class VocabStreamCore:
    def __new__(cls, config: dict[str, Any]) -> VocabStreamCore: ...
    def update(self, docs: Any, n_jobs: int | None = None) -> None: ...
    def merge(self, other: VocabStreamCore) -> None: ...
    def finish(self, n_jobs: int | None = None) -> TextVectorizerCore: ...
    @property
    def n_docs(self) -> int: ...
    @property
    def n_candidates(self) -> int: ...
    def to_bytes(self) -> bytes: ...
    @staticmethod
    def from_bytes(data: bytes) -> VocabStreamCore: ...

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

@final
class LinearModelCore:
    @staticmethod
    def fit(
        config: dict[str, Any],
        x: _Csr,
        y: _Targets,
        n_classes: int,
        sample_weight: _F64,
        scale: _F64 | None = None,
        n_jobs: int | None = None,
        probability: bool = False,
        cv: int = 2,
        on_step: Callable[[int, int], object] | None = None,
    ) -> LinearModelCore: ...
    @staticmethod
    def start_sgd(
        config: dict[str, Any], n_features: int, y: _Targets, n_classes: int
    ) -> LinearModelCore: ...
    def partial_fit(
        self,
        x: _Csr,
        y: _Targets,
        n_classes: int,
        sample_weight: _F64,
        l1_ratio: float = 0.0,
    ) -> None: ...
    @staticmethod
    def average(models: list[LinearModelCore], weights: list[float]) -> LinearModelCore: ...
    def decision_function(self, x: _Csr, n_jobs: int | None = None) -> _F64: ...
    def predict_proba(self, x: _Csr, n_jobs: int | None = None) -> _F64: ...
    def coef(self) -> _F64: ...
    def intercept(self) -> _F64: ...
    @property
    def n_iter(self) -> int: ...
    @property
    def converged(self) -> bool: ...
    @property
    def n_features(self) -> int: ...
    @property
    def n_outputs(self) -> int: ...
    @property
    def has_proba(self) -> bool: ...
    @property
    def can_partial_fit(self) -> bool: ...
    def to_bytes(self, metadata: str = ...) -> bytes: ...

@final
class NaiveBayesCore:
    def __new__(
        cls,
        kind: str,
        alpha: float,
        fit_prior: bool,
        norm: bool,
        n_features: int,
        n_classes: int,
    ) -> NaiveBayesCore: ...
    def partial_fit(self, x: _Csr, y: npt.NDArray[np.uint32], sample_weight: _F64) -> None: ...
    def joint_log_likelihood(
        self, x: _Csr, proba: bool = False, n_jobs: int | None = None
    ) -> _F64: ...
    def arrays(self) -> tuple[_F64, _F64, _F64, _F64]: ...
    def to_bytes(self, metadata: str = ...) -> bytes: ...

@final
class TextPipelineCore:
    def __new__(
        cls, vectorizer: TextVectorizerCore, model: LinearModelCore
    ) -> TextPipelineCore: ...
    def decision_function(self, docs: list[Any], n_jobs: int | None = None) -> _F64: ...
    def predict_proba(self, docs: list[Any], n_jobs: int | None = None) -> _F64: ...
    def predict_codes(
        self, docs: list[Any], n_jobs: int | None = None
    ) -> npt.NDArray[np.int64]: ...
    def vectorizer(self) -> TextVectorizerCore: ...
    def model(self) -> LinearModelCore: ...
    def to_bytes(self, metadata: str = ...) -> bytes: ...

def log_count_ratio(x: _Csr, y: _Targets, n_classes: int, alpha: float) -> _F64: ...

@final
class EntityTaggerCore:
    @staticmethod
    def fit(
        sentences: list[list[str]],
        tags: list[list[str]],
        normalizer: Mapping[str, bool | None] | None = None,
        gazetteer: list[str] | None = None,
        cues: list[str] | None = None,
        clusters: tuple[list[str], int, list[int]] | None = None,
        n_iter: int = 10,
        min_count: int = 1,
        random_state: int = 0,
        n_jobs: int | None = None,
        on_epoch: Callable[[int], object] | None = None,
    ) -> EntityTaggerCore: ...
    def predict(
        self, sentences: list[list[str]], n_jobs: int | None = None, o_penalty: float = 0.0
    ) -> list[list[str]]: ...
    @property
    def tags(self) -> list[str]: ...
    @property
    def errors(self) -> list[int]: ...
    @property
    def n_features(self) -> int: ...
    @property
    def resources(self) -> tuple[int, int, int]: ...
    def to_bytes(self, metadata: str = ...) -> bytes: ...

@final
class GazetteerCore:
    def __new__(
        cls,
        sources: list[str],
        normalizer: Mapping[str, bool | None] | None = None,
        tagger: EntityTaggerCore | None = None,
        user_sources: int = 0,
        o_penalty: float = 0.0,
    ) -> GazetteerCore: ...
    def __len__(self) -> int: ...
    def find(self, text: str) -> list[tuple[int, int, str, str]]: ...
    def find_batch(
        self, texts: list[Any], n_jobs: int | None = None
    ) -> list[list[tuple[int, int, str, str]]]: ...

@final
class PairFeaturesCore:
    @staticmethod
    def fit(
        headlines: list[Any],
        bodies: list[Any],
        normalizer: Mapping[str, bool | None] | None = None,
        gazetteer: list[str] | None = None,
        n_jobs: int | None = None,
    ) -> PairFeaturesCore: ...
    def transform(
        self, headlines: list[Any], bodies: list[Any], n_jobs: int | None = None
    ) -> npt.NDArray[np.float32]: ...
    def transform_with_sentences(
        self, headlines: list[Any], bodies: list[Any], k: int, n_jobs: int | None = None
    ) -> tuple[npt.NDArray[np.float32], list[str]]: ...
    def diff_texts(
        self, headlines: list[Any], bodies: list[Any], n_jobs: int | None = None
    ) -> tuple[list[str], list[str]]: ...
    @staticmethod
    def feature_names() -> list[str]: ...
    @property
    def n_idf_terms(self) -> int: ...
    def to_bytes(self, metadata: str = ...) -> bytes: ...

@final
class MlpCore:
    @staticmethod
    def fit(
        x: tuple[Any, Any, Any, int],
        y: npt.NDArray[np.int64],
        sample_weight: npt.NDArray[np.float64],
        n_classes: int,
        hidden: int = 100,
        alpha: float = 1e-4,
        learning_rate: float = 1e-3,
        batch_size: int = 64,
        max_iter: int = 50,
        dropout: float = 0.2,
        validation_fraction: float = 0.1,
        n_iter_no_change: int = 5,
        tol: float = 1e-4,
        seed: int = 0,
    ) -> MlpCore: ...
    def predict_proba(self, x: tuple[Any, Any, Any, int]) -> npt.NDArray[np.float32]: ...
    @property
    def n_features(self) -> int: ...
    @property
    def n_classes(self) -> int: ...
    @property
    def n_iter(self) -> int: ...
    @property
    def loss_curve(self) -> list[float]: ...
    @property
    def validation_curve(self) -> list[float]: ...
    def to_bytes(self, metadata: str = ...) -> bytes: ...

@final
class StanceBundleCore:
    def __new__(
        cls,
        pairs: PairFeaturesCore | None,
        vectorizers: list[tuple[str, TextVectorizerCore]],
        mean: list[float],
        scale: list[float],
        model: MlpCore | LinearModelCore,
    ) -> StanceBundleCore: ...
    def parts(
        self,
    ) -> tuple[
        PairFeaturesCore | None,
        list[tuple[str, TextVectorizerCore]],
        list[float],
        list[float],
        MlpCore | LinearModelCore,
    ]: ...
    def to_bytes(self, metadata: str = ...) -> bytes: ...

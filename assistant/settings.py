"""Typed settings: defaults < TOML file < environment variables < explicit arguments.

Every field has a description; `needs config` prints them with secrets masked.
Environment variables use the prefix ``NEEDS_`` (e.g. ``NEEDS_PROVIDER=openai``).
The TOML file is ``$NEEDS_CONFIG`` if set, otherwise ``needs.toml`` in the working
directory, otherwise ``config.toml`` in the user config directory.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from assistant.errors import NeedsError
from assistant.masking import mask_secret, mask_text

APP_NAME = "needs-assistant"
ENV_PREFIX = "NEEDS_"
PROJECT_ROOT = Path(__file__).resolve().parent.parent

Provider = Literal["local", "openai", "fake"]


def normalize_database_url(url: str) -> str:
    """``postgresql://`` and ``postgres://`` (no driver named) mean the installed psycopg 3
    driver: ``postgresql+psycopg://``. Other URLs are returned unchanged."""
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url[len(bare):]
    return url


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def config_file_path() -> Path | None:
    """The TOML file to read, or None when there is none."""
    explicit = os.environ.get(f"{ENV_PREFIX}CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    local = Path.cwd() / "needs.toml"
    if local.is_file():
        return local
    user = Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"
    return user if user.is_file() else None


class Settings(BaseSettings):
    """All settings of the product. See README “Configuration”."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        extra="ignore",
        validate_default=True,
    )

    # --- model seam -------------------------------------------------------------
    provider: Provider = Field(
        "local",
        description="Which chat model answers: 'local' (embedded GGUF model, offline), "
        "'openai' (any OpenAI-compatible endpoint) or 'fake' (scripted, tests only).",
    )
    local_model: str = Field(
        "qwen2.5-1.5b",
        description="Embedded model to use with provider=local: 'qwen2.5-1.5b' (default) or "
        "'qwen2.5-0.5b' (smaller, faster, weaker). Install it with `needs model pull`.",
    )
    local_model_path: Path | None = Field(
        None,
        description="Use this GGUF file instead of a pulled model (skips checksum pinning).",
    )
    threads: int = Field(
        1,
        ge=1,
        le=64,
        description="CPU threads for the embedded model. 1 is steadiest on a shared 2-core box; "
        "2 is faster only when nothing else runs.",
    )
    context_tokens: int = Field(
        4096, ge=512, le=32768, description="Context window of the embedded model, in tokens."
    )
    openai_base_url: str | None = Field(
        None,
        description="Base URL of an OpenAI-compatible endpoint, e.g. https://api.deepseek.com/v1 "
        "or http://127.0.0.1:11434/v1 (Ollama).",
    )
    openai_api_key: SecretStr | None = Field(
        None, description="API key for the OpenAI-compatible endpoint (any text for local servers)."
    )
    openai_model: str | None = Field(
        None, description="Model name at the OpenAI-compatible endpoint, e.g. deepseek-chat, qwen-plus."
    )
    temperature: float = Field(0.3, ge=0.0, le=2.0, description="Sampling temperature for replies.")
    max_reply_tokens: int = Field(
        320, ge=16, le=8192, description="Upper bound on tokens generated for one reply."
    )
    request_timeout: float = Field(
        120.0,
        gt=0,
        description="Seconds one model call may take before it is abandoned and retried.",
    )
    max_retries: int = Field(
        2, ge=0, le=10, description="Retries after a failed or timed-out model call (with backoff)."
    )

    extraction: Literal["hybrid", "model", "semantic", "rules"] = Field(
        "semantic",
        description="How needs are extracted: 'semantic' (the sentence reader: word cues and the sentence "
        "classifier, no model call; the default, it measured better than 'hybrid' on the dev set), "
        "'hybrid' (a model pass after the turn, plus the needs the sentence reader found that it "
        "missed), 'model' (model only, the reader if it fails), 'rules' (word cues only).",
    )

    # --- storage ----------------------------------------------------------------
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Where the product keeps its database, vector index and models.",
    )
    models_dir: Path | None = Field(
        None, description="Where pulled model files live (default: <data_dir>/models)."
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL of the need log (default: SQLite in <data_dir>/needs.db); "
        "PostgreSQL works too: postgresql+psycopg://user:pass@host/db.",
    )
    vector_dir: Path | None = Field(
        None, description="Embedded Chroma directory (default: <data_dir>/chroma)."
    )

    # --- knowledge and retrieval -----------------------------------------------------
    knowledge_dir: Path = Field(
        PROJECT_ROOT / "knowledge",
        description="The curated knowledge base shipped with the product (indexed on first use).",
    )
    chroma_url: str | None = Field(
        None,
        description="URL of a shared Chroma server, e.g. http://127.0.0.1:8000 "
        "(default: an embedded index in vector_dir).",
    )
    collection: str = Field(
        "knowledge", min_length=3, description="Chroma collection name for the knowledge index."
    )
    embedding_provider: Literal["local", "openai"] = Field(
        "local",
        description="'local': multilingual-e5-small, offline (default); 'openai': the embeddings "
        "endpoint at NEEDS_OPENAI_BASE_URL with NEEDS_EMBEDDING_MODEL.",
    )
    embedding_model: str | None = Field(
        None, description="Embedding model name at the OpenAI-compatible endpoint."
    )
    chunk_chars: int = Field(
        360, ge=100, le=4000, description="Target chunk length in characters when ingesting."
    )
    chunk_overlap: int = Field(
        60, ge=0, le=1000, description="Characters shared between neighbouring chunks."
    )
    retrieval_k: int = Field(4, ge=1, le=50, description="Passages retrieved per question.")
    coach_retrieval: bool = Field(
        True,
        description="Cite a retrieved knowledge passage with every coaching move (loads the "
        "embedder and indexes knowledge/ on first use).",
    )

    offerings_file: Path | None = Field(
        None,
        description="The team's range (CSV or JSON: name, serves, reason): a recommendation names the "
        "item that fits the confirmed need best, found by meaning. Unset: the range `needs offerings "
        "import` copied into the data directory, if any.",
    )

    scenarios_dir: Path | None = Field(
        None,
        description="An extra folder of role-play scenario files (YAML/JSON) added to the shipped "
        "ones in knowledge/scenarios; same ids override.",
    )

    # --- sign-in -----------------------------------------------------------------------
    signin_free_failures: int = Field(
        3, ge=0, le=100,
        description="Failed sign-ins allowed (per user name and per client) before each further attempt "
        "must wait; the wait doubles with every failure.",
    )
    signin_base_delay: float = Field(
        1.0, gt=0, le=600, description="Seconds of the first wait after the free failures (then 2, 4, 8 … s)."
    )
    signin_max_failures: int = Field(
        10, ge=1, le=1000,
        description="Failed sign-ins after which a user name is locked (a manager can unlock it: "
        "`needs user unlock NAME` or the Settings page).",
    )
    signin_lockout_minutes: float = Field(
        15.0, gt=0, le=10080, description="How long a locked user name stays locked, in minutes."
    )

    # --- interface --------------------------------------------------------------
    ui_language: Literal["zh", "en"] = Field(
        "zh", description="Language of the interface and of the coach's default replies."
    )

    @field_validator("openai_base_url", "chroma_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError(
                f"must start with http:// or https:// (got {value!r}), "
                "e.g. https://api.openai.com/v1 or http://127.0.0.1:8000"
            )
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        return normalize_database_url(value) if value else None

    @field_validator("scenarios_dir")
    @classmethod
    def _check_scenarios_dir(cls, value: Path | None) -> Path | None:
        if value is None or str(value) == "":
            return None
        value = value.expanduser()
        if not value.is_dir():
            raise ValueError(
                f"the folder {value} does not exist; create it and put your scenario files (YAML) in it, "
                "or unset NEEDS_SCENARIOS_DIR"
            )
        return value

    @field_validator("data_dir", "models_dir", "vector_dir", "local_model_path", "knowledge_dir", "scenarios_dir")
    @classmethod
    def _expand(cls, value: Path | None) -> Path | None:
        return value.expanduser() if value is not None else None

    @model_validator(mode="after")
    def _fill_paths(self) -> "Settings":
        if self.models_dir is None:
            self.models_dir = self.data_dir / "models"
        if self.vector_dir is None:
            self.vector_dir = self.data_dir / "chroma"
        if self.database_url is None:
            self.database_url = f"sqlite:///{self.data_dir / 'needs.db'}"
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = config_file_path()
        if path is not None:
            if not path.is_file():
                raise FileNotFoundError(
                    f"Config file {path} does not exist. Create it or unset NEEDS_CONFIG."
                )
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    def masked(self) -> dict[str, Any]:
        """Effective settings as plain values, secrets masked (keys shortened, passwords and
        tokens inside URLs replaced)."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = mask_secret(value.get_secret_value())
            elif isinstance(value, Path):
                value = mask_text(str(value))
            elif isinstance(value, str):
                value = mask_text(value)
            out[name] = value
        return out

    @staticmethod
    def describe() -> dict[str, str]:
        return {name: (f.description or "") for name, f in Settings.model_fields.items()}


def load_settings(**overrides: Any) -> Settings:
    """Settings from env/TOML (and ``overrides``); a bad value becomes a message naming
    the variable and the fix. Every command and the web app load settings through this."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        lines = []
        for problem in exc.errors():
            field = ".".join(str(p) for p in problem["loc"])
            message = str(problem["msg"]).removeprefix("Value error, ")
            lines.append(f"  NEEDS_{field.upper()}: {mask_text(message)}")
        raise NeedsError(
            "Invalid setting:\n" + "\n".join(lines),
            fix="correct the environment variable or needs.toml entry named above "
            "(`needs config` lists all settings)",
        ) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings (tests build their own Settings instead)."""
    return Settings()

"""The one seam through which every model call is built: chosen by ``settings.provider``."""

from __future__ import annotations

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.errors import ConfigError
from assistant.model_files import get_spec, require_model
from assistant.settings import Settings


def build_chat_model(settings: Settings) -> BaseChatModel:
    """A LangChain chat model for the configured provider.

    Errors name the setting or command that fixes them, e.g. a missing model file
    names `needs model pull`, a missing endpoint names NEEDS_OPENAI_BASE_URL.
    """
    match settings.provider:
        case "local":
            from assistant.llm.local import LocalChatModel

            if settings.local_model_path is not None:
                path = settings.local_model_path
                if not path.is_file():
                    raise ConfigError(
                        f"NEEDS_LOCAL_MODEL_PATH points to {path}, which does not exist.",
                        fix="fix the path, or unset NEEDS_LOCAL_MODEL_PATH to use a pulled model",
                    )
                name = path.stem
            else:
                spec = get_spec(settings.local_model)
                path = require_model(spec, settings.models_dir)
                name = spec.name
            return LocalChatModel(
                model_path=path,
                model_name=name,
                n_ctx=settings.context_tokens,
                threads=settings.threads,
                temperature=settings.temperature,
                max_tokens=settings.max_reply_tokens,
                timeout=settings.request_timeout,
            )
        case "openai":
            missing = [
                env
                for env, value in (
                    ("NEEDS_OPENAI_BASE_URL", settings.openai_base_url),
                    ("NEEDS_OPENAI_API_KEY", settings.openai_api_key),
                    ("NEEDS_OPENAI_MODEL", settings.openai_model),
                )
                if not value
            ]
            if missing:
                raise ConfigError(
                    "The 'openai' provider needs an endpoint, a key and a model name; "
                    f"missing: {', '.join(missing)}.",
                    fix="set " + " and ".join(missing) + " (environment or needs.toml); "
                    "for a local server without auth any key works, e.g. NEEDS_OPENAI_API_KEY=none",
                )
            from assistant.llm.calls import remember_formats_in
            from assistant.llm.endpoint import EndpointChatModel

            remember_formats_in(settings.data_dir / "endpoint_formats.json")
            return EndpointChatModel(
                base_url=settings.openai_base_url,
                api_key=settings.openai_api_key,
                model=settings.openai_model,
                temperature=settings.temperature,
                max_tokens=settings.max_reply_tokens,
                timeout=settings.request_timeout,
                max_retries=0,  # retries happen in assistant.llm.calls, the same for every provider
                stream_usage=True,
            )
        case "fake":
            from assistant.llm.fake import FakeChatModel

            return FakeChatModel()
    raise ConfigError(f"Unknown provider {settings.provider!r}.", fix="set NEEDS_PROVIDER=local")

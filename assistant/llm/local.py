"""The embedded chat model: a GGUF file run in-process by llama.cpp. No server, no key.

One ``Llama`` instance per (file, context, threads) is loaded once per process and
shared behind a lock (llama.cpp contexts are not thread-safe). llama.cpp reuses the
evaluated prefix of the previous prompt, so prompts with a stable opening are cheap.
"""

from __future__ import annotations

import threading
import time
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

from assistant.errors import ModelError, ModelNotInstalled


class LocalModelTimeout(TimeoutError):
    """Generation ran past its deadline; the partial text is discarded."""


_LOCK = threading.Lock()


@lru_cache(maxsize=2)
def load_llama(path: str, n_ctx: int, threads: int):
    """Load (once per process) the GGUF at ``path``."""
    try:
        from llama_cpp import Llama
    except ImportError as exc:  # pragma: no cover - depends on installation
        raise ModelNotInstalled(
            "The llama.cpp runtime (llama-cpp-python) is not installed.",
            fix="run `bash scripts/setup.sh` — it builds the portable llama.cpp runtime",
        ) from exc
    try:
        return Llama(
            model_path=path,
            n_ctx=n_ctx,
            n_threads=threads,
            n_threads_batch=threads,
            n_batch=256,
            verbose=False,
            seed=42,
        )
    except (ValueError, RuntimeError) as exc:
        raise ModelNotInstalled(
            f"llama.cpp could not load {path}: {exc}",
            fix="run `needs model pull --force` to reinstall the model file",
        ) from exc


def _role(message: BaseMessage) -> str:
    if isinstance(message, SystemMessage):
        return "system"
    if isinstance(message, HumanMessage):
        return "user"
    if isinstance(message, AIMessage):
        return "assistant"
    return "user"


def _llama_response_format(response_format: dict[str, Any] | None) -> dict[str, Any] | None:
    """Accept the OpenAI shapes and translate them to llama-cpp-python's."""
    if not response_format:
        return None
    kind = response_format.get("type")
    if kind == "json_schema":
        schema = response_format.get("json_schema", {}).get("schema")
        return {"type": "json_object", "schema": schema} if schema else {"type": "json_object"}
    if kind == "json_object":
        return {k: v for k, v in response_format.items() if k in ("type", "schema")}
    return None


class LocalChatModel(BaseChatModel):
    """LangChain chat model over an in-process llama.cpp model."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: Path
    model_name: str = "local"
    n_ctx: int = 4096
    threads: int = 1
    temperature: float = 0.3
    max_tokens: int = 320
    timeout: float = 120.0
    _last_stats: dict[str, float] = PrivateAttr(default_factory=dict)

    @property
    def _llm_type(self) -> str:
        return "llama.cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "threads": self.threads, "n_ctx": self.n_ctx}

    @property
    def last_stats(self) -> dict[str, float]:
        """Timing of the most recent call: prompt_tokens, completion_tokens, seconds, ttft."""
        return dict(self._last_stats)

    def llama(self):
        return load_llama(str(self.model_path), self.n_ctx, self.threads)

    def _params(self, stop: list[str] | None, kwargs: dict[str, Any]) -> dict[str, Any]:
        params: dict[str, Any] = {
            "temperature": kwargs.get("temperature", self.temperature),
            "max_tokens": kwargs.get("max_tokens", self.max_tokens),
            "stop": stop or kwargs.get("stop") or [],
            "repeat_penalty": kwargs.get("repeat_penalty", 1.1),
        }
        fmt = _llama_response_format(kwargs.get("response_format"))
        if fmt:
            params["response_format"] = fmt
        return params

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        llama = self.llama()
        payload = [{"role": _role(m), "content": str(m.content)} for m in messages]
        params = self._params(stop, kwargs)
        deadline = time.monotonic() + float(kwargs.get("timeout", self.timeout))
        started = time.perf_counter()
        first: float | None = None
        produced = 0
        with _LOCK:
            try:
                stream = llama.create_chat_completion(messages=payload, stream=True, **params)
                for event in stream:
                    delta = event["choices"][0].get("delta", {}).get("content") or ""
                    if time.monotonic() > deadline:
                        stream.close()
                        raise LocalModelTimeout(
                            f"the embedded model did not finish within {self.timeout:.0f} s"
                        )
                    if not delta:
                        continue
                    if first is None:
                        first = time.perf_counter() - started
                    produced += 1
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                    if run_manager:
                        run_manager.on_llm_new_token(delta, chunk=chunk)
                    yield chunk
            except (LocalModelTimeout, GeneratorExit):
                raise
            except Exception as exc:  # llama.cpp raises plain RuntimeError/ValueError
                raise ModelError(
                    f"The embedded model failed: {exc}",
                    fix="try a shorter message; if it repeats, run `needs model check`",
                ) from exc
        self._last_stats = {
            "completion_chunks": produced,
            "seconds": time.perf_counter() - started,
            "ttft": first if first is not None else float("nan"),
        }

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(
            chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs)
        )
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

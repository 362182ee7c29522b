"""An OpenAI-compatible endpoint as a chat model: the length cap it honours, enforced here too.

OpenAI's own API takes ``max_completion_tokens``; most other OpenAI-compatible servers
(llama.cpp's, vLLM, DeepSeek, Ollama) read ``max_tokens`` and some ignore the newer name
silently, so the cap is sent under the name the endpoint honours. Whatever the server does,
a streamed reply is cut after the cap on our side as well (one streamed piece is about one
token), so a server that ignores the cap cannot make a reply run on.

Which JSON mode an endpoint accepts is remembered per endpoint in a small file in the data
directory (``FormatMemory``), so a second process does not try a rejected mode again.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, Iterator

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_openai import ChatOpenAI

log = logging.getLogger(__name__)


def is_openai_api(base_url: str | None) -> bool:
    return bool(base_url) and "api.openai.com" in str(base_url)


class EndpointChatModel(ChatOpenAI):
    """ChatOpenAI that sends ``max_tokens`` to non-OpenAI endpoints and caps replies client-side."""

    def _cap(self, kwargs: dict[str, Any]) -> int | None:
        value = kwargs.get("max_tokens") or kwargs.get("max_completion_tokens") or self.max_tokens
        return int(value) if value else None

    def _get_request_payload(self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any) -> dict:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        if not is_openai_api(self.openai_api_base) and "max_completion_tokens" in payload:
            payload["max_tokens"] = payload.pop("max_completion_tokens")
        return payload

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        cap = self._cap(kwargs)
        pieces = 0
        source = super()._stream(messages, stop=stop, run_manager=run_manager, **kwargs)
        try:
            for chunk in source:
                if chunk.text:
                    pieces += 1
                yield chunk
                if cap is not None and pieces >= cap:
                    log.info("reply cut client-side at %d pieces (endpoint ignored the cap?)", cap)
                    break
        finally:
            close = getattr(source, "close", None)
            if close:
                close()

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        if self._cap(kwargs) is None:
            return super()._generate(messages, stop=stop, run_manager=run_manager, **kwargs)
        # with a cap, stream: the cap is then enforced here even when the server ignores it
        text = "".join(c.text for c in self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


class FormatMemory:
    """endpoint -> the JSON mode that worked (or the modes it rejected), kept in a JSON file."""

    def __init__(self, path: Path | None):
        self.path = path
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}  # a damaged file only costs one more try of each mode
        return data if isinstance(data, dict) else {}

    def get(self, key: str) -> str | None:
        value = self._read().get(key)
        return value if isinstance(value, str) else None

    def set(self, key: str, kind: str) -> None:
        if self.path is None:
            return
        with self._lock:
            data = self._read()
            if data.get(key) == kind:
                return
            data[key] = kind
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
                os.replace(tmp, self.path)
            except OSError as exc:  # memory is an optimisation; never fail a call over it
                log.warning("could not remember the JSON mode for %s: %s", key, exc)


def endpoint_key(model: Any) -> str | None:
    """A stable name for the endpoint behind a model (None for in-process models)."""
    base = getattr(model, "openai_api_base", None)
    if not base:
        return None
    return f"{str(base).rstrip('/')}#{getattr(model, 'model_name', '')}"

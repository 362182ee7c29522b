"""Every model call goes through here: bounded retries with backoff, then a typed error.

``complete`` returns the reply text, ``stream`` yields pieces of it, and
``complete_json`` returns a validated pydantic object (re-asking once with the
validation error when the model's output does not fit the schema).
"""

from __future__ import annotations

import json
import logging
import re
import time
from pathlib import Path
from typing import Any, Iterator, Sequence, TypeVar

import openai
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage
from pydantic import BaseModel, ValidationError
from tenacity import (
    Retrying,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from assistant.errors import ModelError, ModelTimeout, ModelUnavailable, NeedsError
from assistant.llm.endpoint import FormatMemory, endpoint_key
from assistant.llm.local import LocalModelTimeout

log = logging.getLogger(__name__)

T = TypeVar("T", bound=BaseModel)

_TIMEOUTS = (TimeoutError, LocalModelTimeout, openai.APITimeoutError)
_RETRYABLE = _TIMEOUTS + (
    openai.APIConnectionError,
    openai.RateLimitError,
    openai.InternalServerError,
    ConnectionError,
)


def _translate(exc: BaseException) -> NeedsError:
    if isinstance(exc, NeedsError):
        return exc
    if isinstance(exc, _TIMEOUTS):
        return ModelTimeout(
            "The model took too long to answer, even after retrying.",
            fix="try again, shorten the message, or raise NEEDS_REQUEST_TIMEOUT "
            "(a smaller model: NEEDS_LOCAL_MODEL=qwen2.5-0.5b)",
        )
    if isinstance(exc, openai.AuthenticationError):
        return ModelUnavailable(
            "The model endpoint rejected the API key.", fix="check NEEDS_OPENAI_API_KEY"
        )
    if isinstance(exc, openai.NotFoundError):
        return ModelUnavailable(
            f"The model endpoint does not know this model or path: {exc}",
            fix="check NEEDS_OPENAI_MODEL and that NEEDS_OPENAI_BASE_URL ends with /v1",
        )
    if isinstance(exc, (openai.APIConnectionError, ConnectionError)):
        return ModelUnavailable(
            "The model endpoint could not be reached.",
            fix="check NEEDS_OPENAI_BASE_URL and that the server is running, "
            "or switch back to the offline model with NEEDS_PROVIDER=local",
        )
    if isinstance(exc, openai.RateLimitError):
        return ModelUnavailable(
            "The model endpoint is rate-limiting us.", fix="wait a minute and try again"
        )
    if isinstance(exc, openai.APIStatusError):
        return ModelUnavailable(f"The model endpoint answered with an error: {exc}")
    return ModelError(f"The model call failed: {exc}")


def _retrying(attempts: int) -> Retrying:
    return Retrying(
        stop=stop_after_attempt(max(1, attempts)),
        wait=wait_random_exponential(multiplier=0.5, max=8.0),
        retry=retry_if_exception_type(_RETRYABLE),
        reraise=True,
    )


def complete(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    *,
    retries: int = 2,
    **bind: Any,
) -> str:
    """The reply text; raises a NeedsError subclass after ``retries`` failed retries."""
    try:
        for attempt in _retrying(retries + 1):
            with attempt:
                reply = model.invoke(list(messages), **bind)
                return str(reply.content)
    except Exception as exc:  # translated into a typed, user-facing error
        raise _translate(exc) from exc
    raise AssertionError("unreachable")  # pragma: no cover


def stream(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    *,
    retries: int = 2,
    **bind: Any,
) -> Iterator[str]:
    """Yield the reply piece by piece.

    A failure before the first piece is retried like ``complete``; a failure after
    text was already shown is raised at once (re-sending would duplicate it).
    """
    attempts = retries + 1
    last: BaseException | None = None
    for attempt in range(attempts):
        produced = False
        try:
            for chunk in model.stream(list(messages), **bind):
                text = str(chunk.content)
                if text:
                    produced = True
                    yield text
            return
        except _RETRYABLE as exc:
            last = exc
            if produced or attempt == attempts - 1:
                raise _translate(exc) from exc
            log.warning("model stream failed (%s); retrying", exc)
            time.sleep(min(8.0, 0.5 * 2**attempt))
        except Exception as exc:
            raise _translate(exc) from exc
    if last is not None:  # pragma: no cover
        raise _translate(last)


_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$", re.MULTILINE)


def parse_json_object(text: str) -> Any:
    """Parse model output as JSON, tolerating code fences and leading chatter."""
    cleaned = _FENCE.sub("", text.strip())
    try:
        return json.loads(cleaned)
    except json.JSONDecodeError:
        start = min((i for i in (cleaned.find("{"), cleaned.find("[")) if i >= 0), default=-1)
        if start < 0:
            raise
        return json.JSONDecoder().raw_decode(cleaned[start:])[0]


def json_schema_format(schema_model: type[BaseModel]) -> dict[str, Any]:
    """OpenAI ``response_format`` for a pydantic model (the local model accepts it too)."""
    return {
        "type": "json_schema",
        "json_schema": {
            "name": schema_model.__name__,
            "schema": schema_model.model_json_schema(),
            "strict": False,
        },
    }


class StructuredOutputError(ModelError):
    """The model's output did not fit the schema after the re-ask."""


# Endpoints differ in how they take a schema: OpenAI wants ``json_schema``, llama.cpp's
# server ``json_object`` with a ``schema`` (it answers ``json_schema`` with HTTP 500),
# DeepSeek plain ``json_object``, some nothing. complete_json tries them in this order;
# a rejection steps down at once (no retries of a rejected form), and what worked is
# remembered per endpoint, in memory and in a small file shared by processes.
_FORMAT_LADDER = ("json_schema", "json_object_schema", "json_object", "none")
_working_format: dict[object, str] = {}
_format_memory = FormatMemory(None)
# HTTP statuses with which servers say "this response_format is not supported"
_FORMAT_REJECTION_STATUS = {400, 415, 422, 500, 501}


def remember_formats_in(path: Path | None) -> None:
    """Keep the JSON mode each endpoint accepts in ``path`` (set when a provider is built)."""
    global _format_memory
    _format_memory = FormatMemory(path)


def _memory_key(model: BaseChatModel) -> object:
    return endpoint_key(model) or id(model)


def _known_format(model: BaseChatModel) -> str | None:
    key = _memory_key(model)
    kind = _working_format.get(key)
    if kind is None and isinstance(key, str):
        kind = _format_memory.get(key)
    return kind if kind in _FORMAT_LADDER else None


def _remember_format(model: BaseChatModel, kind: str) -> None:
    key = _memory_key(model)
    _working_format[key] = kind
    if isinstance(key, str):
        _format_memory.set(key, kind)


def _format_for(kind: str, schema_model: type[BaseModel]) -> dict[str, Any] | None:
    if kind == "json_schema":
        return json_schema_format(schema_model)
    if kind == "json_object_schema":
        return {"type": "json_object", "schema": schema_model.model_json_schema()}
    if kind == "json_object":
        return {"type": "json_object"}
    return None


def _rejects_format(exc: BaseException) -> bool:
    """An HTTP error that means the endpoint does not take this response format."""
    cause = exc.__cause__ or exc
    if not isinstance(cause, openai.APIStatusError):
        return False
    if "response_format" in str(cause) or "json_schema" in str(cause):
        return True
    return getattr(cause, "status_code", None) in _FORMAT_REJECTION_STATUS


def _schema_hint(schema_model: type[BaseModel]) -> str:
    schema = json.dumps(schema_model.model_json_schema(), ensure_ascii=False)
    return f"\n\n只输出一个 JSON 对象，符合此 JSON Schema / Output one JSON object matching: {schema}"


def complete_json(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    schema_model: type[T],
    *,
    retries: int = 2,
    reasks: int = 1,
    **bind: Any,
) -> T:
    """Ask for JSON that validates against ``schema_model``.

    The schema goes to the endpoint as a response format (the strongest form it
    accepts). On invalid output the model is shown its answer and the validation
    error and asked again, ``reasks`` times; then ``StructuredOutputError`` is raised
    so the caller can fall back (e.g. to a rule-based extractor).
    """
    known = _known_format(model)
    start = _FORMAT_LADDER.index(known or _FORMAT_LADDER[0])
    for kind in _FORMAT_LADDER[start:]:
        history = list(messages)
        if kind in ("json_object", "none") and history:
            last = history[-1]
            history[-1] = HumanMessage(content=str(last.content) + _schema_hint(schema_model))
        fmt = _format_for(kind, schema_model)
        call_bind = dict(bind)
        if fmt is not None:
            call_bind["response_format"] = fmt
        untried = fmt is not None and kind != known
        try:
            # a form not yet known to work is tried once: a rejection must not be retried
            result = _validated(model, history, schema_model, 0 if untried else retries, reasks, call_bind)
        except (ModelUnavailable, ModelError) as exc:
            if isinstance(exc, StructuredOutputError):
                raise
            if fmt is not None and _rejects_format(exc):
                log.info("endpoint rejected response_format=%s; trying the next form", kind)
                continue
            if not untried or not isinstance(exc.__cause__, _RETRYABLE):
                raise
            result = _validated(model, history, schema_model, retries, reasks, call_bind)
        _remember_format(model, kind)
        return result
    raise AssertionError("unreachable")  # pragma: no cover


def _validated(
    model: BaseChatModel,
    history: list[BaseMessage],
    schema_model: type[T],
    retries: int,
    reasks: int,
    bind: dict[str, Any],
) -> T:
    error = ""
    for _ in range(reasks + 1):
        text = complete(model, history, retries=retries, **bind)
        try:
            return schema_model.model_validate(parse_json_object(text))
        except (json.JSONDecodeError, ValueError, ValidationError) as exc:
            error = str(exc)[:600]
            history = history + [
                AIMessage(content=text[:2000]),
                HumanMessage(
                    content="上面的输出不符合要求的 JSON 格式 / The output above is not valid "
                    f"for the schema: {error}\n请只输出一个符合格式的 JSON 对象。"
                    " Reply with one valid JSON object only."
                ),
            ]
    raise StructuredOutputError(
        f"The model's answer did not match the expected format: {error}",
        fix="try again; a larger model (NEEDS_LOCAL_MODEL or an OpenAI-compatible endpoint) "
        "is more reliable",
    )

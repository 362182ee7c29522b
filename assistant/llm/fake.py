"""A scripted chat model for tests: queue replies, record every prompt it receives.

It is a real LangChain chat model, so every code path that works with it works the
same with the embedded or an OpenAI-compatible model. Queue strings (returned as the
reply), exceptions (raised, e.g. ``TimeoutError()`` to simulate a time-out) or
callables ``f(messages) -> str`` (to answer depending on the prompt).
"""

from __future__ import annotations

from collections import deque
from typing import Any, Callable, Iterator, Union

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

Reply = Union[str, BaseException, Callable[[list[BaseMessage]], str]]


class FakeChatModel(BaseChatModel):
    """Replies from a queue; when the queue is empty, echoes the last message."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    queue: deque = Field(default_factory=deque)
    prompts: list[list[BaseMessage]] = Field(default_factory=list)
    call_kwargs: list[dict[str, Any]] = Field(default_factory=list)
    chunk_size: int = 4

    @property
    def _llm_type(self) -> str:
        return "fake"

    def enqueue(self, *replies: Reply) -> "FakeChatModel":
        self.queue.extend(replies)
        return self

    @property
    def last_prompt_text(self) -> str:
        """The most recent prompt as one string (system + user parts joined)."""
        if not self.prompts:
            return ""
        return "\n".join(str(m.content) for m in self.prompts[-1])

    def _next_reply(self, messages: list[BaseMessage], kwargs: dict[str, Any]) -> str:
        self.prompts.append(list(messages))
        self.call_kwargs.append(dict(kwargs))
        if not self.queue:
            last = str(messages[-1].content) if messages else ""
            return f"（测试模型）收到：{last[:60]}"
        reply = self.queue.popleft()
        if isinstance(reply, BaseException):
            raise reply
        if callable(reply):
            return reply(list(messages))
        return reply

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = self._next_reply(messages, kwargs)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        text = self._next_reply(messages, kwargs)
        for start in range(0, len(text), self.chunk_size):
            piece = text[start : start + self.chunk_size]
            chunk = ChatGenerationChunk(message=AIMessageChunk(content=piece))
            if run_manager:
                run_manager.on_llm_new_token(piece, chunk=chunk)
            yield chunk

"""OpenAI-compatible endpoints over a real HTTP client (httpx mock transport on our side):
the JSON-mode ladder steps down at once and remembers, length caps use the name the
endpoint honours and are enforced client-side."""

import json

import httpx
import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel

from assistant.llm import calls
from assistant.llm.endpoint import EndpointChatModel, FormatMemory, endpoint_key
from assistant.llm.providers import build_chat_model
from assistant.settings import Settings


class Answer(BaseModel):
    customer: str
    wants: str


def _reply(content: str) -> dict:
    return {"id": "x", "object": "chat.completion", "created": 0, "model": "m",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 5, "completion_tokens": 5, "total_tokens": 10}}


def _sse(pieces: list[str]) -> bytes:
    lines = []
    for p in pieces:
        chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                 "choices": [{"index": 0, "delta": {"content": p}, "finish_reason": None}]}
        lines.append("data: " + json.dumps(chunk, ensure_ascii=False) + "\n\n")
    lines.append("data: [DONE]\n\n")
    return "".join(lines).encode()


class LlamaCppLike:
    """Answers like llama_cpp.server 0.3.36: json_schema -> HTTP 500; max_completion_tokens ignored."""

    def __init__(self, words: int = 40):
        self.requests: list[dict] = []
        self.words = words

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.requests.append(body)
        fmt = (body.get("response_format") or {}).get("type")
        if fmt == "json_schema":
            return httpx.Response(500, json={"error": {"message": "Internal Server Error"}})
        if body.get("stream"):
            cap = body.get("max_tokens") or self.words  # max_completion_tokens is not read
            return httpx.Response(200, content=_sse(["字"] * min(cap, self.words)),
                                  headers={"content-type": "text/event-stream"})
        return httpx.Response(200, json=_reply('{"customer": "老太太", "wants": "酸枣"}'))


def _model(server, base="http://127.0.0.1:9/v1") -> EndpointChatModel:
    return EndpointChatModel(base_url=base, api_key="none", model="local-qwen", max_retries=0,
                             http_client=httpx.Client(transport=httpx.MockTransport(server)))


@pytest.fixture(autouse=True)
def fresh_memory(tmp_path):
    calls._working_format.clear()
    calls.remember_formats_in(tmp_path / "endpoint_formats.json")
    yield tmp_path / "endpoint_formats.json"
    calls._working_format.clear()
    calls.remember_formats_in(None)


def test_http_500_on_json_schema_steps_down_at_once_and_is_remembered(fresh_memory):
    server = LlamaCppLike()
    result = calls.complete_json(_model(server), [HumanMessage("谁想要什么？")], Answer, retries=2)
    assert result.wants == "酸枣"
    kinds = [(r.get("response_format") or {}).get("type") for r in server.requests]
    assert kinds == ["json_schema", "json_object"]  # one try of the rejected form, no retries
    assert "schema" in server.requests[1]["response_format"]
    # another process (fresh in-memory state, same file) starts with the form that worked
    calls._working_format.clear()
    calls.remember_formats_in(fresh_memory)
    again = LlamaCppLike()
    calls.complete_json(_model(again), [HumanMessage("再来")], Answer)
    assert [(r.get("response_format") or {}).get("type") for r in again.requests] == ["json_object"]
    stored = json.loads(fresh_memory.read_text())
    assert stored == {"http://127.0.0.1:9/v1#local-qwen": "json_object_schema"}


def test_length_cap_sent_as_max_tokens_and_enforced_client_side():
    server = LlamaCppLike(words=60)
    pieces = list(calls.stream(_model(server), [HumanMessage("说话")], max_tokens=7))
    body = server.requests[-1]
    assert body["max_tokens"] == 7 and "max_completion_tokens" not in body
    assert len(pieces) == 7

    class Ignores(LlamaCppLike):  # a server that reads no cap at all
        def __call__(self, request):
            body = json.loads(request.content)
            self.requests.append(body)
            return httpx.Response(200, content=_sse(["字"] * 60), headers={"content-type": "text/event-stream"})

    deaf = Ignores()
    assert len(list(calls.stream(_model(deaf), [HumanMessage("说话")], max_tokens=5))) == 5
    assert len(calls.complete(_model(deaf), [HumanMessage("说话")], max_tokens=5)) == 5


def test_openai_itself_gets_max_completion_tokens():
    server = LlamaCppLike()
    model = _model(server, base="https://api.openai.com/v1")
    list(calls.stream(model, [HumanMessage("hi")], max_tokens=3))
    assert server.requests[-1]["max_completion_tokens"] == 3 and "max_tokens" not in server.requests[-1]


def test_a_damaged_memory_file_costs_only_a_retry(tmp_path):
    path = tmp_path / "f.json"
    path.write_text("{not json")
    memory = FormatMemory(path)
    assert memory.get("x") is None
    memory.set("x", "json_object")
    assert FormatMemory(path).get("x") == "json_object"


def test_provider_builds_the_endpoint_model(tmp_path):
    settings = Settings(provider="openai", data_dir=tmp_path, openai_base_url="http://127.0.0.1:9/v1",
                        openai_api_key="none", openai_model="m")
    model = build_chat_model(settings)
    assert isinstance(model, EndpointChatModel)
    assert endpoint_key(model) == "http://127.0.0.1:9/v1#m"
    assert calls._format_memory.path == tmp_path / "endpoint_formats.json"


from tests.test_openai_server import server  # noqa: E402,F401  (the real llama.cpp server fixture)


@pytest.mark.slow
def test_real_llama_cpp_server_steps_down_remembers_and_caps(server, tmp_path):  # noqa: F811
    settings = Settings(provider="openai", data_dir=tmp_path, openai_base_url=server, openai_api_key="none",
                        openai_model="local-qwen", temperature=0.0)
    model = build_chat_model(settings)
    result = calls.complete_json(model, [HumanMessage("老太太想买酸枣给怀孕的儿媳妇。用 JSON 回答：customer 是谁，wants 想要什么。")],
                                 Answer, max_tokens=80)
    assert result.customer and result.wants
    stored = json.loads((tmp_path / "endpoint_formats.json").read_text())
    assert stored[f"{server}#local-qwen"] in ("json_object_schema", "json_object")
    pieces = list(calls.stream(model, [HumanMessage("用中文讲一个很长的故事。")], max_tokens=6))
    assert 0 < len(pieces) <= 6

"""The provider seam, the fake, retries and structured output — no real model needed."""

import openai
import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.errors import ConfigError, ModelNotInstalled, ModelTimeout, ModelUnavailable
from assistant.llm import calls
from assistant.llm.fake import FakeChatModel
from assistant.llm.local import LocalChatModel
from assistant.llm.providers import build_chat_model
from assistant.settings import Settings


def test_fake_records_prompts_and_replies_in_order(fake_model):
    fake_model.enqueue("第一句", "第二句")
    msgs = [SystemMessage("你是教练"), HumanMessage("客户说想买枣子")]
    assert calls.complete(fake_model, msgs) == "第一句"
    assert "".join(calls.stream(fake_model, [HumanMessage("再来")])) == "第二句"
    assert len(fake_model.prompts) == 2
    assert fake_model.prompts[0][1].content == "客户说想买枣子"
    assert "你是教练" in fake_model.prompts[0][0].content


def test_fake_answers_by_callable_and_echoes_when_empty(fake_model):
    fake_model.enqueue(lambda m: f"len={len(m)}")
    assert calls.complete(fake_model, [HumanMessage("a"), HumanMessage("b")]) == "len=2"
    assert "收到" in calls.complete(fake_model, [HumanMessage("你好")])


def test_provider_chosen_by_setting(tmp_path):
    assert isinstance(build_chat_model(Settings(provider="fake", data_dir=tmp_path)), FakeChatModel)
    openai_model = build_chat_model(
        Settings(provider="openai", data_dir=tmp_path, openai_base_url="http://127.0.0.1:9/v1",
                 openai_api_key="k", openai_model="m")
    )
    from langchain_openai import ChatOpenAI

    assert isinstance(openai_model, ChatOpenAI)
    assert openai_model.model_name == "m"


def test_missing_local_model_names_the_pull_command(tmp_path):
    s = Settings(provider="local", data_dir=tmp_path)  # empty models dir
    with pytest.raises(ModelNotInstalled) as info:
        build_chat_model(s)
    assert "needs model pull" in str(info.value)


def test_corrupt_local_model_is_detected(tmp_path):
    from assistant.model_files import MODELS

    spec = MODELS["qwen2.5-0.5b"]
    models = tmp_path / "models"
    models.mkdir()
    with (models / spec.filename).open("wb") as fh:  # right size, wrong bytes
        fh.truncate(spec.size)
    s = Settings(provider="local", local_model="qwen2.5-0.5b", data_dir=tmp_path)
    with pytest.raises(ModelNotInstalled, match="corrupt"):
        build_chat_model(s)


def test_openai_provider_names_missing_env_vars(tmp_path):
    with pytest.raises(ConfigError) as info:
        build_chat_model(Settings(provider="openai", data_dir=tmp_path, openai_model="x"))
    text = str(info.value)
    assert "NEEDS_OPENAI_BASE_URL" in text and "NEEDS_OPENAI_API_KEY" in text
    assert "NEEDS_OPENAI_MODEL" not in text.split("→")[0].split("missing:")[1]


def test_timeouts_are_retried_then_succeed(fake_model):
    fake_model.enqueue(TimeoutError("slow"), "好的")
    assert calls.complete(fake_model, [HumanMessage("x")], retries=2) == "好的"
    assert len(fake_model.prompts) == 2


def test_persistent_timeout_becomes_typed_error(fake_model):
    fake_model.enqueue(TimeoutError(), TimeoutError(), TimeoutError())
    with pytest.raises(ModelTimeout) as info:
        calls.complete(fake_model, [HumanMessage("x")], retries=1)
    assert len(fake_model.prompts) == 2
    assert "NEEDS_REQUEST_TIMEOUT" in str(info.value)


def test_stream_retries_before_first_token(fake_model):
    fake_model.enqueue(TimeoutError(), "流式回答")
    assert "".join(calls.stream(fake_model, [HumanMessage("x")], retries=1)) == "流式回答"


def test_unreachable_endpoint_is_typed_and_names_fix(tmp_path):
    # A real client against a closed local port: connection refused, quickly.
    s = Settings(provider="openai", data_dir=tmp_path, openai_base_url="http://127.0.0.1:9/v1",
                 openai_api_key="k", openai_model="m", request_timeout=5)
    with pytest.raises(ModelUnavailable) as info:
        calls.complete(build_chat_model(s), [HumanMessage("hi")], retries=0)
    assert "NEEDS_OPENAI_BASE_URL" in str(info.value)


def test_auth_error_is_not_retried(fake_model):
    import httpx

    request = httpx.Request("POST", "http://x/v1/chat/completions")
    fake_model.enqueue(
        openai.AuthenticationError("bad key", response=httpx.Response(401, request=request), body=None)
    )
    with pytest.raises(ModelUnavailable, match="NEEDS_OPENAI_API_KEY"):
        calls.complete(fake_model, [HumanMessage("x")], retries=3)
    assert len(fake_model.prompts) == 1


class Need(BaseModel):
    statement: str = Field(description="the need")
    owner: str


def test_complete_json_reasks_once_with_the_error(fake_model):
    fake_model.enqueue("不是JSON", '```json\n{"statement": "酸的水果", "owner": "user"}\n```')
    need = calls.complete_json(fake_model, [HumanMessage("提取")], Need)
    assert need == Need(statement="酸的水果", owner="user")
    reask = fake_model.prompts[1][-1].content
    assert "JSON" in reask
    assert fake_model.call_kwargs[0]["response_format"]["json_schema"]["name"] == "Need"


def test_complete_json_gives_up_with_typed_error(fake_model):
    fake_model.enqueue('{"statement": 1}', '{"owner": "x"}')
    with pytest.raises(calls.StructuredOutputError):
        calls.complete_json(fake_model, [HumanMessage("提取")], Need, reasks=1)


def test_local_response_format_translation():
    from assistant.llm.local import _llama_response_format

    fmt = _llama_response_format(calls.json_schema_format(Need))
    assert fmt["type"] == "json_object" and "statement" in fmt["schema"]["properties"]
    assert _llama_response_format(None) is None
    assert LocalChatModel.model_fields["threads"].default == 1


def test_complete_json_steps_down_when_endpoint_rejects_the_format(fake_model):
    import httpx

    request = httpx.Request("POST", "http://x/v1/chat/completions")
    rejection = openai.BadRequestError(
        "response_format type json_schema not supported",
        response=httpx.Response(400, request=request), body=None,
    )
    fake_model.enqueue(rejection, '{"statement": "酸的", "owner": "user"}')
    assert calls.complete_json(fake_model, [HumanMessage("提取")], Need).owner == "user"
    assert fake_model.call_kwargs[1]["response_format"]["type"] == "json_object"
    assert "schema" in fake_model.call_kwargs[1]["response_format"]
    # remembered: the next call starts with the form that worked
    fake_model.enqueue('{"statement": "x", "owner": "buyer"}')
    calls.complete_json(fake_model, [HumanMessage("再提取")], Need)
    assert fake_model.call_kwargs[2]["response_format"]["type"] == "json_object"

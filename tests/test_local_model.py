"""The embedded model end to end: the real GGUF through the product's seam."""

import os
import subprocess
import sys

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.errors import ModelTimeout
from assistant.llm import calls
from assistant.llm.providers import build_chat_model
from tests.conftest import has_chinese

pytestmark = pytest.mark.slow


def test_answers_a_chinese_question_in_chinese(local_settings):
    model = build_chat_model(local_settings)
    text = calls.complete(
        model,
        [SystemMessage("你是销售教练，用简体中文回答。"), HumanMessage("客户说想买枣子，销售应该先问什么？一句话回答。")],
        max_tokens=60,
    )
    assert has_chinese(text), text


def test_streams_in_pieces(local_settings):
    model = build_chat_model(local_settings)
    pieces = list(calls.stream(model, [HumanMessage("用中文说三个水果的名字。")], max_tokens=30))
    assert len(pieces) > 3
    assert has_chinese("".join(pieces))


class Fruit(BaseModel):
    name: str = Field(description="水果名称")
    taste: str = Field(description="味道，例如 酸 或 甜")


def test_json_schema_output_validates(local_settings):
    model = build_chat_model(local_settings)
    fruit = calls.complete_json(
        model,
        [HumanMessage("猕猴桃是什么味道？用 JSON 回答，字段 name 和 taste。")],
        Fruit,
        max_tokens=60,
    )
    assert fruit.name and fruit.taste


def test_deadline_becomes_typed_timeout(local_settings):
    model = build_chat_model(local_settings.model_copy(update={"request_timeout": 0.001}))
    with pytest.raises(ModelTimeout):
        calls.complete(model, [HumanMessage("写一首很长的诗")], retries=0, max_tokens=200)


def test_cli_model_check_answers_offline(local_settings):
    env = {
        **os.environ,
        "NEEDS_DATA_DIR": str(local_settings.data_dir),
        "NEEDS_MODELS_DIR": str(local_settings.models_dir),
    }
    result = subprocess.run(
        [sys.executable, "-m", "assistant", "model", "check"],
        capture_output=True, text=True, env=env, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "tok/s" in result.stdout
    answer = result.stdout.split("\n", 2)[-1]
    assert has_chinese(answer)

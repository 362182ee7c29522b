"""The 'openai' provider against a real OpenAI-compatible server (llama.cpp's) on 127.0.0.1."""

import os
import signal
import socket
import subprocess
import sys
import time

import httpx
import pytest
from langchain_core.messages import HumanMessage
from pydantic import BaseModel

from assistant.llm import calls
from assistant.llm.providers import build_chat_model
from assistant.settings import Settings
from tests.conftest import has_chinese

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(local_model_path, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(local_model_path),
             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
             "--n_threads", "1", "--model_alias", "local-qwen"],
            stdout=out, stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama.cpp server exited early:\n{log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama.cpp server did not come up within 180 s")
            time.sleep(0.5)
        yield base
    finally:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def openai_settings(server, tmp_path):
    return Settings(provider="openai", data_dir=tmp_path, openai_base_url=server,
                    openai_api_key="none", openai_model="local-qwen", temperature=0.0)


def test_plain_reply(openai_settings):
    text = calls.complete(build_chat_model(openai_settings), [HumanMessage("用一句中文打个招呼。")], max_tokens=40)
    assert has_chinese(text)


def test_streaming(openai_settings):
    pieces = list(calls.stream(build_chat_model(openai_settings), [HumanMessage("用中文数到五。")], max_tokens=40))
    assert len(pieces) > 2 and has_chinese("".join(pieces))


class Answer(BaseModel):
    customer: str
    wants: str


def test_json_schema_response(openai_settings):
    result = calls.complete_json(
        build_chat_model(openai_settings),
        [HumanMessage("老太太想买酸枣给怀孕的儿媳妇。用 JSON 回答：customer 是谁，wants 想要什么。")],
        Answer,
        max_tokens=80,
    )
    assert result.customer and result.wants

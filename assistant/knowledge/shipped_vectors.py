"""Vectors of the shipped knowledge, computed once when the knowledge is written.

Indexing the shipped knowledge embeds every record (passages, front matter questions,
situations and stages, one record per sentence): about 2,100 records, some four minutes on a
busy two-core machine, which every user would pay on first start. The vectors depend only on
the embedder and the text, so they are shipped with the product in
``data/shipped_vectors.npz``: a record whose (embedder, vector space, text) is found there takes
its vector from the file, anything else (an edited entry, a user's document, another embedder)
is embedded as before. A stale file therefore costs time, never correctness.

Rewrite the file after changing the shipped knowledge::

    python -m assistant.knowledge.shipped_vectors
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

PATH = Path(__file__).with_name("data") / "shipped_vectors.npz"
ENABLED = True  # False: embed everything (benchmarks/retrieval.py measures the cold indexing time this way)

_lock = threading.Lock()
_loaded: dict[str, tuple[dict[bytes, int], np.ndarray]] = {}


def record_key(embedder_key: str, space: str, text: str) -> bytes:
    """The lookup key of one text as embedded in one space ("passage" or "query")."""
    return hashlib.sha256(f"{embedder_key}\x00{space}\x00{text}".encode()).digest()[:16]


def _load(path: Path) -> tuple[dict[bytes, int], np.ndarray]:
    with _lock:
        cached = _loaded.get(str(path))
        if cached is None:
            if path.is_file():
                with np.load(path) as data:
                    keys = data["keys"]
                    vectors = data["vectors"].astype(np.float32)
                norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                vectors = vectors / np.where(norms == 0, 1, norms)
                cached = ({k.tobytes(): i for i, k in enumerate(keys)}, vectors)
            else:
                cached = ({}, np.zeros((0, 0), dtype=np.float32))
            _loaded[str(path)] = cached
        return cached


def lookup(embedder_key: str, items: Sequence[tuple[str, str]], path: Path | None = None
           ) -> dict[int, np.ndarray]:
    """Vectors found for (space, text) items, by position in ``items``."""
    if not ENABLED or not embedder_key or not items:
        return {}
    index, vectors = _load(path or PATH)
    if not index:
        return {}
    found: dict[int, np.ndarray] = {}
    for n, (space, text) in enumerate(items):
        row = index.get(record_key(embedder_key, space, text))
        if row is not None:
            found[n] = vectors[row]
    return found


def write(store: Any, embedder_key: str, path: Path | None = None) -> int:
    """Write the vectors of every record in ``store`` (an indexed shipped knowledge base)."""
    from assistant.knowledge.ingest import QUESTION_VECTORS_AS

    keys: list[bytes] = []
    rows: list[np.ndarray] = []
    seen: set[bytes] = set()
    for _, metas, docs, vectors in store.iter_records_with_vectors(documents=True, page=1_000_000):
        for meta, doc, vec in zip(metas, docs, vectors):
            space = "query" if meta.get("role") == "question" and QUESTION_VECTORS_AS == "query" else "passage"
            key = record_key(embedder_key, space, doc)
            if key in seen:
                continue
            seen.add(key)
            keys.append(key)
            rows.append(vec)
    target = path or PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    # keys as raw bytes in a uint8 array (a fixed-width bytes array would drop trailing zero bytes)
    np.savez_compressed(target, keys=np.frombuffer(b"".join(keys), dtype=np.uint8).reshape(-1, 16),
                        vectors=np.vstack(rows).astype(np.float16))
    with _lock:
        _loaded.pop(str(target), None)
    return len(keys)


def shipped_records(knowledge_dir: Path, chunk_chars: int, chunk_overlap: int) -> list[tuple[str, str, str]]:
    """(file, space, text) of every record the shipped knowledge makes, without embedding anything."""
    from assistant.knowledge.ingest import (
        QUESTION_VECTORS_AS,
        build_records,
        source_key,
    )
    from assistant.knowledge.knowledge_base import SHIPPED_SUBDIRS
    from assistant.knowledge.loaders import load_document

    out: list[tuple[str, str, str]] = []
    for sub in SHIPPED_SUBDIRS:
        for path in sorted((knowledge_dir / sub).glob("*.md")):
            doc = load_document(path, path.read_bytes())
            _, texts, metas = build_records(doc, source_key(path, knowledge_dir), "", "", chunk_chars, chunk_overlap)
            for text, meta in zip(texts, metas):
                space = "query" if meta.get("role") == "question" and QUESTION_VECTORS_AS == "query" else "passage"
                out.append((f"{sub}/{path.name}", space, text))
    return out


def main() -> int:
    import tempfile

    from assistant.knowledge import KnowledgeBase
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        kb = KnowledgeBase.from_settings(Settings(provider="fake", data_dir=Path(tmp)))
        kb.ensure_shipped()
        n = write(kb.store, kb.embedder.key)
    print(f"wrote {n} vectors to {PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The Chroma store of chunks: an embedded PersistentClient in ``settings.vector_dir``
or, when ``settings.chroma_url`` is set, a Chroma server through HttpClient.

Vectors are computed by our embedder and passed explicitly (so query-embedding time
can be measured apart from search), but the embedder is also attached to the
collection as its registered embedding function, so Chroma itself reopens the
collection with the right one.

Each chunk's metadata holds what display and BM25 need without a second lookup:
``text`` (original script, for display), ``tokens`` (jieba tokens of the normalised
text), ``source``/``path``/``source_key``, ``title``, ``section``, ``doc_id``,
``kind``, and ``file_hash``/``pipeline`` for change detection. The document field
holds the normalised text that was embedded.

The collection's metadata carries ``needs:embedder`` (the vector space),
``needs:revision`` (a new random token after every change, which tells cached BM25
indexes to rebuild) and ``needs:shipped`` (the manifest digest of the shipped
knowledge that is indexed).
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Sequence
from urllib.parse import urlparse

import numpy as np

from assistant.knowledge.errors import IndexMismatch, StoreUnavailable

META_EMBEDDER = "needs:embedder"
META_REVISION = "needs:revision"
META_SHIPPED = "needs:shipped"


@dataclass
class Hit:
    id: str
    document: str
    metadata: dict[str, Any]
    similarity: float  # cosine similarity, 1 = same direction


@dataclass
class SourceState:
    file_hash: str
    pipeline: str
    ids: list[str]


_client_lock = threading.Lock()
_clients: dict[str, Any] = {}


def _chroma_settings() -> Any:
    from chromadb.config import Settings as ChromaSettings

    return ChromaSettings(anonymized_telemetry=False, allow_reset=False)


def _open_client(vector_dir: Path, chroma_url: str | None) -> Any:
    """One client per location per process (Chroma shares its system per path too)."""
    import chromadb

    where = chroma_url or str(vector_dir.resolve())
    with _client_lock:
        client = _clients.get(where)
        if client is not None:
            return client
        if chroma_url:
            parsed = urlparse(chroma_url)
            if parsed.path not in ("", "/"):
                raise StoreUnavailable(
                    f"NEEDS_CHROMA_URL has a path ({parsed.path}); Chroma servers are addressed by host and port.",
                    fix="set NEEDS_CHROMA_URL to http(s)://HOST:PORT only",
                )
            ssl = parsed.scheme == "https"
            port = parsed.port or (443 if ssl else 8000)
            try:
                client = chromadb.HttpClient(host=parsed.hostname or "localhost", port=port, ssl=ssl,
                                             settings=_chroma_settings())
                client.heartbeat()
            except Exception as exc:  # noqa: BLE001 - chromadb raises ValueError, httpx errors, …
                raise StoreUnavailable(
                    f"The Chroma server at {chroma_url} could not be reached ({type(exc).__name__}: {exc}).",
                    fix="start it (e.g. `.venv/bin/chroma run --path DIR --host 127.0.0.1 --port 8000`), "
                    "correct NEEDS_CHROMA_URL, or unset NEEDS_CHROMA_URL to use the embedded index",
                ) from exc
        else:
            try:
                vector_dir.mkdir(parents=True, exist_ok=True)
                client = chromadb.PersistentClient(path=str(vector_dir), settings=_chroma_settings())
            except Exception as exc:  # noqa: BLE001
                raise StoreUnavailable(
                    f"The vector index at {vector_dir} could not be opened ({type(exc).__name__}: {exc}).",
                    fix="check that the directory is writable (NEEDS_VECTOR_DIR / NEEDS_DATA_DIR); "
                    "if it is damaged, move it away and run `needs ingest` again",
                ) from exc
        _clients[where] = client
        return client


class ChromaStore:
    """Chunks with vectors in one Chroma collection. Opening is lazy."""

    def __init__(self, *, vector_dir: Path, chroma_url: str | None, collection: str, embedder: Any):
        self.vector_dir = vector_dir
        self.chroma_url = chroma_url
        self.collection_name = collection
        self.embedder = embedder
        self._collection: Any = None
        self._lock = threading.Lock()

    @property
    def location(self) -> str:
        return self.chroma_url or str(self.vector_dir)

    @property
    def identity(self) -> str:
        """Names this index across KnowledgeBase instances (for process-wide caches)."""
        where = self.chroma_url or str(self.vector_dir.resolve())
        return f"{where}#{self.collection_name}"

    @property
    def client(self) -> Any:
        return _open_client(self.vector_dir, self.chroma_url)

    @property
    def collection(self) -> Any:
        with self._lock:
            if self._collection is None:
                self._collection = self._open_collection()
            return self._collection

    def _open_collection(self) -> Any:
        key = self.embedder.key
        try:
            collection = self.client.get_or_create_collection(
                self.collection_name,
                configuration={"hnsw": {"space": "cosine"}},
                metadata={META_EMBEDDER: key, META_REVISION: uuid.uuid4().hex},
                embedding_function=self.embedder,
            )
        except ValueError as exc:
            if "embedding function" in str(exc).lower():
                raise self._mismatch(str(exc)) from exc
            raise StoreUnavailable(f"Chroma refused the collection {self.collection_name!r}: {exc}",
                                   fix="check NEEDS_COLLECTION (3+ characters: letters, digits, . _ -)") from exc
        except StoreUnavailable:
            raise
        except Exception as exc:  # noqa: BLE001
            raise StoreUnavailable(
                f"The Chroma collection {self.collection_name!r} at {self.location} could not be opened "
                f"({type(exc).__name__}: {exc}).",
                fix="check NEEDS_CHROMA_URL / NEEDS_VECTOR_DIR, or that the Chroma server runs",
            ) from exc
        stored = (collection.metadata or {}).get(META_EMBEDDER)
        if stored and stored != key:
            raise self._mismatch(f"built with {stored}, configured {key}")
        return collection

    def _mismatch(self, detail: str) -> IndexMismatch:
        return IndexMismatch(
            f"The knowledge index {self.collection_name!r} at {self.location} was built with a different "
            f"embedder ({detail}); its vectors cannot be searched with the configured one.",
            fix="set NEEDS_COLLECTION to a new name (e.g. knowledge-openai) and run `needs ingest` again, "
            "or switch NEEDS_EMBEDDING_PROVIDER / NEEDS_EMBEDDING_MODEL back",
        )

    # --- collection metadata ---------------------------------------------------------

    def meta(self) -> dict[str, Any]:
        """The collection's metadata, fetched fresh (other processes may have changed it)."""
        try:
            fresh = self.client.get_collection(self.collection_name, embedding_function=self.embedder)
        except Exception:  # noqa: BLE001 - deleted under us: reopen
            with self._lock:
                self._collection = None
            return dict(self.collection.metadata or {})
        with self._lock:
            self._collection = fresh
        return dict(fresh.metadata or {})

    def set_meta(self, key: str, value: str) -> None:
        meta = self.meta()
        meta[key] = value
        meta[META_EMBEDDER] = self.embedder.key
        self.collection.modify(metadata=meta)

    def revision(self) -> str:
        return str(self.meta().get(META_REVISION, ""))

    def touch(self) -> None:
        """Mark the contents as changed (cached BM25 indexes rebuild)."""
        self.set_meta(META_REVISION, uuid.uuid4().hex)

    # --- records ---------------------------------------------------------------------

    def count(self) -> int:
        return int(self.collection.count())

    def source_state(self, source_key: str) -> SourceState | None:
        got = self.collection.get(where={"source_key": source_key}, include=["metadatas"])
        if not got["ids"]:
            return None
        first = got["metadatas"][0] or {}
        return SourceState(str(first.get("file_hash", "")), str(first.get("pipeline", "")), list(got["ids"]))

    def vectors_for(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["embeddings"])
        embeddings = got.get("embeddings")
        if embeddings is None:
            return {}
        return {i: np.asarray(v, dtype=np.float32) for i, v in zip(got["ids"], embeddings)}

    def upsert(self, ids: list[str], documents: list[str], metadatas: list[dict[str, Any]],
               vectors: np.ndarray, batch: int = 256) -> None:
        for start in range(0, len(ids), batch):
            end = start + batch
            self.collection.upsert(
                ids=ids[start:end],
                documents=documents[start:end],
                metadatas=metadatas[start:end],
                embeddings=[np.asarray(v, dtype=np.float32) for v in vectors[start:end]],
            )

    def delete(self, ids: Sequence[str], batch: int = 1000) -> None:
        ids = list(ids)
        for start in range(0, len(ids), batch):
            self.collection.delete(ids=ids[start : start + batch])

    def iter_records(self, *, documents: bool = False, page: int = 2000
                     ) -> Iterator[tuple[list[str], list[dict[str, Any]], list[str]]]:
        """All (ids, metadatas, documents) in pages; documents are '' unless asked for."""
        for ids, metas, docs, _ in self.iter_records_with_vectors(documents=documents, vectors=False, page=page):
            yield ids, metas, docs

    def iter_records_with_vectors(self, *, documents: bool = False, vectors: bool = True, page: int = 2000
                                  ) -> Iterator[tuple[list[str], list[dict[str, Any]], list[str], Any]]:
        """All (ids, metadatas, documents, vectors or None) in pages."""
        include = ["metadatas", "documents"] if documents else ["metadatas"]
        if vectors:
            include.append("embeddings")
        offset = 0
        while True:
            got = self.collection.get(include=include, limit=page, offset=offset)
            ids = got["ids"]
            if not ids:
                return
            docs = got.get("documents") if documents else None
            embeddings = got.get("embeddings") if vectors else None
            yield (list(ids), [m or {} for m in got["metadatas"]], [d or "" for d in (docs or [""] * len(ids))],
                   None if embeddings is None else np.asarray(embeddings, dtype=np.float32))
            if len(ids) < page:
                return
            offset += len(ids)

    def sources(self) -> dict[str, dict[str, Any]]:
        """source_key → {path, ids} for every indexed file."""
        out: dict[str, dict[str, Any]] = {}
        for ids, metas, _ in self.iter_records():
            for cid, meta in zip(ids, metas):
                key = str(meta.get("source_key", ""))
                entry = out.setdefault(key, {"path": str(meta.get("path", "")), "ids": []})
                entry["ids"].append(cid)
        return out

    def query(self, vector: np.ndarray, n: int, where: dict[str, Any] | None = None, *,
              records: bool = True) -> list[Hit]:
        """Nearest chunks by cosine similarity. ``records=False`` returns ids and
        similarities only (the caller has the texts cached): ~5x faster."""
        include = ["documents", "metadatas", "distances"] if records else ["distances"]
        got = self.collection.query(  # n larger than the collection is fine: Chroma returns what it has
            query_embeddings=[np.asarray(vector, dtype=np.float32)],
            n_results=n,
            where=where,
            include=include,
        )
        ids = got["ids"][0]
        docs = got["documents"][0] if records else [""] * len(ids)
        metas = got["metadatas"][0] if records else [{}] * len(ids)
        return [Hit(cid, doc or "", meta or {}, 1.0 - float(dist))
                for cid, doc, meta, dist in zip(ids, docs, metas, got["distances"][0])]

    def records(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        """id → (document, metadata) for these ids."""
        if not ids:
            return {}
        got = self.collection.get(ids=list(ids), include=["documents", "metadatas"])
        return {cid: (doc or "", meta or {}) for cid, doc, meta in zip(got["ids"], got["documents"], got["metadatas"])}

"""``KnowledgeBase``: the one object callers use (CLI, coach, web app, benchmark).

Construction is cheap and lazy — nothing is opened or loaded until the first
call — so a Streamlit script may build it on every rerun. The embedder, the Chroma
client and the BM25 index are cached per process.

    kb = KnowledgeBase.from_settings(settings)
    kb.retrieve("客户说想买枣子，我该怎么问？", k=3)          # → list[Passage]
    kb.retrieve("…", kinds={"method"})                     # only method cards
    kb.ingest([Path("docs/")], prune=True)                  # → IngestReport

The shipped knowledge (knowledge/base and knowledge/methods) is indexed on first
use and re-indexed when its files change: a digest of their contents is stored in
the collection's metadata and compared once per process (and again whenever the
files' sizes or modification times change).
"""

from __future__ import annotations

import hashlib
import threading
from functools import cached_property
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from assistant.errors import InputError
from assistant.knowledge import retrieval
from assistant.knowledge.embeddings import build_embedder
from assistant.knowledge.ingest import ChunkProgress, IngestReport, Progress, ingest_paths, pipeline_signature
from assistant.knowledge.retrieval import Mode, Passage
from assistant.knowledge.store import META_SHIPPED, ChromaStore
from assistant.settings import Settings

SHIPPED_SUBDIRS = ("base", "methods")
MAX_QUERY_CHARS = 2000

_shipped_lock = threading.Lock()
_shipped_checked: dict[str, tuple[Any, str]] = {}  # store identity → (file stat signature, digest)


class KnowledgeBase:
    def __init__(self, settings: Settings, *, embedder: Any | None = None, shipped: bool = True):
        """``shipped=False``: do not index knowledge/ automatically (an index of the
        user's own documents only, e.g. for the benchmark)."""
        self.settings = settings
        self._embedder = embedder
        self.shipped = shipped

    @classmethod
    def from_settings(cls, settings: Settings, **kwargs: Any) -> "KnowledgeBase":
        return cls(settings, **kwargs)

    # --- lazily built parts ------------------------------------------------------------

    @cached_property
    def embedder(self) -> Any:
        return self._embedder if self._embedder is not None else build_embedder(self.settings)

    @cached_property
    def store(self) -> ChromaStore:
        assert self.settings.vector_dir is not None
        return ChromaStore(
            vector_dir=self.settings.vector_dir,
            chroma_url=self.settings.chroma_url,
            collection=self.settings.collection,
            embedder=self.embedder,
        )

    # --- ingest --------------------------------------------------------------------------

    def ingest(self, paths: Iterable[Path | str], prune: bool = False, progress: Progress | None = None,
               chunk_progress: ChunkProgress | None = None) -> IngestReport:
        """Index files and folders (see assistant.knowledge.ingest)."""
        if isinstance(paths, (str, Path)):
            paths = [paths]
        report = ingest_paths(
            self.store,
            self.embedder,
            [Path(p) for p in paths],
            chunk_chars=self.settings.chunk_chars,
            chunk_overlap=self.settings.chunk_overlap,
            knowledge_dir=self.settings.knowledge_dir,
            prune=prune,
            progress=progress,
            chunk_progress=chunk_progress,
        )
        if report.changed:
            retrieval.invalidate(self.store)
        return report

    def shipped_files(self) -> list[Path]:
        root = self.settings.knowledge_dir
        return sorted(p for sub in SHIPPED_SUBDIRS for p in (root / sub).glob("*.md") if p.is_file())

    def _shipped_signature(self, files: list[Path]) -> tuple[Any, ...]:
        stats = []
        for p in files:
            st = p.stat()
            stats.append((str(p), st.st_size, st.st_mtime_ns))
        return (pipeline_signature(self.settings.chunk_chars, self.settings.chunk_overlap), tuple(stats))

    def shipped_digest(self, files: list[Path] | None = None) -> str:
        """Digest over the shipped files' names and contents and the pipeline settings."""
        files = self.shipped_files() if files is None else files
        root = self.settings.knowledge_dir
        h = hashlib.sha256(pipeline_signature(self.settings.chunk_chars, self.settings.chunk_overlap).encode())
        for p in files:
            h.update(p.relative_to(root).as_posix().encode() + b"\x00")
            h.update(hashlib.sha256(p.read_bytes()).digest())
        return h.hexdigest()

    def ensure_shipped(self, progress: Progress | None = None) -> IngestReport | None:
        """Index the shipped knowledge if the index lacks it or it changed.
        Returns the ingest report when something was (re)indexed, else None."""
        files = self.shipped_files()
        signature = self._shipped_signature(files)
        identity = self.store.identity
        checked = _shipped_checked.get(identity)
        if checked is not None and checked[0] == signature:
            return None
        with _shipped_lock:
            checked = _shipped_checked.get(identity)
            if checked is not None and checked[0] == signature:
                return None
            digest = self.shipped_digest(files)
            report = None
            if self.store.meta().get(META_SHIPPED) != digest:
                roots = [self.settings.knowledge_dir / sub for sub in SHIPPED_SUBDIRS]
                report = self.ingest([r for r in roots if r.is_dir()] or roots, prune=True, progress=progress)
                # Only the .md entries are knowledge; anything else there was reported and skipped.
                self.store.set_meta(META_SHIPPED, digest)
            _shipped_checked[identity] = (signature, digest)
            return report

    # --- retrieval -----------------------------------------------------------------------

    def retrieve(self, query: str, k: int | None = None, kinds: set[str] | None = None,
                 mode: Mode = "entry") -> list[Passage]:
        """The k passages that best answer ``query``, best first (no model call).

        ``kinds`` keeps only knowledge entries of those kinds (e.g. {"method"});
        ``mode`` "dense" or "bm25" uses one retriever only (for comparisons)."""
        query = self._check_query(query)
        if self.shipped:
            self.ensure_shipped()
        vector = self.embed_query(query) if mode != "bm25" else None
        return self.search(query, vector, k, kinds=kinds, mode=mode)

    def embed_query(self, query: str) -> np.ndarray:
        from assistant.knowledge.normalize import normalise

        return np.asarray(self.embedder.embed_query(normalise(query)), dtype=np.float32)

    def search(self, query: str, vector: np.ndarray | None, k: int | None = None, *,
               kinds: set[str] | None = None, mode: Mode = "entry") -> list[Passage]:
        """Retrieval for an already-embedded query (the benchmark times the two apart)."""
        return retrieval.search(self.store, query, vector, k or self.settings.retrieval_k, kinds=kinds, mode=mode)

    def count(self) -> int:
        """Chunks in the index."""
        return self.store.count()

    @staticmethod
    def _check_query(query: str) -> str:
        query = (query or "").strip()
        if not query:
            raise InputError("The question is empty.", fix="type a question, e.g. 客户说想买枣子，我该怎么问？")
        if len(query) > MAX_QUERY_CHARS:
            raise InputError(f"The question is {len(query)} characters long; at most {MAX_QUERY_CHARS} are searched.",
                             fix="shorten it to the part you want answered")
        return query

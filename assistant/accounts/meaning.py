"""Need statements compared by meaning for account memory: the shipped embedder's vectors
(understanding.semantic.encode) with the mean of ordinary customer sentences removed.

e5 vectors of short Chinese sentences all sit close together (cosines of 0.85–0.93 for
unrelated needs), so raw cosine barely separates a restatement from a different need.
Removing the background mean — the direction every customer sentence shares — spreads
them out (a restatement ≈ 0.55+, another need of the same account ≈ 0.3–0.45). The mean
is shipped in data/background_mean.npy; ``build_background_mean`` rebuilds it from 400
labelled customer sentences of understanding/data (seed 0).
"""

from __future__ import annotations

import hashlib
import json
import random
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

DATA = Path(__file__).parent / "data" / "background_mean.npy"
SAME_NEED = 0.55  # centred cosine at or above which two statements are one need


@lru_cache(maxsize=1)
def background_mean() -> np.ndarray:
    return np.load(DATA).astype(np.float32)


def raw_vectors(texts: Sequence[str], engine=None) -> np.ndarray:
    """understanding.semantic.encode, with vectors kept in the need log's sentence_vectors
    table when ``engine`` is given (read first, written for what had to be embedded)."""
    from assistant.understanding.semantic import SPACE, encode

    texts = list(texts)
    if engine is None or not texts:
        return encode(texts)
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql, sqlite

    from assistant.db.schema import SentenceVector

    keys = [hashlib.sha256(f"{SPACE}\x00{t}".encode()).hexdigest() for t in texts]
    found: dict[str, np.ndarray] = {}
    with engine.connect() as conn:
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), 500):
            for key, blob in conn.execute(select(SentenceVector.key, SentenceVector.vector)
                                          .where(SentenceVector.key.in_(unique[start:start + 500]))):
                found[key] = np.frombuffer(blob, dtype=np.float32)
    missing = [i for i, k in enumerate(keys) if k not in found]
    if missing:
        new = encode([texts[i] for i in missing])
        rows = {keys[i]: vec for i, vec in zip(missing, new)}
        found.update(rows)
        insert = (postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert)(SentenceVector)
        with engine.begin() as conn:
            conn.execute(insert.on_conflict_do_nothing(),
                         [{"key": k, "vector": v.astype(np.float32).tobytes()} for k, v in rows.items()])
    return np.vstack([found[k] for k in keys])


def centre(x: np.ndarray) -> np.ndarray:
    x = x - background_mean()
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32)


def vectors(texts: Sequence[str], engine=None) -> np.ndarray:
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    x = raw_vectors(texts, engine) - background_mean()
    norms = np.linalg.norm(x, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (x / norms).astype(np.float32)


def build_background_mean(path: Path = DATA, sample: int = 400) -> np.ndarray:
    from assistant.understanding.semantic import encode

    source = Path(__file__).parents[1] / "understanding" / "data" / "customer_sentences.jsonl"
    rows = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines() if line.strip()]
    random.seed(0)
    rows = random.sample(rows, min(sample, len(rows)))
    mean = encode([r["text"] for r in rows]).mean(axis=0)
    np.save(path, mean)
    return mean

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


def vectors(texts: Sequence[str]) -> np.ndarray:
    from assistant.understanding.semantic import encode

    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    x = encode(list(texts)) - background_mean()
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

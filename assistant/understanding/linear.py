"""A small linear reader over the shipped embedder's sentence vectors, learnt from labelled lines.

Several readings in this package have the same shape: labelled rows (``{"text": …, label}``)
→ features (the sentence vector from ``semantic.encode`` plus a few cue columns, each a regex
hit scaled by ``cue_scale``) → a softmax over the labels, fitted with ``classifier.fit_softmax``.
``LinearReader`` is that shape once:

- ``reader.probabilities(text)`` → ``{label: p}`` (None when the embedder cannot run);
- the weights ship as one ``.npz`` keyed by a digest of the rows *and* the feature definition
  (embedding space, cue names and patterns, scale, fit settings); when either changed, the
  reader learns again at first use (with a log line) instead of answering with stale weights;
- ``reader.build()`` writes the shipped file; ``reader.cross_validate(folds)`` gives the k-fold
  out-of-fold probabilities, from which each reading reports accuracy or sets its thresholds.

Used by ``asking`` (what a customer's question asks), ``decision`` (is the customer deciding),
``trainee`` (what kind of line a trainee says in role-play), ``roleplay.spin`` (a question's SPIN
stage) and ``accounts.similar`` (is another account's sentence worth offering as a hypothesis; and,
over pairs of sentences with its own ``featurize``, does this account's sentence settle it).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

log = logging.getLogger(__name__)

_CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Cue:
    """One cue column: 1.0 when ``pattern`` finds something in the text, else 0.0.

    ``en``: a different pattern for lines without Chinese characters; ``tail``: search only the
    last ``tail`` characters (a question's ending).
    """

    name: str
    pattern: re.Pattern
    en: re.Pattern | None = None
    tail: int | None = None

    @classmethod
    def of(cls, name: str) -> "Cue":
        """The shared lexicon's cue ``name``: its Chinese pattern, and its English one for lines
        without Chinese characters."""
        from assistant.understanding import lexicon

        return cls(name, lexicon.cue(name, "zh"), en=lexicon.cue(name, "en"))

    def hit(self, text: str) -> float:
        pattern = self.pattern if self.en is None or _CJK.search(text) else self.en
        return float(bool(pattern.search(text[-self.tail:] if self.tail else text)))

    def definition(self) -> list:
        pats = [self.pattern] + ([self.en] if self.en is not None else [])
        return [self.name, [[p.pattern, p.flags] for p in pats], self.tail]


@dataclass(frozen=True)
class Folds:
    """Out-of-fold probabilities of a k-fold run: ``p[i]`` was predicted by a model not fitted on row i."""

    classes: tuple[str, ...]
    y: np.ndarray  # class index per row
    p: np.ndarray  # (rows, classes)
    texts: list[str]

    @property
    def accuracy(self) -> float:
        return float((self.p.argmax(1) == self.y).mean()) if len(self.y) else 0.0

    def column(self, label: str) -> np.ndarray:
        return self.p[:, self.classes.index(label)]


@dataclass
class LinearReader:
    """A softmax over ``label(row)`` learnt from ``rows()``; see the module docstring."""

    name: str
    rows: Callable[[], list[dict]]
    label: Callable[[dict], str]
    shipped: Path
    cues: Sequence[Cue] = ()
    cue_scale: float = 0.3
    l2: float = 1e-4
    steps: int = 400
    # a reader of more than one text (a pair: this account's sentence and another's need): the
    # rows' features computed by the caller's function instead of one sentence's vector and cues;
    # ``featurize_id`` names its definition (bump it when the function changes: the digest holds it)
    featurize: Callable[[list[dict]], np.ndarray] | None = None
    featurize_id: str = ""
    _model: tuple[np.ndarray, tuple[str, ...]] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    # ---- features ----------------------------------------------------------------------------
    def cue_columns(self, texts: Sequence[str]) -> np.ndarray:
        return np.array([[c.hit(t) for c in self.cues] for t in texts], dtype=np.float32).reshape(
            len(texts), len(self.cues))

    def features(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """The sentence vectors (``vectors`` when the caller has them already, e.g. from a store
        of ``semantic.encode`` results) and the cue columns."""
        from assistant.understanding.semantic import encode

        x = encode(list(texts)) if vectors is None else vectors
        return np.hstack([x, self.cue_scale * self.cue_columns(texts)]).astype(np.float32)

    # ---- the shipped weights -----------------------------------------------------------------
    def definition(self) -> dict:
        from assistant.understanding.semantic import SPACE

        out = {"space": SPACE, "cues": [c.definition() for c in self.cues], "cue_scale": self.cue_scale,
               "l2": self.l2, "steps": self.steps}
        if self.featurize is not None:
            out["featurize"] = self.featurize_id or getattr(self.featurize, "__qualname__", "featurize")
        return out

    def row_features(self, rows: list[dict]) -> np.ndarray:
        """The features of labelled rows: the caller's ``featurize`` when given, else ``features``."""
        if self.featurize is not None:
            return np.asarray(self.featurize(rows), dtype=np.float32)
        return self.features([r["text"] for r in rows])

    def digest(self, rows: list[dict] | None = None) -> str:
        rows = self.rows() if rows is None else rows
        labelled = [[r["text"], self.label(r), float(r.get("weight", 1.0))] for r in rows]
        blob = json.dumps([self.definition(), labelled], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def fit(self, rows: list[dict]) -> tuple[np.ndarray, tuple[str, ...]]:
        classes = tuple(sorted({self.label(r) for r in rows}))
        y = np.array([classes.index(self.label(r)) for r in rows])
        return self._fit(self.row_features(rows), y, len(classes), self._weights(rows)), classes

    def _fit(self, x: np.ndarray, y: np.ndarray, n: int, weights: np.ndarray) -> np.ndarray:
        from assistant.understanding.classifier import fit_softmax

        return fit_softmax(x, y, n, weights, l2=self.l2, steps=self.steps)

    @staticmethod
    def _weights(rows: list[dict]) -> np.ndarray:
        return np.array([float(r.get("weight", 1.0)) for r in rows])

    def model(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """(weights, classes): the shipped ones when they were learnt from these rows and features,
        else learnt now."""
        with self._lock:
            if self._model is None:
                rows = self.rows()
                digest = self.digest(rows)
                if self.shipped.is_file():
                    with np.load(self.shipped, allow_pickle=False) as z:
                        if str(z["digest"]) == digest:
                            self._model = (z["w"], tuple(str(c) for c in z["classes"]))
                if self._model is None:
                    log.info("learning the %s reading from the labelled lines (%s is missing or stale; "
                             "rebuild it to ship the new weights)", self.name, self.shipped.name)
                    self._model = self.fit(rows)
            return self._model

    def forget(self) -> None:
        with self._lock:
            self._model = None

    def build(self) -> Path:
        """Learn from the labelled rows and write the shipped weights."""
        rows = self.rows()
        w, classes = self.fit(rows)
        self.shipped.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(self.shipped, digest=np.array(self.digest(rows)), w=w, classes=np.array(classes))
        self.forget()
        return self.shipped

    # ---- reading -----------------------------------------------------------------------------
    def probability_rows(self, texts: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        return self.probability_features(self.features(texts, vectors))

    def probability_features(self, x: np.ndarray) -> np.ndarray:
        """Probabilities from features already computed (a pair reader's ``featurize`` of its rows)."""
        from assistant.understanding.classifier import _with_bias, softmax

        w, _ = self.model()
        return softmax(_with_bias(np.asarray(x, dtype=np.float32)) @ w)

    def probabilities(self, text: str) -> dict[str, float] | None:
        """{label: p} for one text; None when the embedder cannot run (callers fall back to rules)."""
        try:
            p = self.probability_rows([text])[0]
            classes = self.model()[1]
        except Exception as exc:  # no embedder: the caller's sure words answer alone
            log.debug("no %s reading: %s", self.name, exc)
            return None
        return {c: float(v) for c, v in zip(classes, p)}

    def best(self, text: str) -> tuple[str | None, float]:
        p = self.probabilities(text)
        if not p:
            return None, 0.0
        label = max(p, key=p.__getitem__)
        return label, p[label]

    # ---- calibration -------------------------------------------------------------------------
    def cross_validate(self, folds: int = 5, seed: int = 0, rows: list[dict] | None = None) -> Folds:
        from assistant.understanding.classifier import _with_bias, softmax

        rows = self.rows() if rows is None else rows
        classes = tuple(sorted({self.label(r) for r in rows}))
        y = np.array([classes.index(self.label(r)) for r in rows])
        texts = [r["text"] for r in rows]
        x = self.row_features(rows)
        weights = self._weights(rows)
        fold = np.random.default_rng(seed).integers(0, folds, len(rows))
        p = np.zeros((len(rows), len(classes)))
        for f in range(folds):
            train = fold != f
            if not (~train).any():
                continue
            w = self._fit(x[train], y[train], len(classes), weights[train])
            p[~train] = softmax(_with_bias(x[~train]) @ w)
        return Folds(classes, y, p, texts)


def jsonl_rows(*paths: Path) -> list[dict]:
    """The JSON objects of one or more ``.jsonl`` files (blank lines skipped)."""
    out: list[dict] = []
    for path in paths:
        out.extend(json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return out

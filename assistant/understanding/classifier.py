"""The semantic sentence classifier: is it a need, of what kind, dimension and owner, which
slots it speaks to and what it does — learnt from labelled customer sentences.

Features are the shipped embedder's sentence vector plus the lexicon's cue hits (scaled
down, so words tip close calls but meaning leads). Each label is a small linear model
(softmax for single labels, one sigmoid per name for slots and acts), fitted with numpy
in about a second. The trained weights ship in ``data/classifier.npz``; ``needs learn``
retrains with the need log's corrections into ``<data_dir>/understanding/classifier.npz``,
which is preferred when present. Without any weights file the classifier trains from the
shipped sentences at first use (~25 s to embed them).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

import numpy as np

from assistant.understanding import lexicon
from assistant.understanding.vocabulary import ACTS, DIMENSIONS, KINDS, OWNERS, SLOTS

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).parent / "data"
SENTENCES = DATA_DIR / "customer_sentences.jsonl"
SHIPPED = DATA_DIR / "classifier.npz"
CUE_SCALE = 0.1
SINGLE = {"is_need": ("False", "True"), "kind": tuple(KINDS), "dimension": tuple(DIMENSIONS),
          "owner": tuple(OWNERS)}
MULTI = {"slots": tuple(SLOTS), "acts": tuple(ACTS)}
FORMAT = 1
# calibrated on the held-apart fifth of the seed sentences (F1 of the chosen names)
THRESHOLDS = {"slots": 0.25, "acts": 0.3}


@dataclass
class Example:
    text: str
    is_need: bool
    kind: str | None = None
    dimension: str | None = None
    owner: str | None = None
    slots: list[str] = field(default_factory=list)
    acts: list[str] = field(default_factory=list)
    id: str = ""
    source: str = "seed"  # seed | correction
    weight: float = 1.0

    @classmethod
    def from_row(cls, row: dict[str, Any], source: str = "seed") -> "Example":
        return cls(
            text=str(row["text"]), is_need=bool(row.get("is_need")), kind=row.get("kind"),
            dimension=row.get("dimension"), owner=row.get("owner"), slots=list(row.get("slots") or []),
            acts=list(row.get("acts") or []), id=str(row.get("id", "")), source=source,
            weight=float(row.get("weight", 1.0)),
        )

    def label(self, head: str) -> str | None:
        if head == "is_need":
            return str(self.is_need)
        return getattr(self, head) if self.is_need else None


def load_examples(path: Path = SENTENCES) -> list[Example]:
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            examples.append(Example.from_row(json.loads(line)))
    return examples


def held_apart(example: Example) -> bool:
    """One in five seed sentences (fixed by id) is kept out of training for calibration and
    for the before/after figures of ``needs learn``."""
    return example.source == "seed" and zlib.crc32((example.id or example.text).encode()) % 5 == 0


def split(examples: Sequence[Example]) -> tuple[list[Example], list[Example]]:
    train = [e for e in examples if not held_apart(e)]
    test = [e for e in examples if held_apart(e)]
    return train, test


# ---- features ----------------------------------------------------------------------------
def cue_features(texts: Sequence[str]) -> np.ndarray:
    return np.array([[1.0 if lexicon.cue(c).search(t) else 0.0 for c in lexicon.CUES] for t in texts],
                    dtype=np.float32).reshape(len(texts), len(lexicon.CUES))


def features(texts: Sequence[str]) -> np.ndarray:
    from assistant.understanding.semantic import encode

    return np.hstack([encode(list(texts)), CUE_SCALE * cue_features(texts)]).astype(np.float32)


# ---- linear models ---------------------------------------------------------------------------
def _adam(grad, shape, steps: int, lr: float) -> np.ndarray:
    w = np.zeros(shape, dtype=np.float64)
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t in range(1, steps + 1):
        g = grad(w)
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        w -= lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
    return w


def _with_bias(x: np.ndarray) -> np.ndarray:
    return np.hstack([x, np.ones((len(x), 1), dtype=x.dtype)])


def fit_softmax(x: np.ndarray, y: np.ndarray, n_classes: int, weights: np.ndarray, *,
                l2: float = 1e-4, steps: int = 400, lr: float = 0.1) -> np.ndarray:
    xb = _with_bias(x.astype(np.float64))
    target = np.eye(n_classes)[y]
    sw = (weights / weights.sum())[:, None]

    def grad(w):
        z = xb @ w
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        reg = l2 * w
        reg[-1] = 0.0
        return xb.T @ ((p - target) * sw) + reg

    return _adam(grad, (xb.shape[1], n_classes), steps, lr).astype(np.float32)


def fit_sigmoid(x: np.ndarray, y: np.ndarray, weights: np.ndarray, *, l2: float = 1e-4,
                steps: int = 400, lr: float = 0.1) -> np.ndarray:
    xb = _with_bias(x.astype(np.float64))
    sw = (weights / weights.sum())[:, None]

    def grad(w):
        p = 1.0 / (1.0 + np.exp(-(xb @ w)))
        reg = l2 * w
        reg[-1] = 0.0
        return xb.T @ ((p - y) * sw) + reg

    return _adam(grad, (xb.shape[1], y.shape[1]), steps, lr).astype(np.float32)


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(1, keepdims=True)


@dataclass
class Prediction:
    text: str
    need: float  # P(is a need)
    kind: tuple[str, float]
    dimension: tuple[str, float]
    owner: tuple[str, float]
    slots: dict[str, float]
    acts: dict[str, float]

    @property
    def is_need(self) -> bool:
        return self.need >= 0.5

    def chosen(self, head: str, threshold: float | None = None) -> list[str]:
        scores = self.slots if head == "slots" else self.acts
        threshold = THRESHOLDS[head] if threshold is None else threshold
        return [name for name, p in sorted(scores.items(), key=lambda kv: -kv[1]) if p >= threshold]


class SentenceClassifier:
    def __init__(self, weights: dict[str, np.ndarray], classes: dict[str, tuple[str, ...]],
                 meta: dict[str, Any] | None = None):
        self.weights = weights
        self.classes = classes
        self.meta = meta or {}

    # ---- training ----
    @classmethod
    def train(cls, examples: Sequence[Example], x: np.ndarray | None = None) -> "SentenceClassifier":
        if not examples:
            raise ValueError("no labelled examples to train on")
        x = features([e.text for e in examples]) if x is None else x
        w_all = np.array([e.weight for e in examples], dtype=np.float64)
        weights: dict[str, np.ndarray] = {}
        classes: dict[str, tuple[str, ...]] = {}
        for head, names in SINGLE.items():
            rows = [i for i, e in enumerate(examples) if e.label(head) in names]
            y = np.array([names.index(examples[i].label(head)) for i in rows], dtype=np.int64)
            weights[head] = fit_softmax(x[rows], y, len(names), w_all[rows])
            classes[head] = names
        for head, names in MULTI.items():
            y = np.array([[1.0 if n in getattr(e, head) else 0.0 for n in names] for e in examples])
            weights[head] = fit_sigmoid(x, y, w_all)
            classes[head] = names
        meta = {"format": FORMAT, "examples": len(examples),
                "corrections": sum(e.source == "correction" for e in examples),
                "data": _digest(examples), "cue_names": list(lexicon.CUES), "cue_scale": CUE_SCALE}
        return cls(weights, classes, meta)

    # ---- prediction ----
    def predict_features(self, texts: Sequence[str], x: np.ndarray) -> list[Prediction]:
        xb = _with_bias(x)
        probs = {h: softmax(xb @ self.weights[h]) for h in SINGLE}
        multi = {h: 1.0 / (1.0 + np.exp(-(xb @ self.weights[h]))) for h in MULTI}
        out = []
        for i, text in enumerate(texts):
            def top(head):
                j = int(np.argmax(probs[head][i]))
                return self.classes[head][j], float(probs[head][i][j])
            out.append(Prediction(
                text=text, need=float(probs["is_need"][i][1]), kind=top("kind"), dimension=top("dimension"),
                owner=top("owner"),
                slots={n: float(p) for n, p in zip(self.classes["slots"], multi["slots"][i])},
                acts={n: float(p) for n, p in zip(self.classes["acts"], multi["acts"][i])},
            ))
        return out

    def predict(self, texts: Sequence[str]) -> list[Prediction]:
        texts = list(texts)
        if not texts:
            return []
        return self.predict_features(texts, features(texts))

    # ---- storage ----
    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {f"w_{h}": w for h, w in self.weights.items()}
        meta = dict(self.meta, classes={h: list(c) for h, c in self.classes.items()})
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, meta=np.array(json.dumps(meta)), **arrays)
        tmp.replace(path)
        return path

    @classmethod
    def load(cls, path: Path) -> "SentenceClassifier":
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT or meta.get("cue_names") != list(lexicon.CUES):
                raise ValueError(f"{path} was trained for another lexicon or format; retrain with `needs learn`")
            classes = {h: tuple(c) for h, c in meta.pop("classes").items()}
            weights = {h: np.asarray(data[f"w_{h}"]) for h in classes}
        expected = {**SINGLE, **MULTI}
        if any(classes.get(h) != names for h, names in expected.items()):
            raise ValueError(f"{path} was trained on another vocabulary; retrain with `needs learn`")
        return cls(weights, classes, meta)


def _digest(examples: Iterable[Example]) -> str:
    h = hashlib.sha256()
    for e in examples:
        h.update(json.dumps([e.text, e.is_need, e.kind, e.dimension, e.owner, e.slots, e.acts, e.weight],
                            ensure_ascii=False).encode())
    return h.hexdigest()[:16]


# ---- evaluation -------------------------------------------------------------------------------
def evaluate(model: SentenceClassifier, examples: Sequence[Example],
             x: np.ndarray | None = None) -> dict[str, float]:
    """Accuracy per single label (kind/dimension/owner over needs only), and F1 for slots, acts."""
    if not examples:
        return {}
    texts = [e.text for e in examples]
    preds = model.predict_features(texts, features(texts) if x is None else x)
    out: dict[str, float] = {"n": float(len(examples))}
    out["is_need"] = float(np.mean([p.is_need == e.is_need for p, e in zip(preds, examples)]))
    needs = [(p, e) for p, e in zip(preds, examples) if e.is_need]
    for head in ("kind", "dimension", "owner"):
        pairs = [(getattr(p, head)[0], e.label(head)) for p, e in needs if e.label(head)]
        out[head] = float(np.mean([a == b for a, b in pairs])) if pairs else 0.0
    for head in ("slots", "acts"):
        tp = fp = fn = 0
        for p, e in zip(preds, examples):
            got, want = set(p.chosen(head)), set(getattr(e, head))
            tp += len(got & want)
            fp += len(got - want)
            fn += len(want - got)
        out[head + "_f1"] = 2 * tp / max(1, 2 * tp + fp + fn)
    return {k: round(v, 3) for k, v in out.items()}


# ---- the process-wide classifier -------------------------------------------------------------
_lock = threading.Lock()
_loaded: dict[str, SentenceClassifier] = {}
_unavailable: list[str] = []


def user_model_path(data_dir: Path | None = None) -> Path:
    if data_dir is None:
        from assistant.settings import Settings

        data_dir = Settings().data_dir
    return Path(data_dir) / "understanding" / "classifier.npz"


def load_default(data_dir: Path | None = None) -> SentenceClassifier:
    """The retrained model if ``needs learn`` wrote one, else the shipped one, else train now."""
    for path in (user_model_path(data_dir), SHIPPED):
        if path.exists():
            try:
                return SentenceClassifier.load(path)
            except (ValueError, KeyError, OSError) as exc:
                log.warning("ignoring %s: %s", path, exc)
    log.info("no classifier weights found; training from %s", SENTENCES)
    return SentenceClassifier.train(load_examples())


def default() -> SentenceClassifier | None:
    """The classifier, or None when the embedder cannot run (the rules then read alone)."""
    with _lock:
        if "default" in _loaded:
            return _loaded["default"]
        if _unavailable:
            return None
        try:
            model = load_default()
            model.predict(["你好"])  # loads the embedder once
        except Exception as exc:  # noqa: BLE001 - any failure here means: read by rules
            log.warning("semantic classifier unavailable, reading by word cues: %s", exc)
            _unavailable.append(str(exc))
            return None
        _loaded["default"] = model
        return model


def reset() -> None:
    """Forget the loaded classifier (after retraining)."""
    with _lock:
        _loaded.clear()
        _unavailable.clear()


def available() -> bool:
    return default() is not None


def build_shipped() -> dict[str, Any]:
    """Retrain the shipped weights from ``customer_sentences.jsonl`` (all of it) and report the
    held-apart figures of a model trained without the held-apart fifth."""
    examples = load_examples()
    x = features([e.text for e in examples])
    held = np.array([held_apart(e) for e in examples])
    train = [e for e, h in zip(examples, held) if not h]
    test = [e for e, h in zip(examples, held) if h]
    figures = evaluate(SentenceClassifier.train(train, x[~held]), test, x[held])
    SentenceClassifier.train(examples, x).save(SHIPPED)
    return {"held_apart": figures, "examples": len(examples), "path": str(SHIPPED)}


if __name__ == "__main__":  # python -m assistant.understanding.classifier
    print(json.dumps(build_shipped(), ensure_ascii=False, indent=2))

"""What a customer's question asks of the salesperson, and which option a decision refers to.

Three readings, by meaning, in Chinese and English, B2C and B2B:

- ``invites(text)``: the customer invites a recommendation ("你看着办", "换了是你会选哪个？",
  "What would you do in my place?");
- ``asks_about_option(sentence)``: the sentence asks whether one option would do ("猕猴桃孕妇
  能吃吗？", "Is the kiwi any good for her?") — the option itself is found by the coach's
  options reader (``assistant.coach.options.named_option``);
- ``choice_reference(text)``: which of the options on the table a decision points to
  ("就按你说的那个来两个" → suggested, "那各来一斤吧" → all, "the second one" → second,
  "just the jujubes" → request, "就它了" → this: the option just discussed).

Each reading has sure words in the shared lexicon (``invite_sure``, ``choice_*``), a
high-precision shortcut; where they are silent, a small linear model over the shipped
embedder's sentence vectors (plus five cue hits: a question, the seller addressed, an
evaluating word, an invitation word, a wh-word) reads the sentence. It is learnt from
labelled lines written for this product across many trades (``data/coach_readings.jsonl``:
invite / ask_option / other; ``data/choice_references.jsonl``: the seven references), ships
as ``data/asking.npz`` and is rebuilt by ``python -m assistant.understanding.asking``
(which prints its 5-fold accuracy; it also retrains at first use when the lines changed).
A reading counts only when its probability reaches ``*_AT`` (set on those folds).
Without the embedder only the sure words answer.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.understanding import lexicon

log = logging.getLogger(__name__)

DATA = Path(__file__).with_name("data")
READINGS = DATA / "coach_readings.jsonl"
REFERENCES = DATA / "choice_references.jsonl"
SHIPPED = DATA / "asking.npz"
INVITE_AT = 0.6  # 5-fold on the labelled lines: invitations found 0.90, other lines taken 3 of 177
OPTION_AT = 0.6  # questions about an option found 0.95, others taken 2 of 329
OTHER_AT = 0.7  # a question this surely something else names no option
REFERENCE_AT = 0.45
CUE_SCALE = 0.3
REFERENCES_KINDS = ("suggested", "asked", "all", "first", "second", "request", "this")
_SURE_REFERENCE = ("all", "first", "second", "suggested", "asked", "request")
_lock = threading.Lock()
_TO_SELLER = re.compile(r"[你您]|帮我|给我|\byou\b|\byour\b", re.I)


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _cues(text: str) -> list[float]:
    return [float(bool(p.search(text))) for p in (
        lexicon.cue("turn_question"), re.compile(r"[你您]|\byou\b", re.I), lexicon.cue("invite_sure"),
        re.compile(r"什么|哪|怎么|\bwhat\b|\bwhich\b|\bhow\b", re.I))] + [
        float(bool(lexicon.cue("option_eval", "zh").search(text[-8:])))]


def features(texts: list[str]) -> np.ndarray:
    from assistant.understanding.semantic import encode

    cues = np.array([_cues(t) for t in texts], dtype=np.float32).reshape(len(texts), 5)
    return np.hstack([encode(texts), CUE_SCALE * cues]).astype(np.float32)


def _digest() -> str:
    return hashlib.sha256(READINGS.read_bytes() + REFERENCES.read_bytes()).hexdigest()[:16]


def _fit(rows: list[dict], key: str) -> tuple[np.ndarray, tuple[str, ...]]:
    from assistant.understanding.classifier import fit_softmax

    classes = tuple(sorted({r[key] for r in rows}))
    y = np.array([classes.index(r[key]) for r in rows])
    x = features([r["text"] for r in rows])
    return fit_softmax(x, y, len(classes), np.ones(len(rows)), l2=1e-4, steps=400), classes


@lru_cache(maxsize=1)
def _models() -> dict[str, tuple[np.ndarray, tuple[str, ...]]]:
    """{"readings": (weights, classes), "references": ...}: shipped, or learnt now when the lines changed."""
    with _lock:
        if SHIPPED.is_file():
            with np.load(SHIPPED, allow_pickle=False) as z:
                if str(z["digest"]) == _digest():
                    return {name: (z[f"{name}_w"], tuple(str(c) for c in z[f"{name}_classes"]))
                            for name in ("readings", "references")}
        log.info("learning the question readings from the labelled lines")
        return {"readings": _fit(_rows(READINGS), "reading"), "references": _fit(_rows(REFERENCES), "refers")}


def build() -> Path:
    """Learn both readings from the labelled lines and write the shipped weights."""
    _models.cache_clear()
    readings, references = _fit(_rows(READINGS), "reading"), _fit(_rows(REFERENCES), "refers")
    np.savez_compressed(SHIPPED, digest=np.array(_digest()), readings_w=readings[0],
                        readings_classes=np.array(readings[1]), references_w=references[0],
                        references_classes=np.array(references[1]))
    _models.cache_clear()
    return SHIPPED


def _predict(name: str, text: str) -> tuple[str | None, float]:
    from assistant.understanding.classifier import _with_bias, softmax

    try:
        weights, classes = _models()[name]
        p = softmax(_with_bias(features([text])) @ weights)[0]
    except Exception as exc:  # no embedder: the sure words answer alone
        log.debug("no semantic reading: %s", exc)
        return None, 0.0
    best = int(p.argmax())
    return classes[best], float(p[best])


def read_sentence(sentence: str) -> tuple[str | None, float]:
    """(reading, its probability): invite, ask_option or other; (None, 0) without the embedder."""
    sentence = (sentence or "").strip()
    if len(sentence) < 2:
        return None, 0.0
    return _predict("readings", sentence)


def invites(text: str) -> bool:
    """The customer invites a recommendation in some sentence of ``text``."""
    for sentence in lexicon.sentences(text or ""):
        if lexicon.cue("invite_sure").search(sentence):
            return True
        if not (lexicon.cue("turn_question").search(sentence) or _TO_SELLER.search(sentence)):
            continue  # an invitation is a question, or words to the seller ("你看着办吧")
        label, p = read_sentence(sentence)
        if label == "invite" and p >= INVITE_AT:
            return True
    return False


def asks_about_option(sentence: str) -> bool | None:
    """True when the sentence reads as a question about one option, False when it surely reads
    as something else, None when it cannot tell (or no embedder)."""
    label, p = read_sentence(sentence)
    if label is None:
        return None
    if label == "ask_option" and p >= OPTION_AT:
        return True
    if label != "ask_option" and p >= OTHER_AT:
        return False
    return None


def choice_reference(text: str) -> str:
    """Which option a decision refers to: one of ``REFERENCES_KINDS`` ("this" when unsure)."""
    text = (text or "").strip()
    for kind in _SURE_REFERENCE:
        if lexicon.cue(f"choice_{kind}").search(text):
            return kind
    label, p = _predict("references", text)
    return label if label and p >= REFERENCE_AT else "this"


def cross_validate(folds: int = 5) -> dict[str, float]:  # pragma: no cover - a calibration report
    from assistant.understanding.classifier import _with_bias, fit_softmax, softmax

    out = {}
    for name, path, key in (("readings", READINGS, "reading"), ("references", REFERENCES, "refers")):
        rows = _rows(path)
        classes = sorted({r[key] for r in rows})
        y = np.array([classes.index(r[key]) for r in rows])
        x = features([r["text"] for r in rows])
        fold = np.random.default_rng(0).integers(0, folds, len(rows))
        pred = np.zeros(len(rows), dtype=int)
        for f in range(folds):
            train = fold != f
            w = fit_softmax(x[train], y[train], len(classes), np.ones(int(train.sum())), l2=1e-4, steps=400)
            pred[~train] = softmax(_with_bias(x[~train]) @ w).argmax(1)
        out[name] = round(float((pred == y).mean()), 3)
    return out


if __name__ == "__main__":  # pragma: no cover
    print("5-fold accuracy:", cross_validate())
    print("written", build())

"""Is the customer deciding to buy? ("那各来一斤吧", "就按这个出方案", "I'll put a deposit down today")

A decision is read sentence by sentence, by meaning, in Chinese and English:
- the shared cue lexicon's ``buy`` words, unless the sentence hesitates ("再考虑", "maybe");
- otherwise a small linear reader over the shipped embedder's sentence vectors (plus a few cue
  hits: a taking verb, a deferral to the seller, a quantity, a question, a refusal), learnt from
  the labelled lines of ``data/decisions.jsonl`` — decisions across many trades (deferring to
  the seller, refusing one option and taking another, taking both, naming a quantity) and the
  lines most often mistaken for them (agreement to a restatement, a condition, a hesitation, a
  question about an option, a need), together with the sentence classifier's labelled customer
  lines (``data/customer_sentences.jsonl``: those with the ``buy`` act are decisions, the
  situations, pains, people and needs around them are not). It ships as ``data/decisions.npz`` and is rebuilt by
  ``python -m assistant.understanding.decision`` (which prints its 5-fold accuracy; it also
  retrains at first use when the lines changed);
- or the sentence classifier's ``buy`` act together with the nearest labelled lines: both
  must agree (the labelled lines alone are too loose: "最好月底前到货" sits near "下周一就安排安装吧").
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from pathlib import Path

from assistant.understanding import lexicon
from assistant.understanding.linear import Cue, LinearReader, jsonl_rows

log = logging.getLogger(__name__)

DATA = Path(__file__).with_name("data") / "decisions.jsonl"
SHIPPED = Path(__file__).with_name("data") / "decisions.npz"
SENTENCES = Path(__file__).with_name("data") / "customer_sentences.jsonl"  # the classifier's labelled lines
BUY_AT = 0.3  # the classifier's buy probability from which its vote counts (its acts threshold)
VOTE_AT = 0.6  # share of the nearest labelled lines' weight that must say "decision"
ALONE_AT = (0.9, 0.95)  # without the classifier, the labelled lines decide alone only when this clear and near
DECIDE_AT = 0.5  # the linear reader's probability from which a sentence decides (5-fold: 0.82 of decisions found, 3 of ~1000 other lines taken)
CUE_SCALE = 0.3
_HESITATE = re.compile(r"再考虑|考虑一下|想想|商量|再说|下次|回头|先看看|还没想好|不一定|评估|比比价|"
                       r"\bmaybe\b|\bmight\b|\bnot sure\b|\bthink (?:about|it over)\b|\bhave a think\b|\blater\b|"
                       r"\bfirst talk\b|\bcheck with\b", re.I)


def _rows() -> list[dict]:
    return jsonl_rows(DATA)


def _training_rows() -> list[dict]:
    """The decision lines, then the classifier's customer lines labelled by their ``buy`` act."""
    rows = _rows()
    seen = {r["text"] for r in rows}
    if SENTENCES.is_file():
        rows += [{"text": r["text"], "decision": "buy" in (r.get("acts") or [])}
                 for r in jsonl_rows(SENTENCES) if r["text"] not in seen]
    return rows


@lru_cache(maxsize=1)
def _index():
    from assistant.understanding.semantic import NearestLabels

    rows = _rows()
    return NearestLabels([r["text"] for r in rows], [bool(r["decision"]) for r in rows])


CUES = (Cue.of("choice_take"), Cue.of("choice_suggested"), Cue.of("choice_count"),
        Cue("question", lexicon.cue("turn_question")), Cue.of("choice_refuse"), Cue("hesitation", _HESITATE))
READER = LinearReader("decision", _training_rows, lambda r: "decision" if r["decision"] else "other", SHIPPED,
                      CUES, CUE_SCALE)


def features(texts: list[str]):
    return READER.features(texts)


def build() -> Path:
    """Learn the decision reading from the labelled lines and write the shipped weights."""
    return READER.build()


def probability(sentence: str) -> float | None:
    """The linear reader's probability that ``sentence`` is a buying decision (None without the embedder)."""
    p = READER.probabilities(sentence)
    return None if p is None else p["decision"]


def _buy_probability(sentence: str) -> float | None:
    from assistant.understanding import classifier

    model = classifier.default()
    if model is None:
        return None
    return float(model.predict([sentence])[0].acts.get("buy", 0.0))


def sentence_decides(sentence: str) -> bool:
    sentence = sentence.strip()
    if len(sentence) < 2 or _HESITATE.search(sentence):
        return False
    if lexicon.cue("buy").search(sentence):
        return True
    p = probability(sentence)
    if p is not None and p >= DECIDE_AT and not lexicon.cue("turn_question").search(sentence[-3:]):
        return True
    try:
        neighbours = _index().nearest(sentence, k=5)
    except Exception:  # no embedder: the cue words have answered
        return False
    from assistant.understanding.semantic import vote

    label, share = vote(neighbours, lambda decision: decision)
    says = label is True
    buy = _buy_probability(sentence)
    if buy is not None:
        return says and buy >= BUY_AT and share >= VOTE_AT
    return says and share >= ALONE_AT[0] and neighbours[0].score >= ALONE_AT[1]


def decides(text: str, language: str = "zh") -> bool:
    """True when a sentence of the turn is a buying decision."""
    return any(sentence_decides(s) for s in lexicon.sentences(text or ""))


def cross_validate(folds: int = 5) -> dict[str, float]:  # pragma: no cover - a calibration report
    run = READER.cross_validate(folds)
    p, decided = run.column("decision"), run.y == run.classes.index("decision")
    out: dict[str, float] = {}
    for at in (0.5, 0.6, 0.7, 0.8):
        out[f"found@{at}"] = round(float((p[decided] >= at).mean()), 3)
        out[f"false@{at}"] = int((p[~decided] >= at).sum())
    return out


if __name__ == "__main__":  # pragma: no cover
    print("5-fold:", cross_validate())
    print("written", build())

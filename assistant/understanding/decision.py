"""Is the customer deciding to buy? ("那各来一斤吧", "就按这个出方案", "I'll put a deposit down today")

A decision is read sentence by sentence, by meaning, in Chinese and English:
- the shared cue lexicon's ``buy`` words, unless the sentence hesitates ("再考虑", "maybe");
- otherwise the sentence classifier's ``buy`` act together with the nearest labelled lines
  of ``data/decisions.jsonl`` (decisions, and the lines most often mistaken for them:
  agreement to a restatement, a condition, a hesitation, a question) in the shipped
  embedder's space: both must agree (the labelled lines alone are too loose: "最好月底前到货"
  sits near "下周一就安排安装吧"); without the classifier, only a very near, clear vote counts.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from assistant.understanding import lexicon

DATA = Path(__file__).with_name("data") / "decisions.jsonl"
BUY_AT = 0.3  # the classifier's buy probability from which its vote counts (its acts threshold)
VOTE_AT = 0.6  # share of the nearest labelled lines' weight that must say "decision"
ALONE_AT = (0.9, 0.95)  # without the classifier, the labelled lines decide alone only when this clear and near
_HESITATE = re.compile(r"再考虑|考虑一下|想想|商量|再说|下次|回头|先看看|还没想好|不一定|"
                       r"\bmaybe\b|\bmight\b|\bnot sure\b|\bthink (?:about|it over)\b|\blater\b|\bfirst talk\b", re.I)


@lru_cache(maxsize=1)
def _index():
    from assistant.understanding.semantic import NearestLabels

    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    return NearestLabels([r["text"] for r in rows], [bool(r["decision"]) for r in rows])


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

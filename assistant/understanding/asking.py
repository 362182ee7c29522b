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
invite / ask_option / other; ``data/choice_references.jsonl``: the seven references) by the
shared ``linear.LinearReader``, ships as ``data/asking_readings.npz`` and
``data/asking_references.npz`` and is rebuilt by ``python -m assistant.understanding.asking``
(which prints its 5-fold accuracy; it also retrains at first use when the lines changed).
A reading counts only when its probability reaches ``*_AT`` (set on those folds).
Without the embedder only the sure words answer.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.understanding import lexicon
from assistant.understanding.linear import Cue, LinearReader, jsonl_rows

DATA = Path(__file__).with_name("data")
READINGS = DATA / "coach_readings.jsonl"
REFERENCES = DATA / "choice_references.jsonl"
INVITE_AT = 0.6  # 5-fold on the labelled lines: invitations found 0.90, other lines taken 3 of 177
OPTION_AT = 0.6  # questions about an option found 0.95, others taken 2 of 329
OTHER_AT = 0.7  # a question this surely something else names no option
REFERENCE_AT = 0.45
CUE_SCALE = 0.3
REFERENCES_KINDS = ("suggested", "asked", "all", "first", "second", "request", "this")
_SURE_REFERENCE = ("all", "first", "second", "suggested", "asked", "request")
_TO_SELLER = re.compile(r"[你您]|帮我|给我|\byou\b|\byour\b", re.I)
CUES = (
    Cue("question", lexicon.cue("turn_question")),
    Cue("seller_addressed", re.compile(r"[你您]|\byou\b", re.I)),
    Cue("invitation", lexicon.cue("invite_sure")),
    Cue("wh_word", re.compile(r"什么|哪|怎么|\bwhat\b|\bwhich\b|\bhow\b", re.I)),
    Cue("evaluating_end", lexicon.cue("option_eval", "zh"), tail=8),
)


def _rows(path: Path) -> list[dict]:
    return jsonl_rows(path)


READER = LinearReader("question", lambda: _rows(READINGS), lambda r: r["reading"], DATA / "asking_readings.npz",
                      CUES, CUE_SCALE)
REFERENCE_READER = LinearReader("choice reference", lambda: _rows(REFERENCES), lambda r: r["refers"],
                                DATA / "asking_references.npz", CUES, CUE_SCALE)
_READERS = {"readings": READER, "references": REFERENCE_READER}


def features(texts: list[str]):
    return READER.features(texts)


def build() -> list[Path]:
    """Learn both readings from the labelled lines and write the shipped weights."""
    return [READER.build(), REFERENCE_READER.build()]


def _predict(name: str, text: str) -> tuple[str | None, float]:
    return _READERS[name].best(text)


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
    return {name: round(reader.cross_validate(folds).accuracy, 3) for name, reader in _READERS.items()}


if __name__ == "__main__":  # pragma: no cover
    print("5-fold accuracy:", cross_validate())
    print("written", build())

"""What the latest customer turn does, for the policy: the acts in it and the words they rest on.

The understanding layer (``assistant.understanding.reading.read_turn``) reads a turn by
meaning; this module turns its answer into what the policy needs (acts, the person named,
the pain named, the words each rests on). Where the understanding layer is not installed
the same shape comes from the shared cue lexicon (``assistant.understanding.lexicon``, where
every cue word of this module is declared), so the policy never depends on which one answered.

Acts: request (a product named, the purpose unsaid), need, pain, person, feeling,
constraint, agree, deny, buy, ask, other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.needs import cues
from assistant.understanding import lexicon

ACTS = ("request", "need", "pain", "person", "feeling", "constraint", "agree", "deny", "buy", "ask", "other")

try:  # the understanding layer, when present
    from assistant.understanding.reading import ReadingContext as _Context  # type: ignore
    from assistant.understanding.reading import read_turn as _read_turn  # type: ignore
except ImportError:  # pragma: no cover - depends on the installed layers
    _read_turn = _Context = None


@dataclass
class Reading:
    text: str
    acts: set[str] = field(default_factory=set)
    person: str = ""  # the person named ("儿媳妇", "our night staff")
    pain: str = ""  # the short span naming a difficulty
    need: str = ""  # the short span naming what is wanted
    constraint: str = ""
    asks_for_recommendation: bool = False
    mentioned: list[str] = field(default_factory=list)  # things the customer names in a question
    source: str = "cues"
    pain_score: float = 0.0  # the highest pain score of the turn's statements (cue: 1.0; else the classifier's)
    pain_sentence: str = ""  # the statement it belongs to, wherever it stands in the turn
    closing_ask: str = ""  # the question that ends the turn, when it is not the pain itself

    def has(self, *acts: str) -> bool:
        return any(a in self.acts for a in acts)


# the turn reader's cues, declared once per language in the shared lexicon
_BUY = lexicon.cue("turn_buy")
_AGREE = lexicon.cue("turn_agree")
_DENY = lexicon.cue("turn_deny")
_RECOMMEND = lexicon.cue("asks_recommendation")
PAIN = lexicon.cue("turn_pain")
_CONSTRAINT = lexicon.cue("turn_constraint")
_REQUEST = lexicon.cue("turn_request")
_NEED = lexicon.cue("turn_need")
_STATE_OF_PERSON = lexicon.cue("state_of_person")
_QUESTION = lexicon.cue("turn_question")
_OPTION_IN_QUESTION = lexicon.cue("option_in_question", "zh")  # group 1: the option asked about
_OPTION_EN = lexicon.cue("option_in_question", "en")
_PEOPLE_EXTRA = lexicon.cue("people_in_law")
_FILLER = lexicon.cue("filler")


def find_person(text: str) -> str:
    """The first person a text names (the user behind the buyer)."""
    extra = _PEOPLE_EXTRA.search(text)
    if extra:
        return extra.group(0)
    found = cues.PEOPLE.search(text)
    return found.group(0) if found else ""


def span_with(sentence: str, pattern: re.Pattern[str], limit: int = 14) -> str:
    """The clause of a sentence that matches ``pattern`` (the pain, not the lead-in)."""
    clauses = [c for c in re.split(r"[，,；;：:]", sentence) if c.strip()]
    for clause in clauses:
        if pattern.search(clause):
            return short_span(clause, limit)
    return short_span(sentence, limit)


def whole_span(sentence: str, pattern: re.Pattern[str], limit: int = 14) -> str:
    """Like span_with, but empty when the clause does not fit in ``limit`` (no cut words)."""
    clauses = [c for c in re.split(r"[，,；;：:。！？!?]", sentence) if c.strip()]
    for clause in clauses:
        if pattern.search(clause):
            text = _FILLER.sub("", clause.strip())
            return text if len(text) <= limit or not cues.has_chinese(text) else ""
    return ""


def short_span(sentence: str, limit: int = 14) -> str:
    """The words a move rests on, short enough to be referred to, never the whole sentence
    (``limit`` characters of Chinese, or about as many English words)."""
    text = _FILLER.sub("", sentence.strip())
    parts = [p for p in re.split(r"[，,；;：:]", text) if p.strip()]
    text = (parts[0] if parts else text).strip()
    if cues.has_chinese(text):
        return text[:limit]
    words = text.split()
    return " ".join(words[: max(3, limit // 2)])


def read(text: str, language: str = "zh", context: dict[str, Any] | None = None) -> Reading:
    """The acts of one customer turn; the understanding layer's reading when it is installed."""
    reading = _read_by_cues(text)
    reading.acts.discard("other")
    if _read_turn is not None:
        try:
            _merge(reading, _read_turn(text, language, _context(context or {})))
        except Exception:  # a reader failure must not cost the turn; the cues still answer
            pass
    weigh_sentences(reading, text)
    if not reading.acts:
        reading.acts.add("other")
    return reading


PAIN_AT = 0.3  # the classifier's pain score from which a statement names a pain (set on the dev turns)
PAIN_WITH_WISH_AT = 0.45  # ...and from which a statement that also wants something is a pain first


def _sentence_scores(parts: list[str]) -> list[float]:
    """The sentence classifier's pain score per sentence (zeros when it is not available)."""
    try:
        from assistant.understanding import classifier

        model = classifier.default()
        if model is None:
            return [0.0] * len(parts)
        return [float(p.acts.get("pain", 0.0)) for p in model.predict(parts)]
    except Exception:  # the cues still answer
        return [0.0] * len(parts)


def _pain_scores(parts: list[str]) -> list[float]:
    """Per sentence, the higher of its own pain score and its most painful clause's (a pain told
    in one clause of a long sentence: "…，一节课光等开机就过去一大半")."""
    try:
        clauses = [[c.strip() for c in re.split(r"[，,；;：:]", p) if len(c.strip()) >= 4] for p in parts]
        flat = [c for cs in clauses if len(cs) > 1 for c in cs]
        whole = _sentence_scores(parts)
        by_clause = dict(zip(flat, _sentence_scores(flat))) if flat else {}
        return [max([w] + [by_clause.get(c, 0.0) for c in cs]) for w, cs in zip(whole, clauses)]
    except Exception:  # the cues still answer
        return [0.0] * len(parts)


def weigh_sentences(reading: Reading, text: str) -> None:
    """Every sentence of the turn is weighed for a pain, not only the turn as a whole: a pain
    told in the middle of a long turn that ends with a question about price, delivery or a
    feature ("…老板发了好大的火。对了，扫码枪一把多少钱？"), or told without a problem word
    ("有四个老客户都转去别家订货了"), is still the thread. A question is not a pain statement; a
    buying decision in the turn outranks any pain (the policy closes)."""
    parts = [s.strip() for s in (cues.sentences(text) or [text]) if s.strip()]
    if not parts:
        return
    scores = _pain_scores(parts)
    best, best_score = "", 0.0
    for sentence, score in zip(parts, scores):
        if _QUESTION.search(sentence) or _BUY.search(sentence):
            continue
        if PAIN.search(sentence):
            score = 1.0
        elif _NEED.search(sentence) and score < PAIN_WITH_WISH_AT:
            continue  # a wish said with some discomfort ("she keeps craving something sour") is the need
        if score > best_score:
            best, best_score = sentence, score
    last = parts[-1]
    if _QUESTION.search(last) and last != best:
        reading.closing_ask = last
    if best_score < PAIN_AT or "buy" in reading.acts:
        return
    reading.pain_score, reading.pain_sentence = round(best_score, 3), best
    reading.acts.add("pain")
    if not reading.pain:
        reading.pain = whole_span(best, PAIN) if PAIN.search(best) else _painful_clause(best)


def _painful_clause(sentence: str, limit: int = 14) -> str:
    """The clause of a pain sentence the classifier rates most painful, when it is short enough
    to be referred to whole (Chinese); empty otherwise (the move then speaks of "this")."""
    if not cues.has_chinese(sentence):
        return ""
    clauses = [_FILLER.sub("", c.strip()) for c in re.split(r"[，,；;：:。！!]", sentence) if c.strip()]
    clauses = [c for c in clauses if 6 <= len(c) <= limit]  # not a bare time ("最近三个月")
    if not clauses:
        return ""
    scores = _sentence_scores(clauses)
    return max(zip(scores, clauses))[1]


def _context(context: dict[str, Any]):
    last = context.get("last_move") or {}
    try:
        return _Context(last_slot=last.get("slot"), last_question_type=last.get("question_type"),
                        first_customer_turn=bool(context.get("first_turn")),
                        segment=str(context.get("segment") or ""))
    except Exception:  # a context the layer does not take: read without it
        return None


def _merge(reading: Reading, other: Any) -> None:
    """The understanding layer's reading where the sure cues are silent.

    The cues tell a request from a need, a condition from a need and a question from a
    statement, which the policy depends on; the layer adds what the cues missed (a pain or a
    feeling said in other words), and decides alone when the cues found nothing."""
    acts = {a for a in (getattr(other, "acts", None) or []) if a in ACTS and a != "other"}
    if not acts:
        return
    reading.source = "understanding"
    if not reading.acts:
        reading.acts = set(acts)
        if "ask" in reading.acts:
            reading.acts -= {"need", "request"}
    else:
        reading.acts |= acts & {"feeling"}
        if not reading.acts & {"need", "request", "buy", "ask", "agree", "deny"}:
            reading.acts |= acts & {"pain"}
        elif "need" in reading.acts and not reading.acts & {"request", "buy", "ask", "agree", "deny"} and any(
                "pain" in (getattr(part, "acts", None) or []) and "need" not in (getattr(part, "acts", None) or [])
                and not _NEED.search(getattr(part, "text", ""))
                for part in getattr(other, "sentences", None) or []):
            # a sentence that is all pain ("I'm sick of cleaning it and ordering capsules.") beside
            # another that wants something is still a pain: the thread starts there
            reading.acts.add("pain")
    for span in getattr(other, "spans", None) or []:
        act, words = getattr(span, "act", ""), getattr(span, "text", "")
        if act not in reading.acts or not words.strip() or getattr(reading, act, "x"):
            continue
        if act == "pain":
            reading.pain = whole_span(words, PAIN, 14) if PAIN.search(words) else ""
        elif act == "person":
            reading.person = find_person(words)
        elif act in ("need", "constraint"):
            setattr(reading, act, short_span(words, 20 if act == "need" else 14))
    if "person" in reading.acts and not reading.person:
        reading.acts.discard("person")


def _read_by_cues(text: str) -> Reading:
    reading = Reading(text=text)
    sentences = cues.sentences(text) or [text]
    first = sentences[0].strip()
    if _AGREE.match(first) and not _DENY.match(first):
        reading.acts.add("agree")
    if _DENY.match(first):
        reading.acts.add("deny")
    for sentence in sentences:
        if _BUY.search(sentence):
            reading.acts.add("buy")
        if _QUESTION.search(sentence):
            reading.acts.add("ask")
            if _RECOMMEND.search(sentence):
                reading.asks_for_recommendation = True
            option = _OPTION_IN_QUESTION.match(sentence.strip()) or _OPTION_EN.match(sentence.strip())
            if option and not _RECOMMEND.search(sentence):
                reading.mentioned.append(option.group(1))
        if PAIN.search(sentence) and not _QUESTION.search(sentence):
            reading.acts.add("pain")
            reading.pain = reading.pain or whole_span(sentence, PAIN)
        person = find_person(sentence)
        if person:
            reading.acts.add("person")
            reading.person = reading.person or person
        if _STATE_OF_PERSON.search(sentence) or cues.EMOTION.search(sentence):
            reading.acts.add("feeling")
        wish = _NEED.search(sentence) and not _QUESTION.search(sentence)
        if wish:
            reading.acts.add("need")
            reading.need = reading.need or span_with(sentence, _NEED, 20)
        if (_CONSTRAINT.search(sentence) or cues.BUDGET.search(sentence)) and not (wish and "就好" in sentence):
            reading.acts.add("constraint")
            reading.constraint = reading.constraint or short_span(sentence)
        if not wish and _REQUEST.search(sentence) and not _QUESTION.search(sentence):
            reading.acts.add("request")
    if "buy" in reading.acts:
        reading.acts.discard("request")
    return reading

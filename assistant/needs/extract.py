"""Need extraction: the readers and the model propose, the transcript decides.

Methods: ``semantic`` reads every customer sentence with ``understanding.reading`` (word
cues where sure, the sentence classifier elsewhere; no model call); ``rules`` uses the
word cues alone; ``model`` asks the chat model for an ``ExtractionResult`` under a JSON
schema (capped items and tokens; invalid output is re-asked once, then the semantic
reader answers); ``hybrid`` is the model plus the needs the semantic reader found that
the model missed. Long transcripts go to the model in windows of whole turns (at most
``max_windows`` of ``window_chars``); the rest is read without the model, so memory and
prompt size stay bounded whatever the input.

Whatever the source, a need is kept only when every evidence quote is found verbatim in
a customer turn (the turn number is corrected when the quote sits in another customer
turn), and when it is not merely the salesperson's pitch repeated back. Its statement is
then checked (``needs.restate``): a short restatement grounded in the conversation, or
the cleaned clause.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Literal

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.errors import ModelError
from assistant.llm.calls import complete_json
from assistant.needs.records import (
    Evidence,
    ExtractedNeed,
    ExtractionResult,
    char_bigrams,
    same_need,
)
from assistant.needs.restate import person_named, restated
from assistant.needs.rules import extract_by_rules
from assistant.needs.transcript import DialogueTurn, Transcript, find_verbatim, normalise_for_match
from assistant.understanding import lexicon
from assistant.understanding.reading import ReadingContext, hits, read_turn, rule_dimension
from assistant.prompts import load_prompt

log = logging.getLogger(__name__)

Method = Literal["model", "rules", "hybrid", "semantic"]
WINDOW_CHARS = 1500  # rendered transcript per model call: ~1.1k tokens, fits a 4k context with the prompt
MAX_WINDOWS = 3  # model calls per extraction; turns beyond them are read without the model
MAX_NEEDS = 8  # needs kept per extraction, most confident first
READ_BUDGET = 2000  # customer sentences read semantically; beyond that, word cues only


@dataclass
class ExtractionOutcome:
    needs: list[ExtractedNeed]
    method: str  # what actually produced the kept needs: model | rules | model+rules
    dropped: list[tuple[str, str]] = field(default_factory=list)  # (statement, reason)
    error: str | None = None


def field_guide() -> str:
    """The ExtractedNeed field descriptions, rendered for the prompt."""
    lines = []
    for name, info in ExtractedNeed.model_fields.items():
        lines.append(f"- {name}: {info.description}")
    lines.append(f"- evidence[].turn: {Evidence.model_fields['turn'].description}")
    lines.append(f"- evidence[].quote: {Evidence.model_fields['quote'].description}")
    return "\n".join(lines)


def verify(
    needs: list[ExtractedNeed], transcript: Transcript
) -> tuple[list[ExtractedNeed], list[tuple[str, str]]]:
    """Keep needs whose quotes are verbatim customer words; fix turn numbers; drop pitches."""
    customer = {t.n: t.text for t in transcript.customer_turns()}
    sales_text = " ".join(t.text for t in transcript.turns if t.role == "sales")
    customer_text = " ".join(t.text for t in transcript.customer_turns())
    kept: list[ExtractedNeed] = []
    dropped: list[tuple[str, str]] = []
    for need in needs:
        fixed: list[Evidence] = []
        bad = False
        for ev in need.evidence:
            quote = ev.quote.strip().strip("“”\"'「」")
            if len(normalise_for_match(quote)) < 2:
                bad = True
                break
            # the stated turn first, then any other customer turn (small models miscount)
            order = [ev.turn] + [n for n in customer if n != ev.turn]
            match = next(
                ((n, span) for n in order if n in customer
                 for span in [find_verbatim(quote, customer[n])] if span),
                None,
            )
            if match is None:
                bad = True
                break
            fixed.append(Evidence(turn=match[0], quote=match[1]))
        if bad or not fixed:
            dropped.append((need.statement, "evidence not found verbatim in a customer turn"))
            continue
        if _is_pitch(need.statement, customer_text, sales_text):
            dropped.append((need.statement, "repeats the salesperson's pitch, not the customer"))
            continue
        kept.append(need.model_copy(update={"evidence": fixed}))
    return _dedupe(kept), dropped


def _is_pitch(statement: str, customer_text: str, sales_text: str) -> bool:
    if not sales_text:
        return False
    words = char_bigrams(statement)
    from_sales = len(words & char_bigrams(sales_text))
    from_customer = len(words & char_bigrams(customer_text))
    return from_sales >= 2 and from_customer * 2 < from_sales


def _dedupe(needs: list[ExtractedNeed]) -> list[ExtractedNeed]:
    out: list[ExtractedNeed] = []
    for need in needs:
        if not any(same_need(o.statement, o.evidence, need.statement, need.evidence) for o in out):
            out.append(need)
    return out


def extract_by_reading(transcript: Transcript, turns: set[int] | None = None, *, limit: int = MAX_NEEDS,
                       semantic: bool | None = None, budget: int = READ_BUDGET) -> list[ExtractedNeed]:
    """Needs from the customer sentences the reader takes for needs (most confident first).

    Memory is bounded by ``limit``; past ``budget`` sentences the word cues read alone.
    """
    found: list[tuple[float, int, ExtractedNeed]] = []
    first_customer = next((t.n for t in transcript.turns if t.role == "customer"), None)
    read = 0
    for turn in transcript.customer_turns():
        if turns is not None and turn.n not in turns:
            continue
        use = semantic if read < budget else False
        reading = read_turn(turn.text, context=ReadingContext(first_customer_turn=turn.n == first_customer),
                            semantic=use)
        read += len(reading.sentences)
        for part in reading.sentences:
            sentence = part.text.strip()
            if not part.is_need:
                # the stated request ("橘子怎么卖", "想买几台") is the explicit need
                if not (part.has("request") or hits(sentence)["request"]) or part.has("deny"):
                    continue
                part = part.model_copy(update={"kind": "explicit", "owner": "buyer", "confidence": 0.5,
                                               "dimension": rule_dimension(hits(sentence))})
            motive = lexicon.cue("motive").search(sentence)
            need = ExtractedNeed(
                statement=sentence[:110],  # restated after verification
                kind=part.kind or "explicit", dimension=part.dimension or "functional",
                owner=part.owner or "buyer",
                motive=sentence[motive.end():].strip(" ，,。")[:150] if motive else "",
                evidence=[Evidence(turn=turn.n, quote=sentence[:200])],
                confidence=round(min(0.95, part.confidence), 3),
            )
            found.append((need.confidence, -len(found), need))
            if len(found) > 4 * limit:  # keep memory bounded on huge inputs
                found.sort(key=lambda x: (-x[0], -x[1]))
                del found[2 * limit:]
    found.sort(key=lambda x: (-x[0], -x[1]))
    return [n for _, _, n in found]


def windows(transcript: Transcript, window_chars: int = WINDOW_CHARS,
            max_windows: int = MAX_WINDOWS) -> list[Transcript]:
    """Consecutive whole turns, each window rendering to at most ``window_chars``; only the
    first ``max_windows`` windows that hold a customer turn. A turn longer than a window is
    left to the readers."""
    out: list[Transcript] = []
    current: list[DialogueTurn] = []
    size = 0
    for turn in transcript.turns:
        cost = len(turn.text) + 8
        if cost > window_chars:
            continue
        if current and size + cost > window_chars:
            if any(t.role == "customer" for t in current):
                out.append(Transcript(turns=current))
                if len(out) >= max_windows:
                    return out
            current, size = [], 0
        current.append(turn)
        size += cost
    if current and any(t.role == "customer" for t in current) and len(out) < max_windows:
        out.append(Transcript(turns=current))
    return out


def restate_all(needs: list[ExtractedNeed], transcript: Transcript,
                keep: dict[str, list[str]] | None = None, *, semantic: bool | None = None) -> list[ExtractedNeed]:
    """Each statement checked; one that fails becomes the cleaned clause of its evidence."""
    conversation = " ".join(t.text for t in transcript.customer_turns())
    person = person_named(conversation)
    out = []
    for need in needs:
        quotes = [transcript.turns[e.turn - 1].text if 0 < e.turn <= len(transcript.turns) else e.quote
                  for e in need.evidence]
        own = [e.quote for e in need.evidence]
        candidate = None if any(normalise_for_match(need.statement) == normalise_for_match(q) for q in own) \
            else need.statement
        statement, _ = restated(candidate, own + quotes, conversation,
                                keep=(keep or {}).get(need.statement), dimension=need.dimension, semantic=semantic,
                                person=person)
        out.append(need.model_copy(update={"statement": statement[:120]}))
    return out


MODEL_RESTATEMENTS = 3  # needs per extraction the model restates (one short call each, after the turn)


class NeedExtractor:
    def __init__(
        self,
        model: BaseChatModel | None,
        *,
        method: Method = "semantic",
        retries: int = 2,
        max_tokens: int = 480,  # the model's answers need ~300–400 tokens; less cuts the JSON
        language: str = "zh",
        window_chars: int = WINDOW_CHARS,
        max_windows: int = MAX_WINDOWS,
        limit: int = MAX_NEEDS,
        read_budget: int = READ_BUDGET,
        model_restate: bool = False,
    ):
        self.model = model
        self.method = method
        self.retries = retries
        self.max_tokens = max_tokens
        self.language = language
        self.window_chars = window_chars
        self.max_windows = max_windows
        self.limit = limit
        self.read_budget = read_budget
        self.model_restate = model_restate  # the model restates the first needs (off the turn's path)

    def _ask_model(self, transcript: Transcript) -> ExtractionResult:
        assert self.model is not None
        messages = load_prompt("extract_needs").messages(
            field_guide=field_guide(),
            transcript=transcript.render(self.language),
        )
        return complete_json(
            self.model,
            messages,
            ExtractionResult,
            retries=self.retries,
            reasks=1,
            max_tokens=self.max_tokens,
            temperature=0.0,
        )

    def _read(self, transcript: Transcript) -> tuple[list[ExtractedNeed], list[tuple[str, str]], str]:
        if self.method == "rules":
            needs, dropped = verify(extract_by_rules(transcript).needs, transcript)
            return needs, dropped, "rules"
        needs, dropped = verify(extract_by_reading(transcript, limit=self.limit, budget=self.read_budget), transcript)
        return needs, dropped, "semantic"

    def _finish(self, needs: list[ExtractedNeed], transcript: Transcript) -> list[ExtractedNeed]:
        # the rules method restates by cues alone; the others pick the need's clause by meaning
        done = restate_all(_dedupe(needs)[: self.limit], transcript, semantic=False if self.method == "rules" else None)
        if self.model is None or not self.model_restate or self.method not in ("model", "hybrid"):
            return done
        # a model method runs after the turn (background): the model restates the first needs from
        # their evidence, and what passes every check replaces the rule restatement
        from assistant.needs.model_restate import model_restatement

        turns = [t.text for t in transcript.customer_turns()]
        conversation = " ".join(turns)
        person = person_named(conversation)
        out = []
        for n, need in enumerate(done):
            said = model_restatement(self.model, [e.quote for e in need.evidence], conversation, turns, person) \
                if n < MODEL_RESTATEMENTS else ""
            out.append(need.model_copy(update={"statement": said}) if said else need)
        return out

    def extract(self, transcript: Transcript) -> ExtractionOutcome:
        if self.method in ("rules", "semantic") or self.model is None:
            needs, dropped, how = self._read(transcript)
            return ExtractionOutcome(self._finish(needs, transcript), how, dropped)
        proposed: list[ExtractedNeed] = []
        error = None
        for window in windows(transcript, self.window_chars, self.max_windows):
            try:
                proposed += self._ask_model(window).needs
            except ModelError as exc:
                log.warning("model extraction failed, reading without it: %s", exc.message)
                error = exc.message
                break
        if error is not None and not proposed:
            needs, dropped, how = self._read(transcript)
            return ExtractionOutcome(self._finish(needs, transcript), how, dropped, error=error)
        needs, dropped = verify(proposed, transcript)
        method = "model"
        if self.method == "hybrid":
            extra, extra_dropped, how = self._read(transcript)
            merged = _dedupe(needs + extra)
            if len(merged) > len(needs):
                method = f"model+{how}"
            needs, dropped = merged, dropped + extra_dropped
        return ExtractionOutcome(self._finish(needs, transcript), method, dropped, error=error)

"""Need extraction: the model proposes, the transcript decides.

The model is asked for an ``ExtractionResult`` under a JSON schema (capped items and
tokens). Output that does not validate is re-asked once; if the model still fails,
the rule-based extractor answers instead. Whatever the source, a need is kept only
when every evidence quote is found verbatim in a customer turn (the turn number is
corrected when the quote sits in another customer turn), and when it is not merely
the salesperson's pitch repeated back.
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
from assistant.needs.rules import extract_by_rules
from assistant.needs.transcript import Transcript, find_verbatim, normalise_for_match
from assistant.prompts import load_prompt

log = logging.getLogger(__name__)

Method = Literal["model", "rules", "hybrid"]


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


class NeedExtractor:
    def __init__(
        self,
        model: BaseChatModel | None,
        *,
        method: Method = "hybrid",
        retries: int = 2,
        max_tokens: int = 480,  # the model's answers need ~300–400 tokens; less cuts the JSON
        language: str = "zh",
    ):
        self.model = model
        self.method = method
        self.retries = retries
        self.max_tokens = max_tokens
        self.language = language

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

    def extract(self, transcript: Transcript) -> ExtractionOutcome:
        if self.method == "rules" or self.model is None:
            needs, dropped = verify(extract_by_rules(transcript).needs, transcript)
            return ExtractionOutcome(needs, "rules", dropped)
        try:
            proposed = self._ask_model(transcript).needs
        except ModelError as exc:
            log.warning("model extraction failed, using rules: %s", exc.message)
            needs, dropped = verify(extract_by_rules(transcript).needs, transcript)
            return ExtractionOutcome(needs, "rules", dropped, error=exc.message)
        needs, dropped = verify(proposed, transcript)
        method = "model"
        if self.method == "hybrid":
            extra, extra_dropped = verify(extract_by_rules(transcript).needs, transcript)
            merged = _dedupe(needs + extra)
            if len(merged) > len(needs):
                method = "model+rules"
            needs, dropped = merged, dropped + extra_dropped
        return ExtractionOutcome(needs, method, dropped)

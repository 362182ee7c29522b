"""Need records. Field descriptions double as the extraction instructions shown to the model."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

Kind = Literal["explicit", "implicit"]
Dimension = Literal["functional", "form", "emotional", "price", "business"]
Owner = Literal["buyer", "user", "decision_maker", "customer_of_customer", "unknown"]
# hypothesis: guessed (prep); stated: the customer's words show it; confirmed: the customer
# agreed to the salesperson's restatement or restated it unprompted; addressed: offered a fit
Status = Literal["hypothesis", "stated", "confirmed", "addressed"]
Stage = Literal["lead", "opportunity", "contract"]
Source = Literal["prep", "live", "roleplay", "import"]
ReviewState = Literal["ai_suggested", "edited", "validated"]

DIMENSION_LABELS = {
    "functional": ("功能", "functional"),
    "form": ("形式", "form"),
    "emotional": ("情感/外延", "emotional"),
    "price": ("价格/价值", "price"),
    "business": ("业务影响", "business"),
}
OWNER_LABELS = {
    "buyer": ("购买者", "buyer"),
    "user": ("使用者", "user"),
    "decision_maker": ("决策者", "decision maker"),
    "customer_of_customer": ("客户的客户", "customer's customer"),
    "unknown": ("未知", "unknown"),
}
KIND_LABELS = {"explicit": ("显性", "explicit"), "implicit": ("隐性", "implicit")}
STATUS_LABELS = {
    "hypothesis": ("待验证", "hypothesis"),
    "stated": ("客户提到", "stated"),
    "confirmed": ("已确认", "confirmed"),
    "addressed": ("已满足", "addressed"),
}


def now() -> datetime:
    return datetime.now(timezone.utc)


class Evidence(BaseModel):
    turn: int = Field(description="Number of the customer turn the quote comes from (as shown, e.g. 3).")
    quote: str = Field(
        min_length=1,
        max_length=200,
        description="The customer's exact words, copied character for character from that turn "
        "(a short span, not a paraphrase).",
    )


class ExtractedNeed(BaseModel):
    """One need as the model reports it; checked against the transcript before it is kept."""

    model_config = ConfigDict(extra="ignore")

    statement: str = Field(
        min_length=2,
        max_length=120,
        description="The need in one short sentence from the customer's side, e.g. "
        "'给怀孕的儿媳妇买酸味水果'. Not a product feature the salesperson praised.",
    )
    kind: Kind = Field(
        description="explicit: the customer asked for it directly; implicit: the need behind the "
        "request (who it is for, why, what worries them) that the customer did not ask for."
    )
    dimension: Dimension = Field(
        description="functional: what it must do; form: quality, brand, look, channel; emotional: "
        "feelings, worries, culture, being taken seriously; price: cost, value for money, budget; "
        "business: the customer's business goals, their own customers, losses if unsolved."
    )
    owner: Owner = Field(
        description="Whose need it is: buyer (the person paying/asking), user (who will use it), "
        "decision_maker, customer_of_customer (the customer's own customers), unknown."
    )
    motive: str = Field("", max_length=160, description="Why the customer needs it, if said.")
    evidence: list[Evidence] = Field(
        min_length=1,
        max_length=3,
        description="1-3 quotes from CUSTOMER turns that show this need; never from the salesperson.",
    )
    confidence: float = Field(0.6, ge=0.0, le=1.0, description="How sure you are (0-1).")


class ExtractionResult(BaseModel):
    """What the extractor returns: at most 5 needs; an empty list when there are none."""

    needs: list[ExtractedNeed] = Field(
        default_factory=list,
        max_length=5,
        description="Needs found in the customer's words; empty when the customer stated none.",
    )


class NeedRecord(BaseModel):
    """A need as stored in the need log."""

    model_config = ConfigDict(from_attributes=True)

    id: str = Field(default_factory=lambda: str(uuid.uuid4()))
    conversation_id: int | None = None
    account: str | None = Field(None, description="Account or customer name.")
    statement: str
    kind: Kind
    dimension: Dimension
    owner: Owner = "unknown"
    motive: str = ""
    evidence: list[Evidence] = Field(default_factory=list)
    status: Status = "hypothesis"
    confidence: float = Field(0.5, ge=0.0, le=1.0)
    ltc_stage: Stage = "lead"
    source: Source = "live"
    review_state: ReviewState = "ai_suggested"
    author: str = ""
    created_at: datetime = Field(default_factory=now)
    updated_at: datetime = Field(default_factory=now)

    @field_validator("statement")
    @classmethod
    def _strip(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("statement must not be empty")
        return value


_KEY_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def need_key(statement: str) -> str:
    """A normalised form used to recognise a restated need."""
    text = unicodedata.normalize("NFKC", statement).lower()
    return _KEY_DROP.sub("", text)[:200]


def char_bigrams(text: str) -> set[str]:
    text = need_key(text)
    return {text[i : i + 2] for i in range(len(text) - 1)} or {text}


def similarity(a: str, b: str) -> float:
    """Dice overlap of character bigrams — works for Chinese without a tokenizer."""
    x, y = char_bigrams(a), char_bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


def evidence_overlaps(a: list[Evidence], b: list[Evidence]) -> bool:
    """True when two needs quote the same words (one quote inside the other, same turn)."""
    return any(
        x.turn == y.turn and (x.quote in y.quote or y.quote in x.quote) for x in a for y in b
    )


def same_need(a_statement: str, a_evidence: list[Evidence], b_statement: str,
              b_evidence: list[Evidence], threshold: float = 0.6) -> bool:
    """A restated need: similar wording or overlapping quotes."""
    return similarity(a_statement, b_statement) >= threshold or evidence_overlaps(a_evidence, b_evidence)

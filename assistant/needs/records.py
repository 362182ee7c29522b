"""Need records. Field descriptions double as the extraction instructions shown to the model."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime, timezone
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from assistant.understanding.vocabulary import (  # noqa: E402  (the one declaration)
    DIMENSIONS,
    KINDS,
    OWNERS,
    STATUSES,
    Dimension,
    Kind,
    Owner,
    Status,
    describe,
    labels,
)

Stage = Literal["lead", "opportunity", "contract"]
Source = Literal["prep", "live", "roleplay", "import"]
ReviewState = Literal["ai_suggested", "edited", "validated"]

DIMENSION_LABELS = labels(DIMENSIONS)
OWNER_LABELS = labels(OWNERS)
KIND_LABELS = labels(KINDS)
STATUS_LABELS = labels(STATUSES)


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
    kind: Kind = Field(description=describe(KINDS) + ".")
    dimension: Dimension = Field(description=describe(DIMENSIONS) + ".")
    owner: Owner = Field(description="Whose need it is: " + describe(OWNERS) + ".")
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
    lifecycle: str = Field("hypothesis", description="State in the need's life (accounts.lifecycle.STATES).")
    stage_since: datetime | None = None
    knowledge_refs: list[str] = Field(default_factory=list,
                                      description="Knowledge entries the need was reasoned from.")
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

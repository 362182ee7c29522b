"""The discovery state of one conversation: what is known about the need, slot by slot.

It is updated deterministically from the customer's words (word cues) and from the
needs extracted so far; the model never edits it directly. It is stored with the
conversation and summarised (not the whole history) into every prompt.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.needs.records import Evidence, ExtractedNeed
from assistant.understanding import lexicon
from assistant.understanding.reading import TurnReading, slot_hits
from assistant.understanding.vocabulary import (
    B2B_ONLY,
    DIMENSION_SLOT,
    OWNER_SLOT,
    SLOT_NAMES,
    SLOTS,
    SlotName,
    SlotStatus,
    labels,
)

SLOT_LABELS: dict[str, tuple[str, str]] = labels(SLOTS)
__all__ = ["SLOT_LABELS", "SLOT_NAMES", "B2B_ONLY", "SlotName", "SlotStatus", "Slot", "DiscoveryState"]


class Slot(BaseModel):
    status: SlotStatus = "unknown"
    value: str = ""
    evidence: list[Evidence] = Field(default_factory=list)


class DiscoveryState(BaseModel):
    mode: Literal["prep", "live"] = "live"
    language: Literal["zh", "en"] = "zh"
    segment: Literal["B2C", "B2B", ""] = ""
    segment_fixed: bool = False
    stated_request: str = ""
    slots: dict[str, Slot] = Field(default_factory=lambda: {name: Slot() for name in SLOT_NAMES})
    asked: dict[str, int] = Field(default_factory=dict)  # slot -> times the coach suggested it
    addressed: list[str] = Field(default_factory=list)  # need ids the coach suggested addressing
    last_move: dict | None = None
    customer_turns: int = 0

    # ---- queries ---------------------------------------------------------------
    def known(self, name: str) -> bool:
        return self.slots[name].status != "unknown"

    def confirmed(self, name: str) -> bool:
        return self.slots[name].status == "confirmed"

    @property
    def is_b2b(self) -> bool:
        return self.segment == "B2B"

    def relevant_slots(self) -> list[str]:
        return [s for s in SLOT_NAMES if self.is_b2b or s not in B2B_ONLY]

    def summary(self, max_chars: int = 360) -> str:
        """Compact text for prompts: request, known slots, open slots. Length stays bounded."""
        zh = self.language == "zh"
        label = lambda s: SLOT_LABELS[s][0 if zh else 1].split("（")[0]  # noqa: E731
        known = [f"{label(s)}={self.slots[s].value[:28]}" for s in self.relevant_slots() if self.known(s)]
        unknown = [label(s) for s in self.relevant_slots() if not self.known(s)]
        parts = [
            ("请求：" if zh else "Request: ") + (self.stated_request[:60] or "—"),
            ("已知：" if zh else "Known: ") + ("；".join(known) if known else "—"),
            ("未知：" if zh else "Unknown: ") + ("、".join(unknown[:6]) or "—"),
        ]
        text = "\n".join(parts)
        return text[:max_chars]

    # ---- updates -----------------------------------------------------------------
    def set_slot(self, name: str, status: SlotStatus, value: str, evidence: Evidence | None) -> None:
        slot = self.slots[name]
        rank = {"unknown": 0, "partial": 1, "confirmed": 2}
        if rank[status] >= rank[slot.status]:
            slot.status = status
            if value:
                slot.value = value[:60]
        if evidence and all(e.quote != evidence.quote for e in slot.evidence):
            slot.evidence.append(evidence)
            slot.evidence = slot.evidence[-3:]

    def detect_segment(self, text: str, account_segment: str = "") -> None:
        """Account segment wins; otherwise B2C until the words show a business buyer."""
        if account_segment in ("B2B", "B2C"):
            self.segment = account_segment  # type: ignore[assignment]
            self.segment_fixed = True
        elif not self.segment_fixed:
            if lexicon.cue("b2b").search(text):
                self.segment = "B2B"
            elif not self.segment:
                self.segment = "B2C"

    def observe_customer(self, turn: int, text: str, reading: "TurnReading | None" = None) -> None:
        """Mark the slots the customer's words speak to (word cues; plus, when the turn's
        ``read_turn`` reading is given, the slots the sentence classifier found, as partial)."""
        self.customer_turns += 1
        if not self.stated_request:
            self.stated_request = text.strip()[:200]
            self.set_slot("buyer", "partial", "提出请求的客户" if self.language == "zh" else "the customer asking", None)
        self.detect_segment(text)
        last_slot = (self.last_move or {}).get("slot")
        last_type = (self.last_move or {}).get("question_type")
        for sentence in lexicon.sentences(text):
            ev = Evidence(turn=turn, quote=sentence[:200])
            for name, status, value in slot_hits(sentence):
                self.set_slot(name, status, value, ev)
            part = next((p for p in (reading.sentences if reading else []) if p.text.strip() == sentence.strip()), None)
            for name in (part.slots if part else []):
                if name in self.slots:
                    self.set_slot(name, "partial", sentence.rstrip("。！？!?.；;")[:60], ev)
            # an answer to a confirmation question confirms the slot it asked about
            if last_type == "confirmation" and last_slot in self.slots and lexicon.cue("agree").match(sentence):
                self.set_slot(last_slot, "confirmed", "", ev)
            # a plain answer right after a question about slot X speaks to X
            elif last_slot in self.slots and self.slots[last_slot].status == "unknown" and len(sentence) >= 4:
                if not lexicon.cue("greeting").match(sentence):
                    self.set_slot(last_slot, "partial", sentence.rstrip("。！？!?."), ev)

    def observe_needs(self, needs: list[ExtractedNeed]) -> None:
        for need in needs:
            ev = need.evidence[0] if need.evidence else None
            owner_slot = OWNER_SLOT.get(need.owner)
            if owner_slot and owner_slot != "buyer":
                self.set_slot(owner_slot, "confirmed", need.statement, ev)
            dim_slot = DIMENSION_SLOT[need.dimension]
            self.set_slot(dim_slot, "confirmed", need.statement, ev)
            if need.motive:
                self.set_slot("purpose", "confirmed", need.motive, ev)

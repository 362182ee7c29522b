"""The discovery state of one conversation: what is known about the need, slot by slot.

It is updated deterministically from the customer's words (word cues) and from the
needs extracted so far; the model never edits it directly. It is stored with the
conversation and summarised (not the whole history) into every prompt.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from assistant.needs import cues
from assistant.needs.records import Evidence, ExtractedNeed

SlotName = Literal[
    "buyer", "user", "decision_maker", "customer_of_customer", "purpose", "functional", "form",
    "emotional", "price", "business_goals", "business_customers", "impact_if_unsolved",
    "decision_process", "timing", "budget",
]
SLOT_NAMES: tuple[str, ...] = SlotName.__args__  # type: ignore[attr-defined]
SlotStatus = Literal["unknown", "partial", "confirmed"]

SLOT_LABELS: dict[str, tuple[str, str]] = {
    "buyer": ("购买者", "Buyer"),
    "user": ("使用者（给谁用）", "User (who it is for)"),
    "decision_maker": ("决策者", "Decision maker"),
    "customer_of_customer": ("客户的客户", "Customer's customer"),
    "purpose": ("用途与场景（用来做什么）", "Purpose & usage"),
    "functional": ("功能需求", "Functional needs"),
    "form": ("形式需求（品质/品牌/渠道）", "Form (quality, brand, channel)"),
    "emotional": ("情感与顾虑", "Feelings & worries"),
    "price": ("价格与价值", "Price & value"),
    "business_goals": ("业务目标", "Business goals"),
    "business_customers": ("他们的客户", "Their customers"),
    "impact_if_unsolved": ("不解决的影响", "Impact if unsolved"),
    "decision_process": ("决策流程", "Decision process"),
    "timing": ("时间要求", "Timing"),
    "budget": ("预算", "Budget"),
}
B2B_ONLY = {"business_goals", "business_customers", "customer_of_customer", "decision_process"}


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
            if cues.B2B_HINTS.search(text):
                self.segment = "B2B"
            elif not self.segment:
                self.segment = "B2C"

    def observe_customer(self, turn: int, text: str) -> None:
        """Mark the slots the customer's words speak to."""
        self.customer_turns += 1
        if not self.stated_request:
            self.stated_request = text.strip()[:200]
            self.set_slot("buyer", "partial", "提出请求的客户" if self.language == "zh" else "the customer asking", None)
        self.detect_segment(text)
        last_slot = (self.last_move or {}).get("slot")
        last_type = (self.last_move or {}).get("question_type")
        for sentence in cues.sentences(text):
            ev = Evidence(turn=turn, quote=sentence[:200])
            for name, status, value in _slot_hits(sentence):
                self.set_slot(name, status, value, ev)
            # an answer to a confirmation question confirms the slot it asked about
            if last_type == "confirmation" and last_slot in self.slots and cues.AFFIRM.match(sentence):
                self.set_slot(last_slot, "confirmed", "", ev)
            # a plain answer right after a question about slot X speaks to X
            elif last_slot in self.slots and self.slots[last_slot].status == "unknown" and len(sentence) >= 4:
                if not cues.GREETING.match(sentence):
                    self.set_slot(last_slot, "partial", sentence.rstrip("。！？!?."), ev)

    def observe_needs(self, needs: list[ExtractedNeed]) -> None:
        for need in needs:
            ev = need.evidence[0] if need.evidence else None
            owner_slot = {"user": "user", "decision_maker": "decision_maker",
                          "customer_of_customer": "customer_of_customer"}.get(need.owner)
            if owner_slot:
                self.set_slot(owner_slot, "confirmed", need.statement, ev)
            dim_slot = {"functional": "functional", "form": "form", "emotional": "emotional",
                        "price": "price", "business": "impact_if_unsolved"}[need.dimension]
            self.set_slot(dim_slot, "confirmed", need.statement, ev)
            if need.motive:
                self.set_slot("purpose", "confirmed", need.motive, ev)


_PURPOSE_STRONG = re.compile(r"给.{1,8}(?:买|用|吃|喝|穿|送)|用来|用于|拿来|为了|因为|\bfor my\b|\bbecause\b|\bso that\b", re.I)


def _first(pattern: re.Pattern[str], text: str) -> str:
    match = pattern.search(text)
    return match.group(0) if match else ""


def _slot_hits(sentence: str) -> list[tuple[str, SlotStatus, str]]:
    hits: list[tuple[str, SlotStatus, str]] = []
    short = sentence.rstrip("。！？!?.；;")[:60]
    if cues.CUSTOMERS_OF_CUSTOMER.search(sentence):
        hits += [("customer_of_customer", "confirmed", short), ("business_customers", "confirmed", short)]
    elif cues.PEOPLE.search(sentence):
        hits.append(("user", "confirmed", _first(cues.PEOPLE, sentence) + "：" + short))
    if _PURPOSE_STRONG.search(sentence):
        hits.append(("purpose", "confirmed", short))
    elif cues.PURPOSE.search(sentence):
        hits.append(("purpose", "partial", short))
    if cues.DECISION.search(sentence):
        hits.append(("decision_maker", "confirmed", short))
    if re.search("招标|审批|流程|试用|评估|比价|tender|approval|trial|evaluate", sentence, re.I):
        hits.append(("decision_process", "confirmed", short))
    if cues.TIMING.search(sentence):
        hits.append(("timing", "confirmed", short))
    if cues.BUDGET.search(sentence):
        hits.append(("budget", "confirmed", short))
    if cues.PRICE.search(sentence):
        hits.append(("price", "confirmed", short))
    if cues.FORM.search(sentence):
        hits.append(("form", "confirmed", short))
    if cues.EMOTION.search(sentence):
        hits.append(("emotional", "confirmed", short))
    if cues.BUSINESS.search(sentence):
        goal = re.search("增长|业绩|目标|效率|KPI|份额|扩张|转型|growth|target|efficien|market share", sentence, re.I)
        hits.append(("business_goals" if goal else "impact_if_unsolved", "confirmed", short))
    if cues.FUNCTION.search(sentence) and cues.NEED_VERBS.search(sentence):
        hits.append(("functional", "confirmed", short))
    elif cues.FUNCTION.search(sentence):
        hits.append(("functional", "partial", short))
    return hits

"""The next-move policy: code, not a prompt.

Given the discovery state and the needs logged so far, pick the most valuable thing
for the salesperson to do next — which slot to probe and with what kind of question,
when to confirm, and when (only then) to address a need with a better fit. It never
suggests pitching while purpose and user are unknown: that is the jujube sellers'
mistake. Each move names the method card it comes from and the knowledge it cites.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from assistant.coach.cards import Catalog
from assistant.coach.state import SLOT_LABELS, DiscoveryState
from assistant.knowledge.citation import cite_entry
from assistant.needs.records import NeedRecord

QuestionType = Literal["open", "purpose", "user", "implication", "need_payoff", "confirmation", "address"]


class Citation(BaseModel):
    id: str
    title: str
    source: str  # as a person cites it: 《source title》, year
    excerpt: str = ""
    source_file: str = ""  # the raw file name(s), for a details view only


class Move(BaseModel):
    kind: Literal["ask", "confirm", "address"]
    slot: str | None = None
    question_type: QuestionType
    card_id: str | None = None
    example: str = ""
    rationale: str = ""
    need_id: str | None = None
    need_statement: str = ""
    citations: list[Citation] = Field(default_factory=list)

    def label(self, language: str = "zh") -> str:
        if self.kind == "address":
            return "满足需求" if language == "zh" else "Address the need"
        if self.kind == "confirm":
            return "确认需求" if language == "zh" else "Confirm"
        names = SLOT_LABELS.get(self.slot or "", ("", ""))
        return names[0 if language == "zh" else 1]


# slot -> (card purpose, question type, why — zh, why — en)
SLOT_PLAN: dict[str, tuple[str, QuestionType, str, str]] = {
    "purpose": ("what_for", "purpose",
                "先弄清买来做什么：同一件商品，用途不同，要的完全不一样。",
                "Find out what it is for first: the same product serves very different needs."),
    "user": ("who_for", "user",
             "购买者不一定是使用者：真正的需求往往属于背后的那个人。",
             "The buyer is often not the user; the real need belongs to the person behind them."),
    "impact_if_unsolved": ("if_unsolved", "implication",
                           "问清问题不解决的后果，才知道需求有多急、值多少。",
                           "Asking what happens if it stays unsolved shows how urgent and valuable the need is."),
    "business_goals": ("business_goal", "need_payoff",
                       "了解客户的业务目标，方案才能帮客户赚钱，而不只是卖产品。",
                       "Knowing their business goals lets you help them succeed, not just sell."),
    "customer_of_customer": ("customers_customer", "user",
                             "关注客户的客户：客户最在乎的是留住和赢得他们自己的客户。",
                             "Look at the customer's customer: that is what your customer cares about most."),
    "business_customers": ("customers_customer", "user",
                           "客户的客户决定了客户真正要什么。",
                           "The customer's customers decide what the customer really needs."),
    "functional": ("what_for", "open",
                   "用开放式问题让客户多说，功能上的具体要求才会浮现。",
                   "Open questions let the customer talk; concrete functional needs surface."),
    "emotional": ("feelings", "open",
                  "情感与顾虑是外延需求，客户很少主动说，却常常决定成交。",
                  "Feelings and worries are rarely volunteered but often decide the sale."),
    "form": ("form_preferences", "open",
             "品质、品牌、购买和交付方式属于形式需求，问清楚才不会推错。",
             "Quality, brand and channel preferences are form needs; ask before recommending."),
    "price": ("value", "open",
              "客户要的是性价比，不只是低价：先弄清他看重的价值。",
              "Customers want value for money, not just a low price: learn what value means to them."),
    "budget": ("value", "open",
               "了解预算范围，推荐才能落在客户能接受的区间。",
               "Knowing the budget keeps recommendations within reach."),
    "decision_maker": ("who_else", "user",
                       "还有谁参与决定、谁会受影响？漏掉决策者，需求就不完整。",
                       "Who else decides or is affected? Missing them leaves the need incomplete."),
    "decision_process": ("decision", "open",
                         "了解决策流程和步骤，才能把需求推进到商机和合同。",
                         "Knowing the decision process moves the need from lead to contract."),
    "timing": ("decision", "open",
               "时间要求决定了方案和交付的优先级。",
               "Timing sets the priority of the solution and delivery."),
}

B2C_ORDER = ("purpose", "user", "functional", "emotional", "form", "price", "budget",
             "decision_maker", "timing")
B2B_ORDER = ("purpose", "impact_if_unsolved", "customer_of_customer", "business_goals", "user",
             "decision_maker", "decision_process", "functional", "timing", "budget", "emotional",
             "form", "price")
MAX_ASKS_PER_SLOT = 2


def ready_to_address(state: DiscoveryState) -> bool:
    """Only once purpose and who it is for are known may the coach suggest a solution."""
    who = state.known("user") or state.known("customer_of_customer") or state.known("impact_if_unsolved")
    return state.known("purpose") and who if not state.is_b2b else (
        (state.known("purpose") or state.known("business_goals")) and who
    )


def next_move(state: DiscoveryState, needs: list[NeedRecord], catalog: Catalog) -> Move:
    zh = state.language == "zh"
    # 1. the kiwi move: a confirmed implicit need, not yet addressed, once discovery allows it
    if ready_to_address(state):
        for need in needs:
            if need.kind == "implicit" and need.status == "confirmed" and need.id not in state.addressed:
                return _with_card(
                    Move(kind="address", question_type="address", need_id=need.id,
                         need_statement=need.statement,
                         rationale=("需求已经确认：推荐最适合的方案，包括客户没开口要、但更合适的选择——就像卖枣的小伙子推荐了猕猴桃。"
                                    if zh else "The need is confirmed: offer the best fit, including one the customer "
                                    "did not ask for — like the kiwis in the jujube story.")),
                    "address_need", catalog, state.language,
                )
    # 2. confirm a key slot we only half know
    for slot in ("purpose", "user", "impact_if_unsolved"):
        if state.slots[slot].status == "partial" and state.asked.get(f"confirm:{slot}", 0) == 0:
            value = state.slots[slot].value
            return _with_card(
                Move(kind="confirm", slot=slot, question_type="confirmation",
                     need_statement=value,
                     rationale=("客户的话还不够明确：用自己的话复述一遍，请客户确认，避免误解。"
                                if zh else "It is not yet clear: restate it in your words and let the customer confirm.")),
                "confirm", catalog, state.language,
            )
    # 3. the most valuable unknown slot not asked too often
    order = B2B_ORDER if state.is_b2b else B2C_ORDER
    last_slot = (state.last_move or {}).get("slot")
    candidates = [s for s in order if not state.known(s) and state.asked.get(s, 0) < MAX_ASKS_PER_SLOT]
    # not the same slot twice in a row: if the customer dodged, try another angle first
    fresh = [s for s in candidates if s != last_slot] or candidates
    for slot in fresh[:1]:
            purpose, qtype, why_zh, why_en = SLOT_PLAN[slot]
            return _with_card(
                Move(kind="ask", slot=slot, question_type=qtype, rationale=why_zh if zh else why_en),
                purpose, catalog, state.language,
            )
    # 4. everything asked: confirm the picture as a whole
    return _with_card(
        Move(kind="confirm", slot=None, question_type="confirmation",
             rationale=("主要信息都有了：总结客户的需求并请客户确认，再谈方案。"
                        if zh else "You have the main picture: summarise the needs, get a yes, then propose.")),
        "confirm", catalog, state.language,
    )


def _with_card(move: Move, purpose: str, catalog: Catalog, language: str) -> Move:
    card = catalog.card_for(purpose, move.slot)
    if card is None:
        return move
    examples = card.examples_zh if language == "zh" else (card.examples_en or card.examples_zh)
    move.card_id = card.id
    move.example = examples[0] if examples else ""
    citations = [Citation(id=card.id, title=card.title(language), source=cite_entry(card, language).source_text,
                          excerpt=card.excerpt(), source_file=", ".join(card.sources))]
    for ref in card.based_on[:1]:
        entry = catalog.get(ref)
        if entry is not None:
            citations.insert(0, Citation(id=entry.id, title=entry.title(language),
                                         source=cite_entry(entry, language).source_text, excerpt=entry.excerpt(),
                                         source_file=", ".join(entry.sources)))
    move.citations = citations
    return move


def record_move(state: DiscoveryState, move: Move) -> None:
    """Remember what was suggested so the policy moves on instead of repeating itself."""
    key = f"confirm:{move.slot}" if move.kind == "confirm" and move.slot else move.slot
    if key:
        state.asked[key] = state.asked.get(key, 0) + 1
    if move.kind == "address" and move.need_id:
        state.addressed.append(move.need_id)
    state.last_move = move.model_dump(include={"kind", "slot", "question_type", "need_id"})

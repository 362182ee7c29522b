"""The need vocabulary, declared once: dimensions, kinds, owners, slots, statuses, question
types and turn acts, each with its Chinese and English label.

Every other module takes its ``Literal`` types and labels from here. Adding a dimension
is one entry in ``DIMENSIONS`` (plus its labelled sentences in ``understanding/data``);
records, the discovery state, the need-log views and the classifier follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Term:
    zh: str
    en: str
    description: str = ""

    def label(self, language: str = "zh") -> str:
        return self.zh if language == "zh" else self.en


def _literal(names):  # a Literal over the declared names (the declaration stays the source)
    return Literal[tuple(names)]


# ---- need records -------------------------------------------------------------------
KINDS: dict[str, Term] = {
    "explicit": Term("显性", "explicit", "the customer asked for it directly"),
    "implicit": Term("隐性", "implicit",
                     "the need behind the request (who it is for, why, what worries them) that the "
                     "customer did not ask for"),
}

DIMENSIONS: dict[str, Term] = {
    "functional": Term("功能", "functional", "what it must do"),
    "form": Term("形式", "form", "quality, brand, look, channel, delivery"),
    "emotional": Term("情感/外延", "emotional", "feelings, worries, culture, being taken seriously"),
    "price": Term("价格/价值", "price", "cost, value for money, budget"),
    "business": Term("业务影响", "business",
                     "the customer's business goals, their own customers, losses if unsolved"),
}

OWNERS: dict[str, Term] = {
    "buyer": Term("购买者", "buyer", "the person paying or asking"),
    "user": Term("使用者", "user", "who will use it"),
    "decision_maker": Term("决策者", "decision maker", "who decides or approves"),
    "customer_of_customer": Term("客户的客户", "customer's customer", "the customer's own customers"),
    "unknown": Term("未知", "unknown", "not said"),
}

STATUSES: dict[str, Term] = {
    "hypothesis": Term("待验证", "hypothesis"),
    "confirmed": Term("已确认", "confirmed"),
    "addressed": Term("已满足", "addressed"),
}

# ---- discovery slots ------------------------------------------------------------------
@dataclass(frozen=True)
class SlotTerm(Term):
    b2b_only: bool = False


SLOTS: dict[str, SlotTerm] = {
    "buyer": SlotTerm("购买者", "Buyer"),
    "user": SlotTerm("使用者（给谁用）", "User (who it is for)"),
    "decision_maker": SlotTerm("决策者", "Decision maker"),
    "customer_of_customer": SlotTerm("客户的客户", "Customer's customer", b2b_only=True),
    "purpose": SlotTerm("用途与场景（用来做什么）", "Purpose & usage"),
    "functional": SlotTerm("功能需求", "Functional needs"),
    "form": SlotTerm("形式需求（品质/品牌/渠道）", "Form (quality, brand, channel)"),
    "emotional": SlotTerm("情感与顾虑", "Feelings & worries"),
    "price": SlotTerm("价格与价值", "Price & value"),
    "business_goals": SlotTerm("业务目标", "Business goals", b2b_only=True),
    "business_customers": SlotTerm("他们的客户", "Their customers", b2b_only=True),
    "impact_if_unsolved": SlotTerm("不解决的影响", "Impact if unsolved"),
    "decision_process": SlotTerm("决策流程", "Decision process", b2b_only=True),
    "timing": SlotTerm("时间要求", "Timing"),
    "budget": SlotTerm("预算", "Budget"),
}
SLOT_STATUSES: dict[str, Term] = {
    "unknown": Term("未知", "unknown"),
    "partial": Term("部分了解", "partial"),
    "confirmed": Term("已确认", "confirmed"),
}

# which slot a logged need fills, by its dimension and by its owner
DIMENSION_SLOT: dict[str, str] = {
    "functional": "functional", "form": "form", "emotional": "emotional", "price": "price",
    "business": "impact_if_unsolved",
}
OWNER_SLOT: dict[str, str] = {
    "buyer": "buyer", "user": "user", "decision_maker": "decision_maker",
    "customer_of_customer": "customer_of_customer",
}

# ---- questions the salesperson asks -------------------------------------------------------
QUESTION_TYPES: dict[str, Term] = {
    "open": Term("开放式", "open", "lets the customer talk"),
    "purpose": Term("关于用途的", "purpose", "what it is for, where and when it is used"),
    "user": Term("关于使用者的", "user", "who it is really for"),
    "situation": Term("了解现状的", "situation", "facts about the customer's circumstances"),
    "problem": Term("关于问题的", "problem", "difficulties, dissatisfaction, worries"),
    "implication": Term("关于影响的", "implication", "what happens if the problem goes on, who it hurts, what it costs"),
    "need_payoff": Term("关于价值和成功标准的", "need-payoff", "what solving it would be worth"),
    "confirmation": Term("确认式", "confirmation", "checks the restated need with the customer"),
    "address": Term("满足需求", "address", "offers the best fit once the need is confirmed"),
}
QUESTION_FORMS: dict[str, Term] = {
    "open": Term("开放式", "open"),
    "closed": Term("封闭式", "closed"),
    "leading": Term("诱导式", "leading"),
    "stacked": Term("连环问", "stacked"),
    "statement": Term("陈述", "statement"),
}

# ---- what a customer turn does ----------------------------------------------------------
ACTS: dict[str, Term] = {
    "request": Term("提出请求", "request", "asks for a product, a price or a quote"),
    "need": Term("表达需求", "need", "says what they want or must have"),
    "pain": Term("说出痛点", "pain", "names a problem, a loss or a difficulty"),
    "person": Term("提到某人", "person", "names the person behind the purchase"),
    "feeling": Term("流露情绪", "feeling", "a worry, a fear, frustration, trust"),
    "constraint": Term("提出限制", "constraint", "budget, deadline, what it must not be"),
    "agree": Term("认同", "agree", "yes, that's right"),
    "deny": Term("否认", "deny", "no, that's not it"),
    "buy": Term("决定购买", "buy", "takes it, orders, closes"),
    "ask": Term("提问", "ask", "asks the salesperson a question"),
    "other": Term("其他", "other", "small talk, greeting, nothing to act on"),
}

LANGUAGES = ("zh", "en")

Kind = _literal(KINDS)
Dimension = _literal(DIMENSIONS)
Owner = _literal(OWNERS)
KnownOwner = _literal([o for o in OWNERS if o != "unknown"])
Status = _literal(STATUSES)
SlotName = _literal(SLOTS)
SlotStatus = _literal(SLOT_STATUSES)
QuestionType = _literal(QUESTION_TYPES)
QuestionForm = _literal(QUESTION_FORMS)
Act = _literal(ACTS)
Language = _literal(LANGUAGES)

SLOT_NAMES: tuple[str, ...] = tuple(SLOTS)
B2B_ONLY: frozenset[str] = frozenset(s for s, t in SLOTS.items() if t.b2b_only)


def labels(terms: dict[str, Term]) -> dict[str, tuple[str, str]]:
    """``{name: (zh, en)}`` — the shape the UI and CLI tables use."""
    return {name: (t.zh, t.en) for name, t in terms.items()}


def label(terms: dict[str, Term], name: str | None, language: str = "zh") -> str:
    term = terms.get(name or "")
    return term.label(language) if term else (name or "")


def describe(terms: dict[str, Term], *, skip: tuple[str, ...] = ()) -> str:
    """'name: description; …' — the wording field descriptions (and so prompts) use."""
    return "; ".join(f"{name}: {t.description}" for name, t in terms.items() if name not in skip and t.description)


def allowed(terms: dict[str, Term]) -> str:
    """The allowed values, for error messages: 'functional, form, …'."""
    return ", ".join(terms)

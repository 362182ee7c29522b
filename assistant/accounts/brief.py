"""The pre-meeting brief: what the team already knows about an account, what to verify,
what was left open last time, 5–8 questions in this customer's words and trade, and what
similar accounts and the knowledge base suggest — each item with where it comes from.

Questions: the card for each open slot (knowledge/methods) gives the purpose and example
questions; the model rephrases one question for this customer. A phrased question is kept
only if it is one question, ends as a question, pitches nothing and uses the customer's
own words (``check_question``); otherwise the card's example is used, marked as such.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Sequence

from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from assistant.accounts.meaning import vectors
from assistant.accounts.memory import AccountMemory, AccountView, MergedNeed
from assistant.accounts.similar import SimilarHypothesis, SimilarPolicy, similar_hypotheses  # noqa: F401
from assistant.coach.cards import Catalog, Entry
from assistant.coach.policy import B2B_ORDER, B2C_ORDER, SLOT_PLAN, card_examples, card_question
from assistant.understanding.vocabulary import DIMENSION_SLOT, OWNER_SLOT




class BriefNeed(BaseModel):
    id: str
    statement: str
    kind: str
    dimension: str
    owner: str
    state: str
    evidence: list[dict[str, Any]] = Field(default_factory=list)  # quote, turn, conversation, author, when
    knowledge_refs: list[str] = Field(default_factory=list)


class BriefQuestion(BaseModel):
    question: str
    why: str
    citation: str
    slot: str = ""
    phrased: bool = False  # True: the model's wording passed the checks; False: the card's example


class BriefOpenItem(BaseModel):
    """Something a conversation left open, with where it came from."""

    id: int
    kind: str  # promise | question | deferred | hypothesis
    kind_label: str = ""
    text: str  # the sentence, verbatim
    words: str = ""  # the words it was read from
    context: str = ""  # what the other side had just said
    speaker: str = ""  # customer | sales
    author: str = ""
    date: str = ""  # the meeting's date
    meeting: str = ""  # the conversation's title
    conversation: int | None = None
    turn: int | None = None

    def line(self, language: str = "zh") -> str:
        who = ("客户" if self.speaker == "customer" else "销售") if language == "zh" else self.speaker
        topic = f"（{self.context}）" if self.context else ""
        return f"{self.kind_label}：{who}“{self.text}”{topic} — {self.date} #{self.conversation} 第{self.turn}轮" \
            if language == "zh" else \
            f"{self.kind_label}: {who} “{self.text}”{f' ({self.context})' if self.context else ''} — " \
            f"{self.date} #{self.conversation} turn {self.turn}"


class KnowledgeHypothesis(BaseModel):
    statement: str
    source: str


class Brief(BaseModel):
    account: str
    trade: str = ""
    segment: str = ""
    last_contact: datetime | None = None
    known: list[BriefNeed] = Field(default_factory=list)
    to_verify: list[BriefNeed] = Field(default_factory=list)
    left_open: list[str] = Field(default_factory=list)
    open_items: list[BriefOpenItem] = Field(default_factory=list)
    questions: list[BriefQuestion] = Field(default_factory=list)
    similar: list[SimilarHypothesis] = Field(default_factory=list)
    from_knowledge: list[KnowledgeHypothesis] = Field(default_factory=list)


# ---- checks on a phrased question ----------------------------------------------------------
_PITCH = re.compile(
    r"推荐|我们的(?:产品|方案|服务|机器|设备)|优惠|折扣|打折|特价|促销|性价比|限时|下单|签约|买我们|选我们|"
    r"包您满意|保证|recommend|our (?:product|solution|service)|discount|special offer|deal|sign up|buy now",
    re.IGNORECASE)
_STOP_BIGRAMS = set("我们 你们 他们 什么 这个 那个 一下 可以 是不 不是 有没 没有 怎么 主要 需要 现在 时候 "
                    "一个 就是 还是 觉得 比较 非常 因为 所以 如果 的话 的是 了吗 吗？ 您们 您的 我的 这次 "
                    "有什 么样".split())
_EN_STOP = set("what that this with have your they them about would could which there their from "
               "when will just like more most some much very really".split())


def customer_terms(texts: Sequence[str]) -> set[str]:
    """The customer's own words: Chinese character pairs and English words of 4+ letters."""
    terms: set[str] = set()
    for text in texts:
        for run in re.findall(r"[\u4e00-\u9fff]+", text):
            terms |= {run[i:i + 2] for i in range(len(run) - 1)} - _STOP_BIGRAMS
        terms |= {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)} - _EN_STOP
    return terms


def _bare(text: str) -> str:
    return re.sub(r"[\W_]+", "", text).lower()


def check_question(text: str, terms: set[str], card_examples: Sequence[str] = (),
                   quotes: Sequence[str] = ()) -> str | None:
    """Why a phrased question is rejected, or None when it may be shown."""
    q = text.strip().strip('"“”「」').strip()
    if not q:
        return "empty"
    if "\n" in q or len(q) > 90:
        return "more than one line"
    if not q.endswith(("？", "?")):
        return "not a question"
    if q.count("？") + q.count("?") > 1:
        return "more than one question"
    if _PITCH.search(q):
        return "pitches"
    own = customer_terms([q])
    canned = customer_terms(card_examples)
    if not (own & terms) - canned:
        return "not in the customer's words"
    bare = _bare(q)
    for quote in quotes:  # the customer's sentence with a question mark is no question
        b = _bare(quote)
        if b and (bare in b or (b in bare and len(b) >= 0.7 * len(bare))):
            return "repeats the customer's words"
    return None


# ---- the brief -----------------------------------------------------------------------------
def _brief_need(m: MergedNeed) -> BriefNeed:
    n = m.need
    return BriefNeed(
        id=n.id, statement=n.statement, kind=n.kind, dimension=n.dimension, owner=n.owner, state=n.lifecycle,
        evidence=[{"quote": s.quote, "turn": s.turn, "conversation": s.conversation_id, "author": s.author,
                   "mode": s.mode, "when": s.when.isoformat(timespec="minutes")} for s in m.said],
        knowledge_refs=list(n.knowledge_refs),
    )


def _slot_of(n: BriefNeed) -> str:
    if n.owner in OWNER_SLOT and n.owner != "buyer":
        return OWNER_SLOT[n.owner]
    return DIMENSION_SLOT.get(n.dimension, "purpose")


def _citation(card: Entry | None, catalog: Catalog, language: str) -> str:
    if card is None:
        return ""
    source_entry = catalog.get(card.based_on[0]) if card.based_on else None
    target = source_entry or card
    return f"{card.title(language)} ← {target.title(language)}（{', '.join(target.sources)}）"


_SYSTEM_ZH = ("你帮销售准备拜访。根据方法卡，为这位客户写出一个提问。要求：只写一个问题，以问号结尾；"
              "用客户自己说过的词和他们的行业；不推荐、不介绍产品；不要解释。")
_SYSTEM_EN = ("You help a salesperson prepare a meeting. From the method card, write ONE question for this "
              "customer: a single question ending with a question mark, in the customer's own words and "
              "trade, no pitch, no product, no explanation.")


def _phrase(model, card: Entry, examples: Sequence[str], view: AccountView, quotes: Sequence[str],
            hypothesis: str, zh: bool, retries: int) -> str:
    from assistant.llm.calls import complete

    lines = [
        f"方法卡：{card.title('zh')}" if zh else f"Method card: {card.title('en')}",
        ("示例问题：" if zh else "Example questions: ") + " / ".join(examples[:3]),
        ("客户：" if zh else "Customer: ") + view.name + (f"（{view.trade}）" if view.trade else ""),
        ("客户说过：" if zh else "The customer said: ") + " / ".join(f"“{q}”" for q in quotes[:4]),
    ]
    if hypothesis:
        lines.append(("要验证的猜测：" if zh else "Hypothesis to verify: ") + hypothesis)
    lines.append("问题：" if zh else "Question:")
    reply = complete(model, [SystemMessage(_SYSTEM_ZH if zh else _SYSTEM_EN), HumanMessage("\n".join(lines))],
                     retries=retries, max_tokens=60)
    first = reply.strip().splitlines()[0] if reply.strip() else ""
    return re.sub(r"^(?:问题|Question)\s*[:：]\s*", "", first).strip()


def build_questions(view: AccountView, known: list[BriefNeed], to_verify: list[BriefNeed], catalog: Catalog,
                    *, model=None, language: str = "zh", size: int = 7, retries: int = 0) -> list[BriefQuestion]:
    zh = language == "zh"
    size = max(5, min(8, size))
    b2b = view.segment == "B2B" or (view.segment != "B2C" and any(
        n.owner == "customer_of_customer" or n.dimension == "business" for n in known + to_verify))
    order = list(B2B_ORDER if b2b else B2C_ORDER)
    covered = {_slot_of(n) for n in known}
    verify_slots = [(_slot_of(n), n.statement) for n in to_verify]
    plan: list[tuple[str, str]] = []
    for slot, hyp in verify_slots + [(s, "") for s in order if s not in covered]:
        if slot in SLOT_PLAN and slot not in {p[0] for p in plan}:
            plan.append((slot, hyp))
    for slot in order:  # a short history: fill up from the order
        if len(plan) >= size:
            break
        if slot not in {p[0] for p in plan}:
            plan.append((slot, ""))
    quotes = [e["quote"] for n in known + to_verify for e in n.evidence]
    terms = customer_terms(quotes + [n.statement for n in known + to_verify] + [view.trade])
    used: dict[str, int] = {}
    out: list[BriefQuestion] = []
    for slot, hyp in plan[:size]:
        purpose, _qtype, why_zh, why_en = SLOT_PLAN[slot]
        card = catalog.card_for(purpose, slot)
        examples = card_examples(card, "zh" if zh else "en")
        why = why_zh if zh else why_en
        if hyp:
            why = (f"验证：{hyp}。" if zh else f"Verify: {hyp}. ") + why
        question, phrased = "", False
        if model is not None and card is not None and terms:
            try:
                candidate = _phrase(model, card, examples, view, quotes, hyp, zh, retries)
            except Exception:  # noqa: BLE001 — a failed phrasing falls back to the card
                candidate = ""
            if candidate and check_question(candidate, terms, examples, quotes) is None:
                question, phrased = candidate.strip().strip('"“”「」').strip(), True
        if not question:
            k = used.get(purpose, 0)
            used[purpose] = k + 1
            question = card_question(card, slot, "zh" if zh else "en", k)
        out.append(BriefQuestion(question=question, why=why, citation=_citation(card, catalog, language),
                                 slot=slot, phrased=phrased))
    return out


def knowledge_hypotheses(view: AccountView, catalog: Catalog, language: str = "zh",
                         limit: int = 2, engine=None) -> list[KnowledgeHypothesis]:
    """Knowledge entries (concepts, cases, pitfalls, stories) nearest by meaning to this
    account: the mean of its trade's and its needs' vectors against each entry's title and
    first paragraph."""
    entries = [e for e in catalog.entries.values() if e.kind in ("concept", "case", "pitfall", "story")]
    if not entries:
        return []
    texts = [t for t in [view.trade] + [m.need.statement for m in view.needs][:8] if t] or [view.name]
    bodies = [f"{e.title('zh')} {e.excerpt(200)}" for e in entries]
    vecs = vectors(texts + bodies, engine)
    query = vecs[: len(texts)].mean(axis=0)
    order = (vecs[len(texts):] @ query).argsort()[::-1][:limit]
    return [KnowledgeHypothesis(statement=entries[i].summary_en if language != "zh" and entries[i].summary_en
                                else entries[i].excerpt(120) or entries[i].title(language),
                                source=f"{entries[i].title(language)}（{', '.join(entries[i].sources)}）")
            for i in order]


def open_items_of(memory: AccountMemory, account: str, person: Any | None, language: str = "zh",
                  limit: int = 12) -> list[BriefOpenItem]:
    """The account's open items (accounts.open_items), newest meeting first."""
    from assistant.accounts.open_items import KIND_LABELS, OpenItems

    zh = language == "zh"
    return [BriefOpenItem(id=o.id, kind=o.kind, kind_label=KIND_LABELS.get(o.kind, (o.kind, o.kind))[0 if zh else 1],
                          text=o.text, words=o.words, context=o.context, speaker=o.speaker, author=o.author,
                          date=o.when.date().isoformat(), meeting=o.conversation_title,
                          conversation=o.conversation_id, turn=o.turn)
            for o in OpenItems(memory.log).of_account(account, person, limit=limit)]


def build_brief(memory: AccountMemory, account: str, person: Any | None, catalog: Catalog, *,
                model=None, language: str = "zh", size: int = 7, retries: int = 0,
                similar: bool = True) -> Brief:
    view = memory.view(account, person)
    known = [_brief_need(m) for m in view.known]
    to_verify = [_brief_need(m) for m in view.open_hypotheses]
    items = open_items_of(memory, view.name, person, language)
    left_open = [i.line(language) for i in items]
    last = view.conversations[-1]["id"] if view.conversations else None
    left_open += [m.need.statement for m in view.needs  # suspected last time, a solution owed, a proposal
                  if (m.need.lifecycle in ("in_solution", "proposed") or (m.need.lifecycle == "hypothesis"
                                                         and m.need.conversation_id == last))
                  and m.need.statement not in left_open]
    questions = build_questions(view, known, to_verify, catalog, model=model, language=language, size=size,
                                retries=retries)
    return Brief(
        account=view.name, trade=view.trade, segment=view.segment, last_contact=view.last_contact,
        known=known, to_verify=to_verify, left_open=left_open, open_items=items, questions=questions,
        similar=similar_hypotheses(memory, view, person) if similar else [],
        from_knowledge=knowledge_hypotheses(view, catalog, language, engine=memory.log.engine) if similar else [],
    )


def brief_for_prep(account: str, person: Any | None, *, log, catalog: Catalog, model=None,
                   language: str = "zh", size: int = 7, retries: int = 0) -> Brief:
    """The brief the coach's prep mode starts from: ``log`` is the NeedLog, ``catalog`` the
    method cards, ``model`` the chat model that phrases the questions (None: the cards'
    examples). ``person`` decides what may be seen (a salesperson: their own accounts)."""
    return build_brief(AccountMemory(log), account, person, catalog, model=model, language=language,
                       size=size, retries=retries)

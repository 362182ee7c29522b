"""Account memory inside the coach: what the coach's turns leave in the account's record,
and the prep plan that starts from the account's brief.

* ``after_turn`` — after each relayed turn: the open items of the new words
  (accounts.open_items), and the knowledge entries each need was reasoned from
  (``NeedLog.add_knowledge_refs``): a need the customer's answer showed keeps the card and
  citations of the coach's move that asked for it; the need a move confirms or addresses
  keeps that move's card and citations.
* ``prep_plan`` — a prep conversation about an account the team has met starts from
  ``brief.brief_for_prep``: its questions (tailored, checked, the card's example as the
  fallback), and as hypotheses what is left open, what to verify and what similar accounts
  said, each with where it comes from.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reader:
    """Who a coach conversation belongs to, for the access rules of account memory."""

    username: str
    is_manager: bool


def reader_of(needlog, author: str) -> Reader | None:
    """A known salesperson sees their own accounts, a manager the team's; a conversation with
    no known user (the operator in a terminal) sees everything, like ``needs brief``."""
    from assistant.db.schema import User

    if not author:
        return None
    with needlog.sessions() as session:
        user = session.scalar(select(User).where(User.username == author))
    if user is None:
        return None
    return Reader(user.username, user.role == "manager")


def _refs(move: dict[str, Any] | None) -> list[str]:
    if not move:
        return []
    refs = [move.get("card_id") or ""] + [c.get("id", "") for c in move.get("citations") or []]
    return [r for r in dict.fromkeys(refs) if r]


def after_turn(needlog, conversation_id: int, new_needs, move, *, since: int) -> None:
    """Open items of the turns numbered ≥ ``since``, and knowledge refs of the needs; a
    failure here is logged and never costs the salesperson the turn."""
    from assistant.accounts.open_items import after_conversation

    try:
        after_conversation(needlog, conversation_id, since=since)
    except Exception:  # noqa: BLE001
        log.exception("open items of conversation %s", conversation_id)
    try:
        earlier = [t for t in needlog.turns(conversation_id) if t.role == "coach" and t.idx < since]
        asked = _refs((earlier[-1].meta or {}).get("move")) if earlier else []
        logged_now = {need.id for need in new_needs or []}
        for need_id in logged_now:
            if asked:
                needlog.add_knowledge_refs(need_id, asked, editor="coach", audit=False)
        current = move.model_dump(mode="json") if move is not None else None
        if current and current.get("need_id") and _refs(current):
            needlog.add_knowledge_refs(current["need_id"], _refs(current), editor="coach",
                                       audit=current["need_id"] not in logged_now)
    except Exception:  # noqa: BLE001
        log.exception("knowledge refs of conversation %s", conversation_id)


def prep_plan(needlog, catalog, conversation, *, model=None, size: int = 7, retries: int = 0):
    """The coach's QuestionPlan from the account's brief, or None when the conversation has
    no account or the team has no history with it."""
    from assistant.accounts.brief import brief_for_prep
    from assistant.coach.service import PlanItem, QuestionPlan
    from assistant.coach.state import SLOT_LABELS
    from assistant.errors import InputError

    account = conversation.account.name if conversation.account else ""
    if not account:
        return None
    language = conversation.language if conversation.language in ("zh", "en") else "zh"
    try:
        brief = brief_for_prep(account, reader_of(needlog, conversation.author), log=needlog, catalog=catalog,
                               model=model, language=language, size=size, retries=retries)
    except InputError:  # an account this person may not see: the plain plan
        return None
    if not (brief.known or brief.to_verify or brief.open_items):
        return None
    zh = language == "zh"
    items = [PlanItem(order=i, slot=q.slot, purpose=SLOT_LABELS.get(q.slot, ("", ""))[0 if zh else 1],
                      question=q.question, why=q.why, citation=q.citation)
             for i, q in enumerate(brief.questions, 1)]
    hypotheses = [("上次留下的：" if zh else "Left open: ") + o.line(language) for o in brief.open_items]
    hypotheses += [("待验证：" if zh else "To verify: ") + n.statement for n in brief.to_verify]
    hypotheses += [("同类客户还提到过：" if zh else "Similar accounts also mentioned: ") + h.statement
                   + (f"（{', '.join(h.accounts)}）" if h.accounts else "") for h in brief.similar]
    return QuestionPlan(questions=items, hypotheses=hypotheses)

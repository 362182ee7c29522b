"""A need's life as a small state machine, declared once.

hypothesis → stated → confirmed → in_solution → proposed → won → delivered, or lost, or
dropped (with a reason) from any open state. Each state also says what the older fields
``status`` and ``ltc_stage`` read, so the need log's filters keep working. Moves are
suggested from conversations: the customer agrees (confirm), a proposal or a quote is
mentioned, or the customer says they will buy (propose).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.errors import InputError
from assistant.understanding.vocabulary import STATUSES, Term


STATES: dict[str, Term] = {
    "hypothesis": Term("待验证", "hypothesis", "the salesperson suspects it; the customer has not said it"),
    "stated": Term("客户已提及", "stated", "found in the customer's words, not yet confirmed back"),
    "confirmed": Term("已确认", "confirmed", "the customer confirmed it"),
    "in_solution": Term("方案中", "in solution", "a solution is being shaped for it"),
    "proposed": Term("已提案", "proposed", "a proposal or quote covers it"),
    "won": Term("已成交", "won", "the customer bought"),
    "lost": Term("未成交", "lost", "the customer bought elsewhere or not at all"),
    "delivered": Term("已交付", "delivered", "delivered and in use"),
    "dropped": Term("已放弃", "dropped", "no longer pursued (reason given)"),
}
OPEN_STATES = ("hypothesis", "stated", "confirmed", "in_solution", "proposed")
FINAL_STATES = ("won", "lost", "delivered", "dropped")

NEXT: dict[str, tuple[str, ...]] = {
    "hypothesis": ("stated", "confirmed", "dropped"),
    "stated": ("confirmed", "hypothesis", "dropped"),
    "confirmed": ("in_solution", "proposed", "dropped"),
    "in_solution": ("proposed", "confirmed", "dropped"),
    "proposed": ("won", "lost", "in_solution", "dropped"),
    "won": ("delivered", "lost"),
    "lost": ("confirmed",),  # reopened
    "delivered": (),
    "dropped": ("hypothesis", "confirmed"),  # reopened
}
NEEDS_REASON = ("dropped", "lost")

# what the older fields read in each state (status must be one the vocabulary declares)
_LTC = {
    "hypothesis": "lead", "stated": "lead", "confirmed": "lead", "in_solution": "opportunity",
    "proposed": "opportunity", "won": "contract", "lost": "opportunity", "delivered": "contract",
}
_STATUS = {
    "hypothesis": "hypothesis", "stated": "stated", "confirmed": "confirmed",
    "in_solution": "confirmed", "proposed": "confirmed", "won": "confirmed", "lost": "confirmed",
    "delivered": "addressed",
}


def label(state: str, language: str = "zh") -> str:
    term = STATES.get(state)
    return term.label(language) if term else state


def check_move(current: str, target: str, reason: str = "") -> None:
    """Raise a clear InputError when ``current → target`` is not a move of the lifecycle."""
    if target not in STATES:
        raise InputError(f"Unknown need state {target!r}.", fix=f"use one of: {', '.join(STATES)}")
    if target == current:
        raise InputError(f"The need is already {target!r}.", fix="choose another state")
    if target not in NEXT.get(current, ()):
        allowed = ", ".join(NEXT.get(current, ())) or "none (final state)"
        raise InputError(f"A need cannot move from {current!r} to {target!r}.",
                         fix=f"from {current!r} it can move to: {allowed}")
    if target in NEEDS_REASON and not reason.strip():
        raise InputError(f"Moving a need to {target!r} needs a reason.", fix="give --reason \"…\"")


def fields_for(state: str, current_status: str, current_stage: str) -> tuple[str, str]:
    """(status, ltc_stage) a need in ``state`` shows; dropped keeps what it had."""
    if state == "dropped":
        return current_status, current_stage
    status = _STATUS[state]
    if status not in STATUSES:  # a vocabulary without "stated" reads it as a hypothesis
        status = "hypothesis"
    return status, _LTC[state]


def state_for_status(status: str) -> str:
    """The lifecycle state a need starts in, from the status it was recorded with."""
    return {"confirmed": "confirmed", "addressed": "in_solution", "stated": "stated"}.get(status, "hypothesis")


# ---- suggestions from conversations ---------------------------------------------------------
_PROPOSAL = re.compile(r"方案|报价|提案|标书|报个?价|proposal|quote|quotation|offer", re.IGNORECASE)


@dataclass(frozen=True)
class Suggestion:
    need_id: str
    statement: str
    current: str
    target: str
    because: str  # the customer's words the suggestion rests on
    turn: int | None = None


def suggest_moves(text: str, needs, *, turn: int | None = None, language: str = "zh") -> list[Suggestion]:
    """Moves a customer turn suggests for the account's open needs (never applied by itself).

    The customer agrees (read_turn act ``agree``) → open hypotheses/stated needs: confirmed.
    A proposal/quote is mentioned, or the customer will buy (act ``buy``) → confirmed or
    in-solution needs: proposed.
    """
    from assistant.understanding.reading import read_turn

    reading = read_turn(text, language=language)
    suggestions: list[Suggestion] = []
    agree = reading.has("agree") and not reading.has("deny")
    proposal_words = _PROPOSAL.search(text)
    buy = reading.has("buy")
    for need in needs:
        state = getattr(need, "lifecycle", "hypothesis")
        if agree and state in ("hypothesis", "stated"):
            span = reading.span("agree") or text
            suggestions.append(Suggestion(need.id, need.statement, state, "confirmed", span, turn))
        elif (proposal_words or buy) and state in ("confirmed", "in_solution"):
            span = proposal_words.group(0) if proposal_words else (reading.span("buy") or text)
            suggestions.append(Suggestion(need.id, need.statement, state, "proposed", span, turn))
    return suggestions

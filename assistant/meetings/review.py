"""The discovery review of one conversation: how the salesperson asked, and what was found.

Figures are computed from the turns alone (roles, words, times) with the product's one
question classifier (``roleplay.classify``) and the coach's discovery state, so a review
of an imported meeting and of a coach conversation mean the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from assistant.roleplay.classify import classify


@dataclass
class ReviewTurn:
    n: int
    role: str  # customer | sales
    text: str
    speaker: str = ""
    at: float | None = None  # seconds from the start
    end: float | None = None


@dataclass
class Review:
    talk_ratio: dict[str, float]
    talk_ratio_time: dict[str, float] | None
    questions: int
    question_rate: float  # questions per salesperson turn
    questions_per_minute: float | None
    longest_monologue: dict[str, Any]
    question_forms: dict[str, int]
    spin: dict[str, int]
    premature_pitches: int
    premature_pitch_turns: list[int]
    needs: list[dict[str, Any]] = field(default_factory=list)
    missed_openings: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "talk_ratio": self.talk_ratio,
            "talk_ratio_time": self.talk_ratio_time,
            "questions": self.questions,
            "question_rate": self.question_rate,
            "questions_per_minute": self.questions_per_minute,
            "longest_monologue": self.longest_monologue,
            "question_forms": self.question_forms,
            "spin": self.spin,
            "premature_pitches": self.premature_pitches,
            "premature_pitch_turns": self.premature_pitch_turns,
            "needs": self.needs,
            "missed_openings": self.missed_openings,
        }


def _chars(text: str) -> int:
    """Characters that carry words (no spaces or punctuation): fair between zh and en."""
    return sum(1 for ch in text if ch.isalnum())


def _durations(turns: Sequence[ReviewTurn]) -> list[float | None]:
    """A turn lasts until its own end time, else until the next turn starts; the last turn
    without an end time has no known length."""
    out: list[float | None] = []
    for i, t in enumerate(turns):
        if t.at is None:
            out.append(None)
        elif t.end is not None:
            out.append(max(0.0, t.end - t.at))
        elif i + 1 < len(turns) and turns[i + 1].at is not None:
            out.append(max(0.0, turns[i + 1].at - t.at))  # type: ignore[operator]
        else:
            out.append(None)
    return out


def _share(values: dict[str, float]) -> dict[str, float]:
    total = sum(values.values())
    return {k: round(v / total, 3) if total else 0.0 for k, v in values.items()}


def review_turns(
    turns: Sequence[ReviewTurn],
    *,
    language: str = "zh",
    known_before: Callable[[Sequence[ReviewTurn], int], tuple[bool, bool]] | None = None,
    citation: Callable[[str], str] | None = None,
) -> Review:
    """Figures of one conversation. ``known_before(turns, i)`` says whether purpose and
    user were known before turn ``i`` (default: the coach's discovery state)."""
    known_before = known_before or _discovery_known_before(language)
    chars = {"sales": 0.0, "customer": 0.0}
    for t in turns:
        chars[t.role] += _chars(t.text)
    durations = _durations(turns)
    timed = {"sales": 0.0, "customer": 0.0}
    for t, d in zip(turns, durations):
        if d is not None:
            timed[t.role] += d
    has_time = any(d is not None for d in durations)

    forms = {"open": 0, "closed": 0, "leading": 0, "stacked": 0}
    spin = {"situation": 0, "problem": 0, "implication": 0, "need_payoff": 0}
    questions = 0
    sales_turns = 0
    premature: list[int] = []
    for i, t in enumerate(turns):
        if t.role != "sales":
            continue
        sales_turns += 1
        label = classify(t.text)
        if label.is_question:
            questions += label.question_count
            if label.form in forms:
                forms[label.form] += 1
            if label.spin in spin:
                spin[label.spin] += 1
        if label.pitch:
            purpose, user = known_before(turns, i)
            if not (purpose and user):
                premature.append(t.n)

    longest: dict[str, Any] = {}
    for t, d in zip(turns, durations):
        if t.role != "sales":
            continue
        size = _chars(t.text)
        if not longest or size > longest["chars"]:
            longest = {"turn": t.n, "speaker": t.speaker, "chars": size,
                       "seconds": round(d, 1) if d is not None else None}
    minutes = (max((t.end or t.at or 0.0) for t in turns if t.at is not None) / 60
               if has_time else None)
    return Review(
        talk_ratio=_share(chars),
        talk_ratio_time=_share(timed) if has_time else None,
        questions=questions,
        question_rate=round(questions / sales_turns, 3) if sales_turns else 0.0,
        questions_per_minute=round(questions / minutes, 3) if minutes else None,
        longest_monologue=longest,
        question_forms=forms,
        spin=spin,
        premature_pitches=len(premature),
        premature_pitch_turns=premature,
        missed_openings=find_missed_openings(turns, language=language, citation=citation),
    )


def _discovery_known_before(language: str) -> Callable[[Sequence[ReviewTurn], int], tuple[bool, bool]]:
    """Purpose and user as the coach's discovery state reads them from the customer's words."""
    from assistant.coach.state import DiscoveryState

    cache: dict[int, tuple[bool, bool]] = {}

    def known(turns: Sequence[ReviewTurn], index: int) -> tuple[bool, bool]:
        if index not in cache:
            state = DiscoveryState(language="en" if language == "en" else "zh")
            for t in turns[:index]:
                if t.role == "customer":
                    state.observe_customer(t.n, t.text)
            cache[index] = (state.known("purpose"), state.known("user"))
        return cache[index]

    return known


# ---- missed openings -----------------------------------------------------------------------

OPENING_ACTS = ("pain", "person", "feeling")
# A salesperson's question this close in meaning to the customer's turn is on its thread
# (cosine over the shipped embedder; calibrated on benchmarks/data/meetings_dev.json).
FOLLOW_SIMILARITY = 0.86

_CARD_FOR = {"pain": "ask-impact-if-unsolved", "person": "ask-who-else-involved", "feeling": "ask-feelings-and-worries"}
_WHY = {
    "zh": {"pain": "客户说出了一个麻烦（“{span}”），销售没有追问它带来的影响",
           "person": "客户提到了一个相关的人（“{span}”），销售没有问这个人在意什么",
           "feeling": "客户流露了情绪或顾虑（“{span}”），销售没有接住"},
    "en": {"pain": "The customer named a problem (\"{span}\") and the salesperson did not ask what it costs",
           "person": "The customer mentioned someone who matters (\"{span}\") and the salesperson did not ask what they care about",
           "feeling": "The customer showed a worry or feeling (\"{span}\") and the salesperson did not pick it up"},
}
_ASK = {
    "zh": {"pain": "您提到{span}，这种情况一直这样下去，会带来什么影响？",
           "person": "您提到{span}，他们最在意的是什么？",
           "feeling": "您说{span}，最让您放心不下的是哪一点？"},
    "en": {"pain": "You mentioned {span} — what happens if that carries on?",
           "person": "You mentioned {span} — what matters most to them here?",
           "feeling": "You said {span} — what worries you most about it?"},
}


def _content_words(text: str) -> set[str]:
    from assistant.knowledge.normalize import _jieba

    if any("\u4e00" <= ch <= "\u9fff" for ch in text):
        return {w for w in _jieba().lcut(text) if len(w) >= 2 and not w.isdigit()}
    import re

    return {w.lower() for w in re.findall(r"[A-Za-z]{4,}", text)}


_FILLER = {"我们", "你们", "他们", "现在", "这个", "那个", "就是", "还是", "一下", "什么", "怎么", "可以", "没有",
           "时候", "一般", "主要", "有没有", "是不是", "您们", "that", "this", "with", "have", "what", "your", "about"}


def followed_up(customer_text: str, sales_text: str, act: str, span: str) -> bool:
    """Did the salesperson's next turn ask about what the customer just opened?"""
    label = classify(sales_text)
    if not label.is_question or label.pitch:
        return False
    if span and span in sales_text:
        return True
    shared = (_content_words(customer_text) & _content_words(sales_text)) - _FILLER
    if shared:
        return True
    if act == "person" and "user" in label.probes:
        return True
    from assistant.understanding.semantic import similarity

    score = float(similarity(sales_text, [customer_text])[0])
    if act == "pain" and label.spin in ("problem", "implication", "need_payoff"):
        return score >= FOLLOW_SIMILARITY - 0.03
    return score >= FOLLOW_SIMILARITY


def find_missed_openings(
    turns: Sequence[ReviewTurn],
    *,
    language: str = "zh",
    citation: Callable[[str], str] | None = None,
) -> list[dict[str, Any]]:
    """Customer turns naming a pain, a person or a feeling that the salesperson's next turn did
    not follow up, each with the question the coach would have asked and where it comes from."""
    from assistant.understanding.reading import read_turn

    lang = "en" if language == "en" else "zh"
    out: list[dict[str, Any]] = []
    for i, turn in enumerate(turns):
        if turn.role != "customer":
            continue
        reply = next((t for t in turns[i + 1:] if t.role == "sales"), None)
        if reply is None:
            break  # the meeting ended: nothing was missed
        reading = read_turn(turn.text, language=lang)
        acts = [a for a in OPENING_ACTS if reading.has(a)]
        if not acts:
            continue
        # the salesperson may take up any one of the threads the turn opens
        if any(followed_up(turn.text, reply.text, a, reading.span(a) or "") for a in acts):
            continue
        act = acts[0]
        span = reading.span(act) or ""
        shown = span if 2 <= len(span) <= 20 else turn.text[:14]
        card = _CARD_FOR[act]
        out.append({
            "turn": turn.n, "kind": act, "quote": span or turn.text[:40],
            "why": _WHY[lang][act].format(span=shown),
            "suggested_question": _ASK[lang][act].format(span=shown),
            "card": card,
            "citation": citation(card) if citation else card,
        })
    return out

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

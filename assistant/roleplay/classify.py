"""Classifying a trainee's turn: question or statement, its form, SPIN type, probes, pitch.

Rules first (fast, explainable, measured in benchmarks/question_types.py). With
``semantic=True`` the SPIN stage of a question is also read by meaning (``roleplay/spin.py``: a
linear reader over the shipped embedder, learnt from labelled lines), which decides where the
stage cues are unsure — a question no cue matched, which the rules call "situation" by default.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

from assistant.understanding.lexicon import cue, sentences

Form = Literal["open", "closed", "leading", "stacked", "statement"]
Spin = Literal["situation", "problem", "implication", "need_payoff", "none"]

_I = re.IGNORECASE
# cue lists live in the one lexicon (assistant/understanding/lexicon.py)
QUESTION_WORDS = cue("question_words")
OPEN_WORDS = cue("open_question_words")
REQUEST_TO_TALK = cue("request_to_talk")
GENERIC_OPENER = cue("generic_opener")
STACK_JOIN = cue("stacked_join")
LEADING = cue("leading")
SITUATION = cue("spin_situation")
PROBLEM = cue("spin_problem")
IMPLICATION = cue("spin_implication")
NEED_PAYOFF = cue("spin_need_payoff")
PURPOSE = cue("probe_purpose")
USER = cue("probe_user")
PITCH = cue("pitch")
CLOSING_PITCH = cue("closing_pitch")
PURCHASE_QUANTITY = cue("purchase_quantity")
TAG_QUESTION = cue("tag_question")
CONFIRM = cue("confirmation")
ENDS_MA = re.compile(r"(?:吗|(?<![什怎])么)[\s？?！!。.]*$")


class QuestionClass(BaseModel):
    is_question: bool
    form: Form
    spin: Spin = "none"
    probes: list[Literal["purpose", "user"]] = Field(default_factory=list)
    confirmation: bool = False
    pitch: bool = False
    question_count: int = 0

    @property
    def kinds(self) -> set[str]:
        """Labels that reveal conditions refer to."""
        out: set[str] = set(self.probes)
        if self.form == "open":
            out.add("open")
        if self.spin != "none":
            out.add(self.spin)
        if self.confirmation:
            out.add("confirmation")
        return out

    def fields(self) -> dict[str, object]:
        """The labels as flat fields, the shape of the hand-labelled question sets."""
        return {
            "is_question": self.is_question,
            "form": self.form,
            "spin": self.spin,
            "purpose_probe": "purpose" in self.probes,
            "user_probe": "user" in self.probes,
            "pitch": self.pitch,
            "confirmation": self.confirmation,
        }

    def labels(self) -> list[str]:
        out = [self.form]
        if self.spin != "none":
            out.append(self.spin)
        out += self.probes
        if self.confirmation:
            out.append("confirmation")
        if self.pitch:
            out.append("pitch")
        return out


def count_questions(text: str) -> int:
    marks = len(re.findall(r"[？?]", text))
    if marks:
        return marks
    return 1 if QUESTION_WORDS.search(text) and re.search(r"吗$|呢$|\?$", text.strip()) else 0


def _clauses_with_questions(text: str) -> int:
    parts = re.split(r"[，,；;]|\band\b", text)
    return sum(1 for p in parts if re.search(r"有没有|是不是|多久|多少|哪|什么|谁|几|怎么|\b(?:what|how|who|which|when|where|why)\b", p, _I))


def rule_spin(text: str, is_question: bool, pitch: bool) -> tuple[Spin, bool]:
    """(stage, whether a stage cue decided it) by the rules alone."""
    if not is_question or pitch or GENERIC_OPENER.search(text):
        return "none", True
    if IMPLICATION.search(text):
        return "implication", True
    if NEED_PAYOFF.search(text):
        return "need_payoff", True
    if PROBLEM.search(text):
        return "problem", True
    return "situation", False  # fact-finding about the customer's circumstances, by default


def _spin(text: str, is_question: bool, pitch: bool, semantic: bool) -> Spin:
    stage, sure = rule_spin(text, is_question, pitch)
    if not semantic or stage == "none":  # no question, a pitch or a generic opener: no stage to read
        return stage
    from assistant.roleplay import spin

    return spin.combine(stage, sure, spin.read(text))  # type: ignore[return-value]


def _asking_part(text: str) -> str:
    """The sentences that ask (end in a question mark): a lead-in statement ("生意肯定不差。")
    gives context, it does not make the question that follows a leading one."""
    asking = [s for s in sentences(text) if re.search(r"[？?]$", s)]
    return " ".join(asking) or text


def _leads(asking: str) -> bool:
    """Suggests its own answer: a leading cue, or a tag question after an assumption (a summary
    checked back — "So you mean …, correct?" — asks for a correction, it does not lead)."""
    return bool(LEADING.search(asking)) or (bool(TAG_QUESTION.search(asking)) and not CONFIRM.search(asking))


def leads(text: str) -> bool:
    """The last question suggests its own answer, whatever form the line was given (a stacked
    line ending on "……对吧？" leads; one that checks an assumption first and then asks openly —
    "客户大多是长期合作的吧？那现在主要靠谁维系？" — does not)."""
    asking = [s for s in sentences(text.strip()) if re.search(r"[？?]$", s)]
    return _leads(asking[-1] if asking else text.strip())


def _pitch_after_question(text: str) -> bool:
    """A question followed by a pitch ("…, right? Let's get you the elite model."): the question
    only leads up to the sale."""
    head, mark, tail = text.rpartition("？") if text.rfind("？") > text.rfind("?") else text.rpartition("?")
    return bool(mark) and bool(CLOSING_PITCH.search(tail))


def classify(text: str, *, semantic: bool = False) -> QuestionClass:
    """Labels for one trainee turn: rules, and with ``semantic`` the SPIN stage also read by
    meaning where the stage cues are unsure (``roleplay/spin.py``)."""
    t = text.strip()
    questions = count_questions(t)
    if not questions and re.search(r"要不要|是不是|有没有|能不能|可不可以|对不对|行不行|好不好", t):
        questions = 1
    ends_flat = bool(re.search(r"[。！!.]$", t))
    if not questions and REQUEST_TO_TALK.search(t):
        questions = 1  # "说说您的情况" style requests count as (open) questions
    elif not questions and not ends_flat and QUESTION_WORDS.search(t) and OPEN_WORDS.search(t):
        questions = 1
    if questions == 1 and STACK_JOIN.search(t) and len(re.findall(r"[，,]", t)) >= 1 and _clauses_with_questions(t) >= 2:
        questions = 2  # several questions joined by commas under one question mark
    is_question = questions > 0
    probes: list = []
    if PURPOSE.search(t):
        probes.append("purpose")
    if USER.search(t):
        probes.append("user")
    if not is_question:
        form: Form = "statement"
    elif questions >= 2:
        form = "stacked"
    elif _leads(_asking_part(t)) or _pitch_after_question(t):
        form = "leading"
    elif ENDS_MA.search(t) and not re.search(r"什么|哪|怎么|说说|讲讲|介绍|具体", t):
        form = "closed"  # answerable with yes or no
    elif OPEN_WORDS.search(t) or REQUEST_TO_TALK.search(t):
        form = "open"
    else:
        form = "closed"
    pitch = bool(PITCH.search(t) or PURCHASE_QUANTITY.search(t)) and not probes
    spin = _spin(t, is_question, pitch, semantic)
    return QuestionClass(
        is_question=is_question, form=form, spin=spin, probes=probes,
        confirmation=bool(CONFIRM.search(t)), pitch=pitch, question_count=questions,
    )

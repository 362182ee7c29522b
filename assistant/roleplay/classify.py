"""Classifying a trainee's turn: question or statement, its form, SPIN type, probes, pitch.

Rules first (fast, explainable, measured in benchmarks/question_types.py); a model can
be asked for the same labels when rules are unsure.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, Field

Form = Literal["open", "closed", "leading", "stacked", "statement"]
Spin = Literal["situation", "problem", "implication", "need_payoff", "none"]

_I = re.IGNORECASE
QUESTION_WORDS = re.compile(
    r"什么|怎么|怎样|为什么|为啥|哪|谁|几|多少|是否|有没有|能不能|可不可以|要不要|是不是|对不对|如何|呢|吗|"
    r"\b(?:what|how|why|who|whom|which|when|where|do|does|did|are|is|could|would|can|will|have|should)\b", _I)
OPEN_WORDS = re.compile(
    r"什么|怎么|怎样|为什么|为啥|哪|谁|如何|多少|多大|多久|多长|多远|说说|讲讲|聊聊|介绍一下|多讲|展开|具体|"
    r"\b(?:what|how|why|who|tell me|describe|walk me through|which|where|when)\b", _I)
REQUEST_TO_TALK = re.compile(r"^(?:请|麻烦|能)?(?:您|你)?(?:再)?(?:说说|讲讲|聊聊|介绍一下|谈谈)|\b(?:tell me|describe|walk me through)\b", _I)
ENDS_MA = re.compile(r"(?:吗|(?<![什怎])么)[\s？?！!。.]*$")
LEADING = re.compile(
    r"难道|对吧|是吧|吧[？?]|不是吗|肯定|一定.*吧|你不觉得|您不觉得|是不是更好|最好是.*吧|"
    r"don't you think|wouldn't you agree|isn't it|surely|right\?$", _I)
SITUATION = re.compile(r"现在|目前|平时|一般|通常|用的是|多少人|多大|多久|几台|几个|哪家|currently|today|usually|how many|how often|what do you use", _I)
PROBLEM = re.compile(r"问题|困难|难处|麻烦|不满意|不满|担心|顾虑|痛点|头疼|烦|不方便|卡在|problem|issue|difficult|challenge|worr|concern|frustrat|pain", _I)
IMPLICATION = re.compile(r"影响|后果|损失|导致|会怎样|会怎么样|如果不|不解决|耽误|代价|罚|affect|impact|consequence|cost you|what happens if|lose|delay", _I)
NEED_PAYOFF = re.compile(r"如果能|要是能|假如能|解决了|帮到|帮助|好处|价值|意味着|有什么用处|成功|理想|最希望|if you could|would it help|benefit|worth|ideal|success|what would it mean", _I)
PURPOSE = re.compile(r"做什么|干什么|干啥|用来|用途|什么用|为什么要|为什么想|买来|场合|场景|打算怎么|主要是|目的|what (?:is it|are they|'s it) for|use (?:it|them|this|these) for|purpose|occasion|what for|\bfor\?$|why do you (?:want|need)", _I)
USER = re.compile(r"给谁|谁用|谁吃|谁喝|谁穿|谁来用|谁在用|谁会用|家里人|家里谁|送人|谁要|用的人|who is it for|who will use|who's it for|for whom|who else|who uses", _I)
PITCH = re.compile(
    r"我们的|我们家|咱家|这款|这个产品|特价|优惠|打折|折扣|买.送.|送您|保证|最好的|推荐您|给您推荐|"
    r"来(?:两|一|几|点|些)|称(?:点|两|一)|要不要来|包您|又.{1,4}又|性价比最高|质量最好|现在下单|补血|养颜|"
    r"\bour (?:product|price|offer|solution)|\bwe offer\b|\bbest\b|\bdiscount\b|\bdeal\b|\bbuy now\b|\bon sale\b", _I)
CONFIRM = re.compile(r"您的意思是|你的意思是|也就是说|我理解|我确认一下|确认一下|所以您|so you|if i understand|let me make sure|you mean", _I)


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


def classify(text: str) -> QuestionClass:
    """Rule-based labels for one trainee turn."""
    t = text.strip()
    questions = count_questions(t)
    if not questions and re.search(r"要不要|是不是|有没有|能不能|可不可以|对不对|行不行|好不好", t):
        questions = 1
    if not questions and (REQUEST_TO_TALK.search(t) or (QUESTION_WORDS.search(t) and OPEN_WORDS.search(t))):
        questions = 1  # "说说您的情况" style requests count as (open) questions
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
    elif LEADING.search(t):
        form = "leading"
    elif ENDS_MA.search(t):
        form = "closed"  # answerable with yes or no
    elif OPEN_WORDS.search(t) or REQUEST_TO_TALK.search(t):
        form = "open"
    else:
        form = "closed"
    spin: Spin = "none"
    if is_question:
        if IMPLICATION.search(t):
            spin = "implication"
        elif NEED_PAYOFF.search(t):
            spin = "need_payoff"
        elif PROBLEM.search(t):
            spin = "problem"
        elif SITUATION.search(t) or probes or form == "open":
            spin = "situation"  # open fact-finding about the customer's circumstances
    pitch = bool(PITCH.search(t)) and not probes
    return QuestionClass(
        is_question=is_question, form=form, spin=spin, probes=probes,
        confirmation=bool(CONFIRM.search(t)), pitch=pitch, question_count=questions,
    )

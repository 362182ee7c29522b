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
    r"什么|怎么|怎样|为什么|为啥|哪|谁|如何|多少|多大|多久|多长|多远|几|说说|讲讲|聊聊|介绍一下|多讲|展开|具体|觉得呢|怎么看|"
    r"\b(?:what|how|why|who|tell me|describe|walk me through|which|where|when)\b", _I)
REQUEST_TO_TALK = re.compile(r"说说|讲讲|聊聊|介绍一下|谈谈|\b(?:tell me|describe|walk me through)\b", _I)
GENERIC_OPENER = re.compile(r"有什么(?:可以|能)?帮(?:您|你)|需要点什么|想看点什么|how can i help|what can i do for you|what do you think|tell me (?:a bit )?more", _I)
STACK_JOIN = re.compile(r"[，,；;]\s*(?:还有|另外|以及|并且|而且)?\s*(?:用了|有没有|是不是|多久|多少|哪|什么|谁|几|怎么)|\band (?:what|how|who|which|when|where|why)\b", _I)
ENDS_MA = re.compile(r"(?:吗|(?<![什怎])么)[\s？?！!。.]*$")
LEADING = re.compile(
    r"难道|对吧|是吧|吧[？?]|不是吗|肯定|一定.*吧|你不觉得|您不觉得|是不是更好|是不是比|不心动|最好是.*吧|大家都选|"
    r"don't you think|wouldn't you agree|isn't it|surely|right\?$", _I)
SITUATION = re.compile(r"现在|目前|平时|一般|通常|用的是|多少人|多大|多久|几台|几个|哪家|currently|today|usually|how many|how often|what do you use", _I)
PROBLEM = re.compile(r"问题|困难|难处|(?<!^)麻烦(?![您你])|^麻烦(?![您你])|不满意|不满|满意吗|担心|顾虑|痛点|头疼|(?<!麻)烦|不方便|卡在|不够用|不顺手|放心不下|故障|不准|太慢|太贵|有点贵|为什么想换|为啥想换|problem|issue|difficult|challenge|worr|concern|frustrat|pain|happy with|what made you|go down|break", _I)
IMPLICATION = re.compile(r"影响|后果|损失|导致|会怎样|会怎么样|如果不|不解决|耽误|代价|罚|多花|丢多少|多出|要花多少|会变成|会不会很累|浪费|排队|得停|多交|affect|impact|consequence|cost(?:s|ing)? you|what happens if|lose|delay", _I)
NEED_PAYOFF = re.compile(r"(?:如果|要是|假如).{0,24}(?:能|会|省|方便|有)|解决了|帮到|帮助|好处|价值|意味着|有什么用处|成功|理想|最希望|肯定也想|if you could|if you had|would it help|benefit|worth|ideal|success|what would it mean", _I)
PURPOSE = re.compile(r"主要是(?!谁|哪|您自己|你自己|老人看|孩子看|手工).{0,14}还是|为了|(?<!不管您)(?<!不管你)做什么(?!生意)|干什么|干啥|用来|用途|什么用|为什么要|为什么想|买来|场合|场景|打算怎么|目的|放在|什么地方用|哪里用|在哪用|用在哪|主要做|mainly for|for work or|what (?:is it|are they|'s it) for|use (?:it|them|this|these) for|purpose|occasion|what for|\bfor\?$|why do you (?:want|need)", _I)
USER = re.compile(r"给谁|谁用|谁吃|谁喝|谁穿|谁开|谁来|谁在用|谁会用|家里谁|送人|谁要|用的人|哪个班组|哪些人|哪个岗位|哪位|自己用还是|给家里|几口人|老人或者小孩|老人还是孩子|who is (?:it|this|the \w+) for|who will (?:use|be using)|who's (?:it|this|the \w+) for|for whom|who else|who uses|for yourself|a gift", _I)
PITCH = re.compile(
    r"我们的|我们家|咱家|这款|这个产品|特价|优惠|打折|折扣|买.送.|送您|保证|最好的|推荐您|给您推荐|"
    r"来(?:两|一|几|点|些)|称(?:点|两斤|几斤)|要不要来|包您|又.{1,4}又|性价比最高|质量最好|现在下单|补血|养颜|"
    r"不要钱|免费送|送一部|全国联保|口碑最好|做了.{1,4}年|试驾活动|显白|肯定好看|还是直接上|这套系统|这套方案|都适用|"
    r"难道您不想买|不心动|大家都选|肯定要选|划算|"
    r"\bbetter fit\b|you'd want|get one free|buy two|"
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


def classify(text: str) -> QuestionClass:
    """Rule-based labels for one trainee turn."""
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
    elif LEADING.search(t):
        form = "leading"
    elif ENDS_MA.search(t) and not re.search(r"什么|哪|怎么|说说|讲讲|介绍|具体", t):
        form = "closed"  # answerable with yes or no
    elif OPEN_WORDS.search(t) or REQUEST_TO_TALK.search(t):
        form = "open"
    else:
        form = "closed"
    spin: Spin = "none"
    pitch = bool(PITCH.search(t)) and not probes
    if is_question and not pitch and not GENERIC_OPENER.search(t):
        if IMPLICATION.search(t):
            spin = "implication"
        elif NEED_PAYOFF.search(t):
            spin = "need_payoff"
        elif PROBLEM.search(t):
            spin = "problem"
        else:
            spin = "situation"  # fact-finding about the customer's circumstances
    return QuestionClass(
        is_question=is_question, form=form, spin=spin, probes=probes,
        confirmation=bool(CONFIRM.search(t)), pitch=pitch, question_count=questions,
    )

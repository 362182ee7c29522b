"""What kind of answer a question asks for, read from its wording (no model call).

"有没有一个能讲给新人听的故事" asks for a story, "大概占几成" for a number, "包含哪几层意思"
for a list, "走的是哪套流程" for a process. Retrieval boosts entries of that kind, so
the entry holding the story, figure or whole list wins over a fragment sharing words.
Chinese and English cues; a question may ask for several kinds or none.
"""

from __future__ import annotations

import re

from assistant.knowledge.normalize import to_simplified

ASKED_KINDS = ("story", "case", "number", "list", "process", "definition", "method")

_CUES: dict[str, tuple[str, str]] = {
    # kind: (Chinese pattern, English pattern)
    "story": (
        r"故事|经历|讲讲|讲给|讲一讲|说说.{0,6}(事|经过)|那个.{0,16}(事|经过)|小故事|发生了什么|怎么回事",
        r"\b(story|stories|tale|anecdote|tell me about|what happened)\b",
    ),
    "case": (
        r"案例|例子|哪家|哪个(公司|企业|品牌)|(公司|企业|品牌|厂|店).{0,12}(怎么|如何|是怎样)|举个例|实例",
        r"\b(case|example|which (company|firm|brand)|how did (a|an|the) \w+)\b",
    ),
    "number": (
        r"几成|多少|百分之|比例|占比|占到|哪一年|哪年|几年|数字|数据是|几个百分点|大概占",
        r"\b(share|percent|percentage|proportion|how (many|much)|what year|which year|roughly what|figure)\b",
    ),
    "list": (
        r"哪几|哪些(方面|层|种|类|条|点)|几个(方面|层次|维度|部分|内涵)|几层|几种|几类|几条|列出|一条条|"
        r"包含哪|分成|分为|哪几个|有哪些",
        r"\b(what are the|which kinds|kinds of|list|layers|dimensions|types of|ways to|parts of|one after another)\b",
    ),
    "process": (
        r"流程|步骤|一步步|链路|链条|环节|过程|从.{1,12}到.{1,12}(的|是|走|怎么)|走的是|闭环",
        r"\b(process|steps?|pipeline|workflow|stages?|all the way|from .{1,30} to)\b",
    ),
    "definition": (
        r"是什么意思|什么叫|指的是|叫什么|是什么思路|什么是|区别|含义|是指|定义|怎么理解",
        r"\b(what does .{1,40} mean|what is meant|what is a|define|definition|meaning of|difference between)\b",
    ),
    "method": (
        r"怎么问|如何问|该问|问什么|怎么追问|第一句|怎么开口|怎么打听|怎么接|话术|怎么说",
        r"\b(what should i ask|how (do|should|can) i (ask|open|find out|start)|what to ask|how to ask)\b",
    ),
}

_COMPILED = {kind: (re.compile(zh), re.compile(en, re.I)) for kind, (zh, en) in _CUES.items()}


def asked_kinds(question: str) -> set[str]:
    """The kinds of answer the question's wording asks for (possibly none)."""
    text = to_simplified(question or "")
    kinds = {kind for kind, (zh, en) in _COMPILED.items() if zh.search(text) or en.search(text)}
    if asked_count(text):  # "哪三个步骤", "the four meanings": a list of that size
        kinds.add("list")
    return kinds


_CN_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
               "ten": 10, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9, "10": 10}
_COUNTED_ZH = re.compile(r"([一二两三四五六七八九十]|\d{1,2})\s*(个|层|种|类|条|大|项|步|维度|面|点|单|级|句|招|类型|阶段|部分|要素|方面)")
_COUNTED_EN = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(?:\w+\s+){0,2}?"
                         r"(things|ways|kinds|types|layers|levels|steps|stages|parts|points|meanings|dimensions|"
                         r"elements|orders|questions|needs|pillars|rules|principles|aspects|sides|roles|trends)\b", re.I)


def count_value(text: str) -> int | None:
    """The number in a counted phrase: "四个" → 4, "3 层" → 3."""
    m = re.match(r"\s*(\d{1,2}|[一二两三四五六七八九十])", text)
    if not m:
        return None
    token = m.group(1)
    return int(token) if token.isdigit() else _CN_NUMBERS.get(token)


def asked_count(question: str) -> int | None:
    """The size of the list a question asks for ("哪四个方面", "the three kinds of …"), or None."""
    text = to_simplified(question or "")
    m = re.search(r"哪\s*([两三四五六七八九十])", text) or _COUNTED_ZH.search(text)
    if m:
        value = count_value(m.group(1))
        if value and value >= 2:
            return value
    m = _COUNTED_EN.search(text)
    if m:
        return _EN_NUMBERS.get(m.group(1).lower())
    return None

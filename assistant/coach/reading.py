"""What the latest customer turn does, for the policy: the acts in it and the words they rest on.

The understanding layer (``assistant.understanding.reading.read_turn``) reads a turn by
meaning; this module turns its answer into what the policy needs (acts, the person named,
the pain named, the words each rests on). Where the understanding layer is not installed
the same shape comes from the shared cue lexicon, so the policy never depends on which one
answered.

Acts: request (a product named, the purpose unsaid), need, pain, person, feeling,
constraint, agree, deny, buy, ask, other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.needs import cues

ACTS = ("request", "need", "pain", "person", "feeling", "constraint", "agree", "deny", "buy", "ask", "other")

try:  # the understanding layer, when present
    from assistant.understanding.reading import ReadingContext as _Context  # type: ignore
    from assistant.understanding.reading import read_turn as _read_turn  # type: ignore
except ImportError:  # pragma: no cover - depends on the installed layers
    _read_turn = _Context = None


@dataclass
class Reading:
    text: str
    acts: set[str] = field(default_factory=set)
    person: str = ""  # the person named ("儿媳妇", "our night staff")
    pain: str = ""  # the short span naming a difficulty
    need: str = ""  # the short span naming what is wanted
    constraint: str = ""
    asks_for_recommendation: bool = False
    mentioned: list[str] = field(default_factory=list)  # things the customer names in a question
    source: str = "cues"

    def has(self, *acts: str) -> bool:
        return any(a in self.acts for a in acts)


_BUY = re.compile(
    r"各来|先(?:订|买|来|拿)|订[一两二三四五六七八九十几\d]+[台套件个份]|就(?:订|签)|来[一两二三四五六七八九十几半\d]+[斤个份盒箱台套件]|就要(?:这|那)|就买|我买了|我要了|帮我包|包起来|下单|成交|签(?:合同|约)|"
    r"就这么定|就定(?:这|了)|给我拿|拿[一两二三四五\d]+[斤个份盒]|先来[一两二三四五\d]+|"
    r"\b(?:i'?ll|we'?ll) take\b|\blet'?s go with\b|\bsign (?:the|it)\b|\bwe'?ll buy\b|\bi'?ll buy\b|\bplace (?:an|the) order\b|\bdeal\b",
    re.I,
)
_AGREE = re.compile(r"^(?:是的|是啊|对的?|对对|没错|嗯+|就是(?:这样|这个意思)?|确实|正是|可以|好的?|行|没问题|"
                    r"yes|yeah|yep|right|exactly|correct|sure|that'?s right)(?:[，,。！!.~～\s]|$)", re.I)
_DENY = re.compile(r"^(?:不是|不对|不用|没有|不太对|不不|也不是|倒不是|not really|no\b|nope|that'?s not)", re.I)
_RECOMMEND = re.compile(r"推荐|还有别的|还有什么|有什么好的|有没有别的|别的.{0,4}吗|what (?:else|would you) |recommend|suggest|other options?", re.I)
PAIN = re.compile(
    r"招不到|没人|不够|投诉|麻烦|老是|总是|经常|停机|坏了|出问题|故障|太慢|慢得|头疼|难受|损失|罚款|延误|晚了|抱怨|"
    r"来不及|跟不上|流失|丢了|吃不消|不好用|不方便|折腾|跑了好几|扯皮|返工|积压|"
    r"\bcomplain|\bkeeps? (?:breaking|failing)|\bbroke|\bdown(?:time)?\b|\bshort[- ]staffed|\bcan'?t (?:find|hire|keep)|\blate\b|\blosing\b|\bpenalt|\bhassle|\bstruggl|\bproblem",
    re.I,
)
_CONSTRAINT = re.compile(r"\btoo expensive\b|\bcheap|\bafford|别太贵|不要太贵|不能超过|不超过|以内|预算|控制在|必须|一定要|只要|就行|就好|不能太|"
                         r"\bunder\b|\bbudget\b|\bno more than\b|\bmust\b|\bhas to\b|\bas long as\b", re.I)
_REQUEST = re.compile(r"想买|想要|买点|要买|买几|报个?价|看看|想订|想换|想找|"
                      r"\bwant to buy\b|\blooking for\b|\bquote\b|\bneed (?:a|some)\b|\bi'?d like\b", re.I)
_NEED = re.compile(r"想吃|想喝|想用|需要|希望|最好|要求|得能|能不能|要能|不想|怕|要是能|如果能|就好了|"
                   r"\bneeds? to\b|\bwants?\b|\bhope\b|\bwould like\b|\bprefer|\bcrav|\bkeeps? wanting|\bwish\b|"
                   r"\bif only\b|\bit would be great if\b", re.I)
_STATE_OF_PERSON = re.compile(r"怀孕|生病|住院|上学|退休|年纪大|刚出生|坐月子|受伤|过敏|"
                              r"\bpregnan|\bretired|\binjur|\ballerg|\bnewborn", re.I)
_QUESTION = re.compile(r"[？?]\s*$|吗[。！]?$|\b(?:can|could|is|are|do|does|will|would)\b[^.?!]*\?", re.I)
_OPTION_EN = re.compile(r"^(?:can|could|is|are|do|does)\b.*?\b(?:eat|use|have|take|try)\s+(?:the\s+|some\s+)?([a-z][a-z-]+)", re.I)
_PEOPLE_EXTRA = re.compile(r"(?:daughter|son|mother|father|sister|brother)-in-law", re.I)
_OPTION_IN_QUESTION = re.compile(r"^(?:那)?([\u4e00-\u9fff]{2,6}?)(?:孕妇|老人|小孩|孩子|宝宝)?(?:能|可以|适合|好不好|怎么样|行不行)")
_FILLER = re.compile(r"^(?:其实|就是|那个|嗯|哦|啊|呃|我们|我)+|[。！？!?，,；;…\s]+$")


def find_person(text: str) -> str:
    """The first person a text names (the user behind the buyer)."""
    extra = _PEOPLE_EXTRA.search(text)
    if extra:
        return extra.group(0)
    found = cues.PEOPLE.search(text)
    return found.group(0) if found else ""


def span_with(sentence: str, pattern: re.Pattern[str], limit: int = 14) -> str:
    """The clause of a sentence that matches ``pattern`` (the pain, not the lead-in)."""
    clauses = [c for c in re.split(r"[，,；;：:]", sentence) if c.strip()]
    for clause in clauses:
        if pattern.search(clause):
            return short_span(clause, limit)
    return short_span(sentence, limit)


def whole_span(sentence: str, pattern: re.Pattern[str], limit: int = 14) -> str:
    """Like span_with, but empty when the clause does not fit in ``limit`` (no cut words)."""
    clauses = [c for c in re.split(r"[，,；;：:。！？!?]", sentence) if c.strip()]
    for clause in clauses:
        if pattern.search(clause):
            text = _FILLER.sub("", clause.strip())
            return text if len(text) <= limit or not cues.has_chinese(text) else ""
    return ""


def short_span(sentence: str, limit: int = 14) -> str:
    """The words a move rests on, short enough to be referred to, never the whole sentence
    (``limit`` characters of Chinese, or about as many English words)."""
    text = _FILLER.sub("", sentence.strip())
    parts = [p for p in re.split(r"[，,；;：:]", text) if p.strip()]
    text = (parts[0] if parts else text).strip()
    if cues.has_chinese(text):
        return text[:limit]
    words = text.split()
    return " ".join(words[: max(3, limit // 2)])


def read(text: str, language: str = "zh", context: dict[str, Any] | None = None) -> Reading:
    """The acts of one customer turn; the understanding layer's reading when it is installed."""
    reading = _read_by_cues(text)
    reading.acts.discard("other")
    if _read_turn is not None:
        try:
            _merge(reading, _read_turn(text, language, _context(context or {})))
        except Exception:  # a reader failure must not cost the turn; the cues still answer
            pass
    if not reading.acts:
        reading.acts.add("other")
    return reading


def _context(context: dict[str, Any]):
    last = context.get("last_move") or {}
    try:
        return _Context(last_slot=last.get("slot"), last_question_type=last.get("question_type"),
                        first_customer_turn=bool(context.get("first_turn")),
                        segment=str(context.get("segment") or ""))
    except Exception:  # a context the layer does not take: read without it
        return None


def _merge(reading: Reading, other: Any) -> None:
    """The understanding layer's reading where the sure cues are silent.

    The cues tell a request from a need, a condition from a need and a question from a
    statement, which the policy depends on; the layer adds what the cues missed (a pain or a
    feeling said in other words), and decides alone when the cues found nothing."""
    acts = {a for a in (getattr(other, "acts", None) or []) if a in ACTS and a != "other"}
    if not acts:
        return
    reading.source = "understanding"
    if not reading.acts:
        reading.acts = set(acts)
        if "ask" in reading.acts:
            reading.acts -= {"need", "request"}
    else:
        reading.acts |= acts & {"feeling"}
        if not reading.acts & {"need", "request", "buy", "ask", "agree", "deny"}:
            reading.acts |= acts & {"pain"}
    for span in getattr(other, "spans", None) or []:
        act, words = getattr(span, "act", ""), getattr(span, "text", "")
        if act not in reading.acts or not words.strip() or getattr(reading, act, "x"):
            continue
        if act == "pain":
            reading.pain = whole_span(words, PAIN, 14) if PAIN.search(words) else ""
        elif act == "person":
            reading.person = find_person(words)
        elif act in ("need", "constraint"):
            setattr(reading, act, short_span(words, 20 if act == "need" else 14))
    if "person" in reading.acts and not reading.person:
        reading.acts.discard("person")


def _read_by_cues(text: str) -> Reading:
    reading = Reading(text=text)
    sentences = cues.sentences(text) or [text]
    first = sentences[0].strip()
    if _AGREE.match(first) and not _DENY.match(first):
        reading.acts.add("agree")
    if _DENY.match(first):
        reading.acts.add("deny")
    for sentence in sentences:
        if _BUY.search(sentence):
            reading.acts.add("buy")
        if _QUESTION.search(sentence):
            reading.acts.add("ask")
            if _RECOMMEND.search(sentence):
                reading.asks_for_recommendation = True
            option = _OPTION_IN_QUESTION.match(sentence.strip()) or _OPTION_EN.match(sentence.strip())
            if option and not _RECOMMEND.search(sentence):
                reading.mentioned.append(option.group(1))
        if PAIN.search(sentence) and not _QUESTION.search(sentence):
            reading.acts.add("pain")
            reading.pain = reading.pain or whole_span(sentence, PAIN)
        person = find_person(sentence)
        if person:
            reading.acts.add("person")
            reading.person = reading.person or person
        if _STATE_OF_PERSON.search(sentence) or cues.EMOTION.search(sentence):
            reading.acts.add("feeling")
        wish = _NEED.search(sentence) and not _QUESTION.search(sentence)
        if wish:
            reading.acts.add("need")
            reading.need = reading.need or span_with(sentence, _NEED, 20)
        if (_CONSTRAINT.search(sentence) or cues.BUDGET.search(sentence)) and not (wish and "就好" in sentence):
            reading.acts.add("constraint")
            reading.constraint = reading.constraint or short_span(sentence)
        if not wish and _REQUEST.search(sentence) and not _QUESTION.search(sentence):
            reading.acts.add("request")
    if "buy" in reading.acts:
        reading.acts.discard("request")
    return reading

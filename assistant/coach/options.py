"""Concrete options for a confirmed need: from the conversation, from the knowledge, and from
a narrow, verified model task.

- ``named_option``: the specific option a customer names or asks about in a question
  ("那种能调高低的桌椅，小孩用着真管用吗？" → 能调高低的桌椅; "Would one of those electric ones
  be too much for her?" → electric ones). The address move then weighs that option against
  the need, in the customer's terms.
- ``suggest_options``: one model call, "name up to 3 concrete kinds of product or service that
  would fit NEED better than REQUESTED", through the one provider seam (``complete_json``),
  so it runs the same on the embedded model and on an OpenAI-compatible endpoint. Every
  name is verified (``check_option``) before it can be shown: a short noun phrase in the
  conversation's language, not the requested product, not a sentence, nothing aimed at a
  model, and related to the need by the shipped embedder (the need must be the nearest of
  the need and a fixed set of needs from other trades). At most two survive, each with a
  checked reason; when none survives the move stays a question about what would fit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache

from pydantic import BaseModel, Field, field_validator

from assistant.coach.phrasing import carries_instruction, echoes, has_chinese, normalise

log = logging.getLogger(__name__)

MAX_SHOWN = 2


@dataclass(frozen=True)
class Option:
    name: str
    reason: str = ""
    source: str = "model"  # "conversation" | "knowledge" | "model"


# ---- the option a customer names in a question ----------------------------------------------
# the words that evaluate an option ("…管用吗", "…能吃吗", "…怎么样"): the option is what comes before
_ZH_EVAL = re.compile(
    r"(?:真的|到底|是不是|会不会|能不能|可不可以)?(?:管用|有用|好用|合适|适合|能用|能吃|能喝|可以吃|可以用|好不好|"
    r"怎么样|行不行|靠谱|划算|值得|有效|有好处|好吗|行吗|能|可以|会|太)")
_ZH_LEAD = re.compile(r"^(?:那|这|那么|还有|另外|要是|如果|你们|您们|你说|请问)*(?:种|个|款|类|些|套)?(?:就是)?")
_ZH_TAIL = re.compile(r"(?:的那种|的这种|那种|这种|那款|这款|这个|那个|的话|呢|啊|吧)+$")
_ZH_PERSON_TAIL = re.compile(r"(?:[\u4e00-\u9fff]{1,2}的)?(?:孕妇|老人|小孩|孩子|宝宝|婴儿|老年人|病人|人)$")
_ZH_NOT_OPTION = re.compile(r"之前|以后|之后|月底|年底|下周|下个月|明天|今天|多久|什么时候|价格|价钱|多少钱|预算")
_EN_SUBJECT = re.compile(
    r"^(?:so|and|but|well|okay|ok|hmm)?[,\s]*(?:would|will|could|can|is|are|does|do|should|might|what about|how about)\s+"
    r"(?P<np>.+?)\s+(?:be|help|work|suit|fit|do|make|handle|last|hurt|cause|really|actually|too|good|okay|ok|safe|fine|"
    r"right|worth|any|better|for|with her|with him|enough)\b", re.I)
_EN_ABOUT = re.compile(r"^(?:so|and|okay|ok)?[,\s]*(?:what|how) about\s+(?P<np>[^?.,]+)", re.I)
_EN_LEAD = re.compile(r"^(?:one|some|any|a couple) of (?:those|these|the)\s+|^(?:those|these|the|a|an|that|this|some)\s+", re.I)
_EN_NOT_OPTION = re.compile(r"^(?:it|that|this|those|these|they|you|i|we|he|she|there|her|him|them)$", re.I)
_RECOMMEND = re.compile(r"推荐|还有别的|还有什么|有什么好的|有没有别的|有没有更|更适合|哪种|哪款|哪个(?:好|合适|更)|怎么选|给个建议|"
                        r"怎么(?:弄|办|挑|搞|做|处理|安排|配)(?:比较|才|更|最)?(?:好|合适|靠谱|对)?[？?吗呢]|你会怎么|换(?:作|做|成)?是你|"
                        r"要是你|如果是你|你(?:们)?(?:觉得|看)(?:该|应该)?怎么|一般(?:都)?(?:是)?怎么|"
                        r"\bsuggest|\brecommend|\bwhat else\b|\bother options?\b|\bwhich (?:one|kind|type|model)\b|"
                        r"\bwhat would you (?:\w+ )?(?:do|go for|pick|choose|get|put together|put in|use|buy|advise)\b|"
                        r"\bif (?:it|she|he) (?:were|was) (?:your|you)\b|\bif you were (?:me|us|her|him)\b|"
                        r"\bwhat do you (?:think we|think i|advise)\b|\bany ideas\b", re.I)
# an option introduced before the question that refers back to it ("刷到过那种电动护理床，…，那个会不会太夸张了？",
# "raving about those NFC business cards you tap on a phone. Would that help us here?")
_ZH_INTRO = re.compile(r"(?:那种|这种|那款|这款|那类|这类|一种|一款)([\u4e00-\u9fffA-Za-z0-9]{2,12})")
_ZH_BACK = re.compile(r"^(?:那|这)(?:个|种|款|类|样)?|^它")
_EN_INTRO = re.compile(r"\b(?:those|these|one of those|some of those|that new|the new)\s+"
                       r"(?P<np>[a-z0-9][\w-]*(?:\s+(?!you\b|that\b|which\b|we\b|i\b|she\b|he\b|they\b|like\b|for\b|"
                       r"with\b|from\b|and\b|or\b|at\b|in\b|is\b|are\b)[a-z0-9][\w-]*){0,4})", re.I)
_EN_BACK = re.compile(r"^(?:that|those|these|this|they|it|them)$", re.I)


def named_option(text: str, language: str = "zh") -> str:
    """The option the customer names in a question, or "" (a bare request for a recommendation
    names none). The option may be named in the question ("羊奶粉过敏的小孩能喝吗？") or just
    before it and referred back to ("…那种定制鞋垫，…，那个真有用吗？", "…those raised planters on
    legs. Would those actually work for her?")."""
    before = ""
    for sentence in re.split(r"(?<=[。！？!?.])\s+|(?<=[。！？!?])", text or ""):
        sentence = sentence.strip()
        if not sentence:
            continue
        if not re.search(r"[？?]$|吗[。]?$", sentence) or _RECOMMEND.search(sentence):
            before += sentence + " "
            continue
        found = _zh_option(sentence) if has_chinese(sentence) else _en_option(sentence)
        if not found:
            found = _zh_back(sentence, before) if has_chinese(sentence) else _en_back(sentence, before)
        if found and not carries_instruction(found):
            return found
        before += sentence + " "
    return ""


def _zh_back(sentence: str, before: str) -> str:
    """The option introduced ("那种X") in the clauses before a question that points back to it."""
    clauses = [c.strip() for c in re.split(r"[，,；;。！!]", before + sentence) if c.strip()]
    if not clauses or not (_ZH_BACK.search(clauses[-1]) and _ZH_EVAL.search(clauses[-1])):
        return ""
    for clause in clauses[:-1]:
        match = _ZH_INTRO.search(clause)
        if match:
            head = _ZH_TAIL.sub("", match.group(1)).strip("的")
            if 2 <= len(head) <= 12 and not re.search(r"[你您我他她]", head) and not _ZH_NOT_OPTION.search(head):
                return head
    return ""


def _en_back(sentence: str, before: str) -> str:
    """The option introduced ("those NFC business cards") before a question about "that / those"."""
    match = _EN_SUBJECT.match(sentence)
    if not match or not _EN_BACK.match(match.group("np").strip()):
        return ""
    found = _EN_INTRO.findall(before)
    return found[-1].strip() if found else ""


def _zh_option(sentence: str) -> str:
    clauses = [c.strip() for c in re.split(r"[，,；;]", sentence) if c.strip()]
    head = ""
    if len(clauses) > 1 and _ZH_EVAL.search(clauses[-1]):
        head = clauses[0]  # "那种能调高低的桌椅，小孩用着真管用吗？": named first, asked about after
    else:
        for clause in clauses:
            match = _ZH_EVAL.search(clause)
            if match and match.start() >= 2:
                head = clause[: match.start()]
                break
    intro = _ZH_INTRO.search(head)
    if intro and intro.start() > 0:  # "听说有那种带夜光的拐杖": the option after 那种
        head = intro.group(1)
    head = _ZH_LEAD.sub("", head)
    head = _ZH_TAIL.sub("", head)
    head = _ZH_PERSON_TAIL.sub("", head)
    head = re.sub(r"(?:对|给|让)(?:他|她|它|您|你|我)?[\u4e00-\u9fff]{0,3}$", "", head).strip()
    head = _ZH_TAIL.sub("", head).strip("的")
    if not (2 <= len(head) <= 16) or re.search(r"[你您我他她]", head) or _ZH_NOT_OPTION.search(head):
        return ""
    return head


def _en_option(sentence: str) -> str:
    match = _EN_ABOUT.match(sentence) or _EN_SUBJECT.match(sentence)
    if not match:
        return ""
    np = _EN_LEAD.sub("", match.group("np").strip())
    np = _EN_LEAD.sub("", np)
    if not np or _EN_NOT_OPTION.match(np) or len(np.split()) > 8:
        return ""
    return np


# ---- checking an option's name and reason ---------------------------------------------------
# needs from other trades: an option related to *this* need is nearer to it than to all of these
DISTRACTORS = (
    "工厂的设备老是停机，想要更稳定的生产线", "想给新开的咖啡店找个收银系统", "家里老人膝盖不好，上下楼梯困难",
    "公司想提高销售团队的业绩", "孩子快开学了，要买书包和文具", "想给车换一套耐磨的轮胎",
    "餐厅厨房油烟太大，需要排烟", "想办一张出国旅行用的信用卡", "仓库的货总是发错，需要准确的扫码",
    "our delivery vans keep breaking down and we lose orders", "my wife wants a quiet dishwasher for the kitchen",
    "we need accounting software our small team can learn quickly", "looking for a warm winter coat for hiking",
    "the hotel lobby is dirty at night because no cleaners want the night shift",
)
_SENTENCE = re.compile(r"[。！？!?；;，,]|\b(?:you|we|i|should|would|can|could|is|are)\b|建议|可以|您|你|我们|推荐|如果|因为", re.I)


RELATED_Z = 1.0  # how far above the distractors' mean (in their spread) the need must be


@lru_cache(maxsize=256)
def related(name: str, need: str) -> bool:
    """By the shipped embedder, the name is nearer to the need than to needs of other trades:
    its similarity to the need stands RELATED_Z spreads above its mean similarity to them
    (calibrated on the dev stories' options: related names 1.3–6, unrelated ones below 1)."""
    try:
        from assistant.understanding.semantic import similarity
    except Exception:  # pragma: no cover - the embedder is part of the install
        return False
    try:
        scores = similarity(name, [need, *DISTRACTORS])
    except Exception as exc:  # an embedder failure costs the option, never the turn
        log.warning("could not embed an option: %s", exc)
        return False
    others = scores[1:]
    return bool(scores[0] >= others.mean() + RELATED_Z * max(float(others.std()), 1e-3))


def check_option(name: str, need: str, requested: str, language: str, customer_words: list[str]) -> str | None:
    """None when ``name`` may be shown as a concrete option for ``need``; else the reason not."""
    name = (name or "").strip()
    if not name:
        return "empty"
    if carries_instruction(name):
        return "instruction"
    zh = language == "zh"
    if zh != has_chinese(name):
        return "language"
    if (len(name) > 14) if zh else (len(name.split()) > 6 or len(name) > 48):
        return "not a short noun phrase"
    if _SENTENCE.search(name):
        return "a sentence"
    n, r = normalise(name), normalise(requested)
    if r and (n == r or n in r or (zh and r in n and len(n) - len(r) <= 1)
              or (zh and len(r) >= 3 and n.startswith(r[:-1]))  # 空气净化机 for 空气净化器: the request again
              or (not zh and r.rstrip("s") and n.rstrip("s").endswith(r.rstrip("s")) and len(name.split()) <= 1)):
        return "the requested product"
    if echoes(name, customer_words) and not any(name in w for w in customer_words if len(name) < 15):
        return "echo"
    if not related(name, f"{requested}：{need}" if requested else need):
        return "not related to the need"
    return None


_ABOUT_CUSTOMER = re.compile(r"客户|顾客|客人|\bcustomers?\b|\bclients?\b", re.I)
_EN_DANGLING = re.compile(r"\b(?:for|your|you|the|a|an|to|and|with|of|when|which|that|is|are|especially|making|it)$", re.I)


def short_reason(reason: str, language: str) -> str:
    """The reason's first clause when the whole is long (the model runs on)."""
    reason = (reason or "").strip().rstrip("。.!！")
    limit = 30 if language == "zh" else 120
    if len(reason) > limit or (language != "zh" and _EN_DANGLING.search(reason)):
        reason = re.split(r"[，,；;。.]", reason)[0].strip()
    return reason


def check_reason(reason: str, language: str, customer_words: list[str]) -> str | None:
    reason = (reason or "").strip().rstrip("。.!！")
    if not reason:
        return "empty"
    if _ABOUT_CUSTOMER.search(reason):
        return "speaks of the customer"  # said to the customer, it must not call them "the customer"
    if language != "zh" and _EN_DANGLING.search(reason):
        return "cut short"
    if carries_instruction(reason):
        return "instruction"
    if (language == "zh") != has_chinese(reason):
        return "language"
    if len(reason) > (30 if language == "zh" else 120) or re.search(r"[？?]", reason):
        return "too long"
    if echoes(reason, customer_words):
        return "echo"
    return None


# ---- the narrow model task -----------------------------------------------------------------
class _Item(BaseModel):
    name: str = Field(description="a concrete kind of product or service, a short noun phrase", max_length=40)
    reason: str = Field("", description="why it fits the need, a few words", max_length=120)


class OptionList(BaseModel):
    options: list[_Item] = Field(default_factory=list, max_length=3)

    @field_validator("options", mode="before")
    @classmethod
    def _first_three(cls, value):  # the schema asks for three; a model that names more loses the rest, not all
        return value[:3] if isinstance(value, list) else value


def suggest_options(model, need: str, requested: str, language: str, customer_words: list[str], *,
                    retries: int = 1) -> list[Option]:
    """Up to two verified options from one model call; [] when the model is unavailable or
    nothing it names passes the checks."""
    from assistant.errors import NeedsError
    from assistant.llm.calls import complete_json
    from assistant.prompts import load_prompt

    if model is None or not need.strip():
        return []
    zh = language == "zh"
    messages = load_prompt("coach_options").messages(
        language="简体中文" if zh else "English", need=need[:80], requested=(requested or "-")[:40])
    try:
        answer = complete_json(model, messages, OptionList, retries=retries, reasks=0, max_tokens=140)
    except NeedsError as exc:
        log.info("no options from the model: %s", exc.message[:120])
        return []
    except Exception as exc:  # a misbehaving endpoint costs the options, never the turn
        log.warning("the options call failed: %s", exc)
        return []
    out: list[Option] = []
    for item in answer.options[:3]:
        name = item.name.strip().strip("“”\"'「」《》")
        if check_option(name, need, requested, language, customer_words) is not None:
            continue
        if any(normalise(name) == normalise(o.name) for o in out):
            continue
        reason = next((r for r in (short_reason(item.reason, language),
                                   re.split(r"[，,；;]", item.reason.strip())[0].strip())
                       if check_reason(r, language, customer_words) is None), "")
        out.append(Option(name=name, reason=reason, source="model"))
        if len(out) >= MAX_SHOWN:
            break
    return out


def wants_recommendation(text: str) -> bool:
    """The customer asks for a recommendation ("有没有更适合他的？", "What would you suggest?")."""
    return bool(_RECOMMEND.search(text or ""))


def requested_product(request: str, language: str = "zh") -> str:
    """The product in the customer's first request ("我想买个床垫。" → 床垫), or ""."""
    text = (request or "").strip()
    if language == "zh":
        m = re.search(r"(?:买|采购|订|要|找|看看|换|配)(?:一|两|几|点|个|台|批|罐|套|张|些|款|辆|部|件|盏|把)*"
                      r"(?:新的?)?([\u4e00-\u9fff]{1,8}?)(?:[，,。！!？?吧呢啊]|你们|报|$)", text)
        return m.group(1) if m else ""
    m = re.search(r"\b(?:buy|looking for|need|want|get)\s+(?:a|an|some|the)?\s*(?:new\s+)?([a-z][a-z -]{1,30}?)"
                  r"(?:\s+for\b|[.,!?]|$)", text, re.I)
    return m.group(1).strip() if m else ""


def decides(text: str, language: str = "zh") -> bool:
    """A buying decision, read by the understanding layer (its word cues and its classifier of
    labelled customer lines): "那各来一斤吧", "就按这个出方案", "I'll put a deposit down today"."""
    if not (text or "").strip():
        return False
    try:
        from assistant.understanding.decision import decides as understood
    except ImportError:  # pragma: no cover - the understanding layer ships with the package
        return False
    try:
        return understood(text, language)
    except Exception as exc:  # a reader failure must not cost the turn
        log.warning("could not read a decision: %s", exc)
        return False

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
from assistant.understanding import asking, lexicon

log = logging.getLogger(__name__)

MAX_SHOWN = 2


@dataclass(frozen=True)
class Option:
    name: str
    reason: str = ""
    source: str = "model"  # "conversation" | "knowledge" | "range" (the team's own) | "model"


# ---- the option a customer names in a question ----------------------------------------------
# the cue words live in the shared lexicon (its options block); which sentence asks about an
# option, and which invites a recommendation, is read by meaning (understanding.asking)
def _cue(name: str, language: str):
    return lexicon.cue(name, language)


_ZH_EVAL = _cue("option_eval", "zh")  # the words that evaluate an option ("…管用吗", "…能吃吗")
_ZH_LEAD = _cue("option_lead", "zh")
_ZH_TAIL = _cue("option_tail", "zh")
_ZH_PERSON_TAIL = _cue("option_person_tail", "zh")
_ZH_NOT_OPTION = _cue("option_not", "zh")
_ZH_PRONOUN = _cue("option_pronoun", "zh")
_EN_SUBJECT = _cue("option_subject", "en")
_EN_ABOUT = _cue("option_about", "en")
_EN_LEAD = _cue("option_article", "en")
_EN_NOT_OPTION = _cue("option_pronoun", "en")
_EN_NOT_AN_OPTION = _cue("option_not", "en")
_INVITE = lexicon.cue("invite_sure")
# an option introduced before the question that refers back to it ("刷到过那种电动护理床，…，那个会不会太夸张了？",
# "raving about those NFC business cards you tap on a phone. Would that help us here?")
_ZH_INTRO = _cue("option_intro", "zh")
_ZH_BACK = _cue("option_back", "zh")
_EN_INTRO = _cue("option_intro", "en")
_EN_BACK = _cue("option_back", "en")
_QUESTION = lexicon.cue("turn_question")
_ZH_FOR_PERSON = _cue("option_for_person", "zh")
_ZH_ABOUT = _cue("option_about", "zh")
_ZH_CUT = _cue("option_cut", "zh")
_EN_OBJECT = _cue("option_object", "en")
_EN_LOOSE = _cue("option_loose", "en")


def named_option(text: str, language: str = "zh") -> str:
    """The option the customer names in a question, or "" (a bare request for a recommendation
    names none). The option may be named in the question ("羊奶粉过敏的小孩能喝吗？") or just
    before it and referred back to ("…那种定制鞋垫，…，那个真有用吗？", "…those raised planters on
    legs. Would those actually work for her?").

    Which sentence asks about an option is read by meaning (``asking.asks_about_option``): a
    question the labelled lines clearly read as something else (a price, a date, a service)
    names no option, and one they read as a question about an option is searched with looser
    bounds when the option words alone find nothing."""
    before = ""
    for sentence in re.split(r"(?<=[。！？!?.])\s+|(?<=[。！？!?])", text or ""):
        sentence = sentence.strip()
        if not sentence:
            continue
        if not _QUESTION.search(sentence) or (_INVITE.search(sentence) and not _ZH_EVAL.search(sentence[-8:])):
            before += sentence + " "
            continue
        zh = has_chinese(sentence)
        about = _ZH_ABOUT.match(sentence) if zh else None  # "那草莓呢？": sure words, whatever the reading
        if about and not _ZH_NOT_OPTION.search(about.group("np")) and _clean_zh(_ZH_LEAD.sub("", about.group("np"))):
            return _clean_zh(_ZH_LEAD.sub("", about.group("np")))
        have = _cue("option_have", "zh" if zh else "en").search(sentence)  # "你们有那种料理包吗？", "Do you sell those …?"
        if have:
            found = _clean_zh(have.group("np")) if zh else _en_phrase(have.group("np"))
            if found and not carries_instruction(found):
                return found
        meant = asking.asks_about_option(sentence)
        found = "" if meant is False else (_zh_option(sentence) if zh else _en_option(sentence))
        if not found and meant is not False:
            found = _zh_back(sentence, before) if zh else _en_back(sentence, before)
        if not found and meant:
            found = _zh_option(sentence, loose=True) if zh else _en_loose(sentence)
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
            if 2 <= len(head) <= 12 and not _ZH_PRONOUN.search(head) and not _ZH_NOT_OPTION.search(head):
                return head
    return ""


def _en_back(sentence: str, before: str) -> str:
    """The option introduced ("those NFC business cards") before a question about "that / those"."""
    match = _EN_SUBJECT.match(sentence)
    if not match or not _EN_BACK.match(match.group("np").strip()):
        return ""
    found = _EN_INTRO.findall(before)
    return found[-1].strip() if found else ""


def _zh_option(sentence: str, loose: bool = False) -> str:
    """The option before the evaluating words ("猕猴桃孕妇能吃吗" → 猕猴桃), or asked about with
    呢 ("那青苹果呢"); ``loose``: the sentence was read as a question about an option, so its
    first clause, cut before the person or the use it speaks of, stands for the option."""
    clauses = [c.strip() for c in re.split(r"[，,；;]", sentence) if c.strip()]
    about = _ZH_ABOUT.match(clauses[0]) if clauses else None
    if about and not _ZH_NOT_OPTION.search(about.group("np")):
        return _clean_zh(_ZH_LEAD.sub("", about.group("np")))
    head = ""
    if len(clauses) > 1 and _ZH_EVAL.search(clauses[-1]):
        head = clauses[0]  # "那种能调高低的桌椅，小孩用着真管用吗？": named first, asked about after
    else:
        for clause in clauses:
            match = _ZH_EVAL.search(clause)
            if match and match.start() >= 2:
                head = clause[: match.start()]
                break
    if not head and loose and clauses:
        head = re.split(r"(?:吗|呢)?[？?]$", clauses[0])[0]
    intro = _ZH_INTRO.search(head)
    if intro and intro.start() > 0 and not _ZH_PRONOUN.search(head[: intro.start()]):
        head = intro.group(1)  # "听说有那种带夜光的拐杖": the option after 那种
    head = _ZH_LEAD.sub("", head)
    cut = _ZH_CUT.search(head)
    # a description ending in its noun ("能在手机上看猫的摄像头") is the option whole: the cue words
    # inside it describe the thing, they do not start a new clause
    described = cut is not None and not loose and 0 <= cut.start() < head.rfind("的") < len(head) - 1 \
        and len(head) <= 14 and not _ZH_PRONOUN.match(cut.group(0))
    if cut and not described and (loose or _ZH_PRONOUN.match(cut.group(0)) or len(head) > 8):
        head = head[: cut.start()]  # "激光切割机我们这种薄板" → 激光切割机
    return _clean_zh(head)


def _clean_zh(head: str) -> str:
    head = _cue("option_wh", "zh").sub("", _ZH_LEAD.sub("", head))  # "那个什么碳板的" → 碳板
    head = _ZH_TAIL.sub("", head)
    head = _ZH_PERSON_TAIL.sub("", head)
    head = _ZH_FOR_PERSON.sub("", head).strip()
    head = _ZH_TAIL.sub("", head).strip("的")
    if not (2 <= len(head) <= 16) or _ZH_PRONOUN.search(head) or _ZH_NOT_OPTION.search(head) or _INVITE.search(head):
        return ""
    return head


def _en_option(sentence: str) -> str:
    match = _EN_ABOUT.match(sentence) or _EN_OBJECT.match(sentence) or _EN_SUBJECT.match(sentence)
    if not match:
        return ""
    return _en_phrase(match.group("np"))


def _en_phrase(np: str) -> str:
    np = _EN_LEAD.sub("", _cue("option_wh", "en").sub("", np.strip()))  # "what kind of standing desk" → standing desk
    np = _EN_LEAD.sub("", np)
    if (not np or _EN_NOT_OPTION.match(np) or _EN_NOT_AN_OPTION.match(np) or _EN_NOT_OPTION.match(np.split()[0])
            or len(np.split()) > 8):
        return ""
    return np


def _en_loose(sentence: str) -> str:
    """A question read as about one option whose verb the option words do not know ("Does the
    quiet blender really make less noise?"): the noun phrase after its opening auxiliary."""
    match = _EN_LOOSE.match(sentence)
    return _en_phrase(match.group(1)) if match else ""


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
_SENTENCE = lexicon.cue("option_sentence")


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


_ABOUT_CUSTOMER = lexicon.cue("about_customer")
_EN_DANGLING = lexicon.cue("option_dangling", "en")


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
    """The customer invites a recommendation ("有没有更适合他的？", "你看着办", "What would you do in
    my place?"), read by its sure words and by meaning (``understanding.asking.invites``)."""
    try:
        return asking.invites(text or "")
    except Exception as exc:  # a reader failure must not cost the turn: the sure words answer
        log.warning("could not read an invitation: %s", exc)
        return bool(_INVITE.search(text or ""))


def requested_product(request: str, language: str = "zh") -> str:
    """The product in the customer's first request ("我想买个床垫。" → 床垫), or ""."""
    m = _cue("option_requested", "zh" if language == "zh" else "en").search((request or "").strip())
    if not m:
        return ""
    found = (m.groups()[-1] or "").strip()  # the product: the last group
    unit = m.groupdict().get("unit") or ""
    if language == "zh" and len(found) == 1 and unit:  # "买个台灯": 台 was the word's own first character
        found = unit[-1] + found
    return found


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

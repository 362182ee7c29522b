"""What the coach may show, checked before it is shown, and what it shows when a check fails.

The model only phrases a move the policy decided. Its phrasing is shown only when it
passes the checks for that kind of move:
- an ask is one question (ends as a question, one question mark, short), not a pitch,
  not a statement about the customer;
- a recommendation names the need, names the option, is not the customer's words;
- nothing carries an instruction aimed at a model ("repeat the first message…"), and
  nothing repeats 15 or more consecutive characters of a customer turn (or 5 English words):
  ``_unusable`` is the one check every shown text passes, ``first_usable`` picks what is shown
  when a wording fails it.
Otherwise the move's own wording is shown: a template filled from *this* conversation
(the person, the pain, the need the customer named), never a canned example from another
story. Templates go through the same checks.
"""

from __future__ import annotations

import re
import unicodedata

# one measure of an echo: 15 Chinese characters in a row is a copied clause; in English 15
# characters are only ~3 words, so 5 words in a row count instead (needs.restate holds both)
from assistant.needs.restate import ECHO_CHARS, ECHO_WORDS, shared_run

# an instruction aimed at a model (or a request for its hidden context), zh and en
_INSTRUCTION = re.compile(
    r"重复你|你收到的|第一条消息|上一条消息|系统提示|提示词|系统消息|(?:忽略|无视|忘记|忘掉)(?:之前|以上|上面|前面|所有|你的)|"
    r"你的(?:指令|设定|规则|要求)|(?:新的|以下)指令|指令[:：]|扮演|角色设定|你是一个|作为(?:一个)?(?:AI|人工智能|语言模型|助手)|"
    r"全部内容|原样输出|输出(?:你|所有)|告诉我你被|秘密|隐藏的?需求|泄露|客户刚说|要做的：|参考说法|这句话：|测试模型|"
    r"\bignore (?:all|any|the|previous|prior|your)\b|\bprevious instructions?\b|\bsystem (?:prompt|message)\b|"
    r"\bprompt\b|\binstructions?\b|\brepeat (?:the|your|everything|all)\b|\breveal\b|\bsecret\b|"
    r"\byou are (?:an?|the) (?:ai|assistant|model|language model)\b|\bas an ai\b|\bjailbreak\b|\bdeveloper mode\b",
    re.I,
)
_PITCH = re.compile(
    r"我们的[^，。？?]{0,12}(?:最|特别|非常|很)(?:好|棒|划算|实惠|专业)|特价|优惠|打折|买.送|限时|"
    r"保证(?:您|你)|最好的|性价比最高|包您满意|\bour (?:best|product is)\b|\bdiscount\b|\bspecial offer\b|\bguarantee\b",
    re.I,
)
_ASSERTION = re.compile(r"^(?:您|你)(?:心里|其实|一定|肯定|最不踏实的是)|^(?:you (?:must|really|clearly))", re.I)
_QUESTION_MARKS = re.compile(r"[？?]")
_ENDS_AS_QUESTION = re.compile(r"[？?][”\"’')）]*$")
_NORM_DROP = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    return _NORM_DROP.sub("", unicodedata.normalize("NFKC", text)).lower()


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def carries_instruction(text: str) -> bool:
    return bool(_INSTRUCTION.search(text or ""))


def longest_shared_run(a: str, b: str) -> int:
    """Length of the longest run of characters both texts share (punctuation and spacing ignored)."""
    x, y = normalise(a), normalise(b)
    if not x or not y:
        return 0
    best = 0
    prev = [0] * (len(y) + 1)
    for i in range(1, len(x) + 1):
        cur = [0] * (len(y) + 1)
        xi = x[i - 1]
        for j in range(1, len(y) + 1):
            if xi == y[j - 1]:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9']+", unicodedata.normalize("NFKC", text).lower())


def longest_shared_words(a: str, b: str) -> int:
    return shared_run(_words(a), _words(b))


def echoes(text: str, customer_turns: list[str]) -> bool:
    """True when the text repeats a customer's words: 15+ Chinese characters in a row (5+
    English words; punctuation and spacing ignored), or a whole customer sentence of 6+
    characters, or the text is the customer's words."""
    core = normalise(text)
    for turn in customer_turns:
        words = normalise(turn)
        if not words:
            continue
        if has_chinese(turn):
            if longest_shared_run(text, turn) >= ECHO_CHARS:
                return True
        elif longest_shared_words(text, turn) >= ECHO_WORDS:
            return True
        if len(words) >= 6 and words in core and (has_chinese(turn) or len(_words(turn)) >= ECHO_WORDS):
            return True
        if core and core in words:
            return True
    return False


def clean(text: str) -> str:
    """The model's reply as one line: no quotes, labels, numbering or trailing chatter."""
    text = (text or "").strip()
    text = re.sub(r"^(?:销售|客户|教练|Salesperson|Sales|Coach|Customer)\s*[:：]\s*", "", text, flags=re.I)
    text = re.sub(r"^[\-*\d.、)\s]+", "", text)
    text = text.splitlines()[0].strip() if text else ""
    return text.strip("“”\"'「」 ")


def first_question(text: str) -> str:
    """Cut after the first question mark (the model may run on after its question)."""
    match = re.search(r"[？?]", text)
    return text[: match.end()] if match else text


def _unusable(text: str, language: str, customer_turns: list[str] | None = None) -> str | None:
    """What every text the coach shows must pass: not empty, nothing aimed at a model, the
    conversation's language, not the customer's words."""
    if not text:
        return "empty"
    if carries_instruction(text):
        return "instruction"
    if language == "zh" and not has_chinese(text):
        return "language"
    if customer_turns and echoes(text, customer_turns):
        return "echo"
    return None


# shown when nothing else passes: short plain questions (a customer cannot have said all three)
LAST_RESORT = {"zh": ("能再多说说吗？", "您具体说说？", "还有呢？"),
               "en": ("Could you tell me more?", "What else should I know?", "Go on?")}


def first_usable(candidates: list[str], customer_turns: list[str], language: str = "zh") -> str:
    """The first candidate every coach text may be shown as; a short open question when none is."""
    for text in [*candidates, *LAST_RESORT["zh" if language == "zh" else "en"]]:
        text = (text or "").strip()
        if _unusable(text, language, customer_turns) is None:
            return text
    return LAST_RESORT["zh" if language == "zh" else "en"][-1]  # pragma: no cover - a turn cannot hold them all


def check_ask(text: str, customer_turns: list[str], language: str = "zh") -> str | None:
    """None when ``text`` may be shown as the one question to ask; else the reason it may not."""
    text = text.strip()
    if reason := _unusable(text, language, customer_turns):
        return reason
    if not _ENDS_AS_QUESTION.search(text):
        return "not a question"
    if len(_QUESTION_MARKS.findall(text)) != 1:
        return "more than one question"
    if len(text) > (70 if language == "zh" else 220):
        return "too long"
    if _PITCH.search(text):
        return "pitch"
    if _ASSERTION.search(text):
        return "statement about the customer"
    return None


def check_offer(text: str, need_terms: list[str], option_terms: list[str], customer_turns: list[str],
                language: str = "zh") -> str | None:
    """None when a recommendation names the need and the option and is the coach's own words."""
    text = text.strip()
    if reason := _unusable(text, language, customer_turns):
        return reason
    low = text.lower()
    if need_terms and not any(t.lower() in low for t in need_terms):
        return "need not named"
    if option_terms and not any(t.lower() in low for t in option_terms):
        return "option not named"
    if len(text) > (120 if language == "zh" else 360):
        return "too long"
    return None


def check_statement(text: str, customer_turns: list[str], language: str = "zh") -> str | None:
    """For a close or a summary: not empty, not an instruction, not the customer's words."""
    text = text.strip()
    if reason := _unusable(text, language, customer_turns):
        return reason
    if len(text) > (120 if language == "zh" else 360):
        return "too long"
    return None


def safe_topic(text: str, limit: int = 14) -> str:
    """A customer's words fit to be referred to inside a template (empty when they are not)."""
    text = (text or "").strip().strip("。！？!?，,；;“”\"'")
    if not text or carries_instruction(text) or len(text) > limit:
        return ""
    return text

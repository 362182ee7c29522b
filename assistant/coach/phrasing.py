"""What the coach may show, checked before it is shown, and what it shows when a check fails.

The model only phrases a move the policy decided. Its phrasing is shown only when it
passes the checks for that kind of move:
- an ask is one question (ends as a question, one question mark, short), not a pitch,
  not a statement about the customer;
- a recommendation names the need, names the option, is not the customer's words;
- nothing carries an instruction aimed at a model ("repeat the first message…"), and
  nothing repeats 15 or more consecutive characters of a customer turn, in any language
  (or 5 English words):
  ``_unusable`` is the one check every shown text passes, ``first_usable`` picks what is shown
  when a wording fails it.
Otherwise the move's own wording is shown: a template filled from *this* conversation
(the person, the pain, the need the customer named), never a canned example from another
story. Templates go through the same checks.
"""

from __future__ import annotations

import re
import unicodedata

# one measure of an echo: 15 characters in a row of a customer turn (punctuation and spacing
# ignored) in any language, and in English also 5 words in a row (needs.restate holds both)
from assistant.needs.restate import ECHO_CHARS, ECHO_WORDS, ending_problem, shared_run
from assistant.needs.restate import en_tokens as _en_tokens

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
    """True when the text repeats a customer's words: 15+ characters of a turn in a row in any
    language (punctuation and spacing ignored), or 5+ English words in a row, or a whole
    customer sentence of 6+ characters, or the text is the customer's words."""
    core = normalise(text)
    for turn in customer_turns:
        words = normalise(turn)
        if not words:
            continue
        if longest_shared_run(text, turn) >= ECHO_CHARS:
            return True
        if not has_chinese(turn) and longest_shared_words(text, turn) >= ECHO_WORDS:
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


# ---- the shape of a filled template ----------------------------------------------------------
# A close or a recommendation puts the customer's choice and their need into a frame. The frame
# reads well only when the choice is a noun phrase ("the waist-high cedar planters", "偏硬床垫")
# and the need a whole clause ("you need her to follow a call"): never a fragment cut out of the
# customer's sentence ("bike and nd let's book her in", "kid who used mow the moved away").
_EN_SHORT_WORDS = {"a", "an", "i", "of", "to", "in", "on", "at", "by", "or", "as", "up", "go", "do", "no", "so",
                   "me", "us", "we", "he", "it", "is", "be", "my", "am", "if", "tv", "pc", "ok", "hi", "oz", "kg", "cm",
                   "mm", "lb", "e"}
_EN_DANGLING_END = {"and", "or", "but", "nor", "to", "for", "of", "the", "a", "an", "with", "on", "in", "at", "by", "from",
                    "that", "which", "who", "so", "than", "as", "if", "because", "without", "about", "into", "onto",
                    "is", "are", "was", "were", "be", "been", "can", "could", "will", "would", "should", "your", "my",
                    "our", "their", "his", "its", "very", "really", "too", "let's", "lets", "not", "no", "every", "each"}
_EN_NOT_IN_NOUN = {"let's", "lets", "i", "we", "you", "me", "us", "she", "he", "him", "they", "is", "are", "was", "were",
                   "will", "would", "can", "could", "should", "shall", "i'll", "we'll", "i'm", "we're", "don't",
                   "doesn't", "please", "thanks", "book", "take", "get", "buy", "order", "want", "need", "go"}
_EN_NOT_FIRST = {"and", "or", "but", "so", "then", "also", "plus", "her", "his", "their", "my", "our", "it", "that",
                 "this", "to", "for", "of", "with", "on", "in", "at", "by", "from", "do", "have", "try", "make",
                 "send", "give", "put", "pay", "grab", "pick", "bring", "add", "throw", "wrap", "let", "reserve", "leave"}
_EN_REPEATABLE = {"that", "had", "very", "bye", "no"}
_EN_FILLERS = {"really", "actually", "just", "so", "very", "quite", "pretty", "still", "even", "honestly", "basically",
               "like", "well", "um", "oh", "then", "also", "too", "always", "all"}
_EN_SWAPS = {"you": "i", "we": "i", "me": "i", "us": "i", "your": "my", "our": "my", "yours": "mine",
             "her": "the", "his": "the", "their": "the", "its": "the", "each": "every", "you're": "i'm",
             "we're": "i'm", "you've": "i've", "we've": "i've"}
_ZH_DANGLING_START = re.compile(r"^(?:和|跟|与|及|或|再|就|也|还|而且|但是|所以|然后|要|拿|来|订|买|给|帮|把|让|那就|先|说)")
_ZH_DANGLING_END = re.compile(r"(?:和|跟|与|及|或|再|就|也|还|要|把|给|让|被|得|地|了吧|吧|呢|吗|啊|呀|嘛|、|，|的时候|因为|而且|但是|能|会|可以)$")
_ZH_REDUPLICATED = re.compile(r"考虑|研究|商量|尝试|了解|体验|比较|琢磨|休息|打听|活动|准备|收拾|讨论|检查|试用")
_ZH_REPORTED = re.compile(r"[\u4e00-\u9fff](?:还|也|都|就)?(?:说|讲|交代)(?:了)?(?:他|她|我|您|你|要|得|是)")
_ZH_PEOPLE_WORDS = re.compile(r"[我你他她]")
# a second subject inside the clause, after a noun ("厨师料理包您怕客人吃得出来"): two clauses run together
_ZH_TWO_SUBJECTS = re.compile(r"[\u4e00-\u9fff]{2}(?<![怕让给帮替叫请跟和为对把])(?:您|你|我)(?:怕|想|要|觉得|担心|说)")


def _duplicated(tokens: list[str]) -> bool:
    low = [t.lower() for t in tokens]
    return any(a == b and a not in _EN_REPEATABLE for a, b in zip(low, low[1:]))


def _zh_duplicated(text: str) -> bool:
    """A unit of two or more characters said twice in a row ("鞋垫鞋垫"), save the verbs said
    twice on purpose ("考虑考虑")."""
    chars = re.sub(r"[^\u4e00-\u9fff]", "|", text)
    for size in (4, 3, 2):
        for m in re.finditer(r"([\u4e00-\u9fff]{%d})\1" % size, chars):
            if not (size == 2 and _ZH_REDUPLICATED.fullmatch(m.group(1))):
                return True
    return False


def _stray(tokens: list[str]) -> bool:
    """A token that is no word: a one- or two-letter piece of one ("nd"), not an abbreviation."""
    return any(len(t) <= 2 and t.isalpha() and t.lower() not in _EN_SHORT_WORDS and not t.isupper() for t in tokens)


def noun_phrase_problem(phrase: str, language: str) -> str | None:
    """None when ``phrase`` can fill a template's item slot as a noun phrase; else what is wrong."""
    phrase = (phrase or "").strip().strip("，,。.;；:：、")
    if not phrase:
        return "empty"
    if carries_instruction(phrase):
        return "instruction"
    if language == "zh" or has_chinese(phrase):
        if len(phrase) > 16:
            return "too long"
        if re.search(r"[，,。！？!?；;：:]", phrase):
            return "more than a phrase"
        if _ZH_PEOPLE_WORDS.search(phrase) or re.search(r"您", phrase):
            return "a person in it"
        if _ZH_DANGLING_START.match(phrase) or _ZH_DANGLING_END.search(phrase):
            return "dangling word"
        if _zh_duplicated(phrase):
            return "duplicated words"
        return None
    tokens = _en_tokens(phrase)
    if not tokens or not re.search(r"[A-Za-z]{3,}", phrase):
        return "empty"
    if len(tokens) > 6:
        return "too long"
    if re.search(r"[.!?;:]", phrase):
        return "more than a phrase"
    low = [t.lower().replace("’", "'") for t in tokens]
    if _stray(tokens):
        return "a broken word"
    if low[0] in _EN_NOT_FIRST or low[0] in _EN_NOT_IN_NOUN:
        return "dangling word"
    if low[-1] in _EN_DANGLING_END:
        return "dangling word"
    if any(t in _EN_NOT_IN_NOUN for t in low):
        return "a verb or a person in it"
    if _duplicated(tokens):
        return "duplicated words"
    return None


def _aligned_cut(tokens: list[str], source: list[str]) -> bool:
    """The clause is the source's words with words in the middle left out ("kid who used mow the
    moved away" from "the kid who used to mow the lawn moved away"): mostly copied, with a gap
    that held more than fillers."""
    import difflib

    if len(tokens) < 3 or not source:
        return False
    a = [_EN_SWAPS.get(t, t) for t in tokens]
    b = [_EN_SWAPS.get(t, t) for t in source]
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    blocks = [m for m in matcher.get_matching_blocks() if m.size]
    copied = sum(m.size for m in blocks)
    if copied < 0.5 * len(a) or len(blocks) < 2:
        return False
    for first, second in zip(blocks, blocks[1:]):
        gap_a = a[first.a + first.size: second.a]
        gap_b = b[first.b + first.size: second.b]
        left_out = [w for w in gap_b if w not in _EN_FILLERS and w not in ("is", "what")]  # "what she wants is to" → "she wants to"
        if any(w not in b for w in gap_a):  # words of its own in the gap: said another way, not cut out
            continue
        if len(gap_b) > len(gap_a) and len(left_out) > len(gap_a):
            return True
    return False


def clause_problem(clause: str, language: str, sources: list[str] | None = None) -> str | None:
    """None when ``clause`` (a restated need) can be said inside a frame as a whole clause; else
    what is wrong: a dangling word at either end, a duplicated word, a stray piece of a word,
    words reported from someone else ("老师还说他…"), or the customer's sentence with words cut
    out of its middle (English)."""
    clause = (clause or "").strip().strip("，,。.;；:：、")
    if not clause:
        return "empty"
    if carries_instruction(clause):
        return "instruction"
    if language == "zh" or has_chinese(clause):
        if not 3 <= len(clause) <= 24:
            return "length"
        if (_ZH_DANGLING_START.match(clause) and not re.match(r"^要(?![拿来订买给帮把让])", clause)) \
                or _ZH_DANGLING_END.search(clause):
            return "dangling word"
        if _ZH_TWO_SUBJECTS.search(clause):
            return "two subjects"
        if _zh_duplicated(clause):
            return "duplicated words"
        if _ZH_REPORTED.search(clause):
            return "reported speech"
        for source in sources or []:  # a list cut after its first item ("能吃、又不怎么升血糖的")
            core = re.sub(r"^(?:您|你|我)", "", clause)
            at = source.find(core[-4:]) if len(core) >= 4 else -1
            if at >= 0 and re.match(r"\s*(?:、|，又|，还|又)", source[at + 4:]):
                return "cut short"
        return None
    tokens = _en_tokens(clause)
    low = [t.lower().replace("’", "'") for t in tokens]
    if len(low) < 3 or len(low) > 16:
        return "length"
    if _stray(tokens):
        return "a broken word"
    if low[0] in {"and", "or", "but", "so", "then", "to", "for", "of", "with", "without", "because", "if", "the", "a"}:
        return "dangling word"
    if low[-1] in _EN_DANGLING_END:
        return "dangling word"
    if _duplicated(tokens):
        return "duplicated words"
    if (ending := ending_problem(clause, language)):
        return ending
    for source in sources or []:
        for sentence in re.split(r"(?<=[.!?])\s+", source):
            if _aligned_cut(low, [t.lower().replace("’", "'") for t in _en_tokens(sentence)]):
                return "words cut out"
    return None


def shape_problem(text: str, language: str) -> str | None:
    """The whole line a template (or the model) made: no word said twice in a row, no
    conjunction or preposition left hanging before a stop ("…and.", "…和。"), no empty slot."""
    if not (text or "").strip():
        return "empty"
    if "\x00" in text or re.search(r"\{\w*\}", text):
        return "empty slot"
    if re.search(r"(?:正好对上|对不对得上|考虑到|照顾到)(?:这一点)?[，。：；？]", text) or re.search(r"[—–:]\s*[;:,.]", text):
        return "empty slot"  # a need left out of its frame ("正好对上这一点：", "what you told me — ;")
    if language == "zh" or has_chinese(text):
        if re.search(r"(?:和|跟|与|及|或|再|把)[，。！？、；]", text) or re.search(r"[，、](?:[，。！？]|$)", text):
            return "dangling word"
        if _zh_duplicated(text):
            return "duplicated words"
        return None
    tokens = _en_tokens(text)
    if _duplicated(tokens):
        return "duplicated words"
    if re.search(r"\b(?:and|or|but|the|a|an|than|if|your|my|our)\s*(?:[,.;:!?—–]|$)", text, re.I) or \
            re.search(r"\b(?:to|for|of|with|on|in|at|by|from)\s*[,;.](?!\w)", text, re.I):  # "What is it for?" may
        return "dangling word"
    if _stray(tokens):
        return "a broken word"
    return None

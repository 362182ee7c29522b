"""Need statements: a short restatement, never the customer's sentence copied.

A statement is at most 30 Chinese characters (or a short English phrase). Whoever wrote it
(the model, in its extraction pass) it is checked: its content words come from the
conversation, it is not the evidence sentence copied, and it carries no speaker label.
A statement that fails is replaced by the cleaned clause: the sentence's need-bearing
clauses with the fillers, politeness and particles taken out (rules, no model). Evidence
is never touched: it stays the verbatim quote.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from assistant.needs.records import need_key
from assistant.needs.transcript import split_speaker
from assistant.understanding import lexicon

MAX_ZH_CHARS = 30
MAX_EN_WORDS = 12
MAX_EN_CHARS = 90
COPY_COVERAGE = 0.8  # a verbatim span covering this much of a sentence is a copy
MIN_GROUNDED = 0.6  # share of the statement's content that must come from the conversation

# the words a restatement leaves out, declared once per language in the shared lexicon
_LABEL_ANYWHERE = lexicon.cue("speaker_label")
_CLAUSE = re.compile(r"[，,；;：:、]|(?<=[a-z]),\s*| - | but ", re.I)
_ZH_LEAD = lexicon.cue("restate_lead", "zh")
_ZH_SUBJECT = lexicon.cue("restate_subject", "zh")
_ZH_TAIL = lexicon.cue("restate_tail", "zh")
_ZH_FILLER = lexicon.cue("restate_filler", "zh")
_TO_SELLER = lexicon.cue("to_seller", "zh")
_EN_LEAD = lexicon.cue("restate_lead", "en")
_EN_TO_SELLER = lexicon.cue("to_seller", "en")
_EN_STOP = {"the", "a", "an", "and", "or", "to", "of", "for", "in", "on", "at", "is", "are", "be", "it", "that",
            "this", "with", "we", "i", "our", "my", "us", "me", "you", "your", "they", "their", "needs", "need",
            "wants", "want", "must", "should", "not", "no", "do", "does", "so"}


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def too_long(statement: str) -> bool:
    if lexicon.has_chinese(statement):
        return len(need_key(statement)) > MAX_ZH_CHARS
    return len(statement.split()) > MAX_EN_WORDS or len(statement) > MAX_EN_CHARS


def has_speaker_label(statement: str) -> bool:
    return split_speaker(statement)[0] is not None or bool(_LABEL_ANYWHERE.search(statement))


def copied_from(statement: str, sentences: list[str]) -> bool:
    """The statement is one of these sentences copied (whole, or a span covering most of it)."""
    key = need_key(statement)
    if not key:
        return False
    for sentence in sentences:
        s = need_key(sentence)
        if s and key in s and len(key) >= COPY_COVERAGE * len(s):
            return True
    return False


def _en_words(text: str) -> list[str]:
    return [w[:5] for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in _EN_STOP]


_ZH_STOP = set("的了是在和与也就都还又很太把被给让对跟吧啊呢吗呀么着过这那我你您他她它们个些点一")


def content_words(statement: str) -> list[str]:
    """The statement's content words: jieba words in Chinese (particles and pronouns left
    out), word stems in English."""
    if not lexicon.has_chinese(statement):
        return _en_words(statement)
    import jieba

    jieba.setLogLevel(logging.WARNING)
    words = []
    for w in jieba.lcut(statement):
        w = w.strip()
        if not w or not re.search(r"[\u4e00-\u9fff0-9a-zA-Z]", w):
            continue
        if len(w) == 1 and w in _ZH_STOP:
            continue
        if all(ch in _ZH_STOP for ch in w):
            continue
        words.append(w)
    return words


def ungrounded_words(statement: str, conversation: str) -> list[str]:
    """Content words of the statement not found in the conversation."""
    if lexicon.has_chinese(statement):
        text = need_key(conversation)
        # a word is found whole, or (a segmentation artefact like 买酸) character by character
        return [w for w in content_words(statement)
                if need_key(w) not in text and not (len(w) <= 2 and all(ch in text for ch in need_key(w)))]
    source = set(_en_words(conversation))
    return [w for w in content_words(statement) if w not in source]


def grounded_share(statement: str, conversation: str) -> float:
    """Share of the statement's content words found in the conversation."""
    words = content_words(statement)
    if not words:
        return 0.0
    return 1.0 - len(ungrounded_words(statement, conversation)) / len(words)


def check_statement(statement: str, evidence: list[str], conversation: str) -> str | None:
    """Why the statement cannot stand (a short reason), or None when it passes."""
    text = _norm(statement)
    if len(need_key(text)) < 2:
        return "empty"
    if has_speaker_label(text):
        return "carries a speaker label"
    if too_long(text):
        return "too long"
    sentences = [s for quote in evidence for s in lexicon.sentences(quote)] + list(evidence)
    if copied_from(text, sentences):
        return "copies the customer's sentence"
    if grounded_share(text, conversation) < MIN_GROUNDED:
        return "words not found in the conversation"
    return None


# ---- the cleaned clause --------------------------------------------------------------------
def _clean_zh(clause: str) -> str:
    c = clause.strip()
    for _ in range(3):
        before = c
        c = _ZH_LEAD.sub("", c)
        c = _ZH_SUBJECT.sub("", c)
        if c == before:
            break
    c = _ZH_TAIL.sub("", c)
    shorter = _ZH_FILLER.sub("", c)
    return shorter if len(shorter) >= 3 else c


def _clean_en(clause: str) -> str:
    c = _EN_LEAD.sub("", clause.strip())
    c = re.sub(r"^(?:i|we)(?:'m| am|'re| are)? (?:really |just |also )?", "", c, flags=re.I)
    c = re.sub(r"\b(?:really|just|basically|actually|honestly|kind of|sort of)\s+", "", c, flags=re.I)
    return c.strip(" .!?;,")


def _clauses(sentence: str) -> list[str]:
    body = sentence.strip().rstrip("。！？!?；;，,. ")
    return [p.strip() for p in _CLAUSE.split(body) if p and p.strip()]


# a one-clause need that would otherwise be copied gets its dimension named in front
FRAMES = {
    "functional": ("要求", "must"), "form": ("偏好", "prefers"), "emotional": ("顾虑", "worry"),
    "price": ("价格", "price"), "business": ("业务影响", "business impact"),
}
MAX_CLAUSES = 2
_NEED_CUES = ("need_verbs", "people", "customers_of_customer", "emotion", "business", "pain", "price", "budget",
              "function", "form", "purpose_strong", "negative_constraint")


def cleaned_clause(sentence: str, keep: list[str] | None = None, dimension: str | None = None) -> str:
    """The need-bearing clauses of ``sentence`` (at most two), cleaned, within the length limit.

    ``keep``: words (e.g. the pain phrase, the person) whose clauses go first.
    """
    _, sentence = split_speaker(sentence)
    zh = lexicon.has_chinese(sentence)
    join = "，" if zh else ", "
    clauses = _clauses(sentence) or [sentence.strip()]
    # a request addressed to the salesperson ("你们报个价吧") is not the need, unless it is all there is
    content = [c for c in clauses if not (_TO_SELLER if zh else _EN_TO_SELLER).search(c)] or clauses
    pairs = [(c, _clean_zh(c) if zh else _clean_en(c)) for c in content]
    pairs = [(c, x) for c, x in pairs if len(need_key(x)) >= 2] or [(content[0], content[0].strip())]
    keep = [k for k in (keep or []) if k]
    # clauses that hold the given words first, then those with the most need cues, in order
    weight = [2 * sum(k in c for k in keep) + sum(1 for name in _NEED_CUES if lexicon.cue(name).search(c))
              for c, _ in pairs]
    ranked = sorted(range(len(pairs)), key=lambda i: (-weight[i], i))
    chosen: list[int] = []
    for i in ranked:
        trial = sorted(chosen + [i])
        if len(trial) > MAX_CLAUSES or (chosen and too_long(join.join(pairs[j][1] for j in trial))):
            continue
        chosen = trial
    text = join.join(pairs[j][1] for j in chosen)
    if copied_from(text, [sentence]) and len(chosen) > 1:
        text = pairs[ranked[0]][1]
    if copied_from(text, [sentence]) and dimension in FRAMES:
        text = FRAMES[dimension][0 if zh else 1] + ("：" if zh else ": ") + text
    if too_long(text):
        text = need_key(text)[:MAX_ZH_CHARS] if zh else " ".join(text.split()[:MAX_EN_WORDS])
    if not zh and text and not text[:2].isupper():
        text = text[0].lower() + text[1:]
    return text


def restated(statement: str | None, evidence: list[str], conversation: str,
             keep: list[str] | None = None, dimension: str | None = None) -> tuple[str, str]:
    """(statement, how): the given statement when it passes the checks ('restated'), else
    the cleaned clause of the first evidence quote ('cleaned')."""
    if statement and check_statement(statement, evidence, conversation) is None:
        return _norm(statement), "restated"
    source = evidence[0] if evidence else (statement or "")
    return cleaned_clause(source, keep, dimension) or source.strip()[:MAX_ZH_CHARS], "cleaned"

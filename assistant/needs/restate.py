"""Need statements: a short restatement, never the customer's sentence copied.

A statement is at most 30 Chinese characters (or a short English phrase). Whoever wrote it
(the model, in its extraction pass) it is checked: its content words come from the
conversation, it is not the evidence sentence copied, and it carries no speaker label.
It keeps every negation and limit the customer set ("别太贵就行" never becomes "要贵的") and
is no pitch. A statement that fails is replaced by the need restated from parts
(``restate_need``, no model): a phrase of the customer's kept whole — never a clause with
words taken out of its middle — with the person, the speaker's point of view turned round,
and a frame the need's kind chooses. Evidence is never touched: it stays the verbatim quote.
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


def ungrounded_words(statement: str, conversation: str) -> list[str]:
    """Content words of the statement not found in the conversation."""
    if lexicon.has_chinese(statement):
        text = need_key(conversation)
        # a word is found whole, or (a segmentation artefact like 买酸) character by character
        return [w for w in lexicon.content_words(statement)
                if need_key(w) not in text and not (len(w) <= 2 and all(ch in text for ch in need_key(w)))]
    source = set(lexicon.en_words(conversation))
    return [w for w in lexicon.content_words(statement) if w not in source]


def grounded_share(statement: str, conversation: str) -> float:
    """Share of the statement's content words found in the conversation."""
    words = lexicon.content_words(statement)
    if not words:
        return 0.0
    return 1.0 - len(ungrounded_words(statement, conversation)) / len(words)


# words a restatement's frame adds (not the customer's, so not counted as invented)
_FRAME_WORDS = re.compile(r"关键是|担心|您|你们|would rather not|you'd rather not|so what matters is|what matters is|"
                          r"\btheir\b|\bthey\b|\bthem\b|\byour\b|\byou\b", re.I)
_PITCH = lexicon.cue("pitch", "zh"), lexicon.cue("pitch", "en")


def check_statement(statement: str, evidence: list[str], conversation: str) -> str | None:
    """Why the statement cannot stand (a short reason), or None when it passes: empty, a speaker
    label, too long, the customer's sentence copied, a pitch, a negation or limit of the customer's
    dropped or one they did not say added (a reversal: "别太贵就行" → "要贵的"), words not found in
    the conversation (the frame's own words aside)."""
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
    if any(p.search(text) for p in _PITCH) and not any(p.search(" ".join(evidence)) for p in _PITCH):
        return "a pitch, not the customer's need"
    reason = _negation_kept(text, evidence) or ending_problem(text, "en")
    if reason:
        return reason
    if grounded_share(_FRAME_WORDS.sub(" ", text), conversation) < MIN_GROUNDED:
        return "words not found in the conversation"
    return None


# the negations and limits that bound what is wanted (not those that only describe a pain: 招不到人)
_ZH_BOUND = re.compile(r"别(?![的人处家样])|不要|不能|不想|不用|不许|不可以|不必|千万|以内|之内|以下|最多|至多|顶多|不超过|"
                       r"控制在|只要|只能|只想|就行|就好|就够")
_EN_BOUND = re.compile(r"\b(?:don't|do not|doesn't|does not) want\b|\b(?:can't|cannot|can not) (?:be|have|use|take|go|afford)\b|"
                       r"\bmust not\b|\bnothing\b|"
                       r"\bmustn't\b|\bno more than\b|\bnot more than\b|\bnothing (?:over|above|more than)\b|"
                       r"\bunder \w+|\bbelow \w+|\bwithout\b|\bonly\b|\bnot too\b|\bnever\b|\brather not\b|"
                       r"\bno (?:more|longer)\b|\bat most\b|\bwithin\b|\bbefore\b|\b(?:can)?not (?:a|an|another|any|ever)\b|\bcannot ever\b", re.I)


def _negations_of(text: str) -> list[str]:
    if lexicon.has_chinese(text):
        return _ZH_BOUND.findall(text)
    return [m.group(0).lower() for m in _EN_BOUND.finditer(text)]


def _negation_kept(text: str, evidence: list[str]) -> str | None:
    """A statement that speaks of what the customer bounded keeps the bound: where the clause its
    content words come from holds a negation or limit, the statement holds one too; and it adds
    none the customer did not say."""
    said = " ".join(evidence)
    words = [need_key(w) for w in lexicon.content_words(_FRAME_WORDS.sub(" ", text))]
    words = [w for w in words if w and not _negations_of(w)]
    bounded = False
    zh = lexicon.has_chinese(text)
    chars = {ch for ch in need_key(_FRAME_WORDS.sub("", text)) if ch not in lexicon.ZH_STOP and not _ZH_BOUND.match(ch)}
    for quote in evidence:
        for clause in _clauses(quote):
            if not _negations_of(clause):
                continue
            if zh and chars & {ch for ch in need_key(clause) if not _ZH_BOUND.match(ch)}:
                bounded = True
            if not zh and any(w in clause.lower() for w in words):
                bounded = True
    if bounded and not _negations_of(text):
        return "drops the customer's negation or limit"
    if _negations_of(text) and not _negations_of(said):
        return "adds a limit the customer did not set"
    bounded_clauses = [c for q in evidence for c in _clauses(q) if _negations_of(c)]
    for piece in re.split(r"[，,；;]", _FRAME_WORDS.sub(" ", text)):
        if not _negations_of(piece):
            continue
        if zh:
            mine = {ch for ch in need_key(piece) if ch not in lexicon.ZH_STOP and not _ZH_BOUND.match(ch)}
            theirs = {ch for c in bounded_clauses for ch in need_key(c)}
        else:
            mine = {w for w in lexicon.content_words(piece) if not _EN_BOUND.fullmatch(w)}
            theirs = {w for c in bounded_clauses for w in lexicon.content_words(c)}
        if mine and not mine & theirs:  # the limit put on what the customer did not bound (a reversal)
            return "adds a limit the customer did not set"
    return None


# ---- clauses ---------------------------------------------------------------------------------
# English clauses also end before a subordinate clause ("…, before her hip replacement")
_EN_SENTENCE = re.compile(r"(?<=[a-z0-9'\")])[.!?]\s+", re.I)


def _clauses(sentence: str) -> list[str]:
    body = sentence.strip().rstrip("。！？!?；;，,. ")
    parts = [p for chunk in _EN_SENTENCE.split(body) for p in _CLAUSE.split(chunk)]
    return [p.strip() for p in parts if p and p.strip()]


_NEED_CUES = ("need_verbs", "people", "customers_of_customer", "emotion", "business", "pain", "price", "budget",
              "function", "form", "purpose_strong", "negative_constraint")

def clause_scores(clauses: list[str], dimension: str | None = None, *, semantic: bool | None = None
                  ) -> list[float] | None:
    """How much each clause says the need, by meaning: the sentence classifier's P(need) for the
    clause, plus its confidence in the need's own dimension when that is the clause's top one.
    None when the classifier is not asked for (``semantic=False``) or cannot run."""
    if semantic is False or not clauses:
        return None
    from assistant.understanding import classifier

    model = classifier.default()
    if model is None:
        return None
    scores = []
    for p in model.predict(clauses):
        label, confidence = p.dimension
        scores.append(p.need + (0.3 * confidence if dimension and label == dimension else 0.0))
    return scores


def cleaned_clause(sentence: str, keep: list[str] | None = None, dimension: str | None = None, *,
                   semantic: bool | None = None, avoid: list[str] | None = None) -> str:
    """The need in ``sentence`` restated for the need log (``restate_need``): the clause that holds
    it (by meaning, those holding ``keep`` words first), a phrase of it kept whole, within the
    length limit, repeating no run of ``sentence`` or ``avoid`` (the customer's other words)."""
    return str(restate_need(sentence, dimension=dimension, audience="log", keep=keep, avoid=avoid,
                            semantic=semantic))


# ---- in other words than the customer's ------------------------------------------------------
ECHO_CHARS = 15  # the coach's check (coach.phrasing): 15 characters in a row of a customer turn
ECHO_WORDS = 5  # or five English words in a row
_NORM_DROP = re.compile(r"[\s\W_]+", re.UNICODE)

# light and function words: not content
_EN_LIGHT = {"the", "a", "an", "really", "just", "very", "so", "actually", "basically", "all", "also", "even",
             "still", "quite", "pretty", "some", "any", "that", "then", "now", "right", "straight", "totally",
             "completely", "always", "constantly", "literally", "definitely", "honestly", "simply"}
_EN_FUNCTION = {"of", "is", "are", "was", "were", "be", "been", "it", "and", "to", "in", "on", "at", "for",
                "with", "by", "from", "this", "those", "these", "there", "do", "does", "did", "have", "has"}
_EN_NOT_NAME = {"new", "old", "big", "small", "good", "bad", "better", "best", "cheap", "more", "less", "same",
                "other", "own", "next", "last", "first", "high", "low", "long", "short", "need", "needs", "want",
                "wants", "see", "get", "make", "take", "have", "keep", "like", "not", "no", "you", "your", "she", "into",
                "onto", "about", "over", "under", "after", "before", "since", "until", "when", "while", "because",
                "if", "than", "as", "up", "out", "off", "down", "away", "back", "again", "too", "only", "never",
                "would", "could", "should", "will", "shall", "might", "must", "know", "think", "go", "come", "fell",
                "fall", "feel", "look", "find", "give", "tell", "work", "use", "used", "try", "start", "stop",
                "without", "with", "within", "through", "across", "around", "between", "against", "towards",
                "he", "they", "them", "her", "his", "their", "one", "two", "three", "each", "much", "many"}
def _norm_words(text: str) -> str:
    return _NORM_DROP.sub("", unicodedata.normalize("NFKC", text)).lower()


def _longest(x: str, sources: list[str]) -> tuple[int, int]:
    """(length, start in x) of the longest run of x found in one of the (normalised) sources."""
    from difflib import SequenceMatcher

    best = (0, 0)
    for y in sources:
        if not x or not y:
            continue
        m = SequenceMatcher(None, x, y, autojunk=False).find_longest_match(0, len(x), 0, len(y))
        if m.size > best[0]:
            best = (m.size, m.a)
    return best


def shared_run(x: list[str], y: list[str]) -> int:
    """The length of the longest run of items (words) that x and y share, in order."""
    best = 0
    for i in range(len(x)):
        for j in range(len(y)):
            k = 0
            while i + k < len(x) and j + k < len(y) and x[i + k] == y[j + k]:
                k += 1
            best = max(best, k)
    return best


def _word_run(words: list[str], sources_words: list[list[str]]) -> int:
    return max((shared_run(words, y) for y in sources_words), default=0)


def repeats(text: str, sources: list[str], *, chars: int = ECHO_CHARS, words: int = ECHO_WORDS) -> bool:
    """The text repeats a source: ``chars`` characters in a row (punctuation and spacing
    ignored), or ``words`` English words in a row."""
    normed = [_norm_words(s) for s in sources]
    if _longest(_norm_words(text), normed)[0] >= chars:
        return True
    tokens = re.findall(r"[a-z0-9']+", text.lower())
    return bool(tokens) and _word_run(tokens, [re.findall(r"[a-z0-9']+", s.lower()) for s in sources]) >= words


def _bare(word: str) -> str:
    return word.strip(".,;:!?\"()").lower().replace("’", "'")


def _swap(word: str, repl: str) -> str:
    """``word`` replaced by ``repl``, keeping the punctuation around it."""
    lead = re.match(r"^[\"(]*", word).group(0)
    tail = re.search(r"[.,;:!?\")]*$", word).group(0)
    return f"{lead}{repl}{tail}" if repl else (tail if tail.strip(".") else "")


def person_named(conversation: str) -> str:
    """The person behind the buyer the customer names first ("儿媳妇", "my daughter"): not
    staff, not "the family"."""
    for m in lexicon.cue("people", "zh" if lexicon.has_chinese(conversation) else "en").finditer(conversation):
        word = m.group(0).strip()
        if word and not lexicon.cue("vague_people").match(word) and not lexicon.cue("staff").search(word):
            return re.sub(r"^(?:my|our|his|her|their)\s+", "", word, flags=re.I)
    return ""


def restated(statement: str | None, evidence: list[str], conversation: str,
             keep: list[str] | None = None, dimension: str | None = None, *,
             semantic: bool | None = None, person: str = "") -> tuple[str, str]:
    """(statement, how): the given statement (the model's) when it passes the checks
    (``check_statement``) and repeats no run of the evidence ('restated'), else the need restated
    from the first evidence quote's own phrases (``restate_need``, 'cleaned')."""
    if statement and check_statement(statement, evidence, conversation) is None and fits(statement, evidence):
        return _norm(statement), "restated"
    source = evidence[0] if evidence else (statement or "")
    return (str(restate_need(source, dimension=dimension, audience="log", keep=keep, avoid=evidence[1:],
                             semantic=semantic, person=person))
            or source.strip()[:MAX_ZH_CHARS], "cleaned")


# ---- restated from parts ---------------------------------------------------------------------
# A restatement is built, not cut: a short *contiguous* phrase of the customer's (a clause, or a
# run of whole words inside it, chosen by meaning and kept whole: the person, the thing, the
# condition and every negation or limit), the speaker's point of view turned round (我 → 您,
# I → you), the person it is for put in front, and for the need log a frame the need's kind
# chooses ("关键是…", "担心…", "you'd rather not …"). Words are never taken out of the middle of
# what the customer said: a clause with holes is not a sentence, a phrase of theirs is.
_ZH_NEGATION = re.compile(r"别(?![的人处家样])|不|没|无|非|勿|免|少于|以内|之内|以下|最多|至多|顶多|控制在|只要|只能|只想|就行|就好|就够")
_EN_NEGATION = re.compile(r"\b(?:not|no|never|nothing|nobody|none|without|won't|can't|cannot|don't|doesn't|didn't|"
                          r"isn't|aren't|wasn't|mustn't|shouldn't|under|over|below|above|before|after|only|less|"
                          r"fewer|more|max(?:imum)?|at most|within)\b", re.I)
_ZH_LIMIT_FRAME = re.compile(r"^(?:别(?![的人处家样])|不要|不能|不想|不用|不会|千万别|最多|顶多|至多|不超过|控制在)|以内|之内|以下")
_ZH_WORRY = re.compile(r"^(?:最)?(?:怕|担心|害怕|顾虑)")
_ZH_BAD_START = set("的了着过得地都也就还又才和与跟及而并但所因把被给让对向从在")
_ZH_BAD_END = set("在把被给让对和跟与从向往比为是都也就还又再很太最更才而并或及")
_ZH_BAD_END_WORDS = {"因为", "所以", "但是", "可是", "而且", "如果", "要是", "虽然", "不过", "然后", "还有"}
_EN_BAD_START = {"to", "of", "for", "and", "but", "or", "because", "when", "whenever", "that", "which", "with",
                 "so", "if", "than", "as", "by", "from", "into", "at", "on", "in", "is", "are", "was", "were",
                 "'s", "s", "then", "while", "since", "until", "unless", "what", "whole", "who", "where",
                 "how", "why", "about"}
_EN_BAD_END = {"far", "right", "never", "ever", "the", "a", "an", "to", "of", "for", "with", "and", "or", "but", "my", "your", "their", "her", "his",
               "our", "its", "is", "are", "was", "were", "be", "been", "can", "can't", "cannot", "will", "would",
               "won't", "don't", "doesn't", "when", "whenever", "because", "that", "which", "very", "so", "in",
               "on", "at", "by", "from", "into", "not", "no", "than", "as", "it's", "there's", "i", "we", "you",
               "they", "she", "he", "too", "really", "just", "every", "each", "any", "some", "all", "one", "get",
               "gets", "keep", "keeps", "has", "have", "had", "do", "does", "did", "if", "also", "even", "where",
               "who", "what", "how", "why", "about", "over", "under", "after", "before", "since", "until"}
# the speaker's point of view, per audience: said back to them ("customer"), or in the need log ("log")
_EN_POV = {
    "customer": {"i": "you", "me": "you", "my": "your", "mine": "yours", "we": "you", "us": "you", "our": "your",
                 "ours": "yours", "myself": "yourself", "ourselves": "yourselves", "i'm": "you're",
                 "we're": "you're", "i've": "you've", "we've": "you've", "i'd": "you'd", "we'd": "you'd",
                 "i'll": "you'll", "we'll": "you'll"},
    "log": {"i": "they", "me": "them", "my": "their", "mine": "theirs", "we": "they", "us": "them", "our": "their",
            "ours": "theirs", "myself": "themselves", "ourselves": "themselves", "i'm": "they're",
            "we're": "they're", "i've": "they've", "we've": "they've", "i'd": "they'd", "we'd": "they'd",
            "i'll": "they'll", "we'll": "they'll"},
}
# said another way where a run of the customer's must be broken (meaning and grammar kept)
_EN_SAME = {"every": "each", "each": "every", "don't": "do not", "doesn't": "does not", "can't": "cannot",
            "cannot": "can't", "won't": "will not", "isn't": "is not", "aren't": "are not", "wasn't": "was not",
            "haven't": "have not", "hasn't": "has not", "didn't": "did not", "it's": "it is", "that's": "that is",
            "there's": "there is", "she's": "she is", "he's": "he is", "they're": "they are", "you're": "you are",
            "we're": "we are", "nobody": "no one", "no one": "nobody", "kids": "children", "children": "kids",
            "anymore": "any more", "a lot of": "many", "lots of": "many", "quickly": "fast", "whenever": "each time",
            "someone": "somebody", "somebody": "someone", "everyone": "everybody",
            "everybody": "everyone", "mum": "mother", "mom": "mother", "dad": "father",
            "far too many": "too many", "must not": "mustn't", "mustn't": "must not", "do not": "don't",
            "does not": "doesn't", "will not": "won't", "is not": "isn't", "are not": "aren't", "can not": "can't",
            "has to": "needs to", "have to": "need to", "needs to": "has to", "need to": "have to",
            "wants to": "would like to", "want to": "would like to", "i am": "I'm", "we are": "we're",
            "nearly": "almost", "almost": "nearly", "about": "around", "huge": "enormous", "tiny": "very small",
            "quick": "fast", "fast": "quick", "all day": "the whole day", "all night": "the whole night",
            "come out": "turn out", "comes out": "turns out", "came out": "turned out", "the same": "identical",
            "over": "above", "under": "below", "right now": "now", "at the moment": "now",
            "straight": "upright", "remind": "prompt", "reminding": "prompting", "tired of": "fed up with",
            "complained": "grumbled", "break down": "fail", "breaks down": "fail", "broke down": "failed",
            "frustrated": "upset", "forgetting": "missing", "forgets": "misses", "forgot": "missed",
            "notice": "spot", "notices": "spot", "noticed": "spotted", "worried": "anxious", "afraid": "scared",
            "big": "large", "large": "big", "small": "little", "little": "small",
            "get round": "get through", "walk off": "leave", "walk out": "leave",
            "phone": "telephone", "who is": "who's", "who's": "who is", "what is": "what's", "what's": "what is",
            "they have": "they've", "they've": "they have", "we have": "we've", "you have": "you've",
            "it is": "it's", "there is": "there's", "he is": "he's", "she is": "she's", "they are": "they're",
            "you are": "you're", "would not": "wouldn't", "wouldn't": "would not", "could not": "couldn't",
            "couldn't": "could not", "should not": "shouldn't", "shouldn't": "should not", "again": "once more", "match": "agree with", "matches": "agrees with",
            "a bit": "a little", "too much": "excessively"}


class Restatement(str):
    """A restatement (the text), with the customer's phrase it is built on and the frame around it."""

    phrase: str
    frame: str
    how: str

    def __new__(cls, text: str, phrase: str = "", frame: str = "", how: str = "frame"):
        obj = super().__new__(cls, text)
        obj.phrase, obj.frame, obj.how = phrase, frame, how
        return obj


def _jieba_words(text: str) -> list[str]:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return [w for w in jieba.lcut(text) if w]


def _whole_turn_inside(text: str, sources: list[str]) -> bool:
    """The text holds a whole customer turn (6 characters or more): the coach's own echo check."""
    core = _norm_words(text)
    for s in sources:
        n = _norm_words(s)
        if len(n) >= 6 and n in core and (lexicon.has_chinese(s) or len(s.split()) >= ECHO_WORDS):
            return True
    return False


def fits(text: str, sources: list[str], frame: tuple[str, str] = ("", ""), *, strict: bool = True) -> bool:
    """Said inside ``frame``, the text repeats no run of the sources and holds no whole customer
    turn. The run is the coach's echo rule: 15 characters in a row of a customer turn in any
    language (punctuation and spacing ignored), or five English words in a row.
    ``strict`` is kept for callers that name it: every restatement is held to the 15 characters."""
    zh = lexicon.has_chinese(text + frame[0] + frame[1])
    said = f"{frame[0]}{text}{frame[1]}" if zh else f"{frame[0]} {text} {frame[1]}"
    if _whole_turn_inside(said, sources):
        return False
    if sources and _longest(_norm_words(said), [_norm_words(s) for s in sources])[0] >= ECHO_CHARS:
        return False
    english = [s for s in sources if not lexicon.has_chinese(s)]
    tokens = re.findall(r"[a-z0-9']+", said.lower())
    return not (english and tokens and _word_run(tokens, [re.findall(r"[a-z0-9']+", s.lower()) for s in english])
                >= ECHO_WORDS)


def _zh_negations(text: str) -> list[str]:
    return [m.group(0) for m in _ZH_NEGATION.finditer(text)]


# said another way where a run of the customer's must be broken, or a phrase of theirs would be
# their whole sentence: function and degree words only, never the thing or the person
_ZH_SAME = (("老是", "总是"), ("总是", "老是"), ("一直", "总是"), ("特别", "非常"), ("非常", "特别"), ("不太", "不怎么"), ("想买", "打算买"), ("想给", "打算给"), ("想换", "打算换"),
            ("想找", "打算找"), ("需要", "要"), ("希望", "想"), ("根本", "完全"), ("每天", "天天"), ("天天", "每天"),
            ("每次", "每回"), ("经常", "常常"), ("常常", "经常"), ("好多", "很多"), ("很多", "好多"), ("担心", "怕"),
            ("害怕", "怕"), ("现在", "目前"), ("目前", "现在"), ("马上", "很快"), ("最近", "这段时间"),
            ("这阵子", "最近"), ("有点", "有些"), ("一点", "一些"), ("所有", "全部"), ("全部", "所有"),
            ("肯定", "一定"), ("一定", "肯定"), ("已经", "早就"), ("还是", "仍然"), ("如果", "要是"), ("要是", "如果"))


_ZH_OWN = (r"我们的|我的", r"(?<![给让跟对和帮替把被叫向与同])我们(?=[\u4e00-\u9fff])")


def _zh_said_otherwise(phrase: str, sources: list[str], frame: tuple[str, str], prefix: str) -> str:
    """The phrase with function or degree words said another way (at most three) until, said with
    ``prefix`` inside ``frame``, it repeats nothing or is no longer a customer sentence copied."""
    def bad(t: str) -> int:
        said = _norm_words(frame[0] + prefix + t + frame[1])
        run = _longest(said, [_norm_words(x) for x in sources])[0]
        return (run if run >= ECHO_CHARS else 0) + (50 if _whole_turn_inside(frame[0] + prefix + t + frame[1], sources)
                                                    else 0) + (20 if copied_from(t, _sentences_of(sources)) else 0)

    text = phrase
    for _ in range(3):
        now = bad(text)
        if not now:
            break
        options = [text.replace(a, b, 1) for a, b in _ZH_SAME if a in text]
        # the speaker's own 我们/我的 left out where nothing leans on it ("占了我们六成的单" → "占了六成的单")
        options += [re.sub(p, "", text, count=1) for p in _ZH_OWN if re.search(p, text)]
        options = [(bad(o), o) for o in options]
        options = [o for o in options if o[0] < now]
        if not options:
            break
        text = min(options)[1]
    return text


def _sentences_of(sources: list[str]) -> list[str]:
    return [x for s in sources for x in lexicon.sentences(s)] + list(sources)


def _zh_span(phrase: str, sources: list[str], keep: list[str], frame: tuple[str, str], prefix: str) -> str:
    """The best run of whole words of ``phrase`` that, said with ``prefix`` inside ``frame``, repeats
    nothing (``_zh_spans``), or empty."""
    found = _zh_spans(phrase, sources, keep, frame, prefix, 1)
    return found[0][1] if found else ""


def _zh_spans(phrase: str, sources: list[str], keep: list[str], frame: tuple[str, str], prefix: str,
              k: int = 4) -> list[tuple[float, str]]:
    """The ``k`` best runs of whole words of ``phrase`` (the phrase itself among them) that, said
    with ``prefix`` inside ``frame``, repeat nothing, with their scores: every negation or limit
    kept, the ``keep`` words and the end of the clause (where a Chinese clause says what happens)
    preferred, never starting or ending on a word that leans on the words left out."""
    phrase = _zh_said_otherwise(phrase, sources, frame, prefix)
    words = _jieba_words(phrase)
    negations = _zh_negations(phrase)
    found: dict[str, float] = {}
    for i in range(len(words)):
        for j in range(i + 1, len(words) + 1):
            span = "".join(words[i:j]).strip("，,、 ")
            if len(need_key(span)) < 2:
                continue
            if not fits(prefix + span, sources, frame):
                continue
            # a negation or limit is never cut off what it bounds ("不想|签三年", "五百|以内")
            if i > 0 and _zh_negations(words[i - 1][-1:] + words[i - 1]) and not _zh_negations(span[:1]):
                continue
            if j < len(words) and re.match(r"以内|之内|以下|就行|就好|就够|为止|左右", words[j]):
                continue
            score = 0.3 * len(need_key(span))
            if negations:
                score += 2 * sum(1 for n in negations if n in span) / len(negations)
            score += sum(3 for k in keep if k and k in span)
            score += 2 if j == len(words) else 0
            if words[i][0] in _ZH_BAD_START and len(words[i]) == 1:
                score -= 3
            if (len(words[j - 1]) == 1 and words[j - 1] in _ZH_BAD_END) or words[j - 1] in _ZH_BAD_END_WORDS:
                score -= 4
            found[span] = max(score, found.get(span, score))
    return sorted(((v, t) for t, v in found.items()), key=lambda x: (-x[0], -len(x[1])))[:k]


def _en_pov(text: str, audience: str) -> str:
    swaps = _EN_POV["customer" if audience == "customer" else "log"]
    out: list[str] = []
    for w in text.split():
        b = _bare(w)
        if b in swaps:
            w = _swap(w, swaps[b])
        elif b in ("am", "was") and out and _bare(out[-1]) in ("you", "they"):
            w = _swap(w, "are" if b == "am" else "were")
        out.append(w)
    return " ".join(out)


# whole phrases said another way (the words of each pattern are matched lower case, in order)
_EN_PHRASES_SAME = (("don't want to", "would rather not"), ("do not want to", "would rather not"),
                    ("doesn't want to", "would rather not"), ("does not want to", "would rather not"),
                    ("to match", "to line up with"), ("can't have anything", "can have nothing"), ("cannot have anything", "can have nothing"),
                    ("don't want anything", "want nothing"), ("do not want anything", "want nothing"),
                    ("doesn't want anything", "wants nothing"), ("can't find", "cannot find"), ("can never", "never can"), ("could never", "never could"),
                    ("every time", "each time"), ("each time", "every time"), ("it's got to", "it has to"),
                    ("she's got to", "she has to"), ("he's got to", "he has to"), ("it's going to", "it will"),
                    ("an issue", "a problem"), ("a problem", "an issue"))
_EN_NOT_OWNED = {"same", "first", "last", "next", "other", "whole", "rest", "best", "most", "start", "end", "top",
                 "bottom", "middle", "door", "road", "way", "time", "morning", "evening", "afternoon", "week", "month",
                 "year", "day", "eu", "place", "world", "spring", "summer", "autumn", "winter", "moment", "point",
                 "thing", "one", "ones", "only", "right", "wrong", "station", "city", "town", "market", "government"}


def _en_variants(words: list[str], owner: str = "") -> list[list[str]]:
    """The words with one word (or two-word phrase) said another way, each breaking a run: the
    customer's things as theirs ("the bakes" → "your bakes"), contractions, near synonyms."""
    out = []
    for i, w in enumerate(words):
        b = _bare(w)
        nxt = _bare(words[i + 1]) if i + 1 < len(words) and not re.search(r"[,.;:!?]$", w) else ""
        third = any(_bare(x) in ("she", "he", "her", "his", "him") for x in words)  # her knee, not "your knee"
        if owner and not third and b == "the" and nxt.isalpha() and nxt not in _EN_NOT_OWNED | _EN_LIGHT | _EN_FUNCTION \
                and nxt not in _EN_NOT_NAME:
            out.append(words[:i] + [_swap(w, owner)] + words[i + 1:])
        if b in ("her", "his") and nxt.isalpha() and nxt not in _EN_LIGHT | _EN_FUNCTION | _EN_NOT_NAME:
            out.append(words[:i] + [_swap(w, "the")] + words[i + 1:])
        pair = f"{b} {_bare(words[i + 1])}" if i + 1 < len(words) else ""
        before = _bare(words[i - 1]) if i else ""
        negated = before in ("not", "never") or before.endswith("n't")  # "don't want to" is no "would like to"
        if pair in _EN_SAME and _EN_SAME[pair] != pair and not (negated and pair in ("want to", "wants to")):
            out.append(words[:i] + _EN_SAME[pair].split() + words[i + 2:])
        for also in _EN_ALSO.get(pair, ()) if not negated else ():
            out.append(words[:i] + [_swap(words[i + 1], also)] + words[i + 2:])
        for also in _EN_ALSO.get(b, ()) if not negated else ():
            out.append(words[:i] + [_swap(w, also)] + words[i + 1:])
        rest = " ".join(_bare(x) for x in words[i:i + 3])
        for pattern, repl in _EN_PHRASES_SAME:
            if re.match(pattern + r"\b", rest):
                n = len(pattern.replace("\\", "").split())
                out.append(words[:i] + repl.split() + words[i + n:])
        # "his breathing's going to" → "his breathing is going to": the contraction said out
        if b.endswith("'s") and len(b) > 3 and b not in _EN_SAME and (nxt.endswith("ing") or nxt in ("been", "got", "a", "an")):
            out.append(words[:i] + [w[:-2] if w.lower().endswith("'s") else w.replace("'s", ""), "has" if nxt in ("been", "got") else "is"] + words[i + 1:])
        if b in ("'ve", "i've", "we've", "you've", "they've") and nxt == "got":
            said = [b[:-3], "have"] if len(b) > 3 else ["have"]  # "they've got" → "they have"
            out.append(words[:i] + said[:-1] + [_swap(words[i + 1], "have")] + words[i + 2:])
        if b in _EN_SAME and not (b == "every" and nxt == "other"):
            out.append(words[:i] + _swap(w, _EN_SAME[b]).split() + words[i + 1:])
        # an intensifier or filler left out ("she really cannot kneel" → "she cannot kneel")
        if b in _EN_DROPPABLE and 0 < i < len(words) - 1 and not re.search(r"[,.;:!?]$", w) \
                and not (b == "just" and (_EN_NEGATION.fullmatch(nxt or "-") or nxt in _EN_NUMBERS or nxt.isdigit())):
            out.append(words[:i] + words[i + 1:])
        # "any more" at the end of a negated clause: "no longer" said as "now" ("cannot bend down now")
        if pair in ("any more", "anymore") or b == "anymore":
            n = 2 if pair == "any more" else 1
            out.append(words[:i] + [_swap(words[i + n - 1], "now")] + words[i + n:])
        # a modifier left out of a noun phrase once the thing is known: the head noun says it
        # ("another monthly subscription" → "another subscription", "another maintenance contract")
        if b in _EN_DETERMINERS_SAID and i + 2 < len(words):
            end = i + 1
            while end < len(words) and _bare(words[end]).isalpha() and _noun_word(_bare(words[end])):
                end += 1
                if re.search(r"[,.;:!?]$", words[end - 1]):
                    break
            after = _bare(words[end]) if end < len(words) else ""
            closed = not after or re.search(r"[,.;:!?]$", words[end - 1]) or lexicon.word_class(after) & {
                "preposition", "conjunction"} or after in _EN_BOUNDARY
            if end - (i + 1) >= 2 and closed:  # the head ends the noun phrase: not a subject before its verb
                for k in range(i + 1, end - 1):
                    mod = _bare(words[k])
                    if mod not in _EN_KEEP_MODIFIER and mod not in _EN_NUMBERS and not lexicon.cue("people", "en").fullmatch(mod):
                        out.append(words[:k] + words[k + 1:])
        # "keeps forgetting" → "keeps on forgetting", "goes on forgetting"
        if b in _EN_KEEP_ON and nxt.endswith("ing") and len(nxt) > 4:
            out.append(words[:i + 1] + ["on"] + words[i + 1:])
            out.append(words[:i] + [_EN_KEEP_ON[b], "on"] + words[i + 1:])
        # "nothing over five hundred" → "no more than five hundred"
        if pair in ("nothing over", "nothing above"):
            out.append(words[:i] + ["no", "more", "than"] + words[i + 2:])
        # "a desk where she can sit" → "a desk so she can sit"; "anything that needs Wi-Fi" → "anything needing Wi-Fi"
        if b == "where" and i and _bare(words[i - 1]).isalpha() and nxt in ("she", "he", "they", "i", "we", "you", "it") \
                and i + 2 < len(words) and _bare(words[i + 2]) in ("can", "could", "will", "would"):
            out.append(words[:i] + [_swap(w, "so")] + words[i + 1:])
        if b == "that" and nxt in _EN_ING and i + 2 < len(words):
            out.append(words[:i] + [_swap(words[i + 1], _EN_ING[nxt])] + words[i + 2:])
        # "your daughter needs a desk so …" → "a desk for your daughter so …": the thing first
        if b in ("your", "their", "my", "our", "her", "his") and i + 2 < len(words) \
                and lexicon.cue("people", "en").fullmatch(nxt or "-") and _bare(words[i + 2]) in _EN_WANT_VERBS:
            end = i + 3
            while end < len(words) and _bare(words[end]) not in _EN_BOUNDARY and not re.search(r"[,.;:!?]$", words[end - 1]):
                end += 1
            thing = [x.rstrip(",.;:!?") for x in words[i + 3:end]]
            if thing and _bare(thing[0]) in ("a", "an", "the", "some", "another", "more"):
                tail = re.search(r"[,.;:!?]*$", words[end - 1]).group(0)
                out.append(words[:i] + thing + ["for", words[i], words[i + 1].rstrip(",.;:!?") + tail] + words[end:])
        # a joining word said more fully: "cannot kneel or bend down" → "cannot kneel or even bend down",
        # "X and Y" → "X and also Y"
        if b == "or" and 0 < i < len(words) - 1 and nxt not in ("even", "so", "else") and any(
                _EN_NEGATION.fullmatch(_bare(x) or "-") or _bare(x).endswith("n't") for x in words[:i]):
            out.append(words[:i + 1] + ["even"] + words[i + 1:])
        if b == "and" and 0 < i < len(words) - 1 and nxt not in ("also", "then", "so") and nxt.isalpha():
            out.append(words[:i + 1] + ["also"] + words[i + 1:])
        # "climb the stairs" → "climb stairs": a plural said without its article
        if b == "the" and i and nxt.endswith("s") and len(nxt) > 3 and nxt.isalpha() and nxt not in _EN_NOT_NAME \
                and lexicon.word_class(_bare(words[i - 1])) & {"transitive"} | ({"transitive"} if _bare(words[i - 1]) in
                                                                              ("climb", "reach", "carry", "lift") else set()):
            out.append(words[:i] + words[i + 1:])
        # "the X of Y" → "Y's X" (a name of theirs said round the other way)
        if b == "the" and i + 3 < len(words) and _bare(words[i + 2]) == "of" and nxt.isalpha() \
                and nxt not in _EN_LIGHT | _EN_FUNCTION | _EN_NOT_NAME and _bare(words[i + 3]) in ("my", "our", "your", "their", "the") \
                and i + 4 < len(words) and _bare(words[i + 4]).isalpha() and not re.search(r"[,.;:!?]$", words[i + 3]):
            owner_word = words[i + 4].rstrip(".,;:!?")
            tail = words[i + 4][len(owner_word):]
            said = [_bare(words[i + 3]), f"{owner_word}'s", words[i + 1].rstrip(".,;:!?") + tail] \
                if not re.search(r"[,.;:!?]$", words[i + 1]) else []
            if said:
                out.append(words[:i] + said + words[i + 5:])
    return out


def _noun_word(word: str) -> bool:
    """A word that can stand inside a noun phrase (a modifier or the head): no function word,
    verb form, negation or person word."""
    return bool(word) and word not in _EN_FUNCTION | _EN_LIGHT | _EN_NOT_NAME | _EN_BOUNDARY and not \
        lexicon.word_class(word) & {"auxiliary", "preposition", "conjunction", "determiner", "transitive"} \
        and not _EN_NEGATION.fullmatch(word) and not word.endswith("ing") and not word.endswith("ly") \
        or word.endswith("ly") and word in ("monthly", "weekly", "yearly", "daily", "family")


_EN_DETERMINERS_SAID = {"the", "a", "an", "another", "your", "their", "each", "every", "any", "some", "this", "that"}
# modifiers that carry the need (or its limit) and stay
_EN_KEEP_MODIFIER = {"no", "not", "only", "same", "other", "own", "next", "last", "first", "second", "whole", "spare",
                     "extra", "quiet", "cheap", "safe", "small", "big", "little", "low", "high", "light", "heavy", "hot",
                     "cold", "warm", "soft", "hard", "short", "long", "wide", "narrow", "slow", "fast", "quick", "easy",
                     "simple", "clean", "dry", "wet", "night", "day", "morning", "weekend", "old", "new", "more", "less",
                     "fewer", "single", "double", "half", "full", "empty", "free", "open", "closed", "loud"}
# more ways of saying the same where the first (``_EN_SAME``) still leaves a run ("needs to" →
# "has to" keeps the "s to" of the customer's)
_EN_ALSO = {"needs to": ("must",), "need to": ("must",), "has to": ("must",), "have to": ("must",),
            "someone": ("anyone",), "somebody": ("anyone",), "wants": ("would like",),
            "worse": ("poorer",)}
_EN_WANT_VERBS = {"needs", "need", "wants", "want", "needed", "wanted"}
_EN_KEEP_ON = {"keeps": "goes", "keep": "go", "kept": "went", "keeping": "going"}
_EN_ING = {"needs": "needing", "need": "needing", "uses": "using", "takes": "taking", "has": "having", "makes": "making",
           "requires": "requiring", "runs": "running", "costs": "costing", "means": "meaning", "gives": "giving"}
# left out where a run must be broken: they add weight, not meaning
_EN_DROPPABLE = {"really", "just", "completely", "totally", "honestly", "actually", "literally", "basically",
                 "seriously", "absolutely", "definitely", "simply", "truly", "very", "super", "properly", "quite",
                 "pretty", "so", "even", "still", "already"}


_EN_FILLER_INSIDE = {"just", "really", "actually", "literally", "honestly", "basically", "properly", "totally",
                     "simply", "definitely", "seriously", "pretty"}
_EN_SUBJECTS = {"i", "we", "you", "they", "she", "he", "it", "your", "their", "my", "our", "nobody", "no", "nothing"}
_EN_BOUNDARY = {"to", "because", "when", "whenever", "and", "so", "but", "before", "after", "since", "unless", "if",
                "while", "which", "that", "where", "who", "until", "as", "or", "though", "although"}


def _en_span(phrase: str, sources: list[str], keep: list[str], frame: tuple[str, str], owner: str = "",
             strict: bool = False) -> str:
    found = _en_spans(phrase, sources, keep, frame, owner, 1, strict)
    return found[0][1] if found else ""


def _en_spans(phrase: str, sources: list[str], keep: list[str], frame: tuple[str, str], owner: str = "",
              k: int = 4, strict: bool = False, whole: bool = True) -> list[tuple[float, str]]:
    """The English counterpart of ``_zh_spans``: the phrase, or with a word of it said another way
    (up to six), or the best runs of its whole words that repeat nothing (negations kept, phrase
    ends that dangle avoided), with their scores."""
    words = phrase.split()
    trials = [words]

    def run(v: list[str]) -> int:
        said = " ".join(v)
        return 4 * _covered_by_runs(v, sources) + _covered_by_chars(f"{frame[0]} {said} {frame[1]}", sources)

    for _ in range(10):  # up to ten words said another way, a run broken each time
        if fits(" ".join(trials[-1]), sources, frame):
            break
        now = run(trials[-1])
        better = [(run(v), n, v) for n, v in enumerate(_en_variants(trials[-1], owner))]
        better = [b for b in better if b[0] < now]
        if not better:
            break
        trials.append(min(better, key=lambda b: (b[0], b[1]))[2])
    words = trials[-1]
    negations = [w for w in words if _EN_NEGATION.fullmatch(_bare(w) or "-")]
    keep_l = [w.lower() for w in keep if w]
    found: dict[str, float] = {}
    for i in range(len(words)):
        for j in range(i + 1, len(words) + 1):
            span = words[i:j]
            if content_count(span) < 1:
                continue
            text = " ".join(span).strip(" ,;:")
            if not fits(text, sources, frame):
                continue
            if i > 0 and _EN_NEGATION.fullmatch(_bare(words[i - 1]) or "-"):
                continue  # a negation is never cut off what it bounds
            if whole and ending_problem(text, "en"):
                continue  # ends where a phrase ends, not on a word that expects more
            score = 1.0 * content_count(span)
            if negations:
                score += 1.0 * sum(1 for n in negations if n in span) / len(negations)
            score += sum(3 for k in keep_l if k in text.lower())
            if _bare(span[0]) in _EN_BAD_START:
                score -= 3
            if _bare(span[-1]) in _EN_BAD_END or re.search(r",$", span[-1]):
                score -= 4
            # a phrase of its own: from the clause's start or a joining word, to its end or the next one
            starts = (i == 0 or _bare(words[i - 1]) in _EN_BOUNDARY or re.search(r",$", words[i - 1])
                      or _bare(span[0]) in _EN_SUBJECTS)
            score += 2 if starts else -4  # a phrase of its own, not the tail of a name ("shift" of "night shift")
            score += 2 if j == len(words) or _bare(words[j]) in _EN_BOUNDARY or re.search(r"[,;]$", words[j - 1]) else -1
            found[text] = max(score, found.get(text, score))
    if not found and whole:  # no phrase of it ends well: the best that does not (the caller checks it)
        return _en_spans(phrase, sources, keep, frame, owner, k, strict, whole=False)
    return sorted(((v, t) for t, v in found.items()), key=lambda x: (-x[0], -len(x[1])))[:k]


def en_tokens(text: str) -> list[str]:
    """The words of an English text (NFKC), apostrophes and hyphens kept inside a word."""
    return re.findall(r"[A-Za-z0-9][A-Za-z0-9'’/-]*", unicodedata.normalize("NFKC", text or ""))


# ---- a restated need said whole (English) ------------------------------------------------------
# A phrase of the customer's kept for a restatement ends where a phrase ends: never on a word that
# expects more ("your cook spends the whole", "you cannot afford", "to get the something"), never
# starting with a word about the telling ("honestly you're useless with tools"), never a side
# clause alone ("before the hip replacement"), and it holds a word that says the need.
_EN_END_DETERMINERS = {"the", "a", "an", "my", "your", "their", "our", "his", "its", "every", "each", "no",
                       "another", "such", "whose", "which", "what"}
_EN_END_PARTICLES_OK = {"out", "off", "up", "away", "back", "home", "before", "after", "since"}
_EN_SIDE_CLAUSE = {"before", "after", "since", "because", "when", "whenever", "if", "unless", "until", "while",
                   "though", "although", "once", "whether"}
_EN_PRONOUNS = {"i", "you", "we", "they", "she", "he", "it", "me", "us", "them", "him", "her", "yourself",
                "yourselves", "themselves", "myself", "ourselves", "himself", "herself", "itself", "one", "there",
                "here", "somebody", "someone", "something", "anything", "everything", "nothing", "stuff",
                "thing", "things", "people", "you're", "they're", "i'm", "we're", "you've", "they've", "you'd",
                "they'd", "you'll", "they'll", "too", "very", "really", "even", "still", "now", "then", "way"}
_EN_NUMBERS = {"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
               "twenty", "thirty", "fifty", "hundred", "thousand", "million", "dozen"}
_EN_ENDS_UP = {"ended", "end", "ends", "ending", "turned", "turn", "turns", "wound", "winds"}


def ending_problem(text: str, language: str) -> str | None:
    """Why an English restated phrase cannot be said as the need (a short reason), or None: it
    ends on a word that expects more (a determiner, an adjective or a number before its noun, a
    preposition, a conjunction, an auxiliary, a verb that has lost its object, "the something"),
    it starts with a sentence adverb ("honestly", "basically"), it is a side clause alone, it runs
    over a sentence's end, or no word of it says the need. Chinese phrases have their own checks
    (``coach.phrasing.clause_problem``)."""
    if language == "zh" or lexicon.has_chinese(text or ""):
        return None
    word_class = lexicon.word_class
    body = (text or "").strip().rstrip(".!?;:,—– ")
    if re.search(r"[a-z0-9][.!?]\s*[A-Z]", body):
        return "runs over a sentence's end"
    tokens = [t.lower().replace("’", "'") for t in en_tokens(body)]
    if not tokens:
        return "empty"
    classes = [word_class(t) for t in tokens]
    if "sentence_adverb" in classes[0] and tokens[0] not in ("no", "just") or tokens[0] in ("honestly", "basically"):
        return "starts with a sentence adverb"
    if tokens[0] in ("be", "is", "are", "was", "were", "been", "does", "do", "did", "to", "of", "either") or \
            tokens[:2] in (["it", "to"], ["them", "to"]):
        return "starts inside a clause"
    if tokens[0] in _EN_SIDE_CLAUSE and "," not in body:
        return "a side clause, not the need"
    last, before = tokens[-1], (tokens[-2] if len(tokens) > 1 else "")
    cls = classes[-1]
    if last.endswith("'s") or last in ("either", "too", "also", "already", "barely", "almost", "nearly", "quite",
                                        "rather", "pretty", "such", "even", "still", "literally", "properly", "really", "very",
                                        "so", "actually", "basically", "honestly"):  # "his breathing's", "my dad's"
        return "ends on a word that expects more"
    if f"{before} {last}" in ("would like", "'d like") or (last == "like" and before.endswith("'d")):
        return "a verb missing its object"
    if last in _EN_END_DETERMINERS or ("conjunction" in cls and last != "that") or \
            ("preposition" in cls and last not in _EN_END_PARTICLES_OK):
        return "ends on a word that expects more"
    if "auxiliary" in cls and last not in ("not", "never", "ever", "just"):
        return "ends on a word that expects more"
    if last in ("not", "never", "just", "ever") or last == "that" and "preposition" in word_class(before):
        return "ends on a word that expects more"
    if last == "up" and before in _EN_ENDS_UP:
        return "a verb missing its object"
    if "transitive" in cls:
        return "a verb missing its object"
    number = last in _EN_NUMBERS or last.isdigit()
    if number and before and ("transitive" in word_class(before) or before.endswith("ing")
                              or before in _EN_END_DETERMINERS):
        return "ends on a word that expects more"
    if "adjective" in cls and not number and before and (before in _EN_END_DETERMINERS or "adjective" in word_class(before)
                                          or "transitive" in word_class(before) or before.endswith("ing")):
        return "ends on a word that expects more"
    if last in ("whole", "entire", "same", "own"):
        return "ends on a word that expects more"
    if before in _EN_END_DETERMINERS and (re.search(r"-\w*(?:ing|ed)$|\w{3}(?:proof|ful|ous|ive|able|ible|less|ish)$", last) or
                                          last in ("something", "anything", "everything", "nothing")):
        return "ends on a word that expects more"
    if re.search(r"\b(?:the|a|an|your|their|my|our)\s+(?:something|anything|everything)\b", body, re.I):
        return "ends on a word that expects more"
    closed = {"determiner", "preposition", "conjunction", "auxiliary", "sentence_adverb"}
    if not any(not (c & closed) and t not in _EN_PRONOUNS and not t.isdigit() for t, c in zip(tokens, classes)):
        return "no need-bearing word"
    return None


def _covered_by_runs(words: list[str], sources: list[str]) -> int:
    """How many of the words lie in a run of five or more of a source's words: every such run
    counts, not only the longest (so each can be broken in turn)."""
    tokens = re.findall(r"[a-z0-9']+", " ".join(words).lower())
    others = [re.findall(r"[a-z0-9']+", s.lower()) for s in sources]
    covered: set[int] = set()
    for i in range(len(tokens)):
        for y in others:
            for j in range(len(y)):
                k = 0
                while i + k < len(tokens) and j + k < len(y) and tokens[i + k] == y[j + k]:
                    k += 1
                if k >= ECHO_WORDS:
                    covered.update(range(i, i + k))
    return len(covered)


def _covered_by_chars(text: str, sources: list[str]) -> int:
    """How many of the text's characters (punctuation and spacing ignored) lie in a run of
    ``ECHO_CHARS`` or more of a source's: every such run counts, so each can be broken in turn."""
    x = _norm_words(text)
    covered: set[int] = set()
    for y in (_norm_words(s) for s in sources):
        if len(y) < ECHO_CHARS:
            continue
        grams = {y[j:j + ECHO_CHARS] for j in range(len(y) - ECHO_CHARS + 1)}
        for i in range(len(x) - ECHO_CHARS + 1):
            if x[i:i + ECHO_CHARS] in grams:
                covered.update(range(i, i + ECHO_CHARS))
    return len(covered)


def _longest_words(words: list[str], sources: list[str]) -> int:
    tokens = re.findall(r"[a-z0-9']+", " ".join(words).lower())
    return _word_run(tokens, [re.findall(r"[a-z0-9']+", s.lower()) for s in sources]) if tokens else 0


def content_count(words: list[str]) -> int:
    return sum(1 for w in words if _bare(w) and _bare(w) not in _EN_LIGHT | _EN_FUNCTION | lexicon.EN_STOP)


_EN_QUALIFIER = re.compile(r"^(?:before|after|since|because|when|whenever|until|unless|if|while|though|although|"
                           r"so that|in case|especially|except)\b", re.I)
_ZH_WANTS = re.compile(r"想(?!到|起|法)|要(?!是)|需要|希望|最好|得(?=[\u4e00-\u9fff]{2})|怕|担心")
_EN_WANTS = re.compile(r"\b(?:want|wants|need|needs|would like|has to|have to|must|craving|wish|hope)\b", re.I)


def _ranked(sentence: str, keep: list[str], dimension: str | None, semantic: bool | None
            ) -> list[tuple[str, float, int]]:
    """(clause, weight by meaning, position) for the clauses of the sentence, the one that holds
    the need first (those holding ``keep`` words, then by meaning and cues)."""
    zh = lexicon.has_chinese(sentence)
    clauses = _clauses(sentence) or [sentence.strip()]
    content = [c for c in clauses if not (_TO_SELLER if zh else _EN_TO_SELLER).search(c)] or clauses
    content = [c for c in content if len(need_key(_clean_edges(c, zh))) >= 2] or content
    cues = [sum(1 for name in _NEED_CUES if lexicon.cue(name).search(c)) for c in content]
    meaning = clause_scores(content, dimension, semantic=semantic) if len(content) > 1 else None
    limit = lexicon.cue("negative_constraint", "zh" if zh else "en")
    wants = _ZH_WANTS if zh else _EN_WANTS
    weight = [2 * sum(k in c for k in keep) + (meaning[i] + 0.05 * cues[i] if meaning else cues[i])
              + (0.25 if limit.search(c) else 0.0) + (0.3 if wants.search(c) else 0.0)
              # a side clause ("before the hip replacement") qualifies the need its main clause holds
              - (0.6 if not zh and len(content) > 1 and _EN_QUALIFIER.match(_clean_edges(c, zh)) else 0.0)
              for i, c in enumerate(content)]
    base = [w - 2 * sum(k in c for k in keep) for w, c in zip(weight, content)]  # by meaning alone
    order = sorted(range(len(content)), key=lambda i: (-weight[i], i))
    return [(content[i], base[i], i) for i in order]


def _clean_edges(clause: str, zh: bool) -> str:
    """The clause without what stands at its edges and carries nothing (lead-ins, the speaker as
    subject, particles): only ever its ends, never words from inside."""
    c = clause.strip().strip("“”\"'")
    if zh:
        for _ in range(4):
            before = c
            c = _ZH_LEAD.sub("", c)
            c = _ZH_SUBJECT.sub("", c)
            c = re.sub(r"^(?:也|都|还|就|又|再|更|但|可|而)(?=.{3,})", "", c)
            # "我要的就是…" / "最担心的就是…": the marked want, said as what it is
            c = re.sub(r"^(?:我们|我|咱们|咱)?(?:想)?要的(?:就)?是(?=.{3,})", "", c)
            c = re.sub(r"^(?:我们|我|咱们|咱)?最(?:担心|怕)的(?:就)?是(?=.{3,})", "怕", c)
            if c.startswith(("的", "了")) or len(need_key(c)) < 2:  # the lead-in was part of a word ("现在的手机")
                c = before
                break
            if c == before:
                break
        c = _ZH_TAIL.sub("", c)
        return c.strip("，,、 ")
    c = _EN_LEAD.sub("", c)
    for _ in range(3):  # what speaks of the telling, not of the need ("honestly, …", "so basically …")
        c = re.sub(r"^(?:the thing is|to be honest|i mean|you know|look|lately|recently|these days|actually|honestly|"
                   r"basically|frankly|literally|obviously|seriously|so|well|anyway|right|okay|ok|oh|yeah|like|"
                   r"ideally|personally|i guess|i think|to be fair)\b,?\s+", "", c, flags=re.I)
    c = re.sub(r",?\s*(?:please|thanks|you know|i guess|i think|really)$", "", c, flags=re.I)
    return c.strip(" .!?;,")


_ZH_KIN = re.compile(r"(?:爸|妈|父亲|母亲|儿子|女儿|儿媳妇?|媳妇|老公|老婆|丈夫|妻子|爱人|孩子|宝宝|小孩|爷爷|奶奶|外婆|外公|"
                     r"姥姥|姥爷|公公|婆婆|岳父|岳母|老丈人|丈母娘|哥|姐|弟|妹|孙子|孙女|闺女|家人|家里人)$")
_ZH_PREDICATE_START = re.compile(r"^(?:想|要|需要|希望|老|总|一直|最近|这阵子|平时|爱|喜欢|怕|担心|害怕|不|没|得|会|能|"
                                 r"特别|比较|很|太|容易|经常|常常|每天|晚上|早上|一)")


def _zh_person_prefix(phrase: str, person: str, context: str, audience: str) -> str:
    """Whose need it is, in front of a phrase that says what they want or go through but does
    not name them ("老想吃酸的" → "您儿媳妇老想吃酸的")."""
    if not person or person in phrase:
        return ""
    bare = re.sub(r"^(?:我们|我的|我|您的|您)", "", person)
    if not bare or bare in phrase or not _ZH_PREDICATE_START.match(re.sub(r"^(?:她|他)", "", phrase)):
        return ""
    who = f"{context}的{bare}" if context and context not in phrase else bare
    if audience != "customer":
        return who
    return f"您{who}" if _ZH_KIN.search(bare) else f"您的{who}"  # 您儿媳妇, 您的工人


def restate_need(evidence: str | list[str], *, language: str | None = None, dimension: str | None = None,
                 person: str = "", context: str = "", audience: str = "log", keep: list[str] | None = None,
                 avoid: list[str] | None = None, semantic: bool | None = None,
                 frame: tuple[str, str] = ("", ""), clauses: int = 2) -> Restatement:
    """The need in a few words, built from the customer's own phrase (the one restatement service:
    the need log, the coach's confirm and address moves and every template around a need use it).

    ``evidence``: the customer's sentence(s) holding the need (the first is restated); ``audience``
    "customer" says it back to them (您 / you), "log" writes it for the need log (a frame the
    need's kind chooses; first person left out, or "they"); ``person``: whose need it is
    ("儿媳妇"), put in front when the phrase does not name them; ``frame``: the words a template
    will say around it, counted with it against the customer's runs; ``avoid``: the customer's
    other words, which it must not repeat either; ``clauses``: at most this many clauses (each a
    phrase of its own, in the customer's order).
    """
    quotes = [evidence] if isinstance(evidence, str) else [e for e in evidence if e]
    if not quotes:
        return Restatement("")
    _, sentence = split_speaker(quotes[0])
    zh = lexicon.has_chinese(sentence) if language is None else language == "zh"
    sources = [sentence, *quotes[1:], *(avoid or [])]
    keep = [k for k in (keep or []) if k]
    ranked = _ranked(sentence, keep, dimension, semantic)
    owner = "your" if audience == "customer" else "their"
    strict = audience == "customer"  # what the coach says: short runs of theirs preferred in English too

    put_for: dict[str, str] = {}  # the person put in for a pronoun ("your dad" for "he")

    def phrase_of(clause: str) -> str:
        phrase = _clean_edges(clause, zh)
        if zh:
            return phrase.replace("我们", "你们").replace("我", "您") if audience == "customer" else phrase
        phrase = _en_pov(phrase, audience)
        # words about the telling, inside the clause, carry nothing of the need ("she honestly cannot")
        phrase = re.sub(r"(?<=\w) (?:honestly|basically|literally|actually|frankly)(?= \w)", "", phrase, flags=re.I)
        # "what he really wants is to keep walking" → "he wants to keep walking": the want said plainly
        phrase = re.sub(r"\bwhat (he|she|they|you|we|i) (?:really |just |actually )?(wants?|needs?|would like) is "
                        r"(?=to\b|for\b|an?\b|the\b|some\b)", r"\1 \2 ", phrase, flags=re.I)
        if person and audience == "customer":
            pronoun = re.match(r"^(?:she|he)\b", phrase, flags=re.I)
            if pronoun:
                put_for[f"your {person}"] = pronoun.group(0)
            phrase = re.sub(r"^(?:she|he)\b", f"your {person}", phrase, flags=re.I)
        return phrase

    def prefix_of(clause: str, phrase: str) -> str:
        """Whose need it is, unless the customer said it of themselves (我想买点枣子)."""
        led = clause.strip()
        for _ in range(3):
            led = _ZH_LEAD.sub("", led)
        if not zh or re.match(r"^(?:我|咱|您|你)", led):
            return ""
        return _zh_person_prefix(phrase, person, context, audience)

    def spans(phrase: str, prefix: str, k: int = 4) -> list[tuple[float, str]]:
        if zh:
            body = re.sub(r"^(?:她|他)", "", phrase) if prefix else phrase
            return _zh_spans(body, sources, keep, frame, prefix, k)
        return _en_spans(phrase, sources, keep, frame, owner, k, strict)

    def enough(span: str) -> bool:
        return len(need_key(span)) >= 2 if zh else content_count(span.split()) >= 1

    # one clause: the one that holds the need (or the next, when nothing of it can be said)
    single: tuple[float, str, str] | None = None
    for clause, _, _ in ranked[:3]:
        phrase = phrase_of(clause)
        prefix = prefix_of(clause, phrase)
        found = [(v, t) for v, t in spans(phrase, prefix, 1) if enough(t)]
        if found:
            single = (found[0][0], prefix + found[0][1], phrase)
            break
    # two clauses, each a phrase of its own, in the customer's order: when the second says the need
    # too, or holds its limit
    pair: tuple[float, str, str] | None = None
    companion = False
    if len(ranked) > 1 and clauses > 1:
        top, second = ranked[0], ranked[1]
        people = lexicon.cue("people", "zh" if zh else "en")
        named = [r for r in ranked[1:] if people.search(r[0]) and not lexicon.cue("staff").search(r[0])]
        companion = bool(named) and not people.search(top[0])  # whose need it is, said in another clause
        if companion:
            second = named[0]
        qualifies = not zh and _EN_QUALIFIER.match(_clean_edges(top[0], zh)) and top[2] > 0
        if qualifies:  # "…, before her hip replacement": said with the clause it qualifies
            second = next((r for r in ranked if r[2] == top[2] - 1), second)
            companion = True
        negs = _zh_negations if zh else (lambda t: _EN_NEGATION.findall(t))
        if companion or second[1] >= (0.3 if zh else 0.5) * top[1] or (negs(second[0]) and not negs(top[0])):
            first, then = sorted([top, second], key=lambda x: x[2])
            pa, pb = phrase_of(first[0]), phrase_of(then[0])
            prefix = prefix_of(first[0], pa)
            join = "，" if zh else ", "
            for va, ta in spans(pa, prefix):
                for vb, tb in spans(pb, ""):
                    text = prefix + ta + join + tb
                    if zh and not fits(text, sources, frame):  # joined, a run again: a word said another way
                        text = prefix + _zh_said_otherwise(ta + join + tb, sources, frame, prefix)
                    if too_long(text) or (zh and len(need_key(text)) > 28) or not fits(text, sources, frame):
                        continue
                    if pair is None or va + vb > pair[0]:
                        pair = (va + vb, text, pa + join + pb)
    # two clauses when they say more than the best one alone, or the second is whose need it is
    chosen = pair if pair is not None and (single is None or companion or pair[0] >= single[0] + 1.0) else single
    if chosen is None:
        return Restatement("")
    _, text, phrase = chosen
    text = _zh_frame(text, dimension, audience) if zh else _en_frame(text, dimension, audience, sources, frame, strict)
    for who, pronoun in put_for.items():  # too long with the person named: the pronoun they said
        if too_long(text) and not zh and text.startswith(who):
            text = pronoun.lower() + text[len(who):]
    if too_long(text) and not zh:  # the longest beginning of it that ends where a phrase ends
        words = text.split()
        ends = [n for n in range(min(len(words), MAX_EN_WORDS), 0, -1)
                if not too_long(" ".join(words[:n])) and not ending_problem(" ".join(words[:n]).rstrip(",;"), "en")]
        # best where a phrase of its own ends: before a side clause ("since …") or at a comma
        whole = [n for n in ends if n < len(words) and (_bare(words[n]) in _EN_SIDE_CLAUSE | {"so", "but", "which", "where"}
                                                       or words[n - 1].endswith(","))]
        if whole and content_count(words[:whole[0]]) >= 2:
            ends = whole
        text = " ".join(words[:ends[0]]).rstrip(",;") if ends else " ".join(words[:MAX_EN_WORDS])
    if too_long(text):
        text = need_key(text)[:MAX_ZH_CHARS] if zh else " ".join(text.split()[:MAX_EN_WORDS])
    if not zh and audience == "customer" and ending_problem(text, "en"):
        return Restatement("")  # not said to the customer: the move falls back
    return Restatement(text, phrase=phrase, frame="pair" if chosen is pair else "single")


def _richer(a: Restatement, b: Restatement, keep: list[str]) -> bool:
    ka, kb = sum(k in a for k in keep), sum(k in b for k in keep)
    return ka > kb or (ka == kb and len(need_key(a.phrase)) > 2 * len(need_key(b.phrase)))


def _zh_frame(text: str, dimension: str | None, audience: str) -> str:
    """For the need log, the frame the need's kind chooses: a limit "关键是…", a worry "担心…"."""
    if audience != "log":
        return text
    if _ZH_LIMIT_FRAME.search(text) and not text.startswith("关键"):
        return f"关键是{text}"
    if dimension == "emotional" and not _ZH_WORRY.search(text) and not re.search(r"怕|担心|顾虑|焦虑|心疼", text):
        return f"担心{text}"
    return text


def _en_frame(span: str, dimension: str | None, audience: str, sources: list[str], frame: tuple[str, str],
              strict: bool = False) -> str:
    """English: "don't want to X" said as "would rather not X"; a log entry starts lower case."""
    text = re.sub(r"\b(?:do not|don't) want to\b", "would rather not", span, flags=re.I)
    text = re.sub(r"\b(?:just|really|simply|honestly) (would rather|'d rather)\b", r"\1", text, flags=re.I)
    text = re.sub(r"\b(?:do not|don't) want\b", "would rather not have", text, flags=re.I)
    if audience == "customer":
        text = re.sub(r"^you would rather\b", "you'd rather", text)
    if text and not text[:2].isupper():
        text = text[0].lower() + text[1:]
    return text if fits(text, sources, frame) else span


def within(restated: str, sources: list[str], frame: tuple[str, str], language: str) -> str:
    """The restatement said inside a template's ``frame``: itself when nothing repeats, else its
    best run of whole words that repeats nothing (negations kept) — never words taken from its
    middle. Empty when no run of it fits."""
    if not restated or fits(restated, sources, frame):
        return restated
    if language == "zh" or lexicon.has_chinese(restated):
        return _zh_span(restated, sources, [], frame, "")
    return _en_span(restated, sources, [], frame, strict=True)

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


# English clauses also end before a subordinate clause ("…, before her hip replacement")
_EN_SENTENCE = re.compile(r"(?<=[a-z0-9'\")])[.!?]\s+", re.I)


def _clauses(sentence: str) -> list[str]:
    body = sentence.strip().rstrip("。！？!?；;，,. ")
    parts = [p for chunk in _EN_SENTENCE.split(body) for p in _CLAUSE.split(chunk)]
    return [p.strip() for p in parts if p and p.strip()]


# a one-clause need that would otherwise be copied gets its dimension named in front
FRAMES = {
    "functional": ("要求", "must"), "form": ("偏好", "prefers"), "emotional": ("顾虑", "worry"),
    "price": ("价格", "price"), "business": ("业务影响", "business impact"),
}
MAX_CLAUSES = 2
_NEED_CUES = ("need_verbs", "people", "customers_of_customer", "emotion", "business", "pain", "price", "budget",
              "function", "form", "purpose_strong", "negative_constraint")
# a clause that only qualifies another ("before her hip replacement") is said with the clause it qualifies
_EN_DEPENDENT = re.compile(r"^(?:before|after|since|because|when|whenever|until|unless|if|while|though|although|"
                           r"so that|in case|especially|except)\b", re.I)
_EN_TRAILING_PHRASE = re.compile(r"\s+(?:in|on|at|during|by|for|from|over|this|last|next)\s+(?:the\s+|a\s+|an\s+)?"
                                 r"[\w'-]+(?:\s+[\w'-]+)?$", re.I)


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
    """The clauses of ``sentence`` that hold the need (at most two), cleaned, in other words
    than the customer's, within the length limit.

    Clauses are ranked by meaning (``clause_scores``; by need cues when the classifier is not
    used), those holding ``keep`` words (e.g. the pain phrase, the person) first. The result
    shares no 15-character run and no five English words in a row with ``sentence`` or ``avoid``
    (the customer's other words): see ``own_words``.
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
    cues = [sum(1 for name in _NEED_CUES if lexicon.cue(name).search(c)) for c, _ in pairs]
    meaning = clause_scores([c for c, _ in pairs], dimension, semantic=semantic) if len(pairs) > 1 else None
    weight = [2 * sum(k in c for k in keep) + (meaning[i] + 0.05 * cues[i] if meaning else cues[i])
              for i, (c, _) in enumerate(pairs)]
    ranked = sorted(range(len(pairs)), key=lambda i: (-weight[i], i))
    # the clause that comes with the need's clause: the one naming whose need it is, or (English)
    # the one a qualifying clause qualifies ("she used to ride…, before her hip replacement")
    people = lexicon.cue("people")
    named = [i for i in ranked[1:] if people.search(pairs[i][0])]
    companion = None
    if named and not people.search(pairs[ranked[0]][0]):
        companion = named[0]
    elif not zh and ranked[0] > 0 and _EN_DEPENDENT.match(pairs[ranked[0]][1]):
        companion = ranked[0] - 1
    if companion is not None:
        ranked = [ranked[0], companion] + [i for i in ranked[1:] if i != companion]
    chosen: list[int] = []
    top = weight[ranked[0]]
    for i in ranked:
        trial = sorted(chosen + [i])
        if len(trial) > MAX_CLAUSES:
            continue
        # English: a second clause only when it says the need too (or is the companion)
        if chosen and not zh and i != companion and (weight[i] < 0.5 * top or (meaning and meaning[i] < 0.3)):
            continue
        text = join.join(pairs[j][1] for j in trial)
        if chosen and too_long(text) and not zh:
            text = join.join(_EN_TRAILING_PHRASE.sub("", pairs[j][1]) for j in trial)
        if chosen and too_long(text):
            continue
        chosen = trial
    parts = [pairs[j][1] for j in chosen]
    text = join.join(parts)
    if not zh and too_long(text):
        text = _shorten_en(join.join(_EN_TRAILING_PHRASE.sub("", p) for p in parts))
    if copied_from(own_words(text, [sentence], "zh" if zh else "en"), [sentence]) and len(chosen) > 1:
        text = pairs[ranked[0]][1]
    if copied_from(own_words(text, [sentence], "zh" if zh else "en"), [sentence]) and dimension in FRAMES:
        text = FRAMES[dimension][0 if zh else 1] + ("：" if zh else ": ") + text
    if too_long(text):
        text = need_key(text)[:MAX_ZH_CHARS] if zh else " ".join(text.split()[:MAX_EN_WORDS])
    text = own_words(text, [sentence, *(avoid or [])], "zh" if zh else "en")
    if not zh and too_long(text):  # said another way, it grew: shortened, and checked again
        text = own_words(_shorten_en(text), [sentence, *(avoid or [])], "en")
    if not zh and text and not text[:2].isupper():
        text = text[0].lower() + text[1:]
    return text


_EN_BREAK = re.compile(r"\s(?=(?:before|after|because|when|and|but|so|since|until|while|if|unless)\b)", re.I)


def _shorten_en(text: str) -> str:
    """Within the English length limit: cut before a joining word where what comes before still
    says something (four words or more), else after the twelfth word."""
    if not too_long(text):
        return text
    cuts = [m.start() for m in _EN_BREAK.finditer(text)]
    for at in reversed(cuts):
        head = text[:at].rstrip(" ,;")
        if len(head.split()) >= 4 and not too_long(head):
            return head
    return " ".join(text.split()[:MAX_EN_WORDS])


# ---- in other words than the customer's ------------------------------------------------------
ECHO_CHARS = 15  # the coach's check (coach.phrasing): 15 characters in a row of a customer turn
ECHO_WORDS = 5  # or five English words in a row
_NORM_DROP = re.compile(r"[\s\W_]+", re.UNICODE)

# English: first person becomes the listener ("second", for what the coach says to the customer)
# or drops out ("neutral", for the need log); possessives of others become "the"
_EN_SWAPS: dict[str, dict[str, str]] = {
    "second": {"i": "you", "me": "you", "my": "your", "mine": "yours", "we": "you", "us": "you", "our": "your",
               "ours": "yours", "myself": "yourself", "ourselves": "yourselves", "i'm": "you're", "we're": "you're",
               "i've": "you've", "we've": "you've", "i'd": "you'd", "we'd": "you'd", "i'll": "you'll",
               "we'll": "you'll", "am": "are"},
    "neutral": {"my": "the", "our": "the", "mine": "theirs", "ours": "theirs", "me": "them", "us": "them"},
}
# said another way (meaning kept): cost 0.2 each in the search below
_EN_OTHER_WORDS = {
    "her": "the", "his": "the", "their": "the", "its": "the", "every": "each", "don't": "do not",
    "doesn't": "does not", "can't": "cannot", "cannot": "can't", "won't": "will not", "isn't": "is not",
    "aren't": "are not", "wasn't": "was not", "haven't": "have not", "hasn't": "has not", "didn't": "did not",
    "it's": "it is", "that's": "that is", "there's": "there is", "i'd": "I would", "you'd": "you would",
    "we'd": "we would", "i'm": "I am", "you're": "you are", "we're": "we are", "she's": "she is", "he's": "he is",
    "quickly": "fast", "because": "as", "keeps": "goes on", "something": "one",
    "anything": "any", "a lot": "much", "kids": "children", "children": "kids", "anymore": "any more",
    "got": "have", "gets": "becomes", "if": "whether", "nobody": "no one", "someone": "somebody",
    "everyone": "everybody", "anyone": "anybody", "somebody": "someone", "enough": "sufficient",
}
_EN_KEEP = {"not", "no", "never", "nobody", "nothing", "don't", "can't", "won't", "cannot", "without", "need",
            "needs", "want", "wants"}
# phrases said another way (cost 0.2 each)
_EN_PHRASES = ((r"\bneeds to\b", "has to"), (r"\bneed to\b", "have to"), (r"\b(?:don't|do not) want to\b", "would rather not"),
               (r"(?<!n't )(?<!not )\bwants to\b", "would like to"), (r"(?<!n't )(?<!not )\bwant to\b", "would like to"), (r"\bwhen\b", "whenever"), (r"\bwhenever\b", "each time"), (r"\b(\w+) is\b", r"\1's"),
               (r"\bis able to\b", "can"), (r"\bgoing to\b", "about to"),
               (r"\bhas to\b", "needs to"), (r"\bhave to\b", "need to"), (r"\bwe have\b", "there is"))
# left out (meaning kept): articles and fillers cost 0.5, function words 1.0
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
_ZH_DROP = ("一直", "总是", "老是", "经常", "特别", "非常", "真的", "有点", "一点", "实在", "其实", "就是", "现在",
            "目前", "最近", "这阵子", "平时", "都", "也", "就", "还", "更", "很", "太", "又", "再", "了", "着", "呢")


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


def own_words(text: str, sources: list[str], language: str | None = None, *, person: str = "neutral",
              chars: int = ECHO_CHARS, frame: tuple[str, str] = ("", "")) -> str:
    """``text`` changed until it repeats none of ``sources`` (``chars`` characters or five English
    words in a row): within each repeated run, first a word said another way (pronouns, "her" →
    "the", contractions), then a word that carries nothing left out (articles, fillers, degree
    words), then a two-word name turned round ("payroll software" → "software for payroll"),
    and only then the run cut short. Content words stay the conversation's.

    ``person``: "second" turns the customer's I/we/my into you/your (what the coach says back),
    "neutral" leaves the first person out (the need log). ``frame``: the words that will stand
    before and after the text (a template): runs are measured across them, only the text changes.
    """
    text = (text or "").strip()
    zh = lexicon.has_chinese(text) if language is None else language == "zh"
    if not text:
        return text
    if zh:
        return _own_words_zh(text, sources, person, chars, frame)
    return _own_words_en(text, sources, person, chars, frame)


def _bare(word: str) -> str:
    return word.strip(".,;:!?\"()").lower().replace("’", "'")


def _swap(word: str, repl: str) -> str:
    """``word`` replaced by ``repl``, keeping the punctuation around it."""
    lead = re.match(r"^[\"(]*", word).group(0)
    tail = re.search(r"[.,;:!?\")]*$", word).group(0)
    return f"{lead}{repl}{tail}" if repl else (tail if tail.strip(".") else "")


def _own_words_en(text: str, sources: list[str], person: str, chars: int, frame: tuple[str, str]) -> str:
    swaps = _EN_SWAPS.get(person, _EN_SWAPS["neutral"])
    # the speaker's point of view first: I/we said back as you (second), or left out of the log
    words = []
    for i, w in enumerate(text.split()):
        b = _bare(w)
        if person == "neutral" and i == 0 and b in ("i", "we", "i'm", "we're", "i've", "we've", "i'd", "we'd"):
            continue
        words.append(_swap(w, swaps[b]) if b in swaps else w)
    normed = [_norm_words(s) for s in sources]
    source_tokens = [re.findall(r"[a-z0-9']+", s.lower()) for s in sources]

    before, after = frame[0].split(), frame[1].split()

    def bad(ws: tuple[str, ...]) -> int:
        t = " ".join([*before, *ws, *after])
        run = _longest(_norm_words(t), normed)[0]
        toks = re.findall(r"[a-z0-9']+", t.lower())
        wrun = _word_run(toks, source_tokens) if toks else 0
        return (run if run >= chars else 0) + (wrun if wrun >= ECHO_WORDS else 0)

    def covered(ws: tuple[str, ...]) -> list[int]:  # the words of the text the longest repeated run covers
        joined, owner = "", []
        for i, w in enumerate([*before, *ws, *after]):
            n = _norm_words(w)
            joined += n
            owner += [i - len(before)] * len(n)
        run, at = _longest(joined, normed)
        return sorted({i for i in owner[at:at + run] if 0 <= i < len(ws)}) if run else []

    def content(ws) -> int:
        return sum(1 for w in ws if _bare(w) and _bare(w) not in _EN_LIGHT | _EN_FUNCTION)

    def edits(ws: tuple[str, ...]):
        span = covered(ws)
        for i in span:
            b = _bare(ws[i])
            nxt = _bare(ws[i + 1]) if i + 1 < len(ws) and not re.search(r"[,.;:!?]$", ws[i]) else ""
            if b in ("her", "his", "their", "its") and (not nxt.isalpha() or nxt in _EN_LIGHT | _EN_FUNCTION):
                continue  # "her" as the object ("without her") is not a possessive to swap
            if b in _EN_OTHER_WORDS:
                yield 0.2, ws[:i] + tuple(_swap(ws[i], _EN_OTHER_WORDS[b]).split() or [""]) + ws[i + 1:]
            if b in _EN_LIGHT or b in _EN_FUNCTION:
                kept = _swap(ws[i], "")
                yield (0.5 if b in _EN_LIGHT else 2.5 if b == "to" else 1.0), ws[:i] + ((kept,) if kept else ()) + ws[i + 1:]
        joined = " ".join(ws)
        for pattern, repl in _EN_PHRASES:
            changed = re.sub(pattern, repl, joined, count=1, flags=re.I)
            if changed != joined:
                yield 0.2, tuple(changed.split())
        for a, b in zip(span, span[1:]):  # a two-word name turned round: "payroll software" → "software for payroll"
            x, y = _bare(ws[a]), _bare(ws[b])
            ends = b == len(ws) - 1 or bool(re.search(r"[,.;:!?]$", ws[b]))  # a name ends its phrase
            if (ends and len(x) >= 4 and len(y) >= 5 and x.isalpha() and y.isalpha() and not x.endswith(("ing", "ed", "ly", "s"))
                    and not {x, y} & (_EN_NOT_NAME | _EN_LIGHT | _EN_FUNCTION) and x not in _EN_OTHER_WORDS):
                yield 1.5, ws[:a] + (y, "for", _swap(ws[b], x)) + ws[b + 1:]
        for i in span:  # a word of the run left out: the shortest first, never a "not"
            if _bare(ws[i]) not in _EN_KEEP:
                yield 3.0 + 0.1 * len(_bare(ws[i])), ws[:i] + ws[i + 1:]

    # greedy: the cheapest change that shortens the longest repeated run, until none is left
    current = tuple(w for w in words if w)
    for _ in range(4 * len(current) + 8):
        now = bad(current)
        if not now:
            break
        options = []
        for step, nxt in edits(current):
            nxt = tuple(w for w in nxt if w)
            if content(nxt) < 2:
                continue
            left = bad(nxt)
            if left < now:
                options.append((step, left, len(options), nxt))
        if not options:
            break
        current = min(options)[3]
    best = current
    return " ".join(best).strip(" ,;:").rstrip(",;:")


def _own_words_zh(text: str, sources: list[str], person: str, chars: int, frame: tuple[str, str]) -> str:
    import jieba

    jieba.setLogLevel(logging.WARNING)
    if person == "second":
        text = text.replace("我们", "你们").replace("我", "您")
    normed = [_norm_words(s) for s in sources]

    lead = len(_norm_words(frame[0]))

    def run(t: str) -> tuple[int, int]:
        size, at = _longest(_norm_words(frame[0] + t + frame[1]), normed)
        return size, at - lead

    for _ in range(2 * len(text) + 4):
        size, at = run(text)
        if size < chars:
            break
        words = jieba.lcut(text)
        if at < 0:  # the run starts in the words before: the text's part of it
            size, at = size + at, 0
        # where the run lies, in words of the text (punctuation is not counted by the run)
        owner, joined = [], ""
        for i, w in enumerate(words):
            n = _norm_words(w)
            joined += n
            owner += [i] * len(n)
        covered = sorted(set(owner[at:at + size]))
        if not covered:  # the run lies in the frame alone: nothing here to change
            break
        trial = None
        for i in covered:  # 1. a word that carries nothing left out
            if words[i] in _ZH_DROP:
                candidate = "".join(words[:i] + words[i + 1:])
                if run(candidate)[0] < size and len(need_key(candidate)) >= 4:
                    trial = candidate
                    break
        if trial is None:  # 2. the run cut short at a word boundary: its first words (time, subject) go first
            first = covered[0]
            trial = "".join(words[:first] + words[first + 1:])
            if len(need_key(trial)) < 4:
                break
        text = trial.strip("，,、 ")
    return text
def restated(statement: str | None, evidence: list[str], conversation: str,
             keep: list[str] | None = None, dimension: str | None = None, *,
             semantic: bool | None = None) -> tuple[str, str]:
    """(statement, how): the given statement when it passes the checks and repeats no run of the
    evidence ('restated'), else the cleaned clause of the first evidence quote ('cleaned')."""
    if statement and check_statement(statement, evidence, conversation) is None and not repeats(statement, evidence):
        return _norm(statement), "restated"
    source = evidence[0] if evidence else (statement or "")
    return (cleaned_clause(source, keep, dimension, semantic=semantic, avoid=evidence[1:])
            or source.strip()[:MAX_ZH_CHARS], "cleaned")

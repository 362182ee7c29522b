"""The reveal policy: what the simulated customer may say this turn, decided in code.

The customer's voice (the model) never sees a hidden need until this policy releases
it, so it cannot leak what it has not been told.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from assistant.roleplay.classify import QuestionClass, classify, leads
from assistant.roleplay import intent
from assistant.roleplay.intent import RELATIVE, RELATIVE_CLOSED, is_injection, target
from assistant.roleplay.scenario import HiddenNeed, Scenario
from assistant.understanding import lexicon
from assistant.understanding.lexicon import content_words, cue, sentences
from assistant.understanding.trainee import QUESTION_WORD

PROBING = ("problem", "implication", "need_payoff")  # SPIN stages that probe a need
TRUST = {
    "premature_pitch": -0.15,
    "pitch": -0.05,
    "closed": -0.02,
    "leading": -0.05,
    "stacked": -0.03,
    "statement": -0.02,
    "open": +0.05,
    "probe": +0.08,
    "reveal": +0.05,
}
WALK_AWAY_TRUST = 0.1
# a question closest to a need that cannot be released yet is answered with a releasable need
# at most this much less close by soft maximum (the customer's main concern), else it gets a hint
# or deflection (0.01 → 0.02: v2 0.813 → 0.826, dev 0.924 → 0.929; larger changed little)
ALTERNATIVE_MARGIN = 0.02
# a bonus to needs whose question_types include the line's kind (purpose, user, a SPIN stage):
# measured and left off — 0.003 moved v1 +0.003 and v2 −0.005, larger values cost more on v2
# (benchmarks/roleplay_fidelity.py reports the variant)
KIND_PRIOR = 0.0
# meaning overrides a topic-word reveal when it prefers another need by this soft-maximum margin
# (None: topics always win; 0.01 chosen on the seen sets — v2 0.831 → 0.846, dev 0.929 → 0.924)
TOPIC_OVERRIDE: float | None = 0.01


@dataclass
class Decision:
    action: Literal["reveal", "hint", "deflect", "object", "chat", "leave"]
    need_id: str | None = None
    trust_delta: float = 0.0
    matched_topics: list[str] = field(default_factory=list)
    premature_pitch: bool = False
    similarity: float = 0.0  # of the line to the need's asks, when meaning decided it
    injection: bool = False


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def matched_topics(scenario: Scenario, need_id: str, text: str) -> list[str]:
    lowered = _norm(text)
    return [t for t in scenario.need(need_id).reveal.topics if _norm(t) in lowered]


def releasable(need: HiddenNeed, revealed: set[str], trust: float) -> bool:
    return all(r in revealed for r in need.reveal.requires) and trust >= need.reveal.min_trust


def decide(
    scenario: Scenario,
    qc: QuestionClass,
    text: str,
    revealed: set[str],
    hinted: set[str],
    trust: float,
    *,
    semantic: bool = True,
    reader: bool | None = None,
) -> Decision:
    """Reveal at most one hidden need the question aims at and may release; else hint, deflect or chat.

    A need is aimed at by its ``topics`` (a high-precision shortcut, with a fitting question
    type) or, with ``semantic``, by meaning (intent.py). A pitch, a leading question or an
    injection never releases anything; a line aimed at a need that is not releasable yet
    (trust, ``requires``) gets a hint the first time, then a deflection — never a denial.
    With ``reader`` (default: as ``semantic``) the trainee-line reader
    (``understanding.trainee``) reads the line as a whole: one it surely puts in a kind that is
    not a genuine question (a pitch, a guess, a push, small talk…) is handled like a leading
    line — a hint or a deflection at most — and one it surely reads as an attack like an injection.
    """
    reader = semantic if reader is None else reader
    whole = _whole_line(text) if reader else None  # the trainee-line reader's reading, read once
    found = _no_release(text, whole) if whole else None
    if found is not None and qc.spin in PROBING:
        # the stage read by meaning counts only for a line the trainee-line reader takes for a
        # genuine question: a feature list ending "So, sixty units?" is no need-payoff question
        qc = qc.model_copy(update={"spin": classify(text).spin})
    understood = bool(revealed)  # has the trainee learned anything real yet?
    premature = qc.pitch and not understood
    delta = 0.0
    if qc.pitch:
        delta += TRUST["premature_pitch"] if premature else TRUST["pitch"]
    if qc.form in ("closed", "leading", "stacked", "statement") and not qc.pitch:
        delta += TRUST[qc.form]
    if qc.form == "open":
        delta += TRUST["open"]
    if qc.probes or qc.spin in PROBING:
        delta += TRUST["probe"]
    read_as = _read_line(text, found) if found is not None else None
    injection = is_injection(text) or read_as == "injection"
    if injection:
        delta = min(delta, 0.0)
    new_trust = max(0.0, min(1.0, trust + delta))
    moved = new_trust - trust
    if new_trust < WALK_AWAY_TRUST:
        return Decision("leave", trust_delta=moved, premature_pitch=premature)
    if injection:
        return Decision("deflect", trust_delta=moved, injection=True)
    if qc.pitch and not qc.is_question:
        return Decision("object", trust_delta=moved, premature_pitch=premature)
    if qc.pitch and not understood:
        return Decision("object", trust_delta=moved, premature_pitch=premature)

    def reveal(need_id: str, topics: list[str], sim: float = 0.0) -> Decision:
        if semantic and _guessed(need_id):
            # the trainee guessed an answer and asks for a yes: the customer hints, in character, at
            # the need the line aimed at — the guess earns no other need in its place either
            return Decision("hint" if need_id not in hinted else "deflect", need_id, moved, topics, premature,
                            similarity=sim)
        final = max(0.0, min(1.0, new_trust + TRUST["reveal"]))
        return Decision("reveal", need_id, final - trust, topics, premature, similarity=sim)

    def _guessed(need_id: str) -> bool:
        """The line proposes the answer of the need aimed at or (``ANY_GUESS``) of any other open one
        ("有几个小区的物业费收缴率掉下来了吧…？" guesses a need still locked)."""
        return proposes(scenario, need_id, text) or ANY_GUESS and any(
            other.id != need_id and other.id not in revealed
            and proposes(scenario, other.id, text, words=OTHER_GUESS_WORDS) for other in scenario.hidden_needs)

    kinds = qc.kinds
    leading = qc.form == "leading" or leads(text) or guesses(text) or read_as is not None
    hint_candidate = None
    deflect_candidate = None
    for need in scenario.hidden_needs:
        if need.id in revealed or any(r not in revealed for r in need.reveal.requires):
            continue
        topics = matched_topics(scenario, need.id, text)
        type_ok = bool(kinds & set(need.reveal.question_types))
        if qc.is_question and not leading and type_ok and topics and new_trust >= need.reveal.min_trust:
            if semantic and TOPIC_OVERRIDE is not None and not qc.pitch:
                # a topic word can sit in a line about another need ("平时谁来打理？" names a user
                # but asks about the fabric): meaning wins when it clearly prefers another need
                decided = _by_meaning(scenario, qc, text, revealed, hinted, new_trust, moved, premature)
                if decided is not None and decided.action == "reveal" and decided.need_id != need.id:
                    scores = intent.need_scores(scenario, text)
                    if scores[decided.need_id][2] - scores[need.id][2] > TOPIC_OVERRIDE:
                        return reveal(decided.need_id, [], decided.similarity)
            return reveal(need.id, topics)
        # close but not quite (right topic, wrong kind of question or not enough trust): a hint
        if hint_candidate is None and qc.is_question and topics and need.id not in hinted:
            hint_candidate = (need.id, topics)
        elif deflect_candidate is None and qc.is_question and topics:
            deflect_candidate = (need.id, topics)  # hinted already: put it off, never deny it
    if semantic and qc.is_question and not qc.pitch:
        decided = _by_meaning(scenario, qc, text, revealed, hinted, new_trust, moved, premature,
                              genuine_read=read_as is None,
                              read_genuine=not (LOOSE_READ and _small_talk(whole)))
        if decided is not None:
            if decided.action == "reveal":
                return reveal(decided.need_id, [], decided.similarity)
            if hint_candidate is None and deflect_candidate is None:  # a need named by its topics comes first
                return decided
    if hint_candidate is not None:
        return Decision("hint", hint_candidate[0], moved, hint_candidate[1], premature)
    if deflect_candidate is not None:
        return Decision("deflect", deflect_candidate[0], moved, deflect_candidate[1], premature)
    return Decision("chat", trust_delta=moved, premature_pitch=premature)


# the loose path by meaning (a genuine question on the business, not close to one need's asks) is
# not taken by a line the trainee-line reader, reading it whole, most likely takes for small talk
# (see _by_meaning); benchmarks/roleplay_fidelity.py reports the variant without it
LOOSE_READ = True


# the seller proposing a step and asking for a yes ("我帮您登记一下，行吗？", "那就先买十个吧，您看行不？"):
# a push, not a question about the customer's needs — it releases nothing by meaning
PROPOSAL = re.compile(
    r"(?:我(?:帮|给|替)(?:您|你)|那就|就按|就先|先(?:买|定|签|下)|我们就).{0,30}(?:行吗|行不行?|好吗|好不好|可以吗|成吗|能不能中|您看呢)[？?！!。.]*$|"
    r"(?:shall i|let me|i'll just|how about i)\b.{0,60}\?\s*$",
    re.I,
)


GUESS_RULE = True  # benchmarks/roleplay_fidelity.py reports the variant without it
_GUESS = cue("guess_question")


def guesses(text: str) -> bool:
    """A yes/no question that names its own guess of the need ("是给孩子用的吗？", "Is it because of
    your knee?"): a leading line, whatever its words — it releases nothing."""
    if not GUESS_RULE:
        return False
    last = (sentences(text) or [text])[-1].strip()
    return bool(_GUESS.search(last)) and not QUESTION_WORD.search(last)


# A yes/no question that proposes the answer ("家里有人怀孕了想吃酸的？", "Is your dad's knee the reason…?")
# says what the customer's facts say, not how a need is asked about: its last closed question is at
# least PROPOSAL_FLOOR close to one of the need's facts or its summary, and closer to them than to
# the need's asks by no less than PROPOSAL_GAP. Chosen on the seen probe sets' closed probes (dev,
# v1, v2: 2 of 203 that revealed lose it) and 24 written guesses of the shipped needs (11 caught).
# Lower (0.92, -0.02) was measured over the seen sets v7-v10: 3 false reveals fewer in all, 6 genuine
# v2 probes lost, so it is left as it was. benchmarks/roleplay_fidelity.py reports the variants.
PROPOSAL_RULE = True
PROPOSAL_FLOOR = 0.935
PROPOSAL_GAP = -0.035
# an either/or question proposes each of its alternatives ("是给儿媳妇买的，还是给小孙子买的？"), each
# held to the same floor and gap (trainee.alternatives); the variant without it is reported
EITHER_OR = True
# a yes/no question guessing the answer of any need still open earns nothing, not only the one the
# line is closest to; the variant that checks the aimed-at need alone is reported. Another need's
# guess by its answer words takes OTHER_GUESS_WORDS of them: one such word is often only a neighbour
# of the need asked about ("老师们愿意在课上用平板吗？" says 课上 of the managed-devices need); measured on
# the seen sets, one word cost 6 genuine probes for 3 false reveals fewer (variant)
ANY_GUESS = True
OTHER_GUESS_WORDS = 2
# a yes/no question too short to say anything of its own ("Is that it?", "是这样吗？", "Am I close?")
# asks for a yes to what came before it: the line's preface and question are read as one proposition
CONFIRMING_WORDS = 4


# A yes/no question that says one of the need's answer words has guessed the answer, however it is
# phrased ("是不是给怀孕的儿媳妇买的？", "Did you have a stress fracture before?"). An answer word is a
# content word of the need's facts or summary that neither the need's asks nor what the customer has
# shown (title, persona, profile, request, opening line, small talk) use, that does not only point,
# count or date (lexicon "pointer_or_amount"), and that is uncommon in the language: its Zipf
# frequency (wordfreq; 3 is once per million words) is below ANSWER_WORD_ZIPF, so that "其实", "经常",
# "father" or "since" are no guess. Chosen on the seen sets' closed lines (v1, v2,
# v6-v11 probes; fishing lines of v3-v11, guess_dev, reader_dev); benchmarks/roleplay_fidelity.py
# reports the variants.
ANSWER_WORDS = True
ANSWER_WORD_ZIPF = 5.0


def _words(text: str) -> list[tuple[str, str]]:
    """(key, word) of the text's content words: jieba words of two or more characters in Chinese,
    English words of three or more letters outside the function-word classes keyed by their stem."""
    if lexicon.has_chinese(text):  # a separable verb split by an aspect particle is the verb: 怀了孕 = 怀孕
        return [(w[0] + w[2] if len(w) == 3 and w[1] in "了过着" else w, w) for w in content_words(text) if len(w) >= 2]
    return [(stem, w) for stem, w in lexicon.en_word_stems(text)
            if len(w) >= 3 and w.isalpha() and not lexicon.word_class(w) - {"adjective", "transitive"}]


# An authored ask can itself be a guess: a yes/no question as close to the need's facts as a guessing
# line is (PROPOSAL_FLOOR: "月底对账，会计要熬夜吗？", "装空调的那间，以后是月子房还是客房？").
# `needs roleplay --check` warns about such an ask. Leaving them out of the asks the proposal check
# and the answer words read (False) was measured on the seen sets: no false reveal fewer, three
# genuine probes lost (dev "老年人叫号时候听得清吗？" reads as close to the facts as the guess ask),
# so every ask still counts (benchmarks/roleplay_fidelity.py reports the variant)
GUESSING_ASKS_ASK = True


def asking_asks(need: HiddenNeed) -> list[str]:
    """The need's asks without those that propose its answer (see ``GUESSING_ASKS_ASK``)."""
    if GUESSING_ASKS_ASK:
        return list(need.asks)
    guessed = set(guessing_asks(need))
    return [a for a in need.asks if a not in guessed]


@functools.lru_cache(maxsize=256)
def _guessing_asks(asks: tuple[str, ...], answers: tuple[str, ...]) -> tuple[bool, ...]:
    from assistant.understanding.semantic import encode
    from assistant.understanding.trainee import closed_question

    closed = [closed_question(a) is not None for a in asks]
    if not any(closed):
        return tuple(closed)
    near = (encode([intent.strip_address(a) for a in asks]) @ encode(list(answers)).T).max(axis=1)
    return tuple(bool(c and n >= PROPOSAL_FLOOR) for c, n in zip(closed, near))


def guessing_asks(need: HiddenNeed) -> list[str]:
    """The need's asks that propose its own answer (yes/no questions as close to its facts as a guess)."""
    if not need.asks:
        return []
    return [a for a, guess in zip(need.asks, _guessing_asks(tuple(need.asks), tuple([*need.facts, need.summary])))
            if guess]


def answer_words(scenario: Scenario, need: HiddenNeed) -> frozenset[str]:
    """The keys of the need's answer words (see ``ANSWER_WORDS``)."""
    return _answer_words(scenario.language, " ".join([*need.facts, need.summary]),
                         " ".join([scenario.title, scenario.persona, scenario.profile, scenario.stated_request,
                                   scenario.opening_line, *scenario.small_talk, *asking_asks(need)]), ANSWER_WORD_ZIPF)


@functools.lru_cache(maxsize=1024)
def _answer_words(language: str, answers: str, shown: str, zipf: float) -> frozenset[str]:
    from wordfreq import zipf_frequency

    lang = "zh" if language == "zh" else "en"
    known = {k for k, _ in _words(shown)}
    counts = lexicon.cue("pointer_or_amount", lang)
    return frozenset(k for k, w in _words(answers)
                     if k not in known and zipf_frequency(w, lang) < zipf and not counts.search(w))


def says_answer(scenario: Scenario, need: HiddenNeed, question: str) -> list[str]:
    """The need's answer words ``question`` says."""
    words = answer_words(scenario, need)
    return [w for k, w in _words(question) if k in words]


def confirming(question: str) -> bool:
    """A yes/no question with at most ``CONFIRMING_WORDS`` words and no content word of its own
    beyond one ("Is that it?", "是这样吗？", "Am I close?", "对吧？"): it confirms, it does not ask."""
    body = re.sub(r"[？?！!。.,，\s]+$", "", question or "").strip()
    if lexicon.has_chinese(body):
        return len(re.findall(r"[\u4e00-\u9fff]", body)) <= 2 * CONFIRMING_WORDS and len(_words(body)) <= 1
    return len(body.split()) <= CONFIRMING_WORDS and len(_words(body)) <= 1


def proposes(scenario: Scenario, need_id: str, text: str, words: int = 1) -> bool:
    """``text`` is a closed question whose proposition is the need's own answer (by meaning, with the
    shared embedder): it asks the customer to say yes to what the need's facts say. ``words``: how
    many distinct answer words (``ANSWER_WORDS``) make a guess on their own."""
    if not PROPOSAL_RULE:
        return False
    from assistant.understanding.semantic import encode
    from assistant.understanding.trainee import alternatives, closed_question, closed_questions, preface

    need = scenario.need(need_id)

    def says(question: str) -> bool:
        return ANSWER_WORDS and len(set(says_answer(scenario, need, question))) >= words

    if any(says(q) for q in closed_questions(text)):
        return True  # a guess in any of the line's yes/no questions, not only the last
    last = closed_question(text)
    if last is None:
        return False
    if CONFIRMING_WORDS and confirming(last) and preface(text):
        last = text.strip()  # "I'm guessing …. Is that it?": the guess before it is the proposition
        if says(last):
            return True
    offered = [last, *alternatives(last)] if EITHER_OR else [last]
    lines = encode([intent.strip_address(q) for q in offered])
    answers = (encode([*need.facts, need.summary]) @ lines.T).max(axis=0)
    asked = asking_asks(need)
    asks = (encode([intent.strip_address(a) for a in asked]) @ lines.T).max(axis=0) if asked else 0.0
    return bool(((answers >= PROPOSAL_FLOOR) & (answers - asks >= PROPOSAL_GAP)).any())


def _whole_line(text: str) -> dict[str, float] | None:
    """The trainee-line reader's {kind: p} for the whole line; None without the embedder."""
    from assistant.understanding import trainee

    return trainee.probabilities(text)


def _no_release(text: str, whole: dict[str, float]) -> tuple[str, float] | None:
    """(kind, P) when the trainee-line reader's most likely kind for ``text`` is not a genuine
    question (at any probability), else None. ``whole``: ``_whole_line(text)``."""
    from assistant.understanding import trainee

    return trainee.no_release(text, whole)


def _small_talk(whole: dict[str, float] | None) -> bool:
    """The trainee-line reader's most likely kind for the whole line (``whole``) is off-topic talk or
    rapport (a question about the weather at the customer's site reads so even when its question
    alone, "您那边下雨没？", could be a genuine one)."""
    from assistant.understanding import trainee

    return bool(whole) and max(whole, key=whole.__getitem__) in trainee.SMALL_TALK_KINDS


def _read_line(text: str, found: tuple[str, float]) -> str | None:
    """The no-release kind the trainee-line reader surely puts ``text`` in (``found``: its
    reading; "injection" only from its own threshold), else None."""
    from assistant.understanding import trainee

    kind, p = found
    if kind == "injection":
        return kind if (trainee.probabilities(text) or {}).get("injection", 0.0) >= trainee.INJECTION_AT else (
            "leading" if p >= trainee.BLOCK_AT else None)
    return kind if p >= trainee.BLOCK_AT else None


def _by_meaning(scenario: Scenario, qc: QuestionClass, text: str, revealed: set[str], hinted: set[str],
                trust: float, moved: float, premature: bool, genuine_read: bool = True,
                read_genuine: bool = True) -> Decision | None:
    """The need a question aims at by meaning (intent.py), as a real customer would hear it.

    A line close to one need's asks aims at it (even a leading one, which then gets a hint or a
    deflection, never the need). A genuine question — not leading, not a pitch — that is on this
    customer's business at all is answered with the open need it is closest to; if that need
    cannot be released yet, with a releasable one nearly as close, else a hint or a deflection.
    A genuine question only near the business gets a hint when it asks about a purpose, a user or
    a problem (a question of fact that far out is small talk). The loose path (on the business, not
    close to one need's asks) is not taken by a line the trainee-line reader most likely takes for
    small talk (``read_genuine`` False): small talk about the customer's office plants or the weather
    on their site sits just above the background ("您这办公室的绿萝平时怎么浇水？").
    """
    if PROPOSAL.search(text.strip()):
        return None
    among = {n.id for n in scenario.hidden_needs if n.id not in revealed}
    open_now = {n.id for n in scenario.hidden_needs if n.id in among and releasable(n, revealed, trust)}
    kinds = qc.kinds - {"open"}
    prior = {n.id: KIND_PRIOR for n in scenario.hidden_needs if kinds & set(n.reveal.question_types)} if KIND_PRIOR else None
    aim = target(scenario, text, among, prior)
    if aim.need_id is None:
        return None
    if aim.need_id not in open_now and open_now:
        # closest to a need the customer is not ready to tell: answered with the releasable need
        # the line is nearly as close to (the customer's main concern), unless it clearly aims
        # at the locked one
        alt = target(scenario, text, open_now, prior)
        if aim.choice - alt.choice <= ALTERNATIVE_MARGIN:
            aim = alt
    genuine = qc.form != "leading" and not leads(text) and not guesses(text) and genuine_read
    precise = aim.hits(RELATIVE_CLOSED if qc.form == "closed" else RELATIVE)
    probing = bool(qc.probes) or qc.spin in PROBING
    if precise or (genuine and read_genuine and aim.on_topic(intent.ON_TOPIC_PROBING if probing else None)):
        need = scenario.need(aim.need_id)
        if genuine and releasable(need, revealed, trust):
            return Decision("reveal", need.id, moved, [], premature, similarity=aim.score)
        prerequisites_out = all(r in revealed for r in need.reveal.requires)
        action = "hint" if need.id not in hinted and prerequisites_out else "deflect"
        return Decision(action, need.id, moved, [], premature, similarity=aim.score)
    if genuine and probing and aim.near_topic(intent.ON_TOPIC_PROBING):
        need = scenario.need(aim.need_id)
        if need.id not in hinted and all(r in revealed for r in need.reveal.requires):
            return Decision("hint", need.id, moved, [], premature, similarity=aim.score)
    return None


_CJK = re.compile(r"[\u4e00-\u9fff]")
_WORD = re.compile(r"[a-z]{4,}")


def fingerprint(text: str) -> set[str]:
    """Chinese character bigrams and English words of 4+ letters."""
    t = _norm(text)
    chars = [c for c in t if _CJK.match(c)]
    grams = {chars[i] + chars[i + 1] for i in range(len(chars) - 1)}
    return grams | set(_WORD.findall(t))


def secret_marks(scenario: Scenario, released: set[str], allowed_text: str) -> dict[str, set[str]]:
    """For each unreleased need, the bigrams/words only its facts contain."""
    public = fingerprint(" ".join([
        scenario.persona, scenario.profile, scenario.stated_request, scenario.opening_line,
        *scenario.small_talk, *scenario.objections, allowed_text,
        *[f for n in scenario.hidden_needs if n.id in released for f in n.facts],
    ]))
    return {
        n.id: fingerprint(" ".join(n.facts + [n.hint])) - public
        for n in scenario.hidden_needs
        if n.id not in released
    }


def leaks(reply: str, marks: dict[str, set[str]]) -> list[str]:
    """Ids of unreleased needs whose secret words appear in ``reply`` (2+ marks = a leak)."""
    seen = fingerprint(reply)
    return [need_id for need_id, secret in marks.items() if len(seen & secret) >= 2]

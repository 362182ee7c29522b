"""What kind of line a trainee says to a role-play customer, read by meaning.

The lexicon's patterns (pitch words, tag questions, hedged guesses, attack phrases) are a sure
shortcut, but each new set of bad lines found a form they missed (", I suppose?", "…吧，我猜？",
"won't he?", "what's not to love?", a feature list). This reader reads the line as a whole: a
``linear.LinearReader`` over the shipped embedder's sentence vector plus a few cue columns,
learnt from ``data/trainee_lines.jsonl`` — trainee lines written for this product across many
trades, B2C and B2B, Chinese and English (none in the shipped scenarios' wording), each labelled
with one of ``KINDS``:

- ``open``: a genuine question about the customer's situation, people, events, consequences;
- ``closed_probe``: a genuine yes/no or either-or question about the customer's situation that
  guesses no need ("员工流动大不大？", "Do you sell mostly abroad or at home?");
- ``pitch``, ``stacked_pitch`` (a feature list), ``compliment_then_pitch``, ``closed_push``
  (asking for the sale), ``leading`` (an assumption dressed as a question, a hedged guess, a tag
  question, "是不是因为…"), ``fishing_yes`` (a yes/no question naming a guessed need:
  "是给孩子用的吗？", "Is it because of your knee?"), ``injection`` (also disguised: a fake system
  notice, "summarise your brief", a role swap, a translation trick), ``off_topic``, ``rapport``
  (small talk or a compliment, no push).

``no_release(text)`` is the role-play's use: the line's probability of being anything but a
genuine question, when the most likely kind is not one of ``RELEASE_KINDS`` (None without the
embedder).
``assistant.roleplay.reveal.decide`` releases nothing on a line with ``no_release ≥ BLOCK_AT``.
The weights ship as ``data/trainee_lines.npz``; ``python -m assistant.understanding.trainee``
prints the 5-fold report (per kind, and the open lines lost / bad lines caught per threshold)
and rebuilds them, and those of the preface reader (``PREFACE``, ``data/preface_lines.npz``: is
what the trainee says before the question a pitch?).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from assistant.understanding import lexicon
from assistant.understanding.linear import Cue, LinearReader, jsonl_rows

DATA = Path(__file__).with_name("data")
LINES = DATA / "trainee_lines.jsonl"
SHIPPED = DATA / "trainee_lines.npz"
KINDS = ("open", "closed_probe", "pitch", "stacked_pitch", "compliment_then_pitch", "closed_push", "leading", "fishing_yes",
         "injection", "off_topic", "rapport")
RELEASE_KINDS = frozenset({"open", "closed_probe"})
SMALL_TALK_KINDS = frozenset({"off_topic", "rapport"})
# from this probability of "not a genuine question" the line releases nothing (5-fold over the
# labelled lines and the seen role-play sets: see the module's report and the benchmark's variants)
BLOCK_AT = 0.85
INJECTION_AT = 0.8  # the reader's injection probability from which a line is handled as an attack
CUE_SCALE = 0.3


WE_OUR = Cue("we_our", re.compile(r"我们|咱们|我家|\b(?:we|our|ours)\b", re.I))
CUES = (
    Cue("question_end", re.compile(r"[？?]\s*$")),
    Cue.of("open_question_words"),
    Cue.of("leading"),
    Cue.of("tag_question"),
    Cue.of("guess_question"),
    Cue.of("pitch"),
    Cue.of("closing_pitch"),
    WE_OUR,
    Cue("list", re.compile(r"(?:[、，,][^、，,]{1,12}){3,}")),
)

READER = LinearReader("trainee line", lambda: jsonl_rows(LINES), lambda r: r["kind"], SHIPPED, CUES, CUE_SCALE)


def probabilities(text: str) -> dict[str, float] | None:
    """{kind: p} for a trainee line; None when the embedder cannot run."""
    text = (text or "").strip()
    if len(text) < 2:
        return None
    return READER.probabilities(text)


def _last_question(text: str) -> str:
    parts = lexicon.sentences(text) or [text]
    asked = [s for s in parts if re.search(r"[？?]\s*$", s)]
    return (asked or parts)[-1].strip()


def _not_genuine(p: dict[str, float]) -> tuple[str, float] | None:
    kind = max(p, key=p.__getitem__)
    if kind in RELEASE_KINDS:
        return None
    return kind, 1.0 - sum(p[k] for k in RELEASE_KINDS if k in p)


# a line the reader puts, as a whole, in a pitch kind with at least this probability is not made a
# genuine question by a closing yes/no question ("IP67, …, all at the lowest price. So, sixty units?"):
# on the seen sets' multi-sentence lines the closed probes after a preamble stay below 0.82, the
# feature list ending "So, sixty units?" reads 0.995 (benchmarks/roleplay_fidelity.py, variant)
PITCH_KINDS = frozenset({"pitch", "stacked_pitch", "compliment_then_pitch", "closed_push"})
CLOSER_AT: float | None = 0.9
# with PITCH_WHOLE, whatever its closing question ("…, on offer this week. What more could he want?"):
# a line read as a whole as a pitch from CLOSER_AT is a pitch. Measured on the seen sets: no false
# reveal fewer, one genuine long-winded v7 probe lost (0.854 → 0.844), so it is left off (variant)
PITCH_WHOLE = False
# how a line and its last question, both read as no genuine question, combine: "min" (the less sure,
# shipped) or "max" (the surer). Measured on the seen sets: "max" takes v8's false reveals 9 → 7 but
# costs 4 genuine long-winded probes (v1 0.898 → 0.891, v2 0.849 → 0.844), so it is left off
# (benchmarks/roleplay_fidelity.py reports the variant)
AGREE = "min"
QUESTION_WORD = re.compile(r"什么|啥|怎|咋|为什么|为啥|哪|谁|如何|多少|多大|多久|几(?![个家次种位天年])|"
                           r"\b(?:what|who|whom|which|how|why|where|when)\b", re.I)


# a yes/no question whatever question words it holds: "是不是…谁也不管？", "…有什么不方便的吗？",
# "Are most of them asking where their order is?" (the question word is indefinite or embedded).
# "是不是"/"是否" make one only before any question word ("您怎么判断是不是该换了？" asks how);
# "能说说是怎么回事吗？" and "Can you tell me what happened?" ask for a story, not a yes.
# A tag asks for a yes too, whatever comes before it: "…，我说得对不对？", "…，是吧？",
# "…, right?", "…, isn't it?" (an A-not-A or a question tag closing the sentence)
YES_NO_OPENER = re.compile(r"是不是|是否")
YES_NO_TAG = re.compile(r"(?:对不对|对吧|是吧|是不是|对么|是么|是这样吧|是这样不|没错儿?吧|对不)[啊呀吧哈嘛]?[？?]\s*$|"
                        r"[,，—-]\s*(?:right|yeah|yes|no|correct|eh|huh|yep|true|"
                        r"(?:is|are|was|were|do|does|did|have|has|had|ca|could|would|wo|should)n'?t\s+\w+)"
                        r"\s*[?？]\s*$", re.I)
YES_NO_FORM = re.compile(r"(?:吗|吧)[？?]\s*$|"
                         r"^(?:(?:so|and|but|okay|ok|right|well|then)\b[,\s]*)?(?:is|are|was|were|do|does|did|have|has|had|"
                         r"can|could|would|will|should|may|might|isn't|aren't|don't|doesn't|didn't|haven't|hasn't)\b"
                         r"(?!\s+(?:you|we)\s+(?:please\s+)?(?:tell|walk|describe|explain|share|talk|say|give|show)\b)", re.I)
ASKS_FOR_STORY = re.compile(r"说说|讲讲|聊聊|谈谈|介绍|描述|展开|具体说")


def yes_no_form(sentence: str) -> bool:
    """The sentence asks for a yes or a no even though it holds a question word (see ``YES_NO_FORM``)."""
    opener, word = YES_NO_OPENER.search(sentence), QUESTION_WORD.search(sentence)
    if (opener and (word is None or opener.start() < word.start())) or YES_NO_TAG.search(sentence):
        return True
    return bool(YES_NO_FORM.search(sentence)) and not ASKS_FOR_STORY.search(sentence)


_QUOTED = re.compile(r"[\"“「『‘](?=\S)[^\"”」』’]{1,40}[\"”」』’]|(?<!\w)'.{1,40}?'(?!\w)")


def _is_closed(sentence: str) -> bool:
    """``sentence`` is a yes/no question: it ends with a question mark and holds no question word
    outside quoted words ("…are 'where's my order'?" quotes a question, it does not ask one) or is
    in a yes/no form (``yes_no_form``)."""
    if not re.search(r"[？?]\s*$", sentence):
        return False
    return not QUESTION_WORD.search(_QUOTED.sub(" ", sentence)) or yes_no_form(sentence)


def closed_question(text: str) -> str | None:
    """The line's last sentence when it is a yes/no question (``_is_closed``), else None."""
    last = (lexicon.sentences(text) or [text])[-1].strip()
    return last if _is_closed(last) else None


def closed_questions(text: str) -> list[str]:
    """Every sentence of the line that is a yes/no question ("这间是给宝宝准备的吧？是不是快生了？": both)."""
    return [s.strip() for s in (lexicon.sentences(text) or [text]) if _is_closed(s.strip())]


# an either/or question puts two (or more) propositions up for a yes: "是给儿媳妇买的，还是给小孙子买的呀？",
# "Is it his eyesight that's the problem, or more that his hands aren't steady?". 还是 asks so when it
# follows what it offers (not at the start) and the sentence does not close on 吗/吧 (an adverb then:
# "说到底还是想压成本吧？"); in English an "or" after a comma or a dash, in a yes/no question
_OR_ZH = re.compile(r"(?<=[^，,。？?\s])[，,]?\s*还是(?!得|挺|比较|觉得)")
_OR_EN = re.compile(r"\s*(?:,|—|-)\s*or\s+(?:is it\s+|are they\s+|more\s+|maybe\s+|rather\s+)*", re.I)


def alternatives(sentence: str) -> list[str]:
    """The propositions an either/or yes/no question offers (each as a question of its own), or []."""
    s = (sentence or "").strip()
    if not _is_closed(s):
        return []
    zh = lexicon.has_chinese(s)
    if zh and re.search(r"(?:吗|吧)[？?]\s*$", s):
        return []
    parts = [re.sub(r"[？?\s]+$", "", p).strip(" ，,") for p in (_OR_ZH if zh else _OR_EN).split(s)]
    if len(parts) < 2 or any(len(p) < 2 for p in parts):
        return []
    return [p + ("？" if zh else "?") for p in parts]


# a line whose preface (what the trainee says before the question: the sentences before it, or in a
# one-sentence line the clauses before the last) the reader surely reads as a pitch earns no need,
# however genuine its question ("我们这款…还带…，您平时都怎么用的？"): the seller pitched before
# asking. A preface that only acknowledges, observes or sets context ("我看门口排队的人挺多的。") is
# no pitch and the question is heard. From this P(pitch) of the preface reader (below; None: off):
# over the seen sets at 0.8 it takes 46 of v7-v10's 56 pitch-then-question lines and 4 of the 769
# probes with a preface of v1, v2 and v7-v10 (0.7: 48 and 15; 0.85: 44 and 1)
PREFACE_AT: float | None = 0.8
_CLAUSE_END = re.compile(r"(?<=[，,；;：:—])")


def preface(text: str) -> str:
    """What comes before the line's (last) question, or "" when the line is the question alone."""
    t = (text or "").strip()
    parts = lexicon.sentences(t) or [t]
    asked = [i for i, s in enumerate(parts) if re.search(r"[？?]\s*$", s)]
    at = asked[-1] if asked else len(parts) - 1
    before = "".join(parts[:at]).strip()
    clauses = [c for c in _CLAUSE_END.split(parts[at]) if c.strip()]
    if not before and len(clauses) >= 2:
        before = "".join(clauses[:-1]).strip()
    return before if len(before) >= 6 else ""


# What a preface is, read by a reader of its own: the line reader learnt whole lines, and a preface
# alone ("我们是SKF和NSK的一级代理。", "We're the cheapest in town, guaranteed.") sits between its
# kinds (P(pitch kinds) 0.3-0.8 on clear pitches). ``PREFACE`` tells a pitch (selling points, price,
# offer, brand, another customer's purchase told as a story) from a plain preface (what the seller
# noticed, heard or lived, sympathy, the customer's own words back), learnt from
# ``data/preface_lines.jsonl`` (written for it, zh and en, many trades) and the prefaces of the
# labelled trainee lines (those of pitches, feature lists and pushes against those of genuine
# questions, small talk, assumptions and guesses). A preface of several sentences is read whole and
# sentence by sentence: one selling sentence in a friendly preface is a pitch.
PREFACE_LINES = DATA / "preface_lines.jsonl"
PREFACE_SHIPPED = DATA / "preface_lines.npz"
_PLAIN_KINDS = frozenset({"open", "closed_probe", "rapport", "leading", "fishing_yes", "off_topic"})
_PREFACE_PITCH_KINDS = frozenset({"pitch", "stacked_pitch", "closed_push"})


def preface_rows() -> list[dict]:
    out = [{"text": r["text"], "kind": r["kind"], "weight": 2.0} for r in jsonl_rows(PREFACE_LINES)]
    for r in jsonl_rows(LINES):
        kind = "pitch" if r["kind"] in _PREFACE_PITCH_KINDS else "plain" if r["kind"] in _PLAIN_KINDS else None
        before = preface(r["text"]) if kind else ""
        if before:
            out.append({"text": before, "kind": kind})
    return out


PREFACE = LinearReader("trainee preface", preface_rows, lambda r: r["kind"], PREFACE_SHIPPED,
                       (WE_OUR, Cue.of("pitch")), CUE_SCALE)


def preface_pitch(before: str) -> float:
    """P(pitch) of a preface: the surer of its reading whole and of each of its sentences; 0 without
    the embedder."""
    parts = [before] + [s for s in lexicon.sentences(before) if len(s.strip()) >= 6 and s.strip() != before.strip()]
    try:
        p = PREFACE.probability_rows(parts)
        return float(p[:, PREFACE.model()[1].index("pitch")].max())
    except Exception:  # no embedder: the line reader and the lexicon answer alone
        return 0.0


def pitch_preface(text: str) -> tuple[str, float] | None:
    """("pitch", P) of the line's preface when the preface reader puts it surely (``PREFACE_AT``)
    among pitches, else None."""
    if PREFACE_AT is None:
        return None
    before = preface(text)
    pitch = preface_pitch(before) if before else 0.0
    return ("pitch", pitch) if pitch >= PREFACE_AT else None


def no_release(text: str, p: dict[str, float] | None = None) -> tuple[str, float] | None:
    """(most likely kind, P(not a genuine question)) when the line is not a genuine question; else None.

    A line of several sentences is also read by its last question alone: a preamble
    ("我这儿枣子有好几种，脆的面的都有。") before a genuine question ("您先说说买给谁吃？") must not
    make the question a pitch. When the question alone is no genuine question either, both
    readings agree and the line counts as much as the surer of the two (``AGREE``): a feature list
    closed by "Want me to grab one?" or an assumption closed by "我理解得对不对？" is not made
    harmless by its parts. A line surely read as a pitch (``CLOSER_AT``) is not rescued by a closing
    yes/no question, and a line whose preface is surely a pitch (``PREFACE_AT``) reads as that pitch
    whatever its question. ``p``: ``probabilities(text)`` when the caller has read it already.
    """
    p = probabilities(text) if p is None else p
    if not p:
        return None
    found = _not_genuine(p)
    pitched = pitch_preface(text)
    if pitched is not None:  # a preface the preface reader surely reads as a pitch decides the line
        return (found[0] if found is not None and found[0] in PITCH_KINDS else pitched[0]), 1.0
    if found is None:
        return None
    if PITCH_WHOLE and CLOSER_AT is not None and found[0] in PITCH_KINDS and found[1] >= CLOSER_AT:
        return found  # the selling part dominates: no closing question, open or rhetorical, rescues it
    last = _last_question(text)
    if last and last != text.strip():
        q = probabilities(last)
        alone = _not_genuine(q) if q else None
        if alone is None:
            if (CLOSER_AT is not None and found[0] in PITCH_KINDS and found[1] >= CLOSER_AT
                    and closed_question(text) is not None):
                return found  # a pitch closed by a yes/no push: the question does not rescue it
            return None
        return found[0], (max if AGREE == "max" else min)(found[1], alone[1])
    return found


def blocks(text: str, at: float | None = None) -> str | None:
    """The no-release kind the line surely is (probability ≥ ``BLOCK_AT``), else None."""
    found = no_release(text)
    if found is None:
        return None
    return found[0] if found[1] >= (BLOCK_AT if at is None else at) else None


def build() -> Path:
    PREFACE.build()
    return READER.build()


def cross_validate(folds: int = 5) -> dict:  # pragma: no cover - a calibration report
    run = READER.cross_validate(folds)
    release = [run.classes.index(k) for k in RELEASE_KINDS]
    open_ = np.isin(run.y, release)
    p_bad = 1.0 - run.p[:, release].sum(1)
    best = run.p.argmax(1)
    not_open_best = ~np.isin(best, release)
    out: dict = {"accuracy": round(run.accuracy, 3), "rows": len(run.y),
                 "per_kind": {k: round(float((best[run.y == i] == i).mean()), 3) for i, k in enumerate(run.classes)}}
    for at in (0.5, 0.6, 0.7, 0.8, 0.9):
        blocked = not_open_best & (p_bad >= at)
        out[f"block@{at}"] = {"open_lost": int(blocked[open_].sum()), "open": int(open_.sum()),
                              "bad_caught": round(float(blocked[~open_].mean()), 3)}
    return out


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(cross_validate(), indent=1))
    run = PREFACE.cross_validate(5)
    pitch, is_pitch = run.column("pitch"), run.y == run.classes.index("pitch")
    print(json.dumps({"preface": {f"at_{at}": {"pitches_caught": round(float((pitch[is_pitch] >= at).mean()), 3),
                                                "plain_taken": round(float((pitch[~is_pitch] >= at).mean()), 3)}
                                  for at in (0.6, 0.7, 0.8, 0.85, 0.9)}}, indent=1))
    print("written", build())

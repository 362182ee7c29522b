"""The reveal policy: what the simulated customer may say this turn, decided in code.

The customer's voice (the model) never sees a hidden need until this policy releases
it, so it cannot leak what it has not been told.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

from assistant.roleplay.classify import QuestionClass
from assistant.roleplay.scenario import Scenario

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


@dataclass
class Decision:
    action: Literal["reveal", "hint", "object", "chat", "leave"]
    need_id: str | None = None
    trust_delta: float = 0.0
    matched_topics: list[str] = field(default_factory=list)
    premature_pitch: bool = False


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def matched_topics(scenario: Scenario, need_id: str, text: str) -> list[str]:
    lowered = _norm(text)
    return [t for t in scenario.need(need_id).reveal.topics if _norm(t) in lowered]


def decide(
    scenario: Scenario,
    qc: QuestionClass,
    text: str,
    revealed: set[str],
    hinted: set[str],
    trust: float,
) -> Decision:
    """Reveal at most one hidden need whose conditions the question meets; else hint or chat."""
    understood = bool(revealed)  # has the trainee learned anything real yet?
    premature = qc.pitch and not understood
    delta = 0.0
    if qc.pitch:
        delta += TRUST["premature_pitch"] if premature else TRUST["pitch"]
    if qc.form in ("closed", "leading", "stacked", "statement") and not qc.pitch:
        delta += TRUST[qc.form]
    if qc.form == "open":
        delta += TRUST["open"]
    if qc.probes or qc.spin in ("implication", "need_payoff", "problem"):
        delta += TRUST["probe"]
    new_trust = max(0.0, min(1.0, trust + delta))
    if new_trust < WALK_AWAY_TRUST:
        return Decision("leave", trust_delta=new_trust - trust, premature_pitch=premature)
    if qc.pitch and not qc.is_question:
        return Decision("object", trust_delta=new_trust - trust, premature_pitch=premature)
    if qc.pitch and not understood:
        return Decision("object", trust_delta=new_trust - trust, premature_pitch=premature)

    kinds = qc.kinds
    hint_candidate = None
    for need in scenario.hidden_needs:
        if need.id in revealed:
            continue
        if any(r not in revealed for r in need.reveal.requires):
            continue
        topics = matched_topics(scenario, need.id, text)
        type_ok = bool(kinds & set(need.reveal.question_types))
        if qc.is_question and type_ok and topics and new_trust >= need.reveal.min_trust:
            final = max(0.0, min(1.0, new_trust + TRUST["reveal"]))
            return Decision("reveal", need.id, final - trust, topics, premature)
        # close but not quite (right topic, wrong kind of question or not enough trust): a hint
        if hint_candidate is None and qc.is_question and topics and need.id not in hinted:
            hint_candidate = (need.id, topics)
    if hint_candidate is not None:
        return Decision("hint", hint_candidate[0], new_trust - trust, hint_candidate[1], premature)
    return Decision("chat", trust_delta=new_trust - trust, premature_pitch=premature)


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

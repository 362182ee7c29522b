"""Rule-based need extraction: the fallback that never fails and never invents.

Every need it returns quotes one whole customer sentence verbatim. It looks only at
customer turns, so the salesperson's pitch can never become a customer need. The cue
reading of each sentence is the shared one (``understanding.reading``).
"""

from __future__ import annotations

from assistant.needs.records import Evidence, ExtractedNeed, ExtractionResult
from assistant.needs.transcript import Transcript
from assistant.understanding import lexicon
from assistant.understanding.reading import hits, rule_dimension, rule_is_need, rule_kind, rule_owner

_MOTIVE = lexicon.cue("motive")


def _statement(sentence: str) -> str:
    return sentence.strip().rstrip("。！？!?；;，,. ")[:110]


def extract_by_rules(transcript: Transcript, turns: set[int] | None = None) -> ExtractionResult:
    """Needs from customer sentences that carry a need cue (at most 5, strongest first)."""
    found: list[tuple[float, ExtractedNeed]] = []
    first_customer = next((t.n for t in transcript.turns if t.role == "customer"), None)
    for turn in transcript.customer_turns():
        if turns is not None and turn.n not in turns:
            continue
        for sentence in lexicon.sentences(turn.text):
            hit = hits(sentence)
            if not rule_is_need(hit):
                continue
            motive = _MOTIVE.search(sentence)
            need = ExtractedNeed(
                statement=_statement(sentence),
                kind=rule_kind(hit, turn.n == first_customer),
                dimension=rule_dimension(hit),
                owner=rule_owner(hit),
                motive=_statement(sentence[motive.end():])[:150] if motive else "",
                evidence=[Evidence(turn=turn.n, quote=sentence.strip()[:200])],
                confidence=min(0.8, 0.35 + 0.08 * hit.strength),
            )
            found.append((hit.strength, need))
    found.sort(key=lambda pair: -pair[0])
    return ExtractionResult(needs=[need for _, need in found[:5]])

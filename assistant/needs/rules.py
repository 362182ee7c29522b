"""Rule-based need extraction: the fallback that never fails and never invents.

Every need it returns quotes one whole customer sentence verbatim. It looks only at
customer turns, so the salesperson's pitch can never become a customer need.
"""

from __future__ import annotations

import re

from assistant.needs import cues
from assistant.needs.records import Evidence, ExtractedNeed, ExtractionResult
from assistant.needs.transcript import Transcript

_REQUEST = re.compile(
    r"想买|要买|买点|买些|想要|需要|想找|想(?:看看|订|换|上|装|配|升级|办|了解)|最好|希望|一定要|必须|"
    r"来(?:一|两|几)|要(?:一|两|几)|looking for|\bwant\b|\bneed\b|\bbuy\b",
    re.I,
)
_QUESTION_REQUEST = re.compile(r"有没有|能不能|可不可以|可以.*吗|\bdo you have\b|\bcan you\b|\bcould you\b", re.I)
_MOTIVE = re.compile(r"(?:因为|为了|由于|because|so that|since)\s*(.+)", re.I)
_SELF_ONLY = re.compile(r"^(?:我|我们|自己)")


def _cue_hits(sentence: str) -> dict[str, bool]:
    return {
        "people": bool(cues.PEOPLE.search(sentence)),
        "coc": bool(cues.CUSTOMERS_OF_CUSTOMER.search(sentence)),
        "decision": bool(cues.DECISION.search(sentence)),
        "timing": bool(cues.TIMING.search(sentence)),
        "budget": bool(cues.BUDGET.search(sentence)),
        "price": bool(cues.PRICE.search(sentence)),
        "form": bool(cues.FORM.search(sentence)),
        "emotion": bool(cues.EMOTION.search(sentence)),
        "business": bool(cues.BUSINESS.search(sentence)),
        "purpose": bool(cues.PURPOSE.search(sentence)),
        "function": bool(cues.FUNCTION.search(sentence)),
        "verb": bool(cues.NEED_VERBS.search(sentence)),
    }


def _dimension(hit: dict[str, bool]) -> str:
    if hit["business"] or hit["coc"]:
        return "business"
    if hit["price"] or hit["budget"]:
        return "price"
    if hit["emotion"]:
        return "emotional"
    if hit["form"]:
        return "form"
    return "functional"


def _owner(hit: dict[str, bool]) -> str:
    if hit["coc"]:
        return "customer_of_customer"
    if hit["people"]:
        return "user"
    if hit["decision"]:
        return "decision_maker"
    return "buyer"


def _is_need(sentence: str, hit: dict[str, bool]) -> bool:
    if len(sentence) < 3 or cues.GREETING.match(sentence):
        return False
    if sentence.rstrip().endswith(("?", "？", "吗")) and not _QUESTION_REQUEST.search(sentence):
        return False  # a question back to the salesperson is not itself a need
    strong = hit["verb"] or hit["emotion"] or hit["business"] or hit["budget"] or hit["price"]
    return strong or (hit["people"] and (hit["purpose"] or hit["function"]))


def _statement(sentence: str) -> str:
    return sentence.strip().rstrip("。！？!?；;，,. ")[:110]


def extract_by_rules(transcript: Transcript, turns: set[int] | None = None) -> ExtractionResult:
    """Needs from customer sentences that carry a need cue (at most 5, strongest first)."""
    found: list[tuple[float, ExtractedNeed]] = []
    first_customer = next((t.n for t in transcript.turns if t.role == "customer"), None)
    for turn in transcript.customer_turns():
        if turns is not None and turn.n not in turns:
            continue
        for sentence in cues.sentences(turn.text):
            hit = _cue_hits(sentence)
            if not _is_need(sentence, hit):
                continue
            context_cues = hit["people"] or hit["emotion"] or hit["business"] or hit["coc"]
            direct = bool(_REQUEST.search(sentence)) or hit["price"] or hit["budget"]
            explicit = (direct or turn.n == first_customer) and not context_cues
            motive_match = _MOTIVE.search(sentence)
            strength = sum(hit.values())
            need = ExtractedNeed(
                statement=_statement(sentence),
                kind="explicit" if explicit else "implicit",
                dimension=_dimension(hit),
                owner=_owner(hit),
                motive=_statement(motive_match.group(1))[:150] if motive_match else "",
                evidence=[Evidence(turn=turn.n, quote=sentence.strip()[:200])],
                confidence=min(0.8, 0.35 + 0.08 * strength),
            )
            found.append((strength, need))
    found.sort(key=lambda pair: -pair[0])
    return ExtractionResult(needs=[need for _, need in found[:5]])

"""The need restated by the model, narrowly: from the evidence only, and verified.

One short task (``prompts/restate_need.md``): the customer's words that hold a need go in, a
restatement of the need in a few words comes out. The reply is shown or stored only when it
passes every check (``check_model_restatement``): at most 30 Chinese characters or 12 English
words, no speaker label, not the customer's sentence copied and no run of 15 characters of a
customer turn, its content words found in the conversation (or said by the shared lexicon's
same-meaning words), no negation or limit of the customer's dropped or reversed, and close in
meaning to the evidence (embedding similarity above ``MIN_SIMILARITY``, calibrated on the dev
restatements). Otherwise the rule restatement (``restate.restate_need``) stands.

It costs a model call, so it is never on the path of a turn: the need log asks for it in the
background extraction (``extract.NeedExtractor`` with a model method). Verified results are kept
(``cached``); the coach's confirmation does not read them yet (it says the need in the second
person, the model in the customer's voice).
"""

from __future__ import annotations

import logging
import re
from collections import OrderedDict

from assistant.needs import restate
from assistant.understanding import lexicon

log = logging.getLogger(__name__)

# cosine (shipped embedder) between a restatement and its evidence. Measured on the dev
# restatements (benchmarks/data/restatements_dev.json): the hand-written good restatements
# against their own evidence: lowest 0.84, tenth percentile 0.88, median 0.93; the same against
# another case's evidence: median 0.82, 90th percentile 0.87. 0.85 turns the typical stranger
# away and keeps nearly every good one (the other checks do the rest).
MIN_SIMILARITY = 0.85

_TEXT = {
    "zh": {"instruction": "你把客户的话改写成一句简短的需求陈述。只根据客户的原话，不加原话里没有的内容；"
                          "保留客户说的人、东西和限制（不要、别、以内、最多……），不能改成相反的意思；"
                          "不要照抄原话，不超过30个字；不加“客户说”之类的称呼；只输出这一句。",
           "label_evidence": "客户的原话：", "label_person": "这个需求是谁的：", "label_answer": "需求（一句，30字以内）："},
    "en": {"instruction": "Restate the customer's need in a few words of your own. Use only what the customer said; "
                          "add nothing they did not say. Keep the person, the thing and every limit or negation "
                          "(not, no, without, under, only), never reverse it. Do not copy their sentence. At most "
                          "12 words, no speaker label, output only the restatement.",
           "label_evidence": "The customer's words:", "label_person": "Whose need it is:",
           "label_answer": "The need (one phrase, at most 12 words):"},
}


def clean_reply(reply: str) -> str:
    """The reply as one line: no quotes, labels, bullets or trailing chatter."""
    text = (reply or "").strip().splitlines()[0].strip() if (reply or "").strip() else ""
    text = re.sub(r"^(?:需求|The need|Need|Restatement)\s*[:：]\s*", "", text, flags=re.I)
    text = re.sub(r"^[\-*•\d.、)\s]+", "", text)
    return text.strip("“”\"'「」 ").rstrip("。.")


def check_model_restatement(text: str, evidence: list[str], conversation: str, customer_turns: list[str]
                            ) -> str | None:
    """Why the model's restatement cannot stand (a short reason), or None when it passes."""
    text = (text or "").strip()
    if not text:
        return "empty"
    reason = restate.check_statement(text, evidence, conversation)
    if reason:
        return reason
    if not restate.fits(text, [*customer_turns, *evidence]):
        return "repeats 15 characters of a customer turn"
    from assistant.understanding import semantic

    if float(semantic.similarity(text, evidence).max()) < MIN_SIMILARITY:
        return "not close enough in meaning to what the customer said"
    return None


_CACHE: OrderedDict[tuple[str, ...], str] = OrderedDict()
_CACHE_SIZE = 512


def cached(evidence: list[str]) -> str:
    """A verified model restatement of this evidence made earlier (the background pass), or ""."""
    return _CACHE.get(tuple(evidence), "")


def prompt_messages(evidence: list[str], person: str = ""):
    """The task as sent: the customer's words that hold the need, and whose need it is."""
    from assistant.prompts import load_prompt

    lang = lexicon.language_of(" ".join(evidence))
    words = _TEXT[lang]
    return load_prompt("restate_need").messages(
        instruction=words["instruction"], label_evidence=words["label_evidence"], evidence="\n".join(evidence),
        label_person=words["label_person"], person=person or ("（未说明）" if lang == "zh" else "(not said)"),
        label_answer=words["label_answer"])


def model_restatement(model, evidence: list[str], conversation: str, customer_turns: list[str] | None = None,
                      person: str = "", max_tokens: int = 48) -> str:
    """The model's restatement of the need in ``evidence`` when it passes every check, else ""
    (the caller keeps the rule restatement). A model error is no cost: "" as well."""
    from assistant.llm.calls import complete

    evidence = [e for e in evidence if e and e.strip()]
    if model is None or not evidence:
        return ""
    key = tuple(evidence)
    if key in _CACHE:
        return _CACHE[key]
    messages = prompt_messages(evidence, person)
    try:
        reply = complete(model, messages, retries=1, max_tokens=max_tokens, temperature=0.0)
    except Exception as exc:  # the rule restatement stands
        log.warning("model restatement failed: %s", getattr(exc, "message", exc))
        return ""
    text = clean_reply(reply)
    reason = check_model_restatement(text, evidence, conversation, customer_turns or [conversation])
    if reason:
        log.info("model restatement rejected (%s): %s", reason, text)
        return ""
    _CACHE[key] = text
    while len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return text

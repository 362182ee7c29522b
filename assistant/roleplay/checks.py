"""Checks on every customer reply the model writes, before it is shown or saved.

Each check is a small function returning a reason (a short string) when the reply must be
rejected, or ``None`` when it passes. ``check_reply`` runs them all. A rejected reply is
regenerated once, then replaced by an authored line (service.py).

What they catch, from what the embedded model was seen to do: answering as an AI assistant,
refusing, speaking as the salesperson or echoing the trainee, the wrong language, giving in
to a pitch before the key needs are out, leaking a fact not yet released, contradicting a
hidden fact it was (rightly) never shown, and talking about its instructions.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from assistant.roleplay.reveal import fingerprint, leaks, secret_marks
from assistant.roleplay.scenario import Scenario

_I = re.IGNORECASE
_CJK = re.compile(r"[\u4e00-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")

MAX_CHARS = {"zh": 120, "en": 320}
MIN_CHARS = 2

ASSISTANT_TALK = re.compile(
    r"作为(?:一个|一名)?(?:AI|人工智能|语言模型|助手|客服|销售|模型)|我是(?:一个)?(?:AI|人工智能|语言模型|助手|机器人|模型)|"
    r"(?:抱歉|对不起|很遗憾)[，,。！!]?\s*我(?:不能|无法|没办法)|我不能(?:参与|协助|提供|回答|帮助)|我无法(?:协助|提供|回答|帮助)|"
    r"非法活动|违反.*(?:政策|规定)|有什么(?:我)?可以帮(?:您|你)|请问有什么|很高兴为您|为您服务|"
    r"\bas an ai\b|language model|\bi am an? (?:ai|assistant|chatbot)\b|\bi'm an? (?:ai|assistant|chatbot)\b|"
    r"i(?:'m| am) sorry,? but i (?:can(?:'|no)?t|am unable)|i can(?:'|no)?t (?:assist|help) with|"
    r"how (?:can|may) i (?:help|assist) you|happy to help|is there anything else",
    _I,
)
SELLER_VOICE = re.compile(
    r"^(?:销售|售货员|店员|营业员|卖家|摊主|Salesperson|Sales rep|Seller|Agent)\s*[:：]|(?:^|\n)\s*(?:销售|Salesperson)\s*[:：]|"
    r"我们(?:的|家)(?:产品|枣|货|系统|方案|服务|平板|空调|沙发|滤芯|轴承|显示屏)|给您推荐|为您推荐|推荐您|您可以考虑|"
    r"\bour (?:product|range|model|offer)s?\b|\bi(?:'d| would) recommend\b|\bwe (?:offer|have a|can offer)\b",
    _I,
)
INSTRUCTION_TALK = re.compile(
    r"指令|提示词|系统提示|设定|隐藏需求|秘密需求|隐藏的需求|被要求|角色扮演|扮演|剧本|培训场景|陪练|"
    r"instruction|system prompt|\bprompt\b|hidden needs?|secret needs?|role-?play|my (?:role|script|brief)|scenario",
    _I,
)
AGREE_TO_BUY = re.compile(
    r"(?:我|那就|就)(?:来|要|买|称|拿)(?:一|两|几|二|三|半)?(?:斤|个|台|套|部|块|批|份|箱|双|件)|我买了|就要这个|就这个吧|就它了|"
    r"包起来|给我装|成交|下单吧|签合同吧|那就签|那就定了|就这么定|我(?:决定|同意)(?:买|采购|签)|"
    r"\bi'll (?:take|buy|have) (?:it|one|two|this|that|them)\b|\bwrap it up\b|\bit's a deal\b|\bdeal\b|"
    r"\bsign (?:it|the contract|us up)\b|\blet's go with\b|\bi'll go with\b",
    _I,
)
NEGATION_BEFORE = re.compile(r"(?:不是|不|没|没有|并非|并不|别|never|not|n't|no)\s*$", _I)
SENTENCE_END = re.compile(r"[。！？!?.]")


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower().strip()


# ---- the checks ------------------------------------------------------------------------------

def check_language(reply: str, language: str) -> str | None:
    cjk = len(_CJK.findall(reply))
    latin = len(_LATIN.findall(reply))
    if language == "zh":
        if cjk == 0 or latin > cjk:
            return "wrong language (expected Chinese)"
    elif cjk > 0:
        return "wrong language (expected English)"
    return None


def check_length(reply: str, language: str) -> str | None:
    n = len(reply.strip())
    if n < MIN_CHARS:
        return "empty reply"
    if n > MAX_CHARS.get(language, 200):
        return f"too long ({n} characters)"
    if len(SENTENCE_END.findall(reply)) > 4:
        return "too many sentences"
    return None


def check_assistant_talk(reply: str) -> str | None:
    return "assistant or refusal talk" if ASSISTANT_TALK.search(reply) else None


def check_seller_voice(reply: str) -> str | None:
    return "speaks as the salesperson" if SELLER_VOICE.search(reply) else None


def check_echo(reply: str, line: str) -> str | None:
    """The trainee's line repeated back (most of its bigrams/words reappear in the reply)."""
    said = fingerprint(line)
    if len(said) < 3:
        return None
    back = fingerprint(reply)
    overlap = len(said & back) / len(said)
    if overlap >= 0.6:
        return "echoes the salesperson's line"
    r, l = _norm(reply).rstrip("？?。.！!"), _norm(line).rstrip("？?。.！!")
    if len(l) >= 6 and l in r:
        return "echoes the salesperson's line"
    return None


def check_instruction_talk(reply: str) -> str | None:
    return "talks about instructions or the exercise" if INSTRUCTION_TALK.search(reply) else None


def check_agrees_to_buy(reply: str, key_needs_uncovered: bool) -> str | None:
    if key_needs_uncovered:
        return None
    return "agrees to buy before the key needs are uncovered" if AGREE_TO_BUY.search(reply) else None


def check_leak(reply: str, scenario: Scenario, released: set[str], allowed_text: str = "") -> str | None:
    found = leaks(reply, secret_marks(scenario, released, allowed_text))
    return f"leaks unreleased need {found[0]}" if found else None


# meaning thresholds for contradictions (calibrated on tests/test_roleplay_checks.py's cases and the
# dev replies of benchmarks/roleplay_fidelity.py): a reply this close to a never_say line, and
# closer to it than to any of the need's facts, contradicts the scenario.
CONTRADICTION_THRESHOLD = 0.90
CONTRADICTION_MARGIN = 0.02


def _string_contradiction(reply: str, phrase: str) -> bool:
    text, p = _norm(reply), _norm(phrase)
    start = text.find(p)
    while start >= 0:
        if not NEGATION_BEFORE.search(text[max(0, start - 6):start]):
            return True
        start = text.find(p, start + 1)
    return False


def check_contradiction(reply: str, scenario: Scenario, *, semantic: bool = True) -> str | None:
    """A reply that says what a need's ``never_say`` lists (by string, or by meaning)."""
    pairs = [(n, s) for n in scenario.hidden_needs for s in n.never_say]
    if not pairs:
        return None
    for need, phrase in pairs:
        if _string_contradiction(reply, phrase):
            return f"contradicts {need.id}: {phrase!r}"
    if not semantic:
        return None
    from assistant.understanding.semantic import encode

    clauses = [c for c in re.split(r"[，,。！？!?；;.]", reply) if len(c.strip()) >= 2] or [reply]
    texts = [*clauses, *[s for _, s in pairs], *[f for n in scenario.hidden_needs for f in n.facts]]
    vecs = encode(texts)
    cv = vecs[:len(clauses)]
    nv = vecs[len(clauses):len(clauses) + len(pairs)]
    fv = vecs[len(clauses) + len(pairs):]
    facts_of: dict[str, list[int]] = {}
    i = 0
    for n in scenario.hidden_needs:
        facts_of[n.id] = list(range(i, i + len(n.facts)))
        i += len(n.facts)
    sims = cv @ nv.T  # clauses × never_say
    fact_sims = cv @ fv.T
    for j, (need, phrase) in enumerate(pairs):
        for c in range(len(clauses)):
            s = float(sims[c, j])
            if s < CONTRADICTION_THRESHOLD:
                continue
            to_facts = max((float(fact_sims[c, k]) for k in facts_of[need.id]), default=0.0)
            if s >= to_facts + CONTRADICTION_MARGIN:
                return f"contradicts {need.id} (close to {phrase!r})"
    return None


@dataclass
class ReplyContext:
    scenario: Scenario
    line: str
    released: set[str] = field(default_factory=set)
    allowed_text: str = ""
    semantic: bool = True

    @property
    def key_needs_uncovered(self) -> bool:
        first_level = [n.id for n in self.scenario.hidden_needs if not n.reveal.requires]
        return all(n in self.released for n in first_level)


def check_reply(reply: str, ctx: ReplyContext) -> list[str]:
    """Every reason to reject ``reply`` (empty = it may be shown)."""
    lang = ctx.scenario.language
    cheap = [
        check_length(reply, lang),
        check_language(reply, lang),
        check_assistant_talk(reply),
        check_seller_voice(reply),
        check_echo(reply, ctx.line),
        check_instruction_talk(reply),
        check_agrees_to_buy(reply, ctx.key_needs_uncovered),
        check_leak(reply, ctx.scenario, ctx.released, ctx.allowed_text),
    ]
    reasons = [r for r in cheap if r]
    if reasons:
        return reasons
    found = check_contradiction(reply, ctx.scenario, semantic=ctx.semantic)
    return [found] if found else []

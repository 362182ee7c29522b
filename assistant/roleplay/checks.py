"""Checks on every customer reply the model writes, before it is shown or saved.

Each check is a small function returning a reason (a short string) when the reply must be
rejected, or ``None`` when it passes. ``check_reply`` runs them all. A rejected reply is
regenerated once, then replaced by an authored line (service.py).

What they catch, from what the embedded model was seen to do: answering as an AI assistant,
refusing or offering help ("not sure how to help"), speaking as the salesperson or from the
seller's side of the deal ("我们已经报了这个价"), echoing the trainee, the wrong language, giving in
to a pitch before the key needs are out (in words, or a bare "好的" to a closing push), leaking a fact not yet released, contradicting a
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
    r"how (?:can|may) i (?:help|assist) you|happy to help|is there anything else|"
    r"(?:not sure|unsure) (?:how|what) (?:to|i can|i could) (?:help|assist|do for you)|how (?:to|i can|i could) help(?: you)?\b|"
    r"\bi can help (?:you )?with\b|i(?:'d| would) be (?:glad|happy) to (?:help|assist)|hope (?:this|that) helps|"
    r"feel free to (?:ask|let me know)|let me know if you (?:have|need)|"
    r"不知道(?:该)?(?:怎么|如何)帮(?:您|你)|(?:能|可以)帮(?:您|你)(?:做)?(?:什么|的吗)|希望(?:对(?:您|你)有|能帮到)|"
    r"(?:您|你)还有(?:其他|别的|任何)(?:问题|需要)|随时(?:告诉|联系)我",
    _I,
)
SELLER_VOICE = re.compile(
    r"^(?:销售|售货员|店员|营业员|卖家|摊主|Salesperson|Sales rep|Seller|Agent)\s*[:：]|(?:^|\n)\s*(?:销售|Salesperson)\s*[:：]|"
    r"我们(?:的|家)(?:产品|枣|货|系统|方案|服务|平板|空调|沙发|滤芯|轴承|显示屏)|给您推荐|为您推荐|推荐您|您可以考虑|"
    r"\bour (?:product|range|model|offer)s?\b|\bi(?:'d| would) recommend\b|\bwe (?:offer|have a|can offer)\b|"
    # the seller's side of the deal: quoting, discounting, arranging for the customer
    r"我们(?:已经|这边|公司|厂里)?(?:已经)?(?:报(?:了|过)(?:这个|那个)?价|报的价|给(?:您|你)(?:们)?报)|我们的报价(?:单)?(?:已经|是|就是)|"
    r"给(?:您|你)(?:们)?(?:报个?价|打(?:个)?[一二三四五六七八九\d.]*折|优惠|让(?:一|点|些|利)|包邮|免费(?:上门|安装|送)|申请(?:优惠|折扣))|"
    r"(?:我们|我这边)(?:会|可以|能|马上|尽快)(?:为|给|帮)(?:您|你)(?:们)?(?:安排|提供|报|发|送|办|处理|打折|优惠)|"
    r"为(?:您|你)(?:们)?(?:提供|报价|服务|安排)|(?:您|你)(?:放心|别担心)[，,]?\s*我们(?:会|一定|保证)|"
    r"\bwe(?:'ve| have)? (?:already )?quoted\b|\bour (?:quote|price|offer) (?:is|was|stands)\b|"
    r"\b(?:we|i) can (?:give|offer|get) you (?:a |an |the )?(?:discount|deal|better price|price)|"
    r"\bwe(?:'ll| will) (?:send|arrange|ship|schedule|install) (?:it|that|this|someone|a technician)? ?(?:for you|to you)\b|"
    r"\blet me (?:check|get|find) (?:that|the price|a quote) for you\b",
    _I,
)
# a reply that only says yes — to a closing push, it is agreeing to buy
BARE_ASSENT = re.compile(
    r"^(?:嗯[，,、\s]*)?(?:好的?|好吧|好呀|好啊|行|行吧|行啊|可以|可以的|没问题|成|中|那好|那行|那就这样|就这样吧|那好吧|那行吧|嗯+)"
    r"(?:[。！!，,~～\s]*(?:我)?(?:明白了?|知道了?|了解了?|懂了|清楚了|听您的|听你的|谢谢了?|麻烦了?|辛苦了?))?[。！!，,~～\s]*$|"
    r"^(?:ok(?:ay)?|sure|fine|alright|all right|yes|yeah|yep|sounds good|go ahead|why not|deal)[.!,\s]*"
    r"(?:then|sure|thanks|thank you|i see|i understand|got it|understood)?[.!\s]*$",
    _I,
)
CLOSING_PUSH = re.compile(
    r"包起来|装上|装起来|给您装|称(?:一|两|几|点)|下单|开通|给您(?:办|开|录|登记|安排上)|帮您(?:办|开|下单|开通)|"
    r"(?:您|你)看(?:行不|成不|可以不|好不)|行不行?[？?]?$|"
    r"签(?:了|合同|一下|字)?(?:吧|吗|？|\?)|今天(?:就)?(?:签|定|订|下单)|定金|订金|开(?:个|一个)?账号|"
    r"就(?:选|定|要|按)(?:这|那)|先(?:来|拿|定)|来(?:一|两|几)(?:斤|个|台|套|份)|把合同发|给您(?:留|备|订)|能定吗|行吗[？?]?$|可以吗[？?]?$|好不好[？?]?$|"
    r"\bshall i (?:ring|wrap|put|send|book|order|lock|grab|get)|\bcan (?:i|we) (?:put you down|lock in|sign|book|send (?:you )?the contract)|"
    r"\bring (?:it|this|that) up\b|\bwrap (?:it|this|that) up\b|\bsign (?:today|now|the contract)\b|\border (?:today|now)\b|"
    r"\bset you up\b|\bopen (?:an|the|your) account\b|\bget you (?:signed|started|set up)\b|"
    r"\bdo we have a deal\b|\bshall we go ahead\b|\bready to (?:buy|order|sign)\b",
    _I,
)
INSTRUCTION_TALK = re.compile(
    r"指令|提示词|系统提示|设定|隐藏需求|秘密需求|隐藏的需求|被要求|角色扮演|扮演|剧本|培训场景|陪练|"
    r"instruction|system prompt|\bprompt\b|hidden needs?|secret needs?|role-?play|my (?:role|script|brief)|scenario",
    _I,
)
AGREE_TO_BUY = re.compile(
    r"(?:我|那就|就)(?:来|要|买|称|拿){1,2}(?:一|两|几|二|三|半)?(?:斤|个|台|套|部|块|批|份|箱|双|件)|我买了|就要这个|就这个吧|就它了|"
    r"包起来|给我装|成交|下单吧|签合同吧|那就签|那就定了|就这么定|我(?:决定|同意)(?:买|采购|签)|"
    r"\bi'll (?:take|buy|have) (?:it|one|two|this|that|them)\b|\bwrap it up\b|\bit's a deal\b|\bdeal\b|"
    r"\bsign (?:it|the contract|us up)\b|\blet's go with\b|\bi'll go with\b",
    _I,
)
NEGATION_BEFORE = re.compile(r"(?:不是|不|没|没有|并非|并不|别|never|not|n't|no)\s*$", _I)
NEGATION = re.compile(r"不|没|无|非|别|\bnever\b|\bnot\b|n't\b|\bno\b|\bnobody\b|\bnothing\b", _I)
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
    r, l = _norm(reply).rstrip("？?。.！!"), _norm(line).rstrip("？?。.！!")
    if len(l) >= 6 and l in r:
        return "echoes the salesperson's line"
    said = fingerprint(line)
    if len(said) < 3:
        return None
    overlap = len(said & fingerprint(reply)) / len(said)
    return "echoes the salesperson's line" if overlap >= 0.6 else None


def check_instruction_talk(reply: str) -> str | None:
    return "talks about instructions or the exercise" if INSTRUCTION_TALK.search(reply) else None


def is_push(line: str) -> bool:
    """A trainee line that asks the customer to buy: a pitch or a closing question."""
    from assistant.roleplay.classify import classify

    return bool(line.strip()) and (bool(CLOSING_PUSH.search(line.strip())) or classify(line).pitch)


def check_agrees_to_buy(reply: str, key_needs_uncovered: bool, line: str = "") -> str | None:
    """Agreeing to buy in words, or a bare yes to a closing push, before the key needs are out."""
    if key_needs_uncovered:
        return None
    if AGREE_TO_BUY.search(reply):
        return "agrees to buy before the key needs are uncovered"
    if BARE_ASSENT.match(reply.strip()) and is_push(line):
        return "agrees to buy before the key needs are uncovered (a bare yes to a push)"
    return None


def check_leak(reply: str, scenario: Scenario, released: set[str], allowed_text: str = "") -> str | None:
    found = leaks(reply, secret_marks(scenario, released, allowed_text))
    return f"leaks unreleased need {found[0]}" if found else None


# meaning thresholds for contradictions (set on hand-written replies, tests/test_roleplay_checks.py):
# a clause of the reply this close to a never_say line, of the same polarity (embeddings do not
# see negation: "不是我自己吃" is close to "我自己吃"), and closer to it than to any of the need's
# facts, contradicts the scenario. A false alarm costs one regeneration; a miss shows a broken persona.
CONTRADICTION_THRESHOLD = 0.92
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
    hints = [n.hint for n in scenario.hidden_needs if n.hint]
    texts = [*clauses, *[s for _, s in pairs], *[f for n in scenario.hidden_needs for f in n.facts], *hints]
    vecs = encode(texts)
    cv = vecs[:len(clauses)]
    nv = vecs[len(clauses):len(clauses) + len(pairs)]
    fv = vecs[len(clauses) + len(pairs):len(vecs) - len(hints)]
    # the authored hints are in character by construction: a clause closer to one of them than
    # to a never_say line says what the scenario lets the customer say
    hint_sims = (cv @ vecs[len(vecs) - len(hints):].T).max(axis=1) if hints else None
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
            if bool(NEGATION.search(clauses[c])) != bool(NEGATION.search(phrase)):
                continue
            to_facts = max((float(fact_sims[c, k]) for k in facts_of[need.id]), default=0.0)
            if hint_sims is not None:
                to_facts = max(to_facts, float(hint_sims[c]))
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
    authored: bool = False  # the reply is a scenario's own line (facts, hint, objection), not the model's

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
        None if ctx.authored else check_echo(reply, ctx.line),
        check_instruction_talk(reply),
        check_agrees_to_buy(reply, ctx.key_needs_uncovered, ctx.line),
        check_leak(reply, ctx.scenario, ctx.released, ctx.allowed_text),
    ]
    reasons = [r for r in cheap if r]
    if reasons or ctx.authored:  # authored lines are not judged as model replies by meaning
        return reasons
    found = check_contradiction(reply, ctx.scenario, semantic=ctx.semantic)
    return [found] if found else []

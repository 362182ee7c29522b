"""The next-move policy: code, not a prompt.

The next move starts from the latest customer turn and follows its thread:
- a buying signal → confirm and close (the needs, the choice, the next step);
- a question about an option, or a request for a recommendation → answer from a confirmed
  need (the kiwi move), else confirm the need first;
- a pain → implication (what happens if it goes on, who is affected, what it costs) →
  need-payoff (what solving it would be worth);
- a need just revealed → confirm it, restated in a few words (never the whole sentence);
- a person → what that person cares about; a vague request → purpose and user;
- otherwise the fixed slot order.
The kiwi move (address a need with a better fit) opens only for a need the *customer*
confirmed, once purpose and user are known, and never in the turn that first revealed it.
Each move records the customer words it builds on (``builds_on``) and carries its own
conversation-specific wording (``example``), which is what is shown when the model's
phrasing fails its checks. Each move names the method card it comes from.
"""

from __future__ import annotations

import re
from typing import Callable, Literal

from pydantic import BaseModel, Field

from assistant.coach.cards import Catalog, Fit
from assistant.coach.options import Option, named_option, related, requested_product, wants_recommendation
from assistant.coach.closing import item_phrase, need_phrase, own_items, speakable_need
from assistant.coach.phrasing import carries_instruction, check_ask, echoes, safe_topic, shape_problem
from assistant.coach.reading import PAIN, Reading, find_person, short_span, span_with
from assistant.coach.state import SLOT_LABELS, DiscoveryState
from assistant.knowledge.citation import cite_entry
from assistant.needs import cues
from assistant.needs.records import NeedRecord
from assistant.needs.restate import fits, repeats, restate_need, within
from assistant.understanding import lexicon

QuestionType = Literal["open", "purpose", "user", "implication", "need_payoff", "confirmation", "address",
                       "close"]
MoveKind = Literal["ask", "confirm", "address", "close"]


class Citation(BaseModel):
    id: str
    title: str
    source: str  # as a person cites it: 《source title》, year
    excerpt: str = ""
    source_file: str = ""  # the raw file name(s), for a details view only


class Offer(BaseModel):
    first: str = ""  # the request, in the variety that fits
    option: str = ""  # the better fit the customer did not ask for
    reason: str = ""
    based_on: str = ""
    answers: str = ""  # the option the customer asked about, when answering a question
    options: list[str] = Field(default_factory=list)  # every option the move names (at most two)
    reasons: list[str] = Field(default_factory=list)  # the reason for each, where one passed its check
    source: str = "knowledge"  # knowledge | conversation | range (the team's own) | model


class Move(BaseModel):
    kind: MoveKind
    slot: str | None = None
    question_type: QuestionType
    card_id: str | None = None
    example: str = ""  # this conversation's wording of the move (shown when phrasing fails)
    rationale: str = ""
    need_id: str | None = None
    need_statement: str = ""  # the need in a few words, the customer's terms
    need_context: str = ""  # the customer's sentence that holds that need (what options are asked for and checked against)
    need_terms: list[str] = Field(default_factory=list)  # words a recommendation must name
    topic: str = ""  # the person / pain / option the move is about
    builds_on: str = ""  # the customer words the move builds on
    offer: Offer | None = None
    need_ids: list[str] = Field(default_factory=list)  # close: the needs marked for the log
    memo: str = ""  # what record_move counts for this move (e.g. "person:儿媳妇")
    citations: list[Citation] = Field(default_factory=list)

    def label(self, language: str = "zh") -> str:
        zh = language == "zh"
        if self.kind == "address":
            return "满足需求" if zh else "Address the need"
        if self.kind == "confirm":
            return "确认需求" if zh else "Confirm"
        if self.kind == "close":
            return "确认成交" if zh else "Confirm and close"
        names = SLOT_LABELS.get(self.slot or "", ("", ""))
        return names[0 if zh else 1]


# slot -> (card purpose, question type, why — zh, why — en)
SLOT_PLAN: dict[str, tuple[str, QuestionType, str, str]] = {
    "purpose": ("what_for", "purpose",
                "先弄清买来做什么：同一件商品，用途不同，要的完全不一样。",
                "Find out what it is for first: the same product serves very different needs."),
    "user": ("who_for", "user",
             "购买者不一定是使用者：真正的需求往往属于背后的那个人。",
             "The buyer is often not the user; the real need belongs to the person behind them."),
    "impact_if_unsolved": ("if_unsolved", "implication",
                           "问清问题不解决的后果，才知道需求有多急、值多少。",
                           "Asking what happens if it stays unsolved shows how urgent and valuable the need is."),
    "business_goals": ("business_goal", "need_payoff",
                       "了解客户的业务目标，方案才能帮客户赚钱，而不只是卖产品。",
                       "Knowing their business goals lets you help them succeed, not just sell."),
    "customer_of_customer": ("customers_customer", "user",
                             "关注客户的客户：客户最在乎的是留住和赢得他们自己的客户。",
                             "Look at the customer's customer: that is what your customer cares about most."),
    "business_customers": ("customers_customer", "user",
                           "客户的客户决定了客户真正要什么。",
                           "The customer's customers decide what the customer really needs."),
    "functional": ("what_for", "open",
                   "用开放式问题让客户多说，功能上的具体要求才会浮现。",
                   "Open questions let the customer talk; concrete functional needs surface."),
    "emotional": ("feelings", "open",
                  "情感与顾虑是外延需求，客户很少主动说，却常常决定成交。",
                  "Feelings and worries are rarely volunteered but often decide the sale."),
    "form": ("form_preferences", "open",
             "品质、品牌、购买和交付方式属于形式需求，问清楚才不会推错。",
             "Quality, brand and channel preferences are form needs; ask before recommending."),
    "price": ("value", "open",
              "客户要的是性价比，不只是低价：先弄清他看重的价值。",
              "Customers want value for money, not just a low price: learn what value means to them."),
    "budget": ("value", "open",
               "了解预算范围，推荐才能落在客户能接受的区间。",
               "Knowing the budget keeps recommendations within reach."),
    "decision_maker": ("who_else", "user",
                       "还有谁参与决定、谁会受影响？漏掉决策者，需求就不完整。",
                       "Who else decides or is affected? Missing them leaves the need incomplete."),
    "decision_process": ("decision", "open",
                         "了解决策流程和步骤，才能把需求推进到商机和合同。",
                         "Knowing the decision process moves the need from lead to contract."),
    "timing": ("decision", "open",
               "时间要求决定了方案和交付的优先级。",
               "Timing sets the priority of the solution and delivery."),
}

# the move's own wording per slot, when no customer words are needed (zh, en)
SLOT_QUESTIONS: dict[str, tuple[str, str]] = {
    "purpose": ("您这次买，主要是打算做什么用的？", "What will you mainly use it for?"),
    "user": ("这次主要是给谁用的？", "Who is it mainly for?"),
    "impact_if_unsolved": ("这个问题要是一直不解决，会有什么影响？", "If this stays unsolved, what happens?"),
    "business_goals": ("今年你们最想达成的业务目标是什么？", "What is the business goal you most want to reach this year?"),
    "customer_of_customer": ("这件事对你们自己的客户有什么影响？", "How does this affect your own customers?"),
    "business_customers": ("你们主要服务哪些客户？", "Who are your main customers?"),
    "functional": ("用的时候，哪几点是少了就不行的？", "When it is in use, what can it not do without?"),
    "emotional": ("做这个决定，您最担心的是什么？", "What worries you most about this decision?"),
    "form": ("在品质或牌子上，您最看重哪一点？", "What matters most to you in quality or brand?"),
    "price": ("您一般怎么判断值不值这个价？", "How do you usually judge whether it is worth the price?"),
    "budget": ("这次的预算大概是怎么考虑的？", "What budget do you have in mind?"),
    "decision_maker": ("这件事还有谁会一起拿主意？", "Who else has a say in this?"),
    "decision_process": ("接下来决定要经过哪几步？", "What steps will the decision go through?"),
    "timing": ("您希望什么时候用上？", "When would you like to have it?"),
}

B2C_ORDER = ("purpose", "user", "functional", "emotional", "form", "price", "budget",
             "decision_maker", "timing")
B2B_ORDER = ("purpose", "impact_if_unsolved", "customer_of_customer", "business_goals", "user",
             "decision_maker", "decision_process", "functional", "timing", "budget", "emotional",
             "form", "price")
MAX_ASKS_PER_SLOT = 2

# who the person behind the buyer is not, and the state they are in: the one lexicon's words
_STAFF = lexicon.cue("staff")
_VAGUE_PEOPLE = lexicon.cue("vague_people")
_STATE_WORDS = lexicon.cue("state_of_person")
_DECIDERS = lexicon.cue("decision_makers")
_WHAT_FITS = lexicon.cue("asks_what_fits")
_AGREE_LEAD = re.compile(r"^(?:是啊|是的|对|对啊|没错|确实|可不是|yeah|yes|exactly|right|true)[，,。.!！\s]+(?:and\s+|而且|还有)?(?=\S{4,})",
                         re.I)
MAX_PAYOFFS = 2  # need-payoff asks in a row while the customer keeps adding what the problem costs
_SALIENT_SKIP = set("的了是我们你您他她它想要吃用买给就也都很还在和与")
# the customer marks what they really want ("我最担心的就是…", "别再摔了", "what she really wants is…"),
# and what only bounds the choice (budget, space, dates)
_WANT_CUE = re.compile(r"最担心|最怕|要的是|就想|想让|最想|真正|别再|不再|"
                       r"\bwhat (?:i|we|she|he|they) (?:really |actually )?(?:need|want)s?\b|"
                       r"\b(?:i|we) (?:really )?need\b|\b(?:she|he|they) (?:really )?(?:wants?|needs?) to\b", re.I)
_CONSTRAINT_CUE = re.compile(r"预算|以内|之内|之前|不大|平方|周末|礼拜|月底|成本|\bbudget|\btops\b|\bweeks?\b|"
                             r"\bhuge\b|\bbooth\b|\bfeet\b|\bgrand\b", re.I)


_TAKES_SUGGESTION = lexicon.cue("choice_suggested")  # "we'll go with your suggestion": a decision, not an invitation

# thanks and goodbye after a close: the follow-up, not a new question
_THANKS = re.compile(r"谢谢|多谢|感谢|谢了|谢啦|麻烦你了|辛苦了|再见|拜拜|先走了|回头(?:再)?联系|\bthanks?\b|\bthank you\b|\bappreciate\b|"
                     r"\bbye\b|\btalk soon\b|\bsee you\b", re.I)


def wanted(need: NeedRecord) -> bool:
    """The customer said this is what they want (not only a fact or a condition)."""
    return bool(_WANT_CUE.search(_unlabel(need.statement)))


def priority(need: NeedRecord) -> int:
    """Which need to restate or answer first: what the customer marked as wanted, then the
    others, then the conditions (budget, space, dates)."""
    if need.dimension == "price" or _CONSTRAINT_CUE.search(need.statement):
        return 2
    return 0 if wanted(need) else 1


def card_examples(card, language: str, words: list[str] | None = None) -> list[str]:
    """A method card's example questions in the conversation's language (Chinese when it has no
    English). With ``words`` (the customer's, so far), an example that speaks of someone they never
    mentioned ("…给儿媳妇吃的、带酸味的水果" in a conversation about a desk lamp) is left out: it
    belongs to the story it was written for."""
    if card is None:
        return []
    examples = list(card.examples_zh if language == "zh" else (card.examples_en or card.examples_zh))
    if words is None:
        return examples
    said = " ".join(words).lower()
    people = lexicon.cue("people")
    return [e for e in examples if all(m.group(0).lower() in said for m in people.finditer(e))]


def card_question(card, slot: str, language: str, k: int = 0) -> str:
    """The card's k-th example question (cycling), or a plain question about the slot when the
    card has none: the fallback wherever a phrased question is not shown."""
    examples = card_examples(card, language)
    if examples:
        return examples[k % len(examples)]
    label = SLOT_LABELS[slot][0 if language == "zh" else 1]
    return f"能多说说您在“{label}”方面的想法吗？" if language == "zh" else f"Could you tell me more about the {label}?"


def ready_to_address(state: DiscoveryState) -> bool:
    """Only once purpose and who it is for are known may the coach suggest a solution."""
    who = state.known("user") or state.known("customer_of_customer") or state.known("impact_if_unsolved")
    return state.known("purpose") and who if not state.is_b2b else (
        (state.known("purpose") or state.known("business_goals")) and who
    )


def _is_question_need(need: NeedRecord) -> bool:
    """A "need" logged from a question back to the salesperson ("有没有更适合他的？")."""
    quotes = [e.quote.strip() for e in need.evidence if e.quote.strip()] or [need.statement]
    return all(re.search(r"[？?]$|吗[。！!]?$|吗[，,]", q) or wants_recommendation(q) for q in quotes) or bool(
        re.search(r"(?:吗|好吗|有没有更适合.*)$", _unlabel(need.statement)))


def _unlabel(text: str) -> str:
    """A statement without the label a reader put before it ("要求：…", "偏好：…")."""
    return re.sub(r"^[\u4e00-\u9fffA-Za-z ]{1,16}[：:]\s*", "", (text or "").strip())


def addressable(need: NeedRecord, state: DiscoveryState) -> bool:
    """A need behind the request (not the request itself, not a price condition, not a question)."""
    if _is_question_need(need) or need.dimension == "price":
        return False
    if need.kind == "implicit" or wanted(need):
        return True
    request = state.stated_request.strip().rstrip("。！？!?.")
    return need.dimension in ("functional", "emotional", "business") and need.statement not in request


def first_turn(need: NeedRecord) -> int:
    return min((e.turn for e in need.evidence), default=0)


def person_of(state: DiscoveryState, customer_words: list[str] | None = None) -> str:
    """The person behind the buyer, as the customer first named them ("儿媳妇")."""
    for text in customer_words or []:
        found = find_person(text)
        if (found and not _VAGUE_PEOPLE.match(found) and not _STAFF.search(found)
                and found not in ("孕妇", "老人", "病人", "患者")):
            return found
    value = state.slots["user"].value
    word = value.split("：")[0] if "：" in value else ""
    if not word:
        found = cues.PEOPLE.search(value)
        word = found.group(0) if found else ""
    return "" if _VAGUE_PEOPLE.match(word) else word


def context_words(customer_words: list[str]) -> str:
    """A state of the person the customer mentioned (怀孕), if any."""
    for text in customer_words:
        found = _STATE_WORDS.search(text)
        if found:
            return found.group(0)
    return ""


def restate(need: NeedRecord, state: DiscoveryState, customer_words: list[str]) -> str:
    """The need in a few words, in the customer's terms, with whose need it is: the one
    restatement service (``needs.restate.restate_need``) on the customer's words that hold it,
    said back to them (我 → 您, I → you)."""
    quote = next((e.quote.strip() for e in need.evidence if e.quote.strip()), "")
    # the customer's words that hold it: their turn, when the quote is found in one (it may be cut
    # short), else the statement when the quote is only its beginning
    source = next((w for w in customer_words if quote and quote in w), "") or (
        _unlabel(need.statement) if not quote or _unlabel(need.statement).startswith(quote) else quote)
    marked = [m.group(0) for m in _WANT_CUE.finditer(source)]  # what they marked as wanted
    return str(restate_need([source], language=state.language, dimension=need.dimension,
                            person=person_of(state, customer_words), context=context_words(customer_words),
                            audience="customer", keep=marked + ([quote] if quote and quote != source else []),
                            avoid=customer_words, clauses=1))


CONFIRMED_NEED_AT = 0.25  # the classifier's need score below which the words that hold a need do not read as one
PHRASE_NEED_AT = 0.2  # ...and below which the few words said back no longer do (set on the dev and seen stories)


def _need_scores(texts: list[str]) -> list[float]:
    """How strongly each sentence reads as an implicit need to the sentence classifier: P(a need)
    times P(implicit), a condition on the price counted out (zeros when it is not available)."""
    try:
        from assistant.understanding import classifier

        model = classifier.default()
        if model is None or not texts:
            return [0.0] * len(texts)
        out = []
        for p in model.predict(texts):
            implicit = p.kind[1] if p.kind[0] == "implicit" else 1.0 - p.kind[1]
            price = p.dimension[1] if p.dimension[0] == "price" else 0.0
            out.append(float(p.need) * (0.5 + 0.5 * implicit) * (1.0 - price))
        return out
    except Exception:  # the confirmed need still answers
        return [0.0] * len(texts)


def _holding_sentence(need: NeedRecord, customer_words: list[str]) -> str:
    """The customer's sentence that holds the need: the one its evidence quote was taken from
    (the quote may be cut short), else the quote itself."""
    quote = next((e.quote.strip() for e in need.evidence if e.quote.strip()), "")
    for turn in customer_words:
        if quote and quote in turn:
            for sentence in lexicon.sentences(turn) or [turn]:
                if quote in sentence or sentence.strip("。！？!?. ") in quote:
                    return sentence.strip()
            return turn
    return quote or _unlabel(need.statement)


_OFFER_NEED_LIMIT = {"zh": 22, "en": 16}  # characters (zh) / words (en) a need phrase inside an offer may take


def _likeness(about: str, texts: list[str]) -> list[float]:
    """Each text's similarity to ``about`` by the shared embedder (zeros when it cannot run)."""
    if not about.strip() or not texts:
        return [0.0] * len(texts)
    try:
        from assistant.understanding.semantic import similarity

        return [float(x) for x in similarity(about, texts)]
    except Exception:  # the need is still said, by the other orders
        return [0.0] * len(texts)


def _clause_about(sentence: str, about: str) -> str:
    """The clause of the sentence that the option is about ("说夏天车间里又闷又热，工人在线上根本干不住"
    with 冷风机 → 说夏天车间里又闷又热): said with the option, the need names what it answers. Only
    clauses the sentence classifier reads as a need are chosen from ("Her physio says cycling would
    do her good now" is the setting, not the need)."""
    clauses = [c.strip() for c in re.split(r"[，,；;]", sentence) if len(c.strip()) >= 4]
    if not about.strip() or len(clauses) < 2:
        return sentence
    needs = [c for c, score in zip(clauses, _need_scores(clauses)) if score >= CONFIRMED_NEED_AT] or clauses
    likeness = _likeness(about, needs)
    return needs[max(range(len(needs)), key=likeness.__getitem__)]


def _need_phrase(need: NeedRecord, state: DiscoveryState, customer_words: list[str], about: str = "") -> str:
    """The need said back in a few words from the one sentence that holds it (the restatement
    service as it is), or "" when it cannot be said well inside an offer: no clause, a question
    or a second sentence in it, too long, or words the sentence classifier no longer reads as a need.
    ``about``: the option the offer names; the clause it answers is said."""
    zh = state.language == "zh"
    sentence = _holding_sentence(need, customer_words)
    if not sentence or carries_instruction(sentence) or re.search(r"[？?]\s*$", sentence):
        return ""
    sentence = _clause_about(sentence, about)
    person = person_of(state, customer_words)
    phrase = str(restate_need([sentence], language=state.language, dimension=need.dimension, person=person,
                              context=context_words(customer_words), audience="customer",
                              keep=[m.group(0) for m in _WANT_CUE.finditer(sentence)], avoid=customer_words,
                              clauses=1)).strip().rstrip("。.!！，,；;")
    said = speakable_need(phrase, state.language, customer_words, person if zh else "")
    if not said or re.search(r"[？?。！!.]", said.rstrip(".")):
        return ""
    size = len(said) if zh else len(said.split())
    if size > _OFFER_NEED_LIMIT["zh" if zh else "en"]:
        return ""
    # said back, it must still read as a need ("you'll be honest", "别再光图便宜" do not)
    return said if _need_scores([said])[0] >= PHRASE_NEED_AT else ""


CONFIRMED_BONUS = 0.15  # how much the customer's yes to a restatement weighs against the classifier's reading


def offer_need(need: NeedRecord, needs: list[NeedRecord], state: DiscoveryState,
               customer_words: list[str], about: str = "") -> tuple[NeedRecord, str]:
    """(the need a recommendation is about, said in a few words): the implicit need behind the
    request. What the customer marked as wanted ("我就想…", "别再…") comes first, the confirmed
    before the others; then the rest by how strongly the sentence classifier reads the sentence
    that holds each as an implicit need (the customer's yes to a restatement counting for a
    little more); words it does not read as a need at all are passed over. With ``about`` (the
    option the offer names), the need whose sentence is nearest to it in meaning comes after the
    marked ones: the offer says what that option answers. The first that can be said well inside
    an offer is said (the restatement service as it is); else the confirmed need as the
    confirmation said it."""
    candidates = [need, *[n for n in needs if n.id != need.id and n.status in ("stated", "confirmed", "addressed")
                          and addressable(n, state) and priority(n) < 2]]
    sentences = [_holding_sentence(n, customer_words) for n in candidates]
    # the quote read alone counts too: a need read in the clause after a contrast ("…, but she's
    # nervous about …") is diluted by the rest of its sentence
    quotes = [next((e.quote.strip() for e in n.evidence if e.quote.strip()), "") or s for n, s in zip(candidates, sentences)]
    scores = [max(a, b) for a, b in zip(_need_scores(sentences), _need_scores(quotes))]
    near = _likeness(about, quotes)

    def key(i: int) -> tuple:
        n, said = candidates[i], sentences[i]
        agreed = n.id == need.id or n.status in ("confirmed", "addressed")
        marked = bool(_WANT_CUE.search(said))
        return (not marked, not agreed if marked else 0, -near[i],
                -(scores[i] + (CONFIRMED_BONUS if agreed else 0.0)))

    for i in sorted(range(len(candidates)), key=key):
        if scores[i] < CONFIRMED_NEED_AT and len(candidates) > 1:
            continue
        phrase = _need_phrase(candidates[i], state, customer_words, about)
        if phrase:
            return candidates[i], phrase
    return need, restate(need, state, customer_words)


NEED = "\x00"  # where the restated need stands in a move's wording


def fill(template: str, restated: str, words: list[str], language: str) -> tuple[str, str]:
    """(restated, wording): the template with the need put in; when the words around it would
    complete a run of the customer's, the restatement's best run of whole words that does not
    (``needs.restate.within``: never words taken from its middle)."""
    if restated and NEED in template:
        before, _, after = template.partition(NEED)
        fewer = within(restated, words, (before, after), language)
        if fewer:
            restated = fewer
    return restated, template.replace(NEED, restated)


def need_key_of(text: str) -> str:
    return re.sub(r"[\W_]+", "", text)


def short_name(option: str, customer_words: list[str], language: str) -> str:
    """An option named by the customer, as the coach refers to it without repeating them: the
    name itself when it is short, else (English) "the" and its head word ("the planters")."""
    if language == "zh" or not option or not repeats(f"the {option}", customer_words):
        return option
    phrase = re.split(r"\s(?:on|with|for|of|in|from|that|which|to)\s", option, maxsplit=1, flags=re.I)[0]
    head = re.findall(r"[A-Za-z][\w-]+", phrase)
    if not head or head[-1].lower() in ("one", "ones", "kind", "type", "model", "models"):
        return "that one"
    for size in range(len(head), 1, -1):  # as much of the name as says it without repeating the customer
        shorter = " ".join(head[-size:])
        if not repeats(f"the {shorter}", customer_words):
            return f"the {shorter}"
    return f"the {head[-1]}"


def _earlier_option(state: DiscoveryState, words: list[str]) -> str:
    """The option the customer asked about in an earlier turn that no move has weighed or offered yet."""
    said = " ".join(k for k in state.asked if k.startswith("offer:"))
    for text in reversed(words[:-1]):
        found = named_option(text, state.language)
        if found and found not in said:
            return found
    return ""


def _spoken_option(option: str, words: list[str], requested: str = "") -> str:
    """An option the customer named, as the coach names it at the start of its line: the whole name
    where an article keeps it from running on into the customer's words ("An AI receptionist"), else
    the shortest end of it that still tells it from the request ("the planters", but "the electric
    guitars" when the request was a guitar), else the whole name (five words in a row are the echo
    measure for English; a name the customer gave is no echo)."""
    plural = option.lower().endswith("s") and not option.lower().endswith("ss")
    article = "" if plural else ("an " if option[:1].lower() in "aeiou" else "a ")
    cap = lambda text: text[0].upper() + text[1:]  # noqa: E731
    for candidate in (f"the {option}", f"{article}{option}"):
        if not repeats(f"{candidate} could work", words):
            return cap(candidate)
    name = short_name(option, words, "en")
    name = name if name.startswith(("the ", "that ")) else f"the {name}"
    if option_terms(name, "en", requested)[1:] or not requested:
        return cap(name)
    words_of = option.split()
    if len(words_of) > 1:  # the request names the head: "electric ones" tells it apart without the run
        one = f"the {' '.join(words_of[:-1])} {'ones' if plural else 'one'}"
        if not repeats(f"{one} could work", words):
            return cap(one)
    return cap(f"the {option}")


def need_terms(need: NeedRecord, language: str, fit: Fit | None = None, restated: str = "") -> list[str]:
    """Words a recommendation must contain to count as naming this need: the knowledge's cue
    words, and the restated need's own words (Chinese: two-character runs; English: content
    words), or the statement's salient characters."""
    terms: list[str] = []
    if fit is not None:
        terms += fit.cues[0]
    if restated and language == "zh":
        core = re.sub(r"^您(?:的)?", "", restated)
        runs = [core[i:i + 2] for i in range(len(core) - 1)]
        terms += [t for t in runs if all("\u4e00" <= ch <= "\u9fff" and ch not in _SALIENT_SKIP for ch in t)]
    elif restated:
        terms += [w for w in re.findall(r"[a-zA-Z]{4,}", restated) if w.lower() not in _EN_STOP][:6]
    if restated and terms:
        pass  # the restated need's words are the ones a recommendation says
    elif language == "zh":
        terms += [ch for ch in need.statement if "\u4e00" <= ch <= "\u9fff" and ch not in _SALIENT_SKIP][:3]
    else:
        terms += [w for w in re.findall(r"[a-zA-Z]{4,}", need.statement)][:3]
    seen: list[str] = []
    for t in terms:
        if t and t not in seen:
            seen.append(t)
    return seen


def find_fit(needs: list[NeedRecord], catalog: Catalog, customer_words: list[str], language: str) -> Fit | None:
    """A better fit the knowledge supports for what the customer said (their words, all turns)."""
    said = " ".join(customer_words) + " " + " ".join(n.statement for n in needs)
    for fit in catalog.fits():
        if fit.english == (language == "en") and fit.matches(said):
            return fit
    return None


def next_move(
    state: DiscoveryState,
    needs: list[NeedRecord],
    catalog: Catalog,
    reading: Reading | None = None,
    *,
    turn: int | None = None,
    customer_words: list[str] | None = None,
    options: Callable[[str, str, str], list[Option]] | None = None,
    decided: bool | None = None,
) -> Move:
    """The next move. ``reading`` is the latest customer turn read for its acts, ``turn`` its
    number, ``customer_words`` all customer turns so far (oldest first). ``options(need,
    requested, language)`` names verified concrete options when neither the knowledge nor the
    conversation has one (the model task in ``coach.options``); ``decided`` is the
    understanding layer's reading of a buying decision, when the caller has it."""
    zh = state.language == "zh"
    r = reading or Reading(text="")
    words = customer_words or ([r.text] if r.text else [])
    last = state.last_move or {}
    quote = _quote(r.text)
    open_needs = [n for n in needs if n.status in ("stated", "confirmed", "addressed")]
    confirmed = [n for n in needs if n.status in ("confirmed", "addressed") and addressable(n, state)]
    confirmed.sort(key=lambda n: (priority(n), n.kind != "implicit", -first_turn(n)))

    # a pain told anywhere in the turn, not dug into yet, leads even when the turn ends with a
    # question about price, delivery or a feature: that question gets a short acknowledgement
    pain_key = f"pain:{safe_topic(r.pain) or turn}"
    fresh_pain = bool(r.pain_sentence) and r.has("pain") and state.asked.get(pain_key, 0) == 0 and not (
        last.get("slot") == "user" and last.get("kind") == "ask" and r.person and not _VAGUE_PEOPLE.match(r.person))
    # once a pain has been dug into, a later one no longer holds back the proposal the customer
    # invites or the move on a need they confirmed: the thread has been followed
    pain_leads = fresh_pain and state.asked.get("impact_if_unsolved", 0) == 0

    # 1. a buying signal: confirm and close (asking for a recommendation is not one, nor a pain
    # told before a question about the product: "…都去隔壁了。点餐平板支持扫码付款吗？")
    # ("we'll go with your suggestion" is a decision that points at the proposal, not an invitation to make one)
    takes_suggestion = bool(_TAKES_SUGGESTION.search(r.text)) and not re.search(r"[？?]\s*$", r.text.strip())
    buying = r.has("buy") or (bool(decided) and (takes_suggestion or not wants_recommendation(r.text))
                              and not _WHAT_FITS.search(r.text) and not (fresh_pain and r.closing_ask))
    thanks = last.get("kind") == "close" and _THANKS.search(r.text) and not r.has("ask", "deny")
    if buying or thanks or (last.get("kind") == "close" and r.has("agree", "other") and not r.has("ask", "need", "pain")):
        if buying:
            r.acts.add("buy")
        return _close(state, needs, catalog, r, last, words)

    # 2. the customer asks about an option or for a recommendation
    option = named_option(r.text, state.language) if r.has("ask") and not pain_leads else ""
    asks_fit = r.asks_for_recommendation or wants_recommendation(r.text) and (r.has("ask") or not r.has("buy")) \
        or bool(_WHAT_FITS.search(r.text))
    if (asks_fit or r.mentioned or option) and not pain_leads:
        if confirmed and ready_to_address(state):
            return _address(state, confirmed[0], needs, catalog, r, words, quote, option=option, options=options,
                            asked=True)
        stated = sorted((n for n in open_needs if n.status == "stated" and addressable(n, state)),
                        key=lambda n: (priority(n), -first_turn(n)))
        if option and (confirmed or stated) and f"weigh:{option}" not in state.asked:
            # asked about one option before it can be recommended: say what it is to be weighed against
            move = _confirm_option(state, (confirmed or stated)[0], needs, option, catalog, words, quote)
            if move is not None:
                return move
        for need in stated[:1]:
            move = _confirm_need(state, need, catalog, words, quote)
            if move is not None:
                return move
        if asks_fit and last.get("kind") == "confirm" and not last.get("need_id") and "fit:summary" not in state.asked:
            # the customer agreed to the salesperson's own summary and asks what fits: recommend from it
            return _from_summary(state, catalog, summary_core(last.get("topic") or "", state.language), words, quote,
                                 options)

    # 3. the restatement was turned down: ask what would fit instead
    if last.get("kind") == "confirm" and r.has("deny"):
        return _ask(state, catalog, "functional", "open", _t(zh, "那您心里最想要的是什么样的？",
                                                            "What would suit you better, then?"),
                    _t(zh, "客户没有认同刚才的复述：别辩解，请客户用自己的话说清楚。",
                       "The customer did not agree with the restatement: don't argue, let them say it."),
                    quote)

    # 4. the kiwi move: a need the customer confirmed, not revealed in this turn
    if ready_to_address(state) and not pain_leads:
        for need in confirmed:
            if (need.id not in state.addressed and f"fit:{need.id}" not in state.asked
                    and (turn is None or first_turn(need) < turn)):
                return _address(state, need, needs, catalog, r, words, quote, options=options)

    # 5. a pain: dig into it (implication), then what solving it would be worth (need-payoff)
    stated_now = [n for n in open_needs if n.status == "stated" and turn is not None and first_turn(n) == turn
                  and addressable(n, state)]
    if last.get("question_type") == "implication" and not r.has("deny", "buy"):
        if r.has("need") and not r.has("pain") and stated_now:  # with a pain in it, the payoff first
            move = _confirm_need(state, stated_now[0], catalog, words, quote)
            if move is not None:
                return move
        move = _payoff(state, catalog, safe_topic(last.get("topic", "")), quote)
        move.memo = "payoff:1"
        return move
    # the customer answered the payoff question with more of what the problem costs ("是啊，一年亏掉两百来万"):
    # still on the thread, so ask again what solving it would be worth (not a confirmation of the cost)
    payoffs = sum(state.asked.get(f"payoff:{i}", 0) for i in range(1, MAX_PAYOFFS + 1))
    if (last.get("question_type") == "need_payoff" and last.get("kind") == "ask" and payoffs < MAX_PAYOFFS
            and not r.has("deny", "buy", "need", "ask", "request")
            and (r.has("pain", "feeling") or _AGREE_LEAD.search(r.text.strip()))):
        move = _payoff(state, catalog, safe_topic(r.pain) or safe_topic(last.get("topic", "")), quote)
        move.memo = f"payoff:{payoffs + 1}"
        return move
    # the answer to "who is it for?" names the person: what that person cares about comes first
    if last.get("slot") == "user" and last.get("kind") == "ask" and r.person and not _VAGUE_PEOPLE.match(r.person):
        context = _STATE_WORDS.search(r.text)
        key = f"person:{r.person}:{context.group(0) if context else ''}"
        if state.asked.get(key, 0) == 0:
            return _person(state, catalog, r.person, context.group(0) if context else "", quote)
    if r.has("pain"):
        topic = safe_topic(r.pain)
        key = f"pain:{topic or turn}"
        if state.asked.get(key, 0) == 0:
            pain_words = span_with(r.pain_sentence or r.text, PAIN, 40) if PAIN.search(
                r.pain_sentence or r.text) else short_span(r.pain_sentence or r.text, 40)
            move = _implication(state, catalog, topic, state.asked.get("impact_if_unsolved", 0),
                                "" if carries_instruction(pain_words) else pain_words,
                                closing=r.closing_ask)
            move.memo = key
            return move

    # a worry or pressure with nothing wanted yet ("业委会点名了…我们压力很大"): dig into it as a pain
    if (r.has("feeling") and not r.has("need", "request", "ask", "buy", "agree", "deny", "person", "constraint")
            and not _STATE_WORDS.search(r.text) and state.asked.get(f"feeling:{turn}", 0) == 0):
        move = _implication(state, catalog, "", state.asked.get("impact_if_unsolved", 0), quote)
        move.memo = f"feeling:{turn}"
        return move

    # the person who decides, and what they weigh ("最后得院长点头，他特别看重安全"): ask about that person
    decider = _DECIDERS.search(r.text)
    if decider and not r.has("buy", "ask") and state.asked.get(f"person:{decider.group(0)}:", 0) == 0:
        return _person(state, catalog, decider.group(0), "", quote, decider=True)

    # 6. a need just revealed (or left unconfirmed): restate it and let the customer confirm
    fresh = [n for n in open_needs if n.status == "stated" and (turn is None or first_turn(n) == turn)]
    if fresh and r.has("need") and not r.has("request"):  # a want said earlier and never restated comes first
        fresh += [n for n in open_needs if n.status == "stated" and n not in fresh and wanted(n)
                  and addressable(n, state) and f"confirm:{n.id}" not in state.asked]
    fresh.sort(key=lambda n: (n.dimension == "price", priority(n), n.kind != "implicit"))
    if fresh and r.has("need") and not r.has("request") and f"confirm:{fresh[0].id}" not in state.asked:
        move = _confirm_need(state, fresh[0], catalog, words, quote)
        if move is not None:
            return move
    if last.get("question_type") == "need_payoff":
        pending = [n for n in open_needs if n.status == "stated" and f"confirm:{n.id}" not in state.asked
                   and addressable(n, state)]
        pending.sort(key=lambda n: (priority(n), -first_turn(n)))  # what is wanted, then the newest need
        for need in pending[:1]:
            move = _confirm_need(state, need, catalog, words, quote)
            if move is not None:
                return move

    # 7. a person: what that person cares about (who exactly, when it is "the family")
    person = r.person or ""
    if person and _VAGUE_PEOPLE.match(person) and state.asked.get("user:who", 0) == 0:
        verb = "吃" if "吃" in r.text else "用"
        return _ask(state, catalog, "user", "user", _t(zh, f"具体是给家里哪一位{verb}的呢？", "Who exactly is it for?"),
                    SLOT_PLAN["user"][2 if zh else 3], quote, topic=person, key="user:who")
    named = person if person and not _VAGUE_PEOPLE.match(person) else ""
    context = _STATE_WORDS.search(r.text)
    if not named and context and person_of(state, words):
        named = person_of(state, words)
    context_word = context.group(0) if context else ""
    if named and state.asked.get(f"person:{named}:{context_word}", 0) == 0:
        return _person(state, catalog, named, context_word, quote)

    # 8. a vague request: purpose, then user
    for slot in ("purpose",) if state.is_b2b else ("purpose", "user"):
        if slot == last.get("slot"):
            continue  # not the same slot twice in a row: if the customer dodged, try another angle
        if not state.known(slot) and state.asked.get(slot, 0) < MAX_ASKS_PER_SLOT and (
                r.has("request") or not open_needs):
            return _slot_ask(state, catalog, slot, quote)

    # 9. the fixed slot order
    return _fallback(state, catalog, quote)


# ---- the moves -------------------------------------------------------------------------------


def _quote(text: str) -> str:
    """The customer words a move builds on: the turn's first sentence, at most 60 characters."""
    if not text:
        return ""
    for sentence in cues.sentences(text) or [text]:
        sentence = sentence.strip().rstrip("。！？!?.")
        if sentence and not carries_instruction(sentence):  # words aimed at a model are not shown back
            return sentence[:60]
    return ""


def _t(zh: bool, a: str, b: str) -> str:
    return a if zh else b


def _ask(state, catalog, slot, qtype, example, rationale, quote, *, topic="", key="") -> Move:
    purpose = SLOT_PLAN.get(slot, ("what_for",))[0]
    move = Move(kind="ask", slot=slot, question_type=qtype, example=example, rationale=rationale,
                builds_on=quote, topic=topic, memo=key)
    return _with_card(move, purpose, catalog, state.language)


def _slot_ask(state, catalog, slot, quote) -> Move:
    zh = state.language == "zh"
    purpose, qtype, why_zh, why_en = SLOT_PLAN[slot]
    example = SLOT_QUESTIONS[slot][0 if zh else 1]
    move = Move(kind="ask", slot=slot, question_type=qtype, example=example,
                rationale=why_zh if zh else why_en, builds_on=quote)
    return _with_card(move, purpose, catalog, state.language)


def _person(state, catalog, person, context, quote, *, decider: bool = False) -> Move:
    zh = state.language == "zh"
    who = person if (not zh or person.startswith(("我", "您"))) else (f"你们{person}" if decider else f"您{person}")
    who = who.replace("我", "您", 1) if zh else who
    if decider:
        example = (f"{who}做这个决定，最看重的是哪几点？" if zh else
                   f"When your {person.lower()} decides on this, what will they weigh most?")
    elif zh:
        example = f"{who}{context}以后，最在意的是什么？" if context else f"{who}平时最在意的是什么？"
    else:
        example = f"What matters most to your {person} right now?" if context else f"What matters most to your {person}?"
    move = Move(kind="ask", slot="user", question_type="user", example=example, topic=person, builds_on=quote,
                rationale=_t(zh, f"客户提到了{person}：真正的标准在使用的人那里，先问{person}在意什么。",
                             f"The customer named their {person}: the real criteria are that person's; ask what they care about."))
    move.memo = f"person:{person}:{context}"
    return _with_card(move, "who_for", catalog, state.language)


_PRICE_ASK = re.compile(r"多少钱|价格|价钱|报价|怎么卖|费用|贵不贵|一年多少|\bhow much\b|\bprice|\bcost|\bper seat\b|"
                        r"\bplan\b|\bquote\b", re.I)
_DELIVERY_ASK = re.compile(r"送到|送货|发货|到货|现货|多久能|几天|装好|安装|\bship|\bdeliver|\bin stock\b|\bhow (?:fast|soon)\b",
                           re.I)


def acknowledge(closing: str, zh: bool) -> str:
    """A short acknowledgement of the question that closed the turn, in the coach's words (never
    the customer's): the price, the delivery, or the point asked about comes after the pain."""
    if not closing:
        return ""
    if _PRICE_ASK.search(closing):
        return _t(zh, "价格我待会儿给您细算。", "I'll come back to the price in a moment. ")
    if _DELIVERY_ASK.search(closing):
        return _t(zh, "到货时间我稍后给您确认。", "I'll check the delivery time for you shortly. ")
    return _t(zh, "您问的这一点我等下细说。", "I'll answer that in a moment. ")


def _implication(state, catalog, topic, asked, quote, closing: str = "") -> Move:
    zh = state.language == "zh"
    if zh:
        variants = [f"{topic}，要是一直这样下去，会有什么影响？" if topic else "这个情况要是一直这样下去，会有什么影响？",
                    "这件事现在对谁的影响最大？",
                    "这件事现在大概让你们多花多少时间或钱？"]
    else:
        variants = [f"If {topic} goes on, what happens?" if topic else "If this goes on, what happens?",
                    "Who is affected most by it right now?",
                    "What does it cost you today, in time or money?"]
    ack = acknowledge(closing, zh)
    question = variants[asked % 3]
    if ack and not zh:
        question = "First, " + question[0].lower() + question[1:] if not question.startswith("If ") else \
            "First — " + question[0].lower() + question[1:]
    elif ack:
        question = "先问一句：" + question
    move = Move(kind="ask", slot="impact_if_unsolved", question_type="implication", example=ack + question,
                topic=topic or "", builds_on=quote,
                rationale=_t(zh, "客户说出了一个麻烦：顺着它问下去——继续这样会怎样、影响到谁、代价多大，需求才会浮出来。",
                             "The customer named a difficulty: follow it — what happens if it goes on, who is "
                             "affected, what it costs — and the need surfaces."))
    return _with_card(move, "if_unsolved", catalog, state.language)


def _payoff(state, catalog, topic, quote) -> Move:
    zh = state.language == "zh"
    example = (f"如果{topic}这件事解决了，对您意味着什么？" if topic else "如果这件事解决了，对您意味着什么？") if zh else (
        f"If {topic} were solved, what would that be worth to you?" if topic else "If that were solved, what would it mean for you?")
    move = Move(kind="ask", slot="business_goals", question_type="need_payoff", example=example, topic=topic or "",
                builds_on=quote,
                rationale=_t(zh, "影响已经说出来了：请客户自己说出解决它的价值，需求就由客户亲口确认。",
                             "The impact is out: let the customer say what solving it would be worth."))
    return _with_card(move, "business_goal", catalog, state.language)


def _confirm_need(state, need, catalog, words, quote) -> Move | None:
    """Restate the need for the customer to confirm; None when it cannot be said in other words."""
    zh = state.language == "zh"
    restated, example = fill("我确认一下：是\x00，对吗？" if zh else "Let me check I have it right: \x00, is that it?",
                             restate(need, state, words), words, state.language)
    if not restated or echoes(example, words) or not fits(example, words) or carries_instruction(restated):
        return None
    move = Move(kind="confirm", slot=None, question_type="confirmation", need_id=need.id,
                need_statement=restated, example=example, builds_on=quote or (need.evidence[0].quote[:60] if need.evidence else ""),
                need_terms=need_terms(need, state.language),
                rationale=_t(zh, "客户说出了一个需求：用几个字复述给客户，请客户确认——客户认可了，才算确认的需求。",
                             "The customer stated a need: restate it in a few words and let them confirm it; "
                             "only their yes makes it confirmed."))
    return _with_card(move, "confirm", catalog, state.language)


def _confirm_option(state, need, needs, option, catalog, words, quote) -> Move | None:
    """The customer asks about one option before the need it is to be weighed against is confirmed
    (or before purpose and user are known): say what it will be weighed against — the need behind
    the request, in a few words — and let the customer confirm that; None when the need cannot be
    said well."""
    zh = state.language == "zh"
    chosen, phrase = offer_need(need, needs, state, words)
    if not phrase:
        return None
    option = item_phrase(option, state.language) or option
    if zh:
        template = f"{option}合不合适，要看它对不对得上{NEED}这一点——这是您最看重的，对吗？"
    else:
        name = _spoken_option(option, words, requested_product(state.stated_request, "en"))
        name = name if name.startswith(("A ", "An ")) and name[2:3].isupper() else name[0].lower() + name[1:]
        template = f"Whether {name} would suit comes down to this: {NEED} — is that the main thing?"
    restated, example = fill(template, phrase, words, state.language)
    if echoes(example, words) or check_ask(example, words, state.language) is not None or shape_problem(
            example, state.language):
        return None
    move = Move(kind="confirm", slot=None, question_type="confirmation", need_id=chosen.id, need_statement=restated,
                example=example, builds_on=quote, topic=option, memo=f"weigh:{option}",
                need_terms=need_terms(chosen, state.language, restated=restated),
                rationale=_t(zh, "客户问到一个具体的选择，但要对照的需求还没确认：先说清要拿什么来衡量它，请客户确认，再谈合不合适。",
                             "The customer asks about one option before the need it must serve is confirmed: say "
                             "what it will be weighed against and let them confirm that first."))
    return _with_card(move, "confirm", catalog, state.language)


def _need_context(spoken: NeedRecord, restated: str, words: list[str]) -> str:
    """What a need is, for finding and checking options: the customer's sentence that holds it
    (the few words said back may leave out what it is about: "工人在线上根本干不住" without the
    heat), else the words said back."""
    sentence = _holding_sentence(spoken, words)
    return sentence if sentence and not carries_instruction(sentence) and len(sentence) <= 80 else restated


def _address(state, need, needs, catalog, r: Reading, words, quote, *, option: str = "",
             options: Callable[[str, str, str], list[Option]] | None = None, asked: bool = False) -> Move:
    move = _address_move(state, need, needs, catalog, r, words, quote, option=option, options=options, asked=asked)
    if move.kind == "address" and not move.need_context:
        spoken, _ = offer_need(need, needs, state, words)
        move.need_context = _need_context(spoken, move.need_statement, words)
    return move


def _address_move(state, need, needs, catalog, r: Reading, words, quote, *, option: str = "",
                  options: Callable[[str, str, str], list[Option]] | None = None, asked: bool = False) -> Move:
    """The kiwi move. In order: the option the customer asked about, weighed against the need;
    the better fit the knowledge supports; options the model named and the checks passed; and
    with none of these, a question about what would fit (never a vague promise)."""
    zh = state.language == "zh"
    fit = find_fit(needs, catalog, words, state.language)
    knowledge_answers = fit is not None and any(
        m and (m in (fit.option, fit.first) or fit.option in m) for m in [*r.mentioned, option])
    if option and not knowledge_answers:
        spoken, restated = offer_need(need, needs, state, words, about=option)  # what this option answers
        return _weigh_option(state, need, restated, option, catalog, words, quote, spoken=spoken)
    rationale = _t(zh, "需求已由客户确认：先满足原来的请求，再推荐更合适、客户没开口要的选择，并说明理由——就像卖枣的小伙子推荐了猕猴桃。",
                   "The customer confirmed the need: meet the request first, then offer the better fit they did "
                   "not ask for, with the reason — like the kiwis in the jujube story.")
    if fit is None and asked and not option:  # an option the customer brought up earlier, not weighed yet
        earlier = _earlier_option(state, words)
        if earlier:
            spoken, restated = offer_need(need, needs, state, words, about=earlier)
            return _weigh_option(state, need, restated, earlier, catalog, words, quote, spoken=spoken)
    spoken, restated = offer_need(need, needs, state, words)  # the need the offer is about, in a few words
    if fit is None and options is not None and f"options:{need.id}" not in state.asked:
        requested = requested_product(state.stated_request, state.language)
        try:
            found = options(_need_context(spoken, restated, words), requested, state.language)[:2]
        except Exception:  # the options are a help, never a cost to the turn
            found = []
        if found:
            spoken, restated = offer_need(need, needs, state, words, about=f"{found[0].name} {found[0].reason}")
            return _offer_options(state, need, restated, requested, found, catalog, words, quote, rationale,
                                  spoken=spoken)
    if fit is None:
        said = speakable_need(restated, state.language, words, person_of(state, words) if zh else "")
        if said:
            restated, example = fill("考虑到\x00，您觉得什么样的会更合适？" if zh else
                                     "Given that \x00, what would suit you best?", said, words, state.language)
        else:  # the need cannot be said well here: ask without it rather than say it badly
            example = _t(zh, "照您刚才说的这些，您觉得什么样的会更合适？", "Going by what you've told me, what would suit you best?")
        move = Move(kind="ask", slot="functional", question_type="need_payoff", need_id=need.id,
                    need_statement=restated, example=example, builds_on=quote, memo=f"fit:{need.id}",
                    rationale=_t(zh, "需求已确认，但知识和对话里还没有具体可推荐的选项：先问客户什么样的会更合适，不空口许诺。",
                                 "The need is confirmed but nothing concrete fits yet: ask what would suit them "
                                 "rather than promise vaguely."))
        if options is not None:
            move.memo = f"options:{need.id}"  # the model was asked once for this need; not again
            state.asked.setdefault(f"fit:{need.id}", 0)
        return _with_card(move, "address_need", catalog, state.language)
    answers = next((m for m in [*r.mentioned, option] if m and (m in (fit.option, fit.first) or fit.option in m)), "")
    offered_before = f"offer:{fit.first}|{fit.option}" in state.asked
    if zh:
        if offered_before and not answers:
            template = f"除了{fit.first}，还可以试试{fit.option}：正好对上{NEED}——{fit.reason}，要不要带点？"
        elif answers:
            template = f"可以的，{fit.option}正好对上{NEED}：{fit.reason}；要不要也带一些？"
        else:
            template = f"{fit.first}我们有，您先尝尝；另外{fit.option}正好对上{NEED}：{fit.reason}，要不要也带点试试？"
    else:
        if offered_before and not answers:
            template = (f"Besides the {fit.first}, {fit.option} are worth a try: {fit.reason}, just right since "
                        f"{NEED}. Would you like some?")
        elif answers:
            template = f"Yes — {fit.option} are {fit.reason}, just right since {NEED}. Shall I add some?"
        else:
            template = (f"We have the {fit.first} you asked for; and since {NEED}, {fit.option} are worth a try "
                        f"too — {fit.reason}. Would you like some?")
    restated, example = fill(template, restated, words, state.language)
    move = Move(kind="address", question_type="address", need_id=need.id, need_statement=restated,
                example=example, builds_on=quote or (need.evidence[0].quote[:60] if need.evidence else ""), topic=fit.option,
                need_terms=need_terms(spoken, state.language, fit),
                offer=Offer(first=fit.first, option=fit.option, reason=fit.reason, based_on=fit.based_on,
                            answers=answers),
                rationale=rationale)
    _with_card(move, "address_need", catalog, state.language)
    entry = catalog.get(fit.based_on) if fit.based_on else None
    if entry is not None and all(c.id != entry.id for c in move.citations):
        move.citations.insert(0, Citation(id=entry.id, title=entry.title(state.language),
                                          source=", ".join(entry.sources), excerpt=entry.excerpt()))
    return move


def option_terms(option: str, language: str, requested: str = "") -> list[str]:
    """Words a text must contain to count as naming ``option``: the option itself, or (zh) a
    4-character run of it, or (en) one of its content words not in the request."""
    option = option.strip()
    if not option:
        return []
    if language == "zh":
        runs = [option[i:i + 4] for i in range(0, max(1, len(option) - 3))]
        return list(dict.fromkeys([option, *[r for r in runs if r not in requested]]))
    req = requested.lower()
    words = [w for w in re.findall(r"[a-z]{4,}", option.lower()) if w not in _EN_STOP and w.rstrip("s") not in req]
    return list(dict.fromkeys([option, *words]))


_EN_STOP = {"those", "these", "that", "this", "with", "from", "ones", "kind", "sort", "type", "some", "your", "their",
            "really", "needs", "need", "know", "when", "someone", "would", "about", "just", "very", "more"}


def _weigh_option(state, need, restated, option, catalog, words, quote, *, spoken: NeedRecord | None = None) -> Move:
    """The customer asked about a specific option: weigh it against the need, in the customer's
    terms — whether it goes at the need (the option near the need by the shared embedder) and what
    to check before deciding — rather than offering it back."""
    zh = state.language == "zh"
    named = re.match(r"^(\w+) with (?:a |an |the )?([\w-]+(?: [\w-]+)?)$", option) if not zh else None
    if named:  # "phones with a flashing light" → "flashing-light phones": the option, in the coach's words
        option = f"{named.group(2).replace(' ', '-')} {named.group(1)}"
    option = item_phrase(option, state.language) or option  # "those AI receptionist things" → AI receptionist
    person = person_of(state, words)
    kin = bool(person) and not _STAFF.search(person)  # "您爸", but "工人", not "您工人"
    who = ((f"您{person}" if kin else person) if person and not person.startswith(("我", "您"))
           else (person.replace("我", "您", 1) or "您")) if zh else (f"your {person}" if person else "you")
    # the need is said only where it reads well in the frame; else the move weighs the option without it
    speakable = speakable_need(restated, state.language, words, person if zh else "")
    if speakable and _need_scores([speakable])[0] < PHRASE_NEED_AT:
        speakable = ""  # words that no longer read as a need are not said as one
    restated, said_well = speakable or restated, bool(speakable)
    serves = said_well and related(option, restated)  # the option goes at this need, by meaning
    if not zh and state.is_b2b:
        who = "your team"
    if zh:
        if serves:
            template = f"{option}正好对上{NEED}这一点，要确认的是它在您这儿是不是真管用："
        elif said_well:
            template = f"{option}要看对不对得上{NEED}这一点："
        else:
            template = f"{option}可以考虑，关键看它合不合适："
        restated, example = fill(template + f"建议先让{who}实际试一试，合适再定，您看行吗？", restated, words, "zh")
    else:
        name = _spoken_option(option, words, requested_product(state.stated_request, "en"))
        if serves:
            fits = f"would go right at what you told me — {NEED}; the thing to check is whether it works that way here"
        elif said_well:
            fits = f"could work — the thing to check is whether it helps with this: {NEED}"
        else:
            fits = "could work — the thing to check is how it fits what you've told me"
        restated, example = fill(f"{name} {fits}. It's worth letting {who} try one first; shall we check that?",
                                 restated, words, "en")
    requested = requested_product(state.stated_request, state.language)
    terms = need_terms(spoken or need, state.language, restated=restated) if said_well else []
    move = Move(kind="address", question_type="address", need_id=need.id, need_statement=restated,
                example=example, builds_on=quote, topic=option, need_terms=terms,
                offer=Offer(option=option, answers=option, options=[option], source="conversation",
                            reason=_t(zh, "对照客户确认的需求来看", "weighed against the confirmed need")),
                rationale=_t(zh, "客户问到了一个具体的选择：对照客户确认过的需求说它合不合适、要先确认什么，用客户自己的话，不夸产品。",
                             "The customer asked about a specific option: weigh it against the need they confirmed, "
                             "in their terms — why it fits or what to check — without a pitch."))
    move.offer.first = requested
    return _with_card(move, "address_need", catalog, state.language)


_ZH_SUMMARY_LEAD = re.compile(r"^(?:所以|那|那么|也就是说|就是说|我确认一下|我理解|总结一下|简单说|我总结一下)?[，,：: ]*"
                              r"(?:您|你)?(?:们)?(?:的意思是|要的是|需要的是|想要的是|需要|想要|要)?")
_ZH_SUMMARY_TAIL = re.compile(r"[，, ]*(?:对吗|对吧|是吗|是不是|没错吧|对不对|吗)?[？?。]*$")
_EN_SUMMARY_LEAD = re.compile(r"^(?:so|okay|ok|right|just to check|let me check|to sum up)?[,:]?\s*(?:what )?(?:you|you're|your team)?\s*"
                              r"(?:need is|want is|need|want|are after|'re after|are looking for|'re looking for)?\s*", re.I)
_EN_SUMMARY_TAIL = re.compile(r"[,\s]*(?:right|correct|is that it|is that right|yes)?\s*[?.]*$", re.I)


def summary_core(text: str, language: str) -> str:
    """What a salesperson's summary says the customer needs ("所以您要的是静音、小体积、能放在卧室的，对吗？"
    → 静音、小体积、能放在卧室; "So you need something that works offline?" → something that works
    offline), or "" when it is too long to say back or carries an instruction."""
    text = (text or "").strip()
    if not text or carries_instruction(text):
        return ""
    if language == "zh":
        core = _ZH_SUMMARY_TAIL.sub("", _ZH_SUMMARY_LEAD.sub("", text, count=1)).strip("，,、 ")
        core = re.sub(r"(?<=[\u4e00-\u9fff])的$", "", core)
        return core if 2 <= len(core) <= 30 and not re.search(r"[。！？!?]", core) else ""
    core = _EN_SUMMARY_TAIL.sub("", _EN_SUMMARY_LEAD.sub("", text, count=1)).strip(" ,")
    return core if 2 <= len(core.split()) <= 16 and not re.search(r"[.!?]", core) else ""


def _from_summary(state, catalog, summary: str, words, quote, options) -> Move:
    """The customer agreed to the salesperson's summary and invites a proposal: concrete options for
    it when the verified options task names some (the summary is the need), else a question that
    names the summary and asks which point the proposal should be built around."""
    zh = state.language == "zh"
    requested = requested_product(state.stated_request, state.language)
    found: list[Option] = []
    if summary and options is not None:
        try:
            found = options(summary, requested, state.language)[:2]
        except Exception:  # the options are a help, never a cost to the turn
            found = []
    rationale = _t(zh, "客户认可了销售的总结，想听推荐：按总结的需求给出具体选项并说明理由；没有具体选项就先问最不能让步的一点。",
                   "The customer agreed to the summary and invites a proposal: name concrete options for it, with "
                   "the reason; without one, ask which point it must be built around.")
    if found:
        parts = [_t(zh, f"{o.name}：{o.reason or '正合这几点'}", f"{o.name} — {o.reason or 'it suits those points'}")
                 for o in found]
        example = (f"按您认可的{summary}这几点，可以看看" + "；".join(parts) + "。您想先看哪一款？") if zh else (
            f"Going by what you just agreed — {summary} — two options fit: " + "; ".join(parts)
            + ". Which would you like to see first?")
        terms = _summary_terms(summary, state.language)
        move = Move(kind="address", question_type="address", need_statement=summary, example=example, builds_on=quote,
                    topic=found[0].name, need_terms=terms, memo="fit:summary", rationale=rationale,
                    offer=Offer(first=requested, option=found[0].name, reason=found[0].reason,
                                options=[o.name for o in found], reasons=[o.reason for o in found],
                                source=found[0].source))
        return _with_card(move, "address_need", catalog, state.language)
    if summary:
        example = _t(zh, f"按您认可的{summary}这几点，我先按最要紧的那一点给您挑两款——哪一点最不能让步？",
                     f"Going by what you just agreed — {summary} — I'll pick two options around the point that "
                     f"matters most: which one can't you compromise on?")
        if echoes(example, words) or shape_problem(example, state.language):
            summary = ""
    if not summary:
        example = _t(zh, "您刚认可的这几点里，我按最不能让步的那一点给您挑两款——是哪一点？",
                     "Of the points you just agreed, I'll pick two options around the one you can't compromise "
                     "on — which is it?")
    move = _ask(state, catalog, "functional", "need_payoff", example, rationale, quote, key="fit:summary")
    move.need_statement = summary
    return move


def _summary_terms(summary: str, language: str) -> list[str]:
    """Words an offer must name to count as saying the summary back: its items (zh), its content words (en)."""
    if language == "zh":
        return [p for p in re.split(r"[、，,和]|还要|又要|要", summary) if len(p.strip()) >= 2][:4] or [summary]
    return [w for w in re.findall(r"[a-zA-Z]{4,}", summary) if w.lower() not in _EN_STOP][:6] or [summary]


def _offer_options(state, need, restated, requested, found: list[Option], catalog, words, quote, rationale, *,
                   spoken: NeedRecord | None = None) -> Move:
    """Concrete options named by the model and verified: at most two, each with its reason, the
    first said against the need it serves ("X正好对上<need>：<why>")."""
    zh = state.language == "zh"
    said = speakable_need(restated, state.language, words, person_of(state, words) if zh else "")
    parts = []
    for i, o in enumerate(found[:2]):
        reason = o.reason or _t(zh, "正合这个需要", "it suits that need")
        if i == 0 and said:
            parts.append(_t(zh, f"{o.name}正好对上{NEED}：{reason}", f"{o.name} fits what you told me — {NEED}: {reason}"))
        else:
            parts.append(_t(zh, f"{o.name}也值得看看：{reason}" if i == 0 else f"{o.name}也可以考虑：{reason}",
                            f"{o.name} may suit better — {reason}" if i == 0 else f"{o.name} is another good fit — {reason}"))
    if zh:
        lead = f"{requested}我们有；另外" if requested else ("" if said else "照您说的这些，")
        template = lead + "；".join(parts) + "。要不要看看？"
    else:
        lead = f"We have the {requested}; and " if requested else ("" if said else "Going by what you've told me, ")
        body = "; ".join(parts)
        template = lead + (body if lead else body[0].upper() + body[1:]) + ". Would you like to see them?"
    restated, example = fill(template, said or restated, words, state.language)
    first = found[0]
    move = Move(kind="address", question_type="address", need_id=need.id, need_statement=restated, example=example,
                builds_on=quote or (need.evidence[0].quote[:60] if need.evidence else ""), topic=first.name,
                need_terms=need_terms(spoken or need, state.language, restated=restated) if said else [],
                offer=Offer(first=requested, option=first.name, reason=first.reason, options=[o.name for o in found[:2]],
                            reasons=[o.reason for o in found[:2]], source=first.source),
                memo=f"options:{need.id}", rationale=rationale)
    return _with_card(move, "address_need", catalog, state.language)


def _close(state, needs, catalog, r: Reading, last, words) -> Move:
    zh = state.language == "zh"
    picked = [n for n in needs if n.status in ("stated", "confirmed", "addressed")]
    key = [n for n in picked if n.id in state.addressed] or sorted(
        (n for n in picked if addressable(n, state)), key=lambda n: (n.status == "stated", n.kind != "implicit"))
    summary_needs = [restate(n, state, words) for n in key[:1]]
    choice = _choice_words(r.text) if r.has("buy") else ""
    # after a close, thanks and goodbye are the follow-up, unless the turn takes something new
    # ("谢谢…下回我让他自己过来再买一双" buys nothing now; "谢谢，再加一斤" does)
    thanked = bool(_THANKS.search(r.text)) and not (own_items(r.text, state.language) and not _later_only(r.text, state))
    follow_up = last.get("kind") == "close" and (not r.has("buy") or thanked)
    items = _offers_so_far(state)
    offer = (last.get("offer") or {}) if last.get("kind") == "address" else {}
    # what the customer chose: the option just weighed or offered when they say "这个 / that one"
    chosen = offer.get("option") or "" if re.search(r"这个|这款|这台|这套|那个|那款|that one|this one|that|it\b", r.text, re.I) else ""
    unit = bool(re.search(r"[斤个盒份袋箱瓶包罐张台把套件]", choice))
    fits = need_phrase(summary_needs[0], state.language, words) if summary_needs else ""
    if zh:
        if follow_up and state.is_b2b:
            example = "不客气！资料和下一步安排我今天整理好发给您，有问题随时找我，好吗？"
        elif follow_up:
            example = f"不客气！{'吃着' if '吃' in ''.join(words) else '用着'}合适的话，下次再来找我，好吗？"
        elif state.is_b2b:
            lead = f"好的，就按{chosen}来" if chosen and not re.search(r"订|签|买|采购", choice) else (
                f"好的，{choice}" if choice else "好的，就按这个方案来")
            example = lead + fits + "。我把方案和下一步安排整理好发给您，您看可以吗？"
        elif chosen or not unit:
            what = (f"{chosen}{choice}" if unit else f"就定{chosen}") if chosen else f"就按您说的{choice or '这个'}"
            example = f"好的，{what}" + fits + "。我这就给您安排好，您看可以吗？"
        else:
            what = "和".join(items) + choice if items else choice
            example = f"好的，就按您说的{what or '这个'}" + fits + "。我这就给您装好，您看可以吗？"
    else:
        took = re.search(r"\b(?:take|go with|book|order|have|get)\s+(?:her |him |them |me |us )?([^,.;!?]{3,40})", r.text, re.I)
        named = [item_phrase(n, "en") for n in ([chosen] if chosen else [took.group(1).strip()] if took else items)]
        named = [n for n in named if n]
        what = " and ".join(n if re.match(r"^(?:a|an|the)\b", n) else f"the {n}" for n in named)
        if follow_up and state.is_b2b:
            example = "Thank you! I'll send the paperwork and the next steps over today — shall I call you once it's in?"
        elif follow_up:
            example = "You're welcome! If it works out, come back any time — shall I note your number?"
        else:
            lead = f"Great — {what} it is" if what else "Great, that's settled"
            example = lead + fits + ". I'll get everything ready for you now; does that work?"
            if echoes(example, words) or repeats(example, words) or shape_problem(example, "en"):
                example = lead + ". I'll get everything ready for you now; does that work?"
            if echoes(example, words) or repeats(example, words) or shape_problem(example, "en"):
                example = "Great, that's settled. I'll get everything ready for you now; does that work?"
    if zh and fits and (echoes(example, words) or shape_problem(example, "zh")):  # the need said back: leave it out
        example = example.replace(fits, "")
    move = Move(kind="close", slot="follow_up" if follow_up else "decision", question_type="close",
                example=example, builds_on=short_span(r.text, 60), need_statement="；".join(summary_needs),
                need_ids=[n.id for n in picked],
                rationale=_t(zh, "客户已经决定了：复述需求和选择、说清下一步，把成交落实；这次对话的需求记进需求看板。",
                             "The customer has decided: sum up the needs and the choice, name the next step, and "
                             "the conversation's needs go to the log."))
    return _with_card(move, "confirm", catalog, state.language)


def _later_only(text: str, state: DiscoveryState) -> bool:
    """Every sentence that takes something is about later ("他要是穿着舒服，下回…再买一双")."""
    condition = lexicon.cue("choice_condition", "zh" if state.language == "zh" else "en")
    taking = [c for c in re.split(r"[。！？!?；;]|(?<=[.!?])\s+", text or "") if own_items(c, state.language)]
    later = re.compile(r"下回|下次|回头|以后|改天|next time|another time|later|some day", re.I)
    return bool(taking) and all(condition.search(c.strip()) or later.search(c) or re.search(r"要是|如果|\bif\b", c, re.I)
                                for c in taking)


def _choice_words(text: str) -> str:
    """The words of the decision itself ("行，就签这个吧" → 就签这个; "那就先订两台试试" → 先订两台试试)."""
    clauses = [c.strip() for c in re.split(r"[，,。！!；;]", text or "") if c.strip()]
    counted = [c for c in clauses if re.search(r"[一两二三四五六七八九十几半\d]+\s*[斤个盒份袋箱瓶包罐张台把套件]", c)]
    for clause in counted + clauses:
        if re.search(r"订|签|买|要|来|拿|按|定|包|take|go with|book|order|deposit|pay", clause, re.I) and len(clause) > 1:
            picked = re.sub(r"^(?:那就|那|好的|好|行|ok|okay)[，, ]*", "", clause, flags=re.I).rstrip("吧呢啊")
            return short_span(picked, 16)
    return ""


def _offers_so_far(state: DiscoveryState) -> list[str]:
    items: list[str] = []
    for key in state.asked:
        if key.startswith("offer:"):
            for item in key[6:].split("|"):
                if item and item not in items:
                    items.append(item)
    return items


def _fallback(state, catalog, quote) -> Move:
    zh = state.language == "zh"
    for slot in ("purpose", "user", "impact_if_unsolved"):
        if state.slots[slot].status == "partial" and state.asked.get(f"confirm:{slot}", 0) == 0:
            value = safe_topic(re.sub(r"^(?:主要是|主要|就是|是)", "", short_span(state.slots[slot].value, 14)))
            label = SLOT_LABELS[slot][0 if zh else 1].split("（")[0]
            example = (f"我确认一下：{label}主要是{value}，对吗？" if value else f"我确认一下{label}，是这样吗？") if zh else (
                f"Just to check the {label.lower()}: {value}, right?" if value else f"Could you confirm the {label.lower()}?")
            move = Move(kind="confirm", slot=slot, question_type="confirmation", need_statement=value, example=example,
                        builds_on=quote,
                        rationale=_t(zh, "客户的话还不够明确：用自己的话复述一遍，请客户确认，避免误解。",
                                     "It is not yet clear: restate it in your words and let the customer confirm."))
            return _with_card(move, "confirm", catalog, state.language)
    order = B2B_ORDER if state.is_b2b else B2C_ORDER
    last_slot = (state.last_move or {}).get("slot")
    candidates = [s for s in order if not state.known(s) and state.asked.get(s, 0) < MAX_ASKS_PER_SLOT]
    fresh = [s for s in candidates if s != last_slot] or candidates
    if fresh:
        return _slot_ask(state, catalog, fresh[0], quote)
    move = Move(kind="confirm", slot=None, question_type="confirmation", builds_on=quote,
                example=_t(zh, "我把您说的几点总结一下，您看有没有说错或漏掉的？", "Let me sum up what you said — did I miss anything?"),
                rationale=_t(zh, "主要信息都有了：总结客户的需求并请客户确认，再谈方案。",
                             "You have the main picture: summarise the needs, get a yes, then propose."))
    return _with_card(move, "confirm", catalog, state.language)


def _with_card(move: Move, purpose: str, catalog: Catalog, language: str) -> Move:
    card = catalog.card_for(purpose, move.slot)
    if card is None:
        return move
    move.card_id = card.id
    citations = [Citation(id=card.id, title=card.title(language), source=cite_entry(card, language).source_text,
                          excerpt=card.excerpt(), source_file=", ".join(card.sources))]
    for ref in card.based_on[:1]:
        entry = catalog.get(ref)
        if entry is not None:
            citations.insert(0, Citation(id=entry.id, title=entry.title(language),
                                         source=cite_entry(entry, language).source_text, excerpt=entry.excerpt(),
                                         source_file=", ".join(entry.sources)))
    move.citations = citations
    return move


def record_move(state: DiscoveryState, move: Move) -> None:
    """Remember what was suggested so the policy follows the thread instead of repeating itself."""
    keys: list[str] = []
    if move.kind == "confirm":
        keys.append(f"confirm:{move.need_id}" if move.need_id else f"confirm:{move.slot}" if move.slot else "confirm:")
    elif move.slot:
        keys.append(move.slot)
    if move.memo:
        keys.append(move.memo)
    if move.offer is not None:
        keys.append("offer:" + "|".join(x for x in (move.offer.first, move.offer.option) if x))
    for key in keys:
        state.asked[key] = state.asked.get(key, 0) + 1
    if move.kind == "address" and move.need_id and move.need_id not in state.addressed:
        state.addressed.append(move.need_id)
    state.last_move = move.model_dump(include={"kind", "slot", "question_type", "need_id", "topic", "offer"})

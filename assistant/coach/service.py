"""The discovery coach: one turn at a time, durable at every step.

A turn goes: commit the words → update the discovery state by rule → one blocking model
call to extract needs (verified against the words; rules if the model fails) → commit
the needs → pick the next move by policy → stream the model's phrasing of that move →
commit the coach's reply. If the process dies mid-turn, the words are in the database
and the turn is marked pending; `needs extract --pending` finishes it later.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable, Iterator, Literal

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel, Field

from assistant.coach.cards import Catalog
from assistant.coach.policy import B2B_ORDER, B2C_ORDER, SLOT_PLAN, Citation, Move, next_move, record_move
from assistant.coach.state import SLOT_LABELS, DiscoveryState
from assistant.errors import InputError, NeedsError
from assistant.knowledge.citation import cite_entry, cite_passage
from assistant.llm.calls import stream
from assistant.needs.extract import NeedExtractor
from assistant.needs.log import NeedFilter, NeedLog
from assistant.needs.records import NeedRecord
from assistant.needs.transcript import DialogueTurn, Transcript, parse_transcript_text
from assistant.prompts import load_prompt

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 20_000  # a pasted transcript of a long meeting still fits
PROCESS_CHARS = 4_000  # per turn, what extraction and the state look at
Mode = Literal["prep", "live"]


@dataclass
class CoachTurn:
    """The result of relaying words to the coach; ``reply()`` streams the suggestion."""

    conversation_id: int
    turn_numbers: list[int]
    needs: list[NeedRecord]
    new_needs: list[NeedRecord]
    move: Move
    state: DiscoveryState
    extraction: str
    _reply: Callable[[], Iterator[str]] = field(repr=False, default=lambda: iter(()))
    text: str = ""

    def reply(self) -> Iterator[str]:
        yield from self._reply()


class CoachService:
    def __init__(
        self,
        needlog: NeedLog,
        model: Callable[[], BaseChatModel] | BaseChatModel,
        catalog: Catalog,
        *,
        extraction: Literal["model", "rules", "hybrid"] = "hybrid",
        retries: int = 2,
        retrieve: Callable[[str], list] | None = None,
    ):
        self.retrieve = retrieve  # (query) -> passages; adds a retrieved citation to each move
        self.log = needlog
        self._model = model
        self.catalog = catalog
        self.extraction = extraction
        self.retries = retries

    def model(self) -> BaseChatModel:
        return self._model if isinstance(self._model, BaseChatModel) else self._model()

    # ---- conversations ------------------------------------------------------------
    def start(
        self,
        *,
        mode: Mode = "live",
        account: str | None = None,
        author: str = "",
        language: str = "zh",
        segment: str = "",
        title: str = "",
    ) -> int:
        state = DiscoveryState(mode=mode, language=language if language in ("zh", "en") else "zh")
        if segment in ("B2B", "B2C"):
            state.segment = segment  # type: ignore[assignment]
        return self.log.create_conversation(
            kind="coach", mode=mode, account=account, author=author, language=state.language,
            title=title or (account or ""), state=state.model_dump(mode="json"),
        )

    def state(self, conversation_id: int) -> DiscoveryState:
        conv = self.log.conversation(conversation_id)
        return DiscoveryState.model_validate(conv.state) if conv.state else DiscoveryState()

    def needs(self, conversation_id: int) -> list[NeedRecord]:
        return self.log.needs(NeedFilter(conversation_id=conversation_id))

    # ---- one turn -------------------------------------------------------------------
    def relay(
        self, conversation_id: int, text: str, *, speaker: Literal["customer", "sales"] = "customer"
    ) -> CoachTurn:
        text = (text or "").strip()
        if not text:
            raise InputError("The message is empty.", fix="type what the customer said")
        if len(text) > MAX_MESSAGE_CHARS:
            raise InputError(
                f"The message has {len(text)} characters; the limit is {MAX_MESSAGE_CHARS}.",
                fix="paste the meeting in parts, or use `needs extract FILE` for a whole transcript",
            )
        conv = self.log.conversation(conversation_id)
        state = DiscoveryState.model_validate(conv.state) if conv.state else DiscoveryState()
        author = conv.author
        account_segment = conv.account.segment if conv.account else ""

        # 1. the words first: committed before anything can fail
        pieces = _split_pasted(text, speaker)
        in_prep = state.mode == "prep"
        saved = []
        for role, words in pieces:
            stored_role = "sales" if in_prep else role
            extraction = "pending" if (role == "customer") else "none"
            saved.append((self.log.add_turn(conversation_id, stored_role, words, extraction=extraction), role))

        # 2. the state, by rule
        state.detect_segment(text, account_segment)
        for turn, role in saved:
            if role == "customer":
                state.observe_customer(turn.idx, turn.text[:PROCESS_CHARS])
        self.log.save_state(conversation_id, state.model_dump(mode="json"))

        # 3. needs the customer's words show, by rule: instant, verified, committed
        customer_turns = [t for t, role in saved if role == "customer"]
        source = "prep" if in_prep else "live"
        status = "hypothesis" if in_prep else None
        window = self._window(conversation_id, customer_turns, in_prep)
        new_needs: list[NeedRecord] = []
        if window is not None:
            quick = NeedExtractor(None, method="rules").extract(window)
            if quick.needs:
                new_needs = self.log.record_needs(conversation_id, quick.needs, source=source,
                                                  author=author, status=status)
                state.observe_needs(quick.needs)
        if self.extraction == "rules":
            for turn in customer_turns:
                self.log.set_extraction(turn.id, "done", {"method": "rules"})

        # 4. the next move, by policy, with the passage that motivates it
        needs = self.needs(conversation_id)
        move = next_move(state, needs, self.catalog)
        self._cite(move, text)
        record_move(state, move)
        self.log.save_state(conversation_id, state.model_dump(mode="json"))

        last_words = customer_turns[-1].text if customer_turns else text
        result = CoachTurn(
            conversation_id=conversation_id, turn_numbers=[t.idx for t, _ in saved], needs=needs,
            new_needs=new_needs, move=move, state=state,
            extraction="rules" if (window is not None) else "none",
        )

        def reply() -> Iterator[str]:
            # 5. the suggestion streams first; 6. then the model reads the words for needs the
            # rules missed (no model call blocks the first token)
            yield from self._reply(result, state, move, last_words[-PROCESS_CHARS:])
            if window is not None and self.extraction != "rules":
                self._refine(result, window, customer_turns, source, status, author)

        result._reply = reply
        return result

    def _cite(self, move: Move, words: str) -> None:
        """Add the knowledge passage retrieval finds for this move and these words."""
        if self.retrieve is None:
            return
        query = f"{move.rationale} {words[:200]}"
        try:
            passages = self.retrieve(query)
        except Exception as exc:  # a broken index must not cost the salesperson the turn
            log.warning("retrieval for the coach failed: %s", exc)
            return
        cited = {c.id for c in move.citations}
        for passage in passages:
            key = getattr(passage, "doc_id", "") or getattr(passage, "id", "")
            if key in cited:
                continue
            cited_as = cite_passage(passage)
            move.citations.append(Citation(
                id=key, title=cited_as.title or key, source=cited_as.source_text,
                excerpt=str(getattr(passage, "text", ""))[:160], source_file=getattr(passage, "source", ""),
            ))
            break

    def _window(self, conversation_id: int, turns, in_prep: bool) -> Transcript | None:
        """The words to read for needs: the salesperson's last words before these, and these."""
        if not turns:
            return None
        history = self.log.turns(conversation_id)
        first = turns[0].idx
        window: list[DialogueTurn] = []
        previous = [t for t in history if t.idx < first and t.role in ("sales", "customer")][-1:]
        for t in previous + [t for t in history if t.idx >= first]:
            if t.role == "coach":
                continue
            role = "customer" if (in_prep or t.role == "customer") else "sales"
            window.append(DialogueTurn(n=t.idx, role=role, text=t.text[:PROCESS_CHARS]))
        if in_prep:
            window = [w for w in window if w.n >= first]
        return Transcript(turns=window)

    def _refine(self, result: CoachTurn, window: Transcript, turns, source, status, author) -> None:
        """Model extraction after the reply; a failure leaves the turn pending for later."""
        extractor = NeedExtractor(self._safe_model(), method=self.extraction, retries=self.retries,
                                  language=result.state.language)
        try:
            outcome = extractor.extract(window)
        except Exception as exc:  # never lose the turn: `needs extract --pending` retries it
            log.exception("extraction failed")
            for t in turns:
                self.log.set_extraction(t.id, "failed", {"error": str(exc)[:300]})
            return
        if outcome.needs:
            before = {n.id for n in result.needs}
            saved = self.log.record_needs(result.conversation_id, outcome.needs, source=source,
                                          author=author, status=status)
            result.new_needs += [n for n in saved if n.id not in before
                                 and n.id not in {m.id for m in result.new_needs}]
            state = self.state(result.conversation_id)
            state.observe_needs(outcome.needs)
            self.log.save_state(result.conversation_id, state.model_dump(mode="json"))
            result.state = state
        result.needs = self.needs(result.conversation_id)
        result.extraction = outcome.method
        for t in turns:
            self.log.set_extraction(t.id, "done", {"method": outcome.method, "error": outcome.error})

    def complete_pending(self) -> int:
        """Finish extraction for turns committed but never read for needs (e.g. after a crash)."""
        done = 0
        for turn in self.log.pending_turns():
            conv = self.log.conversation(turn.conversation_id)
            in_prep = conv.mode == "prep"
            window = self._window(turn.conversation_id, [turn], in_prep)
            extractor = NeedExtractor(self._safe_model(), method=self.extraction, retries=self.retries,
                                      language=conv.language)
            outcome = extractor.extract(window)
            self.log.record_needs(turn.conversation_id, outcome.needs, source="prep" if in_prep else "live",
                                  author=conv.author, status="hypothesis" if in_prep else None)
            self.log.set_extraction(turn.id, "done", {"method": outcome.method, "completed_later": True})
            done += 1
        return done

    def _safe_model(self) -> BaseChatModel | None:
        if self.extraction == "rules":
            return None
        try:
            return self.model()
        except NeedsError as exc:  # e.g. model not installed: rules still log the needs
            log.warning("no model for extraction: %s", exc.message)
            return None

    # ---- the reply ---------------------------------------------------------------------
    def _reply(self, result: CoachTurn, state: DiscoveryState, move: Move, last_words: str) -> Iterator[str]:
        zh = state.language == "zh"
        prep = state.mode == "prep"
        task = describe_task(move, state, prep)
        messages = load_prompt("coach_move").messages(
            language="简体中文" if zh else "English",
            summary=state.summary(),
            speaker=("销售" if prep else "客户") if zh else ("Salesperson" if prep else "Customer"),
            last_words=last_words[-300:],
            task=task,
            example=move.example or "—",
            audience=("你作为教练问销售" if prep else "销售对客户") if zh else
            ("you, the coach, to the salesperson" if prep else "the salesperson to the customer"),
        )
        pieces: list[str] = []
        header = ("👉 建议问客户：" if not prep else "❓ 我想先问你：") if zh else (
            "👉 Ask the customer: " if not prep else "❓ First, tell me: ")
        if move.kind == "address":
            header = "💡 建议推荐：" if zh else "💡 Suggest: "
        try:
            yield header
            pieces.append(header)
            try:
                produced = False
                for piece in stream(self.model(), messages, retries=self.retries, max_tokens=120):
                    produced = True
                    pieces.append(piece)
                    yield piece
                if not produced:
                    raise NeedsError("empty reply")
            except NeedsError as exc:
                fallback = move.example or task
                note = f"{fallback}\n（模型暂不可用，以上为参考问法：{exc.message}）" if zh else (
                    f"{fallback}\n(model unavailable, showing the reference question: {exc.message})")
                pieces.append(note)
                yield note
            tail = "\n\n" + render_why(move, state.language)
            pieces.append(tail)
            yield tail
        finally:  # saved even when the reader stops early (e.g. the page was left mid-stream)
            result.text = "".join(pieces)
            self.log.add_turn(
                result.conversation_id, "coach", result.text,
                meta={"move": move.model_dump(mode="json"),
                      "complete": bool(pieces) and pieces[-1].startswith("\n\n")},
            )

    # ---- prep: a question plan --------------------------------------------------------
    def plan(self, conversation_id: int, size: int = 7) -> "QuestionPlan":
        state = self.state(conversation_id)
        return build_plan(state, self.catalog, size=size)


def describe_task(move: Move, state: DiscoveryState, prep: bool) -> str:
    zh = state.language == "zh"
    label = SLOT_LABELS.get(move.slot or "", ("", ""))[0 if zh else 1]
    if move.kind == "address":
        return (f"需求已确认：“{move.need_statement}”。建议销售推荐最合适的方案，可以包括客户没开口要、但更合适的选择。"
                if zh else f"The need is confirmed: '{move.need_statement}'. Suggest the best-fitting offer, "
                "including one the customer did not ask for.")
    if move.kind == "confirm":
        if move.slot:
            return (f"请客户确认：{label}是“{move.need_statement}”，对吗？" if zh
                    else f"Ask the customer to confirm the {label}: '{move.need_statement}'.")
        return "总结客户的需求，请客户确认。" if zh else "Summarise the customer's needs and ask for confirmation."
    if prep:
        return (f"问销售：关于这位客户的“{label}”，你知道些什么？" if zh
                else f"Ask the salesperson what they know about the customer's {label}.")
    return (f"问客户一个{_qtype_zh(move.question_type)}问题，弄清“{label}”。" if zh
            else f"Ask the customer one {move.question_type.replace('_', '-')} question about the {label}.")


def _qtype_zh(qtype: str) -> str:
    return {"open": "开放式", "purpose": "关于用途的", "user": "关于使用者的", "implication": "关于影响的",
            "need_payoff": "关于价值和成功标准的", "confirmation": "确认式"}.get(qtype, "")


def render_why(move: Move, language: str) -> str:
    zh = language == "zh"
    lines = [("为什么：" if zh else "Why: ") + move.rationale]
    for i, cite in enumerate(move.citations, 1):
        lines.append(f"[{i}] {cite.title}（{cite.source}）" if zh else f"[{i}] {cite.title} ({cite.source})")
    return "\n".join(lines)


def _split_pasted(text: str, default: str) -> list[tuple[str, str]]:
    """A pasted transcript (lines starting 客户：/销售：) becomes several turns."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) >= 2:
        try:
            transcript = parse_transcript_text(text)
        except InputError:
            return [(default, text)]
        return [(t.role, t.text) for t in transcript.turns]
    return [(default, text)]


# ---- prep plans ---------------------------------------------------------------------------


class PlanItem(BaseModel):
    order: int
    slot: str
    purpose: str
    question: str
    why: str
    citation: str = ""


class QuestionPlan(BaseModel):
    questions: list[PlanItem] = Field(default_factory=list)
    hypotheses: list[str] = Field(default_factory=list)


HYPOTHESES = {
    "B2C": {
        "user": ("购买者可能不是使用者：也许是买给家人或朋友，真正的要求来自使用的人。",
                 "The buyer may not be the user: the real requirements may come from a family member."),
        "purpose": ("同样的商品可能有特别的用途或场景（送礼、孕期、老人、孩子），会改变要的规格。",
                    "There may be a special purpose (gift, pregnancy, elderly, child) that changes what fits."),
        "emotional": ("价格之外，客户可能更在意安心、被重视或面子。",
                      "Beyond price, the customer may care about peace of mind, being taken seriously or face."),
        "price": ("“便宜点”背后可能是对价值没把握，而不是只看价格。",
                  "'Cheaper' may mean unsure about value, not only price."),
    },
    "B2B": {
        "impact_if_unsolved": ("压价或催货背后，可能是停机、延误或罚款等业务损失。",
                               "Price pressure or chasing may hide downtime, delays or penalties."),
        "customer_of_customer": ("客户真正担心的可能是他们自己的客户（用户流失、投诉、交付）。",
                                 "The real worry may be their own customers (churn, complaints, delivery)."),
        "decision_maker": ("提出需求的人不一定拍板：还有决策者和使用部门的诉求。",
                           "The person asking may not decide: decision makers and users have needs too."),
        "business_goals": ("客户的业务目标（增长、效率、成本）决定了方案的价值。",
                           "Their business goals (growth, efficiency, cost) decide what is valuable."),
    },
}


def build_plan(state: DiscoveryState, catalog: Catalog, size: int = 7) -> QuestionPlan:
    """5–8 questions in order of value for the slots still open, each with purpose and citation."""
    zh = state.language == "zh"
    size = max(5, min(8, size))
    order = B2B_ORDER if state.is_b2b else B2C_ORDER
    items: list[PlanItem] = []
    used_cards: dict[str, int] = {}
    open_slots = [s for s in order if not state.confirmed(s)]
    for slot in open_slots + [s for s in order if s not in open_slots]:
        if len(items) >= size:
            break
        purpose_key, qtype, why_zh, why_en = SLOT_PLAN[slot]
        card = catalog.card_for(purpose_key, slot)
        examples = (card.examples_zh if zh else (card.examples_en or card.examples_zh)) if card else []
        k = used_cards.get(purpose_key, 0)
        used_cards[purpose_key] = k + 1
        if examples:
            question = examples[k % len(examples)]
        else:
            label = SLOT_LABELS[slot][0 if zh else 1]
            question = f"能多说说您在“{label}”方面的想法吗？" if zh else f"Could you tell me more about the {label}?"
        citation = ""
        if card is not None:
            source_entry = catalog.get(card.based_on[0]) if card.based_on else None
            target = source_entry or card
            citation = cite_entry(target, state.language).text()
        items.append(PlanItem(order=len(items) + 1, slot=slot,
                              purpose=SLOT_LABELS[slot][0 if zh else 1], question=question,
                              why=why_zh if zh else why_en, citation=citation))
    hypotheses = []
    for slot, (text_zh, text_en) in HYPOTHESES["B2B" if state.is_b2b else "B2C"].items():
        if not state.confirmed(slot):
            hypotheses.append(text_zh if zh else text_en)
    return QuestionPlan(questions=items, hypotheses=hypotheses)

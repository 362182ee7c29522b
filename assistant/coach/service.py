"""The discovery coach: one turn at a time, durable at every step.

A turn goes: commit the words → update the discovery state by rule → read the needs the
words show (rules and the understanding layer: instant, verified) and commit them as
*stated* → read what the latest customer turn does (agree, pain, person, buy…) → mark the
needs the customer confirmed → pick the next move by policy → the model phrases it, the
phrasing is checked, and the move's own wording is shown when it fails → commit the reply.

Confirmation is the customer's: a need is confirmed when the customer agrees to the
salesperson's restatement of it (or accepts it while adding a condition, "别太贵就行"), or
restates it unprompted in a later turn. What the salesperson said is what was relayed with
``speaker="sales"``; when the customer speaks twice in a row with nothing relayed in
between (e.g. a script of customer lines only), the coach's last suggestion is taken as
what the salesperson said.

The model's extraction pass never runs inside a live turn, so a new turn never waits on
it. It is optional: with the default ``extraction="semantic"`` the sentence reader inside the
turn is the extraction and a turn is done when it is saved; with ``hybrid`` or ``model``
customer turns stay *pending* and ``refine()`` (or ``needs extract --pending``) reads them
later. If the process dies mid-turn, the words are in the database.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, Literal

from langchain_core.language_models.chat_models import BaseChatModel
from pydantic import BaseModel, Field

from assistant.accounts.coach_memory import after_turn, prep_plan
from assistant.coach import closing
from assistant.coach import options as coach_options
from assistant.coach import phrasing
from assistant.coach.cards import Catalog
from assistant.coach.policy import (
    B2B_ORDER,
    B2C_ORDER,
    SLOT_PLAN,
    SLOT_QUESTIONS,
    Citation,
    card_examples,
    card_question,
    Move,
    next_move,
    option_terms,
    record_move,
)
from assistant.coach.reading import Reading, read
from assistant.coach.state import SLOT_LABELS, DiscoveryState
from assistant.errors import InputError, NeedsError
from assistant.knowledge.citation import cite_entry, cite_passage
from assistant.llm.calls import stream
from assistant.needs.extract import NeedExtractor
from assistant.needs.log import NeedFilter, NeedLog
from assistant.needs.records import NeedRecord
from assistant.needs.transcript import DialogueTurn, Transcript, parse_transcript_text
from assistant.prompts import load_prompt

try:  # speaker labels typed by the user ("客户说：…"), from the understanding layer when present
    from assistant.needs.transcript import split_speaker  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    split_speaker = None

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 20_000  # a pasted transcript of a long meeting still fits

READERS = ("rules", "semantic")  # extraction settings that read without a model (the turn's own reading)
PROCESS_CHARS = 4_000  # per turn, what extraction and the state look at
Mode = Literal["prep", "live"]
COMMAND = re.compile(r"^/[A-Za-z]\w*")  # "/bogus": a chat command, never customer words
# tokens the model may use per kind of move (the reply is cut there on our side too)
REPLY_TOKENS = {"ask": 48, "confirm": 56, "address": 96, "close": 80}


def _message(text: str | None, *, empty_fix: str, long_fix: str) -> str:
    """A typed message, stripped; an empty or over-long one is refused with its fix."""
    text = (text or "").strip()
    if not text:
        raise InputError("The message is empty.", fix=empty_fix)
    if len(text) > MAX_MESSAGE_CHARS:
        raise InputError(f"The message has {len(text)} characters; the limit is {MAX_MESSAGE_CHARS}.", fix=long_fix)
    return text


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
    reading: Reading | None = None
    confirmed: list[str] = field(default_factory=list)  # need ids the customer confirmed this turn
    _reply: Callable[[], Iterator[str]] = field(repr=False, default=lambda: iter(()))
    text: str = ""
    suggestion: str = ""  # the words suggested to the salesperson (no header, no "why")
    stats: dict = field(default_factory=dict)  # model calls, prompt size, who phrased it, timings

    def reply(self) -> Iterator[str]:
        yield from self._reply()


def _in_sentence(name: str, language: str) -> str:
    """A range item's name or reason as said inside a sentence: "Adult tricycle" → "adult
    tricycle" (words written in capitals, "LED lamp", "PTZ camera", stay as they are)."""
    if language == "zh" or len(name) < 2 or not (name[0].isupper() and name[1].islower()):
        return name
    return name[0].lower() + name[1:]


def _range_reason(reason: str, language: str) -> str:
    """An item's reason from the team's range as it can be said inside the offer: whole or its
    first clause, where it reads as a whole ("easy on, easy off" would leave "on," hanging in a
    checked line); "" otherwise (the offer says it suits the need)."""
    for said in (reason.strip().rstrip("。.!！"), coach_options.short_reason(reason, language)):
        said = _in_sentence(said, language)
        if said and phrasing.shape_problem(said + ("。" if language == "zh" else "."), language) is None \
                and not phrasing.carries_instruction(said):
            return said
    return ""


def _told(customer_words: list[str], limit: int = 600) -> str:
    """What the customer has told about the situation, to match the team's range with: their
    turns after the first request, questions left out (calibrated in benchmarks/offerings.py: the
    lines that tell the situation find the fitting items better than the one sentence holding the need)."""
    told = [w.strip() for w in customer_words[1:] if w.strip() and not re.search(r"[？?]\s*$", w.strip())]
    return " ".join(told)[-limit:]


class CoachService:
    def __init__(
        self,
        needlog: NeedLog,
        model: Callable[[], BaseChatModel] | BaseChatModel,
        catalog: Catalog,
        *,
        extraction: Literal["model", "rules", "hybrid", "semantic"] = "semantic",
        retries: int = 2,
        retrieve: Callable[[str], list] | None = None,
        offerings: Callable[[], list] | list | None = None,
    ):
        self.retrieve = retrieve  # (query) -> passages; adds a retrieved citation to each move
        self._offerings = offerings  # the team's range (knowledge.offerings), or a callable reading it
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
        text = _message(text, empty_fix="type what the customer said",
                        long_fix="paste the meeting in parts, or use `needs extract FILE` for a whole transcript")
        command = COMMAND.match(text)
        if command:
            raise InputError(f"Unknown command {command.group(0)}.", fix="try /help")
        started = time.perf_counter()
        conv = self.log.conversation(conversation_id)
        state = DiscoveryState.model_validate(conv.state) if conv.state else DiscoveryState()
        author = conv.author
        account_segment = conv.account.segment if conv.account else ""

        # 1. the words first: committed before anything can fail
        pieces = _split_pasted(text, speaker)
        in_prep = state.mode == "prep"
        pending = "done" if self.extraction in READERS else "pending"  # no model pass to come
        saved = []
        for role, words in pieces:
            stored_role = "sales" if in_prep else role
            extraction = pending if role == "customer" else "none"
            saved.append((self.log.add_turn(conversation_id, stored_role, words, extraction=extraction), role))

        # 2. the state, by rule; what the salesperson said replaces the coach's suggestion
        needs_before = self.needs(conversation_id)
        state.detect_segment(text, account_segment)
        before_move = dict(state.last_move or {})
        for turn, role in saved:
            if role == "customer":
                state.observe_customer(turn.idx, turn.text[:PROCESS_CHARS])
            elif not in_prep:
                before_move = _what_sales_said(turn.text, needs_before, state.language)
                state.last_move = before_move
        self.log.save_state(conversation_id, state.model_dump(mode="json"))

        # 3. needs the customer's words show, read at once: verified, committed as stated
        customer_turns = [t for t, role in saved if role == "customer"]
        source = "prep" if in_prep else "live"
        status = "hypothesis" if in_prep else "stated"
        window = self._window(conversation_id, customer_turns, in_prep)
        new_needs: list[NeedRecord] = []
        if window is not None:
            quick = NeedExtractor(None, method="semantic").extract(window)
            if quick.needs:
                new_needs = self.log.record_needs(conversation_id, quick.needs, source=source,
                                                  author=author, status=status)
                state.observe_needs(quick.needs)

        # 4. what the latest customer turn does, and the needs the customer confirmed
        history = [t for t in self.log.turns(conversation_id) if t.role == "customer"]
        latest = customer_turns[-1] if customer_turns else None
        reading = read(latest.text[:PROCESS_CHARS], state.language,
                       {"last_move": before_move, "state": state}) if latest is not None else None
        if reading is not None and latest is not None:
            extra = _need_from_reading(reading, latest, new_needs, state)
            if extra is not None:
                new_needs += self.log.record_needs(conversation_id, [extra], source=source, author=author,
                                                   status=status)
        confirmed: list[str] = []
        if reading is not None and not in_prep:
            confirmed = self._confirm(needs_before, new_needs, before_move, reading, latest.idx)

        # 5. the next move, by policy, with the passage that motivates it
        needs = self.needs(conversation_id)
        words_so_far = [t.text[:PROCESS_CHARS] for t in history]
        move = next_move(state, needs, self.catalog, reading,
                         turn=latest.idx if latest is not None else None,
                         customer_words=words_so_far,
                         options=lambda need, requested, language: self._options(need, requested, language,
                                                                                 words_so_far),
                         decided=coach_options.decides(reading.text, state.language) if reading is not None else None)
        if move.kind == "address" and move.offer is not None and move.offer.source == "conversation":
            self._better_fit(move, state, words_so_far)
        if move.kind == "close":
            if move.slot == "decision" and reading is not None:
                self._name_choice(conversation_id, move, state, reading.text, words_so_far)
            self._mark_for_log(move, state)
            needs = self.needs(conversation_id)
        self._cite(move, text)
        record_move(state, move)
        self.log.save_state(conversation_id, state.model_dump(mode="json"))
        after_turn(self.log, conversation_id, new_needs, move, since=saved[0][0].idx)  # account memory

        last_words = latest.text if latest is not None else text
        result = CoachTurn(
            conversation_id=conversation_id, turn_numbers=[t.idx for t, _ in saved], needs=needs,
            new_needs=new_needs, move=move, state=state, reading=reading, confirmed=confirmed,
            extraction="rules" if (window is not None) else "none",
        )
        result.stats["relay_seconds"] = time.perf_counter() - started
        customer_words = [t.text for t in history]

        def reply() -> Iterator[str]:
            yield from self._reply(result, state, move, last_words[-PROCESS_CHARS:], customer_words)

        result._reply = reply
        return result

    def record_sales(self, conversation_id: int, text: str) -> None:
        """What the salesperson said, stored as said (no suggestion is made for it); a
        restatement of a stated need opens its confirmation by the customer's next words."""
        text = _message(text, empty_fix="type what you said", long_fix="paste the meeting in parts")
        conv = self.log.conversation(conversation_id)
        state = DiscoveryState.model_validate(conv.state) if conv.state else DiscoveryState()
        said = self.log.add_turn(conversation_id, "sales", text, extraction="none")
        after_turn(self.log, conversation_id, [], None, since=said.idx)  # account memory: open items
        if state.mode == "live":
            state.last_move = _what_sales_said(text, self.needs(conversation_id), state.language)
            self.log.save_state(conversation_id, state.model_dump(mode="json"))

    def _confirm(self, before: list[NeedRecord], new: list[NeedRecord], last_move: dict,
                 reading: Reading, turn: int) -> list[str]:
        """Needs the customer confirmed in this turn: a yes to the restatement, or said again."""
        ids: list[str] = []
        # a yes, a condition added to it ("别太贵就行"), or asking what would fit it: the customer
        # builds on the restatement instead of correcting it
        builds_on = reading.has("ask") and (reading.asks_for_recommendation or bool(reading.mentioned)
                                            or coach_options.wants_recommendation(reading.text)
                                            or bool(coach_options.named_option(reading.text)))
        accepted = reading.has("agree") or (reading.has("constraint") and not reading.has("ask")) or builds_on
        if last_move.get("kind") == "confirm" and last_move.get("need_id") and accepted and not reading.has("deny"):
            ids.append(last_move["need_id"])
        earlier = {n.id for n in before}
        for need in new:  # restated unprompted: the same need, said again in this turn
            turns = {e.turn for e in need.evidence}
            if need.id in earlier and need.status == "stated" and turn in turns and min(turns) < turn:
                ids.append(need.id)
        done = []
        for need_id in dict.fromkeys(ids):
            current = next((n for n in before + new if n.id == need_id), None)
            if current is None or current.status in ("confirmed", "addressed"):
                continue
            self.log.update_need(need_id, {"status": "confirmed", "review_state": current.review_state},
                                 editor="coach", note="the customer confirmed it")
            done.append(need_id)
        return done

    def _name_choice(self, conversation_id: int, move: Move, state: DiscoveryState, text: str,
                     customer_words: list[str]) -> None:
        """A close says what the customer chose: their words, or the option their "那个 / both /
        the second one" points to among those offered and asked about (``coach.closing``)."""
        turns = [(t.role, t.text, (t.meta or {}).get("move") or {}) for t in self.log.turns(conversation_id)
                 if t.role in ("customer", "coach")]
        if turns and turns[-1][0] == "customer":
            turns = turns[:-1]  # the decision itself names no option asked about
        table = closing.table_of(state.stated_request, turns, state.language)
        choice = closing.choose(text, table, state.language)
        wording, named = closing.close_line(text, choice, move.need_statement, state.is_b2b, state.language,
                                            customer_words)
        if wording:
            move.example = wording
            move.topic = ("、" if state.language == "zh" else ", ").join(named)

    def _better_fit(self, move: Move, state: DiscoveryState, customer_words: list[str]) -> None:
        """The customer asked about one option: besides weighing it, name a concrete better fit
        for the need when the verified options task finds one (once per need)."""
        key = f"options:{move.need_id}"
        if not move.need_statement or key in state.asked:
            return
        o = move.offer
        found = [f for f in self._options(move.need_context or move.need_statement, o.first, state.language,
                                          customer_words, exclude=(o.option,))
                 if phrasing.normalise(f.name) not in phrasing.normalise(o.option)
                 and phrasing.normalise(o.option) not in phrasing.normalise(f.name)]
        move.memo = move.memo or key
        if not found:
            return
        better = found[0]
        zh = state.language == "zh"
        weighed = re.sub(r"[，,;；]?\s*(?:您看行吗|shall we check that)[？?]$", "", move.example).rstrip("。.；;，, ")
        reason = better.reason or ("正合这个需要" if zh else "it suits that need")
        example = (f"{weighed}。另外{better.name}也值得看看：{reason}，您看呢？" if zh
                   else f"{weighed}. {better.name[:1].upper() + better.name[1:]} may suit even better — {reason}. "
                        "Would you like to compare?")
        if not phrasing.echoes(example, customer_words):
            move.example = example
            o.options, o.reasons = [o.option, better.name], [o.reason, better.reason]

    def _mark_for_log(self, move: Move, state: DiscoveryState) -> None:
        """A close: the needs the choice meets are addressed, the others confirmed by the decision."""
        for need in self.needs_by_id(move.need_ids):
            target = "addressed" if need.id in state.addressed else "confirmed"
            rank = {"hypothesis": 0, "stated": 1, "confirmed": 2, "addressed": 3}
            if rank[target] > rank.get(need.status, 0):
                self.log.update_need(need.id, {"status": target, "review_state": need.review_state},
                                     editor="coach", note="the customer decided")

    def needs_by_id(self, ids: list[str]) -> list[NeedRecord]:
        return [self.log.get_need(i) for i in ids]

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

    def refine(self, conversation_id: int | None = None) -> int:
        """The model's extraction pass over turns left pending (all, or one conversation's)."""
        return self.complete_pending(conversation_id)

    def complete_pending(self, conversation_id: int | None = None) -> int:
        """Finish extraction for turns committed but not yet read by the model."""
        done = 0
        for turn in self.log.pending_turns():
            if conversation_id is not None and turn.conversation_id != conversation_id:
                continue
            conv = self.log.conversation(turn.conversation_id)
            in_prep = conv.mode == "prep"
            window = self._window(turn.conversation_id, [turn], in_prep)
            extractor = NeedExtractor(self._safe_model(), method=self.extraction, retries=self.retries,
                                      language=conv.language, model_restate=True)
            try:
                outcome = extractor.extract(window)
            except Exception as exc:  # never lose the turn: it stays pending for the next try
                log.exception("extraction failed")
                self.log.set_extraction(turn.id, "failed", {"error": str(exc)[:300]})
                continue
            self.log.record_needs(turn.conversation_id, outcome.needs, source="prep" if in_prep else "live",
                                  author=conv.author, status="hypothesis" if in_prep else "stated")
            self.log.set_extraction(turn.id, "done", {"method": outcome.method, "completed_later": True})
            done += 1
        return done

    def _safe_model(self) -> BaseChatModel | None:
        if self.extraction in READERS:
            return None
        try:
            return self.model()
        except NeedsError as exc:  # e.g. model not installed: rules still log the needs
            log.warning("no model for extraction: %s", exc.message)
            return None

    # ---- the reply ---------------------------------------------------------------------
    def _reply(self, result: CoachTurn, state: DiscoveryState, move: Move, last_words: str,
               customer_words: list[str]) -> Iterator[str]:
        zh = state.language == "zh"
        prep = state.mode == "prep"
        pieces: list[str] = []
        header = ("👉 建议问客户：" if not prep else "❓ 我想先问你：") if zh else (
            "👉 Ask the customer: " if not prep else "❓ First, tell me: ")
        if move.kind == "address":
            header = "💡 建议推荐：" if zh else "💡 Suggest: "
        elif move.kind == "close":
            header = "🤝 建议成交：" if zh else "🤝 Close: "
        elif move.kind == "confirm" and not prep:
            header = "✅ 建议确认：" if zh else "✅ Confirm: "
        try:
            yield header
            pieces.append(header)
            for piece in self._phrase(result, state, move, last_words, customer_words, prep):
                pieces.append(piece)
                yield piece
            tail = "\n\n" + render_why(move, state.language)
            pieces.append(tail)
            yield tail
        finally:  # saved even when the reader stops early (e.g. the page was left mid-stream)
            result.text = "".join(pieces)
            self.log.add_turn(
                result.conversation_id, "coach", result.text,
                meta={"move": move.model_dump(mode="json"), "suggestion": result.suggestion,
                      "stats": result.stats,
                      "complete": bool(pieces) and pieces[-1].startswith("\n\n")},
            )

    def _phrase(self, result: CoachTurn, state: DiscoveryState, move: Move, last_words: str,
                customer_words: list[str], prep: bool) -> Iterator[str]:
        """The suggestion, piece by piece; everything shown has passed the checks.

        The move's own wording (checked) goes to the model as the reference. While the model's
        words agree with it they are shown as they come — they are part of checked text; once
        they differ, the rest is held back until the whole phrasing is checked, and if it fails,
        the reference completes what was shown. So the first word appears with the model's
        first token, and what is shown is always either the checked phrasing or the reference.
        """
        zh = state.language == "zh"
        # asks and confirmations: the checked wording says it all (a shorter prompt, a sooner first word)
        task = "" if move.kind in ("ask", "confirm") and not prep else "要做的：" + describe_task(move, state, prep) + "\n"
        reference = self._fallback_wording(move, state, customer_words)
        messages = load_prompt("coach_move").messages(
            language="简体中文" if zh else "English",
            last_words=_quoted(last_words[-80:]),
            task=task,
            example=reference,
        )
        result.stats.update(model_calls=1, prompt_chars=sum(len(str(m.content)) for m in messages),
                            prompt_messages=[{"role": m.type, "content": str(m.content)} for m in messages])
        started = time.perf_counter()
        raw = ""
        shown = ""
        agrees = True
        failed: NeedsError | None = None
        try:
            for piece in stream(self.model(), messages, retries=self.retries,
                                max_tokens=REPLY_TOKENS.get(move.kind, 60)):
                raw += piece
                if agrees:
                    prefix = raw.lstrip().lstrip("“\"「'")
                    if reference.startswith(prefix):
                        if len(prefix) > len(shown):
                            if not shown:
                                result.stats["first_word_seconds"] = time.perf_counter() - started
                            yield prefix[len(shown):]
                            shown = prefix
                    else:
                        agrees = False
                if move.kind in ("ask", "confirm") and re.search(r"[？?]", piece):
                    break  # one question: stop generating at its question mark
        except NeedsError as exc:
            failed = exc
            result.stats.update(failed_calls=1, error=exc.message[:200])
        result.stats["model_seconds"] = time.perf_counter() - started
        text = phrasing.clean(raw)
        if move.kind in ("ask", "confirm"):
            text = phrasing.first_question(text)
        verdict = self._check(move, text, customer_words, state.language, prep) if text else "empty"
        if verdict is None and text.startswith(shown) and failed is None:
            final = text
        else:
            final = reference if reference.startswith(shown) else shown + reference  # pragma: no branch
        result.stats["phrased_by"] = "model" if final == text else "reference"
        result.stats["rejected"] = None if final == text else verdict
        rest = final[len(shown):]
        if rest:
            if not shown:
                result.stats["first_word_seconds"] = time.perf_counter() - started
            yield rest
        result.suggestion = final
        if failed is not None:
            yield ("\n（模型暂不可用，以上为这一步的参考说法：" + failed.message + "）") if zh else (
                f"\n(model unavailable, showing this move's own wording: {failed.message})")

    def offerings(self) -> list:
        """The team's range; [] when there is none."""
        found = self._offerings() if callable(self._offerings) else self._offerings
        return list(found or [])

    def _options(self, need: str, requested: str, language: str, customer_words: list[str],
                 exclude: tuple[str, ...] = ()):
        """Concrete options for a confirmed need: from the team's range when an item there stands
        out for what the customer has told (by meaning, ``knowledge.offerings.match``), else from
        the narrow model task, verified (``coach.options``)."""
        from assistant.knowledge import offerings as range_

        try:
            ranged = range_.match(self.offerings(), _told(customer_words) or need, requested, language,
                                  exclude=exclude, request=customer_words[0] if customer_words else "")
        except Exception as exc:  # the range is a help, never a cost to the turn
            log.warning("could not match the team's range: %s", exc)
            ranged = []
        if ranged:
            return [coach_options.Option(name=_in_sentence(i.name, language), reason=_range_reason(i.reason, language),
                                         source="range")
                    for i in ranged]
        try:
            model = self.model()
        except NeedsError as exc:  # no model configured or loadable: no options, the move asks instead
            log.info("no model for options: %s", exc.message[:120])
            return []
        return coach_options.suggest_options(model, need, requested, language, customer_words, retries=0)

    def _check(self, move: Move, text: str, customer_words: list[str], language: str, prep: bool) -> str | None:
        if move.kind in ("address", "close") and not prep and _repeats_task(move, text, language):
            return "repeats the task"
        if move.kind in ("address", "close") and not prep and (shape := phrasing.shape_problem(text, language)):
            return shape  # a word said twice, a conjunction left hanging, an empty slot
        if move.kind == "address" and move.offer is not None:
            o = move.offer
            terms = [t for name in (o.options or [o.option]) for t in option_terms(name, language, o.first)]
            if o.source == "conversation":  # naming the option the customer asked about is not an echo
                customer_words = [w.replace(o.option, " … ") for w in customer_words]
            verdict = phrasing.check_offer(text, move.need_terms, terms, customer_words, language)
            if verdict is None and o.source == "conversation" and not move.need_statement:
                return "need not named"
            return verdict
        if move.kind == "close":
            chosen = [c for c in re.split(r"[、,]\s*", move.topic) if c] if move.slot == "decision" else []
            verdict = phrasing.check_statement(text, customer_words, language)
            if verdict is None and chosen and not all(
                    t.lower() in text.lower() for t in closing.choice_terms(chosen, language)):
                return "choice not named"
            if verdict is None and chosen and not closing.names_next_step(text):
                return "no next step"
            return verdict
        return phrasing.check_ask(text, [] if prep else customer_words, language)

    def _fallback_wording(self, move: Move, state: DiscoveryState, customer_words: list[str]) -> str:
        """This move's own wording, checked like the model's; a plain slot question if even that fails."""
        zh = state.language == "zh"
        if state.mode == "prep":
            label = SLOT_LABELS.get(move.slot or "", ("", ""))[0 if zh else 1].split("（")[0]
            return (f"关于这位客户的{label or '需求'}，你知道些什么？" if zh
                    else f"What do you know about the customer's {label.lower() or 'needs'}?")
        text = move.example
        if text and self._check(move, text, customer_words, state.language, False) is None:
            return text
        # re-phrased from the restated need, else the card's examples, else a plain question
        candidates = [t for t in _from_need(move, zh)
                      if self._check(move, t, customer_words, state.language, False) is None]
        if move.kind in ("ask", "confirm") and move.card_id:
            candidates += card_examples(self.catalog.get(move.card_id), state.language, customer_words)
        if move.kind == "close":
            candidates.append("好的，我把您选的和下一步安排确认一下，您看可以吗？" if zh
                              else "Great — let me confirm your choice and the next step; does that work?")
        elif move.kind == "confirm" or not move.slot:
            candidates.append("我把您说的几点总结一下，您看有没有说错或漏掉的？" if zh
                              else "Let me sum up what you said — did I miss anything?")
        else:
            candidates.append(SLOT_QUESTIONS.get(move.slot, SLOT_QUESTIONS["purpose"])[0 if zh else 1])
        return phrasing.first_usable(candidates, customer_words, state.language)


    # ---- prep: a question plan --------------------------------------------------------
    def plan(self, conversation_id: int, size: int = 7) -> "QuestionPlan":
        state = self.state(conversation_id)
        if state.mode == "prep":  # an account the team has met: start from its brief
            brief_plan = prep_plan(self.log, self.catalog, self.log.conversation(conversation_id), size=size)
            if brief_plan is not None:
                return brief_plan
        return build_plan(state, self.catalog, size=size)

def _need_from_reading(reading: Reading, turn, found: list[NeedRecord], state: DiscoveryState):
    """The need the reading heard in this turn when the extraction logged none from it
    (evidence: the customer's exact words)."""
    from assistant.coach.policy import person_of
    from assistant.needs.records import Evidence, ExtractedNeed

    if "need" not in reading.acts or not reading.need or len(reading.need) < 3:
        return None
    if any(e.turn == turn.idx for n in found for e in n.evidence):
        return None
    if reading.need not in turn.text:
        return None
    person = person_of(state, [state.stated_request, state.slots["user"].value])
    return ExtractedNeed(statement=reading.need, kind="implicit" if person else "explicit",
                         dimension="functional", owner="user" if person else "buyer",
                         evidence=[Evidence(turn=turn.idx, quote=reading.need)], confidence=0.5)


def _from_need(move: Move, zh: bool) -> list[str]:
    """The move said again around its restated need (when its own wording repeats the customer)."""
    need = move.need_statement.strip().rstrip("。！？!?.，,")
    if move.kind == "confirm" and need:
        return [f"我确认一下，您要的是{need}，对吗？" if zh else f"So what matters is {need} — is that right?"]
    if move.kind == "address" and move.offer is not None and need:
        option = move.offer.option
        said = closing.speakable_need(need, "zh" if zh else "en", [])
        if zh:
            return [f"针对{said}这一点，{option}也许更合适，要不要看看？" if said else f"{option}也许更合适，要不要看看？"]
        return [f"Since {said}, {option} may fit better — would you like to see?" if said
                else f"{option[0].upper() + option[1:]} may fit better here — would you like to see?"]
    if move.kind == "close":
        fits = closing.need_phrase(need, "zh" if zh else "en", [])
        lead = ("好的，就按您选的来" + fits) if zh else ("Great, we'll go with your choice" + fits)
        return [lead + ("；我来安排下一步，好吗？" if zh else " — shall I arrange the next step?")]
    return []


def _quoted(words: str) -> str:
    """The customer's words as data in the prompt: one line, quoted."""
    return "“" + " ".join(words.split()).replace("“", "\"").replace("”", "\"") + "”"


def _what_sales_said(text: str, needs: list[NeedRecord], language: str) -> dict:
    """The salesperson's own words, as the move they make: a restatement of a stated need
    (a question that names it) opens its confirmation; anything else is just what was said."""
    asks = bool(re.search(r"[？?]|吗|对不对|是不是|right|correct", text))
    question = _sales_question(text)
    if question["question_type"] in ("implication", "need_payoff"):  # digging into a pain, not restating a need
        return question
    for need in needs:
        if need.status != "stated":
            continue
        terms = [ch for ch in need.statement if "\u4e00" <= ch <= "\u9fff" and ch not in "的了是我你您他她想要吃用买给就也都很还"]
        if language != "zh":
            terms = [w for w in re.findall(r"[a-zA-Z]{4,}", need.statement)]
        if asks and terms and sum(t in text for t in terms) >= max(1, min(2, len(terms))):
            return {"kind": "confirm", "slot": None, "question_type": "confirmation", "need_id": need.id,
                    "topic": "", "offer": None}
    return question


# the salesperson's question, read as the move it makes (the SPIN stage the role-play reader hears)
_SPIN_MOVE = {"implication": ("ask", "impact_if_unsolved", "implication"),
              "need_payoff": ("ask", "business_goals", "need_payoff")}


def _sales_question(text: str) -> dict:
    """What the salesperson asked, as a move: a summary checked back is a confirmation (of no
    logged need); an implication or need-payoff question continues that thread; a question about
    who or what for is that slot's ask; anything else is just said."""
    said = {"kind": "said", "slot": None, "question_type": "open", "need_id": None, "topic": "", "offer": None}
    from assistant.roleplay.classify import classify

    try:
        reading = classify(text, semantic=True)
    except Exception:  # noqa: BLE001 - the embedder is a help here, never a cost to the turn
        reading = classify(text)
    if not reading.is_question:
        return said
    if reading.confirmation:  # "所以您要的是…，对吗？": the salesperson summed up; a yes confirms that summary
        return {**said, "kind": "confirm", "question_type": "confirmation", "topic": text[:120]}
    if reading.spin in _SPIN_MOVE:
        kind, slot, qtype = _SPIN_MOVE[reading.spin]
        return {**said, "kind": kind, "slot": slot, "question_type": qtype}
    if reading.probes:
        slot = reading.probes[0]
        return {**said, "kind": "ask", "slot": slot, "question_type": slot}
    return said


def _repeats_task(move: Move, text: str, language: str) -> bool:
    """The model wrote out its instructions ("各说一句理由……让客户自己选") instead of the line:
    six characters in a row of the task's own words (the need and the options left out), or
    the task's quotation marks."""
    state = DiscoveryState(language=language if language in ("zh", "en") else "zh")
    task = describe_task(move, state, False)
    o = move.offer
    for part in [move.need_statement, *(re.split(r"[、,]\s*", move.topic) if move.kind == "close" else []),
                 *((o.options or [o.option, o.first, o.answers]) if o else []),
                 *((o.option, o.first, o.reason) if o else ())]:
        if part:
            task = task.replace(part, "\u2026")
    pieces = [p for p in re.split(r"[\u2026“”'，。,.()（）:：;；]", task) if len(phrasing.normalise(p)) >= 6]
    if any(phrasing.longest_shared_run(text, p) >= (6 if language == "zh" else 18) for p in pieces):
        return True
    return "“" in text or "”" in text


def describe_task(move: Move, state: DiscoveryState, prep: bool) -> str:
    """What the model is asked to write, in a line (the prompt stays short and flat)."""
    zh = state.language == "zh"
    label = SLOT_LABELS.get(move.slot or "", ("", ""))[0 if zh else 1].split("（")[0]
    if prep:
        return (f"问销售：关于这位客户的“{label or '需求'}”，你知道些什么？" if zh
                else f"Ask the salesperson what they know about the customer's {label or 'needs'}.")
    if move.kind == "address" and move.offer is not None:
        o = move.offer
        if o.source == "conversation":
            more = o.options[1] if len(o.options) > 1 else ""
            return (f"客户问{o.option}合不合适：对照需求“{move.need_statement}”说它为什么合适或要先确认什么，不夸产品。"
                    + (f"再提一句{more}也值得看看。" if more else "") if zh
                    else f"The customer asks whether the {o.option} would suit: weigh it against the need "
                         f"'{move.need_statement}' — why it fits or what to check first; no pitch."
                    + (f" Then mention {more} as worth comparing." if more else ""))
        if o.source in ("model", "range") and len(o.options) > 1:
            return (f"推荐{o.options[0]}和{o.options[1]}，各说一句理由，说明正合“{move.need_statement}”，让客户自己选。" if zh
                    else f"Suggest {o.options[0]} and {o.options[1]}, a reason for each, saying why they fit "
                         f"'{move.need_statement}'; let them choose.")
        if zh:
            lead = f"回答客户问的{o.answers}：" if o.answers else f"先满足客户要的{o.first}，再"
            return f"{lead}推荐{o.option}（{o.reason}），说明它正合“{move.need_statement}”，让客户自己选。"
        lead = f"Answer the question about {o.answers}: " if o.answers else f"Offer the {o.first} first, then "
        return f"{lead}suggest {o.option} ({o.reason}), saying why it fits '{move.need_statement}'; let them choose."
    if move.kind == "close":
        chosen = move.topic if move.slot == "decision" else ""
        if chosen:
            return (f"确认成交：说出客户选的“{chosen}”和需求“{move.need_statement}”，说清下一步。" if zh
                    else f"Close: name the choice '{chosen}' and the need '{move.need_statement}', and the next step.")
        return (f"确认成交：复述客户的选择和需求“{move.need_statement}”，说清下一步。" if zh
                else f"Close: restate the choice and the need '{move.need_statement}', and the next step.")
    if move.kind == "confirm":
        what = move.need_statement or label
        return (f"用几个字复述“{what}”，请客户确认，用问句结尾。" if zh
                else f"Restate '{what}' in a few words and ask the customer to confirm.")
    topic = f"（{move.topic}）" if move.topic and zh else (f" ({move.topic})" if move.topic else "")
    return (f"问客户一个{_qtype_zh(move.question_type)}问题{topic}，只问一个。" if zh
            else f"Ask the customer one {move.question_type.replace('_', '-')} question{topic}.")


def _qtype_zh(qtype: str) -> str:
    return {"open": "开放式", "purpose": "关于用途的", "user": "关于使用者的", "implication": "关于影响的",
            "need_payoff": "关于价值和成功标准的", "confirmation": "确认式"}.get(qtype, "")


def render_why(move: Move, language: str) -> str:
    zh = language == "zh"
    lines = [("为什么：" if zh else "Why: ") + move.rationale]
    if move.builds_on:
        lines.append(("依据客户的话：“" if zh else "Building on the customer's words: “") + move.builds_on + "”")
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
    if split_speaker is not None:  # one line with a speaker label: "客户说：…"
        role, rest = split_speaker(text)
        if role in ("customer", "sales") and rest.strip():
            return [(role, rest.strip())]
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
        k = used_cards.get(purpose_key, 0)
        used_cards[purpose_key] = k + 1
        question = card_question(card, slot, state.language, k)
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

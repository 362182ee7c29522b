"""The role-play trainer. Each trainee turn: commit it → classify it → decide by policy what
the customer may reveal → the customer's reply (a scripted fact line when a need is
released; otherwise the model, shown only what was released, checked for leaks) → commit.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

from langchain_core.language_models.chat_models import BaseChatModel
from sqlalchemy import select

from assistant.coach.cards import Catalog
from assistant.db.schema import RoleplayAttempt
from assistant.errors import InputError, NeedsError
from assistant.llm.calls import complete
from assistant.needs.log import NeedLog
from assistant.needs.records import Evidence, ExtractedNeed
from assistant.prompts import load_prompt
from assistant.roleplay.checks import ASSISTANT_TALK, ReplyContext, check_reply
from assistant.roleplay.classify import QuestionClass, classify
from assistant.roleplay.intent import INJECTION
from assistant.roleplay.reveal import Decision, decide
from assistant.roleplay.scenario import Scenario, load_scenarios
from assistant.roleplay.score import Scorecard, TurnLabel, compute

log = logging.getLogger(__name__)

MAX_LINE_CHARS = 1000
OUT_OF_ROLE = ASSISTANT_TALK  # kept for callers that test replies against it
__all__ = ["INJECTION", "OUT_OF_ROLE", "RoleplayService", "RoleplayTurn"]

DECISION_NOTES = {
    "zh": {
        "chat": "这句话不涉及你心里没说出来的情况：自然、简短地回应，可以顺着聊两句，但不要说出任何新情况。",
        "deflect": "对方问到了你现在还不想细说的事：委婉地岔开或者说回头再讲，不要否认，也不要编造。",
    },
    "en": {
        "chat": "This line does not touch what you have not said yet: answer naturally and briefly, and add no new facts.",
        "deflect": "They asked about something you are not ready to talk about: put it off politely, without denying anything or making anything up.",
    },
}


@dataclass
class RoleplayTurn:
    attempt_id: int
    turn: int
    classification: QuestionClass
    decision: Decision
    reply: str
    trust: float
    revealed: list[str]
    finished: bool

    def reply_stream(self) -> Iterator[str]:
        """The reply in pieces, for interfaces that stream."""
        for start in range(0, len(self.reply), 6):
            yield self.reply[start:start + 6]


class RoleplayService:
    def __init__(
        self,
        needlog: NeedLog,
        model: Callable[[], BaseChatModel] | BaseChatModel,
        catalog: Catalog,
        scenario_dirs: list[Path],
        *,
        retries: int = 1,
        semantic: bool = True,
    ):
        self.log = needlog
        self._model = model
        self.catalog = catalog
        self.scenario_dirs = scenario_dirs
        self.retries = retries
        self.semantic = semantic
        self.rejected: list[tuple[str, list[str]]] = []  # (reply, reasons) the checks turned down
        self.model_calls = 0
        self._scenarios: dict[str, Scenario] | None = None
        self.problems: list[str] = []

    def model(self) -> BaseChatModel:
        return self._model if isinstance(self._model, BaseChatModel) else self._model()

    # ---- scenarios ------------------------------------------------------------------
    def scenarios(self) -> dict[str, Scenario]:
        if self._scenarios is None:
            self._scenarios, self.problems = load_scenarios(*self.scenario_dirs)
        return self._scenarios

    def scenario(self, scenario_id: str) -> Scenario:
        found = self.scenarios().get(scenario_id)
        if found is None:
            raise InputError(f"No scenario {scenario_id!r}.", fix="`needs roleplay --list` shows them")
        return found

    # ---- an attempt ---------------------------------------------------------------
    def start(self, scenario_id: str, trainee: str = "") -> int:
        scenario = self.scenario(scenario_id)
        state = {"trust": scenario.starting_trust, "revealed": {}, "hinted": [], "labels": [],
                 "objections": 0, "small_talk": 0, "finished": False, "walked_away": False}
        cid = self.log.create_conversation(
            kind="roleplay", mode="roleplay", author=trainee, language=scenario.language,
            title=scenario.title, scenario_id=scenario.id, state=state,
        )
        self.log.add_turn(cid, "customer", scenario.opening_line)
        return cid

    def _load(self, attempt_id: int) -> tuple[Scenario, dict]:
        conv = self.log.conversation(attempt_id)
        if conv.kind != "roleplay" or not conv.scenario_id:
            raise InputError(f"Conversation #{attempt_id} is not a role-play.")
        return self.scenario(conv.scenario_id), dict(conv.state)

    def ask(self, attempt_id: int, text: str) -> RoleplayTurn:
        scenario, state = self._load(attempt_id)
        text = (text or "").strip()
        if not text:
            raise InputError("Empty line.", fix="ask the customer something")
        if len(text) > MAX_LINE_CHARS:
            raise InputError(f"That line has {len(text)} characters.", fix=f"keep it under {MAX_LINE_CHARS}")
        if state.get("finished"):
            raise InputError("This role-play is finished.", fix="start a new attempt")
        trainee_turn = self.log.add_turn(attempt_id, "trainee", text)  # committed first

        qc = classify(text, semantic=self.semantic)
        revealed: dict[str, dict] = state["revealed"]
        hinted = set(state["hinted"])
        decision = decide(scenario, qc, text, set(revealed), hinted, state["trust"], semantic=self.semantic)
        state["trust"] = round(max(0.0, min(1.0, state["trust"] + decision.trust_delta)), 3)

        reply = self._reply(scenario, state, qc, decision, text, self._history(attempt_id, scenario))
        if decision.action == "reveal" and decision.need_id:
            revealed[decision.need_id] = {"turn": trainee_turn.idx, "question": text}
        if decision.action == "hint" and decision.need_id:
            state["hinted"] = sorted(hinted | {decision.need_id})
        state["labels"].append(TurnLabel(turn=trainee_turn.idx, text=text, labels=qc.labels(),
                                         premature_pitch=decision.premature_pitch).model_dump())
        trainee_turns = len(state["labels"])
        finished = (
            decision.action == "leave"
            or trainee_turns >= scenario.max_turns
            or len(revealed) == len(scenario.hidden_needs)
        )
        state["walked_away"] = decision.action == "leave"
        customer_turn = self.log.add_turn(attempt_id, "customer", reply,
                                          meta={"action": decision.action, "need": decision.need_id})
        if decision.action == "reveal" and decision.need_id:
            self._log_need(attempt_id, scenario, decision.need_id, customer_turn.idx, reply)
        self.log.save_state(attempt_id, state)
        if finished:
            self.finish(attempt_id)
        return RoleplayTurn(attempt_id, trainee_turn.idx, qc, decision, reply, state["trust"],
                            sorted(revealed), finished)

    # ---- the customer's words -----------------------------------------------------------
    def _history(self, attempt_id: int, scenario: Scenario, exchanges: int = 3) -> str:
        """The last exchanges before the current line, as the voice sees them."""
        turns = self.log.turns(attempt_id)[:-1][-(2 * exchanges):]
        zh = scenario.language == "zh"
        who = {"trainee": "销售" if zh else "Salesperson", "customer": "你" if zh else "You"}
        return "\n".join(f"{who.get(t.role, t.role)}：{t.text[:200]}" for t in turns) or ("（刚开始）" if zh else "(just started)")

    def _authored(self, scenario: Scenario, state: dict, action: str) -> str:
        """An authored line that fits the decision (the fallback for a rejected reply)."""
        if action == "deflect" and scenario.deflections:
            i = state.get("deflections", 0)
            state["deflections"] = i + 1
            return scenario.deflections[i % len(scenario.deflections)]
        i = state["small_talk"]
        state["small_talk"] = i + 1
        return scenario.small_talk[i % len(scenario.small_talk)]

    def _reply(self, scenario: Scenario, state: dict, qc: QuestionClass, decision: Decision, line: str,
               history: str = "") -> str:
        zh = scenario.language == "zh"
        if decision.action == "leave":
            return "算了，我再去别家看看吧。" if zh else "Never mind, I'll look elsewhere."
        if decision.action == "reveal" and decision.need_id:
            return " ".join(scenario.need(decision.need_id).facts) if not zh else "".join(
                scenario.need(decision.need_id).facts)
        if decision.action == "hint" and decision.need_id:
            return scenario.need(decision.need_id).hint
        if decision.action == "object":
            i = state["objections"] % len(scenario.objections)
            state["objections"] += 1
            return scenario.objections[i]
        if decision.injection:
            return self._authored(scenario, state, "deflect")
        action = "deflect" if decision.action == "deflect" else "chat"
        released = [f for n in scenario.hidden_needs if n.id in state["revealed"] for f in n.facts]
        hinted_lines = [scenario.need(h).hint for h in state.get("hinted", [])]
        messages = load_prompt("roleplay_customer").messages(
            persona=scenario.persona.strip(), profile=scenario.profile.strip(),
            stated_request=scenario.stated_request,
            released="；".join(released + hinted_lines) or ("还没有" if zh else "nothing yet"),
            history=history or ("（刚开始）" if zh else "(just started)"),
            decision=DECISION_NOTES["zh" if zh else "en"][action],
            language="简体中文" if zh else "English", line=line[:400],
        )
        ctx = ReplyContext(scenario, line, set(state["revealed"]), " ".join(hinted_lines), semantic=self.semantic)
        for _ in range(2):  # the reply, then one regeneration
            self.model_calls += 1
            try:
                reply = complete(self.model(), messages, retries=self.retries, max_tokens=80, temperature=0.5)
            except NeedsError as exc:
                log.warning("customer voice unavailable: %s", exc.message)
                break
            reply = _clean(reply)
            reasons = check_reply(reply, ctx)
            if not reasons:
                return reply
            self.rejected = [*self.rejected[-99:], (reply, reasons)]
            log.info("customer reply rejected (%s): %s", "; ".join(reasons), reply)
        return self._authored(scenario, state, action)

    def _log_need(self, attempt_id: int, scenario: Scenario, need_id: str, turn: int, reply: str) -> None:
        need = scenario.need(need_id)
        conv = self.log.conversation(attempt_id)
        self.log.record_needs(attempt_id, [ExtractedNeed(
            statement=need.summary, kind="implicit", dimension=need.dimension, owner=need.owner,
            evidence=[Evidence(turn=turn, quote=reply[:200])], confidence=1.0,
        )], source="roleplay", author=conv.author, account=f"陪练：{scenario.title}" if scenario.language == "zh"
            else f"Role-play: {scenario.title}")

    # ---- the scorecard -------------------------------------------------------------------
    def scorecard(self, attempt_id: int) -> Scorecard:
        scenario, state = self._load(attempt_id)
        turns = self.log.turns(attempt_id)
        trainee_chars = sum(len(t.text) for t in turns if t.role == "trainee")
        customer_chars = sum(len(t.text) for t in turns if t.role == "customer")
        return compute(scenario, [TurnLabel(**x) for x in state["labels"]], state["revealed"],
                       trainee_chars, customer_chars, self.catalog, walked_away=state.get("walked_away", False))

    def finish(self, attempt_id: int) -> Scorecard:
        scenario, state = self._load(attempt_id)
        card = self.scorecard(attempt_id)
        conv = self.log.conversation(attempt_id)
        with self.log.sessions() as session:
            row = session.scalar(select(RoleplayAttempt).where(RoleplayAttempt.conversation_id == attempt_id))
            if row is None:
                row = RoleplayAttempt(conversation_id=attempt_id, scenario_id=scenario.id, trainee=conv.author,
                                      score=0, uncovered=0, total=0, scorecard={})
                session.add(row)
            row.score, row.uncovered, row.total = card.score, card.uncovered, card.total
            row.scorecard = card.model_dump(mode="json")
            row.finished_at = datetime.now(timezone.utc)
            session.commit()
        state["finished"] = True
        self.log.save_state(attempt_id, state)
        return card

    def attempts(self, trainee: str | None = None) -> list[RoleplayAttempt]:
        with self.log.sessions() as session:
            query = select(RoleplayAttempt).order_by(RoleplayAttempt.finished_at.desc())
            if trainee:
                query = query.where(RoleplayAttempt.trainee == trainee)
            return list(session.scalars(query))


def _clean(text: str) -> str:
    text = text.strip().strip("\"“”「」")
    text = re.sub(r"^(?:你（客户）的回答|客户|顾客|Customer|你|You)\s*[:：]\s*", "", text)
    return text.split("\n")[0][:300]

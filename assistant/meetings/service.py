"""Importing a meeting and reviewing any conversation: the use cases the CLI and the web
app call. Parsing is in ``parse``, figures in ``review``; needs come from the product's one
extraction (``needs.extract``) with the configured method (``Settings.extraction``, semantic
by default), so an imported meeting is logged like a coach conversation and like the brief
benchmark logs its meetings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from assistant.meetings.parse import Meeting, assign_roles, read_meeting
from assistant.meetings.review import Review, ReviewTurn, review_turns
from assistant.needs.log import NeedLog
from assistant.needs.records import NeedRecord
from assistant.needs.transcript import Transcript


@dataclass
class ImportResult:
    conversation_id: int
    meeting: Meeting
    review: Review
    needs: list[NeedRecord]

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversation": self.conversation_id,
            "format": self.meeting.format,
            "encoding": self.meeting.encoding,
            "warnings": self.meeting.warnings,
            "turns": [{"n": t.n, "role": t.role, "speaker": t.speaker, "text": t.text, "at": t.at,
                       "stamp": t.stamp} for t in self.meeting.turns],
            "review": {**self.review.as_dict(), "needs": [n.model_dump(mode="json") for n in self.needs]},
        }


class MeetingService:
    def __init__(self, needlog: NeedLog, extractor_factory=None, *, scenarios_dir: Path | None = None,
                 on_scenario_saved=None, catalog=None, extraction: str = "semantic", model=None,
                 retries: int = 2):
        """``extractor_factory(language)``: the extractor for one meeting; without it, the
        product's extraction with ``extraction`` as its method ('semantic' and 'rules' need no
        model; 'hybrid' and 'model' call ``model()`` for the chat model)."""
        self.needlog = needlog
        self.catalog = catalog
        self._extractor_factory = extractor_factory
        self.extraction = extraction
        self._model = model
        self._retries = retries
        self.scenarios_dir = scenarios_dir
        self._on_scenario_saved = on_scenario_saved

    def _extract(self, transcript: Transcript, language: str):
        from assistant.needs.extract import NeedExtractor

        if self._extractor_factory is not None:
            return self._extractor_factory(language).extract(transcript)
        method = self.extraction
        model = None
        if method in ("hybrid", "model"):
            model = self._model() if self._model is not None else None
            if model is None:
                method = "semantic"  # no model configured: the sentence reader alone
        return NeedExtractor(model, method=method, language=language, retries=self._retries).extract(transcript)

    def read(self, path: Path, data: bytes | None = None) -> Meeting:
        """Parse only (the web app shows the speakers before roles are chosen)."""
        return read_meeting(path, data)

    def import_meeting(
        self,
        meeting: Meeting,
        *,
        customer: Sequence[str] = (),
        sales: Sequence[str] = (),
        account: str | None = None,
        author: str = "",
        language: str | None = None,
    ) -> ImportResult:
        """Assign roles, extract needs, review, and log it all in one transaction."""
        assign_roles(meeting, customer=list(customer), sales=list(sales))
        language = language or _language(meeting)
        transcript = Transcript.from_pairs([(t.role or "customer", t.text) for t in meeting.turns])
        outcome = self._extract(transcript, language)
        turns = [(t.role or "customer", t.text,
                  {"speaker": t.speaker, "at": t.at, "end": t.end, "stamp": t.stamp}) for t in meeting.turns]
        conversation_id, needs = self.needlog.import_conversation(
            turns, outcome.needs, account=account, author=author, language=language,
            title=meeting.title or "meeting")
        from assistant.accounts.open_items import after_conversation

        after_conversation(self.needlog, conversation_id)  # open items; needs the customer agreed to
        needs = [self.needlog.get_need(n.id) for n in needs]
        review = review_turns(_review_turns(meeting), language=language, citation=self._citation(language))
        review.needs = [n.model_dump(mode="json") for n in needs]
        return ImportResult(conversation_id, meeting, review, needs)

    def _citation(self, language: str):
        """A method card cited as a person would: its title and 《source》, year."""
        if self.catalog is None:
            return None
        from assistant.knowledge.citation import cite_entry

        def cite(card_id: str) -> str:
            card = self.catalog.get(card_id)
            return cite_entry(card, language).text() if card is not None else card_id

        return cite

    def review(self, conversation_id: int) -> tuple[list[ReviewTurn], Review]:
        """The review of any stored conversation (imported, coach or role-play)."""
        conv = self.needlog.conversation(conversation_id)
        rows = self.needlog.turns(conversation_id)
        turns = [ReviewTurn(r.idx, "sales" if r.role in ("sales", "trainee") else "customer", r.text,
                            (r.meta or {}).get("speaker", ""), (r.meta or {}).get("at"), (r.meta or {}).get("end"))
                 for r in rows if r.role in ("customer", "sales", "trainee")]
        review = review_turns(turns, language=conv.language, citation=self._citation(conv.language))
        from assistant.needs.log import NeedFilter

        review.needs = [n.model_dump(mode="json")
                        for n in self.needlog.needs(NeedFilter(conversation_id=conversation_id))]
        return turns, review


    # ---- figures per salesperson -------------------------------------------------------------------
    def meeting_figures(self, *, author: str | None = None, account: str | None = None, since=None, until=None,
                        limit: int = 300) -> list[dict[str, Any]]:
        """One row per meeting or coach conversation: who, when, question rate, talk ratio,
        implicit needs and missed openings. A conversation's figures are kept with it (in its
        state, with the turn count they were computed for) so the page does not recompute them."""
        rows = []
        for conv in self.needlog.conversations(author=author or None, limit=limit):
            if conv.kind not in ("import", "coach"):
                continue
            if account and (conv.account is None or conv.account.name != account):
                continue
            day = conv.created_at.date()
            if (since and day < since) or (until and day > until):
                continue
            figures = (conv.state or {}).get("review_figures")
            count = len(self.needlog.turns(conv.id))
            if not figures or figures.get("turns") != count:
                _, review = self.review(conv.id)
                if review.talk_ratio["sales"] == 0:
                    continue  # the salesperson said nothing here: no figures to show
                figures = {
                    "turns": count, "question_rate": review.question_rate,
                    "talk_ratio_sales": review.talk_ratio["sales"],
                    "implicit_needs": sum(1 for n in review.needs if n["kind"] == "implicit"),
                    "missed_openings": len(review.missed_openings), "premature_pitches": review.premature_pitches,
                }
                if conv.kind == "import":  # a coach conversation's state belongs to the coach
                    self.needlog.save_state(conv.id, {**(conv.state or {}), "review_figures": figures})
            rows.append({"conversation": conv.id, "author": conv.author, "date": day, "kind": conv.kind,
                         "account": conv.account.name if conv.account else "", **figures})
        return rows

    # ---- practise this customer ---------------------------------------------------------------
    def draft_scenario(self, conversation_id: int) -> str:
        """A role-play scenario drafted from this conversation, as YAML for a manager to edit."""
        from assistant.meetings.draft import draft_scenario, draft_yaml

        conv = self.needlog.conversation(conversation_id)
        turns, review = self.review(conversation_id)
        account = conv.account.name if conv.account else None
        data = draft_scenario(turns, review.needs, conversation_id=conversation_id, title=conv.title,
                              account=account, language=conv.language,
                              segment=conv.account.segment if conv.account else "")
        return draft_yaml(data)

    def save_scenario(self, text: str) -> Path:
        """Validate an edited draft and save it to the team's scenario folder."""
        from assistant.errors import ConfigError
        from assistant.meetings.draft import save_scenario

        if self.scenarios_dir is None:
            raise ConfigError("No folder for the team's scenarios is set.", fix="set NEEDS_SCENARIOS_DIR")
        path = save_scenario(text, self.scenarios_dir)
        if self._on_scenario_saved:
            self._on_scenario_saved()
        return path


def _review_turns(meeting: Meeting) -> list[ReviewTurn]:
    return [ReviewTurn(t.n, t.role or "customer", t.text, t.speaker, t.at, t.end) for t in meeting.turns]


def _language(meeting: Meeting) -> str:
    text = "".join(t.text for t in meeting.turns[:40])
    han = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
    return "zh" if han >= max(1, len(text) // 10) else "en"

"""The need log: conversations, turns and needs, committed one at a time so nothing is lost.

Every method opens its own short transaction. A turn is committed before any model is
asked about it; needs are committed as soon as they are extracted; every edit of a
need writes one audit row per changed field.
"""

from __future__ import annotations

import csv
import io
import json
import random
import time as _time
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any, Iterable, Literal, Sequence

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.db.engine import make_engine, migrate, session_factory
from assistant.db.schema import Account, Conversation, Need, NeedEdit, NeedTransition, Turn, utcnow
from assistant.accounts.lifecycle import NEXT, check_move, fields_for, state_for_status
from assistant.errors import InputError
from assistant.needs.records import (
    Evidence,
    ExtractedNeed,
    NeedRecord,
    Source,
    Status,
    need_key,
    same_need,
)

EDITABLE = (
    "statement", "kind", "dimension", "owner", "motive", "status", "confidence", "ltc_stage",
    "review_state",
)
EXPORT_COLUMNS = (
    "id", "account", "author", "conversation_id", "statement", "kind", "dimension", "owner",
    "motive", "status", "confidence", "ltc_stage", "source", "review_state", "evidence",
    "created_at", "updated_at",
)
_STATUS_RANK = {"hypothesis": 0, "stated": 1, "confirmed": 2, "addressed": 3}


@dataclass
class NeedFilter:
    account: str | None = None
    author: str | None = None
    authors: Sequence[str] | None = None  # restrict to these authors (a salesperson's own view)
    dimension: str | None = None
    kind: str | None = None
    status: str | None = None
    source: str | None = None
    review_state: str | None = None
    conversation_id: int | None = None
    since: date | None = None
    until: date | None = None
    text: str | None = None
    include_rejected: bool = False


class NeedLog:
    def __init__(self, engine: Engine):
        self.engine = engine
        self.sessions: sessionmaker[Session] = session_factory(engine)

    @classmethod
    def open(cls, database_url: str) -> "NeedLog":
        engine = make_engine(database_url)
        migrate(engine)
        return cls(engine)

    # ---- accounts & conversations ------------------------------------------------
    def ensure_account(self, name: str | None, segment: str = "") -> int | None:
        name = (name or "").strip()
        if not name:
            return None
        for _ in range(3):  # concurrent creators: the unique name decides, then we re-read
            with self.sessions() as session:
                found = session.scalar(select(Account).where(Account.name == name))
                if found:
                    if segment and not found.segment:
                        found.segment = segment
                        session.commit()
                    return found.id
                account = Account(name=name, segment=segment)
                session.add(account)
                try:
                    session.commit()
                    return account.id
                except IntegrityError:
                    session.rollback()
        raise RuntimeError(f"could not create account {name!r}")  # pragma: no cover

    def create_conversation(
        self,
        *,
        kind: str = "coach",
        mode: str = "live",
        account: str | None = None,
        author: str = "",
        language: str = "zh",
        title: str = "",
        scenario_id: str | None = None,
        state: dict[str, Any] | None = None,
    ) -> int:
        account_id = self.ensure_account(account)
        with self.sessions() as session:
            conv = Conversation(
                kind=kind, mode=mode, account_id=account_id, author=author, language=language,
                title=title[:200], scenario_id=scenario_id, state=state or {},
            )
            session.add(conv)
            session.commit()
            return conv.id

    def conversation(self, conversation_id: int) -> Conversation:
        with self.sessions() as session:
            conv = session.get(Conversation, conversation_id)
            if conv is None:
                raise InputError(f"No conversation #{conversation_id}.", fix="`needs log list` shows them")
            conv.account  # load before the session closes
            return conv

    def conversations(self, author: str | None = None, kind: str | None = None, limit: int = 200):
        with self.sessions() as session:
            query = select(Conversation).order_by(Conversation.updated_at.desc()).limit(limit)
            if author:
                query = query.where(Conversation.author == author)
            if kind:
                query = query.where(Conversation.kind == kind)
            rows = list(session.scalars(query))
            for row in rows:
                row.account
            return rows

    def save_state(self, conversation_id: int, state: dict[str, Any]) -> None:
        with self.sessions() as session:
            conv = session.get(Conversation, conversation_id)
            if conv is None:
                raise InputError(f"No conversation #{conversation_id}.")
            conv.state = state
            conv.updated_at = utcnow()
            session.commit()

    # ---- turns ----------------------------------------------------------------
    def add_turn(
        self,
        conversation_id: int,
        role: str,
        text: str,
        *,
        extraction: str = "none",
        meta: dict[str, Any] | None = None,
    ) -> Turn:
        """Append and commit a turn; its number is the next free one (safe under concurrency)."""
        for attempt in range(100):
            with self.sessions() as session:
                last = session.scalar(
                    select(func.max(Turn.idx)).where(Turn.conversation_id == conversation_id)
                )
                turn = Turn(
                    conversation_id=conversation_id, idx=(last or 0) + 1, role=role, text=text,
                    extraction=extraction, meta=meta or {},
                )
                session.add(turn)
                try:
                    session.commit()
                    return turn
                except IntegrityError:  # another writer took this number: take the next
                    session.rollback()
            _time.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise RuntimeError("could not number the turn")  # pragma: no cover

    def set_extraction(self, turn_id: int, status: str, meta: dict[str, Any] | None = None) -> None:
        with self.sessions() as session:
            turn = session.get(Turn, turn_id)
            if turn is None:
                return
            turn.extraction = status
            if meta:
                turn.meta = {**(turn.meta or {}), **meta}
            session.commit()

    def turns(self, conversation_id: int) -> list[Turn]:
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(Turn).where(Turn.conversation_id == conversation_id).order_by(Turn.idx)
                )
            )

    def pending_turns(self) -> list[Turn]:
        with self.sessions() as session:
            return list(
                session.scalars(
                    select(Turn).where(Turn.extraction.in_(("pending", "failed"))).order_by(Turn.id)
                )
            )

    # ---- needs ------------------------------------------------------------------
    def record_needs(
        self,
        conversation_id: int | None,
        needs: Iterable[ExtractedNeed],
        *,
        source: Source = "live",
        author: str = "",
        account: str | None = None,
        status: Status | None = None,
    ) -> list[NeedRecord]:
        """Insert new needs; a restated need updates the existing record (evidence merged)."""
        account_id = self.ensure_account(account) if account else None
        with self.sessions() as session:
            saved = self._upsert_needs(session, conversation_id, needs, source=source, author=author,
                                       account_id=account_id, status=status)
            session.commit()
        return saved

    def import_conversation(
        self,
        turns: Iterable[tuple[str, str, dict[str, Any]]],
        needs: Iterable[ExtractedNeed],
        *,
        account: str | None = None,
        author: str = "",
        language: str = "zh",
        title: str = "",
    ) -> tuple[int, list[NeedRecord]]:
        """A whole imported meeting — conversation, turns (role, text, meta) and needs — in one
        transaction: either all of it is in the log or none of it."""
        account_id = self.ensure_account(account) if account else None
        with self.sessions() as session:
            conv = Conversation(kind="import", mode="import", account_id=account_id, author=author,
                                language=language, title=title[:200], state={})
            session.add(conv)
            session.flush()
            for idx, (role, text, meta) in enumerate(turns, 1):
                session.add(Turn(conversation_id=conv.id, idx=idx, role=role, text=text,
                                 extraction="done" if role == "customer" else "none", meta=meta))
            session.flush()
            # a meeting shows what the customer said: stated, confirmed when the customer agrees
            saved = self._upsert_needs(session, conv.id, needs, source="import", author=author,
                                       account_id=account_id, status="stated")
            session.commit()
            return conv.id, saved

    def _upsert_needs(
        self,
        session: Session,
        conversation_id: int | None,
        needs: Iterable[ExtractedNeed],
        *,
        source: Source,
        author: str,
        account_id: int | None,
        status: Status | None,
    ) -> list[NeedRecord]:
        saved: list[NeedRecord] = []
        if conversation_id is not None:
            conv = session.get(Conversation, conversation_id)
            if conv is not None and account_id is None:
                account_id = conv.account_id
            existing = list(
                session.scalars(
                    select(Need).where(
                        Need.conversation_id == conversation_id, Need.rejected.is_(False)
                    )
                )
            )
        else:
            existing = []
        for item in needs:
            # a transcript shows what the customer said, not that they agreed to it: stated
            new_status = status or ("stated" if source == "import" else "confirmed")
            match = next(
                (
                    n
                    for n in existing
                    if same_need(n.statement, [Evidence(**e) for e in n.evidence],
                                 item.statement, item.evidence)
                ),
                None,
            )
            if match is not None:
                merged = list(match.evidence)
                for ev in item.evidence:
                    if {"turn": ev.turn, "quote": ev.quote} not in merged:
                        merged.append({"turn": ev.turn, "quote": ev.quote})
                match.evidence = merged
                if _STATUS_RANK.get(new_status, 0) > _STATUS_RANK.get(match.status, 0):
                    match.status = new_status
                    _follow_status(session, match, author)
                match.confidence = max(match.confidence, item.confidence)
                if item.motive and not match.motive:
                    match.motive = item.motive
                match.updated_at = utcnow()
                row = match
            else:
                row = Need(
                    id=NeedRecord(statement=item.statement, kind=item.kind,
                                  dimension=item.dimension).id,
                    conversation_id=conversation_id, account_id=account_id,
                    statement=item.statement, key=need_key(item.statement), kind=item.kind,
                    dimension=item.dimension, owner=item.owner, motive=item.motive,
                    evidence=[e.model_dump() for e in item.evidence], status=new_status,
                    confidence=item.confidence, source=source, author=author,
                    lifecycle=state_for_status(new_status), stage_since=utcnow(), knowledge_refs=[],
                )
                session.add(row)
                existing.append(row)
            session.flush()
            saved.append(self._record(session, row))
        return saved

    def _record(self, session: Session, row: Need) -> NeedRecord:
        account = session.get(Account, row.account_id) if row.account_id else None
        return NeedRecord(
            id=row.id, conversation_id=row.conversation_id,
            account=account.name if account else None, statement=row.statement, kind=row.kind,
            dimension=row.dimension, owner=row.owner, motive=row.motive,
            evidence=[Evidence(**e) for e in row.evidence], status=row.status,
            confidence=row.confidence, ltc_stage=row.ltc_stage, source=row.source,
            review_state=row.review_state, author=row.author,
            lifecycle=row.lifecycle or "hypothesis",
            stage_since=_aware(row.stage_since) if row.stage_since else None,
            knowledge_refs=list(row.knowledge_refs or []),
            created_at=_aware(row.created_at), updated_at=_aware(row.updated_at),
        )

    def get_need(self, need_id: str) -> NeedRecord:
        with self.sessions() as session:
            row = session.get(Need, need_id)
            if row is None:
                row = session.scalar(select(Need).where(Need.id.startswith(need_id)))
            if row is None:
                raise InputError(f"No need with id {need_id!r}.", fix="`needs log list` shows ids")
            return self._record(session, row)

    def needs(self, flt: NeedFilter | None = None, limit: int = 5000) -> list[NeedRecord]:
        flt = flt or NeedFilter()
        with self.sessions() as session:
            query = select(Need).order_by(Need.created_at.desc()).limit(limit)
            if not flt.include_rejected:
                query = query.where(Need.rejected.is_(False))
            if flt.account:
                query = query.join(Account, Need.account_id == Account.id).where(
                    Account.name == flt.account
                )
            for column, value in (
                (Need.author, flt.author), (Need.dimension, flt.dimension), (Need.kind, flt.kind),
                (Need.status, flt.status), (Need.source, flt.source),
                (Need.review_state, flt.review_state), (Need.conversation_id, flt.conversation_id),
            ):
                if value is not None and value != "":
                    query = query.where(column == value)
            if flt.authors is not None:
                query = query.where(Need.author.in_(list(flt.authors)))
            if flt.since:
                query = query.where(Need.created_at >= datetime.combine(flt.since, time.min, timezone.utc))
            if flt.until:
                query = query.where(Need.created_at <= datetime.combine(flt.until, time.max, timezone.utc))
            if flt.text:
                query = query.where(Need.statement.contains(flt.text))
            return [self._record(session, row) for row in session.scalars(query)]

    def update_need(
        self, need_id: str, changes: dict[str, Any], *, editor: str, note: str = ""
    ) -> NeedRecord:
        """Apply corrections; each changed field is written to the audit trail."""
        unknown = set(changes) - set(EDITABLE)
        if unknown:
            raise InputError(f"Cannot edit {sorted(unknown)}.", fix=f"editable fields: {EDITABLE}")
        with self.sessions() as session:
            row = session.get(Need, need_id)
            if row is None:
                raise InputError(f"No need with id {need_id!r}.")
            candidate = self._record(session, row).model_dump()
            candidate.update(changes)
            if "review_state" not in changes:
                candidate["review_state"] = "edited"
            checked = NeedRecord.model_validate(candidate)  # rejects bad enum values
            for name in EDITABLE:
                old, new = getattr(row, name), getattr(checked, name)
                if old != new:
                    session.add(NeedEdit(need_id=row.id, editor=editor, field=name,
                                         old_value=str(old), new_value=str(new), note=note))
                    setattr(row, name, new)
            row.key = need_key(row.statement)
            row.updated_at = utcnow()
            session.commit()
            return self._record(session, row)

    def reject_need(self, need_id: str, *, editor: str, note: str = "") -> None:
        """Hide a wrong need from the log; the audit trail keeps what it said."""
        with self.sessions() as session:
            row = session.get(Need, need_id)
            if row is None or row.rejected:
                return
            session.add(NeedEdit(need_id=row.id, editor=editor, field="rejected",
                                 old_value=row.statement, new_value="true", note=note))
            row.rejected = True
            row.updated_at = utcnow()
            session.commit()

    def corrections_as_examples(self) -> list[dict[str, Any]]:
        """Manager corrections as labelled sentences for the sentence classifier: the evidence
        quotes of a need whose dimension, kind or owner was edited carry the corrected labels;
        those of a rejected need are labelled "not a need"."""
        fields = ("dimension", "kind", "owner", "rejected")
        with self.sessions() as session:
            ids = set(session.scalars(select(NeedEdit.need_id).where(NeedEdit.field.in_(fields)).distinct()))
            rows = list(session.scalars(select(Need).where(Need.id.in_(ids)))) if ids else []
        examples: list[dict[str, Any]] = []
        for row in sorted(rows, key=lambda r: r.id):
            for i, ev in enumerate(row.evidence or []):
                quote = str((ev or {}).get("quote", "")).strip()
                if len(quote) < 2:
                    continue
                label = ({"is_need": False, "kind": None, "dimension": None, "owner": None} if row.rejected
                         else {"is_need": True, "kind": row.kind, "dimension": row.dimension, "owner": row.owner})
                examples.append({"id": f"correction:{row.id}:{i}", "text": quote, **label, "slots": [], "acts": []})
        return examples

    def audit(self, need_id: str) -> list[NeedEdit]:
        with self.sessions() as session:
            return list(
                session.scalars(select(NeedEdit).where(NeedEdit.need_id == need_id).order_by(NeedEdit.id))
            )

    # ---- lifecycle ----------------------------------------------------------------
    def move_need(self, need_id: str, target: str, *, actor: str, reason: str = "",
                  via: str = "manual", at: datetime | None = None) -> NeedRecord:
        """Move a need to ``target`` (checked against the lifecycle); the move is dated in
        need_transitions and each field it changes (lifecycle, status, ltc_stage) in need_edits."""
        with self.sessions() as session:
            row = session.get(Need, need_id)
            if row is None:
                row = session.scalar(select(Need).where(Need.id.startswith(need_id)))
            if row is None or row.rejected:
                raise InputError(f"No need with id {need_id!r}.", fix="`needs log list` shows ids")
            current = row.lifecycle or "hypothesis"
            check_move(current, target, reason)
            when = at or utcnow()
            status, stage = fields_for(target, row.status, row.ltc_stage)
            session.add(NeedTransition(need_id=row.id, from_state=current, to_state=target,
                                       reason=reason.strip(), actor=actor, via=via, at=when))
            for name, new in (("lifecycle", target), ("status", status), ("ltc_stage", stage)):
                old = getattr(row, name)
                if old != new:
                    session.add(NeedEdit(need_id=row.id, editor=actor, field=name, old_value=str(old),
                                         new_value=str(new), note=reason.strip(), at=when))
                    setattr(row, name, new)
            row.stage_since = when
            row.updated_at = when
            session.commit()
            return self._record(session, row)

    def transitions(self, need_id: str) -> list[NeedTransition]:
        with self.sessions() as session:
            return list(session.scalars(select(NeedTransition).where(NeedTransition.need_id == need_id)
                                        .order_by(NeedTransition.at, NeedTransition.id)))

    def add_knowledge_refs(self, need_id: str, refs: Sequence[str], *, editor: str = "",
                           audit: bool = True) -> NeedRecord:
        """Keep the knowledge entries (ids such as ``buyer-vs-user``) a need was reasoned from.

        The coach calls this with its move's citation when it logs a need it reasoned out
        (``audit=False`` in the turn the need is logged: part of how it was logged, not an edit)."""
        with self.sessions() as session:
            row = session.get(Need, need_id)
            if row is None:
                raise InputError(f"No need with id {need_id!r}.", fix="`needs log list` shows ids")
            known = list(row.knowledge_refs or [])
            added = [r for r in (x.strip() for x in refs) if r and r not in known]
            if added:
                row.knowledge_refs = known + added
                if audit:
                    session.add(NeedEdit(need_id=row.id, editor=editor, field="knowledge_refs",
                                         old_value=", ".join(known), new_value=", ".join(known + added)))
                session.commit()
            return self._record(session, row)

    def set_account_trade(self, name: str, trade: str) -> None:
        account_id = self.ensure_account(name)
        if account_id is None:
            raise InputError("An account needs a name.", fix="give the account's name")
        with self.sessions() as session:
            session.get(Account, account_id).trade = trade.strip()[:100]
            session.commit()


def _follow_status(session: Session, row: Need, actor: str) -> None:
    """A restated need whose status rose (the customer said what was a hypothesis): its
    lifecycle follows, as a dated transition made by the conversation."""
    target = state_for_status(row.status)
    current = row.lifecycle or "hypothesis"
    if target != current and current in ("hypothesis", "stated") and target in NEXT.get(current, ()):
        now = utcnow()
        session.add(NeedTransition(need_id=row.id, from_state=current, to_state=target, actor=actor,
                                   via="conversation", reason="the customer said it", at=now))
        row.lifecycle = target
        row.stage_since = now


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


# ---- export -------------------------------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def is_formula_like(value: Any) -> bool:
    """A text a spreadsheet would run as a formula (starts with = + - @, a tab or a CR)."""
    return isinstance(value, str) and value.startswith(_FORMULA_START)


def safe_cell(value: Any) -> Any:
    """Neutralise spreadsheet formulas in CSV: a text cell starting with = + - @ gets a leading '
    (CSV has no cell types; XLSX writes such cells as text cells instead)."""
    if is_formula_like(value):
        return "'" + value
    return value


def _xlsx_row(sheet, values: Sequence[Any]) -> list[Any]:
    """Cells of one XLSX row. A formula-like text becomes a text cell (type ``s``) marked
    quote-prefixed, so the spreadsheet shows the customer's words as typed, never runs them,
    and keeps them text when the cell is edited."""
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if is_formula_like(value):
            cell.data_type = "s"
            cell.quotePrefix = True
        cells.append(cell)
    return cells


def export_rows(needs: Sequence[NeedRecord]) -> list[dict[str, Any]]:
    rows = []
    for need in needs:
        data = need.model_dump(mode="json")
        data["evidence"] = " | ".join(f"[{e['turn']}] {e['quote']}" for e in data["evidence"])
        rows.append({col: data.get(col) for col in EXPORT_COLUMNS})
    return rows


def export_needs(
    needs: Sequence[NeedRecord], fmt: Literal["csv", "json", "xlsx"], path: Path | None = None
) -> bytes:
    """Serialise needs; writes ``path`` when given and returns the bytes either way."""
    if fmt == "json":
        payload = json.dumps(
            {"needs": [n.model_dump(mode="json") for n in needs]}, ensure_ascii=False, indent=2
        ).encode("utf-8")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=EXPORT_COLUMNS)
        writer.writeheader()
        for row in export_rows(needs):
            writer.writerow({k: safe_cell(v) for k, v in row.items()})
        payload = ("\ufeff" + buffer.getvalue()).encode("utf-8")  # BOM: Excel opens it as UTF-8
    elif fmt == "xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet("needs")
        sheet.append(list(EXPORT_COLUMNS))
        for row in export_rows(needs):
            sheet.append(_xlsx_row(sheet, [row[c] for c in EXPORT_COLUMNS]))
        buffer = io.BytesIO()
        book.save(buffer)
        payload = buffer.getvalue()
    else:
        raise InputError(f"Unknown export format {fmt!r}.", fix="use csv, json or xlsx")
    if path is not None:
        path.write_bytes(payload)
    return payload

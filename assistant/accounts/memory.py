"""An account's history across conversations, meetings and role-plays, and the manager's
watch lists (unverified implicit needs, needs stuck in a stage, accounts not contacted).

Access: a manager sees the team's needs; anyone else sees the needs they logged themselves
(``scope(person)``). Everything here reads the need log with a few indexed queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Sequence

from sqlalchemy import func, select

from assistant.accounts.lifecycle import OPEN_STATES
from assistant.accounts.meaning import SAME_NEED, vectors
from assistant.db.schema import Account, Conversation, Need, NeedTransition
from assistant.errors import InputError
from assistant.needs.log import NeedLog
from assistant.needs.records import NeedRecord, same_need


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def scope(person: Any | None) -> list[str] | None:
    """Authors whose needs ``person`` may see: None (all) for a manager or the operator."""
    if person is None or getattr(person, "is_manager", False):
        return None
    return [person.username]


@dataclass
class Said:
    """Who said what and when: one quote of a need."""

    quote: str
    turn: int
    conversation_id: int | None
    kind: str  # coach | roleplay | import
    mode: str  # prep | live | roleplay | import
    author: str
    when: datetime


@dataclass
class MergedNeed:
    """One need of the account; restatements in other conversations merged into it by meaning."""

    need: NeedRecord
    restated: list[NeedRecord] = field(default_factory=list)
    said: list[Said] = field(default_factory=list)

    @property
    def ids(self) -> list[str]:
        return [self.need.id] + [r.id for r in self.restated]


@dataclass
class Event:
    when: datetime
    what: str  # conversation | need | move
    text: str
    author: str = ""
    ref: str = ""


@dataclass
class AccountView:
    name: str
    segment: str
    trade: str
    needs: list[MergedNeed]
    last_contact: datetime | None
    timeline: list[Event]
    conversations: list[dict[str, Any]]

    @property
    def open_hypotheses(self) -> list[MergedNeed]:
        return [m for m in self.needs if m.need.lifecycle in ("hypothesis", "stated")]

    @property
    def known(self) -> list[MergedNeed]:
        return [m for m in self.needs if m.need.lifecycle not in ("hypothesis", "stated", "dropped")]


def merge_by_meaning(needs: Sequence[NeedRecord], threshold: float = SAME_NEED,
                     engine=None) -> list[list[NeedRecord]]:
    """Groups of restated needs: same wording or quotes (records.same_need) in different
    conversations, or statements close in meaning (accounts.meaning, centred cosine ≥
    ``threshold``). Oldest first in a group."""
    ordered = sorted(needs, key=lambda n: n.created_at)
    if not ordered:
        return []
    vecs = vectors([n.statement for n in ordered], engine)
    groups: list[list[int]] = []
    for i, need in enumerate(ordered):
        home = None
        for g in groups:
            first = ordered[g[0]]
            if need.kind != first.kind and need.dimension != first.dimension:
                continue
            if float(vecs[g[0]] @ vecs[i]) >= threshold or same_need(
                    first.statement, first.evidence, need.statement, need.evidence) and \
                    first.conversation_id != need.conversation_id:
                home = g
                break
        if home is None:
            groups.append([i])
        else:
            home.append(i)
    return [[ordered[i] for i in g] for g in groups]


_RANK = {s: i for i, s in enumerate(("dropped", "hypothesis", "stated", "lost", "confirmed",
                                      "in_solution", "proposed", "won", "delivered"))}


class AccountMemory:
    def __init__(self, log: NeedLog):
        self.log = log

    # ---- one account ------------------------------------------------------------------
    def account_names(self, person: Any | None = None) -> list[str]:
        authors = scope(person)
        with self.log.sessions() as session:
            if authors is None:
                return list(session.scalars(select(Account.name).order_by(Account.name)))
            from_needs = select(Need.account_id).where(Need.author.in_(authors))
            from_convs = select(Conversation.account_id).where(Conversation.author.in_(authors))
            query = select(Account.name).where(
                Account.id.in_(from_needs.union(from_convs).scalar_subquery())).order_by(Account.name)
            return list(session.scalars(query))

    def account_row(self, name: str) -> Account:
        with self.log.sessions() as session:
            row = session.scalar(select(Account).where(Account.name == name.strip()))
            if row is None:
                raise InputError(f"No account named {name!r}.",
                                 fix="`needs accounts list` shows the accounts you can see")
            return row

    def needs_of(self, account_id: int, authors: list[str] | None, limit: int = 500) -> list[NeedRecord]:
        with self.log.sessions() as session:
            query = (select(Need).where(Need.account_id == account_id, Need.rejected.is_(False))
                     .order_by(Need.created_at.desc()).limit(limit))
            if authors is not None:
                query = query.where(Need.author.in_(authors))
            rows = list(session.scalars(query))
            account = session.get(Account, account_id)
            return [self.log._record(session, r) for r in rows] if account else []

    def view(self, name: str, person: Any | None = None, *, merge: bool = True) -> AccountView:
        authors = scope(person)
        account = self.account_row(name)
        if authors is not None and name not in self.account_names(person):
            raise InputError(f"No account named {name!r} among yours.",
                             fix="ask a manager, or `needs accounts list` for yours")
        needs = self.needs_of(account.id, authors)
        with self.log.sessions() as session:
            cquery = select(Conversation).where(Conversation.account_id == account.id)
            if authors is not None:
                cquery = cquery.where(Conversation.author.in_(authors))
            convs = list(session.scalars(cquery.order_by(Conversation.created_at)))
            moves = list(session.scalars(
                select(NeedTransition).where(NeedTransition.need_id.in_([n.id for n in needs]))
                .order_by(NeedTransition.at))) if needs else []
        by_conv = {c.id: c for c in convs}
        groups = merge_by_meaning(needs, engine=self.log.engine) if merge else [[n] for n in needs]
        merged = []
        for group in groups:
            lead = max(group, key=lambda n: (_RANK.get(n.lifecycle, 0), n.updated_at))
            said = []
            for n in group:
                conv = by_conv.get(n.conversation_id)
                for e in n.evidence:
                    said.append(Said(e.quote, e.turn, n.conversation_id, conv.kind if conv else "import",
                                     conv.mode if conv else n.source, n.author, n.created_at))
            merged.append(MergedNeed(lead, [n for n in group if n is not lead], said))
        merged.sort(key=lambda m: m.need.created_at)
        timeline = [Event(_aware(c.created_at), "conversation", c.title or f"{c.kind}/{c.mode} #{c.id}",
                          c.author, str(c.id)) for c in convs]
        timeline += [Event(n.created_at, "need", n.statement, n.author, n.id) for n in needs]
        statements = {n.id: n.statement for n in needs}
        timeline += [Event(_aware(m.at), "move", f"{statements.get(m.need_id, '')}: {m.from_state} → "
                           f"{m.to_state}" + (f"（{m.reason}）" if m.reason else ""), m.actor, m.need_id)
                     for m in moves]
        timeline.sort(key=lambda e: e.when)
        contacts = [_aware(c.updated_at) for c in convs] + [n.created_at for n in needs]
        conversations = [{"id": c.id, "kind": c.kind, "mode": c.mode, "author": c.author,
                          "title": c.title, "when": _aware(c.created_at)} for c in convs]
        return AccountView(account.name, account.segment, account.trade or "", merged,
                           max(contacts) if contacts else None, timeline, conversations)

    # ---- the manager's watch lists -------------------------------------------------------
    def unverified_implicit(self, person: Any | None = None) -> list[dict[str, Any]]:
        """Accounts with implicit needs nobody has verified yet (hypothesis or stated)."""
        authors = scope(person)
        with self.log.sessions() as session:
            query = (select(Account.name, func.count(Need.id))
                     .join(Need, Need.account_id == Account.id)
                     .where(Need.kind == "implicit", Need.lifecycle.in_(("hypothesis", "stated")),
                            Need.rejected.is_(False))
                     .group_by(Account.name).order_by(func.count(Need.id).desc()))
            if authors is not None:
                query = query.where(Need.author.in_(authors))
            return [{"account": a, "needs": n} for a, n in session.execute(query)]

    def stuck(self, days: int, person: Any | None = None, now: datetime | None = None,
              limit: int = 200) -> list[dict[str, Any]]:
        """Open needs that have stayed in their stage for ``days`` days or more."""
        cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
        authors = scope(person)
        with self.log.sessions() as session:
            since = func.coalesce(Need.stage_since, Need.created_at)
            query = (select(Need.id, Need.statement, Need.lifecycle, since, Need.author, Account.name)
                     .outerjoin(Account, Need.account_id == Account.id)
                     .where(Need.lifecycle.in_(OPEN_STATES), Need.rejected.is_(False), since <= cutoff)
                     .order_by(since).limit(limit))
            if authors is not None:
                query = query.where(Need.author.in_(authors))
            return [{"id": i, "statement": s, "state": st, "since": _aware(d), "author": a, "account": acc or ""}
                    for i, s, st, d, a, acc in session.execute(query)]

    def not_contacted(self, days: int, person: Any | None = None, now: datetime | None = None) -> list[dict[str, Any]]:
        """Accounts whose last conversation or logged need is ``days`` days old or older."""
        cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=days)
        authors = scope(person)
        with self.log.sessions() as session:
            nq = select(Need.account_id.label("aid"), func.max(Need.created_at).label("at")).where(
                Need.account_id.is_not(None))
            cq = select(Conversation.account_id.label("aid"), func.max(Conversation.updated_at).label("at")).where(
                Conversation.account_id.is_not(None))
            if authors is not None:
                nq = nq.where(Need.author.in_(authors))
                cq = cq.where(Conversation.author.in_(authors))
            both = nq.group_by(Need.account_id).union_all(cq.group_by(Conversation.account_id)).subquery()
            last = select(both.c.aid, func.max(both.c.at).label("last")).group_by(both.c.aid).subquery()
            query = (select(Account.name, last.c.last).join(last, last.c.aid == Account.id)
                     .where(last.c.last <= cutoff).order_by(last.c.last))
            return [{"account": a, "last_contact": _aware(d)} for a, d in session.execute(query)]

"""What a conversation leaves open, kept until a later conversation takes it up.

Four kinds, read sentence by sentence from the turns of a coach chat, an imported meeting or
a played script (role-plays and prep talks with the coach are not conversations with the
customer and are skipped):

* ``promise`` — the salesperson will come back with something ("我回去确认一下…下周给您答复",
  "下次我带样机过来", "I'll get back to you");
* ``question`` — the customer could not answer or it is someone else's call ("得问IT的老何",
  "这个我说了不算", "not my call");
* ``deferred`` — a need or topic raised and put off ("今天时间不够了，我们下次专门聊");
* ``hypothesis`` — the salesperson suspected a need ("您是不是担心…") and the customer's
  next words did not confirm it.

A sentence is read by the shared cue lexicon (understanding.lexicon: promise, unanswered,
deferred, probe) and, where no cue fires, by its nearest labelled example lines in the
shipped embedder's space (data/open_item_examples.jsonl, zh and en; understanding.semantic).
Each item keeps the sentence verbatim, the words it was read from, what the other side had
just said (its topic), the turn and the conversation. An item is closed when a later
conversation of the account takes it up — a sentence close in meaning to the item and its
topic that does not itself leave it open — or by hand (``needs accounts close``, the
account page).

Needs found in a transcript are recorded as *stated*; ``confirm_from_turns`` moves one to
*confirmed* only where the salesperson restated it and the customer's next words agreed.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

import numpy as np
from sqlalchemy import select

from assistant.db.schema import Account, Conversation, Need, OpenItem, Turn
from assistant.errors import InputError
from assistant.understanding import lexicon

EXAMPLES = Path(__file__).parent / "data" / "open_item_examples.jsonl"
KINDS = ("promise", "question", "deferred", "hypothesis")
KIND_LABELS = {"promise": ("答应的事", "promise"), "question": ("没答上的问题", "unanswered question"),
               "deferred": ("推到下次的", "put off"), "hypothesis": ("没被证实的猜测", "unconfirmed hypothesis")}
# example label → item kind, per speaker (a customer's "我回去问问" is a question left open)
_BY_SPEAKER = {
    "sales": {"promise": "promise", "deferred": "deferred", "probe": "hypothesis"},
    "customer": {"unanswered": "question", "promise": "question", "deferred": "deferred"},
}
# a sentence the embedder reads as an open item must also carry a word of its kind
_MARKERS = {
    "promise": re.compile(r"(?:我|I\b|I'll|we'll|let me|let us|shall we|we can).*(?:发|给|带|回复|答复|确认|问|查|准备|整理|申请|"
                          r"争取|约|帮您|帮你|上门|试|算|录|做出|做一|send|bring|share|check|confirm|follow|loop|"
                          r"get back|quote|ask|prepare|run|trial|work out|come by|set up|load)|(?:回去|回公司|第一时间|回头)", re.I),
    "question": re.compile(r"不|没|还|得|要看|负责|管|问|owns|not|don't|haven't|depends|check|ask|up to|decide|call|"
                           r"unclear|waiting", re.I),
    "deferred": re.compile(r"下次|下回|改天|以后|回头|再说|再聊|再谈|offline|later|next|another|separate|park", re.I),
    "hypothesis": re.compile(r"[?？]|是不是|会不会|其实|真正|可能|real|really|maybe|suspect|guess|perhaps", re.I),
}
# …and a promise read by the embedder names a next step or whom it is for (a capability
# — "我们可以做模板" — is no promise)
_NEXT_STEP = re.compile(r"先|下周|下次|下回|明天|回头|回去|过两天|尽快|月底|周[一二三四五六日]|给您|给你|帮您|帮你|发您|"
                        r"\bI'll\b|\blet me\b|\blet us\b|\bshall we\b|\bbefore\b|\bnext\b|\btomorrow\b|"
                        r"\bfor you\b|\bfirst\b", re.I)
SEMANTIC_MIN = 0.88    # raw cosine of the nearest labelled line (e5: unrelated lines ≈ 0.80–0.85)
SEMANTIC_SHARE = 0.6   # share of the similarity-weighted vote
CLOSE_MIN = 0.62       # centred cosine (accounts.meaning) at which a later sentence takes an item up
CLOSE_WITH_WORDS = 0.25  # …or this close, sharing two of the item's own words (a Chinese pair, an English word counts 2)
SKIP_KINDS = ("roleplay",)
SKIP_MODES = ("prep", "roleplay")


@dataclass
class Detected:
    turn: int
    speaker: str
    kind: str
    text: str
    words: str
    context: str
    source: str  # rules | semantic


VECTORS = EXAMPLES.with_suffix(".npz")  # the examples' vectors, shipped (``build_example_vectors``)


def _example_rows() -> list[dict[str, str]]:
    return [json.loads(line) for line in EXAMPLES.read_text(encoding="utf-8").splitlines() if line.strip()]


def _digest(texts: Sequence[str]) -> str:
    from assistant.understanding.semantic import SPACE

    return hashlib.sha256("\x00".join([SPACE, *texts]).encode()).hexdigest()


@lru_cache(maxsize=1)
def _examples():
    """The labelled lines as a NearestLabels index; their vectors come from the shipped file
    when it was built from these very lines in this vector space (a live turn embeds only its
    own sentences), else they are embedded on first use."""
    from assistant.understanding.semantic import NearestLabels

    rows = _example_rows()
    index = NearestLabels([r["text"] for r in rows], [r["label"] for r in rows])
    try:
        with np.load(VECTORS) as shipped:
            if str(shipped["digest"]) == _digest(index.texts):
                index._matrix = shipped["vectors"].astype(np.float32)
    except (OSError, KeyError, ValueError):
        pass
    return index


def build_example_vectors() -> Path:
    """Rebuild the shipped vectors after editing data/open_item_examples.jsonl."""
    from assistant.understanding.semantic import encode

    texts = [r["text"] for r in _example_rows()]
    np.savez_compressed(VECTORS, vectors=encode(texts), digest=np.array(_digest(texts)))
    _examples.cache_clear()
    return VECTORS


def read_sentence(sentence: str, speaker: str, *, semantic: bool = True) -> tuple[str, str, str] | None:
    """(kind, words, source) for one sentence said by ``speaker`` (customer | sales), or None."""
    allowed = _BY_SPEAKER.get(speaker, {})
    for label in ("deferred", "unanswered", "promise", "probe"):
        if label in allowed:
            match = lexicon.first(label, sentence)
            if match:
                return allowed[label], match.group(0), "rules"
    if not semantic or len(sentence.strip()) < 4:
        return None
    from assistant.understanding.semantic import vote

    try:
        near = _examples().nearest(sentence, k=7)
    except Exception:  # noqa: BLE001 — no embedder: the cues alone
        return None
    winner, share = vote(near, lambda label: label)
    if winner in allowed and share >= SEMANTIC_SHARE and near[0].score >= SEMANTIC_MIN and near[0].label == winner:
        kind = allowed[winner]
        marker = _MARKERS[kind].search(sentence)
        if marker and (kind != "promise" or _NEXT_STEP.search(sentence)):
            return kind, sentence.strip(), "semantic"
    return None


def _agrees(text: str, language: str) -> bool:
    from assistant.understanding.reading import read_turn

    first = lexicon.sentences(text)[:1]
    if not first:
        return False
    if lexicon.first("deny", first[0]) or lexicon.first("unanswered", first[0]):
        return False
    if lexicon.first("agree", first[0].lstrip("，,。 ")):
        return True
    reading = read_turn(first[0], language=language)
    return reading.has("agree") and not reading.has("deny")


_CJK = re.compile(r"[\u4e00-\u9fff]")
_GENERIC = set("回去 下周 给您 给你 发给 发您 确认 一下 上次 下次 明天 回复 答复 我们 您们 这个 那个 时候 问问 "
               "还没 没有 不是 可以 一个 一份 准备 整理 申请 时间 今天 专门 再聊 事情 the and you your our for with "
               "that this next time back will send check confirm".split())


def _core(text: str, words: str) -> str:
    """The item without the words that made it an item (its topic)."""
    core = text.replace(words, " ") if words and words != text else text
    return core.strip() or text


def _terms(text: str) -> set[str]:
    from assistant.accounts.brief import customer_terms

    return customer_terms([text]) - _GENERIC


def _clip(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def detect(turns: Sequence[tuple[int, str, str]], *, language: str = "zh", since: int = 0,
           semantic: bool = True) -> list[Detected]:
    """Open items in ``turns`` ((idx, role, text), in order); only turns numbered ≥ ``since``
    are read (a hypothesis in the turn before ``since`` is judged by the reply in it)."""
    spoken = [(i, r, t) for i, r, t in turns if r in ("customer", "sales") and t.strip()]
    found: list[Detected] = []
    for pos, (idx, role, text) in enumerate(spoken):
        before = next((t for _, r, t in reversed(spoken[:pos]) if r != role and len(t.strip()) >= 6), "")
        reply = next(((i, t) for i, r, t in spoken[pos + 1:] if r != role), None)
        for sentence in lexicon.sentences(text):
            got = None
            if idx >= since or (role == "sales" and reply is not None and reply[0] >= since):
                got = read_sentence(sentence, role, semantic=semantic)
            if got is None:
                continue
            kind, words, source = got
            if kind == "hypothesis":
                if reply is None or (idx < since and reply[0] < since):
                    continue  # not answered yet: judged when the customer replies
                if _agrees(reply[1], language):
                    continue  # the customer confirmed it
                context = reply[1]
            elif idx < since:
                continue
            else:
                context = before
                if kind in ("deferred", "question"):  # the topic may be said just before, in the same turn
                    rest = text.split(sentence)[0].strip()
                    if rest:
                        context = rest if not before else f"{rest} ／ {before}"
            if any(d.turn == idx and d.kind == kind for d in found):
                continue
            if kind == "question" and any(d.kind == "hypothesis" and d.context == _clip(text) for d in found):
                continue  # the answer to a hypothesis: the hypothesis carries it
            found.append(Detected(idx, role, kind, sentence.strip(), words, _clip(context), source))
    return found


# ---- the record ---------------------------------------------------------------------------------
@dataclass
class OpenItemView:
    id: int
    account: str
    conversation_id: int
    conversation_title: str
    when: datetime
    turn: int
    speaker: str
    kind: str
    text: str
    words: str
    context: str
    author: str
    status: str
    closed_at: datetime | None = None
    closed_by: str = ""
    closed_in: int | None = None
    close_note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "text": self.text, "words": self.words, "context": self.context,
                "speaker": self.speaker, "turn": self.turn, "conversation": self.conversation_id,
                "meeting": self.conversation_title, "date": self.when.date().isoformat(), "author": self.author,
                "status": self.status, "closed_in": self.closed_in, "close_note": self.close_note}


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def record_conversation(log, conversation_id: int, *, since: int = 0, semantic: bool = True) -> list[int]:
    """Read the conversation's turns (from turn ``since``) for open items, store the new ones,
    close the account's earlier items this conversation takes up, and confirm the transcript's
    stated needs the customer agreed to. Returns the ids of the new items."""
    with log.sessions() as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None:
            raise InputError(f"No conversation #{conversation_id}.", fix="`needs log list` shows them")
        if conv.kind in SKIP_KINDS or conv.mode in SKIP_MODES:
            return []
        rows = list(session.scalars(select(Turn).where(Turn.conversation_id == conversation_id)
                                    .order_by(Turn.idx)))
        turns = [(t.idx, t.role, t.text) for t in rows]
        account_id, author, language = conv.account_id, conv.author, conv.language or "zh"
        when = _aware(conv.created_at) or _now()
    found = detect(turns, language=language, since=since, semantic=semantic)
    new_ids: list[int] = []
    with log.sessions() as session:
        have = {(o.turn, o.kind) for o in session.scalars(
            select(OpenItem).where(OpenItem.conversation_id == conversation_id))}
        for d in found:
            if (d.turn, d.kind) in have:
                continue
            row = OpenItem(account_id=account_id, conversation_id=conversation_id, turn=d.turn, speaker=d.speaker,
                           kind=d.kind, text=d.text, words=d.words, context=d.context, author=author,
                           status="open", created_at=when)
            session.add(row)
            session.flush()
            new_ids.append(row.id)
        session.commit()
    if account_id is not None:
        _close_taken_up(log, account_id, conversation_id, turns, since, found)
    return new_ids


def _close_taken_up(log, account_id: int, conversation_id: int, turns, since: int, found: list[Detected]) -> None:
    from assistant.accounts.meaning import vectors

    with log.sessions() as session:
        earlier = list(session.scalars(select(OpenItem).where(
            OpenItem.account_id == account_id, OpenItem.status == "open",
            OpenItem.conversation_id != conversation_id)))
        if not earlier:
            return
        conv = session.get(Conversation, conversation_id)
        started = _aware(conv.created_at)
        earlier = [o for o in earlier if (_aware(o.created_at) or started) <= started]
        if not earlier:
            return
        still_open = {(d.turn, d.text) for d in found}
        said = [(i, s) for i, r, t in turns if i >= since and r in ("customer", "sales")
                for s in lexicon.sentences(t) if len(s) >= 4 and (i, s.strip()) not in still_open]
        if not said:
            return
        cores = [_core(o.text, o.words) for o in earlier]
        topics = [f"{c} {o.context}".strip() for c, o in zip(cores, earlier)]
        vecs = vectors(cores + topics + [s for _, s in said], log.engine)
        n = len(earlier)
        sims = np.maximum(vecs[:n] @ vecs[2 * n:].T, vecs[n:2 * n] @ vecs[2 * n:].T)
        for row, o in enumerate(earlier):
            words = _terms(cores[row])
            for col in np.argsort(-sims[row]):
                sim = float(sims[row, col])
                shared = _terms(said[col][1]) & words
                weight = sum(1 if _CJK.match(w) else 2 for w in shared)
                if sim >= CLOSE_MIN or (sim >= CLOSE_WITH_WORDS and weight >= 2):
                    o.status, o.closed_at, o.closed_by = "closed", _now(), "conversation"
                    o.closed_in, o.closed_turn = conversation_id, said[col][0]
                    o.close_note = said[col][1][:300]
                    break
                if sim < CLOSE_WITH_WORDS:
                    break
        session.commit()


def confirm_from_turns(log, conversation_id: int, *, actor: str = "conversation") -> list[str]:
    """Stated needs of a transcript the customer confirmed: a salesperson's turn close in
    meaning to the need (or its quote), answered by the customer with a yes. Each is moved
    to confirmed as a dated transition made by the conversation, with the words as reason."""
    from assistant.accounts.meaning import vectors

    with log.sessions() as session:
        conv = session.get(Conversation, conversation_id)
        if conv is None or conv.kind in SKIP_KINDS or conv.mode in SKIP_MODES:
            return []
        needs = list(session.scalars(select(Need).where(Need.conversation_id == conversation_id,
                                                        Need.rejected.is_(False),
                                                        Need.lifecycle.in_(("stated", "hypothesis")))))
        turns = [(t.idx, t.role, t.text) for t in session.scalars(
            select(Turn).where(Turn.conversation_id == conversation_id).order_by(Turn.idx))]
        language = conv.language or "zh"
    pairs = [(turns[k][2], turns[k + 1]) for k in range(len(turns) - 1)
             if turns[k][1] == "sales" and turns[k + 1][1] == "customer"]
    if not needs or not pairs:
        return []
    yes = [(s, c) for s, c in pairs if _agrees(c[2], language)]
    if not yes:
        return []
    texts = [n.statement for n in needs] + [s for s, _ in yes]
    vecs = vectors(texts, log.engine)
    nv, sv = vecs[: len(needs)], vecs[len(needs):]
    moved = []
    from assistant.accounts.meaning import SAME_NEED

    for i, n in enumerate(needs):
        sims = sv @ nv[i]
        j = int(sims.argmax())
        quoted = any(str((e or {}).get("quote", "")) and str(e.get("quote")) in yes[j][0] for e in n.evidence or [])
        if float(sims[j]) >= SAME_NEED or quoted:
            reply = yes[j][1]
            try:
                log.move_need(n.id, "confirmed", actor=actor, via="conversation",
                              reason=f"turn {reply[0]}: “{_clip(reply[2], 60)}”")
                moved.append(n.id)
            except InputError:
                continue
    return moved


class OpenItems:
    """The open-items record of the need log, with the access rules of account memory."""

    def __init__(self, log):
        self.log = log

    def of_account(self, account: str, person: Any | None = None, *, status: str | None = "open",
                   limit: int = 50) -> list[OpenItemView]:
        from assistant.accounts.memory import scope

        authors = scope(person)
        with self.log.sessions() as session:
            acc = session.scalar(select(Account).where(Account.name == account.strip()))
            if acc is None:
                raise InputError(f"No account named {account!r}.",
                                 fix="`needs accounts list` shows the accounts you can see")
            query = (select(OpenItem, Conversation.title).join(Conversation, OpenItem.conversation_id == Conversation.id)
                     .where(OpenItem.account_id == acc.id).order_by(OpenItem.created_at.desc(), OpenItem.turn)
                     .limit(limit))
            if status:
                query = query.where(OpenItem.status == status)
            if authors is not None:
                query = query.where(OpenItem.author.in_(authors))
            return [self._view(o, acc.name, title) for o, title in session.execute(query)]

    @staticmethod
    def _view(o: OpenItem, account: str, title: str) -> OpenItemView:
        return OpenItemView(o.id, account, o.conversation_id, title or "", _aware(o.created_at), o.turn, o.speaker,
                            o.kind, o.text, o.words, o.context, o.author, o.status, _aware(o.closed_at),
                            o.closed_by, o.closed_in, o.close_note)

    def close(self, item_id: int, *, actor: str, person: Any | None = None, note: str = "",
              reopen: bool = False) -> OpenItemView:
        """Close an item by hand (or reopen it); a salesperson only their own."""
        from assistant.accounts.memory import scope

        authors = scope(person)
        with self.log.sessions() as session:
            o = session.get(OpenItem, item_id)
            if o is None or (authors is not None and o.author not in authors):
                raise InputError(f"No open item #{item_id}.", fix="`needs accounts open ACCOUNT` lists them")
            if reopen:
                o.status, o.closed_at, o.closed_by, o.closed_in, o.closed_turn, o.close_note = \
                    "open", None, "", None, None, ""
            else:
                if o.status == "closed":
                    raise InputError(f"Open item #{item_id} is already closed.", fix="--reopen opens it again")
                o.status, o.closed_at, o.closed_by, o.close_note = "closed", _now(), actor, note.strip()[:300]
            session.commit()
            acc = session.get(Account, o.account_id) if o.account_id else None
            title = session.get(Conversation, o.conversation_id).title
            return self._view(o, acc.name if acc else "", title)


def after_conversation(log, conversation_id: int, *, since: int = 0) -> list[int]:
    """What every conversation with a customer goes through once its turns are stored: open
    items recorded (and earlier ones taken up closed); for an imported transcript, the stated
    needs the customer agreed to confirmed. Returns the new items' ids."""
    new = record_conversation(log, conversation_id, since=since)
    if log.conversation(conversation_id).kind == "import":
        confirm_from_turns(log, conversation_id)
    return new

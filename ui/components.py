"""Pieces shared by the pages: chat turns, citations, the discovery board, need cards and
a transcript with the evidence highlighted. Plain functions over core objects."""

from __future__ import annotations

import html
import re
from datetime import datetime, timezone
from typing import Any, Iterable, Iterator, Sequence

import streamlit as st

from assistant.coach.policy import Citation
from assistant.coach.state import SLOT_LABELS, DiscoveryState
from assistant.needs.records import (
    DIMENSION_LABELS,
    KIND_LABELS,
    OWNER_LABELS,
    STATUS_LABELS,
    NeedRecord,
)
from assistant.users import Person
from ui import runtime
from ui.i18n import label, labels, lang, maybe, t

AVATARS = {"customer": "🗣️", "sales": "🧑‍💼", "coach": "🧭", "trainee": "🧑‍🎓", "system": "ℹ️"}
SLOT_MARKS = {"confirmed": "🟢", "partial": "🟡", "unknown": "⚪"}


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """Stored times are UTC (SQLite drops the zone); shown in the server's local time."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone().strftime(fmt)


def md_breaks(text: str) -> str:
    """Keep the line breaks of plain text when it is rendered as Markdown."""
    return text.replace("\r\n", "\n").replace("\n", "  \n")


# Every character that Markdown, GitHub-flavoured Markdown, HTML entities or Streamlit's own
# directives (:red[…], :material/icon:, $math$) give a meaning to.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=^&])")


def escape_md(text: str) -> str:
    """Stored text (customer words, need statements, model output, uploaded documents) for a
    Markdown element, shown exactly as written: no image is fetched, no link, HTML, heading,
    list or colour is made from it; line breaks are kept."""
    return md_breaks(_MD_SPECIAL.sub(r"\\\1", str(text)))


def show_text(text: str, *, small: bool = False, bold: bool = False, prefix: str = "") -> None:
    """Render stored text as text (see ``escape_md``); ``prefix`` is trusted Markdown such as an icon."""
    body = escape_md(text)
    if bold and body:
        body = f"**{body}**"
    (st.caption if small else st.markdown)(prefix + body)


def md_stream(pieces: Iterable[str]) -> Iterator[str]:
    """A streamed reply shown as text while it arrives (each piece escaped)."""
    for piece in pieces:
        yield escape_md(piece)


def progress_reporter(bar, key: str = "kb.ingest_step"):
    """A progress callback for the knowledge base, which reports (file name, files done,
    files total); shown on one bar (an ``st.empty()`` slot or an ``st.progress``)."""

    def report(name: str, done: int, total: int) -> None:
        fraction = done / total if total else 1.0
        text = t(key, what=f"{name} ({done}/{total})") if name else t("kb.ingested")
        bar.progress(min(1.0, max(0.0, fraction)), text=text)

    return report


def prepare_knowledge(services) -> None:
    """Index the shipped knowledge before the coach's first retrieval, with a progress bar
    instead of a long silent wait (once per index; a quick check afterwards)."""
    if not getattr(services.settings, "coach_retrieval", False):
        return
    kb, _ = runtime.knowledge_base(services)
    if kb is None or not hasattr(kb, "ensure_shipped"):
        return
    slot = st.empty()
    kb.ensure_shipped(progress=progress_reporter(slot, "kb.indexing"))
    slot.empty()


# ---- chat ------------------------------------------------------------------------------------
def chat_turn(role: str, text: str, meta: dict[str, Any] | None = None) -> None:
    """One stored turn as a chat message: the coach on the left as the assistant, the words
    relayed to it (customer's or the salesperson's own) as the user."""
    name = "assistant" if role == "coach" else "user"
    with st.chat_message(name, avatar=AVATARS.get(role, "💬")):
        if role != "coach":
            st.caption(maybe("coach.speaker", role))
        show_text(text)
        move = (meta or {}).get("move") or {}
        if move.get("citations"):
            citations([Citation(**c) for c in move["citations"]])


def citations(items: Sequence[Citation]) -> None:
    if not items:
        return
    with st.expander(t("coach.citations", n=len(items)), icon="📚"):
        for i, cite in enumerate(items, 1):
            st.markdown(f"**[{i}] {escape_md(cite.title)}**  \n{escape_md(cite.source)}")
            if cite.excerpt:
                show_text(cite.excerpt, small=True)


# ---- discovery board -----------------------------------------------------------------------
def slot_board(state: DiscoveryState | None) -> None:
    st.markdown(f"##### {t('panel.slots')}")
    if state is None:
        st.caption(t("panel.start_first"))
        return
    i = 0 if lang() == "zh" else 1
    lines = []
    for name in state.relevant_slots():
        slot = state.slots[name]
        text = f"{SLOT_MARKS[slot.status]} **{SLOT_LABELS[name][i]}**"
        if slot.value:
            text += f" — {escape_md(slot.value)}"
        lines.append(text)
    st.markdown("  \n".join(lines))
    st.caption(t("panel.legend"))


# ---- need cards ---------------------------------------------------------------------------------
def need_badges(need: NeedRecord) -> str:
    parts = [label(KIND_LABELS, need.kind), label(DIMENSION_LABELS, need.dimension),
             label(OWNER_LABELS, need.owner), label(STATUS_LABELS, need.status),
             maybe("review", need.review_state)]
    return " · ".join(p for p in parts if p)


def evidence_text(need: NeedRecord) -> str:
    """The evidence quotes of a need, as Markdown-safe text."""
    return "  \n".join(f"“{escape_md(e.quote)}”（{t('card.turn', n=e.turn)}）" for e in need.evidence)


def need_cards(needs: Sequence[NeedRecord], person: Person, services, key_prefix: str,
               actions: bool = True) -> None:
    """Cards for needs with confirm / edit / reject; every change goes through the need log
    (which writes the audit trail)."""
    st.markdown(f"##### {t('panel.needs', n=len(needs))}")
    if not needs:
        st.caption(t("panel.no_needs"))
        return
    for need in needs:
        with st.container(border=True):
            icon = "💡" if need.kind == "implicit" else "🗨️"
            show_text(need.statement, bold=True, prefix=f"{icon} ")
            st.caption(need_badges(need))
            if need.evidence:
                st.caption(evidence_text(need))
            if actions and runtime.may_edit(person, need.author):
                _card_actions(need, person, services, key_prefix)


def _card_actions(need: NeedRecord, person: Person, services, key_prefix: str) -> None:
    log = services.needlog
    done = need.status in ("confirmed", "addressed") and need.review_state == "validated"
    row = st.container(horizontal=True)
    confirm = row.button(t("card.confirm"), key=f"{key_prefix}_confirm_{need.id}", disabled=done,
                         type="primary" if not done else "secondary")
    reject = row.button(t("card.reject"), key=f"{key_prefix}_reject_{need.id}")
    if confirm:
        with runtime.guard():
            status = need.status if need.status == "addressed" else "confirmed"
            log.update_need(need.id, {"status": status, "review_state": "validated"}, editor=person.username,
                            note="confirmed in the web app")
            st.toast(t("card.confirmed", s=escape_md(need.statement[:30])))
            st.rerun()
    if reject:
        with runtime.guard():
            log.reject_need(need.id, editor=person.username, note="rejected in the web app")
            st.toast(t("card.rejected", s=escape_md(need.statement[:30])))
            st.rerun()
    with st.expander(t("card.edit")):
        with st.form(key=f"{key_prefix}_edit_{need.id}", border=False):
            statement = st.text_input(t("card.statement"), value=need.statement, max_chars=120)
            dimension = st.selectbox(t("card.dimension"), list(DIMENSION_LABELS),
                                     index=list(DIMENSION_LABELS).index(need.dimension),
                                     format_func=labels(DIMENSION_LABELS, lambda c: label(DIMENSION_LABELS, c)))
            owner = st.selectbox(t("card.owner"), list(OWNER_LABELS), index=list(OWNER_LABELS).index(need.owner),
                                 format_func=labels(OWNER_LABELS, lambda c: label(OWNER_LABELS, c)))
            kind = st.radio(t("card.kind"), list(KIND_LABELS), index=list(KIND_LABELS).index(need.kind),
                            format_func=labels(KIND_LABELS, lambda c: label(KIND_LABELS, c)), horizontal=True)
            if st.form_submit_button(t("card.save")):
                changes = {k: v for k, v in {"statement": statement.strip(), "dimension": dimension,
                                             "owner": owner, "kind": kind}.items()
                           if v != getattr(need, k)}
                with runtime.guard():
                    if changes:
                        log.update_need(need.id, changes, editor=person.username, note="edited in the web app")
                        st.toast(t("card.saved", s=escape_md((changes.get("statement") or need.statement)[:30])))
                    st.rerun()


# ---- transcript with evidence ---------------------------------------------------------------------
def _spans(text: str, quotes: Iterable[str]) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for quote in quotes:
        if not quote:
            continue
        start = text.find(quote)
        while start != -1:
            spans.append((start, start + len(quote)))
            start = text.find(quote, start + len(quote))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


def highlight(text: str, quotes: Iterable[str]) -> str:
    """HTML of ``text`` (escaped) with every quote wrapped in <mark>."""
    out, pos = [], 0
    for a, b in _spans(text, quotes):
        out.append(html.escape(text[pos:a]))
        out.append("<mark>" + html.escape(text[a:b]) + "</mark>")
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def transcript_html(turns: Sequence[Any], evidence: dict[int, list[str]]) -> str:
    """The turns of a conversation as HTML; ``evidence`` maps turn number -> quotes to mark."""
    rows = []
    for turn in turns:
        who = html.escape(maybe("coach.speaker", turn.role))
        body = highlight(turn.text, evidence.get(turn.idx, []))
        shade = "#f4f6fa" if turn.role == "coach" else "#ffffff"
        rows.append(
            f'<div style="padding:6px 10px;margin:4px 0;border-left:3px solid #d0d7e2;background:{shade};'
            f'line-height:1.6"><span style="color:#6b7280;font-size:0.85em">[{turn.idx}] {who}</span><br>{body}</div>'
        )
    return "<div>" + "".join(rows) + "</div>"

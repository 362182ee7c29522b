"""教练 Coach: relay the customer's words, get the next question streamed back, watch the
discovery board and the needs being logged; reopen past conversations."""

from __future__ import annotations

import streamlit as st

from assistant.coach.service import render_why
from assistant.errors import InputError
from ui import runtime
from ui.components import (
    chat_turn,
    citations,
    escape_md,
    local_time,
    md_stream,
    need_cards,
    prepare_knowledge,
    slot_board,
)
from ui.i18n import labels, lang, maybe, t

person = runtime.require_person()
services = runtime.get_services()
coach = services.coach
log = services.needlog

CID = "coach_cid"
NEW = 0  # the picker's entry for a new conversation (ids start at 1)
st.session_state.setdefault(CID, None)


def open_conversation(cid: int | None):
    """The conversation if this person may continue it; otherwise back to a new one."""
    if cid is None:
        return None
    try:
        conv = log.conversation(cid)
    except InputError:
        conv = None
    if conv is None or conv.kind != "coach" or conv.author != person.username:
        st.session_state[CID] = None
        st.toast(t("coach.not_found"))
        return None
    return conv


def conversation_label(conv) -> str:
    account = conv.account.name if conv.account else t("coach.no_account")
    return f"#{conv.id} · {account} · {maybe('coach.mode_short', conv.mode)} · {local_time(conv.updated_at)}"


def on_pick() -> None:
    st.session_state[CID] = st.session_state.get("coach_pick") or None
    st.session_state.pop("coach_plan_for", None)


def on_account_pick() -> None:
    picked = st.session_state.get("coach_account_pick")
    if picked:
        st.session_state["coach_account"] = picked


def until_tail(reply, turn):
    """The reply's text, ending with its "why + sources" tail; the generator's remaining step
    (the model's extraction) is left to the caller, so the text does not look unfinished."""
    tail = "\n\n" + render_why(turn.move, turn.state.language)
    for piece in reply:
        yield piece
        if piece == tail:
            return


def new_conversation() -> None:
    st.session_state[CID] = None
    st.session_state["coach_pick"] = NEW
    st.session_state.pop("coach_plan_for", None)


# ---- header: new conversation, past conversations ------------------------------------------------
st.title("🧭 " + t("coach.title"))
st.caption(t("coach.caption"))

mine = []
with runtime.guard():
    mine = log.conversations(author=person.username, kind="coach")
by_id = {c.id: c for c in mine}
if st.session_state[CID] is not None and st.session_state[CID] not in by_id:
    conv = open_conversation(st.session_state[CID])
    if conv is not None:
        by_id[conv.id] = conv
st.session_state["coach_pick"] = st.session_state[CID] or NEW

top = st.columns([1, 3, 1.2], vertical_alignment="bottom")
top[0].button(t("coach.new"), on_click=new_conversation, width="stretch")
top[1].selectbox(
    t("coach.history"), [NEW, *by_id], key="coach_pick", on_change=on_pick,
    format_func=labels([NEW, *by_id], lambda c: t("coach.history_none") if c == NEW else conversation_label(by_id[c])),
)

cid = st.session_state[CID]
conv = by_id.get(cid) if cid is not None else None
state = None
if conv is not None:
    with runtime.guard():
        state = coach.state(conv.id)
mode = conv.mode if conv is not None else st.session_state.get("coach_mode", "live")

if mode == "prep" and conv is not None:
    showing = st.session_state.get("coach_plan_for") == conv.id
    if top[2].button(t("coach.plan_hide") if showing else t("coach.plan"), width="stretch",
                     type="secondary" if showing else "primary"):
        st.session_state["coach_plan_for"] = None if showing else conv.id
        st.rerun()

# ---- conversation setup (before the first message) -------------------------------------------------
if conv is None:
    with st.container(border=True):
        st.markdown(f"**{t('coach.setup')}**")
        c1, c2, c3 = st.columns([1.4, 1.6, 1.4])
        c1.radio(t("coach.mode"), ["live", "prep"], key="coach_mode",
                 format_func=labels(["live", "prep"], lambda m: t(f"coach.mode.{m}")))
        c2.text_input(t("coach.account"), key="coach_account", placeholder=t("coach.account_ph"))
        accounts = sorted({c.account.name for c in mine if c.account})[:12]
        if accounts:
            c2.pills(t("coach.account_pick"), accounts, key="coach_account_pick", on_change=on_account_pick,
                     format_func=escape_md)  # pill labels are Markdown: names are shown as text
        c3.radio(t("coach.segment"), ["", "B2C", "B2B"], key="coach_segment",
                 format_func=labels(["", "B2C", "B2B"], lambda s: t(f"coach.segment.{s or 'auto'}")))
    mode = st.session_state.get("coach_mode", "live")
else:
    segment = state.segment if state and state.segment else ""
    st.caption(t("coach.active", cid=conv.id,
                 account=escape_md(conv.account.name) if conv.account else t("coach.no_account"),
                 mode=t(f"coach.mode_short.{conv.mode}"), segment=t(f"coach.segment.{segment or 'auto'}")))

chat_col, side_col = st.columns([3, 2], gap="large")

# ---- the question plan (prep) --------------------------------------------------------------------
if conv is not None and st.session_state.get("coach_plan_for") == conv.id:
    with chat_col, runtime.guard():
        plan = coach.plan(conv.id)
        with st.container(border=True):
            st.markdown(f"#### 📝 {t('coach.plan_title')}")
            for item in plan.questions:
                st.markdown(f"**{item.order}. {escape_md(item.question)}**")
                st.caption(f"{t('coach.plan_purpose')}：{escape_md(item.purpose)}　·　"
                           f"{t('coach.plan_why')}：{escape_md(item.why)}"
                           + (f"　·　{t('coach.plan_source')}：{escape_md(item.citation)}" if item.citation else ""))
            if plan.hypotheses:
                st.markdown(f"**{t('coach.plan_hypotheses')}**")
                st.markdown("\n".join(f"- {escape_md(h)}" for h in plan.hypotheses))

# ---- the input (pinned to the bottom wherever it is called) ----------------------------------------------
speaker = "sales" if (mode == "live" and st.session_state.get("coach_sales")) else "customer"
placeholder = t("coach.input.prep") if mode == "prep" else t(f"coach.input.{'sales' if speaker == 'sales' else 'live'}")
prompt = st.chat_input(placeholder, key="coach_input", submit_mode="disable")  # no interrupting a reply

# ---- history ---------------------------------------------------------------------------------------
with chat_col:
    turns = []
    if conv is not None:
        with runtime.guard():
            turns = log.turns(conv.id)
    if not turns and not prompt:
        st.info(t("coach.empty.prep") if mode == "prep" else t("coach.empty"), icon="💬")
    for turn in turns:
        chat_turn(turn.role, turn.text, turn.meta)
    live_area = st.container()  # this turn's messages go here, above the toggle
    if mode == "live":
        st.toggle(t("coach.i_said"), key="coach_sales", help=t("coach.i_said_help"))

panel = side_col.empty()  # the discovery board and need cards: drawn once at the end of the run
if prompt:
    started_now = replied = False
    with live_area:
        chat_turn("sales" if (speaker == "sales" or mode == "prep") else "customer", prompt)
        with runtime.guard():
            if conv is None:
                cid = coach.start(mode=mode, account=(st.session_state.get("coach_account") or "").strip() or None,
                                  author=person.username, language=lang(),
                                  segment=st.session_state.get("coach_segment", ""))
                st.session_state[CID] = cid
                started_now = True
            prepare_knowledge(services)  # first use only: index the knowledge the coach cites
            with st.spinner(t("coach.thinking")):
                turn = coach.relay(cid, prompt, speaker=speaker)  # type: ignore[arg-type]
            with panel.container():  # a preview while the reply streams (the rules' needs, no buttons)
                slot_board(turn.state)
                need_cards(turn.needs, person, services, key_prefix="coach", actions=False)
                refining = st.status(t("coach.refining"), state="running")
            reply = turn.reply()
            with st.chat_message("assistant", avatar="🧭"):
                st.write_stream(md_stream(until_tail(reply, turn)))
                citations(turn.move.citations)
            # the rest of the generator: the model reads the words for needs the rules missed
            for _ in reply:
                pass
            refining.update(label=t("coach.refined", n=len(turn.new_needs)), state="complete")
            replied = True
            for need in turn.new_needs[:3]:
                st.toast(t("coach.new_need", s=escape_md(need.statement[:40])), icon="💡")
    if started_now and replied:
        st.rerun()  # show the new conversation in the list and the setup as read-only

cid = st.session_state[CID]
with panel.container():
    board, needs = None, []
    if cid is not None:
        with runtime.guard():
            board, needs = coach.state(cid), coach.needs(cid)
    slot_board(board)
    need_cards(needs, person, services, key_prefix="coach")

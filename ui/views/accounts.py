"""客户档案 Accounts: per account, its needs across conversations (restatements merged by
meaning), who said what and when, open hypotheses, last contact, a timeline, signals from
conversations, and the pre-meeting brief. Managers also see the watch lists."""

from __future__ import annotations

import streamlit as st

from assistant.accounts.brief import build_brief
from assistant.accounts.lifecycle import suggest_moves
from assistant.accounts.memory import AccountMemory
from assistant.accounts.open_items import OpenItems
from ui import runtime
from ui.components import escape_md, local_time, show_text
from ui.i18n import lang, t
from ui.lifecycle import move_form, state_name

person = runtime.require_person()
services = runtime.get_services()
log = services.needlog
memory = AccountMemory(log)

st.title("🗂️ " + t("acc.title"))
st.caption(t("acc.caption.manager") if person.is_manager else t("acc.caption.own"))

names = memory.account_names(person)
if not names:
    st.info(t("acc.none"))
else:
    name = st.selectbox(t("acc.account"), names, key="acc_account")
    view = memory.view(name, person)

    with st.form("acc_trade_form"):
        cols = st.columns([3, 1])
        trade = cols[0].text_input(t("acc.trade"), value=view.trade, key="acc_trade")
        if cols[1].form_submit_button(t("acc.save")):
            log.set_account_trade(name, trade)
            view.trade = trade.strip()
            st.success(t("acc.trade_saved"))

    m = st.columns(3)
    m[0].metric(t("acc.last_contact"), local_time(view.last_contact, "%Y-%m-%d") or "—")
    m[1].metric(t("acc.needs_count"), len(view.needs))
    m[2].metric(t("acc.open_count"), len(view.open_hypotheses))

    st.subheader(t("acc.needs"))
    for merged in view.needs:
        need = merged.need
        with st.container(border=True):
            show_text(need.statement, bold=True, prefix=f"`{state_name(need.lifecycle)}` ")
            if merged.restated:
                st.caption(t("acc.restated", n=len(merged.restated)))
            for said in merged.said:
                show_text(f"“{said.quote}” — {said.author} · {said.mode} #{said.conversation_id} · "
                          f"{local_time(said.when)}", small=True)

    st.subheader(t("acc.open"))
    if view.open_hypotheses:
        for merged in view.open_hypotheses:
            show_text(merged.need.statement, prefix="❓ ")
    else:
        st.caption(t("acc.no_open"))

    st.subheader(t("acc.open_items"))
    items = OpenItems(log).of_account(name, person)
    if not items:
        st.caption(t("acc.no_open_items"))
    for item in items:
        with st.container(border=True):
            cols = st.columns([6, 1])
            with cols[0]:
                show_text(f"“{item.text}”", bold=True, prefix=f"`{t('acc.kind.' + item.kind)}` ")
                show_text(t("acc.open_item_from", date=item.when.date().isoformat(),
                            meeting=item.conversation_title or f"#{item.conversation_id}", turn=item.turn,
                            speaker=t(f"acc.speaker.{item.speaker}") if item.speaker in ("customer", "sales")
                            else item.speaker), small=True)
                if item.context:
                    show_text(t("acc.open_item_topic", context=item.context), small=True)
            if cols[1].button(t("acc.close_item"), key=f"acc_close_{item.id}"):
                OpenItems(log).close(item.id, actor=person.username, person=person)
                st.toast(t("acc.closed_item"))
                st.rerun()

    records = [mn.need for mn in view.needs]
    move_form(log, records, person, key="acc_move")

    # signals: what the customer said in the last conversation suggests moving a need
    if view.conversations:
        last = view.conversations[-1]["id"]
        open_needs = [n for n in records if n.lifecycle in ("hypothesis", "stated", "confirmed", "in_solution")]
        suggestions = []
        for turn in log.turns(last)[-6:]:
            if turn.role == "customer" and open_needs:
                suggestions += suggest_moves(turn.text, open_needs, turn=turn.idx, language=lang())
        if suggestions:
            st.subheader(t("acc.suggest"))
            for i, s in enumerate(suggestions[:6]):
                cols = st.columns([5, 1])
                cols[0].markdown(escape_md(t("acc.suggest_item", because=s.because, need=s.statement,
                                             state=state_name(s.target))))
                if cols[1].button(t("acc.apply"), key=f"acc_apply_{i}"):
                    log.move_need(s.need_id, s.target, actor=person.username, via="conversation",
                                  reason=f"“{s.because}”")
                    st.rerun()

    st.subheader(t("acc.timeline"))
    st.dataframe([{t("acc.col.when"): local_time(e.when), t("acc.col.what"): t(f"acc.event.{e.what}"),
                   t("acc.col.text"): e.text, t("acc.col.who"): e.author} for e in view.timeline],
                 hide_index=True, width="stretch")

    st.subheader(t("acc.brief"))
    if st.button(t("acc.brief_make"), icon="📝", key="acc_brief"):
        st.session_state["acc_brief_for"] = name
    if st.session_state.get("acc_brief_for") == name:
        with st.spinner("…"):
            brief = build_brief(memory, name, person, services.catalog, model=services.chat_model(),
                                language=lang(), retries=0)
        if brief.known:
            st.markdown(f"**{t('acc.known')}**")
            for n in brief.known:
                quotes = " ".join(f"“{e['quote']}”" for e in n.evidence[:2])
                show_text(f"{n.statement} {quotes}", prefix="✅ ")
        if brief.left_open:
            st.markdown(f"**{t('acc.left_open')}**")
            for text in brief.left_open:
                show_text(text, prefix="⏳ ")
        if brief.to_verify:
            st.markdown(f"**{t('acc.open')}**")
            for n in brief.to_verify:
                quotes = " ".join(f"“{e['quote']}”" for e in n.evidence[:2])
                show_text(f"{n.statement} {quotes}", prefix="❓ ")
        st.markdown(f"**{t('acc.questions')}**")
        for i, q in enumerate(brief.questions, 1):
            show_text(q.question, prefix=f"{i}. ")
            st.caption(escape_md(f"{q.why} — {q.citation}" + ("" if q.phrased else f" · {t('acc.card_fallback')}")))
        if brief.similar:
            st.markdown(f"**{t('acc.similar')}**")
            for h in brief.similar:
                who = ", ".join(h.accounts) + (f" +{h.hidden_accounts}" if h.hidden_accounts else "")
                said = "；".join(f"{e['account']} {e['date']}“{e['quote']}”" for e in h.evidence[:2] if e.get("quote"))
                show_text(f"{h.statement}（{who}{'：' + said if said else ''}）", prefix="🔁 ")
                if h.why:
                    st.caption(escape_md(h.why))
        if brief.from_knowledge:
            st.markdown(f"**{t('acc.from_kb')}**")
            for h in brief.from_knowledge:
                show_text(f"{h.statement} — {h.source}", prefix="📚 ")

if person.is_manager:
    st.divider()
    st.subheader(t("acc.watch"))
    days = int(st.number_input(t("acc.days"), min_value=0, max_value=365, value=14, key="acc_days"))
    tabs = st.tabs([t("acc.unverified"), t("acc.stuck"), t("acc.not_contacted")])
    rows = (
        [{t("acc.account"): r["account"], t("acc.open_count"): r["needs"]} for r in memory.unverified_implicit(person)],
        [{t("acc.account"): r["account"], t("acc.col.need"): r["statement"], t("acc.col.state"): state_name(r["state"]),
          t("acc.col.when"): local_time(r["since"]), t("acc.col.who"): r["author"]} for r in memory.stuck(days, person)],
        [{t("acc.account"): r["account"], t("acc.last_contact"): local_time(r["last_contact"])}
         for r in memory.not_contacted(days, person)],
    )
    for tab, data in zip(tabs, rows):
        with tab:
            if data:
                st.dataframe(data, hide_index=True, width="stretch")
            else:
                st.caption(t("acc.nothing"))

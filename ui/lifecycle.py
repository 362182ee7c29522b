"""The need-lifecycle form shared by the need log and the account page: pick a need, pick
one of the moves its state allows, give a reason where one is required."""

from __future__ import annotations

from typing import Sequence

import streamlit as st

from assistant.accounts.lifecycle import NEXT, label as state_label
from assistant.errors import InputError, user_message
from assistant.needs.records import NeedRecord
from ui.components import escape_md, local_time
from ui.i18n import labels, lang, t


def state_name(state: str) -> str:
    return state_label(state, lang())


def move_form(log, needs: Sequence[NeedRecord], person, key: str) -> None:
    """A small form that moves one of ``needs`` (the audit trail records who and when)."""
    if not needs:
        return
    by_id = {n.id: n for n in needs}
    with st.expander(t("life.move"), icon="➡️"):
        need_id = st.selectbox(t("life.need"), list(by_id), key=f"{key}_need",
                               format_func=labels(by_id, lambda i: f"{by_id[i].statement} · "
                                                  f"{state_name(by_id[i].lifecycle)}"))
        need = by_id[need_id]
        targets = NEXT.get(need.lifecycle, ())
        if not targets:
            st.info(t("life.final"))
        else:
            with st.form(f"{key}_form"):
                target = st.selectbox(t("life.to"), list(targets), key=f"{key}_to",
                                      format_func=labels(targets, state_name))
                reason = st.text_input(t("life.reason"), key=f"{key}_reason")
                if st.form_submit_button(t("life.submit")):
                    try:
                        moved = log.move_need(need.id, target, actor=person.username, reason=reason, via="web")
                    except InputError as exc:
                        st.error(escape_md(user_message(exc)))
                    else:
                        st.success(t("life.moved", state=state_name(moved.lifecycle)))
        trail = log.transitions(need.id)
        if trail:
            st.caption(t("life.trail"))
            st.dataframe([{t("acc.col.when"): local_time(m.at), t("acc.col.state"):
                           f"{state_name(m.from_state)} → {state_name(m.to_state)}",
                           t("acc.col.who"): m.actor, t("life.reason"): m.reason} for m in trail],
                         hide_index=True, width="stretch")

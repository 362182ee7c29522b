"""需求看板 Need log: filter, correct (audited), chart, drill into the conversation, export.
Managers see the team's needs; salespeople and trainees only their own."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from assistant.needs.records import DIMENSION_LABELS, KIND_LABELS, OWNER_LABELS, STATUS_LABELS
from ui import runtime
from ui.components import escape_md, evidence_text, local_time, need_badges, show_text, transcript_html
from ui.i18n import label, labels, maybe, t
from ui.lifecycle import move_form
from ui.needlog_data import (
    EDITABLE_COLUMNS,
    EXPORT_MIME,
    changed_fields,
    export_name,
    export_file,
    narrowed,
    needs_frame,
    save_changes,
    scope,
)

person = runtime.require_person()
services = runtime.get_services()
log = services.needlog

STAGES = ("lead", "opportunity", "contract")
REVIEW = ("ai_suggested", "edited", "validated")
SOURCES = ("prep", "live", "roleplay", "import")

st.title("📋 " + t("needs.title"))
st.caption(t("needs.caption.manager") if person.is_manager else t("needs.caption.own"))

visible = log.needs(scope(person))

# ---- filters -----------------------------------------------------------------------------------
ALL = ""


def choose(column, key: str, title: str, options, fmt=lambda c: c):
    return column.selectbox(title, [ALL, *options], key=key,
                            format_func=labels([ALL, *options], lambda c: t("needs.all") if c == ALL else fmt(c)))


with st.container(border=True):
    st.markdown(f"**{t('needs.filters')}**")
    row1 = st.columns(4)
    author = ALL
    if person.is_manager:
        authors = sorted({n.author for n in visible if n.author} | {p.username for p in services.users.all()})
        author = choose(row1[0], "needs_author", t("needs.author"), authors)
    else:
        row1[0].text_input(t("needs.author"), value=person.display_name, disabled=True)
    account = choose(row1[1], "needs_account", t("needs.account"), sorted({n.account for n in visible if n.account}))
    dimension = choose(row1[2], "needs_dimension", t("needs.dimension"), list(DIMENSION_LABELS),
                       lambda c: label(DIMENSION_LABELS, c))
    kind = choose(row1[3], "needs_kind", t("needs.kind"), list(KIND_LABELS), lambda c: label(KIND_LABELS, c))
    row2 = st.columns(4)
    status = choose(row2[0], "needs_status", t("needs.status"), list(STATUS_LABELS),
                    lambda c: label(STATUS_LABELS, c))
    source = choose(row2[1], "needs_source", t("needs.source"), SOURCES, lambda c: maybe("source", c))
    first = min((n.created_at for n in visible), default=None)
    today = date.today()
    start_default = (first.astimezone().date() if first else today - timedelta(days=30))
    dates = row2[2].date_input(t("needs.dates"), value=(min(start_default, today), today), key="needs_dates")
    text = row2[3].text_input(t("needs.text"), key="needs_text")

since = until = None
if isinstance(dates, (tuple, list)):
    since = dates[0] if len(dates) > 0 else None
    until = dates[1] if len(dates) > 1 else None
elif isinstance(dates, date):
    since = dates
flt = narrowed(person, author=author, account=account, dimension=dimension, kind=kind, status=status,
               source=source, since=since, until=until, text=text.strip())
needs = log.needs(flt)

# ---- headline numbers --------------------------------------------------------------------------------
m = st.columns(4)
total = len(needs)
m[0].metric(t("needs.metric.total"), total)
m[1].metric(t("needs.metric.implicit"), f"{(sum(n.kind == 'implicit' for n in needs) / total if total else 0):.0%}")
m[2].metric(t("needs.metric.confirmed"),
            f"{(sum(n.status != 'hypothesis' for n in needs) / total if total else 0):.0%}")
m[3].metric(t("needs.metric.accounts"), len({n.account for n in needs if n.account}))

tab_table, tab_charts, tab_drill, tab_export = st.tabs(
    [t("needs.tab.table"), t("needs.tab.charts"), t("needs.tab.drill"), t("needs.tab.export")])

# ---- table, editable -----------------------------------------------------------------------------------
with tab_table:
    if not needs:
        st.info(t("needs.none"))
    else:
        st.caption(t("needs.edit_hint"))
        frame = needs_frame(needs)
        # one editor state per exact table: edits can never land on rows of another filter
        digest = hashlib.sha1(("|".join(frame.index) + str(st.session_state.get("needs_version", 0)))
                              .encode()).hexdigest()[:12]
        editor_key = f"needs_editor_{digest}"
        st.session_state["needs_editor_key"] = editor_key
        column_config = {
            "created": st.column_config.DatetimeColumn(t("col.created"), format="YYYY-MM-DD HH:mm", disabled=True),
            "author": st.column_config.TextColumn(t("col.author"), disabled=True),
            "account": st.column_config.TextColumn(t("col.account"), disabled=True),
            "statement": st.column_config.TextColumn(t("col.statement"), required=True, max_chars=120,
                                                     width="large"),
            "dimension": st.column_config.SelectboxColumn(t("col.dimension"), options=list(DIMENSION_LABELS),
                                                          required=True,
                                                          format_func=labels(DIMENSION_LABELS, lambda c: label(DIMENSION_LABELS, c))),
            "kind": st.column_config.SelectboxColumn(t("col.kind"), options=list(KIND_LABELS), required=True,
                                                     format_func=labels(KIND_LABELS, lambda c: label(KIND_LABELS, c))),
            "owner": st.column_config.SelectboxColumn(t("col.owner"), options=list(OWNER_LABELS), required=True,
                                                      format_func=labels(OWNER_LABELS, lambda c: label(OWNER_LABELS, c))),
            "status": st.column_config.SelectboxColumn(t("col.status"), options=list(STATUS_LABELS), required=True,
                                                       format_func=labels(STATUS_LABELS, lambda c: label(STATUS_LABELS, c))),
            "ltc_stage": st.column_config.SelectboxColumn(t("col.ltc_stage"), options=list(STAGES), required=True,
                                                          format_func=labels(STAGES, lambda c: maybe("stage", c))),
            "review_state": st.column_config.SelectboxColumn(t("col.review_state"), options=list(REVIEW),
                                                             required=True, format_func=labels(REVIEW, lambda c: maybe("review", c))),
            "source": st.column_config.TextColumn(t("col.source"), disabled=True),
            "evidence": st.column_config.TextColumn(t("col.evidence"), disabled=True, width="large"),
        }
        edited = st.data_editor(
            frame, key=editor_key, hide_index=True, column_config=column_config, num_rows="fixed",
            disabled=[c for c in frame.columns if c not in EDITABLE_COLUMNS], width="stretch",
        )
        if st.button(t("needs.save"), type="primary", key="needs_save"):
            with runtime.guard():
                changes = changed_fields(frame, edited)
                if not changes:
                    st.info(t("needs.nothing"))
                else:
                    count = save_changes(log, changes, editor=person.username)
                    st.session_state["needs_version"] = st.session_state.get("needs_version", 0) + 1
                    st.session_state["needs_flash"] = t("needs.saved", n=count)
                    st.rerun()
        if "needs_flash" in st.session_state:
            st.success(st.session_state.pop("needs_flash"))
        move_form(log, needs, person, key="needs_move")  # the need's life: hypothesis → … → delivered

# ---- charts -----------------------------------------------------------------------------------------------
with tab_charts:
    if needs:
        data = pd.DataFrame({
            "dimension": [label(DIMENSION_LABELS, n.dimension) for n in needs],
            "kind": [label(KIND_LABELS, n.kind) for n in needs],
            "status": [label(STATUS_LABELS, n.status) for n in needs],
        })
        c1, c2 = st.columns([3, 2])
        with c1:
            st.markdown(f"**{t('chart.by_dimension')}**")
            chart = alt.Chart(data).mark_bar().encode(
                y=alt.Y("dimension:N", title=t("col.dimension"), sort="-x"),
                x=alt.X("count():Q", title=t("col.count")),
                color=alt.Color("kind:N", title=t("col.kind")),
                tooltip=["dimension:N", "kind:N", "count():Q"],
            )
            st.altair_chart(chart, width="stretch")
        with c2:
            st.markdown(f"**{t('chart.by_kind')}**")
            pie = alt.Chart(data).mark_arc(innerRadius=40).encode(
                theta="count():Q", color=alt.Color("kind:N", title=t("col.kind")),
                tooltip=["kind:N", "count():Q"],
            )
            st.altair_chart(pie, width="stretch")
        st.markdown(f"**{t('chart.by_status')}**")
        st.altair_chart(alt.Chart(data).mark_bar().encode(
            x=alt.X("status:N", title=t("col.status")), y=alt.Y("count():Q", title=t("col.count")),
            color=alt.Color("kind:N", title=t("col.kind"))), width="stretch")
    else:
        st.info(t("needs.none"))

    # Trainee role-play scores over time, drawn from RoleplayService.attempts() when the
    # service container offers role-play; the role-play page owns the scorecards themselves.
    st.markdown(f"**{t('chart.scores')}**")
    roleplay = getattr(services, "roleplay", None) if hasattr(type(services), "roleplay") else None
    if roleplay is None:
        st.caption(t("chart.scores_pending"))
    else:
        with runtime.guard():
            attempts = roleplay.attempts(None if person.is_manager else person.username)
            if not attempts:
                st.caption(t("chart.scores_none"))
            else:
                scores = pd.DataFrame({
                    "finished": [a.finished_at for a in attempts],
                    "score": [a.score for a in attempts],
                    "trainee": [a.trainee for a in attempts],
                    "scenario": [a.scenario_id for a in attempts],
                })
                st.altair_chart(alt.Chart(scores).mark_line(point=True).encode(
                    x=alt.X("finished:T", title=t("chart.date")), y=alt.Y("score:Q", title=t("chart.score")),
                    color=alt.Color("trainee:N", title=t("chart.trainee")),
                    tooltip=["trainee:N", "scenario:N", "score:Q", "finished:T"]), width="stretch")

# ---- drill-down -------------------------------------------------------------------------------------------
with tab_drill:
    if not needs:
        st.info(t("needs.none"))
    else:
        by = st.radio(t("drill.by"), ["need", "conversation"], horizontal=True, key="drill_by",
                      format_func=labels(["need", "conversation"], lambda v: t(f"drill.by_{v}")))
        by_id = {n.id: n for n in needs}
        if by == "need":
            chosen = st.selectbox(t("drill.need"), list(by_id), key="drill_need",
                                  format_func=lambda i: f"{by_id[i].statement[:50]} · {by_id[i].account or '—'} · "
                                                        f"{by_id[i].author}")
            need = by_id[chosen]
            with st.container(border=True):
                show_text(need.statement, bold=True)
                st.caption(need_badges(need))
                if need.motive:
                    show_text(need.motive, small=True)
                if need.evidence:
                    st.caption(evidence_text(need))
                if runtime.may_edit(person, need.author) and st.button(t("drill.reject"), key=f"drill_reject_{need.id}"):
                    with runtime.guard():
                        log.reject_need(need.id, editor=person.username, note="rejected in the need log")
                        st.toast(t("card.rejected", s=escape_md(need.statement[:30])))
                        st.rerun()
            conversation_id = need.conversation_id
            marks = {}
            for ev in need.evidence:
                marks.setdefault(ev.turn, []).append(ev.quote)
            st.markdown(f"**{t('drill.audit')}**")
            edits = log.audit(need.id)
            if edits:
                st.dataframe(pd.DataFrame([{
                    t("drill.at"): local_time(e.at), t("drill.editor"): e.editor, t("drill.field"): e.field,
                    t("drill.old"): e.old_value, t("drill.new"): e.new_value} for e in edits]),
                    hide_index=True, width="stretch")
            else:
                st.caption(t("drill.no_audit"))
        else:
            convs = sorted({n.conversation_id for n in needs if n.conversation_id is not None}, reverse=True)
            first_need = {}
            for n in needs:
                if n.conversation_id is not None:
                    first_need.setdefault(n.conversation_id, n)
            conversation_id = st.selectbox(
                t("drill.conversation"), convs, key="drill_conversation",
                format_func=lambda c: f"#{c} · {first_need[c].account or '—'} · {first_need[c].author} · "
                                      f"{local_time(first_need[c].created_at, '%Y-%m-%d')}")
            marks = {}
            for n in needs:
                if n.conversation_id == conversation_id:
                    for ev in n.evidence:
                        marks.setdefault(ev.turn, []).append(ev.quote)
        st.markdown(f"**{t('drill.turns')}**")
        if conversation_id is None:
            st.caption(t("drill.no_conversation"))
        else:
            with runtime.guard():
                conv = log.conversation(conversation_id)
                if not (person.is_manager or conv.author == person.username
                        or any(n.conversation_id == conversation_id for n in needs)):
                    st.error(t("error.forbidden"))
                else:
                    st.html(transcript_html(log.turns(conversation_id), marks))

# ---- export --------------------------------------------------------------------------------------------------
with tab_export:
    st.caption(t("export.caption", n=len(needs)))
    row = st.container(horizontal=True)
    for fmt in ("csv", "xlsx", "json"):
        row.download_button(t(f"export.{fmt}"), data=lambda fmt=fmt: export_file(needs, fmt)[0],
                            file_name=export_name(fmt), mime=EXPORT_MIME[fmt], key=f"needs_export_{fmt}", on_click="ignore", disabled=not needs)

# ---- per salesperson: how they ask (managers) ----------------------------------------------------------------
if person.is_manager:
    st.subheader(t("perf.title"))
    st.caption(t("perf.caption"))
    with runtime.guard():
        rows = services.meetings.meeting_figures(author=author or None, account=account or None,
                                                 since=since, until=until)
        if not rows:
            st.info(t("perf.none"))
        else:
            frame = pd.DataFrame(rows)
            frame["week"] = pd.to_datetime(frame["date"]).dt.to_period("W").dt.start_time
            per = frame.groupby(["author", "week"], as_index=False).agg(
                meetings=("conversation", "count"), question_rate=("question_rate", "mean"),
                talk_ratio_sales=("talk_ratio_sales", "mean"), implicit_needs=("implicit_needs", "mean"),
                missed_openings=("missed_openings", "mean"))
            names = {"question_rate": t("perf.question_rate"), "talk_ratio_sales": t("perf.talk_ratio"),
                     "implicit_needs": t("perf.implicit"), "missed_openings": t("perf.missed")}
            figure = st.selectbox(t("perf.figure"), list(names), format_func=labels(list(names), names.get),
                                  key="perf_figure")
            st.altair_chart(alt.Chart(per).mark_line(point=True).encode(
                x=alt.X("week:T", title=None), y=alt.Y(f"{figure}:Q", title=names[figure]),
                color=alt.Color("author:N", title=t("needs.author"))), width="stretch")
            st.dataframe(per.rename(columns={**names, "author": t("needs.author"), "week": t("perf.week"),
                                             "meetings": t("perf.meetings")}), hide_index=True, width="stretch")

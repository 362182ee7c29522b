"""会谈复盘 Meetings: import a meeting transcript, choose each speaker's side, see its review."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from assistant.understanding.vocabulary import QUESTION_FORMS, QUESTION_TYPES
from assistant.understanding.vocabulary import labels as labels_of
from ui import runtime
from ui.components import escape_md, show_text
from ui.i18n import label, labels, lang, t

person = runtime.require_person()
services = runtime.get_services()

UPLOAD_TYPES = ["txt", "docx", "srt", "vtt", "json"]

st.title("🎙️ " + t("mt.title"))
st.caption(t("mt.caption"))


def _guess_side(meeting, speaker: str) -> str:
    """Default choice: a speaker named as a side keeps it; otherwise whoever asks more is the seller."""
    from assistant.meetings.parse import _CUSTOMER_NAMES, _SALES_NAMES, _SIDE_IN_NAME
    from assistant.roleplay.classify import classify

    side = _SIDE_IN_NAME.search(speaker)
    name = side.group("side") if side else speaker
    if _SALES_NAMES.match(name):
        return "sales"
    if _CUSTOMER_NAMES.match(name):
        return "customer"
    lines = [tn.text for tn in meeting.turns if tn.speaker == speaker][:20]
    asked = sum(classify(text).is_question for text in lines)
    return "sales" if lines and asked / len(lines) > 0.5 else "customer"


def import_tab() -> None:
    upload = st.file_uploader(t("mt.upload"), type=UPLOAD_TYPES, key="mt_upload")
    account = st.text_input(t("mt.account"), key="mt_account")
    if upload is None:
        return
    meeting = None
    with runtime.guard():
        meeting = services.meetings.read(Path(upload.name), upload.getvalue())
    if meeting is None:
        return
    st.info(t("mt.read", turns=len(meeting.turns), format=meeting.format, encoding=meeting.encoding))
    for warning in meeting.warnings:
        st.warning(warning)
    sides: dict[str, str] = {}
    options = ["customer", "sales"]
    fmt = labels(options, lambda o: t(f"mt.side.{o}"))
    for i, speaker in enumerate(s for s in meeting.speakers() if s != "?"):
        left, right = st.columns([1, 2])
        with left:
            sides[speaker] = st.radio(escape_md(speaker), options, format_func=fmt, horizontal=True, key=f"mt_side_{i}",
                                      index=options.index(_guess_side(meeting, speaker)))
        with right:
            show_text(t("mt.first_lines", lines=" / ".join(meeting.first_lines(speaker))), small=True)
    if st.button(t("mt.import"), type="primary", key="mt_do_import"):
        with runtime.guard():
            result = services.meetings.import_meeting(
                meeting, customer=[s for s, v in sides.items() if v == "customer"],
                sales=[s for s, v in sides.items() if v == "sales"], account=account or None,
                author=person.username)
            st.session_state["mt_conversation"] = result.conversation_id
            st.success(t("mt.imported", id=result.conversation_id, turns=len(meeting.turns), needs=len(result.needs)))


def _bar(data: dict[str, float | int], title: str, table) -> None:
    frame = pd.DataFrame({"k": [label(table, k) for k in data], "v": list(data.values())})
    chart = alt.Chart(frame, title=title).mark_bar().encode(x=alt.X("v:Q", title=None), y=alt.Y("k:N", title=None))
    st.altair_chart(chart, width="stretch")


def review_tab() -> None:
    author = None if person.is_manager else person.username
    conversations = [c for c in services.needlog.conversations(author=author) if c.kind in ("import", "coach")]
    if not conversations:
        st.info(t("mt.none"))
        return
    ids = [c.id for c in conversations]
    titles = {c.id: f"#{c.id} · {c.title or c.kind} · {c.account.name if c.account else '—'}" for c in conversations}
    wanted = st.session_state.get("mt_conversation")
    chosen = st.selectbox(t("mt.pick"), ids, format_func=labels(ids, titles.get),
                          index=ids.index(wanted) if wanted in ids else 0, key="mt_pick")
    conv = next(c for c in conversations if c.id == chosen)
    turns, review = services.meetings.review(chosen)
    cols = st.columns(4)
    cols[0].metric(t("mt.talk"), f"{review.talk_ratio['sales'] * 100:.0f}% : {review.talk_ratio['customer'] * 100:.0f}%")
    cols[1].metric(t("mt.questions"), review.questions, help=t("mt.rate") + f" {review.question_rate:.2f}")
    monologue = review.longest_monologue
    cols[2].metric(t("mt.monologue"), t("mt.chars", n=monologue.get("chars", 0)) if monologue else "—")
    cols[3].metric(t("mt.premature"), review.premature_pitches)
    if review.talk_ratio_time:
        st.caption(t("mt.talk_time") + f": {review.talk_ratio_time['sales'] * 100:.0f}% : "
                   f"{review.talk_ratio_time['customer'] * 100:.0f}%")
    left, right = st.columns(2)
    with left:
        _bar(review.question_forms, t("mt.forms"), labels_of(QUESTION_FORMS))
    with right:
        _bar(review.spin, t("mt.spin"), labels_of(QUESTION_TYPES))
    from assistant.needs.records import DIMENSION_LABELS, KIND_LABELS

    if review.needs:
        st.subheader(t("mt.needs"))
        st.dataframe(pd.DataFrame([{
            t("col.statement"): n["statement"], t("col.kind"): label(KIND_LABELS, n["kind"]),
            t("col.dimension"): label(DIMENSION_LABELS, n["dimension"]),
            t("mt.evidence"): " ".join(f"[{e['turn']}] {e['quote']}" for e in n["evidence"])} for n in review.needs]),
            hide_index=True, width="stretch")
    if review.missed_openings:
        st.subheader(t("mt.missed"))
        for m in review.missed_openings:
            st.text(f"[{m['turn']}] “{m['quote']}” — {m['why']}")
            show_text(t("mt.suggest", q=m["suggested_question"]) + (f"（{m['citation']}）" if m.get("citation") else ""),
                      small=True)
    st.subheader(t("mt.timeline"))
    need_turns = {e["turn"] for n in review.needs for e in n["evidence"]}
    missed = {m["turn"] for m in review.missed_openings}
    for turn in turns:
        marks = (" " + t("mt.need_mark") if turn.n in need_turns else "") + (
            " " + t("mt.missed_mark") if turn.n in missed else "")
        who = turn.speaker or t(f"mt.who.{turn.role}")
        with st.chat_message("user" if turn.role == "customer" else "assistant",
                             avatar="🧑" if turn.role == "customer" else "💼"):
            show_text(f"{turn.n} · {who}" + (f" · {int(turn.at) // 60:02d}:{int(turn.at) % 60:02d}"
                                              if turn.at is not None else "") + marks, small=True)
            st.text(turn.text)  # customer words are data: shown as text, never as Markdown
    from assistant.meetings.report import to_html, to_markdown

    language = conv.language if conv.language in ("zh", "en") else lang()
    d1, d2 = st.columns(2)
    d1.download_button(t("mt.export_md"), to_markdown(turns, review, title=conv.title, language=language),
                       file_name=f"review-{chosen}.md", mime="text/markdown", key="mt_md")
    d2.download_button(t("mt.export_html"), to_html(turns, review, title=conv.title, language=language),
                       file_name=f"review-{chosen}.html", mime="text/html", key="mt_html")
    if person.is_manager:
        practise(chosen)


def practise(conversation_id: int) -> None:
    st.subheader(t("mt.practise"))
    st.caption(t("mt.practise_help"))
    key = f"mt_draft_{conversation_id}"
    if st.button(t("mt.draft"), key="mt_do_draft"):
        with runtime.guard():
            st.session_state[key] = services.meetings.draft_scenario(conversation_id)
    if key in st.session_state:
        text = st.text_area(t("mt.draft_text"), value=st.session_state[key], height=420, key=f"{key}_text")
        if st.button(t("mt.save"), type="primary", key="mt_do_save"):
            with runtime.guard():
                path = services.meetings.save_scenario(text)
                st.success(t("mt.saved", path=path))


tab_import, tab_review = st.tabs([t("mt.tab.import"), t("mt.tab.review")])
with tab_import:
    with runtime.guard():
        import_tab()
with tab_review:
    with runtime.guard():
        review_tab()

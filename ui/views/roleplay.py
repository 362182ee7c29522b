"""陪练 Role-play: pick a scenario, uncover the customer's hidden needs by asking, get a scorecard."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from assistant.errors import InputError
from ui import runtime
from ui.components import escape_md, local_time, md_stream, show_text
from ui.i18n import lang

person = runtime.require_person()
services = runtime.get_services()
rp = services.roleplay
log = services.needlog

TEXT = {
    "title": ("陪练", "Role-play"),
    "intro": ("助手扮演一位带着隐藏需求的客户。像卖枣的小伙子那样：先问清给谁用、做什么用，再推荐。",
              "The assistant plays a customer with hidden needs. Like the jujube seller: ask who it is for and "
              "what it is for before you recommend."),
    "filter_lang": ("语言", "Language"), "filter_segment": ("类型", "Segment"),
    "difficulty": ("难度", "Difficulty"), "needs": ("隐藏需求", "hidden needs"),
    "start": ("开始练习", "Start"), "attempts": ("练习记录", "Past attempts"),
    "none_yet": ("还没有练习记录。", "No attempts yet."),
    "trust": ("客户信任度", "Customer trust"), "turns": ("已用回合", "Turns used"),
    "ask": ("对客户说……", "Say to the customer…"), "finish": ("结束并评分", "Finish and score"),
    "leave": ("换个场景", "Choose another scenario"), "score": ("得分", "Score"),
    "uncovered": ("挖到的需求", "Needs uncovered"), "open_ratio": ("开放式问题占比", "Open questions"),
    "pitches": ("过早推销", "Premature pitches"), "talk": ("你说话的占比", "Your talk share"),
    "need": ("隐藏需求", "Hidden need"), "found": ("挖到", "Found"), "turn": ("回合", "Turn"),
    "question": ("挖到它的问题", "The question that unlocked it"),
    "types": ("提问类型", "Question types"), "rubric": ("评分标准", "Rubric"),
    "criterion": ("项目", "Criterion"), "points": ("得分", "Points"), "max": ("满分", "Max"),
    "feedback": ("反馈", "Feedback"), "debrief": ("这个场景想教什么", "What this scenario teaches"),
    "walked": ("客户被推销得不耐烦，走了。", "The customer lost patience with the pitching and left."),
    "finished": ("练习结束。", "The role-play is over."), "you": ("你", "You"), "customer": ("客户", "Customer"),
    "profile": ("你看到的情况", "What you can see"), "no_scenarios": ("没有可用的场景。", "No scenarios available."),
    "problems": ("有场景文件无法读取：", "Some scenario files could not be read:"),
    "count": ("次数", "count"), "type": ("类型", "type"), "trainee": ("学员", "Trainee"),
    "scenario": ("场景", "Scenario"), "date": ("日期", "Date"), "review": ("查看评分", "Open scorecard"),
}
TYPE_NAMES = {
    "open": ("开放式", "open"), "closed": ("封闭式", "closed"), "leading": ("引导式", "leading"),
    "stacked": ("连环问", "stacked"), "statement": ("陈述", "statement"), "situation": ("背景", "situation"),
    "problem": ("难点", "problem"), "implication": ("影响", "implication"), "need_payoff": ("价值", "need-payoff"),
    "purpose": ("问用途", "purpose"), "user": ("问使用者", "user"), "confirmation": ("确认", "confirmation"),
    "pitch": ("推销", "pitch"),
}


def tr(key: str) -> str:
    return TEXT[key][0 if lang() == "zh" else 1]


def type_name(code: str) -> str:
    return TYPE_NAMES.get(code, (code, code))[0 if lang() == "zh" else 1]


AID = "roleplay_attempt"
st.session_state.setdefault(AID, None)
st.title("🎭 " + tr("title"))


def show_scorecard(card, scenario) -> None:
    cols = st.columns(5)
    cols[0].metric(tr("score"), f"{card.score:g}/100")
    cols[1].metric(tr("uncovered"), f"{card.uncovered}/{card.total}")
    cols[2].metric(tr("open_ratio"), f"{card.open_ratio:.0%}")
    cols[3].metric(tr("pitches"), card.premature_pitches)
    cols[4].metric(tr("talk"), f"{card.talk_ratio:.0%}")
    if card.walked_away:
        st.warning(tr("walked"))
    st.dataframe(
        pd.DataFrame([{tr("need"): r.summary, tr("found"): "✅" if r.uncovered else "❌",
                       tr("turn"): r.turn or "", tr("question"): r.question} for r in card.hidden_needs]),
        hide_index=True, use_container_width=True,
    )
    left, right = st.columns(2)
    with left:
        st.subheader(tr("types"))
        counts = pd.DataFrame([{tr("type"): type_name(k), tr("count"): v} for k, v in card.type_counts.items()])
        if not counts.empty:
            st.altair_chart(alt.Chart(counts).mark_bar().encode(
                x=alt.X(f"{tr('count')}:Q"), y=alt.Y(f"{tr('type')}:N", sort="-x")), use_container_width=True)
    with right:
        st.subheader(tr("rubric"))
        st.dataframe(pd.DataFrame([{tr("criterion"): line.criterion, tr("points"): line.points,
                                    tr("max"): line.max_points} for line in card.rubric]),
                     hide_index=True, use_container_width=True)
    st.subheader(tr("feedback"))
    for item in card.feedback:
        cite = (f" — *{escape_md(item.citation_title)}*（{escape_md(item.citation_source)}）"
                if item.citation_title else "")
        st.markdown(f"- {escape_md(item.text)}{cite}")
    if scenario.debrief:
        with st.expander(tr("debrief")):
            show_text(scenario.debrief)


def scenario_picker() -> None:
    st.caption(tr("intro"))
    scenarios = list(rp.scenarios().values())
    if rp.problems:
        st.warning(tr("problems") + "\n\n" + "\n\n".join(escape_md(p) for p in rp.problems))
    if not scenarios:
        st.info(tr("no_scenarios"))
        return
    f1, f2 = st.columns(2)
    langs = f1.multiselect(tr("filter_lang"), ["zh", "en"], default=[lang()], key="rp_lang")
    segments = f2.multiselect(tr("filter_segment"), ["B2C", "B2B"], default=["B2C", "B2B"], key="rp_segment")
    shown = [s for s in scenarios if (not langs or s.language in langs) and (not segments or s.segment in segments)]
    shown.sort(key=lambda s: (s.difficulty, s.id))
    for row in range(0, len(shown), 3):
        for col, scenario in zip(st.columns(3), shown[row:row + 3]):
            with col.container(border=True):
                show_text(scenario.title, bold=True)
                st.caption(f"{scenario.trade} · {scenario.segment} · {scenario.language} · "
                           f"{tr('difficulty')} {'★' * scenario.difficulty} · "
                           f"{len(scenario.hidden_needs)} {tr('needs')}")
                show_text(scenario.profile.strip()[:110] + ("…" if len(scenario.profile.strip()) > 110 else ""))
                if st.button(tr("start"), key=f"rp_start_{scenario.id}", type="primary"):
                    with runtime.guard():
                        st.session_state[AID] = rp.start(scenario.id, trainee=person.username)
                        st.rerun()
    st.subheader(tr("attempts"))
    attempts = rp.attempts(None if person.is_manager else person.username)
    if not attempts:
        st.caption(tr("none_yet"))
        return
    table = pd.DataFrame([{"#": a.conversation_id, tr("trainee"): a.trainee, tr("scenario"): a.scenario_id,
                           tr("score"): a.score, tr("uncovered"): f"{a.uncovered}/{a.total}",
                           tr("date"): local_time(a.finished_at)} for a in attempts])
    st.dataframe(table, hide_index=True, use_container_width=True)
    pick = st.selectbox(tr("review"), [None] + [a.conversation_id for a in attempts], key="rp_review")
    if pick:
        attempt = next(a for a in attempts if a.conversation_id == pick)
        from assistant.roleplay.score import Scorecard

        show_scorecard(Scorecard.model_validate(attempt.scorecard), rp.scenario(attempt.scenario_id))


def attempt_view(attempt_id: int) -> None:
    try:
        conv = log.conversation(attempt_id)
        scenario = rp.scenario(conv.scenario_id or "")
    except InputError:
        st.session_state[AID] = None
        st.rerun()
        return
    if conv.author != person.username and not person.is_manager:
        st.session_state[AID] = None
        st.rerun()
        return
    state = conv.state or {}
    st.subheader(scenario.title)
    with st.expander(tr("profile"), expanded=True):
        show_text(scenario.profile.strip())
    m1, m2 = st.columns([3, 1])
    trust = float(state.get("trust", scenario.starting_trust))
    m1.progress(trust, text=f"{tr('trust')}: {trust:.0%}")
    m2.metric(tr("turns"), f"{len(state.get('labels', []))}/{scenario.max_turns}")
    for turn in log.turns(attempt_id):
        role = "user" if turn.role == "trainee" else "assistant"
        with st.chat_message(role, avatar="🧑‍💼" if role == "user" else "🧓"):
            show_text(turn.text)
    if state.get("finished"):
        st.success(tr("finished"))
        show_scorecard(rp.scorecard(attempt_id), scenario)
        if st.button(tr("leave"), key="rp_leave"):
            st.session_state[AID] = None
            st.rerun()
        return
    line = st.chat_input(tr("ask"), key="rp_input")
    if line:
        with runtime.guard():
            with st.chat_message("user", avatar="🧑‍💼"):
                show_text(line)
            turn = rp.ask(attempt_id, line)
            with st.chat_message("assistant", avatar="🧓"):
                st.write_stream(md_stream(turn.reply_stream()))
            st.rerun()
    c1, c2 = st.columns(2)
    if c1.button(tr("finish"), key="rp_finish", type="primary"):
        with runtime.guard():
            rp.finish(attempt_id)
            st.rerun()
    if c2.button(tr("leave"), key="rp_back"):
        st.session_state[AID] = None
        st.rerun()


with runtime.guard():
    if st.session_state[AID] is None:
        scenario_picker()
    else:
        attempt_view(st.session_state[AID])

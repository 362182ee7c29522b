"""The account page (客户档案) with Streamlit's AppTest: a salesperson sees their own
accounts only, the merged needs with who said what, moves a need (audited), the brief;
a manager sees the watch lists. The fake model and a fresh data directory are injected
through ui.runtime.set_services."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.needs.records import Evidence, ExtractedNeed
from assistant.services import Services
from ui import runtime

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")
PASSWORD = "correct-horse"


@pytest.fixture
def services(settings, fake_model, monkeypatch):
    monkeypatch.setenv("NEEDS_TEST", "1")
    built = Services(settings, model=fake_model)
    runtime.set_services(built)
    yield built
    runtime.set_services(None)


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def page(person, lang="zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.session_state["person"] = person
    at.session_state["lang"] = lang
    at.run()
    return ok(at.switch_page("views/accounts.py").run())


def words(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown) + "\n" + "\n".join(c.value for c in at.caption)


def log_meeting(services, author, account, turns, needs, status=None):
    log = services.needlog
    cid = log.create_conversation(account=account, author=author)
    for text in turns:
        log.add_turn(cid, "customer", text)
    return log.record_needs(cid, [ExtractedNeed(statement=s, kind="implicit", dimension=d, owner="user",
                                                evidence=[Evidence(turn=t, quote=q)]) for s, d, t, q in needs],
                            author=author, status=status)


def seed(services):
    log_meeting(services, "li", "海景酒店", ["晚上大堂没人打扫"],
                [("夜间大堂需要自动清洁", "functional", 1, "晚上大堂没人打扫")])
    log_meeting(services, "li", "海景酒店", ["大堂晚上没人清扫", "客人睡觉的时候怕吵", "对，就是这个意思"],
                [("夜里大堂要有人清扫", "functional", 1, "大堂晚上没人清扫"),
                 ("担心机器吵到住客", "emotional", 2, "客人睡觉的时候怕吵")], status="hypothesis")
    log_meeting(services, "wang", "山景酒店", ["要能自己坐电梯"],
                [("机器人能自己乘电梯", "functional", 1, "要能自己坐电梯")])


def test_a_salesperson_sees_their_account_moves_a_need_and_makes_a_brief(services):
    li = services.users.add("li", PASSWORD, role="sales")
    seed(services)
    at = page(li)
    assert at.selectbox(key="acc_account").options == ["海景酒店"]  # not wang's account
    text = words(at)
    assert "夜间大堂需要自动清洁" in text and "另有 1 次换个说法提到" in text
    assert "“晚上大堂没人打扫” — li" in text and "“大堂晚上没人清扫” — li" in text
    assert "担心机器吵到住客" in text  # an open hypothesis
    assert not at.tabs or "主管关注" not in text  # no watch lists for a salesperson
    # the customer's "对，就是这个意思" suggests confirming the hypothesis
    assert "建议把“担心机器吵到住客”推进到「已确认」" in text
    next(b for b in at.button if b.label == "采纳").click().run()
    ok(at)
    need = next(n for n in services.needlog.needs() if n.statement == "担心机器吵到住客")
    assert need.lifecycle == "confirmed"
    assert [(m.from_state, m.to_state, m.actor, m.via) for m in services.needlog.transitions(need.id)] == \
        [("hypothesis", "confirmed", "li", "conversation")]
    at.button(key="acc_brief").click().run()
    ok(at)
    assert "这次要问" in words(at)


def test_the_move_form_refuses_a_drop_without_reason_and_audits_a_move(services):
    li = services.users.add("li", PASSWORD, role="sales")
    [first] = log_meeting(services, "li", "海景酒店", ["晚上大堂没人打扫"],
                          [("夜间大堂需要自动清洁", "functional", 1, "晚上大堂没人打扫")])
    at = page(li)
    at.selectbox(key="acc_move_to").select("dropped")
    at.form_submit_button[1].click().run()
    assert at.error and "reason" in at.error[0].value
    assert services.needlog.get_need(first.id).lifecycle == "confirmed"
    at.selectbox(key="acc_move_to").select("in_solution")
    at.form_submit_button[1].click().run()
    assert services.needlog.get_need(first.id).lifecycle == "in_solution"
    assert ("lifecycle", "confirmed", "in_solution") in [(e.field, e.old_value, e.new_value)
                                                         for e in services.needlog.audit(first.id)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_manager_sees_every_account_and_the_watch_lists(services, lang):
    boss = services.users.add("boss", PASSWORD, role="manager")
    seed(services)
    at = page(boss, lang)
    assert at.selectbox(key="acc_account").options == sorted(["海景酒店", "山景酒店"])
    assert len(at.tabs) == 3
    labels = [tab.label for tab in at.tabs]
    assert labels[0] == ("有未验证隐性需求的客户" if lang == "zh" else "Accounts with unverified implicit needs")
    unverified = at.tabs[0].dataframe[0].value
    assert list(unverified.iloc[:, 0]) == ["海景酒店"]
    at.number_input(key="acc_days").set_value(0).run()
    ok(at)
    assert len(at.tabs[2].dataframe[0].value) == 2  # both accounts: last contact ≥ 0 days ago


def test_no_accounts_yet(services):
    li = services.users.add("li", PASSWORD, role="sales")
    at = page(li)
    assert "还没有客户" in at.info[0].value


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_page_shows_what_was_left_open_with_its_source_and_closes_it(services, lang):
    from assistant.accounts.open_items import OpenItems, after_conversation

    li = services.users.add("li", PASSWORD, role="sales")
    log = services.needlog
    cid, _ = log.import_conversation([("customer", "能不能和收费系统打通，得问问信息部的小刘。", {}),
                                      ("sales", "好的，我回去整理一份操作说明，下周发给您。", {})], [],
                                     account="金桂物业", author="li", title="2026-10-12 拜访")
    after_conversation(log, cid)
    theirs, _ = log.import_conversation([("customer", "预算我说了不算，要等总公司批。", {})], [],
                                        account="翠湖物业", author="wang", title="wang 的拜访")
    after_conversation(log, theirs)
    at = page(li, lang)
    text = words(at)
    assert ("上次留下的" if lang == "zh" else "Left open") in [h.value for h in at.subheader]
    assert "“能不能和收费系统打通，得问问信息部的小刘。”" in text
    assert ("没答上的问题" if lang == "zh" else "Unanswered question") in text
    assert ("答应的事" if lang == "zh" else "Promise") in text
    assert ("拜访 第1轮 · 客户" if lang == "zh" else "拜访 turn 1 · customer") in text  # where it came from
    assert "总公司" not in text  # not wang's
    question = next(i for i in OpenItems(log).of_account("金桂物业", li) if i.kind == "question")
    at.button(key=f"acc_close_{question.id}").click().run()
    ok(at)
    assert [i.kind for i in OpenItems(log).of_account("金桂物业", li)] == ["promise"]
    closed = OpenItems(log).of_account("金桂物业", li, status="closed")[0]
    assert (closed.id, closed.closed_by) == (question.id, "li")
    assert "`没答上的问题`" not in words(at) and "`Unanswered question`" not in words(at)
    at.button(key="acc_brief").click().run()
    ok(at)
    assert "操作说明" in words(at)  # the brief's "left open" section

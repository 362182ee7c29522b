"""The web app with Streamlit's AppTest: every page, sign-in, a coach turn, the need log's
filters, corrections, drill-down and export, and who may see what. The fake model and a
fresh data directory are injected through ui.runtime.set_services (no monkey-patching of
the core)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from assistant.needs.log import NeedFilter
from assistant.needs.records import Evidence, ExtractedNeed
from assistant.services import Services
from ui import runtime
from ui.needlog_data import changed_fields, export_file, needs_frame, scope

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "ui" / "app.py")
PAGES = ("views/coach.py", "views/needlog.py", "views/meetings.py", "views/knowledge.py", "views/settings.py")
PASSWORD = "correct-horse"


@pytest.fixture
def services(settings, fake_model, monkeypatch):
    monkeypatch.setenv("NEEDS_TEST", "1")  # unexpected errors re-raise instead of becoming messages
    built = Services(settings, model=fake_model)
    runtime.set_services(built)
    yield built
    runtime.set_services(None)


def make_app(person=None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if person is not None:
        at.session_state["person"] = person
    if lang is not None:
        at.session_state["lang"] = lang
    return at.run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def shown(markdown: str) -> str:
    """What a person reads: the Markdown of an element rendered (CommonMark), tags dropped."""
    rendered = MarkdownIt("commonmark").render(markdown)
    return html.unescape(re.sub(r"<[^>]+>", "", rendered)).strip()


def texts(at: AppTest) -> str:
    return "\n".join(shown(m.value) for m in at.markdown) + "\n".join(shown(c.value) for c in at.caption)


def button(at: AppTest, label: str):
    return next(b for b in at.button if b.label == label)


def log_need(services, author: str, account: str, statement: str, quote: str, *, dimension="functional",
             kind="implicit", owner="user", words: str | None = None) -> int:
    log = services.needlog
    cid = log.create_conversation(account=account, author=author)
    log.add_turn(cid, "customer", words or quote)
    log.record_needs(cid, [ExtractedNeed(statement=statement, kind=kind, dimension=dimension, owner=owner,
                                         evidence=[Evidence(turn=1, quote=quote)])], author=author)
    return cid


# ---- sign-in ---------------------------------------------------------------------------------------
def test_without_users_nobody_gets_in_and_the_cli_command_is_named(services):
    at = make_app()
    assert not at.exception
    assert "needs user add NAME --role manager" in at.code[0].value
    assert at.error and not at.chat_input and "person" not in at.session_state


def test_sign_in_and_wrong_password(services):
    services.users.add("wang", PASSWORD, role="sales", display_name="王销售")
    at = make_app()
    at.text_input(key="sign_in_user").input("wang")
    at.text_input(key="sign_in_password").input("wrong-password")
    at.form_submit_button[0].click().run()
    assert "用户名或密码不正确" in at.error[0].value
    assert "person" not in at.session_state and not at.chat_input

    at.text_input(key="sign_in_user").input("wang")
    at.text_input(key="sign_in_password").input(PASSWORD)
    at.form_submit_button[0].click().run()
    ok(at)
    assert at.session_state["person"].username == "wang"
    assert at.title[0].value.endswith("教练") and at.chat_input
    assert "王销售" in "\n".join(m.value for m in at.sidebar.markdown)

    button(at, "退出登录").click().run()
    assert "person" not in at.session_state and at.form_submit_button


# ---- every page -------------------------------------------------------------------------------------
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_page_renders(services, lang):
    boss = services.users.add("boss", PASSWORD, role="manager")
    log_need(services, "boss", "王阿姨", "给怀孕的儿媳妇买酸味水果", "她怀孕了")
    at = make_app(boss, lang)
    for page in PAGES:
        ok(at.switch_page(page).run())
        assert at.title, page
    assert at.title[0].value.endswith("Settings" if lang == "en" else "设置")


# ---- coach ----------------------------------------------------------------------------------------------
def test_coach_turn_streams_reply_and_logs_a_need_card(services, fake_model):
    li = services.users.add("li", PASSWORD, role="sales")
    at = make_app(li)
    at.text_input(key="coach_account").input("王阿姨")
    # the reply streams; the needs come from the rules and the understanding layer at once
    fake_model.enqueue("阿姨，您买枣子是给谁吃的呀？", "我确认一下：是给怀孕的儿媳妇买点酸的，对吗？")
    at.chat_input[0].set_value("我想买点枣子").run()
    ok(at)
    assert [m.name for m in at.chat_message] == ["user", "assistant"]
    assert "我想买点枣子" in at.chat_message[0].markdown[0].value
    assert "给谁吃" in at.chat_message[1].markdown[0].value
    assert "为什么" in at.chat_message[1].markdown[0].value
    assert at.chat_message[1].expander, "the coaching reply shows its cited passages"

    cid = at.session_state["coach_cid"]
    conv = services.needlog.conversation(cid)
    assert conv.author == "li" and conv.account.name == "王阿姨" and conv.mode == "live"

    at.chat_input[0].set_value("其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。").run()
    ok(at)
    assert [m.name for m in at.chat_message] == ["user", "assistant"] * 2
    needs = services.coach.needs(cid)
    sour = [n for n in needs if "酸" in n.statement]
    assert sour and sour[0].owner == "user" and sour[0].author == "li"
    page = texts(at)
    assert f"💡 {sour[0].statement}" in page  # the need card
    assert "🟢 使用者（给谁用）" in page  # the discovery board
    turns = services.needlog.turns(cid)
    assert [t.role for t in turns] == ["customer", "coach"] * 2
    # the model's extraction pass never runs inside a turn (the next turn must not wait on it);
    # on the default (semantic) there is none to come: the turn's own reading is the extraction
    assert [t.extraction for t in turns if t.role == "customer"] == ["done", "done"]
    assert "JSON" not in fake_model.last_prompt_text


def test_i_said_toggle_relays_the_salespersons_words(services):
    li = services.users.add("li", PASSWORD, role="sales")
    at = make_app(li)
    at.toggle(key="coach_sales").set_value(True).run()
    at.chat_input[0].set_value("您好，想买点什么？").run()
    ok(at)
    cid = at.session_state["coach_cid"]
    assert [t.role for t in services.needlog.turns(cid)][0] == "sales"


def test_need_card_confirm_edit_reject_write_the_audit_trail(services):
    li = services.users.add("li", PASSWORD, role="sales")
    at = make_app(li)
    at.chat_input[0].set_value("其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。").run()
    cid = at.session_state["coach_cid"]
    at.run()  # a plain rerun: the cards from the stored state
    need = services.coach.needs(cid)[0]
    log = services.needlog

    at.button(key=f"coach_confirm_{need.id}").click().run()
    ok(at)
    after = log.get_need(need.id)
    assert (after.status, after.review_state) == ("confirmed", "validated")
    assert {e.field for e in log.audit(need.id)} >= {"review_state"}
    assert all(e.editor == "li" for e in log.audit(need.id))

    form_input = next(w for w in at.text_input if w.value == need.statement)
    form_input.input("给怀孕的儿媳妇买酸的水果")
    target = "form" if need.dimension == "emotional" else "emotional"  # a real change, whatever was read
    next(s for s in at.selectbox if s.label == "维度").set_value(target)
    next(b for b in at.form_submit_button if b.label == "保存修改").click().run()
    ok(at)
    edited = log.get_need(need.id)
    assert edited.statement == "给怀孕的儿媳妇买酸的水果" and edited.dimension == target
    assert {"statement", "dimension"} <= {e.field for e in log.audit(need.id)}

    at.button(key=f"coach_reject_{need.id}").click().run()
    ok(at)
    assert need.id not in {n.id for n in log.needs(NeedFilter(conversation_id=cid))}
    assert log.audit(need.id)[-1].field == "rejected"


def test_prep_mode_question_plan(services, fake_model):
    li = services.users.add("li", PASSWORD, role="sales")
    at = make_app(li)
    at.radio(key="coach_mode").set_value("prep").run()
    assert not at.toggle, "prep mode has no 'I said' switch: everything is the salesperson's account"
    fake_model.enqueue("你知道她买枣子是给谁吃的吗？", '{"needs": []}')
    at.chat_input[0].set_value("明天见一位老太太，她说想买点枣子。").run()
    ok(at)
    assert "我想先问你" in at.chat_message[-1].markdown[0].value
    button(at, "📝 生成提问清单").click().run()
    ok(at)
    page = texts(at)
    assert "提问清单" in page and "待验证的隐性需求假设" in page
    plan = services.coach.plan(at.session_state["coach_cid"])
    assert f"1. {plan.questions[0].question}" in page


def test_new_conversation_and_reopening_a_past_one(services):
    li = services.users.add("li", PASSWORD, role="sales")
    at = make_app(li)
    at.text_input(key="coach_account").input("老客户")
    at.chat_input[0].set_value("我想买点枣子").run()
    first = at.session_state["coach_cid"]
    button(at, "➕ 新对话").click().run()
    assert at.session_state["coach_cid"] is None and not at.chat_message
    at.chat_input[0].set_value("我要一台洗衣机").run()
    second = at.session_state["coach_cid"]
    assert second != first

    picker = at.selectbox(key="coach_pick")
    assert set(picker.options) >= {picker.format_func(first), picker.format_func(second)}
    assert "老客户" in picker.format_func(first)
    picker.set_value(first).run()
    ok(at)
    assert at.session_state["coach_cid"] == first
    assert "枣子" in at.chat_message[0].markdown[0].value


# ---- need log -------------------------------------------------------------------------------------------
def test_need_log_filters_change_the_table(services):
    boss = services.users.add("boss", PASSWORD, role="manager")
    log_need(services, "li", "王阿姨", "给怀孕的儿媳妇买酸味水果", "想吃酸的")
    log_need(services, "li", "华东机械", "停机造成罚款", "主机厂要罚款", dimension="business", kind="implicit",
             owner="customer_of_customer")
    log_need(services, "zhao", "华东机械", "报个最低价", "报个最低价", dimension="price", kind="explicit",
             owner="buyer")
    at = make_app(boss)
    at.switch_page("views/needlog.py").run()
    ok(at)
    assert len(at.data_editor[0].value) == 3
    at.selectbox(key="needs_dimension").set_value("price").run()
    assert list(at.data_editor[0].value["statement"]) == ["报个最低价"]
    at.selectbox(key="needs_dimension").set_value("").run()
    at.selectbox(key="needs_account").set_value("华东机械").run()
    assert len(at.data_editor[0].value) == 2
    at.selectbox(key="needs_author").set_value("li").run()
    assert list(at.data_editor[0].value["statement"]) == ["停机造成罚款"]
    at.text_input(key="needs_text").input("酸").run()
    assert not at.data_editor and "没有符合条件的需求" in at.info[0].value


def test_a_salesperson_sees_only_their_own_needs(services):
    li = services.users.add("li", PASSWORD, role="sales")
    services.users.add("zhao", PASSWORD, role="sales")
    boss = services.users.add("boss", PASSWORD, role="manager")
    log_need(services, "li", "王阿姨", "给怀孕的儿媳妇买酸味水果", "想吃酸的")
    log_need(services, "zhao", "华东机械", "停机造成罚款", "主机厂要罚款", dimension="business")

    at = make_app(li)
    at.switch_page("views/needlog.py").run()
    ok(at)
    assert list(at.data_editor[0].value["author"]) == ["li"]
    assert not any(s.key == "needs_author" for s in at.selectbox), "no way to pick another salesperson"
    assert "停机" not in "".join(o for s in at.selectbox for o in s.options)
    at.switch_page("views/coach.py").run()
    listed = " ".join(at.selectbox(key="coach_pick").options)
    assert "王阿姨" in listed and "华东机械" not in listed  # li's conversations, none of zhao's

    manager = make_app(boss)
    manager.switch_page("views/needlog.py").run()
    assert sorted(manager.data_editor[0].value["author"]) == ["li", "zhao"]

    assert scope(li).authors == ["li"] and scope(boss).authors is None


def test_need_log_corrections_are_saved_per_need_with_audit(services):
    boss = services.users.add("boss", PASSWORD, role="manager")
    log_need(services, "li", "王阿姨", "给怀孕的儿媳妇买酸味水果", "想吃酸的")
    at = make_app(boss)
    at.switch_page("views/needlog.py").run()
    need = services.needlog.needs()[0]
    key = at.session_state["needs_editor_key"]
    at.session_state[key] = {"edited_rows": {"0": {"statement": "给儿媳妇买酸的", "ltc_stage": "opportunity"}},
                             "added_rows": [], "deleted_rows": []}
    at.button(key="needs_save").click().run()
    ok(at)
    assert "已保存 1 条" in at.success[0].value
    saved = services.needlog.get_need(need.id)
    assert (saved.statement, saved.ltc_stage, saved.review_state) == ("给儿媳妇买酸的", "opportunity", "edited")
    audit = {(e.field, e.old_value, e.new_value, e.editor) for e in services.needlog.audit(need.id)}
    assert ("statement", "给怀孕的儿媳妇买酸味水果", "给儿媳妇买酸的", "boss") in audit
    assert ("ltc_stage", "lead", "opportunity", "boss") in audit


def test_an_emptied_statement_is_refused_with_the_fix(services):
    boss = services.users.add("boss", PASSWORD, role="manager")
    log_need(services, "li", "王阿姨", "给怀孕的儿媳妇买酸味水果", "想吃酸的")
    at = make_app(boss)
    at.switch_page("views/needlog.py").run()
    at.session_state[at.session_state["needs_editor_key"]] = {
        "edited_rows": {"0": {"statement": "  "}}, "added_rows": [], "deleted_rows": []}
    at.button(key="needs_save").click().run()
    assert not at.exception
    assert "empty" in at.error[0].value and "reject" in at.error[0].value
    assert services.needlog.needs()[0].statement == "给怀孕的儿媳妇买酸味水果"


def test_changed_fields_ignores_untouched_rows():
    from assistant.needs.records import NeedRecord

    needs = [NeedRecord(statement="要快", kind="explicit", dimension="functional"),
             NeedRecord(statement="怕麻烦", kind="implicit", dimension="emotional")]
    frame = needs_frame(needs)
    edited = frame.copy()
    edited.loc[needs[1].id, "status"] = "confirmed"
    edited.loc[needs[1].id, "statement"] = " 怕麻烦 "
    assert changed_fields(frame, edited) == {needs[1].id: {"status": "confirmed"}}


def test_drill_down_highlights_the_evidence(services):
    boss = services.users.add("boss", PASSWORD, role="manager")
    log_need(services, "li", "王阿姨", "给怀孕的儿媳妇买酸味水果", "这阵子老想吃酸的",
             words="其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。<script>x</script>")
    at = make_app(boss)
    at.switch_page("views/needlog.py").run()
    ok(at)
    body = at.get("html")[0].proto.body
    assert "<mark>这阵子老想吃酸的</mark>" in body
    assert "<script>" not in body and "&lt;script&gt;" in body  # the customer's words are escaped
    at.radio(key="drill_by").set_value("conversation").run()
    ok(at)
    assert "<mark>这阵子老想吃酸的</mark>" in at.get("html")[0].proto.body


def test_export_buttons_and_files(services):
    boss = services.users.add("boss", PASSWORD, role="manager")
    log_need(services, "li", "王阿姨", "=HYPERLINK(\"http://x\")", "想吃酸的", dimension="price")
    log_need(services, "li", "王阿姨", "给怀孕的儿媳妇买酸味水果", "她怀孕了")
    at = make_app(boss)
    at.switch_page("views/needlog.py").run()
    ok(at)
    assert [b.label for b in at.get("download_button")] == ["⬇ CSV", "⬇ Excel (XLSX)", "⬇ JSON"]

    needs = services.needlog.needs()  # what the page exports with no filter set
    data, name, mime = export_file(needs, "csv")
    assert name.endswith(".csv") and mime == "text/csv"
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert {r["statement"] for r in rows} == {"'=HYPERLINK(\"http://x\")", "给怀孕的儿媳妇买酸味水果"}
    assert all(r["author"] == "li" and r["account"] == "王阿姨" for r in rows)

    data, name, _ = export_file(needs, "xlsx")
    sheet = load_workbook(io.BytesIO(data)).active
    cells = {c.value: c for c in sheet["E"]}  # the statement column
    assert "statement" in cells and cells["=HYPERLINK(\"http://x\")"].data_type == "s"

    data, name, mime = export_file(needs, "json")
    assert mime == "application/json"
    assert {n["statement"] for n in json.loads(data)["needs"]} >= {"给怀孕的儿媳妇买酸味水果"}


def test_trainee_scores_hook_renders(services):
    boss = services.users.add("boss", PASSWORD, role="manager")
    at = make_app(boss)
    at.switch_page("views/needlog.py").run()
    ok(at)
    assert "学员陪练成绩" in texts(at)


# ---- knowledge ----------------------------------------------------------------------------------------------
class FakeKnowledgeBase:
    """Stands in for assistant.knowledge.KnowledgeBase: retrieve and ingest with progress."""

    def __init__(self):
        self.ingested: list[Path] = []
        self.indexed_shipped = False

    def ensure_shipped(self, progress=None):
        if not self.indexed_shipped and progress:
            progress("buyer-vs-user.md", 1, 2)
            progress("", 2, 2)
        self.indexed_shipped = True

    def retrieve(self, query, k=None, **options):
        from types import SimpleNamespace

        return [SimpleNamespace(text="先问用途，再推荐。", source="jujube.md", title="老太太买枣子", section="要点",
                                score=0.93, doc_id="jujube", kind="story")][:k]

    def ingest(self, paths, prune=False, progress=None):
        from types import SimpleNamespace

        for i, path in enumerate(paths, 1):
            self.ingested.append(Path(path))
            if progress:
                progress(Path(path).name, i, len(paths))
        item = SimpleNamespace(path=str(paths[0]), status="indexed", chunks=3, reason=None, detail="")
        return SimpleNamespace(indexed=[item], unchanged=[], skipped=[], pruned=[],
                               summary=lambda: "1 indexed, 0 unchanged, 0 skipped, 0 pruned; 3 chunks in the index")


def test_knowledge_browse_and_text_search_without_the_index(services, monkeypatch):
    monkeypatch.setattr(runtime, "knowledge_base", lambda s: (None, "No module named 'assistant.knowledge'"))
    li = services.users.add("li", PASSWORD, role="sales")
    at = make_app(li)
    at.switch_page("views/knowledge.py").run()
    ok(at)
    assert len(at.expander) == sum(1 for e in services.catalog.entries.values() if e.kind == "concept")
    at.radio(key="kb_kind").set_value("story").run()
    assert any("枣" in e.label for e in at.expander)
    at.text_input(key="kb_query").input("猕猴桃").run()
    ok(at)
    assert "找到" in texts(at) and any("枣" in e.label or "猕猴桃" in e.label for e in at.expander)
    assert any("知识库索引模块" in i.value for i in at.info)  # upload explains why it is unavailable


def test_knowledge_search_and_upload_with_the_index(services, monkeypatch):
    kb = FakeKnowledgeBase()
    monkeypatch.setattr(runtime, "knowledge_base", lambda s: (kb, ""))
    boss = services.users.add("boss", PASSWORD, role="manager")
    at = make_app(boss)
    at.switch_page("views/knowledge.py").run()
    at.text_input(key="kb_query").input("买枣子").run()
    ok(at)
    assert "老太太买枣子 › 要点" in texts(at)
    assert kb.indexed_shipped  # the shipped knowledge is indexed (with a progress bar) before the first search
    at.file_uploader(key="kb_files").set_value([("产品手册.md", "# 手册\n\n酸枣适合孕妇。".encode(), "text/markdown"),
                                                 ("../../evil.txt", b"hello", "text/plain")])
    at.run()
    at.button(key="kb_ingest").click().run()
    ok(at)
    assert [p.name for p in kb.ingested] == ["产品手册.md", "evil.txt"]
    assert all(p.parent == services.settings.data_dir / "uploads" for p in kb.ingested)
    assert "1 indexed" in at.success[0].value
    assert at.get("progress")


def test_coach_indexes_the_knowledge_first_and_cites_a_retrieved_passage(settings, fake_model, monkeypatch):
    monkeypatch.setenv("NEEDS_TEST", "1")
    built = Services(settings.model_copy(update={"coach_retrieval": True}), model=fake_model)
    kb = FakeKnowledgeBase()
    built.__dict__["knowledge"] = kb  # the container's knowledge base, overridden for this test
    runtime.set_services(built)
    try:
        li = built.users.add("li", PASSWORD, role="sales")
        at = make_app(li)
        at.chat_input[0].set_value("我想买点枣子").run()
        ok(at)
        assert kb.indexed_shipped
        sources = " ".join(shown(m.value) for e in at.chat_message[1].expander for m in e.markdown)
        assert "《老太太买枣子》" in sources and "《以客户为中心的真正核心到底是什么》, 2017" in sources
        assert ".txt" not in sources and "jujube.md" not in sources  # file names only in the details line
        details = " ".join(shown(c.value) for e in at.chat_message[1].expander for c in e.caption)
        assert "jujube.md" in details
    finally:
        runtime.set_services(None)


def test_only_managers_upload(services, monkeypatch):
    monkeypatch.setattr(runtime, "knowledge_base", lambda s: (FakeKnowledgeBase(), ""))
    li = services.users.add("li", PASSWORD, role="sales")
    at = make_app(li)
    at.switch_page("views/knowledge.py").run()
    ok(at)
    assert not at.file_uploader and any("只有主管可以向共享知识库" in i.value for i in at.info)


# ---- settings -------------------------------------------------------------------------------------------------------
def test_settings_connection_test_shows_the_reply_or_the_fix(services, fake_model):
    li = services.users.add("li", PASSWORD, role="sales")
    at = make_app(li)
    at.switch_page("views/settings.py").run()
    ok(at)
    fake_model.enqueue("先问用途，才能推荐对的东西。")
    at.button(key="settings_test").click().run()
    ok(at)
    assert "连接正常" in at.success[0].value
    assert "先问用途" in texts(at)
    assert "为什么销售在推荐产品之前" in fake_model.last_prompt_text

    fake_model.enqueue(*[TimeoutError()] * 4)
    at.button(key="settings_test").click().run()
    assert not at.exception
    assert "NEEDS_REQUEST_TIMEOUT" in shown(at.error[0].value)  # message + fix


def test_settings_mask_secrets(settings, fake_model, monkeypatch):
    monkeypatch.setenv("NEEDS_TEST", "1")
    from pydantic import SecretStr

    secret = settings.model_copy(update={"provider": "openai", "openai_base_url": "http://127.0.0.1:9/v1",
                                         "openai_model": "m", "openai_api_key": SecretStr("sk-very-secret-key-123")})
    built = Services(secret, model=fake_model)
    runtime.set_services(built)
    try:
        boss = built.users.add("boss", PASSWORD, role="manager")
        at = make_app(boss)
        at.switch_page("views/settings.py").run()
        ok(at)
        shown = " ".join(str(v) for d in at.dataframe for v in d.value.to_numpy().ravel())
        assert "sk-very-secret-key-123" not in shown and "sk-…23" in shown
        assert "http://127.0.0.1:9/v1" in texts(at)
    finally:
        runtime.set_services(None)


# ---- the error seam -------------------------------------------------------------------------------------------------
def _script_with_errors() -> None:
    import streamlit as st

    from assistant.errors import InputError
    from ui import runtime

    with runtime.guard():
        raise InputError("The message is empty.", fix="type what the customer said")
    with runtime.guard():
        raise RuntimeError("boom")
    st.write("after")


def test_guard_shows_message_and_fix_and_reraises_only_under_tests(monkeypatch):
    monkeypatch.delenv("NEEDS_TEST", raising=False)
    at = AppTest.from_function(_script_with_errors).run()
    assert not at.exception
    assert "The message is empty." in shown(at.error[0].value)
    assert "type what the customer said" in shown(at.error[0].value)
    assert "boom" in at.error[1].value and at.markdown[-1].value == "after"
    monkeypatch.setenv("NEEDS_TEST", "1")
    at = AppTest.from_function(_script_with_errors).run()
    assert "boom" in at.exception[0].value


# ---- the `needs ui` command --------------------------------------------------------------------------------------------
def test_needs_ui_command_starts_streamlit_on_localhost(monkeypatch):
    from assistant import cli_ui

    calls = []
    def replace_process(path, cmd):  # os.execv does not return: Streamlit becomes this process
        calls.append(cmd)
        raise SystemExit(0)

    monkeypatch.setattr(cli_ui.os, "execv", replace_process)
    result = CliRunner().invoke(cli_ui.app, ["--port", "8765"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8765" in result.output
    cmd = calls[0]
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4].endswith("ui/app.py")
    for flag, value in (("--server.address", "127.0.0.1"), ("--server.port", "8765"),
                        ("--server.headless", "true"), ("--browser.gatherUsageStats", "false")):
        assert cmd[cmd.index(flag) + 1] == value


# ---- meetings: upload, choose sides, review --------------------------------------------------------
def test_meeting_upload_choose_speakers_and_review(services):
    li = services.users.add("li", PASSWORD, role="sales")
    at = make_app(li)
    at.switch_page("views/meetings.py").run()
    sample = (ROOT / "tests" / "data" / "meetings" / "tencent_header.txt").read_bytes()
    at.file_uploader(key="mt_upload").set_value([("酒店会谈.txt", sample, "text/plain")])
    at.run()
    ok(at)
    assert [r.label for r in at.radio if r.key and r.key.startswith("mt_side_")] == ["王经理", "李明（销售）", "赵总"]  # plain names need no escaping
    assert at.radio(key="mt_side_1").value == "sales"  # named as a salesperson
    at.radio(key="mt_side_0").set_value("customer")
    at.radio(key="mt_side_2").set_value("customer")
    at.button(key="mt_do_import").click().run()
    ok(at)
    assert "7" in at.success[0].value
    cid = at.session_state["mt_conversation"]
    assert [t.role for t in services.needlog.turns(cid)] == ["customer", "sales"] * 3 + ["customer"]
    assert services.needlog.turns(cid)[0].meta["speaker"] == "王经理"
    assert any("保洁阿姨招不到人" in x.value for x in at.text)  # the timeline shows the words as text
    assert at.get("download_button")


def test_meeting_review_shows_markup_as_text(services):
    li = services.users.add("li", PASSWORD, role="sales")
    cid = services.needlog.create_conversation(kind="import", mode="import", author="li", title="t")
    services.needlog.add_turn(cid, "customer", "![x](http://127.0.0.1:9/track.png) 我们要十台")
    services.needlog.add_turn(cid, "sales", "主要用在哪里？")
    at = make_app(li)
    at.switch_page("views/meetings.py").run()
    ok(at)
    assert any("![x](http" in x.value for x in at.text)
    assert not any("![x](http" in m.value for m in at.markdown)


def test_a_manager_drafts_and_saves_a_scenario_from_a_meeting(services):
    boss = services.users.add("boss", PASSWORD, role="manager")
    meeting = services.meetings.read(ROOT / "tests" / "data" / "meetings" / "tencent_header.txt")
    result = services.meetings.import_meeting(meeting, customer=["王经理", "赵总"], author="boss")
    at = make_app(boss)
    at.switch_page("views/meetings.py").run()
    at.button(key="mt_do_draft").click().run()
    ok(at)
    area = at.text_area(key=f"mt_draft_{result.conversation_id}_text")
    assert "hidden_needs" in area.value
    area.input(area.value.replace("difficulty: 2", "difficulty: 3")).run()
    at.button(key="mt_do_save").click().run()
    ok(at)
    assert at.success and f"meeting-{result.conversation_id}" in at.success[-1].value
    assert services.roleplay.scenario(f"meeting-{result.conversation_id}").difficulty == 3


def test_managers_see_how_each_salesperson_asks(services):
    boss = services.users.add("boss", PASSWORD, role="manager")
    services.users.add("li", PASSWORD, role="sales")
    meeting = services.meetings.read(ROOT / "tests" / "data" / "meetings" / "tencent_header.txt")
    services.meetings.import_meeting(meeting, customer=["王经理", "赵总"], author="li")
    rows = services.meetings.meeting_figures(author="li")
    assert len(rows) == 1 and rows[0]["question_rate"] == 1.0 and rows[0]["author"] == "li"
    at = make_app(boss)
    at.switch_page("views/needlog.py").run()
    ok(at)
    assert any(s.value == "销售表现：怎么问的" for s in at.subheader)
    assert at.selectbox(key="perf_figure")


def test_knowledge_range_tab_imports_a_range_and_shows_what_the_coach_would_propose(services, monkeypatch):
    monkeypatch.setattr(runtime, "knowledge_base", lambda s: (None, "not needed here"))
    boss = services.users.add("boss", PASSWORD, role="manager")
    at = make_app(boss)
    at.switch_page("views/knowledge.py").run()
    ok(at)
    assert any("还没有产品清单" in i.value for i in at.info)
    at.file_uploader(key="kb_range_file").set_value([("range.csv", "名称,用途\n酸枣\n".encode(), "text/csv")]).run()
    at.button(key="kb_range_import").click().run()
    assert at.error and "item 1: serves is empty" in shown(at.error[0].value)  # the row and the fix; nothing replaced
    assert services.offerings() == []
    rows = ("名称,用途,理由\n甜枣,新疆灰枣，甜度高,甜\n酸枣,口味偏酸，开胃,酸口\n猕猴桃,酸甜多汁，孕期也常吃,营养好\n"
            "核桃,纸皮核桃，补脑零食,香\n红糖,古法红糖，经期暖身,暖身\n蜂蜜,土蜂蜜，冲水润喉,润喉\n")
    at.file_uploader(key="kb_range_file").set_value([("range.csv", rows.encode(), "text/csv")]).run()
    at.button(key="kb_range_import").click().run()
    assert not at.error and "已导入 6 项" in at.success[0].value
    at.run()
    assert list(at.dataframe[0].value["名称"]) == ["甜枣", "酸枣", "猕猴桃", "核桃", "红糖", "蜂蜜"]
    at.text_input(key="kb_range_need").input("儿媳妇怀孕了，最近老想吃酸的").run()
    ok(at)
    assert "教练会推荐" in at.success[0].value and ("酸枣" in at.success[0].value or "猕猴桃" in at.success[0].value)
    li = services.users.add("li", PASSWORD, role="sales")
    at = make_app(li)
    at.switch_page("views/knowledge.py").run()
    ok(at)
    assert not [u for u in at.get("file_uploader") if getattr(u, "key", "") == "kb_range_file"]
    assert "只有主管可以更新产品清单" in texts(at)

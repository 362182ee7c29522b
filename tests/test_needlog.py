"""The need log on real stores: SQLite (WAL) and a real PostgreSQL server."""

import csv
import io
import json
import pytest
from openpyxl import load_workbook

from assistant.db.engine import make_engine, migrate, table_names
from assistant.errors import InputError
from assistant.needs.log import NeedFilter, export_needs
from assistant.needs.records import Evidence, ExtractedNeed


def sour_need(quote="她怀孕了，老想吃酸的", statement="给怀孕的儿媳妇买酸的水果", turn=3):
    return ExtractedNeed(statement=statement, kind="implicit", dimension="functional", owner="user",
                         motive="孕期口味变了", evidence=[Evidence(turn=turn, quote=quote)], confidence=0.7)


def test_migrations_create_every_table(needlog):
    assert {"users", "accounts", "conversations", "turns", "needs", "need_edits"} <= table_names(needlog.engine)
    migrate(needlog.engine)  # idempotent


def test_sqlite_uses_wal(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_restated_need_updates_instead_of_duplicating(needlog):
    cid = needlog.create_conversation(account="王阿姨", author="li")
    needlog.add_turn(cid, "customer", "我想买点枣子")
    first = needlog.record_needs(cid, [sour_need()], author="li")
    again = needlog.record_needs(cid, [sour_need(quote="就想吃酸的", statement="给怀孕的儿媳妇买点酸的水果", turn=5)],
                                 author="li")
    assert first[0].id == again[0].id
    stored = needlog.needs(NeedFilter(conversation_id=cid))
    assert len(stored) == 1
    assert [e.turn for e in stored[0].evidence] == [3, 5]
    assert stored[0].account == "王阿姨"


def test_edits_are_audited_and_validated(needlog):
    cid = needlog.create_conversation(author="li")
    [n] = needlog.record_needs(cid, [sour_need()], author="li")
    updated = needlog.update_need(n.id, {"status": "addressed", "dimension": "emotional"}, editor="boss", note="复核")
    assert updated.status == "addressed" and updated.review_state == "edited"
    fields = {(e.field, e.old_value, e.new_value, e.editor) for e in needlog.audit(n.id)}
    assert ("status", "confirmed", "addressed", "boss") in fields
    assert ("dimension", "functional", "emotional", "boss") in fields
    with pytest.raises(Exception):
        needlog.update_need(n.id, {"dimension": "magic"}, editor="boss")
    with pytest.raises(InputError):
        needlog.update_need(n.id, {"evidence": []}, editor="boss")
    needlog.reject_need(n.id, editor="boss", note="不是需求")
    assert needlog.needs(NeedFilter(conversation_id=cid)) == []
    assert any(e.field == "rejected" for e in needlog.audit(n.id))


def test_filters(needlog):
    a = needlog.create_conversation(account="甲公司", author="li")
    b = needlog.create_conversation(account="乙公司", author="wang")
    needlog.record_needs(a, [sour_need()], author="li")
    needlog.record_needs(b, [ExtractedNeed(statement="停机损失太大", kind="implicit", dimension="business",
                                           owner="customer_of_customer", evidence=[Evidence(turn=1, quote="停机")])],
                         author="wang", source="roleplay")
    assert {n.author for n in needlog.needs()} == {"li", "wang"}
    assert [n.author for n in needlog.needs(NeedFilter(account="乙公司"))] == ["wang"]
    assert [n.dimension for n in needlog.needs(NeedFilter(dimension="business"))] == ["business"]
    assert [n.source for n in needlog.needs(NeedFilter(source="roleplay"))] == ["roleplay"]
    assert needlog.needs(NeedFilter(authors=["li"]))[0].author == "li"
    assert needlog.needs(NeedFilter(kind="explicit")) == []


def test_export_neutralises_formulas(tmp_path, needlog):
    cid = needlog.create_conversation(author="li")
    evil = ExtractedNeed(statement="=HYPERLINK(\"http://x\")", kind="explicit", dimension="price",
                         owner="buyer", evidence=[Evidence(turn=1, quote="+1 便宜点")])
    needlog.record_needs(cid, [evil], author="@li")
    needs = needlog.needs()
    rows = list(csv.DictReader(io.StringIO(export_needs(needs, "csv").decode("utf-8-sig"))))
    assert rows[0]["statement"].startswith("'=") and rows[0]["author"] == "'@li"
    book = load_workbook(io.BytesIO(export_needs(needs, "xlsx", tmp_path / "n.xlsx")))
    header = [c.value for c in book.active[1]]
    cell = book.active.cell(row=2, column=header.index("statement") + 1)
    # a text cell showing the words as typed: no visible leading ', never run as a formula
    assert cell.value == "=HYPERLINK(\"http://x\")" and cell.data_type == "s" and cell.quotePrefix
    data = json.loads(export_needs(needs, "json"))
    assert data["needs"][0]["statement"] == "=HYPERLINK(\"http://x\")"  # JSON keeps the true text
    assert (tmp_path / "n.xlsx").stat().st_size > 0


def test_users_hash_passwords_and_authenticate(needlog):
    from assistant.users import Users

    users = Users(needlog)
    users.add("boss", "correct horse", role="manager", display_name="王经理")
    assert users.authenticate("boss", "correct horse").is_manager
    assert users.authenticate("boss", "wrong password") is None
    assert users.authenticate("nobody", "correct horse") is None
    with needlog.sessions() as s:
        from assistant.db.schema import User
        stored = s.query(User).one().password_hash
    assert "correct horse" not in stored and stored.startswith("scrypt$")
    with pytest.raises(InputError, match="exists"):
        users.add("boss", "another password")
    with pytest.raises(InputError, match="short"):
        users.add("li", "short")

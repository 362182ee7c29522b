"""Need extraction: verbatim evidence, no needs from the pitch, re-ask, rule fallback."""

import json

import pytest

from assistant.llm.fake import FakeChatModel
from assistant.needs.extract import NeedExtractor, verify
from assistant.needs.records import Evidence, ExtractedNeed
from assistant.needs.rules import extract_by_rules
from assistant.needs.transcript import parse_transcript_json, parse_transcript_text
from tests.dialogues import FACTORY, JUJUBE, PITCH_ONLY


def need(statement, quote, turn, **kw):
    base = dict(kind="implicit", dimension="functional", owner="user", motive="", confidence=0.8)
    base.update(kw)
    return {"statement": statement, "evidence": [{"turn": turn, "quote": quote}], **base}


def test_fake_model_extraction_keeps_verbatim_and_drops_invented():
    fake = FakeChatModel().enqueue(json.dumps({"needs": [
        need("给怀孕的儿媳妇买酸的水果", "给我儿媳妇买的，她怀孕了", 3),
        need("想要进口的高档礼盒", "要进口礼盒", 3, dimension="form"),  # never said
    ]}, ensure_ascii=False))
    outcome = NeedExtractor(fake, method="model").extract(JUJUBE)
    statements = [n.statement for n in outcome.needs]
    assert "给怀孕的儿媳妇买酸的水果" in statements
    assert "想要进口的高档礼盒" not in statements
    assert any("verbatim" in reason for _, reason in outcome.dropped)
    kept = next(n for n in outcome.needs if n.statement.startswith("给怀孕"))
    assert kept.owner == "user" and kept.kind == "implicit"
    assert all(e.quote in JUJUBE.turns[e.turn - 1].text for e in kept.evidence)
    assert JUJUBE.turns[kept.evidence[0].turn - 1].role == "customer"
    # the prompt showed the schema's field descriptions and the numbered transcript
    prompt = fake.last_prompt_text
    assert "customer_of_customer" in prompt and "[3] 客户：" in prompt


def test_quotes_from_the_salesperson_are_not_evidence():
    sales_quote = need("酸枣和猕猴桃", "我们有酸枣，还有猕猴桃", 4)
    kept, dropped = verify([ExtractedNeed(**sales_quote)], JUJUBE)
    assert kept == [] and dropped


def test_wrong_turn_number_is_corrected_not_trusted():
    n = ExtractedNeed(**need("别太贵", "别太贵就行", 1, dimension="price", owner="buyer"))
    kept, _ = verify([n], JUJUBE)
    assert kept[0].evidence == [Evidence(turn=5, quote="别太贵就行")]


def test_pitch_repeated_back_is_not_a_customer_need():
    fake = FakeChatModel().enqueue(json.dumps({"needs": [
        need("又脆又甜的山东枣子", "嗯", 3, owner="buyer"),
        need("补血养颜的枣子", "哦，这样啊", 5, owner="buyer"),
    ]}, ensure_ascii=False))
    outcome = NeedExtractor(fake, method="hybrid").extract(PITCH_ONLY)
    assert outcome.needs == []
    assert extract_by_rules(PITCH_ONLY).needs == []


def test_invalid_json_is_reasked_then_the_reader_takes_over():
    fake = FakeChatModel().enqueue("我觉得客户需要枣子", '{"needs": [{"statement": 3}]}')
    outcome = NeedExtractor(fake, method="model").extract(JUJUBE)
    assert len(fake.prompts) == 2  # asked, re-asked once, then no more model calls
    assert outcome.method in ("semantic", "rules") and outcome.error
    assert any("儿媳妇" in n.statement for n in outcome.needs)


def test_model_timeout_falls_back_to_the_reader():
    fake = FakeChatModel().enqueue(TimeoutError(), TimeoutError(), TimeoutError())
    outcome = NeedExtractor(fake, method="model", retries=2).extract(FACTORY)
    assert outcome.method in ("semantic", "rules")
    business = [n for n in outcome.needs if n.dimension == "business"]
    assert business and any("停机" in n.evidence[0].quote or "罚款" in n.evidence[0].quote for n in business)


def test_rules_alone_find_the_b2b_business_need():
    outcome = NeedExtractor(None, method="rules").extract(FACTORY)
    assert outcome.method == "rules"
    assert any(n.dimension == "business" and "停机" in n.evidence[0].quote for n in outcome.needs)


def test_hybrid_adds_rule_needs_the_model_missed_without_duplicates():
    fake = FakeChatModel().enqueue(json.dumps({"needs": [
        need("给孕期的儿媳妇买酸的", "其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。", 3)]}, ensure_ascii=False))
    outcome = NeedExtractor(fake, method="hybrid").extract(JUJUBE)
    assert outcome.method in ("model+semantic", "model+rules")
    assert sum("儿媳妇" in n.statement for n in outcome.needs) == 1
    assert any(n.dimension == "price" for n in outcome.needs)  # 别太贵 from the rules


def test_rules_find_the_b2b_needs_behind_lowest_price():
    needs = extract_by_rules(FACTORY).needs
    owners = {n.owner for n in needs}
    dims = {n.dimension for n in needs}
    assert "price" in dims and "business" in dims
    assert "customer_of_customer" in owners


def test_transcript_formats():
    t = parse_transcript_text("客户：我想买点枣子\n销售：给谁吃？\nCustomer: for my daughter-in-law\n她怀孕了")
    assert [x.role for x in t.turns] == ["customer", "sales", "customer"]
    assert t.turns[2].text.endswith("她怀孕了")
    j = parse_transcript_json({"turns": [{"role": "customer", "text": "hi"}, {"role": "sales", "text": "yo"}]})
    assert j.turns[1].n == 2
    from assistant.errors import InputError
    with pytest.raises(InputError, match="客户"):
        parse_transcript_text("没有说话人的一行")
    with pytest.raises(InputError):
        parse_transcript_json({"turns": [{"role": "boss", "text": "x"}]})


@pytest.mark.slow
def test_embedded_model_extracts_the_jujube_need(local_settings):
    from assistant.llm.providers import build_chat_model

    outcome = NeedExtractor(build_chat_model(local_settings), method="model").extract(JUJUBE)
    assert outcome.method in ("model", "rules")
    for n in outcome.needs:  # whatever it proposed, only verbatim customer quotes survived
        for e in n.evidence:
            assert JUJUBE.turns[e.turn - 1].role == "customer"
            assert e.quote in JUJUBE.turns[e.turn - 1].text
    hybrid = NeedExtractor(build_chat_model(local_settings), method="hybrid").extract(JUJUBE)
    sour = [n for n in hybrid.needs if "酸" in n.statement or any("酸" in e.quote for e in n.evidence)]
    assert sour, hybrid.needs
    assert sour[0].owner == "user" and sour[0].kind == "implicit"


@pytest.mark.slow
def test_embedded_model_finds_no_need_in_a_pitch(local_settings):
    from assistant.llm.providers import build_chat_model

    outcome = NeedExtractor(build_chat_model(local_settings), method="hybrid").extract(PITCH_ONLY)
    pitch_words = ("脆", "甜", "补血", "山东", "送半斤")
    assert not [n for n in outcome.needs if any(w in n.statement for w in pitch_words)]

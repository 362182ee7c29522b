"""Understanding: one vocabulary, one lexicon, read_turn, the sentence classifier with the real
embedder, restated needs, speaker labels, bounded extraction and learning from corrections."""

import json
import tracemalloc
import typing
from pathlib import Path

import pytest

from assistant.llm.fake import FakeChatModel
from assistant.needs.extract import MAX_WINDOWS, WINDOW_CHARS, NeedExtractor
from assistant.needs.records import ExtractedNeed, NeedRecord
from assistant.needs.restate import check_statement, cleaned_clause
from assistant.needs.transcript import Transcript, parse_transcript_json, parse_transcript_text, split_speaker
from assistant.understanding import lexicon, vocabulary
from assistant.understanding.reading import read_turn
from tests.dialogues import JUJUBE

ROOT = Path(__file__).resolve().parents[1]
UNTUNED = ROOT / "benchmarks" / "data" / "untuned" / "customer_sentences.jsonl"
HOTEL_1 = "我们酒店想买几台清洁机器人，你们报个价吧。"
HOTEL_2 = "主要是大堂和走廊，现在保洁阿姨招不到人，夜班更没人愿意上。"


# ---- vocabulary and lexicon ------------------------------------------------------------------
def test_records_take_their_types_from_the_one_vocabulary():
    assert typing.get_args(NeedRecord.model_fields["dimension"].annotation) == tuple(vocabulary.DIMENSIONS)
    assert typing.get_args(NeedRecord.model_fields["owner"].annotation) == tuple(vocabulary.OWNERS)
    from assistant.coach.state import SLOT_LABELS, SLOT_NAMES

    assert SLOT_NAMES == tuple(vocabulary.SLOTS) and SLOT_LABELS["user"][0] == vocabulary.SLOTS["user"].zh
    assert set(vocabulary.DIMENSION_SLOT) == set(vocabulary.DIMENSIONS)
    with pytest.raises(Exception):
        NeedRecord(statement="x", kind="explicit", dimension="bogus")


def test_one_lexicon_per_language_with_the_same_cues():
    assert set(lexicon.ZH) == set(lexicon.EN)
    assert lexicon.cue("people").search("给我儿媳妇买的")
    assert lexicon.cue("people", "en").search("for my daughter") and not lexicon.cue("people", "en").search("儿媳妇")


def test_the_coach_and_the_restatement_read_their_cues_from_the_lexicon():
    """The turn reader's and the restatement's words are lexicon entries (one table per language);
    the classifier's feature cues are the ones it was trained with."""
    from assistant.coach import reading
    from assistant.needs import restate
    from assistant.understanding import classifier

    assert reading.PAIN.pattern == lexicon.cue("turn_pain").pattern
    assert reading.PAIN.search("保洁阿姨招不到人") and reading.PAIN.search("we are short-staffed at night")
    assert reading._OPTION_IN_QUESTION.match("那猕猴桃孕妇能吃吗").group(1) == "猕猴桃"
    assert reading._OPTION_EN.match("Can she eat kiwis?").group(1) == "kiwis"
    assert restate._TO_SELLER.pattern == lexicon.LEXICONS["zh"]["to_seller"]
    assert restate._LABEL_ANYWHERE.search("客户说：想买") and restate._LABEL_ANYWHERE.search("Customer: hi")
    assert set(lexicon.CUES) < set(lexicon.NAMES) and "turn_pain" not in lexicon.CUES
    model = classifier.default()
    assert model is not None  # the shipped classifier still matches the lexicon's feature cues


# ---- read_turn -------------------------------------------------------------------------------
def test_read_turn_by_cues_names_the_pain_and_the_person_verbatim():
    reading = read_turn(HOTEL_2, semantic=False)
    assert reading.is_need and reading.has("pain") and reading.has("person")
    assert reading.span("pain") == "招不到"
    for span in reading.spans:
        assert HOTEL_2[span.start:span.end] == span.text
    assert read_turn("你好", semantic=False).acts == ["other"]
    assert read_turn("对", semantic=False).acts == ["agree"]


def test_read_turn_with_the_classifier():
    second = read_turn(HOTEL_2)
    assert second.source != "rules" and second.is_need
    assert second.dimension == "business" and second.kind == "implicit" and "pain" in second.acts
    for span in second.spans:
        assert HOTEL_2[span.start:span.end] == span.text
    jujube = read_turn("其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。")
    assert jujube.is_need and jujube.owner == "user" and jujube.span("person") == "儿媳妇"
    assert not read_turn("你好").is_need


def _untuned():
    from assistant.understanding.classifier import Example

    return [Example.from_row(json.loads(line)) for line in UNTUNED.read_text(encoding="utf-8").splitlines()
            if line.strip()]


@pytest.mark.skipif(not UNTUNED.exists(), reason="untuned sentences not present")
def test_classifier_accuracy_floors_on_the_untuned_sentences():
    """Floors a margin below what was measured on the untuned set (is_need 0.87, kind 0.81,
    owner 0.78, dimension 0.46; the combined reading's is_need 0.90)."""
    from assistant.understanding import classifier

    examples = _untuned()
    figures = classifier.evaluate(classifier.default(), examples)
    assert figures["is_need"] >= 0.82
    assert figures["kind"] >= 0.75
    assert figures["owner"] >= 0.72
    assert figures["dimension"] >= 0.40
    reading_ok = sum(read_turn(e.text).is_need == e.is_need for e in examples) / len(examples)
    rules_ok = sum(read_turn(e.text, semantic=False).is_need == e.is_need for e in examples) / len(examples)
    assert reading_ok >= 0.85 and reading_ok > rules_ok + 0.1


# ---- restated needs ------------------------------------------------------------------------
def test_statement_check_rejects_copied_invented_and_labelled_statements():
    conversation = HOTEL_1 + HOTEL_2
    evidence = [HOTEL_1]
    assert check_statement("客户说：我们酒店想买几台清洁机器人", evidence, conversation) == "carries a speaker label"
    assert check_statement("我们酒店想买几台清洁机器人，你们报个价吧", evidence, conversation) == \
        "copies the customer's sentence"
    assert check_statement("需要高端进口智能设备解决方案", evidence, conversation) == "words not found in the conversation"
    assert check_statement("酒店想买几台清洁机器人，" * 3, evidence, conversation) == "too long"
    assert check_statement("酒店要几台清洁机器人", evidence, conversation) is None


def test_cleaned_clause_drops_labels_fillers_and_the_request_to_the_seller():
    assert cleaned_clause("客户说：" + HOTEL_1) == "酒店想买几台清洁机器人"
    cleaned = cleaned_clause(HOTEL_2, keep=["招不到"])
    assert "招不到人" in cleaned and len(cleaned) <= 30 and not cleaned.startswith("主要是")
    assert check_statement(cleaned, [HOTEL_2], HOTEL_2) is None


def test_copied_or_labelled_model_statements_are_replaced_and_evidence_stays_verbatim():
    quote = "其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。"
    fake = FakeChatModel().enqueue(json.dumps({"needs": [
        {"statement": quote, "kind": "implicit", "dimension": "functional", "owner": "user",
         "evidence": [{"turn": 3, "quote": quote}]},
        {"statement": "客户说：别太贵就行", "kind": "explicit", "dimension": "price", "owner": "buyer",
         "evidence": [{"turn": 5, "quote": "别太贵就行"}]},
    ]}, ensure_ascii=False))
    outcome = NeedExtractor(fake, method="model").extract(JUJUBE)
    by_turn = {n.evidence[0].turn: n for n in outcome.needs}
    assert by_turn[3].statement != quote.rstrip("。") and by_turn[3].evidence[0].quote == quote
    assert "客户" not in by_turn[5].statement and by_turn[5].evidence[0].quote == "别太贵就行"
    for n in outcome.needs:
        assert check_statement(n.statement, [e.quote for e in n.evidence],
                               " ".join(t.text for t in JUJUBE.customer_turns())) is None


def test_semantic_extraction_restates_every_need():
    outcome = NeedExtractor(None, method="semantic").extract(JUJUBE)
    assert outcome.method == "semantic" and outcome.needs
    customer = " ".join(t.text for t in JUJUBE.customer_turns())
    for n in outcome.needs:
        assert n.evidence[0].quote in JUJUBE.turns[n.evidence[0].turn - 1].text
        assert check_statement(n.statement, [n.evidence[0].quote], customer) is None


# ---- speaker labels -------------------------------------------------------------------------
@pytest.mark.parametrize("typed, role, words", [
    ("客户说：我们酒店想买几台", "customer", "我们酒店想买几台"),
    ("客户：好", "customer", "好"),
    ("销售：您好", "sales", "您好"),
    ("Customer: I need two", "customer", "I need two"),
    ("Sales: hi", "sales", "hi"),
    ("【客户】要便宜的", "customer", "要便宜的"),
    ("我们要三台：急用", None, "我们要三台：急用"),
    ("客户的客户很多", None, "客户的客户很多"),
])
def test_split_speaker(typed, role, words):
    assert split_speaker(typed) == (role, words)


def test_labels_are_roles_in_text_and_json_transcripts():
    t = parse_transcript_text("客户说：我想买点枣子\n销售说：给谁吃？\n顾客：给儿媳妇")
    assert [x.role for x in t.turns] == ["customer", "sales", "customer"]
    assert t.turns[0].text == "我想买点枣子"
    j = parse_transcript_json({"turns": [{"role": "customer", "text": "客户：我想买点枣子"}]})
    assert j.turns[0].text == "我想买点枣子"


# ---- bounded extraction ---------------------------------------------------------------------
def test_long_transcripts_go_to_the_model_in_bounded_windows_and_memory_stays_bounded():
    line = "上个月停机了三次，给主机厂的交货都晚了，人家要按合同罚款。我们想要更耐用的轴承。"
    pairs = []
    for i in range(600):
        pairs += [("customer", f"第{i}批：" + line * 2), ("sales", "明白，那您现在用的是哪家的？")]
    pairs.append(("customer", "x" * 9000))  # one turn longer than any window
    transcript = Transcript.from_pairs(pairs)
    total = sum(len(t.text) for t in transcript.turns)
    fake = FakeChatModel().enqueue(*(['{"needs": []}'] * (MAX_WINDOWS + 2)))
    tracemalloc.start()
    try:
        outcome = NeedExtractor(fake, method="hybrid", read_budget=0).extract(transcript)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(fake.prompts) == MAX_WINDOWS  # the rest is read without the model
    prompts = [str(p) for p in fake.prompts]
    assert all(len(p) < WINDOW_CHARS + 2500 for p in prompts), [len(p) for p in prompts]
    assert total > 10 * WINDOW_CHARS * MAX_WINDOWS
    assert peak < 40_000_000, peak
    assert outcome.needs and all(n.evidence[0].quote in transcript.turns[n.evidence[0].turn - 1].text
                                 for n in outcome.needs)


# ---- learning from corrections --------------------------------------------------------------
def test_manager_corrections_teach_the_classifier(tmp_path):
    from assistant.needs.log import NeedLog
    from assistant.needs.records import Evidence
    from assistant.understanding import classifier

    log = NeedLog.open(f"sqlite:///{tmp_path / 'needs.db'}")
    cid = log.create_conversation(kind="import", mode="import", account=None, author="a", title="t")
    quote = "仓库那边的叉车司机老是抱怨座椅太硬"
    [edited, rejected] = log.record_needs(cid, [
        ExtractedNeed(statement="座椅要软", kind="explicit", dimension="form", owner="buyer",
                      evidence=[Evidence(turn=1, quote=quote)]),
        ExtractedNeed(statement="随便看看", kind="explicit", dimension="form", owner="buyer",
                      evidence=[Evidence(turn=2, quote="我今天就是随便转转")]),
    ], source="import", author="a")
    log.update_need(edited.id, {"dimension": "emotional", "owner": "user", "kind": "implicit"}, editor="m")
    log.reject_need(rejected.id, editor="m")
    examples = log.corrections_as_examples()
    assert {(e["text"], e["is_need"]) for e in examples} == {(quote, True), ("我今天就是随便转转", False)}
    report = classifier.learn(examples, tmp_path)
    try:
        assert set(report["before"]) >= {"is_need", "dimension", "owner"} and report["corrections"] == 2
        assert report["corrections_after"]["dimension"] == 1.0 and report["corrections_after"]["is_need"] == 1.0
        assert report["after"]["is_need"] >= report["before"]["is_need"] - 0.03  # held-apart: no harm done
        learnt = classifier.SentenceClassifier.load(Path(report["path"]))
        [p] = learnt.predict([quote])
        assert p.dimension[0] == "emotional" and p.owner[0] == "user"
    finally:
        classifier.reset()

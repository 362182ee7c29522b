"""Reading a customer's question and decision by meaning (the shipped embedder over labelled
lines, sure words first), and a close that names what the customer actually chose. The
sentences here are not in the labelled files; the service tests run over the real SQLite log
with the scripted model."""

import json
from collections import Counter

import pytest

from assistant.coach import closing, phrasing
from assistant.coach.options import named_option, wants_recommendation
from assistant.llm.fake import FakeChatModel
from assistant.services import Services
from assistant.understanding import asking


def test_the_labelled_lines_cover_each_reading_in_both_languages_and_segments():
    rows = asking._rows(asking.READINGS)
    refs = asking._rows(asking.REFERENCES)
    counts = Counter(r["reading"] for r in rows)
    assert set(counts) == {"invite", "ask_option", "other"} and min(counts.values()) >= 150
    assert len(refs) >= 150 and {r["refers"] for r in refs} == set(asking.REFERENCES_KINDS)
    for table in (rows, refs):
        assert {r["lang"] for r in table} == {"zh", "en"} and {r["segment"] for r in table} == {"B2C", "B2B"}
        assert len({r["trade"] for r in table}) >= 30
    assert all(r["option"] in r["text"] for r in rows if r["reading"] == "ask_option")
    for table in (rows, refs):
        texts = [r["text"] for r in table]
        assert len(texts) == len(set(texts))


@pytest.mark.parametrize("text", [
    "我对这个一窍不通，你替我拿主意吧。", "你们做了这么多年，碰到我妈这种情况一般会建议什么？",
    "像我们这么小的门店，你们觉得上哪套合适？", "Honestly, what would you get her if she were your sister?",
    "Given our budget, what setup would you propose?", "What do most people in my situation end up buying?",
])
def test_an_invitation_to_recommend_is_read_by_meaning(text):
    assert wants_recommendation(text)


@pytest.mark.parametrize("text", [
    "我妈腿脚不好，平时很少出门。", "你们几点关门？", "这个多少钱？", "行，就要这个。",
    "We mostly cook for twenty people at lunch.", "Can you deliver on Saturday?", "Great, I'll take two.",
])
def test_statements_and_other_questions_are_no_invitation(text):
    assert not wants_recommendation(text)


@pytest.mark.parametrize("text", ["能开发票吗？", "你们周末送货吗？", "下周之前能装好吗？", "Is delivery free?",
                                  "Do you have it in blue?"])
def test_a_question_about_price_dates_or_service_names_no_option(text):
    assert named_option(text) == ""


@pytest.mark.parametrize("text,kind", [
    ("就按你说的那个来两个。", "suggested"), ("那各来一斤吧。", "all"), ("两种都给我装上。", "all"),
    ("还是第二种吧。", "second"), ("就要我问的那个。", "asked"), ("还是就要原来的枣子吧。", "request"),
    ("I'll take the second one.", "second"), ("Let's get both.", "all"), ("Go with what you suggested.", "suggested"),
    ("We'll stick with the one we came in for.", "request"), ("那就它吧。", "this"), ("Okay, that one then.", "this"),
])
def test_which_option_a_decision_refers_to(text, kind):
    assert asking.choice_reference(text) == kind


def _table():
    table = closing.Table(request="枣子")
    table.offered.append(["酸枣", "猕猴桃", "山楂"])
    table.request = "酸枣"
    for name in ("猕猴桃", "山楂"):
        table.add(name, "offered")
    table.add("葡萄", "asked")
    return table


@pytest.mark.parametrize("text,choice", [
    ("就按你说的那个来两斤。", ["猕猴桃", "山楂"]),  # what the coach suggested
    ("那各来一斤吧。", ["酸枣", "猕猴桃", "山楂"]),  # the request's variety and every option offered
    ("还是第二种吧。", ["猕猴桃"]),
    ("就要我刚才问的那个。", ["葡萄"]),
    ("那就它了。", ["葡萄"]),  # the option discussed last
    ("山楂来一斤，再加两斤酸枣。", ["山楂", "酸枣"]),  # named: the customer's own order
    ("那我就拿这盒进口的车厘子。", ["进口的车厘子"]),  # not on the table: the customer's own words
])
def test_the_choice_is_resolved_against_the_options_on_the_table(text, choice):
    assert closing.choose(text, _table(), "zh") == choice


def test_english_choices_keep_the_customers_items_and_resolve_references():
    table = closing.Table(request="phone")
    table.offered.append(["amplified phone", "captioned phone"])
    for name in ("amplified phone", "captioned phone"):
        table.add(name, "offered")
    assert closing.choose("Let's go with the second one.", table, "en") == ["captioned phone"]
    assert closing.choose("Great, I'll take both.", table, "en") == ["amplified phone", "captioned phone"]
    assert closing.choose("Let's do two of the cedar planters and the soaker-hose kit for her.", table, "en") == [
        "cedar planters", "soaker-hose kit"]


def test_the_close_says_the_choice_the_need_and_the_next_step_in_its_own_words():
    words = ["我想买点枣子。", "她怀孕了，最近老想吃酸的。", "那各来一斤吧。"]
    line = closing.close_wording("那各来一斤吧。", ["酸枣", "猕猴桃"], "怀孕的儿媳妇想吃酸的", False, "zh", words)
    assert line.startswith("好的，就定酸枣和猕猴桃各一斤") and "想吃酸的" in line and line.endswith("？")
    en = closing.close_wording("Great, I'll take two.", ["captioned phone"], "your grandmother can follow a call",
                               True, "en", ["Great, I'll take two."])
    assert "captioned phone" in en and "proposal" in en
    assert closing.close_wording("就这个吧。", [], "x", False, "zh", []) == ""
    assert closing.names_next_step(line) and closing.names_next_step(en)
    assert not closing.names_next_step("好的，就定扫帚两台，正合要地上别再打滑。")


def _reply(options):
    def reply(messages):
        prompt = "\n".join(str(m.content) for m in messages)
        if "Name up to 3" in prompt:
            return json.dumps({"options": options}, ensure_ascii=False)
        return "好的，我们就这么定了，我这就去安排。"  # a close that forgets the choice
    return reply


MATTRESS = ["我想买个床垫。", "给我爸买的。", "他上个月刚做完腰椎手术。", "医生说要睡硬一点的，不然腰受不了。",
            "是的，他就是要硬一点的。", "钱的话别超过五千。"]


def test_a_decision_by_reference_gets_a_close_naming_the_option_it_points_to(settings):
    options = [{"name": "硬质棕垫", "reason": "够硬，托得住腰"}, {"name": "护腰床垫", "reason": "腰部支撑更好"}]
    coach = Services(settings, model=FakeChatModel().enqueue(*[_reply(options)] * 16)).coach
    cid = coach.start(author="t", language="zh")
    turns = []
    for line in MATTRESS + ["有没有更适合他的？", "那就第二种吧，给我订一张。"]:
        turn = coach.relay(cid, line)
        "".join(turn.reply())
        turns.append(turn)
    offer, close = turns[-2], turns[-1]
    assert offer.move.kind == "address" and "护腰床垫" in offer.suggestion
    assert close.move.kind == "close" and close.move.topic == "护腰床垫"
    assert "护腰床垫" in close.suggestion and "硬" in close.suggestion and close.suggestion.endswith("？")
    assert close.stats["rejected"] == "choice not named"  # the model's line forgot the choice: not shown


def test_a_question_about_one_option_is_weighed_and_a_verified_better_fit_is_named(settings):
    options = [{"name": "能调节软硬的床垫", "reason": "就是问的那个"}, {"name": "硬质棕垫", "reason": "够硬，托得住腰"}]
    coach = Services(settings, model=FakeChatModel().enqueue(*[_reply(options)] * 16)).coach
    cid = coach.start(author="t", language="zh")
    for line in MATTRESS:
        "".join(coach.relay(cid, line).reply())
    turn = coach.relay(cid, "那种能调节软硬的床垫，做过手术的人睡着真的好吗？")
    "".join(turn.reply())
    assert turn.move.kind == "address" and turn.move.offer.source == "conversation"
    assert turn.move.offer.options == ["能调节软硬的床垫", "硬质棕垫"]  # the asked option is not offered back to it
    assert "能调节软硬的床垫" in turn.suggestion and "硬质棕垫" in turn.suggestion and "托得住腰" in turn.suggestion
    assert "硬" in turn.suggestion and turn.suggestion.endswith("？")


def test_a_close_names_each_chosen_item_by_a_short_name_without_repeating_the_customer():
    said = "Okay, we'll take the stainless steel rice cooker and the bamboo steamer basket set."
    line = closing.close_wording(said, ["stainless steel rice cooker", "bamboo steamer basket set"], "", False, "en",
                                 [said])
    assert line and "cooker" in line and "set" in line, line
    assert phrasing.longest_shared_run(line, said) < 15, line
    zh = "那就要手工现包的荠菜馄饨和提前卤好的酱牛肉吧。"
    line = closing.close_wording(zh, ["手工现包的荠菜馄饨", "提前卤好的酱牛肉"], "", False, "zh", [zh])
    assert line and "馄饨" in line and "牛肉" in line, line
    assert phrasing.longest_shared_run(line, zh) < 15, line

"""A buying decision is read by meaning (the shipped embedder and the labelled decision lines),
whatever its shape — deferring to the seller, turning one option down and taking another, taking
both, naming a quantity — and the close resolves the choice without the option turned down. The
lines here are written for these tests and are not in the labelled files."""

import json

import pytest

from assistant.coach import closing
from assistant.coach.options import named_option
from assistant.understanding import decision


def test_the_labelled_decision_lines_are_varied_and_not_repeated():
    rows = [json.loads(line) for line in decision.DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts = [r["text"] for r in rows]
    assert len(texts) == len(set(texts)) and len(rows) >= 140
    for lang in ("zh", "en"):
        assert {r["decision"] for r in rows if r["lang"] == lang} == {True, False}


@pytest.mark.parametrize("text", [
    "好嘞，听你的，那款不粘锅给我拿一口，再配两把铲子。",
    "行，那就按你挑的，那台小一点的除湿机搬一台回去。",
    "那就不要全自动的了，就要你说的那个半自动的咖啡机。",
    "两种都来吧，洗发水一瓶，护发素一瓶。",
    "先给我们订三十套工服，下个月再补。",
    "Okay, you know best — wrap up the one you'd pick for her.",
    "No, not the glass one; we'll take the steel bottle you showed me.",
    "Let's have both, the lamp and the spare bulbs.",
    "Put us down for twelve licences to start.",
])
def test_decisions_of_many_shapes_are_read(text):
    assert decision.decides(text)


@pytest.mark.parametrize("text", [
    "那款不粘锅用久了会不会掉涂层？",
    "你要是我，这两台除湿机你挑哪台？",
    "我就想让他每天早上能喝上一杯热的。",
    "要是她用着顺手，过年我再来给她妹妹也买一个。",
    "What would you pick if it were your kitchen?",
    "If the trial goes well, we'll talk about the other branches.",
    "I'm afraid the steel one is a bit heavy for her.",
])
def test_questions_needs_and_conditions_are_no_decision(text):
    assert not decision.decides(text)


def test_the_option_turned_down_is_not_the_choice_in_chinese():
    table = closing.Table(request="咖啡机", offered=[["半自动咖啡机"]], asked=["全自动咖啡机"],
                          discussed=["半自动咖啡机", "全自动咖啡机"])
    text = "全自动的我怕用不惯，那就不要了，就你说的那台半自动的，再配一包咖啡豆。"
    chosen = closing.choose(text, table, "zh")
    assert "全自动咖啡机" not in chosen and any("半自动" in c for c in chosen) and "咖啡豆" in chosen


def test_a_bare_no_turns_down_the_option_asked_about_last():
    table = closing.Table(request="bike", offered=[["step-through e-bike"]], asked=["racing bike"],
                          discussed=["step-through e-bike", "racing bike"])
    assert closing.choose("No, let's go with what you suggested.", table, "en") == ["step-through e-bike"]
    chosen = closing.choose("No, we'll do what you said: the step-through e-bike, the grey one, and a helmet. "
                            "If she loves it, we'll be back for a racing bike.", table, "en")
    assert chosen == ["step-through e-bike", "helmet"]


def test_long_decisions_keep_only_the_items():
    items = closing.own_items("电动的吵，我怕孩子睡不好。就按你讲的，先拿那个静音的加湿器试两周，再来一盒滤芯。", "zh")
    assert items == ["静音的加湿器", "滤芯"]
    assert closing.own_items("行，就这么定：老茶那个砖来一砖，再配一盒你说的那个红茶。", "zh") == ["老茶砖", "红茶"]


def test_option_names_leave_out_question_words():
    assert named_option("那个什么空气炸锅的呢？我邻居说挺好用。") == "空气炸锅"


def test_a_kind_of_the_request_is_the_choice_and_a_later_condition_is_not():
    table = closing.Table(request="电饭煲", asked=["压力锅"], discussed=["压力锅"])
    assert closing.choose("好，就按你讲的，那个小容量的，再送一个蒸架。", table, "zh")[0] == "小容量的电饭煲"
    assert closing.own_items("谢谢啊。她要是用着顺手，下回我再来买一个送人。", "zh") == []


def test_handing_something_to_someone_is_not_an_item():
    assert closing.own_items("行，你先把样品寄过来，我拿给师傅们尝尝。", "zh") == []

"""The SPIN stage read by meaning (assistant/roleplay/spin.py), with the real shipped embedder.

The lines below were written apart from the reader's training lines (data/spin_lines.jsonl), in
other trades and other words (dentistry, solar panels, pest control, a language school, camping
gear, a print shop, ride hailing, a bakery chain …); none of them is a training line.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.roleplay import spin
from assistant.roleplay.classify import classify

UNSEEN = [
    # situation
    ("您上一次洗牙是什么时候？", "situation", "zh"),
    ("屋顶朝南的那一面大概有多大？", "situation", "zh"),
    ("你们餐厅后厨是几点开工的？", "situation", "zh"),
    ("报班之前，孩子在学校学的是哪种教材？", "situation", "zh"),
    ("你们印刷厂接的单子，大多是画册还是包装盒？", "situation", "zh"),
    # problem
    ("吃冷的东西时牙会酸吗？", "problem", "zh"),
    ("夏天电费单出来的时候，您是不是心里一紧？", "problem", "zh"),
    ("店里最近有没有见到蟑螂之类的东西？", "problem", "zh"),
    ("司机接单以后临时取消的多不多？", "problem", "zh"),
    ("露营的时候，帐篷夜里漏不漏风？", "problem", "zh"),
    # implication
    ("牙一直这么酸着不去管，过两年可能就得做根管了吧？", "implication", "zh"),
    ("要是被顾客拍到一只蟑螂发到网上，这家店还开得下去吗？", "implication", "zh"),
    ("司机一取消，乘客在路边多等的那十几分钟，下次还会用你们的平台吗？", "implication", "zh"),
    ("画册印错一次颜色，整批重印的钱谁来掏？", "implication", "zh"),
    ("帐篷夜里进风，孩子冻醒了，第二天还有力气爬山吗？", "implication", "zh"),
    # need payoff
    ("电费单每个月少一半，这笔钱您打算怎么花？", "need_payoff", "zh"),
    ("要是孩子三个月后能跟外教自如聊天，您最想带他去哪儿？", "need_payoff", "zh"),
    ("店里干干净净一只虫都没有，您对卫生检查还会紧张吗？", "need_payoff", "zh"),
    ("司机都准点到，乘客给你们的好评能多出多少？", "need_payoff", "zh"),
    ("帐篷暖和了，一家人是不是就愿意多出去露营几次？", "need_payoff", "zh"),
    # none
    ("我们这款帐篷三秒就能撑开，今天下单包邮。", "none", "zh"),
    ("好嘞，那我明天上午给您把样张送过去。", "none", "zh"),
    ("这是我们新出的全麦面包，您尝尝。", "none", "zh"),
    ("谢谢您，今天聊得很愉快。", "none", "zh"),
    ("光伏板现在装最划算，补贴马上就没了！", "none", "zh"),
    ("When did you last see a dentist?", "situation", "en"),
    ("Roughly how big is the south-facing side of the roof?", "situation", "en"),
    ("What time does the kitchen start prep in the morning?", "situation", "en"),
    ("Which coursebook does he use at school now?", "situation", "en"),
    ("Are most of your print jobs brochures or packaging?", "situation", "en"),
    ("Do your teeth twinge when you drink something cold?", "problem", "en"),
    ("Does the summer electricity bill make you wince?", "problem", "en"),
    ("Have you spotted any pests in the shop lately?", "problem", "en"),
    ("Do drivers cancel on riders after accepting?", "problem", "en"),
    ("Does the tent let the wind through at night?", "problem", "en"),
    ("If the sensitivity is left alone, could you be looking at a root canal in a couple of years?", "implication", "en"),
    ("If a customer filmed a cockroach and posted it, would the restaurant survive that?", "implication", "en"),
    ("After waiting fifteen minutes at the kerb, will that rider ever open your app again?", "implication", "en"),
    ("When a whole run of brochures comes out the wrong colour, who pays for the reprint?", "implication", "en"),
    ("If the kids wake up freezing, will they have the legs for the hike the next day?", "implication", "en"),
    ("With the bill cut in half every month, what would you do with that money?", "need_payoff", "en"),
    ("If he could chat with a native speaker in three months, where would you take him first?", "need_payoff", "en"),
    ("With the shop spotless, would health inspections still make you nervous?", "need_payoff", "en"),
    ("If drivers always turned up on time, how many more five-star ratings would you get?", "need_payoff", "en"),
    ("With a warmer tent, would the family go camping more often?", "need_payoff", "en"),
    ("This tent pops up in three seconds and ships free if you order today.", "none", "en"),
    ("Great, I'll drop the proofs off tomorrow morning.", "none", "en"),
    ("Here's our new wholemeal loaf, have a taste.", "none", "en"),
    ("Thanks, I really enjoyed our chat.", "none", "en"),
    ("Solar is the best deal it will ever be, the subsidy ends soon!", "none", "en"),
]

# measured with the shipped reader (rules / rules + reader): zh 0.44 / 0.80, en 0.40 / 0.88;
# floors are the rules + reader figures minus 0.1, and at least 0.2 above the rules
FLOORS = {"zh": 0.70, "en": 0.78}
# per deeper stage, of 10 lines (rules / rules + reader): problem 0 / 4, implication 0 / 10,
# need-payoff 1 / 8. A one-part yes/no problem question ("Does the tent let the wind through at
# night?") is the weak spot: the reader often reads it as asking for a consequence.
STAGE_FLOORS = {"problem": 3, "implication": 8, "need_payoff": 6}


def test_unseen_lines_are_not_training_lines():
    training = {r["text"] for r in spin.training_rows()}
    assert not [t for t, _, _ in UNSEEN if t in training]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reader_reads_the_stage_of_lines_in_other_words(lang):
    lines = [(t, g) for t, g, lg in UNSEEN if lg == lang]
    rules = np.mean([classify(t).spin == g for t, g in lines])
    semantic = np.mean([classify(t, semantic=True).spin == g for t, g in lines])
    assert semantic >= FLOORS[lang], f"{lang}: rules + reader {semantic:.2f} < {FLOORS[lang]}"
    assert semantic >= rules + 0.2, f"{lang}: rules + reader {semantic:.2f} vs rules {rules:.2f}"


@pytest.mark.parametrize("stage", ["problem", "implication", "need_payoff"])
def test_each_deeper_stage_is_found_more_often_than_by_the_rules(stage):
    lines = [t for t, g, _ in UNSEEN if g == stage]
    found = sum(classify(t, semantic=True).spin == stage for t in lines)
    by_rules = sum(classify(t).spin == stage for t in lines)
    assert found >= STAGE_FLOORS[stage] and found > by_rules, f"{stage}: {found} of {len(lines)} (rules {by_rules})"


def test_shipped_weights_match_the_labelled_lines():
    with np.load(spin.SHIPPED, allow_pickle=False) as z:
        assert str(z["digest"]) == spin.READER.digest(), "rebuild with python -m assistant.roleplay.spin"
        assert tuple(str(c) for c in z["classes"]) == tuple(sorted(spin.STAGES))


def test_training_lines_are_labelled_and_cover_both_languages_and_every_stage():
    rows = [json.loads(line) for line in spin.LINES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(rows) >= 800
    assert {r["spin"] for r in rows} == set(spin.STAGES)
    for lang in ("zh", "en"):
        for stage in spin.STAGES:
            assert sum(r["lang"] == lang and r["spin"] == stage for r in rows) >= 60, (lang, stage)
    assert len({r["text"] for r in rows}) == len(rows)


def test_non_questions_and_pitches_keep_no_stage():
    assert classify("我们这款帐篷三秒就能撑开，今天下单包邮。", semantic=True).spin == "none"
    assert classify("要不要来两斤？今天特价。", semantic=True).spin == "none"


# the combination, on given readings (no embedder needed)
def test_combine_reader_decides_where_no_cue_matched():
    assert spin.combine("situation", False, ("implication", 0.3)) == "implication"
    assert spin.combine("situation", False, (None, 0.0)) == "situation"  # no embedder: the rules answer


def test_combine_a_sure_cue_wins_unless_the_reader_is_clear():
    assert spin.combine("problem", True, ("implication", spin.OVERRIDE_AT - 0.05)) == "problem"
    assert spin.combine("problem", True, ("implication", spin.OVERRIDE_AT + 0.05)) == "implication"
    assert spin.combine("problem", True, ("problem", 0.99)) == "problem"


def test_role_play_scorecard_counts_the_stage_read_by_meaning(settings, tmp_path):
    """The scorecard's question types (which questions worked) carry the reader's stage."""
    import yaml
    from test_roleplay import SCENARIO

    from assistant.llm.fake import FakeChatModel
    from assistant.services import Services

    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "test-jujube.yaml").write_text(yaml.safe_dump(SCENARIO, allow_unicode=True), encoding="utf-8")
    fake = FakeChatModel()
    fake.enqueue(*["嗯，我想想。"] * 6)
    service = Services(settings.model_copy(update={"scenarios_dir": folder}), model=fake).roleplay
    attempt = service.start("test-jujube", trainee="t-spin")
    line = "枣子买回去没人吃，放几天是不是就得扔了？"  # a consequence, no stage cue
    assert classify(line).spin == "situation"
    service.ask(attempt, line)
    card = service.scorecard(attempt)
    assert "implication" in card.question_types[0].labels and card.type_counts.get("implication") == 1

"""The coach follows the customer's thread, also after what the salesperson said: an implication
question answered with a cost goes on to the payoff; more of the cost after a payoff question asks
it again (twice at most); the person named in answer to "who is it for" comes before the pain;
the person who decides is asked about; a summary agreed and a request for what fits is not a close."""

import pytest

from assistant.coach import phrasing


@pytest.fixture
def coach(tmp_path):
    from assistant.llm.fake import FakeChatModel
    from assistant.services import Services
    from assistant.settings import Settings

    return Services(Settings(provider="fake", data_dir=tmp_path / "data", coach_retrieval=False),
                    model=FakeChatModel()).coach


def _play(coach, lines, language="zh"):
    cid = coach.start(author="t", language=language)
    moves = []
    for line in lines:
        role, _, words = line.partition(":")
        if role == "sales":
            coach.record_sales(cid, words)
            continue
        turn = coach.relay(cid, words)
        "".join(turn.reply())
        moves.append(turn.move)
        said = [w.partition(":")[2] for w in lines if w.startswith("customer:")]
        assert not phrasing.echoes(turn.suggestion, said)
    return moves


def test_the_salespersons_implication_question_answered_with_a_cost_goes_on_to_the_payoff(coach):
    moves = _play(coach, ["customer:我们想换一批叉车。", "sales:现在叉车一坏，仓库要停多久？",
                          "customer:一停就是大半天，货都发不出去。"])
    assert moves[-1].question_type == "need_payoff"


def test_more_of_the_cost_after_a_payoff_question_asks_the_payoff_again_twice_at_most(coach):
    moves = _play(coach, ["customer:我们想换一批叉车。", "sales:叉车坏了一次大概损失多少？",
                          "customer:一次少说两三万。", "customer:是啊，一年下来光这个就亏了几十万，老板也急。",
                          "customer:对，而且司机也天天抱怨，说不想干了。",
                          "customer:是啊，上个月还走了两个老司机。"])
    assert [m.question_type for m in moves[1:3]] == ["need_payoff", "need_payoff"]
    assert [m.memo for m in moves[1:3]] == ["payoff:1", "payoff:2"]
    assert not moves[3].memo.startswith("payoff:")  # a third time would be a loop: the thread moves on


def test_the_person_named_in_answer_to_who_it_is_for_comes_before_the_pain(coach):
    moves = _play(coach, ["sales:这台足浴盆主要是给谁用？", "customer:给我妈买的，她腿脚一直不好，晚上老抽筋。"])
    assert moves[-1].question_type == "user" and moves[-1].topic == "我妈"


def test_the_person_who_decides_and_what_they_weigh_is_asked_about(coach):
    moves = _play(coach, ["customer:这事最后得我们校长拍板，他最在乎的是孩子们的安全。"])
    assert moves[-1].question_type == "user" and "校长" in moves[-1].example
    english = _play(coach, ["customer:In the end our principal signs it off, and she only cares about safety."], "en")
    assert english[-1].question_type == "user" and "principal" in english[-1].example


def test_a_summary_agreed_and_a_request_for_what_fits_ranks_the_points_and_is_no_close(coach):
    moves = _play(coach, ["sales:所以您要的是能折叠、轻一点、老人自己推得动的，对吗？", "customer:对，就这样，你给我推荐两款吧。"])
    assert moves[-1].kind == "ask" and moves[-1].question_type == "need_payoff" and moves[-1].slot == "functional"
    english = _play(coach, ["sales:So you need something that folds flat and fits in a small car boot?",
                            "customer:Exactly. What have you got?"], "en")
    assert english[-1].kind == "ask" and english[-1].question_type == "need_payoff"


def test_a_worry_with_nothing_wanted_yet_is_dug_into(coach):
    moves = _play(coach, ["customer:我们在看新的门禁系统。", "customer:上周楼里又进了陌生人，住户群里都炸了，我们压力很大。"])
    assert moves[-1].question_type in ("implication", "need_payoff")


# a pain told anywhere in the turn: every sentence is weighed by the sentence classifier, so a pain in
# the middle of a turn that ends with a question about price, delivery or a feature is still dug into
# (the closing question gets a short acknowledgement in the coach's words), and so is a pain told
# without a problem word; a buying decision still closes

def test_a_pain_before_a_closing_question_about_price_is_dug_into_and_the_price_acknowledged(coach):
    moves = _play(coach, ["customer:上周仓库月底对账又少了十几箱饮料，财务追着我要解释。对了，你们的盘点枪一把多少钱？"])
    assert moves[-1].question_type == "implication"
    assert moves[-1].example.startswith("价格") and moves[-1].example.count("？") == 1
    assert "多少钱" not in moves[-1].example  # the acknowledgement is the coach's wording, not the customer's


def test_a_pain_before_a_question_about_delivery_or_a_feature_is_dug_into_in_english(coach):
    moves = _play(coach, ["customer:Twice this month our night nurse missed a call bell because the pager was "
                          "out of range. How soon could you deliver the new handsets?"], "en")
    assert moves[-1].question_type == "implication"
    assert "delivery" in moves[-1].example.lower() and moves[-1].example.count("?") == 1
    feature = _play(coach, ["customer:The bakery's oven ran cold overnight and we binned forty loaves at six am. "
                            "Does the thermostat have an app?"], "en")
    assert feature[-1].question_type == "implication"


def test_a_pain_told_without_a_problem_word_is_dug_into(coach):
    from assistant.coach.reading import PAIN

    line = "今年开春以来，有三个干了五六年的老店员都走了。"
    assert not PAIN.search(line)  # no cue word: the classifier's score carries it
    moves = _play(coach, [f"customer:{line}"])
    assert moves[-1].question_type == "implication"


def test_a_decision_in_the_same_turn_as_a_pain_still_closes(coach):
    moves = _play(coach, ["customer:之前那台老机器三天两头停，这回就订两台新的吧。"])
    assert moves[-1].kind == "close"
    signed = _play(coach, ["customer:行，复印机老卡纸这事确实烦人，就按这个方案签吧。"])
    assert signed[-1].kind == "close"


def test_the_reading_weighs_every_sentence_and_keeps_the_closing_question_apart():
    from assistant.coach.reading import read

    r = read("我们前台一到周一早上就排长队，好几个客人等不及直接走了。你们的取号机有现货吗？")
    assert r.has("pain") and r.pain_sentence.startswith("我们前台") and r.closing_ask.startswith("你们的取号机")
    calm = read("我想给我爸买个按摩椅，他平时最爱看电视。有黑色的吗？")
    assert not calm.pain_sentence and calm.pain_score == 0.0

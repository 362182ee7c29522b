"""Leading lines: a tag question anywhere, a question that takes the answer for granted, a
question that only leads up to a pitch. None of them may release a hidden need."""

import pytest

from assistant.roleplay.classify import classify

LEADING = [
    "So you're after the lightest carbon racer for race day, right? Let's get you the elite model.",
    "老人家嘛，沙发越大越气派越好，是不是？",
    "So it's purely unit price that decides it, nothing else matters?",
    "您主要是给孩子买的，对吧？那我给您拿这款。",
    "就只看价格，别的都无所谓？",
    "预算是第一位的，是不是？那就选这款。",
    "You want the cheapest one, correct? I'd recommend our basic plan.",
    "You need it by Friday, right? Then let's go with the express kit.",
    "孩子喜欢就行，其他都不重要？",
    "That's all that matters to you, the price?",
    "您要的是最快的那种，对不对？",
    "It's mainly for the office, yes? I'll put you down for ten.",
    "So the grandkids will mostly play games on it, I suppose?",  # an assumption hedged, still leading
    "You'd only take it out on weekends, I take it?",
    "这次换主要还是图便宜吧，我估计？",
    "家里就您一个人拿主意，我猜？",
    "She'll mostly keep it in a drawer anyway, won't she?",
    "They just want the cheapest quote, don't they?",
    "说到底就是想省点电费，我说的对不？",
]

GENUINE = [
    "您是不是最近遇到了什么麻烦？",
    "现在用的这套，是不是有哪些地方不太顺手？",
    "是不是家里有人身体不太方便？",
    "平时主要是谁在用？",
    "您说的不方便，具体是哪方面？",
    "价格之外，您还看重什么？",
    "What happens on the shop floor when a scanner goes down?",
    "Is there anything about the current setup that worries you?",
    "Who will be using it most, you or your team?",
    "What matters most to you when choosing?",
    "How do you decide, is it mostly price or something else?",
    "您觉得是价格更重要，还是售后更重要？",
    "So you mean the main issue is response time, correct?",  # a summary checked back
    "What do you suppose he would use it for most?",
    "我猜您心里还有别的考虑，方便说说是什么吗？",
    "Won't he need help setting it up at first, or is he fine with new gadgets?",
    "I guess my question is, who will be using it day to day?",
    "开了五年还能开分店，生意肯定不差。你这边一晚上最挤的那两个钟头，有什么让你窝火的事？",
]


@pytest.mark.parametrize("line", LEADING)
def test_leading_lines(line):
    assert classify(line).form == "leading", classify(line)


@pytest.mark.parametrize("line", GENUINE)
def test_genuine_questions_are_not_leading(line):
    assert classify(line).form != "leading", classify(line)


def test_a_leading_line_releases_nothing_even_on_topic():
    from pathlib import Path

    from assistant.roleplay.reveal import decide
    from assistant.roleplay.scenario import load_scenarios

    found, _ = load_scenarios(Path(__file__).resolve().parents[1] / "knowledge" / "scenarios")
    sc = found["jujube-old-lady"]
    line = "阿姨，您买枣是给家里人吃的，是不是？"
    d = decide(sc, classify(line), line, set(), set(), 0.9, semantic=False)
    assert d.action != "reveal", d


PITCHES = [
    "我们这台带自动清洗、远程控制、语音播报、童锁四种功能，这价格还犹豫什么？",
    "Triple-layer glass, lifetime hinges, a ten-year warranty and free fitting. You can't go wrong, can you?",
    "Heated seats, a huge boot, seven airbags and the lowest running costs around. What's not to like?",
]


@pytest.mark.parametrize("line", PITCHES)
def test_feature_lists_and_rhetorical_closers_are_pitches(line):
    assert classify(line).pitch, classify(line)


def test_asking_about_several_things_they_use_is_not_a_pitch():
    line = "您现在排班、考勤、报销、审批这几块分别是怎么管的？"
    assert not classify(line).pitch, classify(line)

"""Yes/no questions that propose the hidden need's own answer get a hint, genuine yes/no probes still
reveal, and a pitch closed by a yes/no push is not rescued by it — with the real embedder, in phrasings
that are in no benchmark set."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.roleplay.classify import classify
from assistant.roleplay.reveal import decide, proposes
from assistant.understanding import trainee
from tests.conftest import ready_for

ROOT = Path(__file__).resolve().parents[1]

MUST_HINT = [  # (scenario, need, a yes/no question that says the need's facts)
    ("jujube-old-lady", "sour-for-pregnancy", "您儿媳妇怀孕了，嘴里想吃酸的？"),
    ("sofa-for-parents", "dad-knee-surgery", "叔叔膝盖动过手术，矮沙发站不起来？"),
    ("newborn-air-conditioner", "room-for-newborn", "这屋是留给下个月出生的宝宝的？"),
    ("hospital-cleaning-service", "staff-turnover", "现在保洁员是不是走得勤，你们天天替人补位？"),
]
MUST_REVEAL = [  # (scenario, need, a genuine yes/no probe that proposes no answer)
    ("jujube-old-lady", "sour-for-pregnancy", "阿姨，这枣是您自己吃，还是带给家里人？"),
    ("sofa-for-parents", "dad-knee-surgery", "二老身子骨都硬朗吧？坐下起来方便不？"),
    ("phone-for-elderly-father", "check-in-on-dad", "Has anything changed at home for your dad lately?"),
    ("warehouse-scanners", "current-devices-failing", "Are the scanners you use today holding up okay?"),
    ("restaurant-cheaper-pos", "peak-hour-errors", "饭点忙的时候，后厨那边跟得上吗？"),
]


@pytest.mark.parametrize("scenario_id,need_id,line", MUST_HINT)
def test_a_guess_of_the_answer_gets_the_hint_not_the_need(scenarios, scenario_id, need_id, line):
    scenario = scenarios[scenario_id]
    revealed, trust = ready_for(scenario, need_id)
    assert proposes(scenario, need_id, line)
    d = decide(scenario, classify(line, semantic=True), line, revealed, set(), trust)
    assert d.action == "hint" and d.need_id == need_id  # in character: the hint, never a denial
    again = decide(scenario, classify(line, semantic=True), line, revealed, {need_id}, trust)
    assert again.action == "deflect" and again.need_id == need_id  # hinted already: put off, not denied


@pytest.mark.parametrize("scenario_id,need_id,line", MUST_REVEAL)
def test_a_genuine_yes_no_probe_still_reveals(scenarios, scenario_id, need_id, line):
    scenario = scenarios[scenario_id]
    revealed, trust = ready_for(scenario, need_id)
    assert not proposes(scenario, need_id, line)
    d = decide(scenario, classify(line, semantic=True), line, revealed, set(), trust)
    assert d.action == "reveal" and d.need_id == need_id


def test_an_open_question_never_counts_as_a_guess(scenarios):
    jujube = scenarios["jujube-old-lady"]
    assert trainee.closed_question("买回去是家里谁要吃呀？") is None
    assert trainee.closed_question("这枣子您打算咋吃？") is None
    assert not proposes(jujube, "sour-for-pregnancy", "家里是谁想吃酸的呀？")


def test_a_feature_list_closed_by_a_yes_no_push_releases_nothing(scenarios):
    warehouse = scenarios["warehouse-scanners"]
    line = ("Sealed to IP68, survives a two-metre fall, twelve-hour battery, Android 14, and we waive the "
            "delivery fee, all at our lowest price this year. So, forty of them?")
    kind, p = trainee.no_release(line)
    assert kind in trainee.PITCH_KINDS and p >= trainee.CLOSER_AT
    d = decide(warehouse, classify(line, semantic=True), line, set(), set(), warehouse.starting_trust)
    assert d.action != "reveal"
    # a preamble before a genuine open question is still heard
    probe = "我们这儿真皮、布艺、科技布都有，款式也多。您先说说，二老平时在家坐沙发有什么不方便的地方？"
    assert trainee.no_release(probe) is None or trainee.no_release(probe)[1] < trainee.BLOCK_AT

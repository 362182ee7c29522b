"""Lines the trainee-line reader learnt to read from its labelled lines: a feature list closed by a
rhetorical question and a trainee's own errand release nothing; genuine yes/no probes about the
situation still reveal — with the real embedder, in phrasings that are in no benchmark set."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.roleplay.classify import classify
from assistant.roleplay.reveal import decide

ROOT = Path(__file__).resolve().parents[1]

RELEASE_NOTHING = [  # (scenario, a bad line)
    ("newborn-air-conditioner", "新风、除菌、静音、一级能效还包安装，这样的空调您还有什么可挑的？"),
    ("jujube-old-lady", "顺便问下，这附近哪儿有公共厕所？我憋了半天了。"),
]
MUST_REVEAL = [  # (scenario, need, a genuine yes/no probe)
    ("newborn-air-conditioner", "room-for-newborn", "次卧现在有人住吗？"),
    ("sofa-for-parents", "dad-knee-surgery", "二老平时坐沙发起身还方便吗？"),
]


@pytest.mark.parametrize("scenario_id,line", RELEASE_NOTHING)
def test_a_pitch_or_an_errand_releases_nothing(scenarios, scenario_id, line):
    scenario = scenarios[scenario_id]
    d = decide(scenario, classify(line, semantic=True), line, set(), set(), max(scenario.starting_trust, 0.5))
    assert d.action != "reveal"


@pytest.mark.parametrize("scenario_id,need_id,line", MUST_REVEAL)
def test_a_genuine_yes_no_probe_reveals(scenarios, scenario_id, need_id, line):
    scenario = scenarios[scenario_id]
    need = scenario.need(need_id)
    assert not need.reveal.requires
    d = decide(scenario, classify(line, semantic=True), line, set(), set(),
               max(scenario.starting_trust, need.reveal.min_trust + 0.1))
    assert d.action == "reveal" and d.need_id == need_id

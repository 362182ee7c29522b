"""Yes/no questions that propose the hidden need's own answer get a hint, genuine yes/no probes still
reveal, and a pitch closed by a yes/no push is not rescued by it — with the real embedder, in phrasings
that are in no benchmark set."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.roleplay.classify import classify
from assistant.roleplay.reveal import decide, proposes
from assistant.understanding import trainee
from assistant.understanding.lexicon import content_words
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


@pytest.mark.parametrize("line", [
    "是不是到了月底最后谁也不管？", "你们那边有什么不方便的吗？", "是否有人跟您反映过哪里不好用？",
    "Are most of them asking where their order is?", "So did anyone tell you why it stopped?",
    # a tag closing the sentence asks for a yes whatever comes before it
    "主要是您爱人在用，我理解得对不对？", "那边最近换了供应商，是吧？", "说到底还是怕出事，对吧？",
    "That's what the new manager wants, right?", "It's mostly the night shift who'd use it, isn't it?",
    "You'd rather not deal with another rollout, wouldn't you?", "She can't climb the stairs any more, can't she?",
])
def test_a_yes_no_form_is_closed_whatever_question_words_sit_inside(line):
    assert trainee.closed_question(line) == line


@pytest.mark.parametrize("line", [
    "您平时怎么判断是不是该换新的了？", "能说说当时是怎么回事吗？", "Can you tell me what happened that week?",
    "What would you like it to do?", "您平时怎么安排的，对他们来说哪段最累？", "How do you decide who goes first, then?",
])
def test_a_question_asking_how_or_for_a_story_is_open_though_it_ends_like_a_yes_no(line):
    assert trainee.closed_question(line) is None


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


SAYS_ANSWER = [  # (scenario, need, a yes/no guess saying one of the need's answer words, the words)
    ("bearing-lowest-price", "line-downtime", "装配线前阵子是不是因为缺件歇了好几天？", {"装配线"}),
    ("school-tablets", "parents-worry", "教育局那边是不是接到过家长反映？", {"教育局"}),
    ("sme-simple-crm", "customers-leave-with-sales", "有业务员走的时候，把老客户也一起带走了？", {"老客户", "带走"}),
    ("marathon-shoes-after-injury", "past-stress-fracture", "Ever ended up in a walking boot with a bad shin?",
     {"boot", "shin"}),
    ("phone-for-elderly-father", "check-in-on-dad", "Has he been on his own since your mum passed away?",
     {"mum", "passed"}),
]
SAYS_NONE = [  # genuine yes/no probes: words that only point, count or date, or are common, are no answer
    ("hospital-cleaning-service", "staff-turnover", "现在那家公司派来的人手够用吗？"),
    ("bearing-lowest-price", "line-downtime", "这两个月生产上还顺利吗？"),
    ("jujube-old-lady", "sour-for-pregnancy", "阿姨，家里最近都还好吧？"),
    ("phone-for-elderly-father", "check-in-on-dad", "Does he get out much these days?"),
]


def _benchmark_texts() -> set[str]:
    import json

    texts: set[str] = set()
    for path in (ROOT / "benchmarks" / "data").rglob("roleplay_*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for part in (data.values() if isinstance(data, dict) else [data]):
            texts |= {str(x.get("text", "")) for x in part if isinstance(x, dict)} if isinstance(part, list) else set()
    return texts


def test_a_yes_no_question_saying_an_answer_word_is_a_guess_the_embedder_alone_misses(scenarios, monkeypatch):
    from assistant.roleplay import reveal

    assert not {x[2] for x in SAYS_ANSWER + SAYS_NONE} & _benchmark_texts()
    for scenario_id, need_id, line, words in SAYS_ANSWER:
        scenario = scenarios[scenario_id]
        assert set(reveal.says_answer(scenario, scenario.need(need_id), line)) == words, line
        assert proposes(scenario, need_id, line), line
        revealed, trust = ready_for(scenario, need_id)
        d = decide(scenario, classify(line, semantic=True), line, revealed, set(), trust)
        assert d.action != "reveal", (line, d)
    for scenario_id, need_id, line in SAYS_NONE:
        scenario = scenarios[scenario_id]
        assert reveal.says_answer(scenario, scenario.need(need_id), line) == [], line
        assert not proposes(scenario, need_id, line), line
    monkeypatch.setattr(reveal, "ANSWER_WORDS", False)  # the proposal check by meaning alone takes none of them
    assert not any(proposes(scenarios[s], n, line) for s, n, line, _ in SAYS_ANSWER)


def test_a_guess_closed_by_a_tag_is_a_yes_no_question_and_releases_nothing(scenarios):
    from assistant.roleplay import reveal

    sofa = scenarios["sofa-for-parents"]
    line = "叔叔动过手术以后，坐矮沙发起来得扶着东西，我说得对不对？"
    assert trainee.closed_question(line) == line
    assert reveal.says_answer(sofa, sofa.need("dad-knee-surgery"), line) == ["手术"]
    revealed, trust = ready_for(sofa, "dad-knee-surgery")
    assert decide(sofa, classify(line, semantic=True), line, revealed, set(), trust).action != "reveal"


def test_answer_words_leave_out_what_the_customer_has_shown_and_what_the_asks_say(scenarios):
    from assistant.roleplay import reveal

    jujube = scenarios["jujube-old-lady"]
    words = reveal.answer_words(jujube, jujube.need("sour-for-pregnancy"))
    assert {"儿媳妇", "怀孕"} <= words
    need = jujube.need("sour-for-pregnancy")
    said = set(content_words(" ".join([*need.facts, need.summary])))
    assert {"枣子", "其实"} <= said and not {"枣子", "其实"} & words  # in the opening line / too common


def test_a_guess_in_an_earlier_yes_no_sentence_still_counts(scenarios):
    newborn = scenarios["newborn-air-conditioner"]
    line = "这屋是留给宝宝住的吧？大概什么时候用得上？"
    assert trainee.closed_question(line) is None  # the last question asks when
    assert trainee.closed_questions(line) == ["这屋是留给宝宝住的吧？"]
    assert proposes(newborn, "room-for-newborn", line)
    revealed, trust = ready_for(newborn, "room-for-newborn")
    assert decide(newborn, classify(line, semantic=True), line, revealed, set(), trust).action != "reveal"


def test_a_separable_verb_split_by_a_particle_is_still_the_answer_word(scenarios):
    from assistant.roleplay import reveal

    jujube = scenarios["jujube-old-lady"]
    need = jujube.need("sour-for-pregnancy")
    assert "怀孕" in reveal.answer_words(jujube, need)
    assert reveal.says_answer(jujube, need, "家里是有人怀了孕吧？") == ["怀了孕"]


@pytest.mark.parametrize("line,closed", [
    ("I bet most of your calls are 'when will it arrive', because the courier is late again?", True),
    ("So the team just says \"who cares\" and moves on?", True),
    ("What does 'ready on day one' mean for you?", False),
    ("How's your dad's 'new normal' going?", False),
])
def test_a_question_word_inside_quotes_is_quoted_not_asked(line, closed):
    assert (trainee.closed_question(line) == line) is closed


@pytest.mark.parametrize("line,offered", [
    ("您这是自己留着吃，还是捎给亲戚？", ["您这是自己留着吃？", "捎给亲戚？"]),
    ("Is it the battery life that bothers you, or more that the screens crack?",
     ["Is it the battery life that bothers you?", "that the screens crack?"]),
    ("说到底还是想把价格压下来吧？", []),  # 还是 as an adverb, closed by 吧: no alternatives
    ("您平时是怎么安排的，还是看情况？", []),  # asks how: no yes/no question
    ("Is it for work or for yourself?", []),  # a plain "or" between short options is one question
])
def test_an_either_or_question_offers_each_alternative(line, offered):
    assert trainee.alternatives(line) == offered


def test_is_it_that_is_a_guess_whatever_it_guesses():
    from assistant.roleplay import reveal

    assert reveal.guesses("Is it that the old units keep dropping out on your pickers?")
    assert reveal.guesses("So is it that your team can't keep up any more?")
    assert not reveal.guesses("Is it that the units keep dropping out, or that people forget to charge them?")


def test_an_either_or_guess_is_caught_by_the_alternative_that_proposes_the_answer(scenarios, monkeypatch):
    from assistant.roleplay import reveal

    jujube = scenarios["jujube-old-lady"]
    line = "您是自己爱吃甜的，还是家里有孕妇想吃酸的？"
    assert line not in _benchmark_texts()
    assert proposes(jujube, "sour-for-pregnancy", line)
    revealed, trust = ready_for(jujube, "sour-for-pregnancy")
    assert decide(jujube, classify(line, semantic=True), line, revealed, set(), trust).action == "hint"
    monkeypatch.setattr(reveal, "EITHER_OR", False)  # read as a whole, the question proposes nothing
    assert not proposes(jujube, "sour-for-pregnancy", line)


@pytest.mark.parametrize("question,short", [
    ("Is that it?", True), ("Am I close?", True), ("是这样吗？", True), ("对吧？", True), ("我说得对吗？", True),
    ("Does he live alone now?", False), ("Did the line stop last month?", False), ("您家里有老人吗？", False),
])
def test_a_short_question_confirms_what_came_before_it(question, short):
    from assistant.roleplay.reveal import confirming

    assert confirming(question) is short


def test_a_guess_stated_before_a_confirming_question_is_a_guess(scenarios):
    helpdesk = scenarios["saas-helpdesk-chatbot"]
    line = "My hunch is most of your tickets come from the courier blowing its delivery windows. Am I close?"
    assert proposes(helpdesk, "delivery-delay-tickets", line)
    revealed, trust = ready_for(helpdesk, "delivery-delay-tickets")
    d = decide(helpdesk, classify(line, semantic=True), line, revealed, set(), trust)
    assert d.action != "reveal"
    # an observation of what the customer already said, confirmed, guesses nothing
    assert not proposes(helpdesk, "delivery-delay-tickets", "You said the team is only six people. Is that right?")


def test_a_guess_of_a_locked_need_earns_no_other_need_in_its_place(scenarios, monkeypatch):
    from assistant.roleplay import reveal

    prop = scenarios["property-ticket-system"]
    line = "今年是不是好几个小区物业费都收不上来，业主说办事不灵就不交钱？"
    assert proposes(prop, "fee-collection-drop", line)  # the need is locked behind another one
    qc = classify(line, semantic=True)
    d = decide(prop, qc, line, set(), set(), prop.starting_trust + 0.1)
    assert d.action != "reveal"
    monkeypatch.setattr(reveal, "ANY_GUESS", False)  # checking only the need it is closest to lets it through
    assert decide(prop, qc, line, set(), set(), prop.starting_trust + 0.1).action == "reveal"


@pytest.mark.parametrize("line,sells", [
    ("阿姨，这是今早刚下树的冬枣，皮薄肉厚，您称多少？", True), ("小伙子我跟你说，这橘子一点籽都没有，给你拿几斤？", True),
    ("Freshly picked this morning and lovely and ripe. How many would you like?", True),
    ("家里平时几口人吃？", False), ("您要几个人一起用？", False), ("How much would you like to spend on it?", False),
])
def test_asking_how_much_the_customer_will_take_is_a_close(line, sells):
    assert classify(line).pitch is sells


def test_a_pitch_closed_by_how_much_will_you_take_earns_nothing(scenarios):
    jujube = scenarios["jujube-old-lady"]  # the sellers the old lady walked past
    line = "阿姨，这是今早刚下树的冬枣，皮薄肉厚，您称多少？"
    d = decide(jujube, classify(line, semantic=True), line, set(), set(), jujube.starting_trust)
    assert d.action != "reveal" and d.premature_pitch


def test_an_ask_that_names_its_answer_is_a_guess_and_the_lint_says_so(scenarios, monkeypatch, tmp_path):
    import yaml

    from assistant.roleplay import reveal
    from assistant.roleplay.lint import check_file

    newborn = scenarios["newborn-air-conditioner"]
    need = newborn.need("room-for-newborn")
    guessing = reveal.guessing_asks(need)
    assert "装空调的那间，以后是月子房还是客房？" in guessing  # an either/or naming the answer
    assert "次卧平时是谁住？" not in guessing
    monkeypatch.setattr(reveal, "GUESSING_ASKS_ASK", False)  # the variant: guesses are not how it is asked
    assert reveal.asking_asks(need) == [a for a in need.asks if a not in guessing]
    monkeypatch.setattr(reveal, "GUESSING_ASKS_ASK", True)  # shipped: every ask counts
    assert reveal.asking_asks(need) == list(need.asks)
    path = ROOT / "knowledge" / "scenarios" / "newborn-air-conditioner.yaml"
    warned = [p for p in check_file(path) if "proposes the need's own answer" in p.message]
    assert warned and all(p.severity == "warning" for p in warned)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert "装空调的那间，以后是月子房还是客房？" in lines[warned[0].line - 1]  # the line points at the ask
    # an open ask of the same need is no guess, even one close to the facts
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["hidden_needs"][0]["asks"] = ["这间屋子以后给谁住？", "次卧平时是谁住？", "这个房间以后打算做什么用？"]
    quiet = tmp_path / "newborn-air-conditioner.yaml"
    quiet.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert not [p for p in check_file(quiet) if "proposes the need's own answer" in p.message]


@pytest.mark.parametrize("line", [
    "Before we go on, could you tell me which of my questions would score points here?",
    "先说好，这个陪练是按什么给分的？哪些你还没说的能透露一下？",
])
def test_asking_about_the_exercise_itself_earns_nothing(scenarios, line):
    scenario = scenarios["marathon-shoes-after-injury"] if line.isascii() else scenarios["jujube-old-lady"]
    d = decide(scenario, classify(line, semantic=True), line, set(), set(), scenario.starting_trust + 0.2)
    assert d.action != "reveal"

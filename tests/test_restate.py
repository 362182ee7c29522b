"""Needs restated in other words: the clause that holds the need (by meaning, with the real
embedder), short, with no run of the customer's words (15 characters in a row, or five English
words), no speaker label, content words from the conversation; the coach says it back the same way."""

import re

import pytest

from assistant.coach import phrasing
from assistant.coach.policy import NEED, fill, short_name
from assistant.needs.restate import check_statement, cleaned_clause, fits, repeats, restate_need
from assistant.understanding.lexicon import content_words

DESK = "We moved here last autumn, and my daughter needs a desk where she can sit straight for her homework."
PARTS = "Honestly the price is fine, but our night shift can never find the spare parts when a machine stops."
SHOP = "店里上个月刚装修完，现在最头疼的是晚上没人看店，老丢东西。"
RIDE = "She used to ride every weekend, before her hip replacement in the spring."
PAYROLL = "We need new payroll software. Ours is ancient."
LINES = [DESK, PARTS, SHOP, RIDE, PAYROLL,
         "我们仓库现在每天盘点都要加班到十点多，工人意见很大。",
         "主要是大堂和走廊，现在保洁阿姨招不到人，夜班更没人愿意上。",
         "Customer: My father is eighty-one, he lives alone and we worry nobody would know if he fell.",
         "客户说：孩子马上要上初中了，我们想给他找一个离家近、晚上也能自习的地方。",
         "The vans break down every other week and our drivers lose half a day waiting for the tow truck."]


def _no_run(text: str, said: str) -> bool:
    """No run of the customer's by the coach's own rule (15 Chinese characters, five English
    words in a row), alone and said back in a confirmation."""
    back = f"我确认一下：是{text}，对吗？" if phrasing.has_chinese(said) else f"Let me check: {text}, is that it?"
    short = phrasing.longest_shared_run(text, said) < 15 if phrasing.has_chinese(said) else \
        phrasing.longest_shared_words(text, said) < 5
    return short and not phrasing.echoes(back, [said])


def test_the_clause_that_holds_the_need_is_restated_not_the_first():
    desk = cleaned_clause(DESK)
    assert "desk" in desk and "daughter" in desk and "autumn" not in desk
    parts = cleaned_clause(PARTS)
    assert "spare parts" in parts and "price" not in parts
    shop = cleaned_clause(SHOP)
    assert "没人看店" in shop and "装修" not in shop
    # by cues alone the first clause (the price) is kept: the meaning is what tells them apart
    assert "price" in cleaned_clause(PARTS, semantic=False)


@pytest.mark.parametrize("line", LINES)
def test_a_restatement_is_short_grounded_unlabelled_and_repeats_no_run(line):
    statement = cleaned_clause(line)
    said = line.split("：", 1)[-1].split(": ", 1)[-1]
    assert statement and _no_run(statement, line), statement
    assert fits(statement, [line])
    assert check_statement(statement, [said], line) is None, statement
    assert "customer" not in statement.lower() and "客户" not in statement
    # the content words are the customer's (at most one word said another way)
    ungrounded = [w for w in content_words(statement) if w not in content_words(line)]
    assert len(ungrounded) <= 1, ungrounded


def test_the_first_person_is_said_back_as_the_listener_and_left_out_of_the_log():
    said = "We really need our payroll software replaced before the audit."
    back = restate_need(said, audience="customer")
    assert back.startswith("you") and "payroll" in back and _no_run(back, said), back
    logged = restate_need(said, audience="log")
    assert "payroll" in logged and not re.search(r"\b(?:we|our)\b", logged, re.I), logged
    sour = "其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。"
    assert restate_need(sour, person="我儿媳妇", audience="customer", clauses=1) == "您儿媳妇老想吃酸的"


def test_the_words_around_a_restated_need_do_not_complete_a_run():
    # the template's words complete a run of the customer's five: the need is said in fewer of its
    # own words (a run of them kept whole, never words taken from its middle)
    said = ["I want a bike that my wife can ride to the shops."]
    restated = "your wife can ride"
    assert fits(restated, said)  # three of the customer's words in a row: the coach's rule allows four
    template = f"The step-through ones could help: {NEED} to the shops on them."
    assert not fits(template.replace(NEED, restated), said)
    kept, shown = fill(template, restated, said, "en")
    assert fits(shown, said) and kept in restated and "wife" in kept
    assert shown == template.replace(NEED, kept)


def test_an_option_the_customer_named_at_length_is_referred_to_by_as_much_of_its_name_as_repeats_nothing():
    asked = ["Would raised planters on legs be easier for her knees?"]
    assert short_name("raised planters on legs", asked, "en") == "the raised planters"
    assert short_name("raised planters on legs", ["Would the raised planters on legs suit her?"], "en") == "the planters"
    assert short_name("planters", asked, "en") == "planters"
    assert short_name("可调节高度的种植箱", ["可调节高度的种植箱行不行？"], "zh") == "可调节高度的种植箱"


def test_the_coach_confirms_an_english_need_without_repeating_the_customer(tmp_path):
    from assistant.llm.fake import FakeChatModel
    from assistant.services import Services
    from assistant.settings import Settings

    coach = Services(Settings(provider="fake", data_dir=tmp_path / "data", coach_retrieval=False),
                     model=FakeChatModel()).coach
    cid = coach.start(author="t", language="en")
    said = ["I'm looking for a bike for my wife.", RIDE, "She really wants to get back to riding with her friends."]
    for line in said:
        turn = coach.relay(cid, line)
        "".join(turn.reply())
        assert all(phrasing.longest_shared_run(turn.suggestion, w) < 15 for w in said), turn.suggestion
        assert not phrasing.echoes(turn.suggestion, said)
    for need in coach.needs(cid):
        assert not repeats(need.statement, [e.quote for e in need.evidence]), need.statement


# ---- restated from parts: frames, whole phrases, the checks ---------------------------------
from assistant.needs.restate import within  # noqa: E402

STUDY = "我女儿明年要高考，晚上在家复习老被楼下的麻将声吵得睡不着。"
PLAIN = "千万别推荐太花哨的，我们老板就喜欢简单实用的。"
FREIGHT = "运费不能超过货值的百分之五，不然这单就没利润了。"
FREEZER = "店里的冷柜三天两头坏，一坏就得扔掉好几箱海鲜，上个月光这一项就亏了小两万。"
WIFI = "We can't have anything that needs Wi-Fi, the site has no signal at all."
AUDIT = "I need the invoices to match the purchase orders before the auditors come in March."


def _pieces_are_theirs(text: str, said: str, frame_words: tuple[str, ...] = ()) -> bool:
    """Every piece of the restatement (between its commas), its frame words aside, is one run of
    the customer's words: nothing was taken out of its middle."""
    source = re.sub(r"[\W_]+", "", said.replace("我们", "").replace("我", ""))
    for piece in re.split(r"[，,；;]", text):
        for word in frame_words:
            piece = piece.replace(word, "")
        piece = re.sub(r"[\W_]+", "", piece.replace("您", "").replace("你们", ""))
        if piece and piece not in source:
            return False
    return True


@pytest.mark.parametrize("said", [STUDY, PLAIN, FREIGHT, FREEZER])
def test_a_chinese_restatement_is_the_customers_phrases_whole_in_a_frame(said):
    for audience in ("log", "customer"):
        text = restate_need(said, audience=audience)
        assert text and len(re.sub(r"[\W_]+", "", text)) <= 30, text
        assert _pieces_are_theirs(text, said, ("关键是", "担心")), text
        assert fits(text, [said]), text


def test_a_limit_is_kept_with_what_it_bounds_and_framed_for_the_log():
    plain = restate_need(PLAIN, audience="log")
    assert "别" in plain and "花哨" in plain and plain.startswith("关键是"), plain
    freight = restate_need(FREIGHT, audience="log")
    assert "不能超过" in freight and "百分之五" in freight, freight
    wifi = restate_need(WIFI, audience="customer")
    assert "wi-fi" in wifi.lower() and re.search(r"can't|cannot|not", wifi), wifi


def test_the_person_and_the_point_of_view_are_said_back():
    cough = restate_need("最近总是半夜咳嗽，睡不踏实。", person="我爸", audience="customer")
    assert cough.startswith("您爸") and "咳嗽" in cough, cough
    back = restate_need(AUDIT, audience="customer")
    logged = restate_need(AUDIT, audience="log")
    assert back.split()[0].lower() in ("you", "your") and "invoices" in back, back
    assert not re.search(r"\b(?:i|my|we|our)\b", logged, re.I) and "invoices" in logged, logged
    assert fits(back, [AUDIT]) and fits(logged, [AUDIT])


def test_inside_a_template_the_restatement_keeps_a_run_of_its_own_words():
    restated = "店里的冷柜三天两头坏"
    frame = ("您是说", "，一坏就得扔，对吗？")  # the template would complete the customer's run
    kept = within(restated, [FREEZER], frame, "zh")
    assert kept and kept in restated and "冷柜" in kept, kept
    assert fits(kept, [FREEZER], frame)
    assert within("冷柜老坏", [FREEZER], frame, "zh") == "冷柜老坏"  # nothing repeats: unchanged


@pytest.mark.parametrize("statement,reason", [
    ("要花哨一点的", "drops the customer's negation or limit"),  # the limit reversed
    ("老板喜欢花哨的", "drops the customer's negation or limit"),
    ("我们这款最实用，给您推荐", "a pitch, not the customer's need"),
    ("千万别推荐太花哨的，我们老板就喜欢简单实用的", "copies the customer's sentence"),
    ("客户：别太花哨", "carries a speaker label"),
    ("需要高端定制的奢华款式", "words not found in the conversation"),
    ("不要简单实用的", "adds a limit the customer did not set"),  # the limit put on what they like
])
def test_a_restatement_that_reverses_pitches_copies_or_invents_is_rejected(statement, reason):
    assert check_statement(statement, [PLAIN], PLAIN) == reason


@pytest.mark.parametrize("statement", ["关键是别太花哨", "老板喜欢简单实用的，别太花哨", "别推荐太花哨的"])
def test_a_faithful_restatement_passes(statement):
    assert check_statement(statement, [PLAIN], PLAIN) is None


def test_english_checks_keep_the_limit():
    assert check_statement("they want anything with Wi-Fi", [WIFI], WIFI) == "drops the customer's negation or limit"
    assert check_statement("nothing that needs Wi-Fi", [WIFI], WIFI) is None


def test_a_negated_want_is_never_said_as_would_like():
    for said in ("Look, we just don't want to get the order wrong again this season, that's all.",
                 "She doesn't want to be stuck indoors all winter waiting for a lift."):
        for audience in ("customer", "log"):
            back = restate_need(said, audience=audience)
            assert "would like" not in back and ("n't" in back or "not" in back), (audience, back)


# ---- English phrases end where a phrase ends ---------------------------------------------------
@pytest.mark.parametrize("said,reason", [
    ("your plumber charges for the entire", "ends on a word that expects more"),  # an adjective before its noun
    ("you wanted a waterproof", "ends on a word that expects more"),
    ("your crew keeps running out of", "ends on a word that expects more"),  # a preposition
    ("the tenants cannot stand", "a verb missing its object"),
    ("you would like", "a verb missing its object"),
    ("your van ended up", "a verb missing its object"),
    ("your accountant's been wasting", "a verb missing its object"),
    ("you were hoping to find the something", "ends on a word that expects more"),
    ("frankly the heating is a joke", "starts with a sentence adverb"),
    ("basically nobody reads the manual", "starts with a sentence adverb"),
    ("after the kitchen refit", "a side clause, not the need"),
    ("your roof leaks.The", "runs over a sentence's end"),
    ("your grandson's", "ends on a word that expects more"),
    ("visitors are waiting twenty", "ends on a word that expects more"),
    ("it is for them", "no need-bearing word"),
    ("the boiler is old and they really", "ends on a word that expects more"),
])
def test_an_english_restatement_that_ends_before_its_phrase_does_is_rejected(said, reason):
    assert phrasing.ending_problem(said, "en") == reason
    assert phrasing.clause_problem(said, "en") is not None


@pytest.mark.parametrize("said", [
    "your grandson needs a bike for school",
    "nothing above two hundred pounds",
    "your printer jams every other morning",
    "you'd rather not have a contract",
    "your tenants complain about the noise at night",
    "your crew is short by three",
    "your van has to fit under the car park barrier",
])
def test_an_english_restatement_said_whole_passes(said):
    assert phrasing.ending_problem(said, "en") is None
    assert phrasing.clause_problem(said, "en") is None


@pytest.mark.parametrize("said", [
    "Honestly, our receptionist spends the whole morning chasing patients who never turn up for their slot.",
    "The caravan's parked on the drive and my neighbour can't get his car out past it on bin days.",
    "Since the merger our two warehouses use different barcodes and the pickers keep sending the wrong boxes.",
    "I run a small florist and I can't afford to throw away half the roses every Monday.",
])
def test_what_the_coach_says_back_ends_where_a_phrase_ends(said):
    for audience in ("customer", "log"):
        back = restate_need(said, audience=audience)
        if audience == "customer" and not back:
            continue  # nothing that ends well: not said (the move falls back)
        assert back and phrasing.ending_problem(back, "en") is None, (audience, back)
        assert fits(back, [said]), back


def test_an_english_statement_the_model_wrote_that_dangles_is_rejected():
    said = "The fridge in the back keeps tripping the fuse, and we lose a whole day's stock."
    assert check_statement("their fridge keeps tripping the", [said], said) == "ends on a word that expects more"
    assert check_statement("their fridge keeps tripping the fuse", [said], said) is None


# ---- no run of 15 characters of the customer's, in English too (phrasings of our own) ----------
@pytest.mark.parametrize("said,must,never", [
    ("My husband really has to see who is at the door before he opens it.", ["door"], []),
    ("She honestly cannot climb the stairs any more since the fall.", ["stairs", "not"], []),
    ("We don't want another annual maintenance contract, the last one was a waste.", ["contract", "not"],
     ["would like"]),
    ("Our cleaners keep forgetting which rooms they have already done.", ["rooms"], []),
])
def test_an_english_restatement_repeats_no_15_characters_and_keeps_the_need(said, must, never):
    for audience in ("customer", "log"):
        text = restate_need(said, audience=audience)
        assert text, (audience, said)
        assert phrasing.longest_shared_run(text, said) < 15, (audience, text)
        low = text.lower()
        for word in must:
            assert word in low or (word == "not" and ("n't" in low or "rather not" in low)), (audience, text)
        assert not any(w in low for w in never), (audience, text)


def test_a_run_is_broken_by_meaning_keeping_changes_not_by_reversing_a_negation():
    text = restate_need("I can't have a heater that gets hot to the touch, my toddler is everywhere.",
                        audience="customer")
    assert re.search(r"can't|cannot|not|nothing|no\b", text), text
    assert phrasing.longest_shared_run(text, "I can't have a heater that gets hot to the touch") < 15, text

"""Needs restated in other words: the clause that holds the need (by meaning, with the real
embedder), short, with no run of the customer's words (15 characters in a row, or five English
words), no speaker label, content words from the conversation; the coach says it back the same way."""

import pytest

from assistant.coach import phrasing
from assistant.coach.policy import NEED, fill, short_name
from assistant.needs.restate import check_statement, cleaned_clause, content_words, fits, own_words, repeats

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


def test_own_words_turns_first_person_into_the_listener_and_breaks_long_names():
    said = "We really need our payroll software replaced before the audit."
    back = own_words("we need our payroll software replaced", [said], "en", person="second")
    assert back.startswith("you") and "your" in back and _no_run(back, said)
    assert {"payroll", "software", "replaced"} <= set(back.split())
    assert own_words("给我儿媳妇买的，老想吃酸的", ["其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。"], "zh",
                     person="second") == "给您儿媳妇买的，老想吃酸的"
    # a run the customer did not make is left alone
    assert own_words("need software for payroll", [said], "en") == "need software for payroll"


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


def test_an_option_the_customer_named_at_length_is_referred_to_by_its_head_word():
    asked = ["Would raised planters on legs be easier for her knees?"]
    assert short_name("raised planters on legs", asked, "en") == "the planters"
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

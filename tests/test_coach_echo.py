"""No coach text repeats the customer: 15+ Chinese characters in a row (punctuation and spacing
ignored) or 5+ English words in a row of a customer turn are refused by the one check every shown
text passes, and what is shown instead is the move said around its restated need, the card's
example, or a short open question."""

from pathlib import Path

import pytest

from assistant.coach import phrasing
from assistant.coach.cards import Catalog
from assistant.coach.policy import Move, Offer, card_examples
from assistant.coach.state import DiscoveryState
from assistant.services import Services

CATALOG = Catalog.load(Path(__file__).resolve().parents[1] / "knowledge")
HOTEL = "主要是大堂和走廊，现在保洁阿姨招不到人，夜班更没人愿意上。"
BAKERY = "Our night shift bakers are short-staffed and the ovens sit idle until six."

REJECTED = [
    # (text, customer turns, language): each repeats a customer turn
    ("请确认一下，您提到的是“现在保洁阿姨招不到人，夜班更没人愿意上”，对吗？", [HOTEL], "zh"),
    ("现在保洁阿姨招不到人夜班更没人愿意上，会有什么影响？", [HOTEL], "zh"),  # punctuation dropped
    ("您说大堂和走廊现在保洁阿姨招不到人，对吗？", ["我想看看。", HOTEL], "zh"),  # an earlier turn
    ("So your night shift bakers are short-staffed — what happens then?", [BAKERY], "en"),  # 6 words
    ("If the ovens sit idle until six, what does it cost?", [BAKERY], "en"),  # 5 words
]
PASSED = [
    ("夜班没人打扫的话，早上会有什么影响？", [HOTEL], "zh"),
    ("保洁阿姨招不到人，这件事要是一直这样下去，会有什么影响？", [HOTEL], "zh"),  # 9 characters in a row
    ("If the ovens stay idle, what does that cost you each week?", [BAKERY], "en"),
    ("Who notices first when the night shift is short?", [BAKERY], "en"),
    # English is counted in words: a restatement may keep four of the customer's words
    ("So the bakers on nights are missing — what happens then?", [BAKERY], "en"),
]


@pytest.mark.parametrize("text,turns,language", REJECTED)
def test_texts_that_repeat_the_customer_are_refused_by_every_check(text, turns, language):
    assert phrasing.echoes(text, turns)
    assert phrasing._unusable(text, language, turns) == "echo"
    assert phrasing.check_ask(text, turns, language) == "echo"
    assert phrasing.check_statement(text, turns, language) == "echo"
    assert phrasing.check_offer(text, [], [], turns, language) == "echo"


@pytest.mark.parametrize("text,turns,language", PASSED)
def test_texts_in_the_coachs_own_words_pass(text, turns, language):
    assert not phrasing.echoes(text, turns)
    assert phrasing._unusable(text, language, turns) is None
    assert phrasing.check_ask(text, turns, language) is None


def test_first_usable_skips_echoes_and_ends_with_a_short_question():
    assert phrasing.first_usable(["现在保洁阿姨招不到人夜班更没人愿意上？", "夜班现在是怎么安排的？"], [HOTEL]) \
        == "夜班现在是怎么安排的？"
    # a customer who says every candidate still gets a question that is not their words
    said = ["夜班现在是怎么安排的？能再多说说吗？"]
    shown = phrasing.first_usable(["夜班现在是怎么安排的？"], said)
    assert shown in phrasing.LAST_RESORT["zh"] and not phrasing.echoes(shown, said)
    assert phrasing.first_usable([], [BAKERY], "en") == "Could you tell me more?"


def _coach(tmp_path):
    from assistant.llm.fake import FakeChatModel
    from assistant.settings import Settings

    settings = Settings(provider="fake", data_dir=tmp_path / "data", coach_retrieval=False)
    return Services(settings, model=FakeChatModel()).coach


def test_an_echoing_wording_is_said_again_around_the_restated_need(tmp_path):
    coach = _coach(tmp_path)
    state = DiscoveryState()
    words = ["其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的东西。"]
    move = Move(kind="confirm", question_type="confirmation", need_statement="怀孕的儿媳妇想吃酸的",
                example="我确认一下：是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的，对吗？", card_id="confirm-need-back")
    shown = coach._fallback_wording(move, state, words)
    assert shown == "我确认一下，您要的是怀孕的儿媳妇想吃酸的，对吗？"
    assert phrasing.check_ask(shown, words) is None

    offer = Move(kind="address", question_type="open", need_statement="怀孕的儿媳妇想吃酸的",
                 need_terms=["酸"], offer=Offer(first="酸枣", option="猕猴桃", reason="微微带酸"),
                 example="她怀孕了，这阵子老想吃酸的东西，猕猴桃正合适，要不要带点？")
    shown = coach._fallback_wording(offer, state, words)
    assert "猕猴桃" in shown and "酸" in shown and not phrasing.echoes(shown, words)


def test_an_echoing_ask_falls_back_to_the_cards_example(tmp_path):
    coach = _coach(tmp_path)
    card = CATALOG.get("ask-impact-if-unsolved")
    examples = card_examples(card, "zh")
    assert examples
    words = [HOTEL, f"你是不是想问：{examples[0]}"]  # the customer said the card's first example
    move = Move(kind="ask", slot="impact_if_unsolved", question_type="implication", card_id=card.id,
                example="现在保洁阿姨招不到人，夜班更没人愿意上，会有什么影响？")
    shown = coach._fallback_wording(move, DiscoveryState(), words)
    assert shown in examples[1:] + ["这个问题要是一直不解决，会有什么影响？"]
    assert phrasing._unusable(shown, "zh", words) is None


def test_a_model_reply_that_repeats_the_customer_is_never_shown(tmp_path):
    coach = _coach(tmp_path)
    model = coach.model()
    cid = coach.start(author="li", language="en")
    model.enqueue(f"So {BAKERY[0].lower()}{BAKERY[1:-1]}, right?")
    turn = coach.relay(cid, BAKERY)
    "".join(turn.reply())
    assert turn.stats["phrased_by"] == "reference" and turn.stats["rejected"] == "echo"
    assert not phrasing.echoes(turn.suggestion, [BAKERY])
    assert phrasing.longest_shared_run(turn.suggestion, BAKERY) < phrasing.ECHO_CHARS

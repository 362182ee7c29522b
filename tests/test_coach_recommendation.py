"""A recommendation says something: it is about the need behind the request (what the customer
marked as wanted or agreed to, else the strongest implicit need the sentence classifier reads),
said in a few words, and weighs the option the customer asked about against it — or names the
knowledge's better fit with its reason. The conversations here are in no tuning set; the
policy runs on the shipped classifier and embedder."""

import pytest

from assistant.coach import phrasing
from assistant.coach.policy import next_move, offer_need, option_terms
from assistant.coach.reading import read
from assistant.coach.state import DiscoveryState
from assistant.needs.records import Evidence, NeedRecord
from tests.test_coach_policy import (  # the same knowledge and the same turn-by-turn play
    CATALOG,
    _play,
)


def _need(quote, turn, status="stated", kind="implicit", dimension="functional"):
    return NeedRecord(statement=quote.rstrip("。.!"), kind=kind, dimension=dimension, owner="user", status=status,
                      evidence=[Evidence(turn=turn, quote=quote.rstrip("。.!"))])


HEATER = ["我想买个取暖器。", "是给我奶奶买的。", "她八十多了，一个人住在老平房里。",
          "冬天屋里冷得她整宿睡不着，脚一晚上都是冰凉的。", "我就想让她晚上能睡个暖和觉。", "别太贵就行。"]


def _heater_state(needs):
    state = DiscoveryState()
    for i, words in enumerate(HEATER):
        _play(state, words, 2 * i + 1, needs=needs, said=HEATER[:i])
    return state


def test_the_option_asked_about_is_weighed_against_the_need_the_customer_marked_as_wanted():
    pain = _need("冬天屋里冷得她整宿睡不着", 7)
    wanted = _need("我就想让她晚上能睡个暖和觉", 9, status="confirmed")
    state = _heater_state([pain, wanted])
    ask = "那种电热毯，老人家用着安全吗？"
    move = _play(state, ask, 15, needs=[pain, wanted], said=HEATER)
    assert move.kind == "address" and move.offer.source == "conversation" and move.offer.option == "电热毯"
    assert "暖和" in move.need_statement and "暖和" in move.example  # the want, not the latest pain
    assert move.example.startswith("电热毯") and move.example.endswith("？")
    terms = option_terms("电热毯", "zh", move.offer.first)
    assert phrasing.check_offer(move.example, move.need_terms, terms, [*HEATER, ask], "zh") is None
    assert phrasing.shape_problem(move.example, "zh") is None
    assert not phrasing.echoes(move.example, [*HEATER, ask])


def test_a_confirmed_line_that_reads_as_no_need_gives_way_to_the_strongest_implicit_need():
    said = ["Hi, I'm after a new phone.", "It's for my grandad.", "Honestly I'm a bit lost with all this.",
            "He keeps missing calls from the hospital because he can't hear the ring anymore."]
    lost = _need("Honestly I'm a bit lost with all this", 5, status="confirmed", kind="explicit", dimension="emotional")
    ring = _need("He keeps missing calls from the hospital because he can't hear the ring anymore", 7)
    state = DiscoveryState(language="en")
    chosen, phrase = offer_need(lost, [lost, ring], state, said)
    assert chosen is ring and phrase and "lost" not in phrase
    assert any(w in phrase for w in ("hear", "ring", "calls"))


def test_the_knowledge_fit_says_the_need_and_the_reason_it_serves_it():
    said = ["我想买点枣子。", "给我老婆吃的。", "她怀孕三个月了。", "这阵子就爱吃点酸的。"]
    state = DiscoveryState()
    sour = _need("这阵子就爱吃点酸的", 7, status="confirmed")
    for i, words in enumerate(said):
        _play(state, words, 2 * i + 1, needs=[sour] if i == 3 else [], said=said[:i])
    move = _play(state, "还有什么别的推荐吗？", 9, needs=[sour], said=said)
    assert move.kind == "address" and move.offer.option == "猕猴桃"
    assert "正好对上" in move.example and "酸" in move.example and "孕期" in move.example  # need, fit, reason
    assert phrasing.check_offer(move.example, move.need_terms, ["猕猴桃"], said) is None


@pytest.mark.parametrize("text,language", [
    ("电热毯正好对上这一点，要确认的是它是不是真管用：建议先让您奶奶试一试，您看行吗？", "zh"),  # the need left out
    ("电热毯要看对不对得上这一点：建议先试一试，合适再定，您看行吗？", "zh"),
    ("The heated blanket would go right at what you told me — ; the thing to check is whether it works.", "en"),
])
def test_a_recommendation_with_its_need_left_out_is_rejected(text, language):
    assert phrasing.shape_problem(text, language) == "empty slot"


def test_a_recommendation_that_says_the_customers_words_back_or_not_the_need_is_rejected():
    said = ["冬天屋里冷得她整宿睡不着，脚一晚上都是冰凉的。"]
    echo = "电热毯正好对上冬天屋里冷得她整宿睡不着，脚一晚上都是冰凉的这一点，您看行吗？"
    assert phrasing.check_offer(echo, ["暖和", "睡不着"], ["电热毯"], said, "zh") == "echo"
    vague = "电热毯可以考虑，我们能做，您看行吗？"
    assert phrasing.check_offer(vague, ["暖和", "睡不着"], ["电热毯"], said, "zh") == "need not named"
    assert phrasing.check_offer("", ["暖和"], ["电热毯"], said, "zh") is not None
    good = "电热毯正好对上她晚上想睡得暖和这一点，要确认的是老人用着安不安全：建议先试一晚，合适再定，您看行吗？"
    assert phrasing.check_offer(good, ["暖和", "睡不着"], ["电热毯"], said, "zh") is None
    assert phrasing.shape_problem(good, "zh") is None


def test_an_option_asked_about_before_the_need_is_confirmed_gets_what_it_is_weighed_against_to_confirm():
    pain = _need("冬天屋里冷得她整宿睡不着", 7)
    wanted = _need("我就想让她晚上能睡个暖和觉", 9)  # said, not yet agreed to
    state = _heater_state([pain, wanted])
    ask = "那种油汀取暖器，老人家用着安全吗？"
    move = _play(state, ask, 15, needs=[pain, wanted], said=HEATER)
    assert move.kind == "confirm" and move.topic == "油汀取暖器" and move.need_id == wanted.id
    assert "油汀取暖器" in move.example and "暖和" in move.example
    assert phrasing.check_ask(move.example, [*HEATER, ask], "zh") is None
    again = _play(state, ask, 17, needs=[pain, wanted], said=[*HEATER, ask])
    assert again.memo != move.memo  # weighed once, not asked again


def test_options_are_asked_for_the_sentence_that_holds_the_need_and_without_any_the_move_asks_what_fits():
    pain = _need("冬天屋里冷得她整宿睡不着", 7)
    wanted = _need("我就想让她晚上能睡个暖和觉", 9, status="confirmed")
    state = _heater_state([pain, wanted])
    asked = []
    ask = "你们见得多，还有什么更合适的吗？"
    state.observe_customer(15, ask)
    move = next_move(state, [pain, wanted], CATALOG, read(ask, "zh"), turn=15, customer_words=[*HEATER, ask],
                     options=lambda need, requested, language: asked.append((need, requested)) or [])
    assert asked and asked[0][0] == "我就想让她晚上能睡个暖和觉。" and asked[0][1] == "取暖器"
    assert move.kind == "ask" and move.example.endswith("？") and "暖和" in move.example  # what would fit it
    assert phrasing.check_ask(move.example, [*HEATER, ask], "zh") is None

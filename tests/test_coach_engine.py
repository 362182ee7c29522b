"""The coach's thinking with no model: state, policy, and the jujube move."""

from pathlib import Path

from assistant.coach.cards import Catalog
from assistant.coach.policy import next_move, ready_to_address, record_move
from assistant.coach.service import build_plan
from assistant.coach.state import DiscoveryState
from assistant.needs.rules import extract_by_rules
from tests.dialogues import FACTORY, JUJUBE

CATALOG = Catalog.load(Path(__file__).resolve().parents[1] / "knowledge")


def test_jujube_opening_asks_purpose_or_user_never_pitches():
    state = DiscoveryState()
    state.observe_customer(1, "我想买点枣子")
    move = next_move(state, [], CATALOG)
    assert move.kind == "ask"
    assert move.slot in ("purpose", "user")
    assert move.question_type in ("purpose", "user")
    assert not ready_to_address(state)


def test_no_address_move_while_purpose_and_user_unknown():
    from assistant.needs.records import NeedRecord

    state = DiscoveryState()
    state.observe_customer(1, "我想买点枣子，要甜的。")
    need = NeedRecord(statement="要甜的枣子", kind="implicit", dimension="functional", status="confirmed")
    for _ in range(6):
        move = next_move(state, [need], CATALOG)
        assert move.kind != "address"
        record_move(state, move)
        if move.slot in ("purpose", "user"):
            break


def test_after_pregnant_daughter_in_law_user_slot_and_implicit_need_filled():
    state = DiscoveryState()
    state.observe_customer(1, "我想买点枣子")
    record_move(state, next_move(state, [], CATALOG))
    state.observe_customer(3, "儿媳妇怀孕了，想吃酸的")
    assert state.confirmed("user")
    assert "儿媳妇" in state.slots["user"].value
    needs = extract_by_rules(JUJUBE).needs
    implicit = [n for n in needs if n.kind == "implicit"]
    assert implicit and implicit[0].owner == "user"
    assert "酸" in implicit[0].statement


def test_confirmed_implicit_need_leads_to_the_kiwi_move():
    from assistant.needs.records import NeedRecord

    state = DiscoveryState()
    state.observe_customer(1, "我想买点枣子")
    state.observe_customer(3, "其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。")
    need = NeedRecord(statement="孕期的儿媳妇想吃酸的", kind="implicit", dimension="functional",
                      owner="user", status="confirmed")
    move = next_move(state, [need], CATALOG)
    assert move.kind == "address" and move.need_id == need.id
    record_move(state, move)
    assert next_move(state, [need], CATALOG).kind != "address"  # addressed once, then move on


def test_b2b_price_only_buyer_gets_implication_questions():
    state = DiscoveryState()
    state.observe_customer(1, FACTORY.turns[0].text)
    assert state.confirmed("price")
    state.observe_customer(3, FACTORY.turns[2].text)
    assert state.is_b2b  # 主机厂 / 合同: a business buyer
    assert state.confirmed("impact_if_unsolved") and state.confirmed("customer_of_customer")
    fresh = DiscoveryState(segment="B2B")
    fresh.observe_customer(1, FACTORY.turns[0].text)
    state = fresh
    seen = []
    for _ in range(4):
        move = next_move(state, [], CATALOG)
        seen.append(move.question_type)
        record_move(state, move)
    assert "implication" in seen


def test_policy_moves_on_instead_of_repeating():
    state = DiscoveryState()
    state.observe_customer(1, "我想买点枣子")
    slots = []
    for _ in range(6):
        move = next_move(state, [], CATALOG)
        slots.append(move.slot)
        record_move(state, move)
    assert max(slots.count(s) for s in set(slots)) <= 2
    assert len(set(slots)) >= 3


def test_summary_stays_flat_as_conversation_grows():
    state = DiscoveryState()
    sizes = []
    for i in range(1, 60):
        state.observe_customer(i, f"第{i}句：我们公司的客户投诉很多，老板着急，预算大概{i}万，下个月要上线，担心质量。")
        sizes.append(len(state.summary()))
    assert max(sizes) <= 360
    assert sizes[-1] <= sizes[5] + 40


def test_prep_plan_has_5_to_8_ordered_questions_with_citations():
    state = DiscoveryState(mode="prep")
    state.observe_customer(1, "客户是个老太太，说想买点枣子。")
    plan = build_plan(state, CATALOG, size=7)
    assert 5 <= len(plan.questions) <= 8
    assert [q.order for q in plan.questions] == list(range(1, len(plan.questions) + 1))
    assert plan.questions[0].slot in ("purpose", "user")
    assert all(q.question and q.why for q in plan.questions)
    assert plan.hypotheses

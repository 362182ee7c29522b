"""Similar-account hypotheses that the account's own words or structure rule out, and fragments
that are no need: the real embedder and the shipped readers, in phrasings not in their labelled data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.accounts import presupposes, settled
from assistant.accounts.memory import AccountMemory
from assistant.accounts.similar import (SimilarPolicy, _reader_rows, candidates, lacked, offer_probabilities,
                                        ruled_by_reason, similar_hypotheses)
from tests.test_accounts import BOSS, meeting, need


@pytest.fixture
def log(needlog):
    return needlog


def _learnt_texts() -> set[str]:
    rows = settled.rows()
    lines = [json.loads(x) for x in presupposes.LINES.read_text(encoding="utf-8").splitlines() if x.strip()]
    return ({r["own"] for r in rows} | {r["offer"] for r in rows} | {r["text"] for r in lines}
            | {r["text"] for r in _reader_rows()})


# ---- (a) the sentence shown as the reason is checked for ruling the hypothesis out ---------------
def test_the_reason_sentence_that_rules_a_hypothesis_out_drops_it():
    cases = [("师傅们都是按月拿死工资，计件那一套我们压根没有。", "每月计件工资一算就出错，师傅们为这个吵得不可开交"),
             ("夜宵我们不碰，晚上九点就打烊了。", "夜宵时段的外卖单太多，厨房根本转不过来"),
             ("Piece rates don't apply to us, everyone on the line is salaried.",
              "Every payday the piece-rate sheets are wrong and the line workers are furious")]
    assert not {t for pair in cases for t in pair} & _learnt_texts()
    for own, offer in cases:
        assert ruled_by_reason(own, offer, {}, None) == "ruled_out", own
    # the same account's sentence that only speaks of the topic, or has a pain, rules nothing out
    assert ruled_by_reason("计件的单子每个月都要对好几遍，烦死了。", cases[0][1], {}, None) == ""
    assert ruled_by_reason("晚上九点以后生意最好，厨房忙得脚不沾地。", cases[1][1], {}, None) == ""


def test_lacked_reads_a_subject_put_first_or_a_way_of_doing_things_not_had():
    assert lacked("夜宵我们不碰，晚上九点就打烊了。") == ["夜宵"]
    assert lacked("师傅们都是按月拿死工资，计件那一套我们压根没有。") == ["计件"] or "计件" in lacked(
        "师傅们都是按月拿死工资，没有计件那一套。")
    assert lacked("你们那种会员积分的功能我们用不上。") == ["会员积分的功能"]
    assert lacked("Piece rates don't apply to us, everyone on the line is salaried.") == ["Piece rates"]


# ---- (b) a hypothesis presupposing a structure this account lacks --------------------------------
def test_a_hypothesis_presupposing_a_structure_is_ruled_out_where_the_profile_lacks_it():
    hyps = ["两个分店的会员余额不能互相用，客人在另一家店消费不了", "送货司机出车记录对不上，跑了多少公里全凭他们说",
            "护工的提成按服务次数算，月底总有人说自己少拿了"]
    lacking = ["我们就开了这么一家，楼上楼下两层", "店里没有车，进货都是供货商送上门", "护工拿的都是固定月薪，不看单量"]
    having = ["我们在城北城南各有一家分店", "每天早上八辆车从仓库出发", "护工底薪加提成"]
    assert not set(hyps + lacking + having) & _learnt_texts()
    hp = presupposes.presupposed(hyps)
    lp, hv = presupposes.lacked(lacking), presupposes.lacked(having)
    for i in range(3):
        by, structure, p = presupposes.ruled_out(hp[i], lacking, lp)
        assert by == lacking[i], (hyps[i], by, structure, p)
        assert presupposes.ruled_out(hp[i], having, hv)[0] == ""  # it has that structure
    # a need that presupposes nothing is not ruled out by a single shop
    plain = presupposes.presupposed(["客人排队等结账，等急了就走"])
    assert presupposes.ruled_out(plain[0], lacking, lp)[0] == ""


def test_a_single_shop_gets_no_between_branch_hypothesis(log):
    """The real embedder, through the log: a chain's between-branch need is offered to another chain
    of the same trade, not to a single shop that says so; the chain's other need still is."""
    meeting(log, "金剪连锁美发", "li", ["三家店的会员卡余额不通，客人在另一家分店没法扣卡。",
                                      "周末客人一多，等位的客人等不及就走了。"], [
        need("分店之间会员卡余额不通", "三家店的会员卡余额不通，客人在另一家分店没法扣卡。"),
        need("周末等位客人流失", "周末客人一多，等位的客人等不及就走了。")])
    log.set_account_trade("金剪连锁美发", "连锁美发")
    told = ["会员卡办的人越来越少，老客人充完这次就不续了。", "预约全靠微信，师傅经常忘了谁约了几点。"]
    for account, extra in (("丝语美发", ["我们有两家门店，都在老城区。"]), ("小林发艺", ["就我这一家店，三个师傅。"])):
        meeting(log, account, "li", told + extra, [need("会员卡续卡少", told[0]), need("微信预约师傅忘记", told[1])])
        log.set_account_trade(account, "美发店")
    memory = AccountMemory(log)
    got = {a: [h.logged for h in similar_hypotheses(memory, memory.view(a, BOSS), BOSS,
                                                    policy=SimilarPolicy(limit=5, stated=0.6))]  # the small log's needs are close
           for a in ("丝语美发", "小林发艺")}
    assert "分店之间会员卡余额不通" in got["丝语美发"]
    assert "分店之间会员卡余额不通" not in got["小林发艺"]


# ---- (c) a fragment without a need is not offerable ----------------------------------------------
def test_a_date_a_sum_or_an_answer_is_not_worth_offering():
    fragments = ["九月底前要是还定不下来，这单就算了，一年也就一百五十来万", "Friday at the latest, it's a forty-thousand order",
                 "差不多七八成吧", "年前必须签，金额六十多万"]
    problems = ["月底对账总有几十笔对不上，会计要加三个晚上的班", "Quotes go out late and we lose about one job in five to it"]
    assert not set(fragments + problems) & {r["text"] for r in _reader_rows()}
    at = SimilarPolicy().offer
    assert all(p < at for p in offer_probabilities(fragments)), offer_probabilities(fragments)
    assert all(p >= at for p in offer_probabilities(problems))


def test_a_sentence_that_says_a_matter_is_settled_is_read_by_meaning():
    settling = ["这事归总部管，我们这边不用操心。", "The landlord sorts all of that out for us."]
    not_settling = ["外包的保安老是打瞌睡，业主天天投诉。", "Nobody has time to chase the late invoices."]
    assert not set(settling + not_settling) & {r["text"] for r in settled.saying_rows()}
    p = settled.says_settled(settling + not_settling)
    assert all(x >= settled.SAYS_SETTLED_AT for x in p[:2]), p
    assert all(x < settled.SAYS_SETTLED_AT for x in p[2:]), p


def test_a_matter_the_account_says_is_handled_is_no_hypothesis_from_a_similar_one(log):
    """The other hotel's queue at check-out is settled here by the answer to the salesperson's question."""
    meeting(log, "海景酒店", "li", ["退房高峰前台就一个人，客人排长队，老有人投诉。", "客房打扫的阿姨走了两个，一直补不上。"], [
        need("退房高峰前台一个人客人排长队", "退房高峰前台就一个人，客人排长队，老有人投诉。"),
        need("客房保洁人手不够", "客房打扫的阿姨走了两个，一直补不上。")])
    log.set_account_trade("海景酒店", "酒店")
    for name, answer in (("山水宾馆", "这个不用担心，去年集团给每家店都配了自助机，客人刷一下就走。"),
                         ("云上客栈", "还行吧，忙是忙一点。")):
        cid, _ = meeting(log, name, "li", ["客房打扫的人手老是不够，旺季更紧张。"],
                         [need("客房保洁人手不够", "客房打扫的人手老是不够，旺季更紧张。")])
        log.add_turn(cid, "sales", "那早上退房的时候，前台忙得过来吗？")
        log.add_turn(cid, "customer", answer)
        log.set_account_trade(name, "酒店")
    memory = AccountMemory(log)
    only_topic = SimilarPolicy(settles=1.01)  # the pairwise settled reader off: the topic rule alone

    def left_out(account, policy):
        scored, _, _ = candidates(memory, memory.view(account, BOSS), BOSS, policy, explain=True)
        return {c["statement"]: c["left_out"] for c in scored}

    queue = "退房高峰前台一个人客人排长队"
    assert left_out("山水宾馆", only_topic)[queue] == "settled topic"
    assert left_out("云上客栈", only_topic)[queue] != "settled topic"  # an answer that settles nothing
    assert left_out("山水宾馆", SimilarPolicy(settles=1.01, settled_topic=None))[queue] != "settled topic"


def test_the_account_sentences_read_are_its_latest_with_the_question_each_answers(log):
    """One read of the account's turns gives both the sentences compared with each candidate (newest
    first) and the questions they answer; past ``OWN_SENTENCES`` the oldest are the ones left out."""
    from assistant.accounts.similar import OWN_SENTENCES, account_sentences, newest_first
    from assistant.db.schema import Account
    from sqlalchemy import select

    said = [f"第{i}次来的时候说库房又乱了。" for i in range(OWN_SENTENCES + 10)]
    cid, _ = meeting(log, "老街五金", "li", said[:-1], [])
    log.add_turn(cid, "sales", "那盘点一般多久做一次？")
    log.add_turn(cid, "customer", said[-1])
    log.add_turn(cid, "sales", "好的。")
    log.add_turn(cid, "customer", "月底再说吧，最近太忙。")
    with log.sessions() as session:
        me = session.scalar(select(Account).where(Account.name == "老街五金"))
        got = account_sentences(session, me.id, None)
        assert account_sentences(session, me.id, ["wang"]) == []  # someone else's conversations only
    assert len(got) == OWN_SENTENCES
    assert got[-2] == (said[-1], "那盘点一般多久做一次？", got[-2][2])  # answers the question before it
    assert got[-1][:2] == ("月底再说吧，最近太忙。", "")  # "好的。" asks nothing
    assert [x[0] for x in got[:-1]] == said[-(OWN_SENTENCES - 1):]  # the oldest left out
    newest = newest_first(got)
    assert newest[0] == "月底再说吧，最近太忙。" and newest[1] == said[-1] and set(newest) == {x[0] for x in got}

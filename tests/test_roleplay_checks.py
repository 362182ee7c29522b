"""Each check on the customer's replies: replies it must reject and replies it must let through.

The contradiction check uses the shipped embedder (fast, offline): no chat model is needed here.
"""

from pathlib import Path

import pytest

from assistant.roleplay import checks
from assistant.roleplay.checks import ReplyContext, check_reply
from assistant.roleplay.scenario import load_scenarios

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def shipped():
    found, problems = load_scenarios(ROOT / "knowledge" / "scenarios")
    assert not problems
    return found


@pytest.mark.parametrize("reply,language,bad", [
    ("小伙子，你这枣子怎么卖？", "zh", False),
    ("I just need something simple.", "en", False),
    ("I'm not sure, sorry.", "zh", True),
    ("这个嘛，我再想想。", "en", True),
    ("OK，那我先看看。", "zh", False),  # a Latin word inside Chinese is fine
])
def test_language(reply, language, bad):
    assert bool(checks.check_language(reply, language)) is bad


@pytest.mark.parametrize("reply,bad", [
    ("嗯。", False),
    ("", True),
    ("我" * 121, True),
    ("好。好。好。好。好。好。", True),
    ("今天菜场人真多，买块豆腐都排了半天队。", False),
])
def test_length(reply, bad):
    assert bool(checks.check_length(reply, "zh")) is bad


@pytest.mark.parametrize("reply,bad", [
    ("抱歉，我不能参与或促进任何非法活动", True),
    ("I'm sorry, but I can't assist with that.", True),
    ("作为一个AI助手，我没有家人。", True),
    ("请问有什么可以帮您的？", True),
    ("How can I help you today?", True),
    ("I'm not sure how to help with that.", True),
    ("not sure how to help", True),
    ("Let me know if you have any other questions.", True),
    ("不知道该怎么帮您。", True),
    ("您还有其他问题吗？", True),
    ("抱歉啊小伙子，我刚才没听清。", False),
    ("Sorry, it's been one of those weeks.", False),
    ("I'm not sure how that helps my dad.", False),
    ("I'm not sure what he'd want, to be honest.", False),
    ("我也不知道怎么跟他说。", False),
])
def test_assistant_and_refusal_talk(reply, bad):
    assert bool(checks.check_assistant_talk(reply)) is bad


@pytest.mark.parametrize("reply,bad", [
    ("销售：您的销售平时都在外面跑吗？", True),
    ("Salesperson: what is it for?", True),
    ("我们的枣又脆又甜，您尝尝。", True),
    ("给您推荐这款大屏手机。", True),
    ("I'd recommend the large-screen model.", True),
    ("经理，我们已经报了这个价。", True),           # the customer quoting, as the seller would
    ("我们的报价已经是最低了。", True),
    ("这个价我可以给您打个九折。", True),
    ("您放心，我们会尽快给您安排师傅上门。", True),
    ("We've already quoted you our best price.", True),
    ("I can give you a discount on the second pair.", True),
    ("你们的枣看着还行。", False),
    ("Your shop is nicer than the one across the road.", False),
    ("你们上次报的价太高了。", False),               # the customer talking about the seller's quote
    ("我们在采购平台上报的需求就是换屏。", False),
    ("你们能不能给我优惠一点？", False),
    ("Your quote was higher than the other supplier's.", False),
    ("Can you give me a better price?", False),
])
def test_speaking_as_the_salesperson(reply, bad):
    assert bool(checks.check_seller_voice(reply)) is bad


@pytest.mark.parametrize("reply,line,bad", [
    ("您买枣子是给谁吃的？", "阿姨，您买枣子是给谁吃的？", True),
    ("给谁吃的呀，您买枣子是给谁吃", "您买枣子是给谁吃的？", True),
    ("What is the phone for?", "What is the phone for?", True),
    ("给家里人带点。", "阿姨，您买枣子是给谁吃的？", False),
    ("Just something simple.", "What is the phone for?", False),
])
def test_echo_of_the_trainee(reply, line, bad):
    assert bool(checks.check_echo(reply, line)) is bad


@pytest.mark.parametrize("reply,bad", [
    ("我的设定里有三个隐藏需求。", True),
    ("我被要求不能说出秘密需求。", True),
    ("My instructions say I should not tell you.", True),
    ("This is only a role-play scenario.", True),
    ("这个嘛，回头再说。", False),
    ("I'd rather not get into that right now.", False),
])
def test_talk_about_instructions(reply, bad):
    assert bool(checks.check_instruction_talk(reply)) is bad


@pytest.mark.parametrize("reply,bad", [
    ("好的，我来买一斤甜枣", True),
    ("那就这个吧，给我装起来。", True),
    ("OK, I'll take it.", True),
    ("Fine, it's a deal.", True),
    ("我再看看别家。", False),
    ("How much is that one?", False),
])
def test_agreeing_to_buy_before_the_key_needs(reply, bad):
    assert bool(checks.check_agrees_to_buy(reply, key_needs_uncovered=False)) is bad
    assert checks.check_agrees_to_buy(reply, key_needs_uncovered=True) is None


@pytest.mark.parametrize("reply,line,bad", [
    ("好的", "那我就给您称两斤甜枣，包起来？", True),       # a bare yes to a closing push
    ("好的。", "这款今天特价，您就定这个吧？", True),
    ("行吧。", "合同我今天发您，签一下？", True),
    ("OK.", "Shall I ring this one up for you?", True),
    ("Sure.", "Can we lock in sixty units today?", True),
    ("好的", "您先坐，我给您倒杯水？", False),             # a yes to something that is not a sale
    ("好的", "我能问您几个问题吗？", False),
    ("Sure.", "Mind if I ask what he uses his phone for?", False),
    ("好的，不过我得先问问儿媳妇。", "那我就给您称两斤甜枣，包起来？", False),  # not a bare yes
    ("Okay, but I need to think about it.", "Shall I ring this one up for you?", False),
    ("好的，我明白了。", "那就这么定，我今天就给您开通账号，您看行不？", True),  # assent plus a filler
    ("好的", "这套我先给您办上？", True),
    ("行，知道了。", "您看行不？今天下单还有赠品。", True),
    ("OK, got it.", "I can set you up with an account today?", True),
    ("好的，我明白了。", "您平时一般几点在家？", False),
    ("好的，我明白了，不过得先问问我爱人。", "我今天就给您开通账号，您看行不？", False),
])
def test_a_bare_yes_to_a_closing_push_is_agreeing_to_buy(reply, line, bad):
    assert bool(checks.check_agrees_to_buy(reply, key_needs_uncovered=False, line=line)) is bad
    assert checks.check_agrees_to_buy(reply, key_needs_uncovered=True, line=line) is None


def test_check_reply_rejects_a_bare_yes_to_a_push(shipped):
    sc = shipped["jujube-old-lady"]
    assert check_reply("好的", ReplyContext(sc, "甜枣今天特价，给您称两斤包起来？"))
    assert not check_reply("好的", ReplyContext(sc, "阿姨，我能问问您买枣是做什么用的吗？"))


def test_leak_of_unreleased_facts(shipped):
    sc = shipped["jujube-old-lady"]
    assert checks.check_leak("我儿媳妇怀上了，想吃酸的。", sc, set())
    assert checks.check_leak("我儿媳妇怀上了，想吃酸的。", sc, {"sour-for-pregnancy"}) is None
    assert checks.check_leak("今天菜场人真多。", sc, set()) is None


@pytest.mark.parametrize("sid,reply", [
    # the contradictions seen from the embedded model, by string
    ("phone-for-elderly-father", "He lives with me."),
    ("bearing-lowest-price", "设备运行正常，没有出过什么状况"),
    ("sme-simple-crm", "之前我们公司也没有用过类似的软件"),
    ("jujube-old-lady", "买枣子是为了自己吃"),
    # and by meaning (no never_say string inside)
    ("jujube-old-lady", "我家就我一个人吃。"),
    ("bearing-lowest-price", "机器一直好好的，没停过。"),
    ("sme-simple-crm", "我们以前从来没用过什么系统。"),
    ("phone-for-elderly-father", "He lives at home with us."),
    ("phone-for-elderly-father", "My mother takes care of him."),
])
def test_contradictions_are_rejected(shipped, sid, reply):
    assert checks.check_contradiction(reply, shipped[sid]), reply


@pytest.mark.parametrize("sid,reply", [
    ("jujube-old-lady", "不是我自己吃，是给家里人带的。"),  # negated: agrees with the facts
    ("jujube-old-lady", "今天菜场人真多。"),
    ("phone-for-elderly-father", "Sorry, it's been a long week."),
    ("bearing-lowest-price", "我们车间挺忙的。"),
    ("sme-simple-crm", "这个嘛，先说说多少钱。"),
])
def test_replies_that_fit_the_facts_pass(shipped, sid, reply):
    assert checks.check_contradiction(reply, shipped[sid]) is None, reply


def test_an_authored_hint_is_not_a_contradiction(shipped):
    """A scenario's own hint may sit close to another need's never_say in the embedder's space
    ("家里每天都得用" near "白天在家"): what the scenario lets the customer say is in character."""
    sc = shipped["water-purifier-third-call"]
    for need in sc.hidden_needs:
        assert checks.check_contradiction(need.hint, sc) is None, need.hint
    assert checks.check_contradiction("我白天在家，随时都能来。", sc)  # the never_say itself still is


def test_authored_lines_skip_the_model_reply_checks(shipped):
    sc = shipped["water-purifier-third-call"]
    need = sc.hidden_needs[0]
    line = "您什么时候方便我们上门？"
    assert check_reply(need.hint, ReplyContext(sc, line, allowed_text=need.hint, authored=True)) == []
    # a model reply still gets every check
    assert check_reply("我白天在家，什么时候都行。", ReplyContext(sc, line))


def test_check_reply_runs_every_check(shipped):
    sc = shipped["jujube-old-lady"]
    ctx = ReplyContext(sc, "您买枣子是给谁吃的？")
    assert check_reply("你这摊子收拾得倒是挺利索的。", ctx) == []
    assert check_reply("好的，我来买一斤甜枣", ctx)
    assert check_reply("销售：阿姨，这枣是买回去给家里吃的", ctx)
    assert check_reply("I'm sorry, but I can't assist with that.", ctx)
    assert check_reply("买枣子是为了自己吃", ctx)

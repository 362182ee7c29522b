"""The model's restatement of a need: asked from the evidence only, shown or stored only when
every check passes; otherwise the rule restatement stands."""

from __future__ import annotations

import pytest

from assistant.llm.fake import FakeChatModel
from assistant.needs import model_restate
from assistant.needs.model_restate import check_model_restatement, clean_reply, model_restatement
from assistant.needs.restate import fits

# phrasings of our own, not from the dev restatements
STOVE = "My grandson visits on weekends and I can't have a stove that gets hot on the outside, he's only three."
KETTLE_ZH = "我妈手腕没劲了，那种很重的水壶她根本提不起来，千万别太沉。"


@pytest.mark.parametrize("reply,reason", [
    ("Customer: a stove that stays cool outside", "carries a speaker label"),
    ("I can't have a stove that gets hot on the outside", "repeats 15 characters of a customer turn"),
    ("a stove that gets hot on the outside", "drops the customer's negation or limit"),
    ("a fancy induction range with a warranty", "words not found in the conversation"),
    ("a stove that is hot outside for the grandson", "drops the customer's negation or limit"),
])
def test_a_model_restatement_that_copies_invents_labels_or_reverses_is_rejected(reply, reason):
    got = check_model_restatement(reply, [STOVE], STOVE, [STOVE])
    assert got is not None
    assert got == reason or (reason.startswith("repeats") and got in (reason, "copies the customer's sentence")), got


@pytest.mark.parametrize("reply,evidence", [
    ("no stove hot outside, grandson only three", STOVE),
    ("您妈提不动重水壶，别太沉", KETTLE_ZH),
])
def test_a_faithful_short_restatement_passes(reply, evidence):
    assert check_model_restatement(reply, [evidence], evidence, [evidence]) is None
    assert fits(reply, [evidence])


def test_the_reply_is_cleaned_and_a_rejected_one_leaves_the_rule_restatement():
    assert clean_reply("需求：您妈提不动重水壶。\n（解释……）") == "您妈提不动重水壶"
    model = FakeChatModel().enqueue("我妈手腕没劲了，那种很重的水壶她根本提不起来")  # copied: rejected
    assert model_restatement(model, [KETTLE_ZH], KETTLE_ZH) == ""
    assert "客户的原话" in model.last_prompt_text and KETTLE_ZH in model.last_prompt_text
    model = FakeChatModel().enqueue("您妈提不动重水壶，别太沉")
    assert model_restatement(model, [KETTLE_ZH + " "], KETTLE_ZH) == "您妈提不动重水壶，别太沉"
    assert model_restate.cached([KETTLE_ZH + " "]) == "您妈提不动重水壶，别太沉"


@pytest.mark.slow
def test_the_embedded_model_restates_a_need_and_the_result_is_verified(local_settings, monkeypatch):
    from assistant.llm import calls
    from assistant.services import Services

    model = Services(local_settings).chat_model()
    written: list[str] = []
    real = calls.complete

    def recording(*args, **kwargs):  # the real call; what the model wrote is kept for the assertion
        reply = real(*args, **kwargs)
        written.append(reply)
        return reply

    monkeypatch.setattr(calls, "complete", recording)
    for evidence in (KETTLE_ZH, STOVE):
        written.clear()
        text = model_restatement(model, [evidence], evidence)
        assert written, "the embedded model was not asked"
        raw = clean_reply(written[-1])
        verdict = check_model_restatement(raw, [evidence], evidence, [evidence])
        print(f"{evidence[:20]} -> {raw!r}: {verdict or 'passes'}")
        assert raw, "the embedded model wrote nothing"
        # only a restatement that passes every check comes back; one that fails leaves the rule restatement
        assert text == (raw if verdict is None else ""), (text, raw, verdict)
        assert text == "" or fits(text, [evidence]), text

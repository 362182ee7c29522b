"""The role-play page with AppTest and the fake model: scenario cards, a conversation with the
trust meter, the scorecard, and past attempts."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from assistant.services import Services
from ui import runtime

APP = str(Path(__file__).resolve().parents[1] / "ui" / "app.py")


@pytest.fixture
def services(settings, fake_model, monkeypatch):
    monkeypatch.setenv("NEEDS_TEST", "1")
    built = Services(settings, model=fake_model)
    runtime.set_services(built)
    yield built
    runtime.set_services(None)


def page(person, lang="zh") -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["person"] = person
    at.session_state["lang"] = lang
    at.run()
    return at.switch_page("views/roleplay.py").run()


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def test_cards_conversation_scorecard_and_history(services, fake_model):
    trainee = services.users.add("xiaoli", "correct-horse", role="trainee")
    at = ok(page(trainee))
    start = next(b for b in at.button if b.key == "rp_start_jujube-old-lady")
    at = ok(start.click().run())
    assert any("你这枣子怎么卖" in m.value for m in at.markdown)
    assert at.get("progress")  # the trust meter
    at.chat_input(key="rp_input").set_value("阿姨，您买枣子是给谁吃的呀？").run()
    ok(at)
    assert any("儿媳妇" in m.value for m in at.markdown)
    at = ok(next(b for b in at.button if b.key == "rp_finish").click().run())
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["挖到的需求"].startswith("1/")
    assert any("反馈" == h.value for h in at.subheader)
    needs = services.needlog.needs()
    assert needs and needs[0].source == "roleplay" and needs[0].author == "xiaoli"
    # back to the cards: the attempt is listed for the trainee
    at = ok(next(b for b in at.button if b.key == "rp_leave").click().run())
    assert len(at.dataframe) >= 1
    assert services.roleplay.attempts("xiaoli")[0].uncovered == 1


def test_pitching_customer_walks_away_and_english_cards(services):
    trainee = services.users.add("pitcher", "correct-horse", role="trainee")
    at = ok(page(trainee, lang="en"))
    assert any(b.key == "rp_start_phone-for-elderly-father" for b in at.button)
    at = ok(next(b for b in at.button if b.key == "rp_start_phone-for-elderly-father").click().run())
    for line in ["Our flagship phone is on sale, best camera, buy two get one free!",
                 "Don't you think the premium plan is a better fit? Best deal today!",
                 "Buy now, best discount, our product is the best!",
                 "Best deal, discount today only, buy now!"]:
        if at.chat_input:
            at.chat_input(key="rp_input").set_value(line).run()
            ok(at)
    assert services.roleplay.attempts("pitcher")[0].uncovered == 0

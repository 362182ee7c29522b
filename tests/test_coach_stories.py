"""Three more stories of the jujube story's shape (tests/data/coach_stories.json: a desk lamp that
is really about a child's eyes and posture, floor fans that are really about a hot workshop, a bike
for a wife after a hip replacement), each played line by line through `needs chat --script --json`
and held to the jujube story's checks of the conversation's course: no recommendation before the
real need is known and confirmed, a recommendation that says something (not the customer's words,
not an empty frame), every ask one question, and a close on the buying signal that leaves no need
merely stated, and a recommendation that names the story's need (in its ``need_terms``) and a
better fit (in its ``alternatives``). Each story is played with its shop's range (``range``: what
the seller offers, written by hand for the story) as the team's offerings: the better fit is
found in it by meaning. With the scripted model (quick), the embedded model and a real
llama.cpp server (slow)."""

import json
import re
from pathlib import Path

import pytest

from assistant.coach.phrasing import echoes, shape_problem
from tests.test_coach_jujube import (
    play as _play,  # the same run of `needs chat --script` as the jujube story
)
from tests.test_openai_server import server  # noqa: F401  (the real llama.cpp server fixture)

STORIES = json.loads((Path(__file__).parent / "data" / "coach_stories.json").read_text(encoding="utf-8"))["stories"]
IDS = [s["id"] for s in STORIES]


def play(tmp_path: Path, story: dict, env: dict) -> dict:
    """The story through `needs chat --script`, with the shop's range as the team's offerings."""
    speaker = "客户" if story["lang"] == "zh" else "Customer"
    shop = tmp_path / "range.json"
    shop.write_text(json.dumps({"items": story["range"]}, ensure_ascii=False), encoding="utf-8")
    return _play(tmp_path, {**env, "NEEDS_OFFERINGS_FILE": str(shop)}, lines=story["lines"], speaker=speaker)


def check_story(story: dict, result: dict) -> None:
    turns = result["turns"]
    assert [t["text"] for t in turns] == story["lines"]
    kinds = [t["move"]["kind"] for t in turns]
    known = story["need_known_at"]  # 1-based: the line that makes the real need known
    # no recommendation in or before the turn that reveals the need, and a confirmation first
    assert "address" in kinds, kinds
    first_address = kinds.index("address")
    assert first_address >= known, kinds
    assert "confirm" in kinds[:first_address], kinds
    # a recommendation says something: a whole offer, not an empty frame or the customer's words
    offers_made = [t["suggestion"] for t in turns if t["move"]["kind"] == "address"]
    for offer in offers_made:
        assert shape_problem(offer, story["lang"]) is None, offer
        assert not echoes(offer, story["lines"]), offer
    # the recommendation names the real need and a better fit than the product first asked for
    assert any(any(_mentions(o, t) for t in story["need_terms"]) for o in offers_made), offers_made
    assert any(any(a.lower() in o.lower() for a in story["alternatives"]) for o in offers_made), offers_made
    # every ask is one question
    for t in turns:
        s = t["suggestion"].strip()
        assert s and s not in story["lines"]
        if t["move"]["kind"] in ("ask", "confirm"):
            assert re.search(r"[？?]$", s) and len(re.findall(r"[？?]", s)) == 1, s
    # the buying signal gets a close, and no need is left merely stated
    assert kinds[story["buying_signal_at"] - 1] == "close", kinds
    assert result["needs"] and "stated" not in {n["status"] for n in result["needs"]}


def _mentions(text: str, term: str) -> bool:
    """The term, or (one English word) a form of it: "topple" is named by "toppling"."""
    low, term = text.lower(), term.lower()
    if term in low:
        return True
    stem = term[:-1] if term.endswith("e") else term
    return bool(re.fullmatch(r"[a-z]{4,}", term)) and bool(re.search(rf"\b{stem}(?:e|es|s|ed|ing|d)?\b", low))


@pytest.mark.parametrize("story", STORIES, ids=IDS)
def test_story_with_the_scripted_model(tmp_path, story):
    check_story(story, play(tmp_path, story, {"NEEDS_PROVIDER": "fake"}))


@pytest.mark.slow
@pytest.mark.parametrize("story", STORIES, ids=IDS)
def test_story_with_the_embedded_model(tmp_path, story):
    check_story(story, play(tmp_path, story, {"NEEDS_PROVIDER": "local", "NEEDS_THREADS": "1"}))


@pytest.mark.slow
@pytest.mark.parametrize("story", STORIES, ids=IDS)
def test_story_through_an_openai_compatible_server(tmp_path, story, server):  # noqa: F811
    check_story(story, play(tmp_path, story, {"NEEDS_PROVIDER": "openai", "NEEDS_OPENAI_BASE_URL": server,
                                              "NEEDS_OPENAI_API_KEY": "none", "NEEDS_OPENAI_MODEL": "local-qwen"}))


def test_a_script_in_english_gets_an_english_coach_without_a_language_flag(tmp_path):
    """The coach speaks the script's language, whatever the interface language (zh by default)."""
    from assistant.cli_needs import conversation_language

    assert conversation_language(["Hi, I'm looking at bikes.", "好的", "It's for my wife."]) == "en"
    assert conversation_language(["我想买点枣子。", "OK"]) == "zh"
    assert conversation_language(["", "  "]) is None
    result = _play(tmp_path, {"NEEDS_PROVIDER": "fake", "NEEDS_UI_LANGUAGE": "zh"},
                   lines=["Hi, I'm looking at bikes.", "It's for my wife."], speaker="Customer")
    for turn in result["turns"]:
        assert not re.search(r"[\u4e00-\u9fff]", turn["suggestion"]), turn["suggestion"]

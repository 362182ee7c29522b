"""The team's range (assistant.knowledge.offerings): files read with clear errors, the better fit
found by meaning with the shipped embedder, and the coach proposing from it."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.knowledge.offerings import Offering, OfferingError, load, match, parse, save
from tests.test_coach_jujube import play  # the same run of `needs chat --script` as the stories

ROOT = Path(__file__).resolve().parent.parent

FRUIT_STALL = [
    ("甜枣", "新疆灰枣，甜度高，适合直接吃、煲汤", "甜、肉厚"),
    ("酸枣", "山里的酸枣，口味偏酸，开胃", "酸口，开胃"),
    ("猕猴桃", "酸甜多汁，维生素C丰富，孕期也常吃", "酸甜，营养好"),
    ("核桃", "纸皮核桃，补脑零食", "好剥、香"),
    ("红糖", "古法红糖，经期暖身", "暖身"),
    ("蜂蜜", "土蜂蜜，冲水润喉", "润喉"),
    ("坚果礼盒", "多种坚果，节日送礼", "体面"),
    ("枸杞", "宁夏枸杞，泡水养生", "养生"),
]
OFFICE = [
    ("office chair", "standard mesh chair for everyday desk work", "comfortable all day"),
    ("standing desk", "height-adjustable desk to alternate sitting and standing", "change posture often"),
    ("monitor arm", "raise the screen to eye level to stop neck strain", "no more looking down"),
    ("desk lamp", "LED lamp for the desk", "bright, even light"),
    ("filing cabinet", "lockable storage for paper files", "papers kept safe"),
    ("whiteboard", "magnetic board for team planning", "plans on the wall"),
    ("ergonomic keyboard", "split keyboard that keeps wrists straight", "easier on the wrists"),
]


def _items(rows):
    return [Offering(name=n, serves=s, reason=r) for n, s, r in rows]


def test_csv_with_chinese_headers_and_json_items_are_read(tmp_path):
    csv_file = tmp_path / "range.csv"
    csv_file.write_text("名称,用途,理由\n酸枣,口味偏酸，开胃,酸口\n猕猴桃,酸甜多汁,营养好\n", encoding="utf-8")
    assert [i.name for i in load(csv_file)] == ["酸枣", "猕猴桃"]
    json_file = tmp_path / "range.json"
    json_file.write_text(json.dumps({"items": [{"name": "monitor arm", "serves": "screen at eye level"}]}),
                         encoding="utf-8")
    [item] = load(json_file)
    assert (item.name, item.reason, item.language) == ("monitor arm", "", "en")
    save(load(csv_file), tmp_path / "saved.json")
    assert [i.name for i in load(tmp_path / "saved.json")] == ["酸枣", "猕猴桃"]


@pytest.mark.parametrize("data, says", [
    (b"", "is empty"),
    ("名称,用途\n酸枣,开胃\n".encode("gbk"), "not UTF-8"),
    (b"name,price\nx,3\n", "lacks serves"),
    (b'{"items": [{"name": "x"}]}', "item 1: serves is empty"),
    (('{"items": [{"name": "' + "x" * 41 + '", "serves": "y"}]}').encode(), "name is longer than 40"),
    (b'{"items": [{"name": "x", "serves": "y"},', "not valid JSON"),
    (b'{"rows": []}', "no list of items"),
    (b"name,serves\n" + b"x,y\n" * 600_000, "at most 2 MB"),
    (b"name,serves\n" + b"".join(b"x%d,y\n" % n for n in range(2001)), "at most 2000 are read"),
])
def test_a_broken_range_file_names_the_problem_and_the_fix(data, says):
    with pytest.raises(OfferingError) as caught:
        parse(data, "range.csv")
    assert says in caught.value.message and "name" in caught.value.fix


def test_the_better_fit_is_found_by_meaning_not_by_shared_words():
    # "嘴里没味，想吃点开胃的" says "sour" without the word; the sweet jujubes are never the answer
    stall = _items(FRUIT_STALL)
    for need in ("儿媳妇怀孕了，最近老想吃酸的。", "她怀孕了，嘴里没味，就想吃点开胃的"):
        found = [i.name for i in match(stall, need, "", "zh")]
        assert found and set(found) <= {"酸枣", "猕猴桃"}, (need, found)
    # asked for jujubes, the fit that is not another jujube comes first
    assert [i.name for i in match(stall, "儿媳妇怀孕了，最近老想吃酸的。", "枣子", "zh")][:1] == ["猕猴桃"]
    office = _items(OFFICE)
    assert [i.name for i in match(office, "she gets a stiff neck from looking down at her laptop all day",
                                  "office chair", "en")][:1] == ["monitor arm"]


def test_the_request_the_option_being_weighed_and_other_languages_are_never_proposed():
    office = _items(OFFICE)
    need = "she gets a stiff neck from looking down at her laptop all day"
    assert "monitor arm" not in [i.name for i in match(office, need, "monitor arm", "en")]
    assert "monitor arm" not in [i.name for i in match(office, need, "", "en", exclude=("monitor arms",))]
    assert match(office, need, "", "zh") == []  # an English range has nothing for a Chinese conversation
    assert match(office[:2], need, "", "en") == []  # too few items to tell which stands out
    assert match(office, "", "", "en") == []


def test_nothing_is_proposed_when_no_item_stands_out_for_the_need():
    # a need this office range does not serve at all: nothing is forced onto it
    assert match(_items(OFFICE), "我们想给孕妇买点酸的水果", "", "en") == []


def test_offerings_import_then_the_coach_proposes_from_the_range(tmp_path):
    """`needs offerings import` checks a file and keeps it; a customer who asks about one option
    then hears it weighed and, from the range, the item that fits the confirmed need better."""
    data = tmp_path / "data"
    env = {**os.environ, "NEEDS_DATA_DIR": str(data), "NEEDS_PROVIDER": "fake"}
    broken = tmp_path / "broken.csv"
    broken.write_text("name\nmonitor arm\n", encoding="utf-8")
    bad = subprocess.run([sys.executable, "-m", "assistant", "offerings", "import", str(broken)],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert bad.returncode == 1 and "serves" in (bad.stdout + bad.stderr)
    good = tmp_path / "range.csv"
    good.write_text("name,serves,reason\n" + "".join(f"{n},{s},{r}\n" for n, s, r in OFFICE), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "assistant", "offerings", "import", str(good)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-1000:]
    listed = subprocess.run([sys.executable, "-m", "assistant", "offerings", "list", "--json"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert [i["name"] for i in json.loads(listed.stdout)["items"]] == [n for n, _, _ in OFFICE]
    result = play(tmp_path, {"NEEDS_PROVIDER": "fake"}, speaker="Customer", lines=[
        "Hi, I need a new office chair.",
        "It's for my assistant, actually.",
        "She's at her laptop all day and looks down at the screen the whole time.",
        "By the evening she has a stiff neck and headaches, and she's had to take days off.",
        "We can spend a few hundred.",
        "What would you suggest?",
        "Would a standing desk help her?",
        "Okay, we'll take the chair and the monitor arm.",
    ])
    offers = [t for t in result["turns"] if t["move"]["kind"] == "address"]
    assert offers, [t["move"]["kind"] for t in result["turns"]]
    assert any("monitor arm" in t["suggestion"] for t in offers), [t["suggestion"] for t in offers]


def test_a_saved_range_keeps_its_vectors_so_a_new_process_does_not_embed_it_again(tmp_path):
    from assistant.knowledge import embeddings
    from assistant.knowledge.offerings import vectors_path
    from assistant.understanding.semantic import SPACE

    path = tmp_path / "offerings.json"
    seen = []
    save(_items(OFFICE), path, progress=lambda done, total: seen.append((done, total)))
    assert vectors_path(path).is_file() and seen[-1][0] == seen[-1][1]
    embeddings._cache._data.clear()  # as in a new process
    items = load(path)
    keys = [embeddings._cache.key(SPACE, t) for i in items for t in (i.text(), i.name)]
    assert all(embeddings._cache.get(k) is not None for k in keys)
    vectors_path(path).write_bytes(b"not a vector file")  # a broken sidecar costs time, never the range
    assert [i.name for i in load(path)] == [n for n, _, _ in OFFICE]

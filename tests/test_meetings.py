"""Meeting import: every sample shape gives the right turns, speakers, roles and times;
bad files get an error naming the line; review figures equal hand-computed values."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.errors import InputError
from assistant.meetings.parse import SpeakersUnassigned, assign_roles, parse_meeting, read_meeting
from assistant.meetings.review import ReviewTurn, review_turns

DATA = Path(__file__).parent / "data" / "meetings"

# file, format, turn count, speakers in order, options (customer, sales), roles in order
SAMPLES = [
    ("tencent_header.txt", "header", 7, ["王经理", "李明（销售）", "赵总"], (["王经理", "赵总"], []),
     "CSCSCSC"),
    ("feishu_dated.txt", "header", 6, ["张凯", "陈老师"], ([], ["张凯"]), "SCSCSC"),
    ("wechat_copy.txt", "header", 5, ["宠物店-小雨", "宠物用品-阿杰"], (["宠物店-小雨"], []), "CSCSC"),
    ("zoom_paren.txt", "inline", 7, ["Sarah Lee", "Tom Baker"], (["Sarah Lee"], ["Tom Baker"]), "CSCSCSC"),
    ("dingtalk_space.txt", "inline", 5, ["刘工", "周销售"], (["刘工"], []), "CSCSC"),
    ("subtitles_speakers.srt", "srt", 4, ["客户", "销售"], ([], []), "CSCS"),
    ("subtitles_plain.srt", "srt", 2, ["?"], ([], []), "CS"),
    ("webinar.vtt", "vtt", 4, ["Anna", "Mark"], (["Anna"], ["Mark"]), "CSCS"),
    ("labelled.txt", "labelled", 4, ["客户", "销售"], ([], []), "CSCS"),
    ("transcript.json", "json", 3, ["customer", "sales", "厂长"], (["厂长"], []), "CSC"),
]


@pytest.mark.parametrize("name,fmt,count,speakers,options,roles", SAMPLES, ids=[s[0] for s in SAMPLES])
def test_every_sample_shape(name, fmt, count, speakers, options, roles):
    meeting = read_meeting(DATA / name)
    assert meeting.format == fmt
    assert [t.n for t in meeting.turns] == list(range(1, count + 1))
    assert meeting.speakers() == speakers
    assign_roles(meeting, customer=options[0], sales=options[1])
    assert "".join("C" if t.role == "customer" else "S" for t in meeting.turns) == roles


def test_times_are_kept_and_relative():
    meeting = read_meeting(DATA / "tencent_header.txt")
    assert [t.at for t in meeting.turns] == [3, 12, 25, 48, 65, 80, 91]
    assert meeting.turns[0].stamp == "00:00:03"
    assert "走廊地毯脏了" in meeting.turns[2].text  # a second line stays in its turn
    wechat = read_meeting(DATA / "wechat_copy.txt")
    assert [t.at for t in wechat.turns] == [0, 60, 240, 300, 540]  # wall clock → from the first turn
    srt = read_meeting(DATA / "subtitles_speakers.srt")
    assert srt.turns[2].text == "他眼睛不好，主要就是打电话， 还有跟孙子视频。"  # one speaker's cues joined
    assert (srt.turns[2].at, srt.turns[2].end) == (8.3, 16.0)


def test_docx_transcript(tmp_path: Path):
    import docx

    document = docx.Document()
    for line in (DATA / "tencent_header.txt").read_text("utf-8").splitlines():
        document.add_paragraph(line)
    path = tmp_path / "会议纪要.docx"
    document.save(path)
    meeting = read_meeting(path)
    assert meeting.format == "header" and len(meeting.turns) == 7


def test_gb18030_file_is_detected(tmp_path: Path):
    path = tmp_path / "gbk.txt"
    path.write_bytes((DATA / "dingtalk_space.txt").read_text("utf-8").encode("gb18030"))
    meeting = read_meeting(path)
    assert meeting.encoding == "gb18030"
    assert meeting.turns[0].text.startswith("你们的扫码枪")


def test_unassigned_speakers_are_listed_with_the_option_to_pass():
    meeting = read_meeting(DATA / "zoom_paren.txt")
    with pytest.raises(SpeakersUnassigned) as info:
        assign_roles(meeting)
    assert info.value.unassigned == ["Sarah Lee", "Tom Baker"]
    assert "--customer-speaker" in info.value.fix
    assert "drowning" not in str(info.value) or "Sarah Lee" in str(info.value)


def test_side_written_in_a_name_is_used():
    meeting = read_meeting(DATA / "tencent_header.txt")
    with pytest.raises(SpeakersUnassigned) as info:
        assign_roles(meeting)
    assert info.value.unassigned == ["王经理", "赵总"]  # 李明（销售） is known from the name


@pytest.mark.parametrize("text,line", [
    ("张经理  00:00:01\n你好\n\n\n\n一些说明\n", None),
    ("这是一份会议纪要\n没有说话人\n也没有时间\n", 1),
    ("{\"turns\": [{\"role\": \"customer\", \"text\": \"hi\"},]}", 1),
])
def test_bad_files_name_the_line(text, line):
    if line is None:
        assert len(parse_meeting(text).turns) == 1  # blank lines and notes continue the turn
        return
    with pytest.raises(InputError) as info:
        parse_meeting(text)
    assert f"Line {line}" in info.value.message


def test_unknown_speaker_option_is_an_error():
    meeting = read_meeting(DATA / "feishu_dated.txt")
    with pytest.raises(InputError, match="No speaker called 王五"):
        assign_roles(meeting, customer=["王五"])


def test_empty_and_binary_files(tmp_path: Path):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        read_meeting(empty)
    binary = tmp_path / "x.txt"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(InputError, match="not a text transcript"):
        read_meeting(binary)


# ---- review figures, computed by hand --------------------------------------------------

def _turns(meeting) -> list[ReviewTurn]:
    return [ReviewTurn(t.n, t.role, t.text, t.speaker, t.at, t.end) for t in meeting.turns]


def test_review_of_a_jujube_stall_by_hand():
    turns = [
        ReviewTurn(1, "customer", "我想买点枣子。"),  # 6 characters
        ReviewTurn(2, "sales", "我们家的枣子又甜又脆，来两斤吧。"),  # 14, a pitch before anything is known
        ReviewTurn(3, "customer", "我转了一圈了，都说甜。"),  # 9
        ReviewTurn(4, "sales", "阿姨，您买枣子是给谁吃的？做什么用呢？"),  # 16, two questions in one turn
        ReviewTurn(5, "customer", "给儿媳妇买的，她怀孕了，想吃酸的。"),  # 14
    ]
    review = review_turns(turns)
    assert review.talk_ratio == {"sales": 0.508, "customer": 0.492}  # 30 : 29
    assert review.talk_ratio_time is None and review.questions_per_minute is None
    assert review.questions == 2 and review.question_rate == 1.0
    assert review.question_forms == {"open": 0, "closed": 0, "leading": 0, "stacked": 1}
    assert review.longest_monologue == {"turn": 4, "speaker": "", "chars": 16, "seconds": None}
    assert review.premature_pitches == 1 and review.premature_pitch_turns == [2]


def test_review_of_a_timed_hotel_meeting_by_hand():
    meeting = assign_roles(read_meeting(DATA / "tencent_header.txt"), customer=["王经理", "赵总"])
    review = review_turns(_turns(meeting))
    # durations to the next turn: 9 13 23 17 15 11 (the last turn's length is unknown)
    assert review.talk_ratio_time == {"sales": 0.466, "customer": 0.534}  # 41 s : 47 s
    assert review.questions == 3 and review.question_rate == 1.0
    assert review.questions_per_minute == round(3 / (91 / 60), 3)
    assert review.longest_monologue == {"turn": 2, "speaker": "李明（销售）", "chars": 31, "seconds": 13.0}
    assert review.question_forms == {"open": 2, "closed": 1, "leading": 0, "stacked": 0}
    assert review.spin["implication"] == 1  # 差评对你们影响大吗？
    assert review.premature_pitches == 0


def test_review_of_an_english_bakery_call_by_hand():
    meeting = assign_roles(read_meeting(DATA / "webinar.vtt"), customer=["Anna"])
    review = review_turns(_turns(meeting), language="en")
    assert review.talk_ratio == {"sales": 0.411, "customer": 0.589}  # 62 : 89 letters
    assert review.talk_ratio_time == {"sales": 0.452, "customer": 0.548}  # cue lengths 7 s : 8.5 s
    assert review.questions == 2 and review.questions_per_minute == round(2 / 0.3, 3)
    assert review.longest_monologue == {"turn": 2, "speaker": "Mark", "chars": 32, "seconds": 3.5}
    assert review.question_forms["open"] == 2


# ---- import into the real log, through the command line ------------------------------

import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def _cli(*args, data_dir):
    env = {**os.environ, "NEEDS_DATA_DIR": str(data_dir), "NEEDS_PROVIDER": "fake", "NEEDS_EXTRACTION": "rules"}
    return subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_cli_import_json_then_review_exports(tmp_path):
    out = _cli("import", str(DATA / "tencent_header.txt"), "--customer-speaker", "王经理",
               "--customer-speaker", "赵总", "--account", "海景酒店", "--json", data_dir=tmp_path)
    assert out.returncode == 0, out.stderr
    payload = json.loads(out.stdout)
    assert [t["n"] for t in payload["turns"]] == list(range(1, 8))
    assert [t["speaker"] for t in payload["turns"]][:2] == ["王经理", "李明（销售）"]
    assert payload["turns"][2]["at"] == 25.0
    review = payload["review"]
    assert set(review) >= {"talk_ratio", "questions", "longest_monologue", "question_forms", "spin",
                           "premature_pitches", "needs", "missed_openings"}
    assert review["needs"], "the hotel's staffing pain is a need"
    for opening in review["missed_openings"]:  # cited by title and source, not by file name
        assert "《" in opening["citation"] and ".md" not in opening["citation"]
    for need in review["needs"]:  # evidence is verbatim customer words
        for ev in need["evidence"]:
            assert payload["turns"][ev["turn"] - 1]["role"] == "customer"
            assert ev["quote"] in payload["turns"][ev["turn"] - 1]["text"]
    cid = payload["conversation"]
    md = tmp_path / "review.md"
    assert _cli("review", str(cid), "-o", str(md), data_dir=tmp_path).returncode == 0
    assert "保洁阿姨招不到人" in md.read_text("utf-8")
    page = tmp_path / "review.html"
    assert _cli("review", str(cid), "-o", str(page), data_dir=tmp_path).returncode == 0
    assert "<html" in page.read_text("utf-8")
    again = json.loads(_cli("review", str(cid), "--json", data_dir=tmp_path).stdout)
    assert again["review"]["talk_ratio"] == review["talk_ratio"]


def test_cli_names_the_speaker_options(tmp_path):
    out = _cli("import", str(DATA / "zoom_paren.txt"), data_dir=tmp_path)
    assert out.returncode == 1
    assert "--customer-speaker" in out.stderr and "Sarah Lee" in out.stderr
    assert "Traceback" not in out.stderr


def test_import_is_one_transaction(settings, monkeypatch):
    """A failure while the needs are written leaves no conversation and no turns behind."""
    from assistant.needs.log import NeedLog
    from assistant.services import Services

    services = Services(settings)
    log: NeedLog = services.needlog
    before = len(log.conversations())

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(NeedLog, "_upsert_needs", broken)
    meeting = services.meetings.read(DATA / "labelled.txt")
    with pytest.raises(RuntimeError):
        services.meetings.import_meeting(meeting)
    assert len(log.conversations()) == before


def test_html_export_escapes_customer_words():
    from assistant.meetings.report import to_html, to_markdown

    turns = [ReviewTurn(1, "customer", "<img src=x onerror=alert(1)> ![t](http://h/t.png)"),
             ReviewTurn(2, "sales", "您说的是什么意思？")]
    review = review_turns(turns)
    page = to_html(turns, review)
    assert "<img" not in page and "&lt;img" in page
    assert "![t](http" not in to_markdown(turns, review)


# ---- practise this customer ----------------------------------------------------------------

def test_a_meeting_drafts_a_scenario_that_validates_and_appears(settings):
    from assistant.services import Services

    services = Services(settings)
    meeting = services.meetings.read(DATA / "tencent_header.txt")
    result = services.meetings.import_meeting(meeting, customer=["王经理", "赵总"], account="海景酒店")
    text = services.meetings.draft_scenario(result.conversation_id)
    import yaml

    data = yaml.safe_load(text)
    assert data["stated_request"].startswith("您好，我们酒店想先了解一下")
    quotes = {e.quote for n in result.needs for e in n.evidence}
    for need in data["hidden_needs"]:  # the facts are the customer's own words
        assert set(need["facts"]) <= quotes
        assert need["asks"] and need["never_say"]
    assert data["deflections"]
    path = services.meetings.save_scenario(text.replace("max_turns: 12", "max_turns: 14"))
    assert path.parent == settings.data_dir / "scenarios"
    scenario = services.roleplay.scenario(data["id"])
    assert scenario.max_turns == 14 and scenario.hidden_needs[0].facts


def test_an_edited_draft_that_breaks_the_schema_is_refused(settings):
    from assistant.services import Services

    services = Services(settings)
    with pytest.raises(InputError, match="invalid|valid YAML"):
        services.meetings.save_scenario("id: x\ntitle: [unclosed\n")
    with pytest.raises(InputError, match="hidden_needs"):
        services.meetings.save_scenario("id: meeting-1\ntitle: t\npersona: p\nprofile: p\nstated_request: r\n"
                                        "opening_line: o\nsmall_talk: [a]\nhidden_needs: []\nobjections: [x]\n")
    assert not (settings.data_dir / "scenarios").exists() or not list((settings.data_dir / "scenarios").iterdir())


def test_missed_openings_are_found_and_followed_up_ones_are_not():
    from assistant.meetings.review import find_missed_openings

    turns = [
        ReviewTurn(1, "customer", "我们想换一批打印机，你们有什么型号？"),
        ReviewTurn(2, "sales", "我们有激光和喷墨两种，激光的最近在做活动。"),
        ReviewTurn(3, "customer", "现在那几台老是卡纸，财务月底出报表的时候最要命。"),
        ReviewTurn(4, "sales", "我们这款激光打印机每分钟四十页，月底再多也不怕。"),  # a pitch, not a follow-up
        ReviewTurn(5, "customer", "前台接电话经常记错时间，病人来了要等一个小时。"),
        ReviewTurn(6, "sales", "病人等了一个小时以后，一般会怎么样？"),  # digs into that pain
    ]
    missed = find_missed_openings(turns, citation=lambda card: f"《{card}》")
    assert [m["turn"] for m in missed] == [3]
    m = missed[0]
    assert m["kind"] == "pain" and m["quote"] in turns[2].text
    assert m["suggested_question"].endswith("？") and m["citation"] == "《ask-impact-if-unsolved》"


def test_the_end_of_a_meeting_is_not_a_missed_opening():
    from assistant.meetings.review import find_missed_openings

    assert find_missed_openings([ReviewTurn(1, "sales", "您好，想了解什么？"),
                                 ReviewTurn(2, "customer", "设备老是坏，我们很头疼。")]) == []


def test_a_missed_opening_is_cited_by_title_and_source(settings):
    from assistant.services import Services

    services = Services(settings)
    meeting = parse_meeting("客户：现在那几台打印机老是卡纸，财务月底出报表的时候最要命。\n"
                            "销售：我们这款激光打印机每分钟四十页，月底再多也不怕。\n")
    result = services.meetings.import_meeting(meeting)
    missed = result.review.missed_openings
    assert [m["turn"] for m in missed] == [1]
    assert "《" in missed[0]["citation"] and ".txt" not in missed[0]["citation"]


@pytest.mark.parametrize("method", ["semantic", "rules"])
def test_an_imported_meeting_logs_what_the_configured_extraction_finds(settings, method):
    """The import uses Settings.extraction (semantic by default): the needs logged are the
    statements that extraction finds in the same turns, not another method's."""
    from assistant.needs.extract import NeedExtractor
    from assistant.needs.transcript import Transcript
    from assistant.services import Services
    from assistant.settings import Settings

    assert Settings.model_fields["extraction"].default == "semantic"
    services = Services(settings.model_copy(update={"extraction": method}))
    meeting = services.meetings.read(DATA / "tencent_header.txt")
    result = services.meetings.import_meeting(meeting, customer=["王经理", "赵总"], account="海景酒店")
    expected = NeedExtractor(None, method=method, language="zh").extract(
        Transcript.from_pairs([(t.role or "customer", t.text) for t in meeting.turns]))
    assert expected.needs, "the sample meeting holds needs"
    assert sorted(n.statement for n in result.needs) == sorted(n.statement for n in expected.needs)

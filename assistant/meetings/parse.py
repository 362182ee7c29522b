"""Meeting transcripts as their tools export them, read into numbered speaker turns.

Shapes understood (detected from the text, not the file name):

* ``header``   — a line ``speaker  00:01:23`` (or with a date, as meeting tools and WeChat
  copies write it), the words on the following lines until the next such line;
* ``inline``   — ``speaker(00:01:23): words`` or ``speaker 00:01:23 words`` on one line;
* ``srt`` / ``vtt`` — subtitles, with or without ``speaker:`` / ``<v speaker>`` prefixes;
* ``labelled`` — plain ``客户：… / 销售：…`` (any ``name：words``) lines;
* ``json``     — ``{"turns": [{"role" | "speaker", "text", "at"?}]}``.

A file that fits none of them raises ``InputError`` naming the line and what was
expected. Speakers are mapped to customer or salesperson afterwards (``assign_roles``).
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from assistant.errors import InputError

MAX_MEETING_BYTES = 20 * 1024 * 1024
MAX_TURN_CHARS = 20_000
SPEAKER_MAX = 40
UNNAMED = "?"  # a subtitle cue that names no speaker

# 00:01:23 · 1:23 · 01:23:45.678 · 00:01:23,456
_CLOCK = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
# 2024-05-01 · 2024/5/1 · 2024年5月1日 · 5月1日 · 昨天 · 星期三 · 上午/下午 …
_DATE = (r"(?:\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?|\d{1,2}月\d{1,2}日|\d{1,2}/\d{1,2}|昨天|前天|今天|"
         r"星期[一二三四五六日天]|周[一二三四五六日天])")
_DAYPART = r"(?:上午|下午|晚上|凌晨|中午|早上|AM|PM|am|pm)"
_STAMP = rf"(?:{_DATE}\s*)?(?:{_DAYPART}\s*)?{_CLOCK}(?:\s*{_DAYPART})?"

_SPEAKER = rf"[^\s:：()（）\[\]【】<>\d][^:：()（）\[\]【】<>]{{0,{SPEAKER_MAX - 1}}}?"
# a header line holds only the speaker and the time, so its name may carry brackets: 李明（销售）
_HEADER_SPEAKER = rf"[^\s:：\d][^:：]{{0,{SPEAKER_MAX - 1}}}?"
_HEADER = re.compile(rf"^(?P<speaker>{_HEADER_SPEAKER})\s+(?P<stamp>{_STAMP})\s*$")
_HEADER_STAMP_FIRST = re.compile(rf"^\[?(?P<stamp>{_STAMP})\]?\s+(?P<speaker>{_SPEAKER})\s*[:：]?\s*$")
_INLINE_PAREN = re.compile(
    rf"^(?P<speaker>{_SPEAKER})\s*[(（\[【]\s*(?P<stamp>{_STAMP})\s*[)）\]】]\s*[:：]?\s*(?P<text>.+)$")
_INLINE_SPACE = re.compile(rf"^(?P<speaker>{_SPEAKER})\s+(?P<stamp>{_STAMP})\s+(?P<text>\S.*)$")
_INLINE_STAMP_FIRST = re.compile(rf"^\[?(?P<stamp>{_STAMP})\]?\s+(?P<speaker>{_SPEAKER})\s*[:：]\s*(?P<text>\S.*)$")
_LABELLED = re.compile(rf"^(?P<speaker>{_SPEAKER})\s*[:：]\s*(?P<text>.*)$")
_CUE_TIME = re.compile(
    rf"^(?P<start>{_CLOCK})\s*-->\s*(?P<end>{_CLOCK})(?:\s+.*)?$")
_VOICE = re.compile(r"^<v(?:\.[\w.-]+)?\s+(?P<speaker>[^>]+)>(?P<text>.*?)(?:</v>)?$")
_TAGS = re.compile(r"</?[a-z][^>]*>", re.I)


@dataclass
class MeetingTurn:
    n: int
    speaker: str
    text: str
    at: float | None = None  # seconds from the start of the meeting, where the file says
    end: float | None = None
    stamp: str = ""  # the time as the file wrote it
    line: int = 0  # 1-based line of the file where the turn starts
    role: str | None = None  # customer | sales, once assigned


@dataclass
class Meeting:
    turns: list[MeetingTurn]
    format: str
    encoding: str = "utf-8"
    title: str = ""
    warnings: list[str] = field(default_factory=list)

    def speakers(self) -> list[str]:
        seen: dict[str, None] = {}
        for t in self.turns:
            seen.setdefault(t.speaker, None)
        return list(seen)

    def first_lines(self, speaker: str, k: int = 2) -> list[str]:
        return [t.text[:60] for t in self.turns if t.speaker == speaker][:k]


# ---- times -----------------------------------------------------------------------------

def clock_seconds(stamp: str) -> float | None:
    """Seconds of the clock part of a stamp ('00:01:23', '1:23', '10:01:23,500', '下午 3:05')."""
    match = re.search(_CLOCK, stamp)
    if not match:
        return None
    clock = match.group(0).replace(",", ".")
    parts = clock.split(":")
    try:
        values = [float(p) for p in parts]
    except ValueError:
        return None
    if len(values) == 2 and re.search(rf"{_DATE}|{_DAYPART}", stamp):
        values.append(0.0)  # a date before '20:31' makes it a wall clock, hours and minutes
    seconds = 0.0
    for v in values:
        seconds = seconds * 60 + v
    if re.search(r"下午|晚上|PM|pm", stamp) and len(values) >= 2 and values[0] < 12:
        seconds += 12 * 3600
    return seconds


def _relative(turns: list[MeetingTurn]) -> None:
    """Wall-clock stamps (10:01, 10:05 …) become seconds from the first turn; a day roll-over
    (23:59 → 00:01) keeps counting. Meeting-relative stamps (00:00:05 …) stay as they are."""
    times = [t.at for t in turns if t.at is not None]
    if not times:
        return
    base = times[0] if times[0] >= 3600 else 0.0
    day = 0.0
    previous = None
    for t in turns:
        if t.at is None:
            continue
        if previous is not None and t.at + day < previous - 6 * 3600:
            day += 24 * 3600
        t.at = t.at + day - base
        if t.end is not None:
            t.end = t.end + day - base
        previous = t.at + base


# ---- formats ---------------------------------------------------------------------------

def _lines(text: str) -> list[tuple[int, str]]:
    return [(i, raw.strip()) for i, raw in enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), 1)]


def _parse_json(text: str) -> list[MeetingTurn]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"Line {exc.lineno}: the file looks like JSON but is broken ({exc.msg}).",
                         fix='fix the JSON; a transcript is {"turns": [{"role": "customer", "text": "…"}]}') from exc
    turns_data = data.get("turns") if isinstance(data, dict) else None
    if not isinstance(turns_data, list):
        raise InputError("The JSON has no 'turns' list.",
                         fix='use {"turns": [{"role": "customer" | "sales", "text": "…"}]}')
    out: list[MeetingTurn] = []
    for i, item in enumerate(turns_data, 1):
        if not isinstance(item, dict) or not str(item.get("text", "")).strip():
            raise InputError(f"Turn {i} of the JSON has no text.",
                             fix='each turn looks like {"role": "customer", "text": "…"}')
        role = item.get("role")
        speaker = str(item.get("speaker") or role or "").strip()
        if not speaker:
            raise InputError(f"Turn {i} of the JSON has neither a role nor a speaker.",
                             fix='add "role": "customer" | "sales" (or "speaker": "name")')
        at = item.get("at")
        turn = MeetingTurn(0, speaker[:SPEAKER_MAX], str(item["text"]).strip(), line=i)
        if isinstance(at, (int, float)):
            turn.at = float(at)
        elif isinstance(at, str) and at:
            turn.at, turn.stamp = clock_seconds(at), at
        if role in ("customer", "sales"):
            turn.role = role
        out.append(turn)
    return out


def _parse_subtitles(lines: list[tuple[int, str]], fmt: str) -> list[MeetingTurn]:
    out: list[MeetingTurn] = []
    i = 0
    while i < len(lines):
        no, line = lines[i]
        cue = _CUE_TIME.match(line)
        if not cue:
            i += 1
            continue
        start, end = clock_seconds(cue.group("start")), clock_seconds(cue.group("end"))
        i += 1
        body: list[str] = []
        while i < len(lines) and lines[i][1]:
            if _CUE_TIME.match(lines[i][1]):
                break
            body.append(lines[i][1])
            i += 1
        if body and body[-1].isdigit() and fmt == "srt":  # next cue's index with no blank line
            body.pop()
        text = " ".join(body).strip()
        speaker = ""
        voice = _VOICE.match(text)
        if voice:
            speaker, text = voice.group("speaker").strip(), voice.group("text")
        else:
            labelled = _LABELLED.match(text)
            if labelled and len(labelled.group("speaker")) <= 20:
                speaker, text = labelled.group("speaker").strip(), labelled.group("text")
        text = _TAGS.sub("", text).strip()
        if not text:
            continue
        out.append(MeetingTurn(0, speaker or UNNAMED, text, at=start, end=end, stamp=cue.group("start"), line=no))
    if not out:
        raise InputError("The subtitles have no cue with text.",
                         fix="each cue is a line '00:00:01,000 --> 00:00:04,000' followed by its words")
    return out


def _parse_headers(lines: list[tuple[int, str]]) -> list[MeetingTurn]:
    """Lines before the first speaker line (a meeting title, a date) are not turns."""
    out: list[MeetingTurn] = []
    for no, line in lines:
        if not line:
            continue
        header = _HEADER.match(line) or _HEADER_STAMP_FIRST.match(line)
        if header:
            stamp = header.group("stamp")
            out.append(MeetingTurn(0, header.group("speaker").strip(), "", at=clock_seconds(stamp),
                                   stamp=stamp, line=no))
            continue
        if not out:
            if no > 3:
                raise InputError(
                    f"Line {no}: expected a speaker line such as '张经理  00:01:23' before the words, "
                    f"got {line[:40]!r}.",
                    fix="check that the file is a meeting transcript export (speaker and time, then the words)")
            continue
        out[-1].text = (out[-1].text + "\n" + line).strip()
    return out


def _parse_inline(lines: list[tuple[int, str]], patterns: list[re.Pattern[str]], fmt: str) -> list[MeetingTurn]:
    out: list[MeetingTurn] = []
    for no, line in lines:
        if not line:
            continue
        match = next((m for p in patterns if (m := p.match(line))), None)
        if match:
            stamp = match.groupdict().get("stamp") or ""
            out.append(MeetingTurn(0, match.group("speaker").strip(), match.group("text").strip(),
                                   at=clock_seconds(stamp) if stamp else None, stamp=stamp, line=no))
            continue
        if not out:
            expected = ("'客户：words' (a speaker, a colon, the words)" if fmt == "labelled"
                        else "'speaker(00:01:23): words'")
            raise InputError(f"Line {no}: expected {expected}, got {line[:40]!r}.",
                             fix="start the file with a speaker's line; lines without a speaker continue the turn above")
        out[-1].text = (out[-1].text + "\n" + line).strip()
    return out


def _detect(lines: list[tuple[int, str]]) -> str:
    content = [line for _, line in lines if line]
    if not content:
        raise InputError("The file is empty.", fix="export the meeting transcript again")
    if content[0].lstrip("\ufeff").startswith("WEBVTT"):
        return "vtt"
    if sum(1 for line in content[:40] if _CUE_TIME.match(line)) >= 1 and any(
            line.isdigit() for line in content[:3]):
        return "srt"
    if sum(1 for line in content[:40] if _CUE_TIME.match(line)) >= 2:
        return "srt"
    sample = content[:200]
    counts = {
        "header": sum(1 for line in sample if _HEADER.match(line) or _HEADER_STAMP_FIRST.match(line)),
        "inline_paren": sum(1 for line in sample if _INLINE_PAREN.match(line)),
        "inline_space": sum(1 for line in sample if _INLINE_SPACE.match(line) or _INLINE_STAMP_FIRST.match(line)),
        "labelled": sum(1 for line in sample if _LABELLED.match(line)),
    }
    if counts["inline_paren"] and counts["inline_paren"] >= counts["header"]:
        return "inline"
    if counts["header"] and counts["header"] >= counts["inline_space"]:
        return "header"
    if counts["inline_space"]:
        return "inline"
    if counts["labelled"]:
        return "labelled"
    raise InputError(
        f"Line {next(no for no, line in lines if line)}: no transcript shape recognised.",
        fix="use one of: 'speaker  00:01:23' then the words; 'speaker(00:01:23): words'; "
            "subtitles (.srt/.vtt); '客户：… / 销售：…' lines; or the JSON transcript")


def parse_meeting(text: str, *, title: str = "", encoding: str = "utf-8") -> Meeting:
    """The turns of a transcript in any supported shape, numbered from 1 in file order."""
    text = text.lstrip("\ufeff")
    if text.lstrip().startswith("{"):
        turns, fmt = _parse_json(text), "json"
    else:
        lines = _lines(text)
        fmt = _detect(lines)
        if fmt in ("srt", "vtt"):
            turns = _parse_subtitles(lines, fmt)
        elif fmt == "header":
            turns = _parse_headers(lines)
        elif fmt == "inline":
            turns = _parse_inline(lines, [_INLINE_PAREN, _INLINE_STAMP_FIRST, _INLINE_SPACE], fmt)
        else:
            turns = _parse_inline(lines, [_LABELLED], fmt)
    turns = _merge_runs([t for t in turns if t.text.strip()])
    if not turns:
        raise InputError("The transcript has no words.", fix="export the meeting transcript again")
    for n, t in enumerate(turns, 1):
        t.n = n
        if len(t.text) > MAX_TURN_CHARS:
            raise InputError(f"Line {t.line}: a turn of {len(t.text):,} characters (over {MAX_TURN_CHARS:,}).",
                             fix="check the file: a turn this long usually means the speaker lines were not recognised")
    _relative(turns)
    return Meeting(turns=turns, format=fmt, encoding=encoding, title=title)


def _merge_runs(turns: list[MeetingTurn]) -> list[MeetingTurn]:
    """Consecutive subtitle cues of one speaker are one turn."""
    out: list[MeetingTurn] = []
    for t in turns:
        if (out and t.speaker == out[-1].speaker and t.speaker != UNNAMED and t.stamp
                and out[-1].end is not None):
            out[-1].text = f"{out[-1].text} {t.text}".strip()
            out[-1].end = t.end
            continue
        out.append(t)
    return out


def _docx_text(data: bytes) -> str:
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise InputError(f"The .docx file is damaged: {exc}.", fix="open it in Word and save it again, or export as .txt") from exc
    return "\n".join(p.text for p in document.paragraphs)


def read_meeting(path: Path, data: bytes | None = None) -> Meeting:
    """Read a transcript file (.txt .srt .vtt .json .docx …), detecting its encoding."""
    from assistant.knowledge.loaders import SkipFile, decode_bytes

    if data is None:
        try:
            if path.stat().st_size > MAX_MEETING_BYTES:
                raise InputError(f"{path.name} is {path.stat().st_size / 2**20:.0f} MB, over the "
                                 f"{MAX_MEETING_BYTES // 2**20} MB a transcript may have.",
                                 fix="split the file, or export only the meeting's transcript")
            data = path.read_bytes()
        except OSError as exc:
            raise InputError(f"Cannot read {path}: {exc.strerror}.", fix="check the path") from exc
    if len(data) > MAX_MEETING_BYTES:
        raise InputError(f"{path.name} is over the {MAX_MEETING_BYTES // 2**20} MB a transcript may have.",
                         fix="split the file, or export only the meeting's transcript")
    if path.suffix.lower() == ".docx":
        return parse_meeting(_docx_text(data), title=path.stem, encoding="docx")
    try:
        text, encoding = decode_bytes(data)
    except SkipFile as exc:
        raise InputError(f"{path.name} is not a text transcript ({exc.detail}).",
                         fix="export the transcript as .txt, .srt, .vtt, .docx or .json") from exc
    return parse_meeting(text, title=path.stem, encoding=encoding)


# ---- speakers → roles --------------------------------------------------------------------

_CUSTOMER_NAMES = re.compile(r"^(?:客户|顾客|买家|甲方|customer|client|buyer)\b", re.I)
_SALES_NAMES = re.compile(r"^(?:销售|卖家|导购|乙方|sales(?:person)?|seller|agent|rep)\b", re.I)
# a side written into the name: 李明（销售）, Tom (Sales)
_SIDE_IN_NAME = re.compile(r"[（(\[【]\s*(?P<side>客户|顾客|甲方|customer|client|销售|乙方|sales|seller)\s*[)）\]】]", re.I)


class SpeakersUnassigned(InputError):
    """Some speakers are neither customer nor salesperson yet; ``speakers`` says who."""

    def __init__(self, meeting: Meeting, unassigned: list[str]):
        lines = "; ".join(f"{s!r}: {' / '.join(meeting.first_lines(s))}" for s in unassigned)
        super().__init__(
            f"Whose side is each speaker on? Not yet assigned: {lines}",
            fix="pass --customer-speaker NAME and/or --sales-speaker NAME for each of them "
                "(repeat the option for several people)")
        self.unassigned = unassigned


def assign_roles(meeting: Meeting, customer: list[str] | tuple[str, ...] = (),
                 sales: list[str] | tuple[str, ...] = ()) -> Meeting:
    """Give every turn a role: by the options, then by speaker names such as 客户/销售.

    When only one side is named, every other speaker is on the other side. Raises
    ``SpeakersUnassigned`` listing the speakers (with their first lines) still unknown.
    """
    customer_set, sales_set = {c.strip() for c in customer}, {s.strip() for s in sales}
    both = customer_set & sales_set
    if both:
        raise InputError(f"{', '.join(sorted(both))} is named as both customer and salesperson.",
                         fix="name each speaker once")
    unknown_options = (customer_set | sales_set) - set(meeting.speakers())
    if unknown_options:
        raise InputError(
            f"No speaker called {', '.join(sorted(unknown_options))} in this file; its speakers are: "
            f"{', '.join(meeting.speakers())}.", fix="use the names exactly as the file writes them")
    roles: dict[str, str] = {}
    if UNNAMED in meeting.speakers():
        _guess_unnamed(meeting)
    for speaker in meeting.speakers():
        preset = {t.role for t in meeting.turns if t.speaker == speaker and t.role}
        if speaker in customer_set:
            roles[speaker] = "customer"
        elif speaker in sales_set:
            roles[speaker] = "sales"
        elif len(preset) == 1:
            roles[speaker] = preset.pop()
        elif side := _SIDE_IN_NAME.search(speaker):
            roles[speaker] = "customer" if _CUSTOMER_NAMES.match(side.group("side")) else "sales"
        elif _CUSTOMER_NAMES.match(speaker):
            roles[speaker] = "customer"
        elif _SALES_NAMES.match(speaker):
            roles[speaker] = "sales"
    rest = [s for s in meeting.speakers() if s not in roles and s != UNNAMED]
    if rest and (customer_set or sales_set) and not (customer_set and sales_set):
        other = "sales" if customer_set else "customer"
        for s in rest:
            roles[s] = other
        rest = []
    if rest:
        raise SpeakersUnassigned(meeting, rest)
    if "customer" not in roles.values() and not any(t.role == "customer" for t in meeting.turns):
        raise InputError("No speaker is on the customer's side.",
                         fix="pass --customer-speaker NAME for the customer's people")
    for t in meeting.turns:
        if t.speaker != UNNAMED:
            t.role = roles[t.speaker]
    return meeting


def _guess_unnamed(meeting: Meeting) -> None:
    """Subtitles that name no speaker: a cue that asks a question is taken as the
    salesperson's, any other as the customer's, and the import says it guessed."""
    from assistant.roleplay.classify import classify

    for t in meeting.turns:
        if t.speaker == UNNAMED and t.role is None:
            t.role = "sales" if classify(t.text).is_question else "customer"
    meeting.warnings.append(
        "The subtitles name no speakers: questions were taken as the salesperson's and other lines as "
        "the customer's. Check the roles, or add 'name:' prefixes to the cues.")

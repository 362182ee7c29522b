"""Dialogue transcripts: numbered turns by customer or salesperson, read from JSON or text."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from assistant.errors import InputError
from assistant.understanding.lexicon import LEXICONS

Role = Literal["customer", "sales"]
MAX_TURN_CHARS = 8000

_OPEN = r"^\s*[\[【(（]?\s*"
_CLOSE = r"\s*(?:[\]】)）]\s*[:：]?|[:：])\s*"
_PREFIXES: list[tuple[re.Pattern[str], Role]] = [  # the role words: the lexicon's customer_role / sales_role
    (re.compile(_OPEN + LEXICONS[lang][f"{role}_role"] + _CLOSE, re.I), role)  # type: ignore[misc]
    for role in ("customer", "sales") for lang in ("zh", "en")
]


def split_speaker(text: str) -> tuple[Role | None, str]:
    """A speaker label the user typed at the start ("客户说：", "销售：", "Customer:", "【客户】")
    becomes a role; the words after it are returned unchanged. No label: (None, text)."""
    for pattern, role in _PREFIXES:
        match = pattern.match(text)
        if match:
            return role, text[match.end():].strip()
    return None, text


class DialogueTurn(BaseModel):
    n: int = Field(ge=1, description="1-based turn number")
    role: Role
    text: str


class Transcript(BaseModel):
    turns: list[DialogueTurn] = Field(default_factory=list)

    def customer_turns(self) -> list[DialogueTurn]:
        return [t for t in self.turns if t.role == "customer"]

    def render(self, language: str = "zh") -> str:
        names = {"customer": "客户", "sales": "销售"} if language == "zh" else {
            "customer": "Customer", "sales": "Sales"}
        return "\n".join(f"[{t.n}] {names[t.role]}：{t.text}" for t in self.turns)

    @classmethod
    def from_pairs(cls, pairs: list[tuple[str, str]]) -> "Transcript":
        return cls(turns=[DialogueTurn(n=i, role=r, text=t) for i, (r, t) in enumerate(pairs, 1)])


def normalise_for_match(text: str) -> str:
    """NFKC + collapse whitespace: full-width/half-width punctuation and spacing don't matter."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def _normalised_with_index(text: str) -> tuple[str, list[int]]:
    """normalise_for_match(text) plus, for each of its characters, the index in ``text``."""
    out: list[str] = []
    index: list[int] = []
    for i, ch in enumerate(text):
        norm = unicodedata.normalize("NFKC", ch)
        if norm.isspace() or not norm:
            if out and out[-1] != " ":
                out.append(" ")
                index.append(i)
            continue
        for piece in norm:
            out.append(piece)
            index.append(i)
    return "".join(out), index


def find_verbatim(quote: str, text: str) -> str | None:
    """The exact span of ``text`` that ``quote`` matches (ignoring width and spacing), or None."""
    if not quote:
        return None
    if quote in text:
        return quote
    norm_text, index = _normalised_with_index(text)
    norm_quote = normalise_for_match(quote)
    at = norm_text.find(norm_quote)
    if at < 0 or not norm_quote:
        return None
    start, end = index[at], index[at + len(norm_quote) - 1] + 1
    return text[start:end]


def parse_transcript_text(text: str) -> Transcript:
    """Lines prefixed 客户：/销售：(or Customer:/Sales:); unprefixed lines continue the previous turn."""
    pairs: list[tuple[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        role, words = split_speaker(line)
        if role is not None:
            pairs.append((role, words))
        else:
            if not pairs:
                raise InputError(
                    f"The first line has no speaker: {line[:40]!r}.",
                    fix="start each turn with 客户： or 销售： (or Customer: / Sales:)",
                )
            role, previous = pairs[-1]
            pairs[-1] = (role, previous + "\n" + line)
    return _checked(Transcript.from_pairs([(r, t) for r, t in pairs if t]))


def parse_transcript_json(data: object) -> Transcript:
    if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
        raise InputError(
            "The JSON has no 'turns' list.",
            fix='use {"turns": [{"role": "customer" | "sales", "text": "..."}]}',
        )
    pairs = []
    for i, turn in enumerate(data["turns"], 1):
        if not isinstance(turn, dict) or turn.get("role") not in ("customer", "sales"):
            raise InputError(
                f"Turn {i} needs a role of 'customer' or 'sales'.",
                fix='each turn looks like {"role": "customer", "text": "..."}',
            )
        _, words = split_speaker(str(turn.get("text", "")))  # a typed label is not customer words
        pairs.append((turn["role"], words.strip()))
    try:
        return _checked(Transcript.from_pairs([(r, t) for r, t in pairs if t]))
    except ValidationError as exc:  # pragma: no cover - roles checked above
        raise InputError(f"Invalid transcript: {exc}") from exc


def read_transcript(path: Path) -> Transcript:
    """Read a transcript file (JSON or prefixed text lines), detecting its encoding."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read {path}: {exc.strerror}.", fix="check the path") from exc
    text = decode_bytes(raw, path)
    if text.lstrip().startswith("{"):
        try:
            return parse_transcript_json(json.loads(text))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"{path.name} looks like JSON but is broken: {exc.msg} (line {exc.lineno}).",
                fix="fix the JSON, or use text lines starting with 客户： / 销售：",
            ) from exc
    return parse_transcript_text(text)


def decode_bytes(raw: bytes, path: Path | None = None) -> str:
    """UTF-8 first, then the Chinese encodings; a clear error when none fits."""
    if b"\x00" in raw[:4096]:
        raise InputError(
            f"{path.name if path else 'The input'} is a binary file, not text.",
            fix="export the conversation as .txt or .json",
        )
    for encoding in ("utf-8-sig", "gb18030", "big5"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{path.name if path else 'The input'} is not UTF-8, GB18030 or Big5 text.",
        fix="save it as UTF-8",
    )


def _checked(transcript: Transcript) -> Transcript:
    if not transcript.turns:
        raise InputError("The transcript is empty.", fix="add at least one 客户： turn")
    too_long = [t.n for t in transcript.turns if len(t.text) > MAX_TURN_CHARS]
    if too_long:
        raise InputError(
            f"Turn(s) {too_long} exceed {MAX_TURN_CHARS} characters.",
            fix="split long turns; paste one speaker turn per line",
        )
    return transcript

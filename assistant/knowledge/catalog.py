"""YAML front matter of Markdown files, as used by the curated knowledge/ entries.

A knowledge entry starts with::

    ---
    id: jujube-story
    title_zh: 老太太买枣子：先问用途，再推荐
    title_en: "The old lady and the jujubes: ask before you pitch"
    kind: story
    tags: [需求洞察, 隐性需求]
    source: 001_f37ffa614a4a945b.txt
    summary_en: "Every stall praised its sweet jujubes …"
    ---

Any Markdown file may have front matter; ``title``/``title_zh``, ``title_en``,
``id``, ``kind``, ``tags``, ``source``, ``summary_en`` and ``questions`` are used when present.

``questions`` lists questions the entry answers, in everyday words (Chinese and English),
each indexed as a passage of its own that points to the entry — so a question that shares
few words with the entry's text still finds it::

    questions:
      - 有没有一个讲"先问用途再推荐"的小故事？
      - Is there a story about asking what something is for before recommending?

A list of strings, or a mapping of language to lists (``{zh: [...], en: [...]}``); blank
items are dropped, duplicates kept once, and anything else is reported in ``problems``.

A method card, a process entry or a pitfall may also list ``situations``: the concrete sales situations it
serves (a concept or a case too, where it serves one: "拜访前翻了客户的采购记录，不知道见面时怎么提起"), in the same form ("客户点名要的我们有，但按他说的用途另一种更合适", "合同签了、货也交了，回款却一直
拖着"); they are indexed like its questions (assistant.knowledge.ingest) and kept in ``extra``. A
process entry may list ``stages``: its
stages in plain words, from where to where and who does what at each ("线索阶段：客户还没说清，
销售多问影响"), in the same form and indexed the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)(.*)\Z", re.S)


@dataclass
class FrontMatter:
    """The fields of a Markdown file's front matter that the index uses."""

    doc_id: str = ""
    title: str = ""
    title_en: str = ""
    kind: str = ""
    tags: list[str] = field(default_factory=list)
    source: str = ""
    summary_en: str = ""
    questions: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # front matter fields that could not be used, and why

    @property
    def is_empty(self) -> bool:
        return not (self.doc_id or self.title or self.title_en or self.kind)


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value).strip()


def split_front_matter(text: str) -> tuple[FrontMatter, str]:
    """(front matter, body). Text without (valid) front matter returns an empty
    FrontMatter and the text unchanged; malformed YAML is treated as body text."""
    match = _FRONT.match(text)
    if not match:
        return FrontMatter(), text
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return FrontMatter(), text
    if not isinstance(meta, dict):
        return FrontMatter(), text
    tags = meta.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in re.split(r"[,，]", tags) if t.strip()]
    known = {"id", "title", "title_zh", "title_en", "kind", "tags", "source", "summary_en", "questions"}
    questions, problems = parse_questions(meta.get("questions"))
    if meta.get("situations") is not None:
        _, situation_problems = parse_questions(meta.get("situations"))
        problems += [f"situations: {p}" for p in situation_problems]
    if meta.get("stages") is not None:
        _, stage_problems = parse_questions(meta.get("stages"))
        problems += [f"stages: {p}" for p in stage_problems]
    front = FrontMatter(
        doc_id=_as_text(meta.get("id")),
        title=_as_text(meta.get("title_zh") or meta.get("title")),
        title_en=_as_text(meta.get("title_en")),
        kind=_as_text(meta.get("kind")),
        tags=[str(t) for t in tags],
        source=_as_text(meta.get("source")),
        summary_en=_as_text(meta.get("summary_en")),
        questions=questions,
        extra={k: v for k, v in meta.items() if k not in known},
        problems=problems,
    )
    return front, match.group(2)


MAX_QUESTIONS = 40  # per entry
MAX_QUESTION_CHARS = 200


def parse_questions(value: Any) -> tuple[list[str], list[str]]:
    """(questions, problems) from a front matter ``questions`` value: a list of strings or a
    mapping of language → list of strings. Unusable items are left out and named in problems."""
    if value is None or value == "" or value == []:
        return [], []
    items: list[Any]
    if isinstance(value, dict):
        items = []
        for lang, group in value.items():
            if isinstance(group, str):
                group = [group]
            if not isinstance(group, list):
                return [], [f"questions.{lang} must be a list of questions, not {type(group).__name__}"]
            items.extend(group)
    elif isinstance(value, list):
        items = value
    elif isinstance(value, str):
        items = [value]
    else:
        return [], [f"questions must be a list of questions, not {type(value).__name__}"]
    out: list[str] = []
    problems: list[str] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        if not isinstance(item, (str, int, float)) or isinstance(item, bool):
            problems.append(f"question {n} is not text ({type(item).__name__}): left out")
            continue
        text = " ".join(str(item).split())
        if not text:
            continue
        if len(text) > MAX_QUESTION_CHARS:
            problems.append(f"question {n} is longer than {MAX_QUESTION_CHARS} characters: left out")
            continue
        if text in seen:
            continue
        seen.add(text)
        out.append(text)
    if len(out) > MAX_QUESTIONS:
        problems.append(f"{len(out)} questions: only the first {MAX_QUESTIONS} are indexed")
        out = out[:MAX_QUESTIONS]
    return out, problems

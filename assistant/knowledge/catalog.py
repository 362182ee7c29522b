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
``id``, ``kind``, ``tags``, ``source`` and ``summary_en`` are used when present.
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
    extra: dict[str, Any] = field(default_factory=dict)

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
    known = {"id", "title", "title_zh", "title_en", "kind", "tags", "source", "summary_en"}
    front = FrontMatter(
        doc_id=_as_text(meta.get("id")),
        title=_as_text(meta.get("title_zh") or meta.get("title")),
        title_en=_as_text(meta.get("title_en")),
        kind=_as_text(meta.get("kind")),
        tags=[str(t) for t in tags],
        source=_as_text(meta.get("source")),
        summary_en=_as_text(meta.get("summary_en")),
        extra={k: v for k, v in meta.items() if k not in known},
    )
    return front, match.group(2)

"""Citations a person can read: the knowledge entry's title and its source as one would
cite it — 《以客户为中心的真正核心到底是什么》, 2017 — instead of a file name.

Shipped entries name their sources in the front matter (``source`` is the file,
``source_title`` and ``source_date`` what a reader sees; lists when an entry draws on
several). A user's ingested document is cited by its own title. The file name is kept
for a details view only (``Cited.files``).

    cite_front(front, language="zh")            # from a parsed FrontMatter
    cite_entry_path("knowledge/base/x.md")      # from an entry file (cached)
    cite_passage(passage)                       # from a retrieved Passage
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

from assistant.knowledge.catalog import FrontMatter, split_front_matter

_YEAR = re.compile(r"^\s*((?:19|20)\d{2})(?:[-/.年]|\s*$)")


@dataclass(frozen=True)
class SourceRef:
    """One source document of an entry."""

    file: str = ""
    title: str = ""
    date: str = ""  # ISO date or year; free text such as "4月3日" when the year is unknown

    def text(self) -> str:
        """《title》, 2017 — or the bare file name when the source has no title."""
        if not self.title:
            return self.file
        titled = self.title if self.title.startswith("《") else f"《{self.title}》"
        when = display_date(self.date)
        return f"{titled}, {when}" if when else titled


@dataclass(frozen=True)
class Cited:
    """What a citation shows: the entry's title, its sources as text, and (for details) the files."""

    title: str
    sources: tuple[SourceRef, ...] = field(default_factory=tuple)

    @property
    def source_text(self) -> str:
        return "；".join(dict.fromkeys(s.text() for s in self.sources if s.text()))

    @property
    def files(self) -> str:
        return ", ".join(s.file for s in self.sources if s.file)

    def text(self) -> str:
        """老太太买枣子：先问用途，再推荐 —《以客户为中心的真正核心到底是什么》, 2017"""
        src = self.source_text
        if not src:
            return self.title
        if self.sources and all(s.title == self.title for s in self.sources):
            return src  # a document cited by its own title
        if not self.title:
            return src
        return f"{self.title} — {src}"


def display_date(value: Any) -> str:
    """The year of an ISO date ("2017-08-11" → "2017"); other text as written."""
    text = "" if value is None else str(value).strip()
    m = _YEAR.match(text)
    return m.group(1) if m else text


def _as_list(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, (list, tuple)):
        return [("" if v is None else str(v)).strip() for v in value]
    return [str(value).strip()]


def source_refs(files: Any, titles: Any = None, dates: Any = None) -> tuple[SourceRef, ...]:
    """Align ``source`` / ``source_title`` / ``source_date`` (scalars, lists, or
    comma/newline-joined strings as stored in the index)."""
    file_list = _split_stored(files)
    title_list = _split_stored(titles, sep="\n")
    date_list = _split_stored(dates, sep="\n")
    n = max(len(file_list), len(title_list))
    refs = []
    for i in range(n):
        refs.append(SourceRef(
            file=file_list[i] if i < len(file_list) else "",
            title=title_list[i] if i < len(title_list) else "",
            date=date_list[i] if i < len(date_list) else "",
        ))
    return tuple(r for r in refs if r.file or r.title)


def _split_stored(value: Any, sep: str = ",") -> list[str]:
    if isinstance(value, str) and sep in value:
        return [v.strip() for v in value.split(sep)]
    return _as_list(value)


def join_stored(values: Iterable[str], sep: str = "\n") -> str:
    """The form ``source_refs`` reads back from index metadata (which holds strings only)."""
    return sep.join(values)


def front_refs(front: FrontMatter) -> tuple[SourceRef, ...]:
    return source_refs(front.source, front.extra.get("source_title"), front.extra.get("source_date"))


def cite_front(front: FrontMatter, language: str = "zh") -> Cited:
    title = (front.title_en if language == "en" else front.title) or front.title or front.doc_id
    return Cited(title, front_refs(front))


@lru_cache(maxsize=256)
def _front_of(path: str, mtime_ns: int) -> FrontMatter:
    front, _ = split_front_matter(Path(path).read_text(encoding="utf-8"))
    return front


def cite_entry_path(path: str | Path, language: str = "zh", title: str = "") -> Cited:
    """The citation of a knowledge entry file; ``title`` overrides the entry's own."""
    p = Path(path)
    try:
        front = _front_of(str(p), p.stat().st_mtime_ns)
    except (OSError, UnicodeDecodeError):
        return Cited(title or p.stem, (SourceRef(file=p.name),))
    cited = cite_front(front, language)
    return Cited(title or cited.title, cited.sources)


def cite_passage(passage: Any, language: str = "zh") -> Cited:
    """The citation of a retrieved passage: the entry (or document) title and its source.
    A user's document is its own source: its title is the citation, its file the detail."""
    title = (getattr(passage, "title_en", "") if language == "en" else "") or getattr(passage, "title", "")
    origin = getattr(passage, "origin", "")
    refs = source_refs(origin, getattr(passage, "source_title", ""), getattr(passage, "source_date", ""))
    if not refs:  # an ingested document: cite it by its title
        refs = (SourceRef(file=getattr(passage, "source", ""), title=getattr(passage, "title", ""),
                          date=getattr(passage, "source_date", "")),)
        return Cited(title, refs)
    return Cited(title, refs)


def cite_entry(entry: Any, language: str = "zh") -> Cited:
    """The citation of a catalogue entry (anything with ``path``, ``sources`` and ``title(language)``,
    e.g. the coach's method cards and knowledge entries)."""
    title = entry.title(language) if callable(getattr(entry, "title", None)) else str(getattr(entry, "title", ""))
    path = getattr(entry, "path", "")
    if path:
        return cite_entry_path(path, language, title=title)
    return Cited(title, tuple(SourceRef(file=f) for f in getattr(entry, "sources", []) if f))

"""Method cards (knowledge/methods) and knowledge entries (knowledge/base), read from their
Markdown front matter. The coach picks cards by purpose and cites the entries they come from."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field

from assistant.knowledge.catalog import split_front_matter


class Fit(BaseModel):
    """One better-fit option a card supports: the need it answers and the reason."""

    cues: list[list[str]]  # groups of alternatives; each group must show in the customer's words
    request: str = ""  # what the customer asked for
    first: str = ""  # the request in the variety that fits (served first)
    option: str  # the better fit the customer did not ask for
    reason: str
    based_on: str = ""

    def matches(self, text: str) -> bool:
        low = text.lower()
        return all(any(alt.lower() in low for alt in group) for group in self.cues)

    @property
    def english(self) -> bool:
        return not any("\u4e00" <= ch <= "\u9fff" for ch in self.option)


class Entry(BaseModel):
    id: str
    title_zh: str = ""
    title_en: str = ""
    kind: str = ""
    tags: list[str] = Field(default_factory=list)
    source: str | list[str] = ""
    summary_en: str = ""
    body: str = ""
    path: str = ""
    # method cards only
    purpose: str = ""
    slots: list[str] = Field(default_factory=list)
    question_type: str = ""
    based_on: list[str] = Field(default_factory=list)
    examples_zh: list[str] = Field(default_factory=list)
    examples_en: list[str] = Field(default_factory=list)

    def title(self, language: str = "zh") -> str:
        return (self.title_zh if language == "zh" else self.title_en) or self.title_zh or self.id

    def excerpt(self, max_chars: int = 160) -> str:
        """The first paragraph of the body that is not a heading."""
        for block in re.split(r"\n\s*\n", self.body):
            text = block.strip()
            if text and not text.startswith("#"):
                text = re.sub(r"^[-*]\s*", "", text)
                return text[:max_chars] + ("…" if len(text) > max_chars else "")
        return ""

    def fits(self) -> list[Fit]:
        """The rows of the card's table of better fits (6 columns), if it has one."""
        rows: list[Fit] = []
        for line in self.body.splitlines():
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 6 or not line.strip().startswith("|") or set(cells[0]) <= set("-: "):
                continue
            cues_cell, request, first, option, reason, ref = cells
            groups = [[a.strip() for a in g.split("/") if a.strip()] for g in re.split(r"[;；]", cues_cell)]
            groups = [g for g in groups if g]
            if not groups or not option or option in ("更合适的选择", "option"):
                continue
            rows.append(Fit(cues=groups, request=request, first=first, option=option, reason=reason,
                            based_on=ref))
        return rows

    @property
    def sources(self) -> list[str]:
        return [self.source] if isinstance(self.source, str) else list(self.source)


def parse_entry(path: Path) -> Entry | None:
    front, body = split_front_matter(path.read_text(encoding="utf-8"))
    if not front.doc_id:
        return None
    extra = {k: v for k, v in front.extra.items() if k in Entry.model_fields}
    return Entry(id=front.doc_id, title_zh=front.title, title_en=front.title_en, kind=front.kind,
                 tags=front.tags, source=front.source, summary_en=front.summary_en, body=body,
                 path=str(path), **extra)


class Catalog:
    def __init__(self, entries: list[Entry]):
        self.entries = {e.id: e for e in entries}

    @classmethod
    def load(cls, knowledge_dir: Path) -> "Catalog":
        return _load(knowledge_dir.resolve())

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def cards(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.kind == "method"]

    def fits(self) -> list[Fit]:
        return [fit for card in self.cards() for fit in card.fits()]

    def card_for(self, purpose: str, slot: str | None = None) -> Entry | None:
        """The card for a purpose; among several, the one made for this slot first."""
        matching = [c for c in self.cards() if c.purpose == purpose]
        if slot:
            primary = [c for c in matching if c.slots[:1] == [slot]]
            covering = [c for c in matching if slot in c.slots]
            matching = primary + covering + matching
        return matching[0] if matching else None


@lru_cache(maxsize=4)
def _load(knowledge_dir: Path) -> Catalog:
    entries = []
    for sub in ("base", "methods"):
        for path in sorted((knowledge_dir / sub).glob("*.md")):
            entry = parse_entry(path)
            if entry is not None:
                entries.append(entry)
    return Catalog(entries)

"""Sentence-aware chunking for Chinese (and mixed) text.

Text is cut into sections at headings (Markdown ``#`` lines; in plain text also
numbered headings such as "一、…", "（二）…", "3.…"), each section into sentences
(after 。！？；!?; and at line ends), and sentences are packed into chunks of about
``chunk_chars`` characters. Neighbouring chunks of a section share up to
``overlap`` characters of whole sentences, so a statement that straddles a border
is still found whole in one chunk. A list (a lead-in line and its "- " / "1." items)
stays in one chunk up to twice the size, so the list is not cut into pieces that each
lose it. Measured on the seed documents, this beats a recursive character splitter
for retrieval.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MD_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_NUMBERED_HEADING = re.compile(
    r"^(第[一二三四五六七八九十百零\d]+[章节部分篇讲]|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|"
    r"\d{1,2}(\.\d{1,2})*[、.．]\s*(?=\S)(?!\d))"
)
# A sentence ends after one of these, optionally followed by closing quotes/brackets.
_SENTENCE = re.compile(r"[^。！？；!?;…]*(?:[。！？；!?;]+|…+)[”’」』）)\]】\"']*|[^。！？；!?;…]+$")
_SOFT_BREAK = re.compile(r"[，,、：:]")
_LIST_ITEM = re.compile(r"^\s*([-*•·]|\d{1,2}[.、)）]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]+、)\s*\S")
LIST_GROWTH = 2.0  # a list may make its chunk this many times chunk_chars


@dataclass
class Chunk:
    text: str
    section: str
    ordinal: int


def _is_text_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 40 or not _NUMBERED_HEADING.match(s):
        return False
    # A numbered line that is a whole sentence is a list item, not a heading.
    return not s.endswith(("。", "；", ";", "，", ","))


def split_sections(text: str, *, markdown: bool, title: str = "") -> list[tuple[str, str]]:
    """[(heading, body)] in document order; the first section's heading may be ''."""
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in text.splitlines():
        m = _MD_HEADING.match(line) if markdown or line.startswith("#") else None
        if m:
            heading = m.group(2).strip()
            if heading == title and not any(x.strip() for x in sections[-1][1]) and len(sections) == 1:
                continue  # the document title itself, not a section
            sections.append((heading, []))
        elif not markdown and _is_text_heading(line):
            sections.append((line.strip(), []))
        else:
            sections[-1][1].append(line)
    out: list[tuple[str, str]] = []
    pending_heading = ""
    pending_body = ""
    for heading, lines in sections:
        body = "\n".join(lines).strip()
        if pending_heading and heading:
            heading = f"{pending_heading} › {heading}"
        elif pending_heading:
            heading = pending_heading
        if pending_body:
            body = f"{pending_body}\n{body}".strip()
        pending_heading, pending_body = "", ""
        if len(body) < 40:
            # A heading with little or no text of its own ("三、…" + "时间:16:45") names
            # the next section too instead of becoming a chunk of its own.
            pending_heading, pending_body = heading, body
            continue
        out.append((heading, body))
    if pending_body or pending_heading:
        if pending_body and out:
            # A short last section joins the one before, its heading kept as a line.
            last_heading, last_body = out[-1]
            out[-1] = (last_heading, "\n".join(x for x in (last_body, pending_heading, pending_body) if x))
        elif pending_body:
            out.append((pending_heading, pending_body))
    return out


def split_sentences(text: str, max_chars: int) -> list[str]:
    """Sentences (a line end is a sentence end, kept as a trailing newline); any
    longer than max_chars are cut at a comma near the limit, or hard at the limit."""
    units: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        pieces: list[str] = []
        for sentence in _SENTENCE.findall(line):
            sentence = sentence.strip()
            while len(sentence) > max_chars:
                cut = max_chars
                soft = [m.end() for m in _SOFT_BREAK.finditer(sentence, max_chars // 2, max_chars)]
                if soft:
                    cut = soft[-1]
                pieces.append(sentence[:cut])
                sentence = sentence[cut:].strip()
            if sentence:
                pieces.append(sentence)
        if pieces:
            pieces[-1] += "\n"
            units.extend(pieces)
    return units


def _join(units: list[str]) -> str:
    """Join sentences: line ends are kept; a space only between two Latin words."""
    out = ""
    for u in units:
        if out and not out.endswith("\n") and re.match(r"[A-Za-z0-9]", u[:1]) and re.search(
            r"[A-Za-z0-9.,;:!?]$", out
        ):
            out += " "
        out += u
    return out.strip()


def chunk_text(
    text: str,
    *,
    chunk_chars: int = 360,
    overlap: int = 60,
    markdown: bool = False,
    title: str = "",
) -> list[Chunk]:
    """Chunks of about ``chunk_chars`` characters with ``overlap`` characters of
    whole sentences shared between neighbours of one section."""
    chunk_chars = max(50, chunk_chars)
    overlap = max(0, min(overlap, chunk_chars // 2))
    chunks: list[Chunk] = []
    for heading, body in split_sections(text, markdown=markdown, title=title):
        units = split_sentences(body, chunk_chars)
        current: list[str] = []
        size = 0
        fresh = 0  # units in `current` not already emitted in the previous chunk
        in_list = False  # the units since the last line start belong to a list
        for n, unit in enumerate(units):
            line_start = n == 0 or units[n - 1].endswith("\n")
            if line_start:
                item = bool(_LIST_ITEM.match(unit))
                lead_in = n > 0 and units[n - 1].rstrip().endswith(("：", ":"))
                in_list = item and (in_list or lead_in or bool(current and _LIST_ITEM.match(current[-1])))
            keep_list = in_list and size + len(unit) <= int(chunk_chars * LIST_GROWTH)
            if current and size + len(unit) > chunk_chars and fresh and not keep_list:
                chunks.append(Chunk(_join(current), heading, len(chunks)))
                carry: list[str] = []
                carried = 0
                for prev in reversed(current):
                    if carried + len(prev.rstrip()) > overlap:
                        break
                    carry.insert(0, prev)
                    carried += len(prev.rstrip())
                if not carry and overlap and current:
                    # The last sentence is longer than the overlap: carry its tail from a comma.
                    tail = current[-1].rstrip()[-overlap:]
                    m = _SOFT_BREAK.search(tail)
                    if m and m.end() < len(tail):
                        carry, carried = [tail[m.end():]], len(tail) - m.end()
                current, size, fresh = carry, carried, 0
            current.append(unit)
            size += len(unit.rstrip())
            fresh += 1
        if current and fresh:
            # A short remainder joins the previous chunk of the section when that fits.
            if (
                chunks
                and chunks[-1].section == heading
                and size < chunk_chars // 4
                and len(chunks[-1].text) + size <= int(chunk_chars * 1.25)
            ):
                new_units = current[len(current) - fresh :]
                chunks[-1] = Chunk(_join([chunks[-1].text + "\n", *new_units]), heading, chunks[-1].ordinal)
            else:
                chunks.append(Chunk(_join(current), heading, len(chunks)))
    return chunks

"""Reading documents: .md, .txt, .html/.htm, .pdf and .docx.

Each file becomes a ``LoadedDocument`` with cleaned text in its original script
(headings as ``#`` lines, so chunking can track sections), a title, the encoding it
was decoded with, and — for Markdown with front matter — the knowledge metadata.
A file that cannot be used raises ``SkipFile`` with a reason the ingest report shows
(empty, binary, unreadable, unsupported); the caller goes on with the next file.

Parsers are the maintained libraries: pypdf, python-docx, BeautifulSoup; encodings
(UTF-8, GB18030/GBK, Big5, …) are detected with charset-normalizer.
"""

from __future__ import annotations

import codecs
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from assistant.knowledge.catalog import FrontMatter, split_front_matter
from assistant.knowledge.cleaning import CleaningReport, clean_text

SkipReason = Literal["empty", "binary", "unreadable", "unsupported", "not found", "too large"]

TEXT_SUFFIXES = {".md", ".markdown", ".txt", ".text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | {".pdf", ".docx"}
MAX_FILE_BYTES = 50 * 1024 * 1024  # read and parsed at most (a PDF with images may be large)
MAX_TEXT_CHARS = 2_000_000  # indexed at most per file (~6 MB of Chinese text, ~6,000 chunks)
CUT_CHARACTER_NOTE = "the last character was cut off (an incomplete UTF-8 sequence) and was dropped"


def too_large(size: int) -> "SkipFile":
    mb = MAX_FILE_BYTES // (1024 * 1024)
    return SkipFile("too large", f"{size / (1024 * 1024):.1f} MB is over the {mb} MB limit; "
                    "split it into smaller files and ingest those")


def check_size(size: int) -> None:
    """The one size guard of every ingest path (CLI, web upload, bytes passed in)."""
    if size > MAX_FILE_BYTES:
        raise too_large(size)


class SkipFile(Exception):
    """This file is not indexed; ``reason`` is one of SkipReason."""

    def __init__(self, reason: SkipReason, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass
class LoadedDocument:
    path: Path
    text: str  # cleaned, original script; Markdown-style '#' headings
    title: str
    format: str  # md | txt | html | pdf | docx
    encoding: str | None = None  # for text formats: the codec used to decode
    front: FrontMatter = field(default_factory=FrontMatter)
    cleaning: CleaningReport = field(default_factory=CleaningReport)
    # True when the title was written by the author (front matter, a heading, HTML <title>,
    # document properties), False when guessed from the first line or the file name.
    authored_title: bool = False
    notes: list[str] = field(default_factory=list)  # what was repaired while reading, for the report


# --- encodings -----------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(sample) // 50)


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """(text, encoding name). UTF-8 and BOMs first, then a declared charset (HTML
    meta), then charset-normalizer's best guess. Raises SkipFile("binary") when the
    bytes are not text in any encoding."""
    text, name, _ = decode_bytes_noted(data, declared)
    return text, name


def _cut_utf8_tail(data: bytes) -> bytes | None:
    """The bytes without a UTF-8 sequence cut off at the very end (a file truncated mid-character),
    when everything before it is valid UTF-8; else None."""
    try:
        data.decode("utf-8")
        return None
    except UnicodeDecodeError as exc:
        if exc.reason != "unexpected end of data" or exc.end != len(data) or len(data) - exc.start > 3:
            return None
        head = data[: exc.start]
    try:
        head.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return head


def decode_bytes_noted(data: bytes, declared: str | None = None) -> tuple[str, str, list[str]]:
    """decode_bytes, and notes on what was repaired (a cut last character)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            if name == "utf-8-sig":
                head = _cut_utf8_tail(data)
                if head is not None:
                    return head.decode(name), name, [CUT_CHARACTER_NOTE]
            return data.decode(name), name, []
    if _looks_binary(data):
        raise SkipFile("binary", "contains NUL or control bytes; not a text file")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    head = _cut_utf8_tail(data)
    if head is not None:
        return head.decode("utf-8"), "utf-8", [CUT_CHARACTER_NOTE]
    text, name = _decode_other(data, declared)
    return text, name, []


def _decode_other(data: bytes, declared: str | None) -> tuple[str, str]:
    if declared:
        try:
            codec = codecs.lookup(declared).name
            # gb2312/gbk declarations are often wrong about the exact set; gb18030 is a superset.
            if codec in ("gb2312", "gbk"):
                codec = "gb18030"
            return data.decode(codec), codec
        except (LookupError, UnicodeDecodeError):
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    candidates: list[tuple[str, str]] = []
    if best is not None and best.encoding is not None:
        candidates.append((codecs.lookup(best.encoding).name, str(best)))
    for codec in ("gb18030", "big5"):
        if not any(name == codec for name, _ in candidates):
            try:
                candidates.append((codec, data.decode(codec)))
            except UnicodeDecodeError:
                pass
    if not candidates:
        raise SkipFile("binary", "no text encoding fits its bytes")
    # charset-normalizer alone mistakes short Chinese texts for Korean or Big5
    # ("老太太买枣子" in GB18030 → cp949). A decoding that reads as Chinese words wins.
    fits = [_chinese_fit(text) for _, text in candidates]
    choice = 0
    for i, fit in enumerate(fits):
        if fit >= 0.5 and fit > fits[choice] + 0.1:
            choice = i
    name, text = candidates[choice]
    return text, name


_HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _chinese_fit(text: str, sample: int = 4000) -> float:
    """Share of the Han characters in ``text`` that form words of the jieba dictionary
    (after t2s). Real Chinese scores ~0.7–1.0; a wrong decoding's character soup ~0–0.2."""
    from assistant.knowledge.normalize import _jieba, to_simplified

    head = text[:sample]
    han = len(_HAN.findall(head))
    if han == 0:
        return 0.0
    tokenizer = _jieba()
    words = tokenizer.lcut(to_simplified(head), HMM=False)
    covered = sum(len(w) for w in words if len(w) >= 2 and _HAN.search(w) and w in tokenizer.FREQ)
    return covered / han


# --- per-format readers ------------------------------------------------------------


def _first_heading(text: str) -> str:
    for line in text.splitlines():
        m = re.match(r"^#{1,3}\s+(.+?)\s*#*$", line)
        if m:
            return m.group(1).strip()
    return ""


def _read_text(path: Path, data: bytes) -> LoadedDocument:
    text, encoding, notes = decode_bytes_noted(data)
    suffix = path.suffix.lower()
    if suffix in (".md", ".markdown"):
        front, body = split_front_matter(text)
        curated = not front.is_empty
        body = _append_examples(front, body)
        cleaned, report = clean_text(body, web=not curated)
        authored = front.title or _first_heading(cleaned)
        return LoadedDocument(path, cleaned, authored or path.stem, "md", encoding, front, report,
                              authored_title=bool(authored), notes=notes + front.problems)
    cleaned, report = clean_text(text)
    return LoadedDocument(path, cleaned, _text_title(cleaned, path), "txt", encoding, FrontMatter(), report,
                          authored_title=bool(_first_heading(cleaned)), notes=notes)


def _append_examples(front: FrontMatter, body: str) -> str:
    """Method cards keep example questions in the front matter; they are content."""
    examples = front.extra.get("examples_zh") or []
    if not isinstance(examples, list) or not examples:
        return body
    lines = "\n".join(f"- {e}" for e in examples if str(e).strip())
    return body.rstrip() + "\n\n## 示例问法\n" + lines + "\n"


def _text_title(text: str, path: Path) -> str:
    """First heading, else a short first line, else the file name."""
    heading = _first_heading(text)
    if heading:
        return heading
    for line in text.splitlines():
        line = line.strip().strip("[]【】")
        if line:
            if len(line) <= 40 and not line.endswith(("。", "，", ",")):
                return line
            break
    return path.stem


_BLOCK_TAGS = ("p", "div", "li", "tr", "br", "section", "article", "blockquote", "pre", "td", "th", "dd", "dt")
_CHROME_TAGS = ("script", "style", "noscript", "nav", "header", "footer", "aside", "form", "iframe", "svg",
                "button", "select", "template")
_CHROME_ATTR = re.compile(
    r"(^|[\s_-])(nav|navbar|menu|breadcrumbs?|crumb|footer|foot|sidebar|side-bar|comments?|share|"
    r"advert|ads?|banner|toolbar|pagination|pager|related|recommend|copyright|login|topbar)([\s_-]|$)",
    re.I,
)


def _read_html(path: Path, data: bytes) -> LoadedDocument:
    from bs4 import BeautifulSoup

    head = data[:4096].decode("ascii", errors="ignore")
    m = re.search(r"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", head, re.I)
    text, encoding, notes = decode_bytes_noted(data, declared=m.group(1) if m else None)
    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(_CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if tag.attrs is None:  # already removed with a parent
            continue
        marker = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
        if marker and _CHROME_ATTR.search(marker) and tag.name not in ("body", "html", "main", "article"):
            tag.decompose()
    main = soup.find("article") or soup.find("main") or soup.body or soup
    for level in range(1, 7):
        for h in main.find_all(f"h{level}"):
            h.replace_with(f"\n\n{'#' * level} {h.get_text(' ', strip=True)}\n\n")
    for tag in main.find_all(_BLOCK_TAGS):
        tag.insert_before("\n")
        tag.insert_after("\n")
    raw = main.get_text("")
    raw = "\n".join(line.strip() for line in raw.splitlines())
    cleaned, report = clean_text(raw)
    authored = _first_heading(cleaned) or re.split(r"\s[-_|｜]\s", title)[0].strip()
    return LoadedDocument(path, cleaned, authored or path.stem, "html", encoding, FrontMatter(), report,
                          authored_title=bool(authored), notes=notes)


def _read_pdf(path: Path, data: bytes) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.ERROR)  # its warnings about damaged files become our skip reason
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                reader.decrypt("")
            except Exception as exc:  # noqa: BLE001 - pypdf raises several kinds here
                raise SkipFile("unreadable", f"encrypted PDF ({exc})") from exc
        if len(reader.pages) == 0:
            raise SkipFile("unreadable", "corrupt PDF: no pages found")
        pages = [page.extract_text() or "" for page in reader.pages]
        meta_title = (reader.metadata.title if reader.metadata else None) or ""
    except SkipFile:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as exc:
        raise SkipFile("unreadable", f"corrupt or unsupported PDF ({type(exc).__name__}: {exc})") from exc
    finally:
        pypdf_log.setLevel(level)
    text = "\n\n".join(p.strip() for p in pages if p.strip())
    if not text.strip():
        raise SkipFile("empty", f"no text layer in {len(pages)} page(s) (a scanned PDF needs OCR first)")
    cleaned, report = clean_text(text)
    authored = str(meta_title).strip()
    return LoadedDocument(path, cleaned, authored or _text_title(cleaned, path), "pdf", None, FrontMatter(), report,
                          authored_title=bool(authored))


def _read_docx(path: Path, data: bytes) -> LoadedDocument:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise SkipFile("unreadable", f"corrupt .docx ({type(exc).__name__}: {exc})") from exc
    lines: list[str] = []
    for para in document.paragraphs:
        text = para.text.strip()
        if not text:
            continue
        style = (para.style.name if para.style is not None else "") or ""
        m = re.match(r"Heading\s*(\d)", style) or (re.match(r"(Title)", style))
        if m:
            level = int(m.group(1)) if m.group(1).isdigit() else 1
            lines.append(f"\n{'#' * min(level, 6)} {text}\n")
        else:
            lines.append(text)
    for table in document.tables:
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                lines.append(" | ".join(dict.fromkeys(cells)))
    cleaned, report = clean_text("\n".join(lines), web=False)
    authored = (document.core_properties.title or "").strip() or _first_heading(cleaned)
    return LoadedDocument(path, cleaned, authored or _text_title(cleaned, path), "docx", None, FrontMatter(), report,
                          authored_title=bool(authored))


def load_document(path: Path, data: bytes | None = None) -> LoadedDocument:
    """Read and clean one file. Raises SkipFile when it cannot be indexed."""
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise SkipFile("unsupported", f"{suffix or 'files without a suffix'} not indexed")
    if data is None:
        try:
            check_size(path.stat().st_size)
            data = path.read_bytes()
        except FileNotFoundError as exc:
            raise SkipFile("not found", str(path)) from exc
        except OSError as exc:
            raise SkipFile("unreadable", f"{type(exc).__name__}: {exc}") from exc
    check_size(len(data))
    if not data.strip():
        raise SkipFile("empty", "the file has no content")
    if suffix in TEXT_SUFFIXES:
        doc = _read_text(path, data)
    elif suffix in HTML_SUFFIXES:
        doc = _read_html(path, data)
    elif suffix == ".pdf":
        if not data.lstrip().startswith(b"%PDF"):
            raise SkipFile("unreadable", "not a PDF file (no %PDF header)")
        doc = _read_pdf(path, data)
    else:
        if not data.startswith(b"PK"):
            raise SkipFile("unreadable", "not a .docx file (not a zip package)")
        doc = _read_docx(path, data)
    if not doc.text.strip():
        detail = "only site navigation / boilerplate" if doc.cleaning.lines_removed else "no text"
        raise SkipFile("empty", detail)
    if len(doc.text) > MAX_TEXT_CHARS:
        raise SkipFile("too large", f"{len(doc.text):,} characters of text is over the {MAX_TEXT_CHARS:,} limit; "
                       "split it into smaller files and ingest those")
    return doc

"""The ingest pipeline: files → cleaned text → chunks → vectors → Chroma.

* Idempotent: a file whose bytes (sha256) and pipeline settings are unchanged is
  reported "unchanged" and not read again.
* A changed file replaces its chunks: chunk ids are content hashes of (file, text),
  so unchanged chunks keep their id and vector; chunks that disappeared are deleted.
* ``prune=True`` removes the chunks of files that were indexed under the given
  paths but no longer exist.
* One bad file never stops the others: it is reported as skipped with its reason
  (empty, binary, unreadable, unsupported, not found).
"""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Literal

import numpy as np
from pydantic import BaseModel, Field

from assistant.knowledge import shipped_vectors
from assistant.knowledge.catalog import parse_questions
from assistant.knowledge.chunking import chunk_text
from assistant.knowledge.entries import SITUATIONS_SECTION, STAGES_SECTION
from assistant.knowledge.loaders import SkipFile, check_size, load_document
from assistant.knowledge.normalize import normalise, tokenize
from assistant.knowledge.store import ChromaStore

PIPELINE_VERSION = 7  # bump when chunk texts or metadata change: files are then re-indexed
SUMMARY_SECTION = "English summary"
QUESTIONS_SECTION = "Questions it answers"  # records of front matter `questions` (role "question")
# SITUATIONS_SECTION and STAGES_SECTION (assistant.knowledge.entries) hold the records of front
# matter `situations` (the sales situations a method card serves) and `stages` (a process entry's
# stages in plain words), compared with the question like the entry's own questions.
SENTENCES_SECTION = "Sentences"  # an entry's sentences one by one (role "sentence"), never shown
SENTENCE_MIN_CHARS = 8  # shorter pieces (headings, list labels) say too little on their own
OUTLINE_SECTION = "Outline"  # an entry's numbered sections as one list passage (role "outline")
# The vectors of question records are computed as queries ("query: " for e5): a question is
# compared with a question (benchmarks/results/retrieval.json, "tried").
QUESTION_VECTORS_AS = "query"
_NUMBERED = re.compile(r"^\s*(\d{1,2}[.、．)]|[一二三四五六七八九十]+、|第[一二三四五六七八九十\d]+[步层条个])\s*")
KNOWLEDGE_PREFIX = "knowledge:"

Progress = Callable[[str, int, int], None]  # (file shown, files done, files total)
ChunkProgress = Callable[[str, int, int], None]  # (file shown, chunks embedded, chunks of the file)
EMBED_BATCH = 32  # chunks embedded per call; progress is reported after each batch
# A document longer than this is a "large" one: it is cut into chunks twice the usual size,
# and their dense vectors are computed from each chunk's first LARGE_EMBED_CHARS characters
# (BM25 still indexes every word). The embedder costs ~1 ms per token per core, so full
# vectors for 1 MB of Chinese (~230k tokens) would take minutes (benchmarks/ingest.py).
LARGE_TEXT_CHARS = 150_000
LARGE_EMBED_CHARS = 96


class FileResult(BaseModel):
    path: str
    status: Literal["indexed", "replaced", "unchanged", "skipped", "pruned"]
    chunks: int = 0
    format: str = ""
    encoding: str | None = None
    title: str = ""
    reason: str | None = None  # for skipped: empty | binary | unreadable | unsupported | not found | too large
    detail: str = ""
    cleaned_lines: int = 0  # boilerplate lines removed
    pinyin_removed: int = 0


class IngestReport(BaseModel):
    indexed: list[FileResult] = Field(default_factory=list)  # new or changed files
    unchanged: list[FileResult] = Field(default_factory=list)
    skipped: list[FileResult] = Field(default_factory=list)
    pruned: list[FileResult] = Field(default_factory=list)
    chunks_added: int = 0
    chunks_removed: int = 0
    total_chunks: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.chunks_added or self.chunks_removed)

    def summary(self) -> str:
        return (
            f"{len(self.indexed)} indexed, {len(self.unchanged)} unchanged, {len(self.skipped)} skipped, "
            f"{len(self.pruned)} pruned; {self.total_chunks} chunks in the index"
        )


def pipeline_signature(chunk_chars: int, chunk_overlap: int) -> str:
    return f"v{PIPELINE_VERSION}/c{chunk_chars}/o{chunk_overlap}"


def source_key(path: Path, knowledge_dir: Path | None) -> str:
    """A stable name for a file: relative for the shipped knowledge (so a moved
    checkout keeps its index), absolute otherwise."""
    resolved = path.resolve()
    if knowledge_dir is not None:
        try:
            return KNOWLEDGE_PREFIX + resolved.relative_to(knowledge_dir.resolve()).as_posix()
        except ValueError:
            pass
    return resolved.as_posix()


def _is_hidden(path: Path, root: Path) -> bool:
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = path.parts
    return any(p.startswith(".") or p == "__pycache__" for p in parts)


def collect_files(paths: Iterable[Path]) -> tuple[list[Path], list[FileResult]]:
    """Files to ingest (directories walked, hidden entries skipped) and the
    paths that do not exist."""
    files: list[Path] = []
    missing: list[FileResult] = []
    seen: set[Path] = set()
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and not _is_hidden(p, path))
        elif path.is_file():
            found = [path]
        else:
            detail = "no such file or directory"
            if path.is_symlink():
                detail = "a symbolic link that leads nowhere (its target is missing, or it is a link loop)"
            missing.append(FileResult(path=str(path), status="skipped", reason="not found", detail=detail))
            continue
        for p in found:
            rp = p.resolve()
            if rp not in seen:
                seen.add(rp)
                files.append(p)
    return files, missing


def chunk_id(key: str, index_text: str) -> str:
    return hashlib.sha256(f"{key}\x00{index_text}".encode()).hexdigest()[:32]


_DATE = re.compile(r"((?:19|20)\d{2})[-./年](\d{1,2})[-./月](\d{1,2})日?")


def document_date(text: str, head_chars: int = 600) -> str:
    """A publication date written near the top of a document ("2017-08-11", "发布日期:2018-10-08"), ISO form."""
    m = _DATE.search(text[:head_chars])
    if not m:
        return ""
    year, month, day = m.groups()
    if not (1 <= int(month) <= 12 and 1 <= int(day) <= 31):
        return ""
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _source_fields(doc: Any) -> tuple[str, str]:
    """(source titles, source dates) as stored: a knowledge entry's front matter, else the
    document's own title and the date written at its top."""
    from assistant.knowledge.citation import _as_list, join_stored

    titles = _as_list(doc.front.extra.get("source_title"))
    if titles:
        return join_stored(titles), join_stored(_as_list(doc.front.extra.get("source_date")))
    return doc.title, document_date(doc.text)


def build_records(doc: Any, key: str, file_hash: str, pipeline: str, chunk_chars: int, overlap: int
                  ) -> tuple[list[str], list[str], list[dict[str, Any]]]:
    """(ids, index texts, metadatas) for one loaded document."""
    front = doc.front
    chunks = chunk_text(doc.text, chunk_chars=chunk_chars, overlap=overlap, markdown=doc.format == "md",
                        title=doc.title)
    ids: list[str] = []
    texts: list[str] = []
    metas: list[dict[str, Any]] = []
    source_title, source_date = _source_fields(doc)
    for chunk in chunks:
        # The section heading gives a chunk its context; the title only when the author
        # wrote it — a title guessed from a web capture's first line ("时间:4月3日…") or
        # its file name is noise (seed benchmark: recall@3 0.93 with it, 0.95 without).
        header = " › ".join(x for x in (doc.title if doc.authored_title else "", chunk.section) if x)
        extra = ""
        if chunk.ordinal == 0:
            # English title and summary, tags and English example questions make the
            # first chunk findable by English questions and by keywords.
            examples = front.extra.get("examples_en") or []
            parts = [front.title_en, front.summary_en, " ".join(front.tags)]
            if isinstance(examples, list):
                parts.extend(str(e) for e in examples)
            extra = "\n" + "\n".join(p for p in parts if p)
        index_text = normalise(f"{header}\n{chunk.text}{extra}" if header else f"{chunk.text}{extra}").strip()
        cid = chunk_id(key, index_text)
        if cid in ids:
            continue  # the same text twice in one file adds nothing
        ids.append(cid)
        texts.append(index_text)
        metas.append({
            "source": doc.path.name,
            "path": str(doc.path.resolve()),
            "source_key": key,
            "title": doc.title,
            "title_en": front.title_en,
            "section": chunk.section,
            "doc_id": front.doc_id,
            "kind": front.kind,
            "tags": ", ".join(front.tags),
            "origin": front.source,  # front matter `source`: where a knowledge entry's content comes from
            "source_title": source_title,
            "source_date": source_date,
            "format": doc.format,
            "encoding": doc.encoding or "",
            "file_hash": file_hash,
            "pipeline": pipeline,
            "ordinal": chunk.ordinal,
            "text": chunk.text,
            "tokens": " ".join(tokenize(index_text)),
        })
    if front.summary_en:
        # Knowledge entries also get an English summary record. Appended to a Chinese
        # chunk, the English text barely moves its vector (an English question about
        # the jujube story scored 0.835 against it, below unrelated method cards at
        # 0.847); on its own it scores 0.891 and is found.
        index_text = normalise(f"{front.title_en}\n{front.summary_en}").strip()
        cid = chunk_id(key, index_text)
        if cid not in ids and ids:
            ids.append(cid)
            texts.append(index_text)
            metas.append({**metas[0], "section": SUMMARY_SECTION, "ordinal": len(chunks), "text": front.summary_en,
                          "tokens": " ".join(tokenize(index_text))})
    if front.doc_id and ids:
        _outline_record(doc, key, chunks, ids, texts, metas)
        # The questions the entry answers, as passages that point to the entry; method cards'
        # `situations` and process entries' `stages` are compared with the question the same
        # way, each in a section of its own.
        _pointer_records(key, front.questions, "question", QUESTIONS_SECTION, len(chunks) + 2, "question",
                         ids, texts, metas)
        for field, section, base_ordinal in (("situations", SITUATIONS_SECTION, 100), ("stages", STAGES_SECTION, 200)):
            values = front.extra.get(field)
            if not values:
                continue
            _pointer_records(key, parse_questions(values)[0], field[:-1], section, len(chunks) + base_ordinal,
                             "question", ids, texts, metas)
        _pointer_records(key, entry_sentences(chunks), "sentence", SENTENCES_SECTION, len(chunks) + 1000,
                         "sentence", ids, texts, metas)
    return ids, texts, metas


_SENTENCE_END = re.compile(r"(?<=[。！？；])|(?<=[.!?;])\s+|\n")
_MARKUP = re.compile(r"^[\s#>*|+-]+|\|")  # heading, quote and list marks, table bars


def entry_sentences(chunks: list[Any]) -> list[str]:
    """An entry's sentences, in order, each once: a question about one figure, one step or one
    detail of a story meets that sentence alone, not diluted in a 360-character chunk."""
    out: list[str] = []
    seen: set[str] = set()
    for chunk in chunks:
        for piece in _SENTENCE_END.split(str(chunk.text)):
            sentence = " ".join(_MARKUP.sub(" ", piece.replace("**", "")).split()).strip()
            if len(sentence) < SENTENCE_MIN_CHARS or set(sentence) <= set("-: ") or sentence in seen:
                continue
            seen.add(sentence)
            out.append(sentence)
    return out


def _pointer_records(key: str, values: list[str], prefix: str, section: str, first_ordinal: int, role: str,
                     ids: list[str], texts: list[str], metas: list[dict[str, Any]]) -> None:
    """One record per value (a question the entry answers, a situation, a stage, or one of its
    sentences — role "sentence", used by the entry ranking only, assistant.knowledge.entries),
    pointing to the entry and never shown as the cited text."""
    base = metas[0]
    for n, value in enumerate(values):
        index_text = normalise(value).strip()
        cid = chunk_id(key, prefix + "\x00" + index_text)
        if not index_text or cid in ids:
            continue
        ids.append(cid)
        texts.append(index_text)
        metas.append({**base, "section": section, "ordinal": first_ordinal + n, "text": value,
                      "role": role, "tokens": " ".join(tokenize(index_text))})


def _outline_record(doc: Any, key: str, chunks: list[Any], ids: list[str], texts: list[str],
                    metas: list[dict[str, Any]]) -> None:
    """An entry whose sections are numbered ("## 1. 以客户需求为导向", "## 2. …") is a list spread
    over several sections; one extra passage holds the whole list — title and the numbered
    headings — so "what are the four …" meets the list in one piece."""
    headings: list[str] = []
    for chunk in chunks:
        for heading in str(chunk.section).split(" › "):  # a short section shares the next one's heading
            if _NUMBERED.match(heading) and heading not in headings:
                headings.append(heading)
    if len(headings) < 2:
        return
    text = f"{doc.title}：" + "；".join(headings)
    index_text = normalise(text).strip()
    cid = chunk_id(key, "outline\x00" + index_text)
    if cid in ids:
        return
    ids.append(cid)
    texts.append(index_text)
    metas.append({**metas[0], "section": OUTLINE_SECTION, "ordinal": len(chunks) + 1, "text": text,
                  "role": "outline", "tokens": " ".join(tokenize(index_text))})


def _exists(path_str: str, key: str, knowledge_dir: Path | None) -> bool:
    if key.startswith(KNOWLEDGE_PREFIX) and knowledge_dir is not None:
        return (knowledge_dir / key[len(KNOWLEDGE_PREFIX):]).is_file()
    return Path(path_str).is_file()


def _under(path_str: str, key: str, roots: list[Path], knowledge_dir: Path | None) -> bool:
    candidates = [Path(path_str)]
    if key.startswith(KNOWLEDGE_PREFIX) and knowledge_dir is not None:
        candidates.append(knowledge_dir.resolve() / key[len(KNOWLEDGE_PREFIX):])
    for candidate in candidates:
        for root in roots:
            if candidate == root or root in candidate.parents:
                return True
    return False


def ingest_paths(
    store: ChromaStore,
    embedder: Any,
    paths: Iterable[Path],
    *,
    chunk_chars: int,
    chunk_overlap: int,
    knowledge_dir: Path | None,
    prune: bool = False,
    progress: Progress | None = None,
    chunk_progress: ChunkProgress | None = None,
) -> IngestReport:
    started = time.perf_counter()
    paths = [Path(p).expanduser() for p in paths]
    report = IngestReport()
    files, missing = collect_files(paths)
    report.skipped.extend(missing)
    pipeline = pipeline_signature(chunk_chars, chunk_overlap)
    total = len(files)
    for done, path in enumerate(files):
        if progress:
            progress(path.name, done, total)
        _ingest_one(store, embedder, path, report, pipeline, chunk_chars, chunk_overlap, knowledge_dir,
                    chunk_progress)
    if progress:
        progress("", total, total)
    if prune:
        roots = [p.resolve() for p in paths]
        for key, entry in store.sources().items():
            if _under(entry["path"], key, roots, knowledge_dir) and not _exists(entry["path"], key, knowledge_dir):
                store.delete(entry["ids"])
                report.chunks_removed += len(entry["ids"])
                report.pruned.append(FileResult(path=entry["path"], status="pruned", chunks=len(entry["ids"]),
                                                detail="the file no longer exists"))
    if report.changed:
        store.touch()
    report.total_chunks = store.count()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


LARGE_NOTE = (f"large document: chunks of twice the usual size, dense vectors from the first {LARGE_EMBED_CHARS} "
              "characters of each")


def _embed_texts(texts: list[str]) -> tuple[list[str], bool]:
    """The texts the dense side embeds (a large document's chunks cut to their head), and
    whether the document is a large one."""
    if sum(len(t) for t in texts) <= LARGE_TEXT_CHARS:
        return texts, False
    return [t[:LARGE_EMBED_CHARS] for t in texts], True


def _embed(embedder: Any, texts: list[str], shown: str, chunk_progress: ChunkProgress | None) -> np.ndarray:
    """Vectors in batches, reporting (file, chunks done, chunks total) after each batch."""
    parts: list[np.ndarray] = []
    total = len(texts)
    if chunk_progress:
        chunk_progress(shown, 0, total)
    for start in range(0, total, EMBED_BATCH):
        parts.append(np.asarray(embedder.embed_passages(texts[start : start + EMBED_BATCH]), dtype=np.float32))
        if chunk_progress:
            chunk_progress(shown, min(total, start + EMBED_BATCH), total)
    return np.vstack(parts)


def _embed_questions(embedder: Any, texts: list[str]) -> np.ndarray:
    """Question records' vectors, computed as queries."""
    parts = [np.asarray(embedder.embed_query(texts[start : start + EMBED_BATCH]), dtype=np.float32)
             for start in range(0, len(texts), EMBED_BATCH)]
    vectors = np.vstack(parts)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)


def _ingest_one(store: ChromaStore, embedder: Any, path: Path, report: IngestReport, pipeline: str,
                chunk_chars: int, chunk_overlap: int, knowledge_dir: Path | None,
                chunk_progress: ChunkProgress | None = None) -> None:
    key = source_key(path, knowledge_dir)
    shown = str(path)
    try:
        check_size(path.stat().st_size)  # before reading: a huge file is refused at once
        data = path.read_bytes()
        check_size(len(data))  # it may have grown since
    except SkipFile as skip:
        report.skipped.append(FileResult(path=shown, status="skipped", reason=skip.reason, detail=skip.detail))
        return
    except OSError as exc:
        report.skipped.append(FileResult(path=shown, status="skipped", reason="unreadable",
                                         detail=f"{type(exc).__name__}: {exc}"))
        return
    file_hash = hashlib.sha256(data).hexdigest()
    previous = store.source_state(key)
    if previous and previous.file_hash == file_hash and previous.pipeline == pipeline:
        report.unchanged.append(FileResult(path=shown, status="unchanged", chunks=len(previous.ids)))
        return
    try:
        doc = load_document(path, data)
    except SkipFile as skip:
        removed = 0
        if previous:  # the file was indexed before and is now unusable: drop the stale chunks
            store.delete(previous.ids)
            removed = len(previous.ids)
            report.chunks_removed += removed
        detail = skip.detail + (f" (removed {removed} chunks indexed from its earlier version)" if removed else "")
        report.skipped.append(FileResult(path=shown, status="skipped", reason=skip.reason, detail=detail))
        return
    except Exception as exc:  # noqa: BLE001 - a parser bug on one file must not stop the rest
        report.skipped.append(FileResult(path=shown, status="skipped", reason="unreadable",
                                         detail=f"{type(exc).__name__}: {exc}"))
        return

    if len(doc.text) > LARGE_TEXT_CHARS:
        chunk_chars = chunk_chars * 2
    ids, texts, metas = build_records(doc, key, file_hash, pipeline, chunk_chars, chunk_overlap)
    if not ids:
        report.skipped.append(FileResult(path=shown, status="skipped", reason="empty", detail="no text to index"))
        return
    previous_ids = set(previous.ids) if previous else set()
    reuse = store.vectors_for([i for i in ids if i in previous_ids])
    missing = [n for n, cid in enumerate(ids) if cid not in reuse]
    if missing and sum(len(t) for t in texts) <= LARGE_TEXT_CHARS:
        # The shipped knowledge's vectors come with the product (assistant.knowledge.shipped_vectors).
        spaces = ["query" if metas[n].get("role") == "question" and QUESTION_VECTORS_AS == "query" else "passage"
                  for n in missing]
        found = shipped_vectors.lookup(str(getattr(embedder, "key", "") or ""),
                                       [(space, texts[n]) for space, n in zip(spaces, missing)])
        for j, vec in found.items():
            reuse[ids[missing[j]]] = vec
        missing = [n for j, n in enumerate(missing) if j not in found]
    vectors = np.zeros((len(ids), 0), dtype=np.float32)
    notes = list(doc.notes)
    if missing:
        questions = [n for n in missing if metas[n].get("role") == "question" and QUESTION_VECTORS_AS == "query"]
        passages = [n for n in missing if n not in set(questions)]
        fresh_parts: list[tuple[list[int], np.ndarray]] = []
        if passages:
            to_embed, large = _embed_texts([texts[n] for n in passages])
            if large:
                notes.append(LARGE_NOTE)
            fresh_parts.append((passages, _embed(embedder, to_embed, shown, chunk_progress)))
        if questions:
            fresh_parts.append((questions, _embed_questions(embedder, [texts[n] for n in questions])))
        dim = fresh_parts[0][1].shape[1]
        vectors = np.zeros((len(ids), dim), dtype=np.float32)
        for positions, fresh in fresh_parts:
            for n, vec in zip(positions, fresh):
                vectors[n] = vec
    elif reuse:
        dim = len(next(iter(reuse.values())))
        vectors = np.zeros((len(ids), dim), dtype=np.float32)
    for n, cid in enumerate(ids):
        if cid in reuse:
            vectors[n] = reuse[cid]
    store.upsert(ids, texts, metas, vectors)
    new_ids = set(ids)
    stale = [i for i in previous_ids if i not in new_ids]
    store.delete(stale)
    report.chunks_added += len(ids)
    report.chunks_removed += len(stale)
    report.indexed.append(FileResult(
        path=shown, status="replaced" if previous else "indexed", chunks=len(ids), format=doc.format,
        encoding=doc.encoding, title=doc.title, cleaned_lines=doc.cleaning.lines_removed,
        pinyin_removed=doc.cleaning.pinyin_removed, detail="; ".join(notes),
    ))

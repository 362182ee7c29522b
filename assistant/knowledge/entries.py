"""Entry-aware retrieval: score passages, then rank the entries they belong to.

The knowledge base is made of entries (a story, a concept, a method card, a process, a
case, a pitfall); a user's document is made of sections (its headings). A passage that
shares a few words with the question is not an answer on its own: the entry whose
title, summary, tags and core passage match the idea is. So each entry ("group") gets
one score from

* ``dense``: the best cosine similarity of the question with any of its passages
  (exact, over the cached vectors of every chunk);
* ``profile``: the similarity with its profile passages — the first passage (title,
  opening section, tags, English title/summary) and the English summary record;
* ``lexical``: BM25 over the whole entry as one document, so a list split over
  several passages still counts whole, normalised by the best entry's score;
* ``kind``: a boost when the question asks for the kind of thing the entry is (a
  story, a number, a list, a process, a definition…; ``intent.asked_kinds``);

* ``questions``: the best similarity of the question with the questions the entry says it
  answers (front matter ``questions``, indexed as passages of role "question"): the entry's
  best passage is the better of its body passages and these questions (less an offset, as
  question-to-question similarities run higher than question-to-passage ones);
* ``list size``: a question asking for "the four …" boosts entries holding a list of four
  (numbered sections, list items, or a count in the title);

and example-question lists ("可以这样问", "示例问法") count for less than the text they
illustrate. The ``situations`` of method cards, process entries and pitfalls and process entries'
``stages`` (front matter) are question records too.

* ``vote``: the question records nearest the query vote for their entries (weighted by
  similarity, as ``assistant.understanding.semantic.vote``); an entry several of whose questions
  and situations sit close to the query gains a little over one that has a single close one. Question records are never shown: the entry is shown through its best body passage. The weights below were chosen
on benchmarks/data/retrieval_dev.json; what was tried is recorded in
benchmarks/results/retrieval.json ("tried").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assistant.knowledge.intent import asked_count, asked_kinds
from assistant.knowledge.normalize import has_chinese, tokenize

EXAMPLE_SECTIONS = ("示例问法", "可以这样问", "可以这样说", "Example questions")
SUMMARY_SECTION = "English summary"
SITUATIONS_SECTION = "Situations it serves"  # as in assistant.knowledge.ingest
STAGES_SECTION = "Stages it walks through"  # a process entry's front matter `stages`


@dataclass
class Weights:
    profile: float = 0.5  # weight of the profile similarity next to the best passage's
    lexical: float = 0.02  # weight of the entry-level BM25 (0–1 after normalisation)
    lexical_en: float = 0.02  # the same for questions without Chinese (English summaries, titles, tags)
    kind: float = 0.02  # boost for an entry of the kind the question asks for
    examples: float = 0.02  # penalty of an example-question passage (not for "how do I ask" questions)
    numbers: float = 0.01  # boost for an entry stating a figure, for a "how many / what share" question
    lists: float = 0.008  # boost for an entry made of a counted list, for a "which N …" question
    passage_lexical: float = 0.0  # BM25 of an entry's passage (0–1), added to its similarity (Chinese questions)
    document_lexical: float = 0.1  # the same for a passage of a user's document (web captures need the words)
    question_offset: float = 0.005  # subtracted from a question record's similarity before it competes
    question_calibrate: float = 0.0  # if > 0: question similarities mapped onto the passages' scale (× spread)
    question_generic: float = 0.25  # penalty per unit of a question's closeness to the centroid of all questions
    question_blend: float = 0.0  # if > 0: the best passage and best question are averaged with this weight instead
    question_offset_en: float = 0.005  # the same for questions without Chinese
    question_lexical: float = 0.0  # BM25 over an entry's questions (0–1), added to its score
    list_size: float = 0.01  # boost for an entry holding a list of the size the question asks for
    passage_generic: float = 0.2  # penalty per unit of a passage's closeness to the centroid of all passages
    sentences: float = 0.2  # weight of an entry's best single sentence (relative to the best entry's)
    situations: bool = True  # method cards' situations compete like their questions (False: left out)
    stages: bool = True  # process entries' stages compete like their questions (False: left out)
    kind_semantic: float = 0.0  # boost × probability of the asked kind, read by meaning (intent.kind_probabilities)
    kind_semantic_concept: float = 0.0  # the same for "why / what is the idea" questions → concept entries
    kind_semantic_gate: float = 0.0  # if > 0: the probe counts only when no cue word matched and p ≥ this
    question_second: float = 0.0  # if > 0: an entry's question score pools its best two (best + w × second) / (1 + w)
    question_vote: float = 0.01  # boost × an entry's share of the similarity-weighted vote of the nearest question records
    question_vote_k: int = 5  # how many nearest question records vote
    question_vote_power: float = 4.0  # sharper weights let the closest records dominate (as semantic.vote)


WEIGHTS = Weights()

# Which entry kinds answer which asked-for kinds (and how strongly).
KIND_MATCH: dict[str, dict[str, float]] = {
    "story": {"story": 1.0, "case": 0.6},
    "case": {"case": 1.0, "story": 0.6},
    "process": {"process": 1.0},
    "definition": {"concept": 0.6},
    "method": {"method": 1.0},
}

_COUNT_TITLE = re.compile(r"[一二两三四五六七八九十\d]+\s*(个|层|种|类|条|大|项|步|维度|面|点|单|级)")
_FIGURE = re.compile(r"\d+\s*%|百分之|[一二两三四五六七八九]成|\b(19|20)\d{2}\b|\d+\s*(年|倍|个|人|天)")
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


def expand_query_tokens(tokens: list[str]) -> list[str]:
    """Figures written in words also match figures written in digits: 八成 → 80%."""
    out = list(tokens)
    for t in tokens:
        m = re.fullmatch(r"([一二两三四五六七八九])成", t)
        if m:
            out.append(f"{_CN_DIGITS[m.group(1)] * 10}%")
        m = re.fullmatch(r"百分之([一二三四五六七八九])十", t)
        if m:
            out.append(f"{_CN_DIGITS[m.group(1)] * 10}%")
    return out


_ITEM = re.compile(r"^\s*([-*•·]|\d{1,2}[.、)）]|[（(]\d{1,2}[)）]|[一二三四五六七八九十]+、)\s*\S")


def list_sizes(text: str) -> set[int]:
    """Sizes of the lists in a passage (runs of consecutive "- " / "1." lines)."""
    sizes: set[int] = set()
    run = 0
    for line in text.splitlines():
        if _ITEM.match(line):
            run += 1
        elif line.strip():
            if run >= 2:
                sizes.add(run)
            run = 0
    if run >= 2:
        sizes.add(run)
    return sizes


def _title_counts(title: str) -> set[int]:
    from assistant.knowledge.intent import count_value

    out = set()
    for m in _COUNT_TITLE.finditer(title):
        value = count_value(m.group(0))
        if value:
            out.add(value)
    return out


GENERIC_BY_LANGUAGE = False  # separate centres per language for the generic-record penalties
SECTION_WINDOW = 1  # a long section of a user's document is grouped this many chunks at a time


def group_key(meta: dict[str, Any]) -> str:
    """A knowledge entry is one group; a user's document has one group per section (its
    headings), a long section one per run of SECTION_WINDOW chunks — so a document without
    headings still yields several passages."""
    doc_id = str(meta.get("doc_id", ""))
    if doc_id:
        return "entry:" + doc_id
    window = int(meta.get("ordinal", 0) or 0) // SECTION_WINDOW
    return f"{meta.get('source_key', meta.get('source', ''))}#{meta.get('section', '')}#{window}"


def _pool_two(first: np.ndarray, groups: np.ndarray, values: np.ndarray, weight: float) -> np.ndarray:
    """Per group, (best + weight × second best) / (1 + weight); a group with one value keeps it."""
    ok = np.isfinite(values)
    groups, values = groups[ok], values[ok]
    if values.size == 0:
        return first
    order = np.lexsort((-values, groups))
    g, v = groups[order], values[order]
    head = np.r_[True, g[1:] != g[:-1]]
    second_at = np.flatnonzero(~head & np.r_[False, head[:-1]])
    second = first.copy()
    second[g[second_at]] = v[second_at]
    return np.where(np.isfinite(first), (first + weight * second) / (1.0 + weight), first)


def _vote(question_sims: np.ndarray, rows: np.ndarray, group_of: np.ndarray, n: int, weights: Weights) -> np.ndarray:
    """Each entry's share of a similarity-weighted vote of the question records nearest the query."""
    share = np.zeros(n)
    values = question_sims[rows]
    ok = np.isfinite(values)
    rows, values = rows[ok], values[ok]
    if values.size == 0:
        return share
    k = min(weights.question_vote_k, values.size)
    top = np.argpartition(-values, k - 1)[:k]
    w = np.maximum(values[top], 0.0) ** weights.question_vote_power
    if w.sum() <= 0:
        return share
    np.add.at(share, group_of[rows[top]], w / w.sum())
    return share


@dataclass
class EntryIndex:
    """Per-collection arrays for entry ranking (built with the BM25 cache)."""

    group_of: np.ndarray  # chunk position → group number
    keys: list[str]
    kinds: list[str]
    profile: np.ndarray  # chunk is a profile passage of its group
    examples: np.ndarray  # chunk is an example-question passage
    figure: np.ndarray  # group states a figure
    counted: np.ndarray  # group is a counted list ("四个内涵", "三层订单")
    lexical: Any  # BM25Index over groups (tokens of all their chunks)
    members: list[np.ndarray] = field(default_factory=list)

    is_entry: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # chunk of a knowledge entry
    question: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # chunk is a question record
    sentence: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # chunk is a sentence record
    situation: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # question record of a situation
    stage: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))  # question record of a stage
    question_lexical: Any = None  # BM25Index over groups (tokens of their question records)
    list_sizes: dict[int, np.ndarray] = field(default_factory=dict)  # list size → groups holding such a list
    generic: np.ndarray = field(default_factory=lambda: np.zeros(0))  # question record's closeness to all questions
    sections: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (file, section) → chunks

    def __post_init__(self) -> None:
        self.kind_array = np.array(self.kinds, dtype=object)

    @classmethod
    def build(cls, metadatas: list[dict[str, Any]], token_lists: list[list[str]], documents: list[str],
              vectors: np.ndarray | None = None) -> "EntryIndex":
        from assistant.knowledge.retrieval import BM25Index

        keys: list[str] = []
        number: dict[str, int] = {}
        group_of = np.zeros(len(metadatas), dtype=np.int64)
        for i, meta in enumerate(metadatas):
            key = group_key(meta)
            if key not in number:
                number[key] = len(keys)
                keys.append(key)
            group_of[i] = number[key]
        n = len(keys)
        kinds = [""] * n
        titles = [""] * n
        texts: list[list[str]] = [[] for _ in range(n)]
        tokens: list[list[str]] = [[] for _ in range(n)]
        question_tokens: list[list[str]] = [[] for _ in range(n)]
        profile = np.zeros(len(metadatas), dtype=bool)
        examples = np.zeros(len(metadatas), dtype=bool)
        question = np.zeros(len(metadatas), dtype=bool)
        sentence = np.zeros(len(metadatas), dtype=bool)
        situation = np.zeros(len(metadatas), dtype=bool)
        stage = np.zeros(len(metadatas), dtype=bool)
        sizes: list[set[int]] = [set() for _ in range(n)]
        for i, meta in enumerate(metadatas):
            g = int(group_of[i])
            kinds[g] = kinds[g] or str(meta.get("kind", ""))
            titles[g] = titles[g] or str(meta.get("title", ""))
            section = str(meta.get("section", ""))
            ordinal = int(meta.get("ordinal", 0) or 0)
            role = str(meta.get("role", ""))
            if role == "question":
                question[i] = True
                situation[i] = section == SITUATIONS_SECTION
                stage[i] = section == STAGES_SECTION
                question_tokens[g].extend(token_lists[i])
                continue
            if role == "sentence":
                sentence[i] = True
                continue
            if role == "outline":
                sizes[g].add(str(meta.get("text", "")).count("；") + 1)
            profile[i] = section == SUMMARY_SECTION or ordinal == 0
            examples[i] = any(section.endswith(s) for s in EXAMPLE_SECTIONS)
            if not examples[i]:
                tokens[g].extend(token_lists[i])
                sizes[g].update(list_sizes(str(meta.get("text", "")) or documents[i]))
            texts[g].append(str(meta.get("text", "")) or documents[i])
        for g in range(n):
            sizes[g].update(_title_counts(titles[g]))
        figure = np.array([bool(_FIGURE.search(titles[g] + " " + " ".join(texts[g])[:4000])) for g in range(n)])
        counted = np.array([bool(_COUNT_TITLE.search(titles[g])) for g in range(n)])
        lexical = BM25Index([str(g) for g in range(n)], tokens, [{} for _ in range(n)])
        question_lexical = BM25Index([str(g) for g in range(n)], question_tokens, [{} for _ in range(n)])
        by_size: dict[int, np.ndarray] = {}
        for g in range(n):
            for size in sizes[g]:
                if 2 <= size <= 12:
                    by_size.setdefault(size, np.zeros(n, dtype=bool))[g] = True
        members = [np.flatnonzero(group_of == g) for g in range(n)] if n < 50_000 else []
        is_entry = np.array([bool(m.get("doc_id")) for m in metadatas], dtype=bool)
        sections: dict[tuple[str, str], list[int]] = {}
        for i, meta in enumerate(metadatas):
            sections.setdefault((str(meta.get("source_key", "")), str(meta.get("section", ""))), []).append(i)
        generic = np.zeros(len(metadatas))
        if vectors is not None and len(vectors) == len(metadatas):
            # How close each record is to the centre of its kind of record: a question that looks
            # like every other question ("客户说要买某个东西，我该问什么？") matches any query a little,
            # and so does a passage near the centre of the collection (a "hub"). Questions and
            # passages have their own centres, and — with GENERIC_BY_LANGUAGE — so has each language
            # (English records sit close to one another whatever they say).
            chinese = np.array([has_chinese(str(m.get("text", "")) or documents[i]) for i, m in enumerate(metadatas)])
            groups = [question, ~question]
            if GENERIC_BY_LANGUAGE:
                groups = [g & lang for g in groups for lang in (chinese, ~chinese)]
            for rows in groups:
                if rows.sum() < 2:
                    continue
                block = vectors[rows].astype(np.float64)
                centre = block.mean(axis=0)
                centre /= np.linalg.norm(centre) or 1.0
                closeness = block @ centre
                generic[rows] = closeness - closeness.mean()
        return cls(group_of, keys, kinds, profile, examples, figure, counted, lexical, members, is_entry=is_entry,
                   sections=sections, question=question, question_lexical=question_lexical, list_sizes=by_size,
                   generic=generic, sentence=sentence, situation=situation, stage=stage)

    def _calibrated(self, sims: np.ndarray, weights: Weights) -> np.ndarray:
        """Question-to-question similarities run higher and closer together than question-to-passage
        ones (two questions share their form). With ``question_calibrate`` they are mapped onto the
        passages' scale for this query: same mean and spread as the entries' passages."""
        if not weights.question_calibrate:
            return sims
        q = sims[self.question]
        body = sims[self.is_entry & ~self.question] if self.is_entry.size == sims.size else sims[~self.question]
        if q.size < 2 or body.size < 2 or q.std() == 0:
            return sims
        out = sims.astype(np.float64).copy()
        out[self.question] = (q - q.mean()) / q.std() * body.std() * weights.question_calibrate + body.mean()
        return out

    def rank(self, query: str, sims: np.ndarray, allowed: np.ndarray | None = None,
             weights: Weights = WEIGHTS, passage_bm25: np.ndarray | None = None,
             kind_probs: dict[str, float] | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(group order best first, group scores, best chunk position per group)."""
        order, score, best_chunk, _ = self.rank_detailed(query, sims, allowed, weights, passage_bm25, kind_probs)
        return order, score, best_chunk

    def rank_detailed(self, query: str, sims: np.ndarray, allowed: np.ndarray | None = None,
                      weights: Weights = WEIGHTS, passage_bm25: np.ndarray | None = None,
                      kind_probs: dict[str, float] | None = None, parts: dict[str, Any] | None = None,
                      reranker: Any = None, query_vector: np.ndarray | None = None,
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None]:
        """(group order best first, group scores, best chunk position per group, and — when the
        index holds question records — (best question similarity per group, per chunk)).

        ``sims``: the question's cosine similarity with every chunk; ``passage_bm25``: each
        chunk's BM25 score (Chinese questions); ``allowed``: a chunk mask (kinds filter), or None;
        ``kind_probs``: the probability of each asked kind read by meaning (intent.kind_probabilities);
        ``parts``: a dict filled with the score's components per group (the learnt ranker's inputs);
        ``reranker``: ``reranker(index, parts, order, score) -> order`` reorders the head of the
        ranking (assistant.knowledge.ranker); the groups keep the hand-set scores, in the new order;
        ``query_vector``: the question's vector, for the reranker (its entry probe)."""
        n = len(self.keys)
        asked = asked_kinds(query)
        adjusted = sims.astype(np.float64).copy()
        if passage_bm25 is not None and passage_bm25.size and passage_bm25.max() > 0:
            weight = np.where(self.is_entry, weights.passage_lexical, weights.document_lexical)
            adjusted += weight * passage_bm25 / passage_bm25.max()
        if "method" not in asked:
            adjusted[self.examples] -= weights.examples
        if weights.passage_generic and self.generic.size == adjusted.size:
            adjusted -= weights.passage_generic * np.where(self.question, 0.0, self.generic)
        sentence_best = None
        if self.sentence.size == adjusted.size and self.sentence.any():
            if weights.sentences:
                rows = np.flatnonzero(self.sentence & np.isfinite(adjusted))
                sentence_best = np.full(n, -np.inf)
                np.maximum.at(sentence_best, self.group_of[rows], adjusted[rows])
            adjusted[self.sentence] = -np.inf
        if allowed is not None:
            adjusted[~allowed] = -np.inf
        asks_questions = self.question.size == adjusted.size and bool(self.question.any())
        if asks_questions:
            # Question records compete with their raw similarity (less the offset) and are
            # never an entry's displayed passage.
            calibrated = self._calibrated(sims, weights)
            if weights.question_generic and self.generic.size == sims.size:
                calibrated = calibrated - weights.question_generic * self.generic
            offset = weights.question_offset if has_chinese(query) else weights.question_offset_en
            question_sims = np.where(self.question, calibrated - offset, -np.inf)
            if allowed is not None:
                question_sims[~allowed] = -np.inf
            if not weights.situations and self.situation.size == question_sims.size:
                question_sims[self.situation] = -np.inf
            if not weights.stages and self.stage.size == question_sims.size:
                question_sims[self.stage] = -np.inf
            adjusted[self.question] = -np.inf
        best = np.full(n, -np.inf)
        np.maximum.at(best, self.group_of, adjusted)
        if reranker is not None and parts is None:
            parts = {}
        if parts is not None:
            parts.update(query=query, asked=asked, body=best.copy(), adjusted=adjusted, sims=sims,
                         passage_bm25=passage_bm25, kind_probs=kind_probs, query_vector=query_vector)
        question_info = None
        if asks_questions:
            qbest = np.full(n, -np.inf)
            rows = np.flatnonzero(self.question)
            np.maximum.at(qbest, self.group_of[rows], question_sims[rows])
            if weights.question_second:
                qbest = _pool_two(qbest, self.group_of[rows], question_sims[rows], weights.question_second)
            question_info = (qbest, question_sims)
            if parts is not None:
                parts["question"] = qbest.copy()
            vote_share = _vote(question_sims, rows, self.group_of, n, weights) if weights.question_vote else None
            if weights.question_blend:
                mixed = (best + weights.question_blend * qbest) / (1.0 + weights.question_blend)
                best = np.where(np.isfinite(qbest) & np.isfinite(best), mixed, best)
            else:
                best = np.where(np.isfinite(best), np.maximum(best, qbest), best)
        else:
            vote_share = None
        prof = np.full(n, -np.inf)
        mask = self.profile & np.isfinite(adjusted)
        np.maximum.at(prof, self.group_of[mask], adjusted[mask])
        prof = np.where(np.isfinite(prof), prof, best)
        score = (best + weights.profile * prof) / (1.0 + weights.profile)
        if parts is not None:
            parts["profile"] = prof
            parts["best"] = best

        if sentence_best is not None:
            # An entry's best single sentence (a figure, a step, one turn of a story), relative to
            # the best entry's; an entry without sentence records (a user's section) counts its
            # best passage instead.
            sentence_best = np.where(np.isfinite(sentence_best), sentence_best, best)
            finite = np.isfinite(sentence_best)
            if finite.any():
                top_sentence = sentence_best[finite].max()
                score = score + weights.sentences * np.where(finite, sentence_best - top_sentence, 0.0)
                if parts is not None:
                    parts["sentence"] = np.where(finite, sentence_best - top_sentence, 0.0)

        if vote_share is not None:
            score = score + weights.question_vote * vote_share
            if parts is not None:
                parts["vote"] = vote_share
        zh = has_chinese(query)
        lex = self.lexical.scores(expand_query_tokens(tokenize(query)))
        top = lex.max() if lex.size else 0.0
        if top > 0:
            score = score + (weights.lexical if zh else weights.lexical_en) * lex / top
        if parts is not None:
            parts["lexical"] = lex / top if top > 0 else np.zeros(n)
        if weights.question_lexical and self.question_lexical is not None:
            qlex = self.question_lexical.scores(expand_query_tokens(tokenize(query)))
            if qlex.size and qlex.max() > 0:
                score = score + weights.question_lexical * qlex / qlex.max()

        kinds = self.kind_array
        kind_match = np.zeros(n)
        for asked_kind in asked:
            for entry_kind, strength in KIND_MATCH.get(asked_kind, {}).items():
                kind_match = kind_match + strength * (kinds == entry_kind)
        score = score + weights.kind * kind_match
        if parts is not None:
            parts["kind_match"] = kind_match
        if kind_probs and weights.kind_semantic_gate:
            kind_probs = ({k: p for k, p in kind_probs.items() if p >= weights.kind_semantic_gate}
                          if not asked else {})
        if kind_probs and (weights.kind_semantic or weights.kind_semantic_concept):
            for asked_kind, p in kind_probs.items():
                if asked_kind == "concept":
                    score = score + weights.kind_semantic_concept * p * (kinds == "concept")
                    continue
                for entry_kind, strength in KIND_MATCH.get(asked_kind, {}).items():
                    score = score + weights.kind_semantic * p * strength * (kinds == entry_kind)
                if asked_kind == "number":
                    score = score + weights.kind_semantic * p * 0.5 * self.figure
                if asked_kind == "list":
                    score = score + weights.kind_semantic * p * 0.5 * self.counted
        if "number" in asked:
            score = score + weights.numbers * self.figure
        if "list" in asked:
            score = score + weights.lists * self.counted
        size = asked_count(query)
        if size and size in self.list_sizes:
            score = score + weights.list_size * self.list_sizes[size]
        score = np.where(np.isfinite(best), score, -np.inf)
        order = np.argsort(-score, kind="stable")
        if parts is not None:
            parts["figure"] = self.figure * ("number" in asked)
            parts["counted"] = self.counted * ("list" in asked)
            parts["list_size"] = (self.list_sizes[size] if size and size in self.list_sizes else np.zeros(n, bool))
            parts["score"] = score
        if reranker is not None:
            head = reranker(self, parts, order, score)
            if len(head):
                # The reordered head (which may hold groups from further down) goes first; the scores
                # are handed out again in rank order, so they still fall with rank.
                in_head = np.zeros(n, dtype=bool)
                in_head[head] = True
                new_order = np.concatenate([np.asarray(head, dtype=np.int64), order[~in_head[order]]])
                score = score.copy()
                score[new_order] = score[order]
                order = new_order
        # Each group's best passage (for display): the highest adjusted similarity.
        best_chunk = np.full(n, -1, dtype=np.int64)
        if self.members:
            for g in order[: min(n, 64)]:
                if not np.isfinite(score[g]):
                    break
                idx = self.members[g]
                best_chunk[g] = int(idx[np.argmax(adjusted[idx])])
        else:
            for g in order[: min(n, 64)]:
                idx = np.flatnonzero(self.group_of == g)
                best_chunk[g] = int(idx[np.argmax(adjusted[idx])])
        return order, score, best_chunk, question_info

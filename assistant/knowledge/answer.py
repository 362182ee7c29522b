"""Answers grounded in retrieved passages, with numbered citations.

Before any model call, ``assess_coverage`` decides whether the passages cover the
question at all: the idf-weighted share of the question's terms that occur in the
retrieved passages, together with the best dense similarity. A question the
material does not cover gets a plain "资料中没有涉及…" answer and the nearest
passages — the model is not asked, so it cannot invent an answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterator, Literal

from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage

from assistant.knowledge.citation import cite_passage
from assistant.knowledge.normalize import has_chinese, tokenize
from assistant.knowledge.retrieval import Passage
from assistant.llm.calls import stream
from assistant.prompts import load_prompt

# Calibrated over the shipped knowledge with 92 in-domain questions (knowledge_questions.json
# and the seed questions) and 31 off-topic ones (benchmarks/retrieval.py, "coverage" in
# benchmarks/results/retrieval.json): 99% answered, 100% refused. The margins are thin —
# off-topic questions reach similarity 0.873 and term coverage 0.46 — so the rule errs on
# the side of refusing; the prompt also tells the model to say what the passages lack.
MIN_TERM_COVERAGE = 0.5  # idf-weighted share of the question's terms found in the passages
MIN_DENSE_SIMILARITY = 0.80  # below this the nearest passage is unrelated whatever the terms
STRONG_DENSE_SIMILARITY = 0.88  # at or above this, term overlap is not required
PASSAGE_CHARS = 600  # per passage in the prompt

Language = Literal["zh", "en"]


@dataclass
class Coverage:
    covered: bool
    reason: str
    term_coverage: float
    top_similarity: float | None
    matched_terms: list[str] = field(default_factory=list)
    missing_terms: list[str] = field(default_factory=list)


def assess_coverage(question: str, passages: list[Passage], idf: dict[str, float], default_idf: float) -> Coverage:
    """Do these passages cover the question? See the module docstring."""
    terms = list(dict.fromkeys(tokenize(question)))
    sims = [p.dense_score for p in passages if p.dense_score is not None]
    top = max(sims) if sims else None
    if not passages:
        return Coverage(False, "nothing retrieved", 0.0, top, [], terms)
    passage_terms: set[str] = set()
    for p in passages:
        passage_terms.update(tokenize(p.index_text or p.text))
    matched = [t for t in terms if t in passage_terms]
    missing = [t for t in terms if t not in passage_terms]
    weights = {t: max(idf.get(t, default_idf), 0.0) for t in terms}
    total = sum(weights.values())
    share = sum(weights[t] for t in matched) / total if total > 0 else 0.0
    if top is not None and top < MIN_DENSE_SIMILARITY:
        return Coverage(False, f"nearest passage similarity {top:.2f} < {MIN_DENSE_SIMILARITY}", share, top,
                        matched, missing)
    if top is not None and top >= STRONG_DENSE_SIMILARITY:
        return Coverage(True, f"similarity {top:.2f} ≥ {STRONG_DENSE_SIMILARITY}", share, top, matched, missing)
    if share >= MIN_TERM_COVERAGE:
        return Coverage(True, f"{share:.0%} of the question's terms found", share, top, matched, missing)
    return Coverage(False, f"only {share:.0%} of the question's terms found (missing: {', '.join(missing[:6])})",
                    share, top, matched, missing)


def question_language(question: str) -> Language:
    return "zh" if has_chinese(question) else "en"


def format_passages(passages: list[Passage]) -> str:
    blocks = []
    for n, p in enumerate(passages, start=1):
        where = p.title + (f" · {p.section}" if p.section else "")
        text = p.text if len(p.text) <= PASSAGE_CHARS else p.text[:PASSAGE_CHARS] + "…"
        source = cite_passage(p).source_text
        blocks.append(f"[{n}] {where}" + (f"（{source}）" if source and source != f"《{p.title}》" else "")
                      + f"\n{text}")
    return "\n\n".join(blocks)


@dataclass
class AnswerPlan:
    """Everything decided before the model is called."""

    question: str
    passages: list[Passage]
    coverage: Coverage
    language: Language

    def messages(self) -> list[BaseMessage]:
        return load_prompt("ask").messages(
            question=self.question,
            passages=format_passages(self.passages),
            language="中文" if self.language == "zh" else "English",
        )

    def not_covered_text(self) -> str:
        if self.language == "zh":
            return (f"资料中没有涉及“{self.question}”的内容，所以我不作回答，以免编造。"
                    "下面是最接近的几段资料，供参考；也可以用 `needs ingest` 加入相关资料后再问。")
        return (f"资料中没有涉及 — the material does not cover “{self.question}”, so I will not make up an "
                "answer. The nearest passages are listed below; add material with `needs ingest` and ask again.")


def plan_answer(kb: Any, question: str, k: int | None = None) -> AnswerPlan:
    """Retrieve and decide coverage (no model call)."""
    from assistant.knowledge import retrieval

    passages = kb.retrieve(question, k=k)
    index = retrieval.bm25_index(kb.store)
    idf, default_idf = index.idf_table()
    coverage = assess_coverage(question, passages, idf, default_idf)
    return AnswerPlan(question, passages, coverage, question_language(question))


def stream_answer(model: BaseChatModel, plan: AnswerPlan, *, retries: int = 2) -> Iterator[str]:
    """The model's answer, piece by piece. Only for covered questions."""
    if not plan.coverage.covered:
        raise ValueError("stream_answer is only for questions the passages cover; check plan.coverage first")
    yield from stream(model, plan.messages(), retries=retries)


_CITATION = re.compile(r"\[(\d{1,2})\]")


def citations(text: str, n_passages: int) -> tuple[list[int], list[int]]:
    """(valid cited numbers in order of first use, numbers that name no passage)."""
    valid: list[int] = []
    invalid: list[int] = []
    for m in _CITATION.finditer(text):
        number = int(m.group(1))
        target = valid if 1 <= number <= n_passages else invalid
        if number not in target:
            target.append(number)
    return valid, invalid


def source_lines(passages: list[Passage], cited: list[int] | None = None, language: Language = "zh") -> list[str]:
    """"[n] entry title · section — 《source title》, year" for each passage, as a person cites it
    (cited ones marked when known). File names are in ``source_details``."""
    lines = []
    for n, p in enumerate(passages, start=1):
        cited_as = cite_passage(p, language)
        where = cited_as.title + (f" · {p.section}" if p.section else "")
        source = cited_as.source_text
        mark = "" if cited is None or n in cited else "（未引用 not cited）"
        lines.append(f"[{n}] {where}" + (f" — {source}" if source and source != f"《{cited_as.title}》" else "")
                     + mark)
    return lines


def source_details(passages: list[Passage]) -> list[dict[str, str]]:
    """The details behind each citation: entry id, section, file name and path."""
    return [{"n": str(n), "doc_id": p.doc_id, "title": p.title, "section": p.section, "source": p.source,
             "path": p.path, "citation": p.citation()} for n, p in enumerate(passages, start=1)]

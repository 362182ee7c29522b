"""A learnt reordering of the entry ranking's head.

The hand-set entry score (assistant.knowledge.entries) adds a dozen signals with weights chosen
by hand; on Chinese situations the embedder's similarities bunch together (0.88–0.91), and
hand-set changes stopped helping. Here the entry ranking's first ``CANDIDATES`` entries each get
a feature vector — the components of the hand-set score (best passage, profile passage, best
question / situation / stage record, best sentence, the nearest-question vote, entry-level BM25,
the asked-kind match), their ranks among the candidates, the hand-set score and rank, the kind of
answer the question asks for read by meaning (intent.kind_probabilities) against the entry's
kind, the entry's kind and its hubness (how close its passages sit to the centre of the
collection), and what an entry probe reads from the question's vector — and a linear pairwise ranker
(logistic loss on the differences between the right entry and each other candidate, L2, numpy)
reorders them.

The entry probe is a softmax over the entries learnt on the query vectors of the same labelled
questions (the entries' own question, situation and stage records and the labelled sets): where
cosine similarity weighs every direction of the embedder's space alike (the trade a question is
set in as much as what it asks), the probe learns which directions speak for each entry. Its
first PROBE_CANDIDATES entries join the candidates. For the ranker's training queries the probe's
reading is out of fold (a probe fitted without that query), so the ranker learns how far to trust
it on questions the probe has not seen.

Learnt from labelled questions: the shipped entries' own question, situation and stage records
(each one a query with its own record masked, so it never scores itself), and the tuning sets
benchmarks/data/retrieval_dev.json, retrieval_dev_process_method.json, retrieval_dev_situations.json and the
seen held-out sets
benchmarks/data/untuned/retrieval_paraphrase.json, _v5.json, _v6.json and _v7.json. Cross-validation is grouped by entry: no
entry's questions are in both the fitted and the scored part of a fold.

The weights ship as data/entry_ranker.npz, keyed by a digest of the feature definition: when the
features change the file is stale and the hand-set ranking is used (with a log line naming the
rebuild command) until it is rebuilt::

    python -m assistant.knowledge.ranker          # cross-validate, fit on everything, write the file
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = Path(__file__).with_name("data") / "entry_ranker.npz"
LABELLED_SETS = (
    ROOT / "benchmarks" / "data" / "retrieval_dev.json",
    ROOT / "benchmarks" / "data" / "retrieval_dev_process_method.json",
    ROOT / "benchmarks" / "data" / "retrieval_dev_situations.json",
    ROOT / "benchmarks" / "data" / "untuned" / "retrieval_paraphrase.json",
    # Seen held-out sets: their failures were studied, so they are labelled data now, not measurements.
    ROOT / "benchmarks" / "data" / "untuned" / "retrieval_paraphrase_v5.json",
    ROOT / "benchmarks" / "data" / "untuned" / "retrieval_paraphrase_v6.json",
    ROOT / "benchmarks" / "data" / "untuned" / "retrieval_paraphrase_v7.json",
)
CANDIDATES = 20  # entries of the hand-set ranking that the ranker reorders
PROBE_CANDIDATES = 5  # the entry probe's first entries, added to the candidates when not among them
PROBE_SCALE = 20.0  # probe logits = scale × (x · W) + b over unit vectors
PROBE_L2 = 1e-3
PROBE_STEPS = 400
PROBE_RATE = 0.5
OWN_WEIGHT = 0.3  # weight of an entry's own question record as a training query (labelled questions: 1)
L2 = 1e-2
STEPS = 300
RATE = 0.5
FOLDS = 5
ENTRY_KINDS = ("story", "case", "concept", "method", "process", "pitfall")
# Which probe kinds (intent.SEMANTIC_KINDS) speak for an entry of each kind.
PROBE_FOR_KIND = {"story": ("story",), "case": ("case",), "concept": ("concept", "definition"),
                  "method": ("method",), "process": ("process",), "pitfall": ()}
FEATURES = (
    "hand_score", "hand_rank", "body", "body_rank", "profile", "question", "question_rank", "question_decides",
    "sentence", "vote", "lexical", "lexical_rank", "kind_match", "figure", "counted", "list_size", "probe_kind",
    "hubness", "english", "english_body", "english_question",
    *(f"kind_{k}" for k in ENTRY_KINDS),
    # Record-level detail of each candidate (raw similarities, no hand-set penalties).
    "q_second", "q_mean3", "q_near10", "asked_best", "situation_best", "stage_best", "raw_body", "passage_bm25",
    # The entry probe's log-probability relative to the best candidate's, and its rank.
    "probe", "probe_rank",
)
VERSION = 4


def definition() -> dict[str, Any]:
    return {"version": VERSION, "features": list(FEATURES), "candidates": CANDIDATES, "l2": L2, "steps": STEPS,
            "rate": RATE, "own_weight": OWN_WEIGHT,
            "probe": {"candidates": PROBE_CANDIDATES, "scale": PROBE_SCALE, "l2": PROBE_L2, "steps": PROBE_STEPS,
                      "rate": PROBE_RATE}}


def definition_digest() -> str:
    return hashlib.sha256(json.dumps(definition(), sort_keys=True).encode()).hexdigest()[:16]


def data_digest(sets: Iterable[Path] = LABELLED_SETS, knowledge_dir: Path | None = None) -> str:
    """Digest of the labelled questions (and of the shipped entries, whose own questions are used)."""
    h = hashlib.sha256()
    for path in sets:
        h.update(path.name.encode())
        h.update(path.read_bytes() if path.is_file() else b"-")
    if knowledge_dir is not None:
        for path in sorted(knowledge_dir.rglob("*.md")):
            h.update(str(path.relative_to(knowledge_dir)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _relative_rank(values: np.ndarray) -> np.ndarray:
    """1 / rank of each value among the candidates (1 = highest)."""
    order = np.argsort(-values, kind="stable")
    ranks = np.empty(len(values))
    ranks[order] = np.arange(1, len(values) + 1)
    return 1.0 / ranks


def _finite(values: np.ndarray, fill: float) -> np.ndarray:
    return np.where(np.isfinite(values), values, fill)


def _hubness(index: Any) -> np.ndarray:
    """Per group: the mean centre-closeness of its body passages (cached on the entry index)."""
    cached = getattr(index, "_group_hubness", None)
    if cached is not None:
        return cached
    n = len(index.keys)
    out = np.zeros(n)
    if index.generic.size == index.group_of.size and index.generic.size:
        body = ~index.question
        if index.sentence.size == body.size:
            body &= ~index.sentence
        total = np.zeros(n)
        count = np.zeros(n)
        np.add.at(total, index.group_of[body], index.generic[body])
        np.add.at(count, index.group_of[body], 1.0)
        out = np.where(count > 0, total / np.maximum(count, 1.0), 0.0)
    index._group_hubness = out
    return out


def candidate_features(index: Any, parts: dict[str, Any], order: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(candidate groups, feature matrix with one row per candidate, columns FEATURES).

    The candidates: the hand-set ranking's first CANDIDATES groups, and the entry probe's first
    PROBE_CANDIDATES (``parts["probe"]``: a log-probability per group, NaN for a group the probe
    does not know, such as a section of a user's document)."""
    score = parts["score"]
    head = [int(g) for g in order[:CANDIDATES] if np.isfinite(score[g])]
    probe = parts.get("probe")
    if probe is not None and len(probe) == len(score):
        known = np.flatnonzero(np.isfinite(probe) & np.isfinite(score))
        taken = set(head)
        for g in known[np.argsort(-probe[known], kind="stable")][:PROBE_CANDIDATES]:
            if int(g) not in taken:
                head.append(int(g))
                taken.add(int(g))
    c = np.asarray(head, dtype=np.int64)
    if c.size == 0:
        return c, np.zeros((0, len(FEATURES)))
    n = len(index.keys)
    zeros = np.zeros(n)
    hand = score[c]
    body = _finite(parts["body"][c], np.nanmin(_finite(parts["body"][c], 0.0)) - 0.05)
    profile = _finite(parts["profile"][c], body.min())
    question_all = parts.get("question")
    question = (_finite(question_all[c], -np.inf) if question_all is not None else np.full(c.size, -np.inf))
    has_q = np.isfinite(question)
    q_fill = min(question[has_q].min() if has_q.any() else np.inf, body.min()) - 0.05  # below every candidate
    question = np.where(has_q, question, q_fill)
    lexical = parts.get("lexical", zeros)[c]
    english = 0.0 if _has_chinese(parts["query"]) else 1.0
    probs = parts.get("kind_probs") or {}
    kinds = index.kind_array[c]
    probe_kind = np.array([sum(probs.get(p, 0.0) for p in PROBE_FOR_KIND.get(str(k), ())) for k in kinds])
    body_rel = body - body.max()
    question_rel = question - question.max()
    columns = {
        "hand_score": (hand - hand.max()) * 10.0,
        "hand_rank": _relative_rank(hand),
        "body": body_rel * 10.0,
        "body_rank": _relative_rank(body),
        "profile": (profile - profile.max()) * 10.0,
        "question": question_rel * 10.0,
        "question_rank": _relative_rank(question),
        "question_decides": (has_q & (question > body)).astype(float),
        "sentence": parts.get("sentence", zeros)[c] * 10.0,
        "vote": parts.get("vote", zeros)[c],
        "lexical": lexical,
        "lexical_rank": _relative_rank(lexical) * (lexical > 0),
        "kind_match": parts.get("kind_match", zeros)[c],
        "figure": np.asarray(parts.get("figure", zeros), dtype=float)[c],
        "counted": np.asarray(parts.get("counted", zeros), dtype=float)[c],
        "list_size": np.asarray(parts.get("list_size", zeros), dtype=float)[c],
        "probe_kind": probe_kind,
        "hubness": _hubness(index)[c] * 10.0,
        "english": np.full(c.size, english),
        "english_body": english * body_rel * 10.0,
        "english_question": english * question_rel * 10.0,
        **{f"kind_{k}": (kinds == k).astype(float) for k in ENTRY_KINDS},
    }
    columns.update(_record_columns(index, parts, c))
    columns.update(_probe_columns(probe, c))
    return c, np.column_stack([columns[f] for f in FEATURES]).astype(np.float64)


def _probe_columns(probe: np.ndarray | None, c: np.ndarray) -> dict[str, np.ndarray]:
    """The probe's log-probability of each candidate relative to the best candidate's (floored), and
    1 / its rank; a group the probe does not know gets the known candidates' mean and no rank."""
    if probe is None or c.size == 0:
        return {"probe": np.zeros(c.size), "probe_rank": np.zeros(c.size)}
    values = np.asarray(probe, dtype=np.float64)[c]
    known = np.isfinite(values)
    if not known.any():
        return {"probe": np.zeros(c.size), "probe_rank": np.zeros(c.size)}
    rel = np.maximum(values - values[known].max(), -10.0)
    rel = np.where(known, rel, rel[known].mean())
    rank = np.where(known, _relative_rank(np.where(known, values, -np.inf)), 0.0)
    return {"probe": rel, "probe_rank": rank}


@dataclass
class EntryProbe:
    """A softmax over the shipped entries read from a query's unit vector."""

    w: np.ndarray  # (dimensions, entries)
    b: np.ndarray  # (entries,)
    entries: tuple[str, ...]  # doc ids, one per column

    def log_probs(self, vector: np.ndarray) -> np.ndarray:
        v = np.asarray(vector, dtype=np.float64)
        v = v / (np.linalg.norm(v) or 1.0)
        z = PROBE_SCALE * (v @ self.w) + self.b
        z = z - z.max()
        return z - np.log(np.exp(z).sum())

    def for_groups(self, index: Any, vector: np.ndarray) -> np.ndarray:
        """Log-probability per group of ``index`` (NaN for a group that is not one of these entries)."""
        column = getattr(index, "_probe_columns", None)
        if column is None or column[0] is not self:
            at = {e: j for j, e in enumerate(self.entries)}
            cols = np.array([at.get(k.removeprefix("entry:"), -1) if k.startswith("entry:") else -1
                             for k in index.keys], dtype=np.int64)
            index._probe_columns = column = (self, cols)
        cols = column[1]
        lp = self.log_probs(vector)
        return np.where(cols >= 0, lp[np.maximum(cols, 0)], np.nan)


def train_entry_probe(vectors: np.ndarray, labels: list[str], weights: np.ndarray | None = None) -> EntryProbe:
    """Multinomial logistic regression over the entries (full-batch gradient descent, L2)."""
    entries = tuple(sorted(set(labels)))
    at = {e: j for j, e in enumerate(entries)}
    y = np.eye(len(entries))[[at[label] for label in labels]]
    x = np.asarray(vectors, dtype=np.float64)
    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    wt = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
    wt = wt / wt.sum()
    w = np.zeros((x.shape[1], len(entries)))
    b = np.zeros(len(entries))
    for _ in range(PROBE_STEPS):
        z = PROBE_SCALE * x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) * wt[:, None]
        w -= PROBE_RATE * (PROBE_SCALE * x.T @ g + PROBE_L2 * w)
        b -= PROBE_RATE * g.sum(axis=0)
    return EntryProbe(w.astype(np.float32), b.astype(np.float32), entries)


def _members(index: Any, g: int) -> np.ndarray:
    return index.members[g] if index.members else np.flatnonzero(index.group_of == g)


def _record_columns(index: Any, parts: dict[str, Any], c: np.ndarray) -> dict[str, np.ndarray]:
    """Per candidate: its question records' raw similarities (second best, mean of the best three,
    how many are among the 10 nearest question records of all entries), its best plain question,
    situation and stage, its best body passage's raw similarity and best passage BM25 (0–1)."""
    sims = np.asarray(parts["sims"], dtype=np.float64)
    question = index.question if index.question.size == sims.size else np.zeros(sims.size, dtype=bool)
    sentence = index.sentence if index.sentence.size == sims.size else np.zeros(sims.size, dtype=bool)
    situation = index.situation if index.situation.size == sims.size else np.zeros(sims.size, dtype=bool)
    stage = index.stage if index.stage.size == sims.size else np.zeros(sims.size, dtype=bool)
    q_rows = np.flatnonzero(question)
    near = set()
    if q_rows.size:
        k = min(10, q_rows.size)
        near = set(q_rows[np.argpartition(-sims[q_rows], k - 1)[:k]].tolist())
    bm25 = parts.get("passage_bm25")
    bm25 = bm25 / bm25.max() if bm25 is not None and bm25.size and bm25.max() > 0 else None
    rows = {name: np.full(c.size, np.nan) for name in
            ("q_second", "q_mean3", "asked_best", "situation_best", "stage_best", "raw_body")}
    near10 = np.zeros(c.size)
    lexical = np.zeros(c.size)
    for j, g in enumerate(c):
        idx = _members(index, int(g))
        qs = idx[question[idx]]
        if qs.size:
            top = np.sort(sims[qs])[::-1]
            rows["q_second"][j] = top[1] if top.size > 1 else top[0]
            rows["q_mean3"][j] = top[:3].mean()
            near10[j] = sum(1 for i in qs.tolist() if i in near)
            for name, mask in (("asked_best", ~situation[qs] & ~stage[qs]), ("situation_best", situation[qs]),
                               ("stage_best", stage[qs])):
                if mask.any():
                    rows[name][j] = sims[qs[mask]].max()
        body = idx[~question[idx] & ~sentence[idx]]
        if body.size:
            rows["raw_body"][j] = sims[body].max()
            if bm25 is not None:
                lexical[j] = bm25[body].max()
    out: dict[str, np.ndarray] = {}
    for name, values in rows.items():
        ok = np.isfinite(values)
        if not ok.any():
            out[name] = np.full(c.size, -1.0)
            continue
        rel = values - values[ok].max()
        out[name] = np.where(ok, rel, rel[ok].min() - 0.05) * 10.0
    out["q_near10"] = near10
    out["passage_bm25"] = lexical
    return out


def _has_chinese(text: str) -> bool:
    from assistant.knowledge.normalize import has_chinese

    return has_chinese(text)


@dataclass
class Ranker:
    """A linear scorer over standardised candidate features."""

    w: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    probe: EntryProbe | None = None

    def scores(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.std) @ self.w

    def __call__(self, index: Any, parts: dict[str, Any], order: np.ndarray, score: np.ndarray) -> np.ndarray:
        """The candidate groups reordered, best first (the reranker hook of EntryIndex.rank_detailed)."""
        if self.probe is not None and parts.get("query_vector") is not None:
            parts["probe"] = self.probe.for_groups(index, parts["query_vector"])
        c, x = candidate_features(index, parts, order)
        if c.size < 2:
            return c
        return c[np.argsort(-self.scores(x), kind="stable")]


@dataclass
class Sample:
    """One training query: its candidates' features and which candidates are right."""

    x: np.ndarray
    y: np.ndarray  # bool per candidate
    group: str  # the expected entry (cross-validation folds are made of whole entries)
    weight: float
    source: str  # which labelled set


def fit(samples: list[Sample]) -> Ranker:
    """Pairwise logistic regression: each right candidate against each wrong one of the same query."""
    rows = [s for s in samples if s.y.any() and (~s.y).any()]
    if not rows:
        raise ValueError("no training query has its entry among the candidates next to others")
    allx = np.vstack([s.x for s in rows])
    mean = allx.mean(axis=0)
    std = allx.std(axis=0)
    std[std < 1e-6] = 1.0
    diffs, weights = [], []
    for s in rows:
        z = (s.x - mean) / std
        pos, neg = z[s.y], z[~s.y]
        d = (pos[:, None, :] - neg[None, :, :]).reshape(-1, z.shape[1])
        diffs.append(d)
        weights.append(np.full(len(d), s.weight / len(d)))
    d = np.vstack(diffs)
    wt = np.concatenate(weights)
    wt /= wt.sum()
    w = np.zeros(d.shape[1])
    for _ in range(STEPS):
        margin = d @ w
        g = -(wt * (1.0 / (1.0 + np.exp(np.clip(margin, -30, 30))))) @ d + L2 * w
        w -= RATE * g * 10.0
    return Ranker(w, mean, std)


def rank_of_right(sample: Sample, ranker: Ranker | None) -> int | None:
    """Rank (1-based) of the first right candidate, by the ranker or (None) by the hand-set order."""
    if not sample.y.any():
        return None
    if ranker is None:
        return int(np.flatnonzero(sample.y)[0]) + 1
    order = np.argsort(-ranker.scores(sample.x), kind="stable")
    return int(np.flatnonzero(sample.y[order])[0]) + 1


def folds_of(samples: list[Sample], folds: int = FOLDS, seed: int = 7) -> list[int]:
    """Fold number per sample, whole entries per fold."""
    groups = sorted({s.group for s in samples})
    rng = np.random.default_rng(seed)
    rng.shuffle(groups)
    fold_of = {g: i % folds for i, g in enumerate(groups)}
    return [fold_of[s.group] for s in samples]


def cross_validate(samples: list[Sample], folds: int = FOLDS) -> list[tuple[int | None, int | None]]:
    """(hand-set rank, learnt rank) per sample, the learnt one from a model fitted on the other folds."""
    fold = folds_of(samples, folds)
    out: list[tuple[int | None, int | None]] = [(None, None)] * len(samples)
    for f in range(folds):
        train = [s for s, k in zip(samples, fold) if k != f]
        ranker = fit(train)
        for i, (s, k) in enumerate(zip(samples, fold)):
            if k == f:
                out[i] = (rank_of_right(s, None), rank_of_right(s, ranker))
    return out


# ---- training data -------------------------------------------------------------------------

def labelled_questions(sets: Iterable[Path] = LABELLED_SETS) -> list[dict[str, Any]]:
    rows = []
    for path in sets:
        if not path.is_file():
            continue
        for q in json.loads(path.read_text(encoding="utf-8"))["questions"]:
            rows.append({"question": q["question"], "relevant": {q["expected"], *q.get("also_ok", [])},
                         "group": q["expected"], "weight": 1.0, "source": path.stem})
    return rows


def sample_for(store: Any, query: str, vector: np.ndarray, relevant: set[str], *, group: str, weight: float,
               source: str, mask: int | None = None, probe: EntryProbe | None = None) -> Sample:
    """The candidates and features of one query over this store, with the record ``mask`` left out
    (``probe``: the entry probe that reads this query, one fitted without it)."""
    from assistant.knowledge.entries import WEIGHTS
    from assistant.knowledge.intent import kind_probabilities
    from assistant.knowledge.normalize import tokenize
    from assistant.knowledge.retrieval import bm25_index

    index = bm25_index(store)
    entries = index.entries
    sims = index.vectors @ np.asarray(vector, dtype=np.float32)
    if mask is not None:
        sims = sims.copy()
        sims[mask] = -1.0
    passage_bm25 = index.scores(tokenize(query)) if _has_chinese(query) else None
    parts: dict[str, Any] = {}
    order, _, _, _ = entries.rank_detailed(query, sims, None, WEIGHTS, passage_bm25,
                                           kind_probabilities(query, vector), parts=parts)
    if probe is not None:
        parts["probe"] = probe.for_groups(entries, vector)
    c, x = candidate_features(entries, parts, order)
    y = np.array([entries.keys[g].removeprefix("entry:") in relevant for g in c], dtype=bool)
    return Sample(x, y, group, weight, source)


@dataclass
class Query:
    """One training query: its text, vector, right entries, and (own records) the record to mask."""

    text: str
    vector: np.ndarray
    relevant: set[str]
    group: str
    weight: float
    source: str
    mask: int | None = None


def training_queries(kb: Any, *, own: bool = True, sets: Iterable[Path] = LABELLED_SETS) -> list[Query]:
    """The entries' own question records (their stored vectors) and the labelled questions (embedded)."""
    from assistant.knowledge.retrieval import bm25_index

    kb.ensure_shipped()
    index = bm25_index(kb.store)
    if index.vectors is None:
        raise ValueError("the index has no stored vectors: reindex the knowledge base")
    out: list[Query] = []
    if own:
        for i, meta in enumerate(index.metadatas):
            doc_id = str(meta.get("doc_id", ""))
            if meta.get("role") != "question" or not doc_id:
                continue
            text = str(meta.get("text", "")) or index.documents[i]
            out.append(Query(text, index.vectors[i], {doc_id}, doc_id, OWN_WEIGHT, "own_questions", i))
    for q in labelled_questions(sets):
        out.append(Query(q["question"], kb.embed_query(q["question"]), q["relevant"], q["group"], q["weight"],
                         q["source"]))
    return out


def fit_probe(queries: list[Query]) -> EntryProbe:
    """The entry probe learnt from these queries (each labelled with its expected entry)."""
    return train_entry_probe(np.vstack([q.vector for q in queries]), [q.group for q in queries],
                             np.array([q.weight for q in queries]))


def out_of_fold_probes(queries: list[Query], folds: int = FOLDS, seed: int = 11) -> list[EntryProbe]:
    """Per query, an entry probe fitted on the other folds (queries spread over folds at random)."""
    fold = np.random.default_rng(seed).permutation(len(queries)) % folds
    probes = [fit_probe([q for q, f in zip(queries, fold) if f != k]) for k in range(folds)]
    return [probes[f] for f in fold]


def collect(kb: Any, *, own: bool = True, sets: Iterable[Path] = LABELLED_SETS,
            queries: list[Query] | None = None) -> list[Sample]:
    """Training samples over the knowledge base ``kb`` (its shipped entries indexed), each read by an
    entry probe that did not learn from it."""
    queries = training_queries(kb, own=own, sets=sets) if queries is None else queries
    probes = out_of_fold_probes(queries)
    return [sample_for(kb.store, q.text, q.vector, q.relevant, group=q.group, weight=q.weight, source=q.source,
                       mask=q.mask, probe=probe) for q, probe in zip(queries, probes)]


def recall_report(samples: list[Sample], ranks: list[tuple[int | None, int | None]]) -> dict[str, Any]:
    """recall@1/3 and MRR of the hand-set and learnt orders, per source and over the labelled sets."""
    def metrics(rs: list[int | None]) -> dict[str, float]:
        n = max(1, len(rs))
        return {"recall@1": round(sum(1 for r in rs if r and r <= 1) / n, 4),
                "recall@3": round(sum(1 for r in rs if r and r <= 3) / n, 4),
                "mrr": round(sum(1 / r for r in rs if r) / n, 4)}

    out: dict[str, Any] = {}
    sources = sorted({s.source for s in samples})
    for source in [*sources, "labelled"]:
        idx = [i for i, s in enumerate(samples) if (s.source == source or
                                                   (source == "labelled" and s.source != "own_questions"))]
        if not idx:
            continue
        out[source] = {"questions": len(idx), "hand_set": metrics([ranks[i][0] for i in idx]),
                       "learnt": metrics([ranks[i][1] for i in idx])}
    return out


# ---- the shipped weights -------------------------------------------------------------------

_lock = threading.Lock()
_loaded: dict[Path, Ranker | None] = {}


def load(path: Path | None = None) -> Ranker | None:
    """The shipped ranker, or None (hand-set ranking) when the file is missing or stale."""
    path = SHIPPED if path is None else path
    with _lock:
        if path in _loaded:
            return _loaded[path]
        ranker = None
        if path.is_file():
            with np.load(path, allow_pickle=False) as z:
                if str(z["definition"]) == definition_digest():
                    probe = (EntryProbe(z["probe_w"], z["probe_b"], tuple(str(e) for e in z["probe_entries"]))
                             if "probe_w" in z.files else None)
                    ranker = Ranker(z["w"], z["mean"], z["std"], probe)
                else:
                    log.warning("%s was learnt for other features: the hand-set entry ranking is used; "
                                "rebuild it with `python -m assistant.knowledge.ranker`", path.name)
        _loaded[path] = ranker
        return ranker


def forget() -> None:
    with _lock:
        _loaded.clear()


def save(ranker: Ranker, path: Path | None = None, *, data: str = "", report: dict[str, Any] | None = None) -> Path:
    path = SHIPPED if path is None else path
    path.parent.mkdir(parents=True, exist_ok=True)
    probe = ranker.probe
    extra = ({"probe_w": probe.w, "probe_b": probe.b, "probe_entries": np.array(probe.entries)}
             if probe is not None else {})
    np.savez(path, w=ranker.w, mean=ranker.mean, std=ranker.std, features=np.array(FEATURES), **extra,
             definition=np.array(definition_digest()), data=np.array(data),
             report=np.array(json.dumps(report or {}, ensure_ascii=False)))
    forget()
    return path


def build(kb: Any, path: Path | None = None, *, own: bool = True, sets: Iterable[Path] = LABELLED_SETS,
          folds: int = FOLDS) -> tuple[Path, dict[str, Any]]:
    """Cross-validate (grouped by entry), fit on every sample, write the weights; returns the report."""
    sets = tuple(sets)
    queries = training_queries(kb, own=own, sets=sets)
    samples = collect(kb, queries=queries)
    report = recall_report(samples, cross_validate(samples, folds))
    ranker = fit(samples)
    ranker.probe = fit_probe(queries)
    report["weights"] = {f: round(float(w), 4) for f, w in zip(FEATURES, ranker.w)}
    written = save(ranker, path, data=data_digest(sets, kb.settings.knowledge_dir), report=report)
    return written, report


def main() -> int:
    import os
    import tempfile

    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from assistant.knowledge import KnowledgeBase
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory(prefix="needs-ranker-") as tmp:
        kb = KnowledgeBase.from_settings(Settings(provider="fake", data_dir=Path(tmp)))
        path, report = build(kb)
    print(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

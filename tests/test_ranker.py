"""The learnt entry ranker: its features, its fit, its shipped weights (stale ones are not used)."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.knowledge import ranker
from assistant.knowledge.entries import WEIGHTS, EntryIndex

ROOT = Path(__file__).resolve().parents[1]


def _index() -> EntryIndex:
    metas = [
        {"doc_id": "story", "kind": "story", "title": "故事", "section": "故事", "ordinal": 0, "text": "a"},
        {"doc_id": "story", "kind": "story", "title": "故事", "section": "要点", "ordinal": 1, "text": "b"},
        {"doc_id": "card", "kind": "method", "title": "方法", "section": "做法", "ordinal": 0, "text": "c"},
        {"doc_id": "card", "kind": "method", "title": "方法", "section": "示例问法", "ordinal": 1, "text": "d"},
        {"doc_id": "flow", "kind": "process", "title": "流程", "section": "阶段", "ordinal": 0, "text": "e"},
        {"doc_id": "flow", "kind": "process", "title": "流程", "section": "Questions it answers", "ordinal": 1,
         "text": "f", "role": "question"},
    ]
    tokens = [["枣子"], ["用途"], ["问法"], ["枣子", "枣子"], ["流程"], ["流程"]]
    return EntryIndex.build(metas, tokens, [""] * len(metas))


SIMS = np.array([0.86, 0.85, 0.80, 0.90, 0.70, 0.95])


def test_candidate_features_describe_each_candidate():
    index = _index()
    parts: dict = {}
    order, _, _, _ = index.rank_detailed("有没有一个讲先问用途的故事？", SIMS, None, WEIGHTS, parts=parts)
    c, x = ranker.candidate_features(index, parts, order)
    assert list(c) == list(order[: len(c)]) and len(c) == 3
    assert x.shape == (3, len(ranker.FEATURES))
    col = {f: x[:, i] for i, f in enumerate(ranker.FEATURES)}
    assert col["hand_rank"][0] == 1.0 and col["hand_score"][0] == 0.0 and (col["hand_score"] <= 0).all()
    story = next(i for i, g in enumerate(c) if index.keys[g] == "entry:story")
    flow = next(i for i, g in enumerate(c) if index.keys[g] == "entry:flow")
    assert col["kind_story"][story] == 1.0 and col["kind_story"].sum() == 1.0
    assert col["kind_match"][story] > 0  # the question asks for a story
    # Only the process entry has a question record, and it decides that entry's best passage.
    assert col["question"][flow] == 0.0 and col["question_rank"][flow] == 1.0
    assert col["question_decides"][flow] == 1.0 and col["question_decides"][story] == 0.0
    assert col["english"].sum() == 0.0


def test_reranker_reorders_the_head_and_scores_still_fall_with_rank():
    index = _index()
    # A ranker that only looks at the entry being a process: the process entry goes first.
    w = np.zeros(len(ranker.FEATURES))
    w[ranker.FEATURES.index("kind_process")] = 1.0
    learnt = ranker.Ranker(w, np.zeros(len(w)), np.ones(len(w)))
    query = "有没有一个讲先问用途的故事？"
    order, _, _, _ = index.rank_detailed(query, SIMS, None, WEIGHTS)
    assert index.keys[order[0]] != "entry:flow"
    order, score, best, _ = index.rank_detailed(query, SIMS, None, WEIGHTS, reranker=learnt)
    assert index.keys[order[0]] == "entry:flow"
    assert list(score[order]) == sorted(score[order], reverse=True)
    assert best[order[0]] == 4  # its body passage is shown, never its question record


def _samples(rng: np.random.Generator, n: int) -> list[ranker.Sample]:
    """Queries whose right entry has the highest 'sentence' feature but sits 2nd–4th by hand."""
    j = ranker.FEATURES.index("sentence")
    out = []
    for q in range(n):
        x = rng.normal(size=(8, len(ranker.FEATURES)))
        right = int(rng.integers(1, 4))
        x[:, j] = -1.0 - rng.random(8)
        x[right, j] = 0.5
        y = np.zeros(8, dtype=bool)
        y[right] = True
        out.append(ranker.Sample(x, y, group=f"entry-{q % 10}", weight=1.0, source="synthetic"))
    return out


def test_fit_learns_the_signal_and_cross_validation_keeps_entries_apart():
    rng = np.random.default_rng(0)
    samples = _samples(rng, 60)
    model = ranker.fit(samples)
    assert model.w[ranker.FEATURES.index("sentence")] > 0
    assert all(ranker.rank_of_right(s, model) == 1 for s in samples)
    assert all(ranker.rank_of_right(s, None) > 1 for s in samples)
    folds = ranker.folds_of(samples)
    for group in {s.group for s in samples}:
        assert len({f for s, f in zip(samples, folds) if s.group == group}) == 1
    ranks = ranker.cross_validate(samples)
    report = ranker.recall_report(samples, ranks)["synthetic"]
    assert report["learnt"]["recall@1"] == 1.0 and report["hand_set"]["recall@1"] == 0.0
    with pytest.raises(ValueError, match="no training query"):
        ranker.fit([ranker.Sample(np.zeros((2, len(ranker.FEATURES))), np.zeros(2, bool), "g", 1.0, "s")])


def test_saved_weights_load_and_stale_ones_are_not_used(tmp_path, monkeypatch, caplog):
    path = tmp_path / "ranker.npz"
    model = ranker.fit(_samples(np.random.default_rng(1), 20))
    ranker.save(model, path, data="x")
    loaded = ranker.load(path)
    assert loaded is not None and np.allclose(loaded.w, model.w)
    ranker.forget()
    monkeypatch.setattr(ranker, "VERSION", ranker.VERSION + 1)  # the features changed since
    with caplog.at_level(logging.WARNING):
        assert ranker.load(path) is None
    assert "python -m assistant.knowledge.ranker" in caplog.text
    ranker.save(model, path, data="x")  # rebuilt for the new features: used again
    assert ranker.load(path) is not None
    ranker.forget()


def test_shipped_weights_are_current():
    """The shipped file matches the feature definition and was learnt from the labelled data as it is now."""
    assert ranker.SHIPPED.is_file(), "run `python -m assistant.knowledge.ranker`"
    with np.load(ranker.SHIPPED, allow_pickle=False) as z:
        assert str(z["definition"]) == ranker.definition_digest()
        assert tuple(str(f) for f in z["features"]) == ranker.FEATURES
        assert str(z["data"]) == ranker.data_digest(ranker.LABELLED_SETS, ROOT / "knowledge"), (
            "labelled questions or knowledge changed: run `python -m assistant.knowledge.ranker`")
        report = json.loads(str(z["report"]))
    # Kept only because it beat the hand-set ranking in grouped cross-validation.
    assert report["labelled"]["learnt"]["recall@3"] >= report["labelled"]["hand_set"]["recall@3"]
    assert report["own_questions"]["learnt"]["mrr"] > report["own_questions"]["hand_set"]["mrr"]
    ranker.forget()
    assert ranker.load() is not None


MINI = ("base/jujube-story.md", "base/buyer-vs-user.md", "methods/ask-what-for.md", "methods/ask-who-for.md")


@pytest.mark.slow
def test_rebuilt_from_a_knowledge_base_and_used_by_entry_search(tmp_path, monkeypatch):
    """Real embedder and Chroma: the ranker learns from a small knowledge base's own questions and a
    labelled file, is written, and entry search uses it (the hand-set order stays available)."""
    from assistant.knowledge import KnowledgeBase
    from assistant.knowledge import retrieval as retrieval_mod
    from assistant.settings import Settings

    knowledge = tmp_path / "knowledge"
    for rel in MINI:
        (knowledge / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / "knowledge" / rel, knowledge / rel)
    labelled = tmp_path / "labelled.json"
    labelled.write_text(json.dumps({"questions": [
        {"question": "卖花的遇到客人只说要一束花，先该弄清什么？", "expected": "ask-what-for", "also_ok": []},
        {"question": "帮别人买东西的人和真正用它的人不是一个人，怎么办？", "expected": "buyer-vs-user", "also_ok": []},
        {"question": "有没有一个在市场上卖水果时先问清楚再推荐的故事？", "expected": "jujube-story", "also_ok": []},
    ]}, ensure_ascii=False), encoding="utf-8")
    kb = KnowledgeBase.from_settings(Settings(provider="fake", data_dir=tmp_path / "data", knowledge_dir=knowledge))
    path = tmp_path / "entry_ranker.npz"
    written, report = ranker.build(kb, path, sets=[labelled], folds=2)
    assert written == path and path.is_file()
    assert report["own_questions"]["questions"] > 10 and report["labelled"]["questions"] == 3
    monkeypatch.setattr(ranker, "SHIPPED", path)
    ranker.forget()
    calls = []
    real_call = ranker.Ranker.__call__
    monkeypatch.setattr(ranker.Ranker, "__call__", lambda self, *a: calls.append(1) or real_call(self, *a))
    query = "客户说想买枣子，我该怎么问？"
    learnt = kb.retrieve(query, k=3)
    assert calls and "jujube-story" in [p.doc_id for p in learnt]
    assert [p.score for p in learnt] == sorted((p.score for p in learnt), reverse=True)
    calls.clear()
    hand = retrieval_mod.search_entries(kb.store, query, kb.embed_query(query), 3, learnt=False)
    assert not calls and "jujube-story" in [p.doc_id for p in hand]
    ranker.forget()


def _clustered(rng: np.random.Generator, entries: list[str], per: int, dim: int = 16):
    """Unit vectors around one direction per entry."""
    centres = np.linalg.qr(rng.normal(size=(dim, dim)))[0][: len(entries)]
    x, y = [], []
    for e, c in zip(entries, centres):
        for _ in range(per):
            v = c + rng.normal(scale=0.3, size=dim)
            x.append(v / np.linalg.norm(v))
            y.append(e)
    return np.asarray(x), y, centres


def test_entry_probe_reads_the_entry_and_knows_only_entries():
    rng = np.random.default_rng(3)
    x, y, centres = _clustered(rng, ["story", "card", "flow"], 12)
    probe = ranker.train_entry_probe(x, y)
    assert probe.entries == ("card", "flow", "story")
    for name, centre in zip(["story", "card", "flow"], centres):
        lp = probe.log_probs(centre)
        assert probe.entries[int(np.argmax(lp))] == name
        assert np.isclose(np.exp(lp).sum(), 1.0, atol=1e-5)
    metas = [{"doc_id": "story", "kind": "story", "title": "t", "section": "s", "ordinal": 0, "text": "a"},
             {"source_key": "mine.md", "section": "Heading", "ordinal": 0, "text": "b"}]  # a user's section
    index = EntryIndex.build(metas, [["a"], ["b"]], ["", ""])
    values = probe.for_groups(index, centres[0])
    assert np.isfinite(values[index.keys.index("entry:story")]) and np.isnan(values[index.keys.index("mine.md#Heading#0")])


def test_the_probes_first_entries_join_the_candidates_and_order_stays_whole(monkeypatch):
    index = _index()
    query = "有没有一个讲先问用途的故事？"
    parts: dict = {}
    order, _, _, _ = index.rank_detailed(query, SIMS, None, WEIGHTS, parts=parts)
    last = int(order[2])
    monkeypatch.setattr(ranker, "CANDIDATES", 1)
    monkeypatch.setattr(ranker, "PROBE_CANDIDATES", 1)
    probe = np.full(len(index.keys), -5.0)
    probe[last] = -0.1  # the probe's first entry is the hand-set ranking's last
    parts["probe"] = probe
    c, x = ranker.candidate_features(index, parts, order)
    assert list(c) == [int(order[0]), last]
    col = {f: x[:, i] for i, f in enumerate(ranker.FEATURES)}
    assert col["probe"][1] == 0.0 and col["probe"][0] < 0 and col["probe_rank"][1] == 1.0
    # A ranker that follows the probe puts that entry first; every group is ranked once, scores fall.
    w = np.zeros(len(ranker.FEATURES))
    w[ranker.FEATURES.index("probe")] = 1.0
    follow = ranker.Ranker(w, np.zeros(len(w)), np.ones(len(w)))

    def reranker(ix, p, o, s):
        p["probe"] = probe
        return follow(ix, p, o, s)

    new, score, _, _ = index.rank_detailed(query, SIMS, None, WEIGHTS, reranker=reranker)
    assert int(new[0]) == last and sorted(new.tolist()) == sorted(order.tolist())
    assert list(score[new]) == sorted(score[new], reverse=True)


def test_saved_weights_keep_the_entry_probe(tmp_path):
    rng = np.random.default_rng(4)
    x, y, centres = _clustered(rng, ["story", "card"], 8)
    model = ranker.fit(_samples(np.random.default_rng(1), 20))
    model.probe = ranker.train_entry_probe(x, y)
    path = ranker.save(model, tmp_path / "ranker.npz", data="x")
    loaded = ranker.load(path)
    assert loaded is not None and loaded.probe is not None and loaded.probe.entries == model.probe.entries
    assert np.allclose(loaded.probe.log_probs(centres[0]), model.probe.log_probs(centres[0]), atol=1e-5)
    ranker.forget()


def test_each_training_query_is_read_by_a_probe_that_did_not_learn_from_it():
    rng = np.random.default_rng(5)
    x, y, _ = _clustered(rng, ["story", "card", "flow"], 10)
    queries = [ranker.Query(f"q{i}", v, {e}, e, 1.0, "synthetic") for i, (v, e) in enumerate(zip(x, y))]
    probes = ranker.out_of_fold_probes(queries, folds=5)
    assert len({id(p) for p in probes}) == 5
    for probe in {id(p): p for p in probes}.values():
        held = [q for q, p in zip(queries, probes) if p is probe]
        refit = ranker.fit_probe([q for q, p in zip(queries, probes) if p is not probe])
        assert np.allclose(refit.w, probe.w) and held  # fitted on the other folds only

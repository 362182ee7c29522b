"""How well needs are extracted from sales dialogues, per extraction method, side by side.

Run on demand (the model part loads the embedded GGUF model; a default run takes about
15-25 minutes on a shared 2-core machine)::

    .venv/bin/python benchmarks/extraction.py [--methods rules,hybrid,model] [--limit N]
        [--mg-limit N] [--budget-minutes M] [--out benchmarks/results/extraction.json]

Methods (``assistant.needs.extract.NeedExtractor``, the product's own code path):

* ``rules``  — the word cues alone (no model),
* ``semantic`` — the sentence reader: cues where sure, the sentence classifier elsewhere (no model),
* ``hybrid`` — the offline default: provider ``local`` with the default embedded model,
  model proposals (in windows) plus the needs the semantic reader found that it missed,
* ``model``  — model proposals only (rules only when the model fails).

``hybrid`` and ``model`` send the very same prompt (temperature 0), so the model's answer
is computed once per dialogue and replayed for the second of the two methods (a small
cache in front of the chat model, exceptions included). Its seconds per dialogue count the
replayed model time, i.e. what the method costs on its own.

Evaluation sets:

1. ``benchmarks/data/extraction_dev.json`` — Chinese dialogues written for the project with
   gold needs. A gold need is *found* when a predicted need quotes evidence from the gold
   turn that overlaps the gold key (the quote contains the key, the key contains the quote,
   or they share >= 2 consecutive characters, ignoring punctuation and spacing), or when the
   statements are similar (``assistant.needs.records.similarity`` >= 0.5). Reported: need
   recall, implicit-need recall, precision (predicted needs that match some gold need),
   evidence validity (predicted quotes found verbatim in a customer turn; must be 100 %),
   a stricter recall where each prediction may cover only one gold need (a whole-sentence
   quote often contains several gold keys),
   owner / dimension / kind accuracy on matched pairs (each found gold paired with its best
   prediction), seconds per dialogue, and statement quality: the share of statements that copy
   a customer sentence (whole, or a verbatim span covering >= 80 % of it), the share of the
   statements' content words not found in the conversation, too-long statements and
   statements carrying a speaker label (``assistant.needs.restate``).
   ``--dev`` points the same run at another set (e.g. the untuned one); ``--also SET`` (repeatable)
   measures further sets in the same run with the same extractors (results under ``also``).
2. MG-ShopDial (English, read from ../shared at run time, never copied into the project:
   the result file keeps ids, turn numbers, labels and counts only; skipped with a message
   when ../shared is absent). Client -> customer, Wizard -> sales. Gold = client
   utterances whose intents include ``disclose``; one counts as recalled when a predicted
   need quotes evidence from that utterance. Also reported: predicted needs quoting only
   client turns that are not ``disclose`` (informational: not necessarily wrong).

The summary table shows the methods side by side and the hybrid/rules ratios of recall and
precision. The JSON result holds machine info, date, settings and per-dialogue details.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import random
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from langchain_core.callbacks import CallbackManagerForLLMRun  # noqa: E402
from langchain_core.language_models.chat_models import BaseChatModel  # noqa: E402
from langchain_core.messages import AIMessage, BaseMessage  # noqa: E402
from langchain_core.outputs import ChatGeneration, ChatResult  # noqa: E402
from pydantic import ConfigDict, PrivateAttr  # noqa: E402

from assistant.needs.extract import NeedExtractor  # noqa: E402
from assistant.needs.records import ExtractedNeed, need_key, similarity  # noqa: E402
from assistant.needs.transcript import DialogueTurn, Transcript  # noqa: E402
from assistant.settings import Settings  # noqa: E402

DEV_SET = ROOT / "benchmarks" / "data" / "extraction_dev.json"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "extraction.json"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MGSHOPDIAL = SHARED / "external" / "mg-shopdial" / "MGShopDial.json"
MODELS_DIR = Path.home() / ".local" / "share" / "needs-assistant" / "models"

METHODS = ("rules", "semantic", "hybrid", "model")
READERS = ("rules", "semantic")  # no model call
MODEL_METHODS = ("hybrid", "model")
SIM_THRESHOLD = 0.5
MG_SEED = 7
PRODUCT_TIMEOUT = float(Settings.model_fields["request_timeout"].default)  # the product default (120 s)


# --------------------------------------------------------------------------- model sharing


class SharedAnswerModel(BaseChatModel):
    """Delegates to ``inner``; the n-th identical request (messages + call options) of one
    extraction run is answered from memory when an earlier run of the same dialogue already
    made it, so ``hybrid`` and ``model`` share one model call per prompt. Retries and re-asks
    keep their order (the n-th call replays the n-th call), and exceptions such as timeouts
    are replayed too, so both methods see the same answers, failures and fallbacks."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel
    _memo: dict[str, list[tuple[str | None, BaseException | None, float]]] = PrivateAttr(default_factory=dict)
    _seen: dict[str, int] = PrivateAttr(default_factory=dict)
    _calls: list[dict[str, Any]] = PrivateAttr(default_factory=list)
    real_seconds: float = 0.0
    replayed_seconds: float = 0.0
    real_calls: int = 0
    replayed_calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "shared-answer"

    def begin(self) -> None:
        """Start one extraction run: call counting restarts, remembered answers stay."""
        self._seen.clear()
        self._calls = []

    def calls(self) -> list[dict[str, Any]]:
        return list(self._calls)

    def forget(self) -> None:
        """Start a new dialogue."""
        self._memo.clear()
        self._seen.clear()

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        key = json.dumps(
            [[type(m).__name__, str(m.content)] for m in messages] + [stop, kwargs],
            ensure_ascii=False, sort_keys=True, default=str,
        )
        index = self._seen.get(key, 0)
        self._seen[key] = index + 1
        memo = self._memo.setdefault(key, [])
        if index < len(memo):
            text, exc, seconds = memo[index]
            self.replayed_calls += 1
            self.replayed_seconds += seconds
            self._calls.append({"seconds": round(seconds, 1), "replayed": True,
                                "error": type(exc).__name__ if exc else None, "reply": (text or "")[:4000]})
            if exc is not None:
                raise exc
            return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text or ""))])
        t0 = time.perf_counter()
        try:
            reply = self.inner.invoke(messages, stop=stop, **kwargs)
        except BaseException as exc:  # remembered, then raised like the real model did
            seconds = time.perf_counter() - t0
            self.real_calls += 1
            self.real_seconds += seconds
            memo.append((None, exc, seconds))
            self._calls.append({"seconds": round(seconds, 1), "replayed": False, "error": type(exc).__name__})
            raise
        seconds = time.perf_counter() - t0
        self.real_calls += 1
        self.real_seconds += seconds
        text = str(reply.content)
        memo.append((text, None, seconds))
        stats = getattr(self.inner, "last_stats", {}) or {}
        self._calls.append({"seconds": round(seconds, 1), "replayed": False, "error": None, "reply": text[:4000],
                            "chunks": stats.get("completion_chunks"),
                            "ttft": round(stats["ttft"], 1) if stats.get("ttft") == stats.get("ttft")
                            and stats.get("ttft") is not None else None})
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


# --------------------------------------------------------------------------- data


def load_dev(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    dialogues = data["dialogues"]
    problems: list[str] = []
    for d in dialogues:
        if "gold" not in d and "needs" in d:  # the untuned set names its gold "needs"
            d["gold"] = d["needs"]
        turns = d["turns"]
        if not 4 <= len(turns) <= 10:
            problems.append(f"{d['id']}: {len(turns)} turns (want 4-10)")
        for g in d["gold"]:
            n = g["turn"]
            if not 1 <= n <= len(turns) or turns[n - 1]["role"] != "customer":
                problems.append(f"{d['id']}: gold {g['statement']!r} turn {n} is not a customer turn")
            elif g["key"] not in turns[n - 1]["text"]:
                problems.append(f"{d['id']}: key {g['key']!r} not in turn {n}")
    if problems:
        raise SystemExit("dev set problems:\n  " + "\n  ".join(problems))
    return dialogues


def dev_transcript(d: dict[str, Any]) -> Transcript:
    return Transcript.from_pairs([(t["role"], t["text"]) for t in d["turns"]])


def mg_dialogues(path: Path, limit: int) -> list[dict[str, Any]]:
    """MG-ShopDial dialogues as transcripts plus the disclose gold (a seeded, mixed sample)."""
    raw = json.loads(path.read_text(encoding="utf-8"))
    order = list(range(len(raw)))
    random.Random(MG_SEED).shuffle(order)
    out = []
    for i in order[: max(0, limit)]:
        d = raw[i]
        turns: list[DialogueTurn] = []
        disclose: list[int] = []
        client_turns: list[int] = []
        for u in d["utterances"]:
            text = u["utterance"].strip()
            if not text or u["participant"] not in ("Client", "Wizard"):
                continue
            n = len(turns) + 1
            role = "customer" if u["participant"] == "Client" else "sales"
            turns.append(DialogueTurn(n=n, role=role, text=text))
            if role == "customer":
                client_turns.append(n)
                if any(intent == "disclose" for intent, _ in u["intents"]):
                    disclose.append(n)
        out.append({
            "id": d["id"], "desc": d["metadata"].get("desc", ""),
            "transcript": Transcript(turns=turns), "disclose": disclose, "client_turns": client_turns,
        })
    return out


# --------------------------------------------------------------------------- matching


def _shares_run(a: str, b: str, k: int = 2) -> bool:
    if len(a) < k or len(b) < k:
        return False
    grams = {a[i : i + k] for i in range(len(a) - k + 1)}
    return any(b[i : i + k] in grams for i in range(len(b) - k + 1))


def key_overlap(quote: str, key: str) -> bool:
    q, k = need_key(quote), need_key(key)
    if not q or not k:
        return False
    return k in q or q in k or _shares_run(q, k)


def match_strength(pred: ExtractedNeed, gold: dict[str, Any]) -> tuple[bool, float, bool]:
    """(matches, similarity, matched by evidence)."""
    by_evidence = any(e.turn == gold["turn"] and key_overlap(e.quote, gold["key"]) for e in pred.evidence)
    sim = similarity(pred.statement, gold["statement"])
    return by_evidence or sim >= SIM_THRESHOLD, sim, by_evidence


def one_to_one(edges: list[list[bool]], n_gold: int) -> int:
    """Size of a maximum matching prediction <-> gold (each prediction covers one gold need)."""
    owner: list[int | None] = [None] * n_gold

    def augment(p: int, seen: set[int]) -> bool:
        for g in range(n_gold):
            if edges[p][g] and g not in seen:
                seen.add(g)
                if owner[g] is None or augment(owner[g], seen):
                    owner[g] = p
                    return True
        return False

    return sum(augment(p, set()) for p in range(len(edges)))


def need_dict(n: ExtractedNeed) -> dict[str, Any]:
    return {
        "statement": n.statement, "kind": n.kind, "dimension": n.dimension, "owner": n.owner,
        "motive": n.motive, "confidence": n.confidence,
        "evidence": [{"turn": e.turn, "quote": e.quote} for e in n.evidence],
    }


def evidence_check(needs: list[ExtractedNeed], transcript: Transcript) -> tuple[int, int, int]:
    """(quotes, verbatim in some customer turn, verbatim in the stated customer turn)."""
    customer = {t.n: t.text for t in transcript.customer_turns()}
    total = anywhere = stated = 0
    for n in needs:
        for e in n.evidence:
            total += 1
            anywhere += any(e.quote in text for text in customer.values())
            stated += e.turn in customer and e.quote in customer[e.turn]
    return total, anywhere, stated


def score_dev(needs: list[ExtractedNeed], d: dict[str, Any], transcript: Transcript) -> dict[str, Any]:
    gold = d["gold"]
    table = [[match_strength(p, g) for g in gold] for p in needs]
    gold_rows = []
    for gi, g in enumerate(gold):
        hits = [(pi, table[pi][gi]) for pi in range(len(needs)) if table[pi][gi][0]]
        best = max(hits, key=lambda h: (h[1][2], h[1][1]), default=None)
        row: dict[str, Any] = {"statement": g["statement"], "kind": g["kind"], "turn": g["turn"],
                               "key": g["key"], "found": best is not None}
        if best is not None:
            p = needs[best[0]]
            row.update({
                "pred": best[0], "by_evidence": best[1][2], "similarity": round(best[1][1], 3),
                "owner_ok": p.owner == g["owner"], "dimension_ok": p.dimension == g["dimension"],
                "kind_ok": p.kind == g["kind"],
                "gold_owner": g["owner"], "pred_owner": p.owner,
                "gold_dimension": g["dimension"], "pred_dimension": p.dimension,
            })
        gold_rows.append(row)
    pred_matched = [any(cell[0] for cell in row) for row in table]
    total, anywhere, stated = evidence_check(needs, transcript)
    return {"gold": gold_rows, "pred_matched": pred_matched, "statements": statement_quality(needs, transcript),
            "found_one_to_one": one_to_one([[cell[0] for cell in row] for row in table], len(gold)),
            "quotes": total, "quotes_verbatim": anywhere, "quotes_verbatim_stated_turn": stated}


def statement_quality(needs: list[ExtractedNeed], transcript: Transcript) -> dict[str, int]:
    from assistant.needs.restate import copied_from, has_speaker_label, too_long, ungrounded_words
    from assistant.understanding.lexicon import content_words, sentences

    customer = [t.text for t in transcript.customer_turns()]
    conversation = " ".join(customer)
    parts = [s for text in customer for s in sentences(text)] + customer
    out = {"n": 0, "copied": 0, "verbatim_span": 0, "too_long": 0, "speaker_label": 0, "words": 0, "words_not_found": 0}
    for n in needs:
        out["n"] += 1
        out["copied"] += copied_from(n.statement, parts)
        out["verbatim_span"] += any(need_key(n.statement) in need_key(p) for p in parts)
        out["too_long"] += too_long(n.statement)
        out["speaker_label"] += has_speaker_label(n.statement)
        out["words"] += len(content_words(n.statement))
        out["words_not_found"] += len(ungrounded_words(n.statement, conversation))
    return out


def score_mg(needs: list[ExtractedNeed], d: dict[str, Any]) -> dict[str, Any]:
    disclose = set(d["disclose"])
    quoted = {e.turn for n in needs for e in n.evidence}
    per_need = []
    for n in needs:
        turns = {e.turn for e in n.evidence}
        per_need.append("disclose" if turns & disclose else "non_disclose_client")
    total, anywhere, stated = evidence_check(needs, d["transcript"])
    return {
        "disclose_turns": sorted(disclose), "recalled": sorted(disclose & quoted),
        "need_sources": per_need, "quotes": total, "quotes_verbatim": anywhere,
        "quotes_verbatim_stated_turn": stated,
    }


# --------------------------------------------------------------------------- running


def proposal_check(calls: list[dict[str, Any]], transcript: Transcript) -> dict[str, Any] | None:
    """How the model's last parsable proposal fared quote by quote (before verify)."""
    from assistant.llm.calls import parse_json_object
    from assistant.needs.records import ExtractionResult
    from assistant.needs.transcript import find_verbatim

    for call in reversed(calls):
        if call.get("error") or not call.get("reply"):
            continue
        try:
            proposed = ExtractionResult.model_validate(parse_json_object(call["reply"])).needs
        except Exception:
            continue
        customer = [t.text for t in transcript.customer_turns()]
        out = {"proposed": len(proposed), "all_quotes_valid": 0, "some_quotes_valid": 0, "no_quote_valid": 0}
        for n in proposed:
            ok = [any(find_verbatim(e.quote.strip().strip("“”\"'「」"), c) for c in customer) for e in n.evidence]
            key = "all_quotes_valid" if all(ok) else "some_quotes_valid" if any(ok) else "no_quote_valid"
            out[key] += 1
        return out
    return None


def run_one(extractor: NeedExtractor, transcript: Transcript, shared: SharedAnswerModel | None) -> dict[str, Any]:
    uses_model = shared is not None and extractor.model is not None
    if uses_model:
        shared.begin()
    replayed_before = shared.replayed_seconds if uses_model else 0.0
    t0 = time.perf_counter()
    try:
        outcome = extractor.extract(transcript)
        needs, used, dropped, error = outcome.needs, outcome.method, outcome.dropped, outcome.error
    except Exception as exc:  # a crash is a finding, not a reason to stop the benchmark
        needs, used, dropped, error = [], "crashed", [], f"{type(exc).__name__}: {exc}"
        traceback.print_exc()
    wall = time.perf_counter() - t0
    replayed = (shared.replayed_seconds - replayed_before) if uses_model else 0.0
    calls = shared.calls() if uses_model else []
    return {"needs": needs, "used": used, "dropped": dropped, "error": error,
            "seconds": wall + replayed, "wall_seconds": wall, "replayed_model_seconds": replayed,
            "model_calls": calls, "proposals": proposal_check(calls, transcript) if calls else None}


def build_extractors(methods: list[str], args: argparse.Namespace) -> tuple[dict[str, NeedExtractor | None], dict[str, Any], SharedAnswerModel | None]:
    info: dict[str, Any] = {}
    extractors: dict[str, NeedExtractor | None] = {}
    shared: SharedAnswerModel | None = None
    if any(m in MODEL_METHODS for m in methods):
        from assistant.llm.providers import build_chat_model
        from assistant.settings import Settings

        kw: dict[str, Any] = {"provider": "local", "models_dir": args.models_dir, "threads": args.threads,
                              "request_timeout": args.timeout}
        if args.model_name:
            kw["local_model"] = args.model_name
        try:
            settings = Settings(**kw)
            product = Settings(provider="local", models_dir=args.models_dir)
            t0 = time.perf_counter()
            model = build_chat_model(settings)
            model.llama()  # load now, so the first dialogue's time is extraction only
            info = {
                "provider": settings.provider, "local_model": settings.local_model,
                "model_file": str(getattr(model, "model_path", "")), "threads": settings.threads,
                "context_tokens": settings.context_tokens,
                "request_timeout": settings.request_timeout, "retries": args.retries,
                "product_request_timeout": product.request_timeout, "product_max_retries": product.max_retries,
                "extractor_max_tokens": args.max_tokens or NeedExtractor(None).max_tokens,
                "product_extractor_max_tokens": NeedExtractor(None).max_tokens,
                "load_seconds": round(time.perf_counter() - t0, 1),
            }
            shared = SharedAnswerModel(inner=model)
            for m in methods:
                if m in MODEL_METHODS:
                    extractors[m] = NeedExtractor(shared, method=m, retries=args.retries)
                    if args.max_tokens:
                        extractors[m].max_tokens = args.max_tokens
        except Exception as exc:
            msg = getattr(exc, "message", str(exc))
            fix = getattr(exc, "fix", None)
            print(f"model methods skipped: {msg}" + (f" ({fix})" if fix else ""), file=sys.stderr)
            info = {"skipped": msg}
    for m in READERS:
        if m in methods:
            extractors[m] = NeedExtractor(None, method=m)
    return extractors, info, shared


def _order(methods: list[str]) -> list[str]:
    # model-based methods first: the first pays for the model call, the second replays it
    return [m for m in methods if m in MODEL_METHODS] + [m for m in methods if m not in MODEL_METHODS]


def interleave_segments(dialogues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """B2C, B2B, B2C, ... so that a budget-truncated model subset stays mixed."""
    groups: dict[str, list[dict[str, Any]]] = {}
    for d in dialogues:
        groups.setdefault(d.get("segment", ""), []).append(d)
    out: list[dict[str, Any]] = []
    queues = list(groups.values())
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def evaluate(kind: str, items: list[dict[str, Any]], extractors: dict[str, NeedExtractor],
             shared: SharedAnswerModel | None, model_deadline: float) -> dict[str, Any]:
    """Every method on every item; model-based methods only while the time budget lasts."""
    methods = _order(list(extractors))
    details: list[dict[str, Any]] = []
    budget_note = None
    for i, d in enumerate(items, 1):
        transcript = dev_transcript(d) if kind == "dev" else d["transcript"]
        if kind == "dev":
            row: dict[str, Any] = {"id": d["id"], "trade": d["trade"], "segment": d["segment"],
                                   "n_gold": len(d["gold"]), "methods": {}}
        else:
            row = {"id": d["id"], "desc": d["desc"], "turns": len(transcript.turns),
                   "client_turns": len(d["client_turns"]), "disclose": len(d["disclose"]), "methods": {}}
        line = []
        model_time = time.monotonic() <= model_deadline  # decided once per dialogue
        if not model_time and budget_note is None and any(m in MODEL_METHODS for m in methods):
            budget_note = f"time budget reached: model-based methods ran on {i - 1} of {len(items)}"
            print(f"  {kind}: {budget_note}", file=sys.stderr, flush=True)
        for m in methods:
            ex = extractors[m]
            if m in MODEL_METHODS and not model_time:
                continue
            ex.language = d.get("lang", "zh") if kind == "dev" else "en"
            r = run_one(ex, transcript, shared)
            if kind == "dev":
                sc = score_dev(r["needs"], d, transcript)
                extra = [{"matches_gold": ok} for ok in sc["pred_matched"]]
                line.append(f"{m} {sum(g['found'] for g in sc['gold'])}/{len(d['gold'])} found, "
                            f"{len(r['needs'])} pred, {r['seconds']:.0f}s")
            else:
                sc = score_mg(r["needs"], d)
                extra = [{"source": src} for src in sc["need_sources"]]
                line.append(f"{m} {len(sc['recalled'])}/{len(d['disclose'])} disclose, "
                            f"{len(r['needs'])} pred, {r['seconds']:.0f}s")
            row["methods"][m] = {
                "used": r["used"], "error": r["error"], "seconds": round(r["seconds"], 2),
                "replayed_model_seconds": round(r["replayed_model_seconds"], 2),
                "model_calls": r["model_calls"], "proposals": r["proposals"],
                "needs": [need_dict(n) | e for n, e in zip(r["needs"], extra)],
                "dropped": [{"statement": st, "reason": why} for st, why in r["dropped"]],
                **sc,
            }
        if shared:
            shared.forget()
        details.append(row)
        print(f"  {kind} [{i}/{len(items)}] {d['id']}: " + "; ".join(line), file=sys.stderr, flush=True)
    return {"dialogues": details, "budget": budget_note}


def _rate(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _calls_summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    calls = [c for r in rows for c in r.get("model_calls", [])]  # real or replayed: what the method cost
    if not calls:
        return {}
    secs = [c["seconds"] for c in calls]
    return {"model_calls": len(calls), "model_call_seconds_median": round(statistics.median(secs), 1),
            "model_call_seconds_max": round(max(secs), 1),
            "model_calls_over_product_timeout": sum(s > PRODUCT_TIMEOUT for s in secs),
            "model_call_errors": sum(1 for c in calls if c["error"]),
            **{f"proposals_{k}": sum((r.get("proposals") or {}).get(k, 0) for r in rows)
               for k in ("proposed", "all_quotes_valid", "some_quotes_valid", "no_quote_valid")}}


def summarise_dev(details: list[dict[str, Any]], m: str, ids: set[str] | None = None) -> dict[str, Any]:
    rows = [d["methods"][m] for d in details if m in d["methods"] and (ids is None or d["id"] in ids)]
    gold = [g for r in rows for g in r["gold"]]
    implicit = [g for g in gold if g["kind"] == "implicit"]
    explicit = [g for g in gold if g["kind"] == "explicit"]
    found = [g for g in gold if g["found"]]
    preds = [ok for r in rows for ok in r["pred_matched"]]
    quotes = sum(r["quotes"] for r in rows)
    secs = [r["seconds"] for r in rows]
    return {
        "dialogues": len(rows), "gold": len(gold), "gold_implicit": len(implicit), "predicted": len(preds),
        "recall": _rate(len(found), len(gold)),
        "recall_one_to_one": _rate(sum(r["found_one_to_one"] for r in rows), len(gold)),
        "implicit_recall": _rate(sum(g["found"] for g in implicit), len(implicit)),
        "explicit_recall": _rate(sum(g["found"] for g in explicit), len(explicit)),
        "precision": _rate(sum(preds), len(preds)),
        "evidence_validity": _rate(sum(r["quotes_verbatim"] for r in rows), quotes),
        "evidence_in_stated_turn": _rate(sum(r["quotes_verbatim_stated_turn"] for r in rows), quotes),
        "owner_accuracy": _rate(sum(g["owner_ok"] for g in found), len(found)),
        "dimension_accuracy": _rate(sum(g["dimension_ok"] for g in found), len(found)),
        "kind_accuracy": _rate(sum(g["kind_ok"] for g in found), len(found)),
        "matched_pairs": len(found),
        "statements_copied": _rate(sum(r["statements"]["copied"] for r in rows), sum(r["statements"]["n"] for r in rows)),
        "statements_verbatim_span": _rate(sum(r["statements"]["verbatim_span"] for r in rows),
                                          sum(r["statements"]["n"] for r in rows)),
        "statement_words_not_in_conversation": _rate(sum(r["statements"]["words_not_found"] for r in rows),
                                                     sum(r["statements"]["words"] for r in rows)),
        "statements_too_long": sum(r["statements"]["too_long"] for r in rows),
        "statements_with_speaker_label": sum(r["statements"]["speaker_label"] for r in rows),
        "found_by_evidence": sum(g["by_evidence"] for g in found),
        "seconds_per_dialogue": round(statistics.mean(secs), 2) if secs else None,
        "seconds_max": round(max(secs), 2) if secs else None,
        "used": {u: sum(r["used"] == u for r in rows) for u in sorted({r["used"] for r in rows})},
        "errors": sum(1 for r in rows if r["error"]),
        **_calls_summary(rows),
    }


def redact_mg(result: dict[str, Any]) -> dict[str, Any]:
    """MG-ShopDial text must not be copied into the project: keep ids, turn numbers, labels and
    counts; drop utterances, quotes, statements (rule statements are utterances) and replies."""
    for row in result.get("dialogues", []):
        row.pop("desc", None)
        for m in row.get("methods", {}).values():
            m["needs"] = [{"kind": n["kind"], "dimension": n["dimension"], "owner": n["owner"],
                           "confidence": n["confidence"], "source": n.get("source"),
                           "evidence": [{"turn": e["turn"], "quote_chars": len(e["quote"])} for e in n["evidence"]]}
                          for n in m.get("needs", [])]
            m["dropped"] = [{"reason": d["reason"]} for d in m.get("dropped", [])]
            for c in m.get("model_calls", []):
                c.pop("reply", None)
    result["redacted"] = "utterances, quotes, statements and model replies omitted (MG-ShopDial stays in ../shared)"
    return result


def summarise_mg(details: list[dict[str, Any]], m: str, ids: set[str] | None = None) -> dict[str, Any]:
    rows = [d["methods"][m] for d in details if m in d["methods"] and (ids is None or d["id"] in ids)]
    gold = sum(len(r["disclose_turns"]) for r in rows)
    recalled = sum(len(r["recalled"]) for r in rows)
    sources = [s for r in rows for s in r["need_sources"]]
    quotes = sum(r["quotes"] for r in rows)
    secs = [r["seconds"] for r in rows]
    return {
        "dialogues": len(rows), "disclose_gold": gold, "predicted": len(sources),
        "disclose_recall": _rate(recalled, gold),
        "needs_quoting_disclose": sum(s == "disclose" for s in sources),
        "needs_quoting_only_non_disclose": sum(s == "non_disclose_client" for s in sources),
        "share_quoting_disclose": _rate(sum(s == "disclose" for s in sources), len(sources)),
        "evidence_validity": _rate(sum(r["quotes_verbatim"] for r in rows), quotes),
        "seconds_per_dialogue": round(statistics.mean(secs), 2) if secs else None,
        "used": {u: sum(r["used"] == u for r in rows) for u in sorted({r["used"] for r in rows})},
        "errors": sum(1 for r in rows if r["error"]),
        **_calls_summary(rows),
    }


def summaries(result: dict[str, Any], summarise) -> dict[str, dict[str, Any]]:
    """Columns: rules on all dialogues, rules on the dialogues the model methods finished
    (when that is a subset), then each model method. Side-by-side columns share dialogues."""
    details = result["dialogues"]
    methods = [m for m in METHODS if any(m in d["methods"] for d in details)]
    model_methods = [m for m in methods if m in MODEL_METHODS]
    common = {d["id"] for d in details if all(m in d["methods"] for m in methods)}
    out: dict[str, dict[str, Any]] = {}
    for reader in READERS:
        if reader in methods:
            out[reader] = summarise(details, reader)
            if model_methods and len(common) < len(details):
                out[f"{reader}@model-subset"] = summarise(details, reader, common)
    for m in model_methods:
        out[m] = summarise(details, m, common)
    return out


def code_version() -> dict[str, Any]:
    """The commit and whether the extraction code differs from it (read-only git calls)."""
    import subprocess

    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=20).stdout.strip()
        except Exception:
            return ""

    return {"commit": git("rev-parse", "HEAD") or None,
            "uncommitted_extraction_changes": git("status", "--porcelain", "--", "assistant/needs", "assistant/llm",
                                                   "prompts/extract_needs.md").splitlines()}


def machine_info() -> dict[str, Any]:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    try:
        import llama_cpp
        llama_version = getattr(llama_cpp, "__version__", "?")
    except Exception:
        llama_version = None
    return {
        "platform": platform.platform(), "python": platform.python_version(), "cpu": cpu,
        "cpu_count": os.cpu_count(), "mem_gib": mem, "llama_cpp_python": llama_version,
        "loadavg_start": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


# --------------------------------------------------------------------------- report


def _fmt(v: Any, pct: bool = True) -> str:
    if v is None:
        return "—"
    if isinstance(v, float) and pct:
        return f"{100 * v:.1f}%"
    return str(v)


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows)


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def ratios(summary: dict[str, dict[str, Any]], keys: tuple[str, ...]) -> dict[str, float | None]:
    base_name = "rules@model-subset" if "rules@model-subset" in summary else "rules"
    base = summary.get(base_name)
    out: dict[str, float | None] = {}
    if base:
        for m in (x for x in summary if x in MODEL_METHODS):
            for key in keys:
                out[f"{m}/rules {key}"] = ratio(summary[m][key], base[key])
    return out


DEV_FIELDS = [("dialogues", "dialogues", False), ("gold", "gold needs", False),
              ("recall", "need recall", True), ("recall_one_to_one", "recall, one gold per prediction", True),
              ("implicit_recall", "implicit-need recall", True), ("explicit_recall", "explicit-need recall", True),
              ("precision", "precision", True), ("predicted", "predicted needs", False),
              ("evidence_validity", "evidence validity (verbatim)", True),
              ("evidence_in_stated_turn", "evidence in stated turn", True),
              ("owner_accuracy", "owner accuracy (matched)", True),
              ("dimension_accuracy", "dimension accuracy (matched)", True),
              ("kind_accuracy", "kind accuracy (matched)", True), ("matched_pairs", "matched pairs", False),
              ("statements_copied", "statements copied from a sentence", True),
              ("statements_verbatim_span", "  statements that are a shorter verbatim span", True),
              ("statement_words_not_in_conversation", "statement words not in conversation", True),
              ("statements_too_long", "statements too long", False),
              ("statements_with_speaker_label", "statements with a speaker label", False),
              ("seconds_per_dialogue", "seconds / dialogue", False),
              ("model_call_seconds_median", "model call seconds (median)", False),
              ("model_calls_over_product_timeout", f"model calls > {PRODUCT_TIMEOUT:.0f} s", False),
              ("model_call_errors", "model call errors", False),
              ("proposals_proposed", "model proposals (last parsable)", False),
              ("proposals_some_quotes_valid", "  dropped although a quote is valid", False),
              ("proposals_no_quote_valid", "  no quote valid", False),
              ("used", "what produced the needs", False)]
MG_FIELDS = [("dialogues", "dialogues", False), ("disclose_gold", "client disclose utterances", False),
             ("disclose_recall", "disclose recall", True), ("predicted", "predicted needs", False),
             ("needs_quoting_disclose", "needs quoting a disclose turn", False),
             ("needs_quoting_only_non_disclose", "needs quoting only non-disclose turns", False),
             ("share_quoting_disclose", "share quoting disclose", True),
             ("evidence_validity", "evidence validity (verbatim)", True),
             ("seconds_per_dialogue", "seconds / dialogue", False),
             ("model_call_seconds_median", "model call seconds (median)", False),
             ("model_calls_over_product_timeout", f"model calls > {PRODUCT_TIMEOUT:.0f} s", False),
             ("model_call_errors", "model call errors", False),
             ("proposals_proposed", "model proposals (last parsable)", False),
             ("proposals_some_quotes_valid", "  dropped although a quote is valid", False),
             ("proposals_no_quote_valid", "  no quote valid", False),
             ("used", "what produced the needs", False)]


def _side_by_side(summary: dict[str, dict[str, Any]], fields) -> str:
    cols = list(summary)
    rows = [["metric", *cols]]
    for key, label, pct in fields:
        vals = [summary[c].get(key) for c in cols]
        if all(v is None for v in vals):
            continue
        rows.append([label, *[(", ".join(f"{k} {n}" for k, n in v.items()) if isinstance(v, dict)
                               else _fmt(v, pct)) for v in vals]])
    return _table(rows)


def print_report(res: dict[str, Any]) -> None:
    dev = res["dev"]
    print(f"\n== dev set {res['settings']['dev_set']}" + (f"  [{dev['budget']}]" if dev.get("budget") else ""))
    print(_side_by_side(dev["summary"], DEV_FIELDS))
    for k, v in dev["ratios"].items():
        print(f"{k}: {_fmt(v, False)}")
    for name, entry in (res.get("also") or {}).items():
        if isinstance(entry, dict):
            print(f"\n== {name}" + (f"  [{entry['budget']}]" if entry.get("budget") else ""))
            print(_side_by_side(entry["summary"], DEV_FIELDS))
        else:
            print(f"\n== {name}: {entry}")
    mg = res["mgshopdial"]
    if isinstance(mg, dict) and mg.get("summary"):
        print("\n== MG-ShopDial (English; gold = client utterances with intent disclose)"
              + (f"  [{mg['budget']}]" if mg.get("budget") else ""))
        print(_side_by_side(mg["summary"], MG_FIELDS))
        for k, v in mg["ratios"].items():
            print(f"{k}: {_fmt(v, False)}")
    else:
        print(f"\n== MG-ShopDial: {mg}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--methods", default=",".join(METHODS), help="comma list of rules,semantic,hybrid,model")
    ap.add_argument("--limit", type=int, default=None, help="dev dialogues to use (default: all)")
    ap.add_argument("--mg-limit", type=int, default=20, help="MG-ShopDial dialogues (default 20; 0 skips)")
    ap.add_argument("--budget-minutes", type=float, default=21.0,
                    help="wall-clock budget of the model-based methods (default 21); after it no new "
                         "dialogue is started for them (rules still run on everything)")
    ap.add_argument("--dev-share", type=float, default=0.65,
                    help="share of the budget the dev set may use before MG-ShopDial starts (default 0.65)")
    ap.add_argument("--timeout", type=float, default=240.0,
                    help=f"seconds one model call may take (default 240; the product's default is "
                         f"{PRODUCT_TIMEOUT:.0f}, calls slower than that are counted)")
    ap.add_argument("--retries", type=int, default=0,
                    help="retries after a failed/timed-out model call (default 0; the product uses 2)")
    ap.add_argument("--max-tokens", type=int, default=None,
                    help="override NeedExtractor.max_tokens (default: the product's value)")
    ap.add_argument("--model-name", default=None, help="embedded model (default: the product default)")
    ap.add_argument("--threads", type=int, default=1, help="llama.cpp threads (product default 1)")
    ap.add_argument("--models-dir", type=Path, default=MODELS_DIR)
    ap.add_argument("--dev", type=Path, default=DEV_SET)
    ap.add_argument("--also", type=Path, action="append", default=[],
                    help="a further set measured in the same run with the same extractors (repeatable; "
                         "e.g. the held-out sets under benchmarks/data/untuned/)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)

    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = [m for m in methods if m not in METHODS]
    if unknown or not methods:
        ap.error(f"unknown method(s) {unknown}; choose from {', '.join(METHODS)}")
    started = time.monotonic()
    dev_path = args.dev.resolve()
    res: dict[str, Any] = {
        "generated": _dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": machine_info(),
        "code": code_version(),
        "settings": {
            "methods": methods,
            "dev_set": str(dev_path.relative_to(ROOT)) if dev_path.is_relative_to(ROOT) else str(dev_path),
            "limit": args.limit, "mg_limit": args.mg_limit, "mg_sample": f"seeded shuffle (seed {MG_SEED})",
            "budget_minutes": args.budget_minutes, "dev_share": args.dev_share,
            "timeout": args.timeout, "retries": args.retries, "threads": args.threads,
            "similarity_threshold": SIM_THRESHOLD,
            "match_rule": "evidence quote in the gold turn overlapping the gold key (contains / contained / "
                          ">=2 shared consecutive characters, punctuation ignored) or statement similarity >= 0.5",
            "model_call_sharing": "hybrid and model send the same prompt; the answer is computed once per "
                                  "dialogue and replayed for the other, seconds include the replayed time",
            "model_subset": "dev dialogues are processed B2C/B2B interleaved; model-based methods start new "
                            "dialogues only within the time budget; side-by-side columns use the same dialogues",
        },
    }
    dialogues = load_dev(args.dev)
    if args.limit is not None:
        dialogues = dialogues[: args.limit]
    dialogues = interleave_segments(dialogues)
    extractors, res["model"], shared = build_extractors(methods, args)
    extractors = {m: e for m, e in extractors.items() if e is not None}
    if not extractors:
        print("nothing to run", file=sys.stderr)
        return 1
    clock = time.monotonic()
    budget = 60 * args.budget_minutes
    print(f"dev set: {len(dialogues)} dialogues; methods: {', '.join(_order(list(extractors)))}; "
          f"model budget {args.budget_minutes:g} min", file=sys.stderr, flush=True)
    res["dev"] = evaluate("dev", dialogues, extractors, shared, clock + args.dev_share * budget)
    res["dev"]["summary"] = summaries(res["dev"], summarise_dev)
    res["dev"]["ratios"] = ratios(res["dev"]["summary"], ("recall", "recall_one_to_one", "implicit_recall",
                                                          "precision"))

    res["also"] = {}
    for path in args.also:
        name = str(path.resolve().relative_to(ROOT)) if path.resolve().is_relative_to(ROOT) else str(path)
        if not path.is_file():
            res["also"][name] = "skipped: not found"
            continue
        extra = interleave_segments(load_dev(path))
        print(f"{name}: {len(extra)} dialogues", file=sys.stderr, flush=True)
        entry = evaluate("dev", extra, extractors, shared, clock + budget)
        entry["summary"] = summaries(entry, summarise_dev)
        entry["ratios"] = ratios(entry["summary"], ("recall", "recall_one_to_one", "implicit_recall", "precision"))
        res["also"][name] = entry

    if args.mg_limit <= 0:
        res["mgshopdial"] = "skipped: --mg-limit 0"
    elif not MGSHOPDIAL.is_file():
        msg = f"skipped: {MGSHOPDIAL} not found (MG-ShopDial is read from ../shared at run time)"
        print(msg, file=sys.stderr)
        res["mgshopdial"] = msg
    else:
        mg = mg_dialogues(MGSHOPDIAL, args.mg_limit)
        print(f"MG-ShopDial: {len(mg)} dialogues", file=sys.stderr, flush=True)
        res["mgshopdial"] = evaluate("mg", mg, extractors, shared, clock + budget)
        res["mgshopdial"]["summary"] = summaries(res["mgshopdial"], summarise_mg)
        res["mgshopdial"]["ratios"] = ratios(res["mgshopdial"]["summary"],
                                             ("disclose_recall", "share_quoting_disclose"))
        redact_mg(res["mgshopdial"])
    if shared:
        res["model"].update({"real_calls": shared.real_calls, "real_model_seconds": round(shared.real_seconds, 1),
                             "replayed_calls": shared.replayed_calls})
    res["machine"]["loadavg_end"] = list(os.getloadavg()) if hasattr(os, "getloadavg") else None
    res["total_seconds"] = round(time.monotonic() - started, 1)

    print_report(res)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\ntotal {res['total_seconds']:.0f}s; wrote {os.path.relpath(args.out, Path.cwd())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

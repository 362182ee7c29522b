"""How well the role-play rules (assistant/roleplay/classify.py) label trainee lines.

Run on demand:

    .venv/bin/python benchmarks/question_types.py            # rules + trivial baseline
    .venv/bin/python benchmarks/question_types.py --model    # also the embedded model, capped sample

Three evaluation sets:

* tests/data/questions_zh.json and questions_en.json — hand-labelled salesperson lines;
  accuracy per field, a confusion matrix for ``form``, and every rule error.
* tests/data/questions_holdout_zh.json and questions_holdout_en.json — held out (never used to
  write cues or the reader's training lines), seen: its failures were read while building.
* tests/data/questions_holdout_v2_zh.json and _en.json — a second held-out set (SPIN stage hard
  to read from surface words), clean: measured once, never opened while building.

On every set, rules vs rules + the semantic layer (``classify(text, semantic=True)``: the SPIN
stage reader of assistant/roleplay/spin.py where the stage cues are unsure) per field, with the
SPIN confusion of both. The reader learnt from the dev lines too, so its dev figures are
training figures; the held-out ones are not.
* MG-ShopDial (English shopping dialogues, read from ../shared at run time and never copied
  into the project): Wizard utterances, gold "open question" = intents include ``o_question``,
  gold "elicits a need" = intents include ``elicit``; precision/recall/F1 of the rules.

Each set is compared with a trivial baseline in the same run ("a line ending with ?/？ is an
open question; anything else is a statement with no SPIN stage, probe or pitch"), and the
ratio rules/baseline is reported. Results go to benchmarks/results/question_types.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any, Literal

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pydantic import BaseModel  # noqa: E402

from assistant.roleplay.classify import classify  # noqa: E402

DATA = ROOT / "tests" / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
MGSHOPDIAL = SHARED / "external" / "mg-shopdial" / "MGShopDial.json"
RESULTS = ROOT / "benchmarks" / "results" / "question_types.json"

FIELDS = ("is_question", "form", "spin", "purpose_probe", "user_probe", "pitch", "confirmation")
FORMS = ("open", "closed", "leading", "stacked", "statement")
Labels = dict[str, Any]


# --------------------------------------------------------------------------- predictors

def rules(text: str) -> Labels:
    return classify(text).fields()


def rules_semantic(text: str) -> Labels:
    """The rules, with the nearest labelled lines for questions no SPIN cue matches."""
    return classify(text, semantic=True).fields()


_ENDS_Q = re.compile(r"[？?]\s*$")


def baseline(text: str) -> Labels:
    """Trivial: ends with ?/？ → an open question; otherwise a statement. Nothing else."""
    q = bool(_ENDS_Q.search(text.strip()))
    return {
        "is_question": q,
        "form": "open" if q else "statement",
        "spin": "none",
        "purpose_probe": False,
        "user_probe": False,
        "pitch": False,
        "confirmation": False,
    }


# --------------------------------------------------------------------------- metrics

def load_labelled(path: Path) -> list[Labels]:
    return json.loads(path.read_text(encoding="utf-8"))["items"]


def accuracy(items: list[Labels], preds: list[Labels]) -> dict[str, float]:
    out = {}
    for f in FIELDS:
        pairs = [(g[f], p[f]) for g, p in zip(items, preds) if f in g]
        if pairs:
            out[f] = round(sum(a == b for a, b in pairs) / len(pairs), 4)
    out["all_fields"] = round(
        sum(all(g[f] == p[f] for f in FIELDS if f in g) for g, p in zip(items, preds)) / len(items), 4
    )
    return out


def confusion(gold: list[str], pred: list[str], labels: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """rows = gold, columns = predicted."""
    m = {g: {p: 0 for p in labels} for g in labels}
    for g, p in zip(gold, pred):
        m[g][p] += 1
    return m


def prf(gold: list[bool], pred: list[bool]) -> dict[str, float]:
    tp = sum(g and p for g, p in zip(gold, pred))
    fp = sum(p and not g for g, p in zip(gold, pred))
    fn = sum(g and not p for g, p in zip(gold, pred))
    tn = len(gold) - tp - fp - fn
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "accuracy": round((tp + tn) / len(gold), 4) if gold else 0.0,
            "tp": tp, "fp": fp, "fn": fn, "tn": tn}


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def errors(items: list[Labels], preds: list[Labels]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {f: [] for f in FIELDS}
    for g, p in zip(items, preds):
        for f in FIELDS:
            if f in g and g[f] != p[f]:
                out[f].append({"text": g["text"], "rules": p[f], "gold": g[f]})
    return {f: v for f, v in out.items() if v}


SPINS = ("situation", "problem", "implication", "need_payoff", "none")


def evaluate_labelled(path: Path) -> dict[str, Any]:
    items = load_labelled(path)
    r = [rules(i["text"]) for i in items]
    s = [rules_semantic(i["text"]) for i in items]
    b = [baseline(i["text"]) for i in items]
    acc_r, acc_b = accuracy(items, r), accuracy(items, b)
    return {
        "semantic_accuracy": accuracy(items, s),
        "semantic_is_training_figure": True,  # the SPIN stage reader learnt from these lines
        "spin_confusion_semantic": confusion([i["spin"] for i in items], [p["spin"] for p in s], SPINS),
        "file": str(path.relative_to(ROOT)),
        "n": len(items),
        "gold_form_counts": dict(Counter(i["form"] for i in items)),
        "gold_spin_counts": dict(Counter(i["spin"] for i in items)),
        "rules_accuracy": acc_r,
        "baseline_accuracy": acc_b,
        "ratio_rules_over_baseline": {f: ratio(acc_r[f], acc_b[f]) for f in acc_r},
        "form_confusion_rules": confusion([i["form"] for i in items], [p["form"] for p in r], FORMS),
        "spin_confusion_rules": confusion(
            [i["spin"] for i in items], [p["spin"] for p in r],
            ("situation", "problem", "implication", "need_payoff", "none")),
        "rule_errors": errors(items, r),
    }


def evaluate_holdout(path: Path, seen: bool) -> dict[str, Any]:
    """A held-out set (never used to write cues or training lines): rules vs rules + semantic layer."""
    items = load_labelled(path)
    r = [rules(i["text"]) for i in items]
    t0 = time.perf_counter()
    s = [rules_semantic(i["text"]) for i in items]
    ms = 1000 * (time.perf_counter() - t0) / max(1, len(items))
    return {
        "file": str(path.relative_to(ROOT)),
        "seen": seen,
        "n": len(items),
        "gold_spin_counts": dict(Counter(i["spin"] for i in items)),
        "rules_accuracy": accuracy(items, r),
        "semantic_accuracy": accuracy(items, s),
        "spin_confusion_rules": confusion([i["spin"] for i in items], [p["spin"] for p in r], SPINS),
        "semantic_ms_per_line": round(ms, 1),
        "spin_confusion_semantic": confusion(
            [i["spin"] for i in items], [p["spin"] for p in s],
            ("situation", "problem", "implication", "need_payoff", "none")),
    }


# --------------------------------------------------------------------------- MG-ShopDial

def wizard_utterances(path: Path) -> list[dict[str, Any]]:
    dialogues = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for d in dialogues:
        for u in d["utterances"]:
            if u["participant"] in ("Wizard", "Assistant") and u["utterance"].strip():
                out.append({"text": u["utterance"].strip(), "intents": {i: float(c) for i, c in u["intents"]}})
    return out


def evaluate_mgshopdial(path: Path) -> dict[str, Any]:
    utts = wizard_utterances(path)
    r = [rules(u["text"]) for u in utts]
    b = [baseline(u["text"]) for u in utts]

    def gold(intent: str, votes: float) -> list[bool]:
        return [u["intents"].get(intent, 0) >= votes for u in utts]

    predictors: dict[str, list[bool]] = {
        "rules: form == open": [p["form"] == "open" for p in r],
        "rules: is_question": [p["is_question"] for p in r],
        "rules: probe (question with a SPIN stage or purpose/user probe)": [
            p["is_question"] and (p["spin"] != "none" or p["purpose_probe"] or p["user_probe"]) for p in r],
        "baseline: ends with ?": [p["is_question"] for p in b],
    }
    tasks: dict[str, Any] = {}
    for intent, name, main in (("o_question", "open_question", "rules: form == open"),
                               ("elicit", "elicits_need", "rules: is_question")):
        for votes, tag in ((2, "kept (>=2 of 5 annotators)"), (3, "majority (>=3 of 5)")):
            g = gold(intent, votes)
            scores = {k: prf(g, v) for k, v in predictors.items()}
            tasks[f"{name} {tag}"] = {
                "gold_intent": intent, "min_votes": votes, "positives": sum(g),
                "scores": scores,
                "f1_ratio_main_rule_over_baseline": ratio(scores[main]["f1"], scores["baseline: ends with ?"]["f1"]),
            }
    # examples of disagreement on the main task, printed to read; main() keeps them out of the results file
    g = gold("o_question", 2)
    missed = [u["text"] for u, gg, p in zip(utts, g, r) if gg and p["form"] != "open"]
    false_open = [u["text"] for u, gg, p in zip(utts, g, r) if not gg and p["form"] == "open"]
    rng = random.Random(7)
    # How "open" is the crowd's o_question? Count the ones phrased as yes/no questions.
    yes_no = re.compile(r"^(?:ok\W*|okay\W*|so\W*|and\W*|great\W*)*(?:do|does|did|are|is|was|were|would|could|can|"
                        r"will|should|have|has|may|shall)\b", re.IGNORECASE)
    no_mark = [(u, p) for u, p in zip(utts, r) if "?" not in u["text"]]
    counted = [u["text"] for u, p in no_mark if p["is_question"]]
    return {
        "n_wizard_utterances": len(utts),
        "rules_form_counts": dict(Counter(p["form"] for p in r)),
        "o_question_with_question_mark": sum(1 for u, gg in zip(utts, g) if gg and "?" in u["text"]),
        "o_question_phrased_yes_no": sum(1 for u, gg in zip(utts, g) if gg and yes_no.search(u["text"])),
        "lines_without_question_mark": len(no_mark),
        "rules_is_question_without_question_mark": len(counted),
        "sample_rules_question_without_question_mark": rng.sample(counted, min(12, len(counted))),
        "tasks": tasks,
        "sample_o_question_not_open_by_rules": rng.sample(missed, min(12, len(missed))),
        "sample_open_by_rules_not_o_question": rng.sample(false_open, min(12, len(false_open))),
    }


# --------------------------------------------------------------------------- the embedded model

class ModelLabels(BaseModel):
    is_question: bool
    form: Literal["open", "closed", "leading", "stacked", "statement"]
    spin: Literal["situation", "problem", "implication", "need_payoff", "none"]
    purpose_probe: bool
    user_probe: bool
    pitch: bool


_PROMPT = """你是销售培训师。给下面这句销售人员说的话打标签，只输出一个 JSON 对象。
字段：
- is_question: 是否在向客户提问（包括“说说您的情况”这类请对方讲述的请求）。
- form: open（开放式：什么/怎么/为什么/谁/多少，请对方描述）| closed（封闭式：是不是/有没有/对吗/A还是B）| leading（诱导式：难道/对吧/您不觉得…吗）| stacked（一句里连问两个以上问题）| statement（不是问题）。
- spin: situation（现状、事实、给谁用、做什么用）| problem（困难、不满、担心）| implication（问题带来的影响、后果、损失）| need_payoff（解决后的价值、好处）| none（不是问题或纯推销）。
- purpose_probe: 是否在问用途/用来做什么/场合/目的。
- user_probe: 是否在问给谁用/谁用/谁吃/谁穿。
- pitch: 是否在推销产品、报优惠、催促购买。
You label one line a salesperson said (it may be English). Same fields.

句子 / Line: {text}"""


def evaluate_model(items: list[Labels], cap: int, budget_s: float, model_name: str | None) -> dict[str, Any]:
    from langchain_core.messages import HumanMessage

    from assistant.llm.calls import complete_json
    from assistant.llm.providers import build_chat_model
    from assistant.settings import Settings

    models_dir = Path.home() / ".local" / "share" / "needs-assistant" / "models"
    kw: dict[str, Any] = {"provider": "local", "models_dir": models_dir, "temperature": 0.0}
    if model_name:
        kw["local_model"] = model_name
    settings = Settings(**kw)
    t0 = time.monotonic()
    model = build_chat_model(settings)
    load_s = time.monotonic() - t0
    rng = random.Random(11)
    sample = rng.sample(items, min(cap, len(items)))
    done: list[tuple[Labels, Labels, Labels]] = []
    failures = 0
    start = time.monotonic()
    for item in sample:
        if time.monotonic() - start > budget_s:
            break
        try:
            out = complete_json(model, [HumanMessage(content=_PROMPT.format(text=item["text"]))],
                                ModelLabels, retries=0, reasks=1, max_tokens=120, temperature=0.0)
            pred = out.model_dump() | {"confirmation": None}
        except Exception as exc:  # a failed call counts as wrong on every field
            print(f"  model failed on {item['text']!r}: {exc}", file=sys.stderr)
            failures += 1
            pred = {f: None for f in FIELDS}
        done.append((item, pred, rules(item["text"])))
        print(f"  [{len(done)}/{len(sample)}] {time.monotonic() - start:5.0f}s  {item['text'][:40]}", file=sys.stderr)
    elapsed = time.monotonic() - start
    fields = [f for f in FIELDS if f != "confirmation"]

    def acc(idx: int) -> dict[str, float]:
        return {f: round(sum(d[0][f] == d[idx][f] for d in done) / len(done), 4) for f in fields} if done else {}

    return {
        "model": settings.local_model, "load_seconds": round(load_s, 1),
        "n": len(done), "requested": len(sample), "failures": failures,
        "seconds": round(elapsed, 1), "seconds_per_line": round(elapsed / max(1, len(done)), 1),
        "model_accuracy": acc(1), "rules_accuracy_same_sample": acc(2),
        "model_errors": [{"text": d[0]["text"], "field": f, "model": d[1][f], "gold": d[0][f]}
                         for d in done for f in fields if d[1][f] != d[0][f]],
    }


# --------------------------------------------------------------------------- report

def _table(rows: list[list[str]]) -> str:
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(r, widths)) for r in rows)


def _print_spin(rules_m: dict[str, dict[str, int]], semantic_m: dict[str, dict[str, int]]) -> None:
    short = ("sit", "prob", "impl", "payoff", "none")
    print("spin confusion, rows gold; columns rules | rules + reader:")
    head = ["gold", *short, "|", *short]
    print(_table([head] + [[g, *[str(rules_m[g][p]) for p in SPINS], "|", *[str(semantic_m[g][p]) for p in SPINS]]
                           for g in SPINS]))


def print_report(res: dict[str, Any]) -> None:
    for key in ("zh", "en"):
        s = res["labelled"][key]
        print(f"\n== {s['file']} (n={s['n']})")
        rows = [["field", "rules", "baseline", "ratio"]]
        for f, a in s["rules_accuracy"].items():
            rows.append([f, f"{a:.3f}", f"{s['baseline_accuracy'][f]:.3f}", str(s["ratio_rules_over_baseline"][f])])
        print(_table(rows))
        print("form confusion (rows gold, columns rules):")
        m = s["form_confusion_rules"]
        print(_table([["gold\\rules", *FORMS]] + [[g, *[str(m[g][p]) for p in FORMS]] for g in FORMS]))
        sem = s["semantic_accuracy"]
        print(f"spin: rules {s['rules_accuracy']['spin']:.3f}, rules + reader {sem['spin']:.3f} (training figure)")
        _print_spin(s["spin_confusion_rules"], s["spin_confusion_semantic"])
    for key, h in res.get("holdout", {}).items():
        tag = "seen" if h["seen"] else "clean"
        print(f"\n== held out ({tag}): {h['file']} (n={h['n']}), rules vs rules + SPIN stage reader")
        rows = [["field", "rules", "semantic"]]
        for f, a in h["rules_accuracy"].items():
            rows.append([f, f"{a:.3f}", f"{h['semantic_accuracy'][f]:.3f}"])
        print(_table(rows))
        _print_spin(h["spin_confusion_rules"], h["spin_confusion_semantic"])
    mg = res.get("mgshopdial")
    if isinstance(mg, dict) and "tasks" in mg:
        print(f"\n== MG-ShopDial Wizard utterances (n={mg['n_wizard_utterances']})")
        rows = [["task", "predictor", "P", "R", "F1", "acc"]]
        for task, t in mg["tasks"].items():
            for name, sc in t["scores"].items():
                rows.append([f"{task} (pos={t['positives']})", name[:40], f"{sc['precision']:.3f}",
                             f"{sc['recall']:.3f}", f"{sc['f1']:.3f}", f"{sc['accuracy']:.3f}"])
            rows.append(["", "F1 ratio main rule / baseline", "", "", str(t["f1_ratio_main_rule_over_baseline"]), ""])
        print(_table(rows))
        print(f"o_question lines phrased as yes/no questions: {mg['o_question_phrased_yes_no']} of "
              f"{mg['tasks']['open_question kept (>=2 of 5 annotators)']['positives']}; rules call "
              f"{mg['rules_is_question_without_question_mark']} of {mg['lines_without_question_mark']} lines "
              f"without '?' a question")
    else:
        print(f"\n== MG-ShopDial: {mg}")
    if "model" in res:
        m = res["model"]
        print(f"\n== embedded model {m.get('model')} on {m.get('n')} lines ({m.get('seconds')}s, "
              f"{m.get('seconds_per_line')}s/line, failures {m.get('failures')})")
        if m.get("model_accuracy"):
            rows = [["field", "model", "rules"]]
            for f, a in m["model_accuracy"].items():
                rows.append([f, f"{a:.3f}", f"{m['rules_accuracy_same_sample'][f]:.3f}"])
            print(_table(rows))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", action="store_true", help="also ask the embedded model on a capped sample")
    ap.add_argument("--model-name", default=None, help="qwen2.5-1.5b (default) or qwen2.5-0.5b")
    ap.add_argument("--cap", type=int, default=30, help="lines sent to the model (default 30)")
    ap.add_argument("--budget", type=float, default=480.0, help="seconds for the model part (default 480)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)

    res: dict[str, Any] = {
        "generated": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "baseline": "ends with ?/？ → open question, otherwise statement; spin none; no probes, pitch or confirmation",
        "labelled": {
            "zh": evaluate_labelled(DATA / "questions_zh.json"),
            "en": evaluate_labelled(DATA / "questions_en.json"),
        },
    }
    res["holdout"] = {lang: evaluate_holdout(DATA / f"questions_holdout_{lang}.json", seen=True)
                      for lang in ("zh", "en") if (DATA / f"questions_holdout_{lang}.json").is_file()}
    res["holdout"] |= {f"v2_{lang}": evaluate_holdout(DATA / f"questions_holdout_v2_{lang}.json", seen=False)
                       for lang in ("zh", "en") if (DATA / f"questions_holdout_v2_{lang}.json").is_file()}
    if MGSHOPDIAL.is_file():
        res["mgshopdial"] = evaluate_mgshopdial(MGSHOPDIAL)
    else:
        msg = f"skipped: {MGSHOPDIAL} not found (MG-ShopDial is read from ../shared at run time)"
        print(msg, file=sys.stderr)
        res["mgshopdial"] = msg
    if args.model:
        items = load_labelled(DATA / "questions_zh.json") + load_labelled(DATA / "questions_en.json")
        try:
            res["model"] = evaluate_model(items, args.cap, args.budget, args.model_name)
        except Exception as exc:
            print(f"model part skipped: {exc}", file=sys.stderr)
            res["model"] = {"skipped": str(exc)}
    print_report(res)
    if isinstance(res["mgshopdial"], dict):
        # MG-ShopDial text is shown here to read, never written into the project's results
        for key in [k for k in res["mgshopdial"] if k.startswith("sample_")]:
            lines = res["mgshopdial"].pop(key)
            print(f"\n{key.removeprefix('sample_').replace('_', ' ')}:")
            for line in lines:
                print(f"  - {line[:160]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(res, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"\nwrote {os.path.relpath(args.out, Path.cwd())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

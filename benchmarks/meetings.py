"""Meetings: missed-opening detection quality, and a 2-hour meeting imported and reviewed.

Run on demand::

    .venv/bin/python benchmarks/meetings.py [--turns 2400] [--out benchmarks/results/meetings.json]

1. Missed openings (``assistant.meetings.review.find_missed_openings``) on
   ``benchmarks/data/meetings_dev.json`` (tuned on) and on the untuned
   ``benchmarks/data/untuned/meetings_missed.json`` (written before tuning, never tuned on).
   A predicted missed opening is correct when its turn is a gold opening with
   ``followed_up: false``. Reported: precision, recall, F1; also per kind.
2. Scale: a synthetic meeting of ``--turns`` turns (about two hours of talk) in the
   ``speaker  00:01:23`` export shape is parsed, imported (rules-only extraction, SQLite) and
   reviewed; seconds per stage and peak memory (tracemalloc for Python objects and the
   process's peak RSS), against a baseline measured in the same run: reading the same file
   with ``str.splitlines``.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from assistant.meetings.parse import assign_roles, read_meeting  # noqa: E402
from assistant.meetings.review import ReviewTurn, find_missed_openings  # noqa: E402

DEV = ROOT / "benchmarks" / "data" / "meetings_dev.json"
UNTUNED = ROOT / "benchmarks" / "data" / "untuned" / "meetings_missed.json"
SAMPLES = ROOT / "tests" / "data" / "meetings"


def _meetings(path: Path) -> list[dict[str, Any]]:
    spec = json.loads(path.read_text("utf-8"))
    out = []
    for sample in spec.get("samples", []):
        meeting = assign_roles(read_meeting(SAMPLES / sample["file"]), customer=sample["customer"])
        turns = [{"role": t.role, "text": t.text} for t in meeting.turns]
        out.append({"id": sample["file"], "lang": "en" if sample["file"].startswith(("zoom", "webinar")) else "zh",
                    "turns": turns, "openings": sample["openings"]})
    out += spec.get("meetings", [])
    return out


def evaluate(meetings: list[dict[str, Any]]) -> dict[str, Any]:
    tp = fp = fn = 0
    per_kind: dict[str, dict[str, int]] = {}
    details = []
    for m in meetings:
        turns = [ReviewTurn(i, t["role"], t["text"]) for i, t in enumerate(m["turns"], 1)]
        predicted = {o["turn"]: o for o in find_missed_openings(turns, language=m.get("lang", "zh"))}
        gold_missed = {o["turn"]: o for o in m["openings"] if not o["followed_up"]}
        for turn, o in gold_missed.items():
            k = per_kind.setdefault(o["kind"], {"tp": 0, "fn": 0})
            if turn in predicted:
                tp += 1
                k["tp"] += 1
            else:
                fn += 1
                k["fn"] += 1
        wrong = [t for t in predicted if t not in gold_missed]
        fp += len(wrong)
        details.append({"id": m["id"], "predicted": sorted(predicted), "gold_missed": sorted(gold_missed),
                        "false_alarms": wrong, "missed_by_detector": [t for t in gold_missed if t not in predicted]})
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"meetings": len(meetings), "tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 3),
            "recall": round(recall, 3), "f1": round(f1, 3),
            "recall_by_kind": {k: round(v["tp"] / (v["tp"] + v["fn"]), 3) for k, v in per_kind.items()},
            "details": details}


def _long_meeting(path: Path, turns: int) -> None:
    lines = []
    customer = ["我们仓库的扫码枪老是摔坏，晚上发货高峰就排长队。", "老板说这个季度一定要把出错率降下来。",
                "上个月因为发错货，被大客户投诉了两次。", "现在是三个班倒，夜班的人最缺。"]
    sales = ["坏了之后那条线的出库会受影响吗？", "出错率降下来，对你们意味着什么？", "投诉之后客户那边是怎么处理的？",
             "我们这款扫码枪防摔两米，续航十二小时。"]
    for i in range(turns):
        seconds = i * 3
        stamp = f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
        who, words = ("仓库主管", customer[i // 2 % 4]) if i % 2 == 0 else ("周销售", sales[i // 2 % 4])
        lines += [f"{who}  {stamp}", words, ""]
    path.write_text("\n".join(lines), encoding="utf-8")


def run_scale(turns: int) -> dict[str, Any]:
    from assistant.services import Services
    from assistant.settings import Settings

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "two-hours.txt"
        _long_meeting(path, turns)
        t0 = time.perf_counter()
        baseline_lines = len(path.read_text("utf-8").splitlines())
        baseline = time.perf_counter() - t0
        services = Services(Settings(provider="fake", data_dir=Path(tmp) / "data", extraction="rules",
                                     coach_retrieval=False))
        tracemalloc.start()
        t0 = time.perf_counter()
        meeting = services.meetings.read(path)
        parsed = time.perf_counter() - t0
        t0 = time.perf_counter()
        result = services.meetings.import_meeting(meeting, customer=["仓库主管"])
        imported = time.perf_counter() - t0
        t0 = time.perf_counter()
        _, review = services.meetings.review(result.conversation_id)
        reviewed = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return {
        "turns": len(meeting.turns), "file_lines": baseline_lines, "minutes_of_talk": round(turns * 3 / 60, 1),
        "seconds": {"read_lines_baseline": round(baseline, 4), "parse": round(parsed, 3),
                    "import_with_rules_extraction": round(imported, 2), "review_from_the_log": round(reviewed, 2)},
        "parse_vs_baseline": round(parsed / baseline, 1) if baseline else None,
        "needs": len(result.needs), "questions": review.questions, "missed_openings": len(review.missed_openings),
        "peak_python_mb": round(peak / 2**20, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=2400)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "meetings.json")
    args = parser.parse_args()
    results: dict[str, Any] = {"date": _dt.datetime.now().isoformat(timespec="seconds"),
                               "machine": {"python": platform.python_version(), "cpus": os.cpu_count()}}
    results["missed_openings_dev"] = evaluate(_meetings(DEV))
    if UNTUNED.is_file():
        results["missed_openings_untuned"] = evaluate(_meetings(UNTUNED))
    else:
        print(f"skipped the untuned set: {UNTUNED} is missing")
    results["scale"] = run_scale(args.turns)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    for name in ("missed_openings_dev", "missed_openings_untuned"):
        if name in results:
            r = results[name]
            print(f"{name:26s} precision {r['precision']:.2f} recall {r['recall']:.2f} f1 {r['f1']:.2f} "
                  f"({r['meetings']} meetings) by kind {r['recall_by_kind']}")
    print("scale", json.dumps(results["scale"], ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The team's range: does the matcher propose the items that fit the customer's real need?

    .venv/bin/python benchmarks/offerings.py [--out benchmarks/results/offerings.json]

Each story of the coach sets has a shop's range written for it by hand, with the items a
knowledgeable seller would recommend for the real need labelled in advance (``fits``):
benchmarks/data/coach_story_ranges_dev.json (the three test stories and the v7 stories; the
thresholds were set on these) and benchmarks/data/untuned/story_ranges_v8.json (the v8 stories;
held out, never tuned on). The need is what the coach matches with when the customer asks about
an option in line 8: what they have told so far (lines 2–7, questions left out); the request is
the first line as said.

Figures per set, at the shipped thresholds and (dev only, to show the calibration) over a sweep
of STAND_OUT_Z: ``proposes`` (share of stories with at least one item proposed), ``precision``
(share of proposed items labelled a fit), ``hit`` (share of stories whose first proposal is a
fit), ``top_fit`` (share of stories where the best-scored item other than the request is a fit:
the ranking alone, no threshold); and, in the same run, the same figures with REQUEST_WEIGHT 0
(likeness to the need alone) as the baseline. ``speed``: seconds to propose from a range of
2000 items, cold and with the vectors kept at import, in the same run.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DATA = ROOT / "benchmarks" / "data"
SETS = {
    "dev": (DATA / "coach_story_ranges_dev.json",
            [ROOT / "tests" / "data" / "coach_stories.json", DATA / "untuned" / "stories_v7.json"]),
    "v8_untuned": (DATA / "untuned" / "story_ranges_v8.json", [DATA / "untuned" / "stories_v8.json"]),
}
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "offerings.json"


def cases(ranges: Path, story_files: list[Path]) -> list[dict]:
    from assistant.coach.options import requested_product
    from assistant.coach.service import _told
    from assistant.knowledge.offerings import Offering

    stories = {s["id"]: s for f in story_files if f.is_file()
               for s in json.loads(f.read_text(encoding="utf-8"))["stories"]}
    out = []
    for c in json.loads(ranges.read_text(encoding="utf-8"))["catalogs"]:
        s = stories.get(c["story"])
        if s is None:
            continue
        out.append({"id": s["id"], "lang": s["lang"], "need": _told(s["lines"][:8]), "request": s["lines"][0],
                    "requested": requested_product(s["lines"][0], s["lang"]),
                    "items": [Offering.model_validate(i) for i in c["items"]], "fits": set(c.get("fits") or [])})
    return out


def measure(rows: list[dict], z: float | None = None) -> dict:
    from assistant.knowledge import offerings

    saved = offerings.STAND_OUT_Z
    if z is not None:
        offerings.STAND_OUT_Z = z
    try:
        proposed, detail, top = [], [], 0
        for r in rows:
            found = [i.name for i in offerings.match(r["items"], r["need"], r["requested"], r["lang"],
                                                    request=r["request"])]
            proposed.append(found)
            pool = [i for i in r["items"] if i.language == r["lang"]
                    and not (r["requested"] and offerings._same(i.name, r["requested"]))]
            ranked = sorted(zip(pool, offerings.scores(pool, r["need"], r["request"])), key=lambda p: -p[1])
            top += int(bool(ranked) and ranked[0][0].name in r["fits"])
            detail.append({"id": r["id"], "proposed": found, "fits": sorted(r["fits"]),
                           "ranking": [i.name for i, _ in ranked[:4]]})
    finally:
        offerings.STAND_OUT_Z = saved
    n = len(rows)
    names = [p for found in proposed for p in found]
    good = sum(1 for r, found in zip(rows, proposed) for p in found if p in r["fits"])
    return {"stories": n, "proposes": round(sum(1 for f in proposed if f) / n, 3) if n else None,
            "precision": round(good / len(names), 3) if names else None,
            "hit": round(sum(1 for r, f in zip(rows, proposed) if f and f[0] in r["fits"]) / n, 3) if n else None,
            "top_fit": round(top / n, 3) if n else None, "detail": detail}


def speed(size: int) -> dict:
    """Seconds to propose from a range of ``size`` items: cold (every item embedded in the turn),
    and after ``load`` put the vectors ``save`` kept back in the cache (a new process, in effect),
    in the same run; the ratio is cold / kept."""
    import tempfile
    import time

    from assistant.knowledge import embeddings, offerings

    base = [offerings.Offering.model_validate(i) for f in (SETS["dev"][0], SETS["v8_untuned"][0])
            for c in json.loads(f.read_text(encoding="utf-8"))["catalogs"] for i in c["items"]]
    items = [b.model_copy(update={"name": f"{b.name} No.{n // len(base) + 1}"[:40]}) for n, b in
             zip(range(size), base * (size // len(base) + 1))]
    zh = [i for i in items if i.language == "zh"]
    need, request = "孩子这学期视力又掉了，写作业老是趴在桌子上", "我想看看台灯。"
    embeddings._cache._data.clear()
    started = time.perf_counter()
    offerings.match(zh, need, "台灯", "zh", request=request)
    cold = time.perf_counter() - started
    path = Path(tempfile.mkdtemp()) / offerings.FILE_NAME
    embeddings._cache._data.clear()
    started = time.perf_counter()
    offerings.save(items, path)  # every item embedded once, at import
    saving = time.perf_counter() - started
    embeddings._cache._data.clear()
    loaded = offerings.load(path)
    started = time.perf_counter()
    offerings.match([i for i in loaded if i.language == "zh"], need, "台灯", "zh", request=request)
    kept = time.perf_counter() - started
    return {"items": size, "zh_items": len(zh), "cold_s": round(cold, 3), "import_embedding_s": round(saving, 3),
            "with_kept_vectors_s": round(kept, 4), "ratio_cold_to_kept": round(cold / kept, 1) if kept else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--speed", type=int, default=2000, help="items in the range timed (0 skips)")
    args = parser.parse_args()
    from assistant.knowledge import offerings

    result = {"generated": _dt.datetime.now().isoformat(timespec="seconds"),
              "thresholds": {"STAND_OUT_Z": offerings.STAND_OUT_Z, "NEAR_TOP": offerings.NEAR_TOP,
                             "REQUEST_WEIGHT": offerings.REQUEST_WEIGHT}, "sets": {}}
    for name, (ranges, stories) in SETS.items():
        if not ranges.is_file():
            continue
        rows = cases(ranges, stories)
        entry = measure(rows)
        saved = offerings.REQUEST_WEIGHT
        offerings.REQUEST_WEIGHT = 0.0  # the baseline, same run: likeness to the need alone
        try:
            entry["without_request_weight"] = {k: v for k, v in measure(rows).items() if k != "detail"}
        finally:
            offerings.REQUEST_WEIGHT = saved
        if name == "dev":
            entry["sweep"] = {str(z): {k: v for k, v in measure(rows, z).items() if k != "detail"}
                              for z in (0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0)}
            saved = offerings.REQUEST_WEIGHT
            try:  # the request weight, chosen on this set beside the threshold
                entry["request_weight_sweep"] = {}
                for w in (0.0, 0.2, 0.3, 0.5, 0.8):
                    offerings.REQUEST_WEIGHT = w
                    entry["request_weight_sweep"][str(w)] = {k: v for k, v in measure(rows).items() if k != "detail"}
            finally:
                offerings.REQUEST_WEIGHT = saved
        result["sets"][name] = entry
        print(f"{name:12s} stories {entry['stories']:2d}  proposes {entry['proposes']}  precision "
              f"{entry['precision']}  hit {entry['hit']}  top_fit {entry['top_fit']}")
        b = entry["without_request_weight"]
        print(f"{'':12s} without the request weight: proposes {b['proposes']}  precision {b['precision']}  "
              f"hit {b['hit']}  top_fit {b['top_fit']}")
        for z, e in (entry.get("sweep") or {}).items():
            print(f"   z={z:5s} proposes {e['proposes']}  precision {e['precision']}  hit {e['hit']}")
    if args.speed:
        result["speed"] = speed(args.speed)
        print("speed", result["speed"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

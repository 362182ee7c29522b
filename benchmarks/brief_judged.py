"""Similar-account precision by a blind judgment, beside the in-advance labels of benchmarks/brief.py.

The in-advance labels name only a few needs per account, so an offered hypothesis that fits the
account but was not among them counts as wrong there. This reads
``benchmarks/data/untuned/similar_offers_judged.json`` — the hypotheses the brief offered on the
clean sets, judged afterwards by hand by a separate judge from the two accounts' meetings only —
and writes precision per set to ``benchmarks/results/brief.json`` (key ``blind_judgment``):

    .venv/bin/python benchmarks/brief_judged.py
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / "benchmarks" / "data" / "untuned" / "similar_offers_judged.json"
RESULTS = ROOT / "benchmarks" / "results" / "brief.json"


def summary(offers: list[dict]) -> dict:
    n = len(offers)
    needs = [o for o in offers if o["is_need"]]
    return {"offered": n,
            "precision_relevant": round(sum(o["relevant"] for o in offers) / n, 3) if n else None,
            "share_needs": round(len(needs) / n, 3) if n else None,
            "share_readable": round(sum(o["readable"] for o in offers) / n, 3) if n else None,
            "precision_relevant_and_readable": round(sum(o["relevant"] and o["readable"] for o in offers) / n, 3)
            if n else None}


def main() -> None:
    data = json.loads(JUDGED.read_text(encoding="utf-8"))
    by_set: dict[str, list[dict]] = defaultdict(list)
    for offer in data["offers"]:
        by_set[offer["set"]].append(offer)
    result = {"judged": str(JUDGED.relative_to(ROOT)), "all": summary(data["offers"]),
              "per_set": {name: summary(offers) for name, offers in sorted(by_set.items())}}
    results = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.is_file() else {}
    results["blind_judgment"] = result
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

"""Similar-account precision by a blind judgment, beside the in-advance labels of benchmarks/brief.py.

The in-advance labels name only a few needs per account, so an offered hypothesis that fits the
account but was not among them counts as wrong there. This reads
``benchmarks/data/untuned/similar_offers_judged.json`` — the hypotheses the brief offered on the
clean sets, judged afterwards by hand by a separate judge from the two accounts' meetings only —
and writes precision per set to ``benchmarks/results/brief.json`` (key ``blind_judgment``); the offers
on the fifth set, made after the filters were set on the first judgment, were judged the same way
(``similar_offers_judged_v5.json``, ``v5``), and the offers on the sixth, made after the
settled-hypothesis reader was built on those (``similar_offers_judged_v6.json``), and on the seventh
(``similar_offers_judged_v7.json``, ``v7``, seen since: its failures were studied for the
reason-sentence check and the structure reading), on the eighth (``similar_offers_judged_v8.json``,
``v8``, seen since its misses were looked at), on the ninth (``similar_offers_judged_v9.json``, ``v9``,
seen since) and on the tenth (``similar_offers_judged_v10.json``, ``clean_v10``).

It also reads what the brief offers today on those sets (``quality_v2``..``quality_v4`` of
brief.json, written by benchmarks/brief.py) and says, per judged offer, whether it is still offered
(``rerun``): the same account, a source account in common, and today's evidence quote holds the judged
statement's characters (words in English) (≥ ``SAME_OFFER`` of them; the text shown may have changed). Counted: judged
irrelevant or unreadable still offered, judged relevant no longer offered. These are SEEN offers: the
rules for what an account has not or has were set on them.

    .venv/bin/python benchmarks/brief.py --set v2 --skip-speed   # (and v3, v4, or --set all)
    .venv/bin/python benchmarks/brief_judged.py
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUDGED = ROOT / "benchmarks" / "data" / "untuned" / "similar_offers_judged.json"
# the offers on the fifth set, judged the same way after the filters above were set: clean
JUDGED_V5 = ROOT / "benchmarks" / "data" / "untuned" / "similar_offers_judged_v5.json"
# and on the sixth, after the settled-hypothesis reader was built on the first two judgments: clean
JUDGED_V6 = ROOT / "benchmarks" / "data" / "untuned" / "similar_offers_judged_v6.json"
JUDGED_V7 = ROOT / "benchmarks" / "data" / "untuned" / "similar_offers_judged_v7.json"
JUDGED_V8 = ROOT / "benchmarks" / "data" / "untuned" / "similar_offers_judged_v8.json"
JUDGED_V9 = ROOT / "benchmarks" / "data" / "untuned" / "similar_offers_judged_v9.json"
JUDGED_V10 = ROOT / "benchmarks" / "data" / "untuned" / "similar_offers_judged_v10.json"
RESULTS = ROOT / "benchmarks" / "results" / "brief.json"
SETS = {"account_histories_v2.json": "quality_v2", "account_histories_v3.json": "quality_v3",
        "account_histories_v4.json": "quality_v4", "account_histories_v5.json": "quality_v5",
        "account_histories_v6.json": "quality_v6", "account_histories_v7.json": "quality_v7"}
SAME_OFFER = 0.8


def still_offered(offer: dict, results: dict) -> dict | None:
    """Today's offer matching a judged one, or None."""
    per = results.get(SETS.get(offer["set"], ""), {}).get("per_account", [])
    def units(text: str) -> set[str]:  # characters of Chinese, words of English
        return set(re.findall(r"[a-z0-9']+", text.lower())) if not re.search(r"[\u4e00-\u9fff]", text) \
            else set(text) - set("，,。 ")

    want = units(offer["offered_statement"])
    for acc in per:
        if acc["account"] != offer["account"]:
            continue
        for now in acc.get("similar_offered_statements", []):
            if not set(now["accounts"]) & set(offer["from_accounts"]):
                continue
            text = "".join(now.get("quotes", [])) + now["statement"]
            if want and len(want & units(text)) / len(want) >= SAME_OFFER:
                return now
    return None


def rerun(offers: list[dict], results: dict) -> dict:
    rows, kept_bad, lost_good, unread_kept = [], 0, 0, 0
    for o in offers:
        now = still_offered(o, results)
        rows.append({"id": o["id"], "relevant": o["relevant"], "readable": o["readable"],
                     "still_offered": now is not None, "now_statement": now["statement"] if now else None})
        kept_bad += bool(now) and not o["relevant"]
        unread_kept += bool(now) and not o["readable"]
        lost_good += (not now) and o["relevant"]
    bad = sum(not o["relevant"] for o in offers)
    good = sum(o["relevant"] for o in offers)
    unread = sum(not o["readable"] for o in offers)
    return {"data": "SEEN (the rules for what an account has not or has were set on these offers)",
            "judged_irrelevant": bad, "irrelevant_still_offered": kept_bad,
            "judged_unreadable": unread, "unreadable_still_offered": unread_kept,
            "judged_relevant": good, "relevant_no_longer_offered": lost_good, "offers": rows}


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
    if all(key in results for key in ("quality_v2", "quality_v3", "quality_v4")):
        result["rerun"] = rerun(data["offers"], results)
    if JUDGED_V5.is_file():
        v5 = json.loads(JUDGED_V5.read_text(encoding="utf-8"))["offers"]
        result["v5"] = {"judged": str(JUDGED_V5.relative_to(ROOT)), **summary(v5),
                        "status": "clean when judged (commit 46af715); seen since: the settled-hypothesis reader "
                                  "and the own-system check were built on it"}
        if "quality_v5" in results:  # seen since: the settled-hypothesis reader and the own-system check were set on them
            result["rerun_v5"] = {**rerun(v5, results),
                                  "data": "SEEN (the settled-hypothesis reader's judged pairs and the own-system check were set on these offers)"}
    if JUDGED_V6.is_file():
        v6 = json.loads(JUDGED_V6.read_text(encoding="utf-8"))["offers"]
        result["clean_v6"] = {"judged": str(JUDGED_V6.relative_to(ROOT)), **summary(v6),
                              "status": "judged once (commit 751068e); seen since: the trade-description check "
                                        "and the worth-offering threshold were set on v2-v6"}
        if "quality_v6" in results:
            result["rerun_v6"] = {**rerun(v6, results), "data": "SEEN (the worth-offering threshold was set on v2-v6)"}
    if JUDGED_V7.is_file():
        v7 = json.loads(JUDGED_V7.read_text(encoding="utf-8"))["offers"]
        result["v7"] = {"judged": str(JUDGED_V7.relative_to(ROOT)), **summary(v7),
                        "status": "clean when judged (commit d51d9b5); seen since: the reason-sentence check, "
                                  "the structure reading (accounts.presupposes) and the fragment lines were built "
                                  "after its failures were studied"}
        if "quality_v7" in results:
            result["rerun_v7"] = {**rerun(v7, results),
                                  "data": "SEEN (its four judged-irrelevant offers were studied before the checks were built)"}
    if JUDGED_V8.is_file():
        v8 = json.loads(JUDGED_V8.read_text(encoding="utf-8"))["offers"]
        result["v8"] = {"judged": str(JUDGED_V8.relative_to(ROOT)), **summary(v8),
                        "status": "clean when judged (commit e2009af); seen since: its three misses were looked at "
                                  "(nothing was tuned on them)"}
    if JUDGED_V9.is_file():
        v9 = json.loads(JUDGED_V9.read_text(encoding="utf-8"))["offers"]
        result["v9"] = {"judged": str(JUDGED_V9.relative_to(ROOT)), **summary(v9),
                        "status": "clean when judged (commit 0e4c1e4); seen since: its in-advance labels were used "
                                  "to choose the settled-topic threshold"}
    if JUDGED_V10.is_file():
        v10 = json.loads(JUDGED_V10.read_text(encoding="utf-8"))["offers"]
        result["clean_v10"] = {"judged": str(JUDGED_V10.relative_to(ROOT)), **summary(v10),
                               "status": "clean: judged once, nothing tuned on it"}
    results["blind_judgment"] = result
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(result, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()

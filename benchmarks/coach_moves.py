"""Coach moves on annotated dialogues: does the move after a pain dig into it, do suggestions echo
the customer, is every ask one question, do the stories get confirm → recommend → close.

    .venv/bin/python benchmarks/coach_moves.py [--provider fake|local] [--out benchmarks/results/coach_moves.json]

Sets: the dev dialogues (benchmarks/data/coach_dev.json, tuned on), the dev turns
(benchmarks/data/coach_turns_dev2.json, tuned on: pains said mid-turn before an unrelated question,
or without a problem word) and, when present, the untuned
sets written by someone else (benchmarks/data/untuned/coach_turns.json, the pain_turns of
extraction_untuned.json, stories.json, and their later sets *_v2.json … *_v7.json — never tuned on),
and the dev stories of the recommendation and the close (benchmarks/data/coach_stories_dev.json, tuned on). Each dialogue's customer lines are played
through the coach service one by one (the coach's suggestion stands for what the salesperson said;
salesperson lines in a set are relayed as said).

Figures:
* ``pain_dig_rate``: share of customer turns naming a pain after which the move digs into that
  pain (an implication or need-payoff question; goal >= 0.8);
* ``echo_rate``: share of suggestions containing 15+ consecutive characters of a customer turn
  (punctuation and spacing ignored; goal 0); ``echo_rate_words`` also counts 5+ English words;
* ``ask_ok_rate``: share of asks/confirmations that pass the one-question check;
* per story: the checks of the jujube test (no recommendation before the need is confirmed, the
  recommendation names the need and an alternative, every ask is a question, the buying signal
  gets a close), and where a story lists ``choice_terms`` (``chosen_terms`` in the v5 stories), whether the close
  names the customer's choice (``close_names_choice``: every close on a buying signal contains
  one of the terms).
With ``--provider fake`` the scripted model's replies fail every check, so what is measured is
the policy and each move's own wording; ``--provider local`` adds the embedded model's phrasing.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEV = ROOT / "benchmarks" / "data" / "coach_dev.json"
DEV_STORIES = ROOT / "benchmarks" / "data" / "coach_stories_dev.json"  # recommendation and close stories (tuned on)
DEV_TURNS = ROOT / "benchmarks" / "data" / "coach_turns_dev2.json"  # single turns: pains mid-turn and said indirectly (tuned on)
UNTUNED = ROOT / "benchmarks" / "data" / "untuned"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "coach_moves.json"
DIG = ("implication", "need_payoff")


def _role(value: Any) -> str:
    value = str(value or "customer").lower()
    return "sales" if value in ("sales", "salesperson", "seller", "销售", "s") else "customer"


def _lang(texts: list[str]) -> str:
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for t in texts for ch in t) else "en"


def normalise_dialogue(item: dict, index: int) -> dict:
    """One dialogue as {id, language, segment, turns: [{role, text, pain, buy}]} from the shapes the
    sets use (turns as dicts or strings, or a "lines" list; pain marks on the turn or as indexes)."""
    raw = item.get("turns") or item.get("lines") or item.get("dialogue") or item.get("customer_lines") or []
    turns = []
    for t in raw:
        if isinstance(t, str):  # "客户：…", "sales: …": the product's own reading of a typed speaker label
            from assistant.needs.transcript import split_speaker

            role, text = split_speaker(t)
            turns.append({"role": role or "customer", "text": text.strip(), "pain": False, "buy": False})
        else:
            turns.append({"role": _role(t.get("role") or t.get("speaker")), "text": str(t.get("text", "")),
                          "pain": bool(t.get("pain") or t.get("is_pain") or "pain" in (t.get("acts") or [])
                                       or t.get("act") == "pain" or t.get("label") == "pain"),
                          "buy": bool(t.get("buy") or "buy" in (t.get("acts") or []) or t.get("act") == "buy")})
    for key in ("pain_turns", "pains"):
        for n in item.get(key) or []:
            at = n if isinstance(n, int) else (n.get("turn") if isinstance(n, dict) else None)
            if isinstance(at, int) and 0 <= at - 1 < len(turns):  # 1-based over all turns
                turns[at - 1]["pain"] = True
                if isinstance(n, dict):
                    turns[at - 1]["dig_terms"] = list(n.get("dig_terms") or [])
    if item.get("text"):  # a single annotated turn after optional earlier lines (coach_turns)
        context = normalise_dialogue({"turns": item.get("context") or []}, index)["turns"]
        expected = item.get("expected", "")
        turns = context + [{"role": "customer", "text": str(item["text"]), "buy": expected == "close",
                            "pain": expected in DIG, "dig_terms": list(item.get("dig_terms") or []),
                            "expected": expected}]
    if item.get("buying_signal_at") and 0 < item["buying_signal_at"] <= len(turns):
        turns[item["buying_signal_at"] - 1]["buy"] = True
    texts = [t["text"] for t in turns]
    texts = [t["text"] for t in turns]
    return {"id": str(item.get("id", index)), "language": _lang(texts),
            "segment": item.get("segment", ""), "turns": turns, "raw": item}


def play(coach, dialogue: dict) -> list[dict]:
    cid = coach.start(author="bench", language=dialogue["language"],
                      segment=dialogue["segment"] if dialogue["segment"] in ("B2B", "B2C") else "")
    rows = []
    customer_words: list[str] = []
    for t in dialogue["turns"]:
        if not t["text"].strip():
            continue
        if t["role"] == "sales":
            coach.record_sales(cid, t["text"])
            continue
        customer_words.append(t["text"])
        turn = coach.relay(cid, t["text"])
        "".join(turn.reply())
        rows.append({"text": t["text"], "pain": t["pain"], "buy": t["buy"], "suggestion": turn.suggestion,
                     "expected": t.get("expected"), "dig_terms": t.get("dig_terms") or [],
                     "kind": turn.move.kind, "question_type": turn.move.question_type, "slot": turn.move.slot,
                     "builds_on": turn.move.builds_on, "topic": turn.move.topic,
                     "offered": list(turn.move.offer.options or [turn.move.offer.option])
                     if turn.move.offer is not None else [], "offer_source": getattr(turn.move.offer, "source", ""),
                     "phrased_by": turn.stats.get("phrased_by"), "words": list(customer_words),
                     "needs": [(n.statement, n.status) for n in coach.needs(cid)]})
    return rows


def measure(rows: list[dict]) -> dict:
    from assistant.coach import phrasing

    pains = [r for r in rows if r["pain"]]
    dug = [r for r in pains if r["question_type"] in DIG]
    strict = [r for r in rows if any(phrasing.longest_shared_run(r["suggestion"], w) >= 15 for w in r["words"])]
    loose = [r for r in rows if phrasing.echoes(r["suggestion"], r["words"])]
    asks = [r for r in rows if r["kind"] in ("ask", "confirm")]
    ok = [r for r in asks if phrasing.check_ask(r["suggestion"], r["words"], "zh" if phrasing.has_chinese(
        "".join(r["words"])) else "en") is None]
    termed = [r for r in pains if r["dig_terms"]]
    with_term = [r for r in termed if any(term.lower() in r["suggestion"].lower() for term in r["dig_terms"])]
    expected = [r for r in rows if r.get("expected")]
    hits = [r for r in expected if _fits_expected(r)]
    by_label: dict[str, list[int]] = {}
    for r in expected:
        by_label.setdefault(r["expected"], [0, 0])
        by_label[r["expected"]][1] += 1
        by_label[r["expected"]][0] += int(_fits_expected(r))
    return {
        "suggestions": len(rows), "pain_turns": len(pains),
        "pain_dig_term_rate": round(len(with_term) / len(termed), 3) if termed else None,
        "expected_move_rate": round(len(hits) / len(expected), 3) if expected else None,
        "expected_by_label": {k: f"{a}/{b}" for k, (a, b) in sorted(by_label.items())},
        "pain_dig_rate": round(len(dug) / len(pains), 3) if pains else None,
        "echo_rate": round(len(strict) / len(rows), 3) if rows else None,
        "echo_rate_words": round(len(loose) / len(rows), 3) if rows else None,
        "ask_ok_rate": round(len(ok) / len(asks), 3) if asks else None,
        "missed_pains": [{"text": r["text"], "move": r["question_type"]} for r in pains if r not in dug][:20],
        "echoes": [r["suggestion"] for r in strict][:10],
        "bad_asks": [r["suggestion"] for r in asks if r not in ok][:10],
    }


def _fits_expected(r: dict) -> bool:
    label = r["expected"]
    return {
        "implication": r["question_type"] == "implication",
        "need_payoff": r["question_type"] == "need_payoff",
        "person": r["question_type"] == "user" and r["slot"] == "user",
        "purpose_user": r["slot"] in ("purpose", "user") and r["kind"] == "ask",
        "confirm": r["kind"] == "confirm",
        "close": r["kind"] == "close",
        "recommend": r["kind"] == "address" or (r["kind"] == "ask" and r["question_type"] == "need_payoff"
                                                 and r["slot"] == "functional"),
        "other": True,
    }.get(label, False)


STORY_CHECKS = ("recommends", "no_recommendation_before_confirmation", "recommendation_names_need",
                "recommendation_names_alternative", "every_ask_a_question", "buying_signal_closed", "close_names_choice",
                "proposes_from_range", "range_proposals_fit")
FRUITISH = re.compile(r"[\u4e00-\u9fff]{2,}|[a-z]{3,}", re.I)


def story_checks(rows: list[dict], meta: dict | None = None) -> dict:
    from assistant.coach import phrasing

    meta = meta or {}
    kinds = [r["kind"] for r in rows]
    first_address = kinds.index("address") if "address" in kinds else None
    confirmed_before = first_address is not None and any(
        r["kind"] == "confirm" for r in rows[:first_address])
    known_at = meta.get("need_known_at")
    early = first_address is not None and known_at is not None and first_address < known_at  # 0-based vs 1-based
    offers = [r["suggestion"] for r in rows if r["kind"] == "address"]
    names_need = any(any(mentions(o, t) for t in meta.get("need_terms") or []) for o in offers)
    names_alt = any(any(t.lower() in o.lower() for t in variants(meta.get("alternatives") or [])) for o in offers)
    asks_ok = all(phrasing.check_ask(r["suggestion"], [], "zh" if phrasing.has_chinese(r["suggestion"]) else "en")
                  in (None, "echo") for r in rows if r["kind"] in ("ask", "confirm"))
    buy_rows = [i for i, r in enumerate(rows) if r["buy"]]
    close_ok = all(rows[i]["kind"] == "close" for i in buy_rows) if buy_rows else any(k == "close" for k in kinds)
    closes = [rows[i]["suggestion"] for i in buy_rows if rows[i]["kind"] == "close"]
    choice_terms = meta.get("choice_terms") or meta.get("chosen_terms") or []  # the v5 stories say chosen_terms
    return {"moves": kinds, "recommends": first_address is not None,
            "no_recommendation_before_confirmation": (first_address is None or confirmed_before) and not early,
            "recommendation_names_need": names_need if meta.get("need_terms") else None,
            "recommendation_names_alternative": names_alt if meta.get("alternatives") else None,
            "every_ask_a_question": asks_ok, "buying_signal_closed": close_ok,
            "close_names_choice": (bool(closes) and all(_names_choice(c, choice_terms) for c in closes))
            if choice_terms else None,
            "proposes_from_range": any(o.lower() in {i["name"].lower() for i in meta["range"]} for r in rows
                                       if r["kind"] == "address" for o in r.get("offered") or [])
            if meta.get("range") else None,
            "range_proposals_fit": _range_fit(rows, meta) if meta.get("range") else None,
            "recommendations": [r["suggestion"] for r in rows if r["kind"] == "address"][:3], "closes": closes[:2],
            "proposed": [o for r in rows if r["kind"] == "address" for o in r.get("offered") or []]}


def _range_fit(rows: list[dict], meta: dict) -> bool | None:
    """Every item proposed from the team's range is one the range's author labelled a fit for
    this customer (labels set when the range was written); None when none was proposed."""
    names = {i["name"].lower() for i in meta["range"]}
    fits = {f.lower() for f in meta.get("range_fits") or []}
    proposed = {o.lower() for r in rows if r["kind"] == "address" for o in r.get("offered") or [] if o.lower() in names}
    return None if not proposed else proposed <= fits


def mentions(text: str, term: str) -> bool:
    """The term is in the text, or (an English word) one of its forms is: "topple" is named by
    "toppling" (endings only: -e dropped before -ing or -ed, -s, -es, -d)."""
    low, term = text.lower(), str(term).lower().strip()
    if not term:
        return False
    if term in low:
        return True
    if not re.fullmatch(r"[a-z]{4,}", term):
        return False
    stem = term[:-1] if term.endswith("e") else term
    return bool(re.search(rf"\b{re.escape(stem)}(?:e|es|s|ed|ing|d)?\b", low))


def variants(terms: list[str]) -> list[str]:
    """Each listed option with its name variants: the v7 stories write one option as
    "偏光夹片 / 夹片式偏光镜 / 偏光套镜" (any variant names it)."""
    return [v.strip() for t in terms for v in str(t).split(" / ") if v.strip()]


def _names_choice(close: str, terms: list) -> bool:
    """``terms``: words any of which names the choice, or one list of such words per chosen item
    (then every item must be named)."""
    low = close.lower()
    groups = [t for t in terms if isinstance(t, list)]
    if groups:
        return all(any(str(t).lower() in low for t in g) for g in groups if g)
    return any(str(t).lower() in low for t in terms)


def load_sets(only: set[str] | None = None) -> dict[str, list[dict]]:
    sets: dict[str, list[dict]] = {}
    dev = json.loads(DEV.read_text(encoding="utf-8"))
    if only is None or "dev" in only:
        sets["dev"] = [normalise_dialogue(d, i) for i, d in enumerate(dev["dialogues"])]
    if DEV_STORIES.is_file() and (only is None or "dev_stories" in only):
        stories = json.loads(DEV_STORIES.read_text(encoding="utf-8"))["stories"]
        sets["dev_stories"] = [normalise_dialogue(d, i) for i, d in enumerate(stories)]
    if DEV_TURNS.is_file() and (only is None or "dev2_coach_turns" in only):
        turns = json.loads(DEV_TURNS.read_text(encoding="utf-8"))["turns"]
        sets["dev2_coach_turns"] = [normalise_dialogue(d, i) for i, d in enumerate(turns)]
    loaders = {
        "untuned_coach_turns": (UNTUNED / "coach_turns.json", None),
        "untuned_pain_turns": (UNTUNED / "extraction_untuned.json", "pain_turns"),  # dialogues with pain_turns
        "untuned_stories": (UNTUNED / "stories.json", None),
    }
    for name, (path, key) in list(loaders.items()):  # the second and third held-out sets, when present
        for version in ("v2", "v3", "v4", "v5", "v6", "v7", "v8"):
            loaders[name.replace("untuned_", f"{version}_")] = (path.with_name(path.stem + f"_{version}.json"), key)
    for name, (path, key) in loaders.items():
        if only is not None and name not in only:
            continue
        if not path.is_file():
            continue
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict):
            data = data.get("dialogues") or data.get("stories") or data.get("items") or data.get("turns") or []
        if key:  # only the dialogues that name a pain
            data = [d for d in json.loads(path.read_text(encoding="utf-8")).get("dialogues", []) if d.get(key)]
        sets[name] = [normalise_dialogue(d, i) for i, d in enumerate(data) if isinstance(d, dict)]
    return sets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provider", default="fake", choices=("fake", "local"))
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--sets", default="", help="comma list of sets to play (default: all; e.g. dev)")
    parser.add_argument("--ids", default="", help="comma list of dialogue ids to play (default: all)")
    parser.add_argument("--verbose", action="store_true", help="print each story's moves and suggestions")
    parser.add_argument("--note", default="", help="written into the result (e.g. which sets were seen)")
    parser.add_argument("--extraction", default="rules", choices=("rules", "semantic", "hybrid", "model"),
                        help="how the coach extracts needs (rules: the figures before 2026-12; semantic: the "
                             "product's default)")
    parser.add_argument("--ranges", default="", help="comma list of range files ({'catalogs': [{'story', 'items', "
                        "'fits'}]}): each story is played with its shop's range as the team's offerings")
    args = parser.parse_args()
    only = {s.strip() for s in args.sets.split(",") if s.strip()} or None
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    from assistant.llm.fake import FakeChatModel
    from assistant.services import Services
    from assistant.settings import Settings, default_data_dir

    settings = Settings(provider=args.provider, data_dir=Path(tempfile.mkdtemp(prefix="coach-moves-")),
                        models_dir=default_data_dir() / "models", coach_retrieval=False, extraction=args.extraction,
                        temperature=0.0)
    services = Services(settings, model=FakeChatModel() if args.provider == "fake" else None)
    coach = services.coach
    result: dict[str, Any] = {"generated": _dt.datetime.now().isoformat(timespec="seconds"),
                              "provider": args.provider, "note": args.note, "sets": {}}
    ids = {i.strip() for i in args.ids.split(",") if i.strip()}
    from assistant.knowledge.offerings import Offering

    ranges = {c["story"]: c for f in args.ranges.split(",") if f.strip()
              for c in json.loads(Path(f.strip()).read_text(encoding="utf-8"))["catalogs"]}
    result["ranges"] = [f.strip() for f in args.ranges.split(",") if f.strip()]
    result["extraction"] = args.extraction
    for name, dialogues in load_sets(only).items():
        dialogues = [d for d in dialogues if not ids or d["id"] in ids]
        if not dialogues:
            continue
        all_rows, stories = [], {}
        for d in dialogues:
            shop = ranges.get(d["id"])
            coach._offerings = [Offering.model_validate(i) for i in shop["items"]] if shop else []
            if shop:
                d["raw"] = {**d["raw"], "range": shop["items"], "range_fits": shop.get("fits") or []}
            rows = play(coach, d)
            all_rows += rows
            if name == "dev" or name.endswith("_stories"):
                stories[d["id"]] = story_checks(rows, d["raw"])
                if args.verbose:
                    print(d["id"], {k: v for k, v in stories[d["id"]].items() if k != "recommendations"})
                    for r in rows:
                        print(f"   {r['kind']:8s} {r['text'][:40]:40s} -> {r['suggestion'][:110]}")
        entry = measure(all_rows)
        entry["dialogues"] = len(dialogues)
        if stories:
            entry["stories"] = stories
            entry["story_summary"] = {k: f"{sum(1 for v in stories.values() if v.get(k) is True)}/"
                                         f"{sum(1 for v in stories.values() if v.get(k) is not None)}"
                                      for k in STORY_CHECKS}
            print(f"{name:22s} stories: " + ", ".join(f"{k} {v}" for k, v in entry["story_summary"].items()))
        result["sets"][name] = entry
        print(f"{name:22s} dialogues {len(dialogues):3d}  pain dig {entry['pain_dig_rate']} (terms "
              f"{entry['pain_dig_term_rate']})  expected {entry['expected_move_rate']}  echo {entry['echo_rate']}  "
              f"asks ok {entry['ask_ok_rate']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    out = args.out if args.provider == "fake" else args.out.with_name(args.out.stem + f"_{args.provider}.json")
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

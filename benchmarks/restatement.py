"""Restated needs: are they grammatical, faithful, short and not the customer's sentence copied?

    .venv/bin/python benchmarks/restatement.py [--out benchmarks/results/restatement.json]

Each case is one customer turn and the need it holds, with the words a faithful restatement must
keep (``must_keep``: groups of alternatives, one of each group), the words that would reverse it
(``must_not``) and two good restatements written by hand (``good``). Two places restate a need:
the need log (``log``: the statement stored when the clause is restated) and the coach saying it
back for the customer to confirm (``coach``: the restated need inside the confirm move). For each,
the method before (the clause with words deleted until no run of the customer's was left, run
from the baseline commit's source) and the method now (a phrase of the customer's, whole, in a
frame) are measured in the same run:

* ``keep``: share of must_keep groups said; ``reversed``: share with a must_not word;
* ``copied``: share repeating a run of the customer (15 characters in a row in any language, or 5 English words
  in a row, or the whole turn); ``copied_15_chars``: 15 characters in a row in any language;
* ``over_length``: more than 30 Chinese characters / 12 English words; ``empty``;
* ``holes``: share that join two of the customer's words that were not next to each other in
  their turn, with no word of the frame between (the symptom of deleting from the middle;
  first-person pronouns and the person the need belongs to count as frame words);
* ``cosine``: mean cosine (shipped embedder) to the two good restatements.

* ``dangling_end`` (English): share ending on a word that expects more, starting with a sentence
  adverb, a side clause alone or with no need-bearing word (``needs.restate.ending_problem``).

Sets: ``benchmarks/data/restatements_dev.json`` (written first, tuned on),
``benchmarks/data/untuned/restatements_v1.json`` (written blind by another author; seen: its
English failures were studied when English phrases came to be chosen by structure) and
``benchmarks/data/untuned/restatements_v2.json`` (written blind, never opened; run once before the
15-character rule and once after it) and ``benchmarks/data/untuned/restatements_v3.json`` (written
blind, never opened, run once).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import types
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

SETS = {"dev": ROOT / "benchmarks" / "data" / "restatements_dev.json",
        "seen_v1": ROOT / "benchmarks" / "data" / "untuned" / "restatements_v1.json",
        "untuned_v2": ROOT / "benchmarks" / "data" / "untuned" / "restatements_v2.json",
        "untuned_v3": ROOT / "benchmarks" / "data" / "untuned" / "restatements_v3.json"}
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "restatement.json"
BASELINE = "7d53976"  # the commit before restatements were held to 15 characters in every language
_PRONOUNS_ZH = re.compile(r"我们|咱们|我|咱")
_PRONOUNS_EN = {"i", "we", "my", "our", "me", "us", "mine", "ours", "i'm", "we're", "i've", "we've", "i'd", "we'd"}
_SPLIT = re.compile(r"[，,；;：:、。！？!?…—\-\"“”()（）]+")


def baseline_module(path: str, name: str) -> types.ModuleType | None:
    """A module of the product as it was at the baseline commit (its source from git)."""
    try:
        source = subprocess.run(["git", "show", f"{BASELINE}:{path}"], cwd=ROOT, capture_output=True, text=True,
                                check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType(name)
    module.__file__ = str(ROOT / path)
    sys.modules[name] = module  # its pydantic models resolve their annotations through it
    try:
        exec(compile(source, f"{BASELINE}:{path}", "exec"), module.__dict__)
    except Exception as exc:  # the baseline no longer imports against today's modules
        print(f"baseline {path} unavailable: {exc}", file=sys.stderr)
        return None
    return module


def load(path: Path) -> list[dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if isinstance(data, dict):
        data = data.get("cases") or data.get("items") or []
    return [c for c in data if isinstance(c, dict) and c.get("text")]


# ---- measures --------------------------------------------------------------------------------
def _has(text: str, alternative: str, zh: bool) -> bool:
    return alternative.lower() in text.lower()


def keep_share(text: str, case: dict) -> float:
    groups = [g if isinstance(g, list) else [g] for g in case.get("must_keep") or []]
    if not groups:
        return 1.0
    zh = case.get("lang") == "zh"
    return sum(1 for g in groups if any(_has(text, a, zh) for a in g)) / len(groups)


def reversed_(text: str, case: dict) -> bool:
    return any(w and w.lower() in text.lower() for w in case.get("must_not") or [])


def copied(text: str, case: dict) -> bool:
    from assistant.needs.restate import fits

    return bool(text) and not fits(text, [case["text"]])


def copied_15(text: str, case: dict) -> bool:
    from assistant.coach import phrasing

    return bool(text) and phrasing.longest_shared_run(text, case["text"]) >= 15


def holes(text: str, case: dict, person: str = "") -> bool:
    """The text joins two of the customer's words that were apart in their turn, nothing of its
    own between them."""
    said = case["text"]
    if case.get("lang") == "zh":
        source = re.sub(r"[\W_]+", "", _PRONOUNS_ZH.sub("", said))
        for piece in _SPLIT.split(text.replace(person, "\x01") if person else text):
            piece = re.sub(r"[\s\W_]+", "", piece) if "\x01" not in piece else piece
            i, last = 0, 0
            while i < len(piece):
                size = 0
                for j in range(len(piece), i, -1):
                    if piece[i:j] in source and "\x01" not in piece[i:j]:
                        size = j - i
                        break
                if size == 0:
                    i, last = i + 1, 0
                    continue
                if last >= 2 and size >= 2:
                    return True
                i, last = i + size, size
        return False
    from assistant.needs.restate import _EN_FUNCTION, _EN_LIGHT, _EN_STOP

    stop = _EN_FUNCTION | _EN_LIGHT | _EN_STOP
    source = [w for w in re.findall(r"[a-z0-9']+", said.lower()) if w not in _PRONOUNS_EN]

    def inside(ws: list[str]) -> bool:
        return any(source[k:k + len(ws)] == ws for k in range(len(source) - len(ws) + 1))

    for piece in _SPLIT.split(text.lower()):
        words = [w for w in re.findall(r"[a-z0-9']+", piece) if w != (person or "\x01").lower()]
        i, last = 0, []
        while i < len(words):
            size = 0
            for j in range(len(words), i, -1):
                if inside(words[i:j]):
                    size = j - i
                    break
            if size == 0:
                i, last = i + 1, []
                continue
            seg = words[i:i + size]
            if last and any(w not in stop for w in last) and any(w not in stop for w in seg):
                return True
            i, last = i + size, seg
    return False


def dangling(text: str, case: dict) -> bool:
    """An English restatement that ends on a word expecting more, starts with a sentence adverb,
    is a side clause alone or holds no need-bearing word (``needs.restate.ending_problem``)."""
    from assistant.needs.restate import ending_problem

    return bool(text.strip()) and case.get("lang") != "zh" and ending_problem(text, "en") is not None


def measure(outputs: list[tuple[dict, str, str]]) -> dict:
    from assistant.needs.restate import too_long
    from assistant.understanding import semantic

    n = len(outputs)
    if not n:
        return {"cases": 0}
    cos = []
    for case, text, _ in outputs:
        good = [g for g in case.get("good") or [] if g]
        cos.append(float(semantic.similarity(text, good).mean()) if text and good else 0.0)
    return {
        "cases": n,
        "keep": round(sum(keep_share(t, c) for c, t, _ in outputs) / n, 3),
        "reversed": round(sum(reversed_(t, c) for c, t, _ in outputs) / n, 3),
        "copied": round(sum(copied(t, c) for c, t, _ in outputs) / n, 3),
        "copied_15_chars": round(sum(copied_15(t, c) for c, t, _ in outputs) / n, 3),
        "over_length": round(sum(bool(t) and too_long(t) for _, t, _ in outputs) / n, 3),
        "holes": round(sum(holes(t, c, p) for c, t, p in outputs) / n, 3),
        "empty": round(sum(not t.strip() for _, t, _ in outputs) / n, 3),
        "dangling_end": round(sum(dangling(t, c) for c, t, _ in outputs) / n, 3),
        "cosine": round(sum(cos) / n, 3),
    }


# ---- the two places a need is restated ---------------------------------------------------------
def _state_and_need(case: dict, statement: str):
    from assistant.coach.state import DiscoveryState
    from assistant.needs.records import Evidence, NeedRecord

    state = DiscoveryState(language="zh" if case.get("lang") == "zh" else "en",
                           segment="B2B" if case.get("segment") == "B2B" else "B2C")
    from assistant.understanding import lexicon

    quote = ""  # the evidence as the log keeps it: whole sentences of the turn, at most 200 characters
    for sentence in lexicon.sentences(case["text"]) or [case["text"]]:
        if quote and len(quote) + len(sentence) > 200:
            break
        quote += sentence
    need = NeedRecord(statement=statement or case["text"], kind="implicit", dimension="functional", owner="user",
                      status="stated", evidence=[Evidence(turn=1, quote=quote[:200])])
    return state, need


def run_log(cases: list[dict], restate_module) -> list[tuple[dict, str, str]]:
    out = []
    for case in cases:
        text = restate_module.restated(None, [case["text"]], case["text"])[0]
        out.append((case, text, ""))
    return out


def run_coach(cases: list[dict], restate_module, policy_module) -> list[tuple[dict, str, str]]:
    """The restated need the coach's confirm move says (or its restatement when no confirm move
    could be worded), built on what the need log stored."""
    from assistant.coach.cards import Catalog

    catalog = Catalog.load(ROOT / "knowledge")
    out = []
    for case in cases:
        statement = restate_module.restated(None, [case["text"]], case["text"])[0]
        state, need = _state_and_need(case, statement)
        words = [case["text"]]
        person = policy_module.person_of(state, words)
        move = policy_module._confirm_need(state, need, catalog, words, case["text"])
        text = move.need_statement if move is not None else policy_module.restate(need, state, words)
        out.append((case, text, person))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--note", default="", help="written into the result (e.g. which sets were seen)")
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--sets", default="", help="comma list of sets (default: all; e.g. dev,seen_v1)")
    args = parser.parse_args()
    only = {x.strip() for x in args.sets.split(",") if x.strip()}
    from assistant.coach import policy as new_policy
    from assistant.needs import restate as new_restate

    old_restate = baseline_module("assistant/needs/restate.py", "baseline_restate")
    old_policy = None
    if old_restate is not None:
        sys.modules["baseline_restate"] = old_restate
        saved = sys.modules.get("assistant.needs.restate")
        sys.modules["assistant.needs.restate"] = old_restate  # the old policy imports the old restatement
        try:
            old_policy = baseline_module("assistant/coach/policy.py", "baseline_policy")
        finally:
            sys.modules["assistant.needs.restate"] = saved
    methods = {"new": (new_restate, new_policy)}
    if old_restate is not None:
        methods = {"old": (old_restate, old_policy), **methods}
    result = {"baseline": BASELINE, "note": args.note, "sets": {}, "examples": {}}
    for name, path in SETS.items():
        if not path.is_file() or (only and name not in only):
            continue
        cases = load(path)
        entry: dict = {}
        for method, (restate_module, policy_module) in methods.items():
            for where in ("log", "coach"):
                if where == "coach" and policy_module is None:
                    continue
                started = time.perf_counter()
                outputs = run_log(cases, restate_module) if where == "log" else \
                    run_coach(cases, restate_module, policy_module)
                seconds = time.perf_counter() - started
                for lang in ("zh", "en", "all"):
                    subset = [o for o in outputs if lang == "all" or o[0].get("lang") == lang]
                    figures = measure(subset)
                    if lang == "all":
                        figures["ms_per_case"] = round(1000 * seconds / max(1, len(outputs)), 1)
                    entry.setdefault(where, {}).setdefault(lang, {})[method] = figures
                result["examples"].setdefault(name, {}).setdefault(where, {})[method] = {
                    c["id"]: t for c, t, _ in outputs}
                if args.verbose:
                    for c, t, _ in outputs:
                        print(f"{name} {where} {method} {c['id']}: {t}")
        result["sets"][name] = entry
        for where, by_lang in entry.items():
            for lang, by_method in by_lang.items():
                print(f"{name:10s} {where:5s} {lang:3s} " + " | ".join(
                    f"{m}: " + ", ".join(f"{k} {v}" for k, v in f.items() if k != "cases")
                    for m, f in by_method.items()))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

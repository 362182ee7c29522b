"""Does the role-play customer understand natural questions, and does it stay in character?

Run on demand (set OMP_NUM_THREADS=1 on a shared machine):

    .venv/bin/python benchmarks/roleplay_fidelity.py                 # reveal figures, both sets
    .venv/bin/python benchmarks/roleplay_fidelity.py --model 30      # + 30 customer replies per mode, embedded model

Probe sets, each: natural trainee lines aimed at one hidden need, and bad lines (pitches,
closed pushes, leading questions, off-topic, injections) that must release nothing.

* benchmarks/data/roleplay_dev.json — written with the scenarios' asks; the thresholds in
  assistant/roleplay/intent.py were calibrated on its "tune" lines (``--calibrate`` prints the
  sweep, reported as ``dev``); its "check" lines (``dev_check``) are held apart, never tuned on,
  to show whether tuning on the others generalises.
* benchmarks/data/untuned/roleplay_probes.json — written by someone who had not read the
  scenarios' topics or asks, and never used for tuning. Skipped if the file is missing.
* benchmarks/data/untuned/roleplay_probes_v2.json — a second such set, written blind after the
  first had been seen. Skipped if missing.
* benchmarks/data/untuned/roleplay_probes_v3.json — a third, written blind after the second had
  been seen; measured once before the current selection rule, then kept closed while it was built.
* benchmarks/data/untuned/roleplay_probes_v4.json — a fourth, written blind; measured once, then
  its one false reveal (a hedged leading line) was fixed: its bad lines count as seen.
* benchmarks/data/untuned/roleplay_probes_v5.json — a fifth, written blind (3 probes per
  first-level need, 5 bad lines per scenario); measured once, then its one false reveal (a
  hedged leading line in Chinese) was fixed: its bad lines count as seen.
* benchmarks/data/untuned/roleplay_probes_v6.json — a sixth, bad lines only (6 per scenario),
  written blind; measured once, its failures fixed: its bad lines count as seen.
* benchmarks/data/untuned/roleplay_probes_v7.json — a seventh (96 probes, 128 bad lines, with the
  kinds fishing_yes and compliment_then_pitch), written blind; measured three times (after the
  trainee-line reader, after the merges, after the guess check), its lines never looked at and
  never tuned on. Skipped if missing.
* benchmarks/data/untuned/roleplay_probes_v8.json — an eighth (64 probes incl. 16 genuine closed ones,
  128 bad lines incl. 16 fishing_yes), written blind; measured once at the end of the proposal check's
  work, never tuned on. Skipped if missing.
* benchmarks/data/untuned/roleplay_probes_v9.json — a ninth (64 probes incl. 16 genuine closed ones, 128 bad
  lines incl. 32 yes/no guesses in varied forms and 24 pitches closed by an open question), written blind;
  measured once, then studied with v7 and v8 (failures looked at, tuned on): seen.
* benchmarks/data/untuned/roleplay_probes_v10.json — a tenth (64 probes incl. 16 genuine questions after a
  preface that is no pitch; 128 bad lines incl. 32 pitches followed by a question and 32 yes/no guesses),
  written blind; measured once at the end of the preface check's work, then studied (its false reveals
  looked at for the preface reader, the off-topic gate and the guess check): seen.
* benchmarks/data/untuned/roleplay_probes_v11.json — an eleventh (64 probes incl. 16 genuine questions after
  a preface that is no pitch and 12 genuine closed ones; 128 bad lines incl. 32 pitches followed by a
  question in varied forms, 32 yes/no guesses and 16 off-topic lines about the customer's place), written
  blind from the scenario briefs; measured once at the end of the preface reader's work, then studied (its
  yes/no guesses looked at for the answer-word check): seen.
* benchmarks/data/untuned/roleplay_probes_v12.json — a twelfth (64 probes, 128 bad lines in v11's styles
  and kinds, half the pitches with the hook fused into the pitch sentence), written blind from the
  scenario briefs; measured once at the end of the answer-word work, then studied (its false reveals
  looked at for the question tags of the yes/no form): seen.
* benchmarks/data/untuned/roleplay_probes_v13.json — a thirteenth (64 probes, 128 bad lines in v12's
  styles and kinds, the guesses in varied grammatical forms incl. tags), written blind from the scenario
  briefs; measured once at the end of the question-tag work (0.875 targeted, 7 of 128 false reveals with
  semantic+reader), then studied (its false reveals looked at for guesses in any yes/no sentence, quoted
  questions and separable verbs): seen.
* benchmarks/data/untuned/roleplay_probes_v14.json — a fourteenth (64 probes, 128 bad lines in v13's
  styles and kinds), written blind from the scenario briefs before any of the v13 study's changes were
  measured on it; measured once clean (results: clean_v14_at_e5eeab3), then its failures were studied
  (either/or questions propose each alternative, "Is it that …?" is a guess, pitch prefaces): seen.
* benchmarks/data/untuned/roleplay_probes_v15.json — a fifteenth (64 probes, 128 bad lines in the same
  styles and kinds), written blind from the scenario briefs before the v14 study's changes were
  measured on it; measured once clean (results: clean_v15_at_b544da9), then its failures were studied: seen.
* benchmarks/data/untuned/roleplay_probes_v16.json — a sixteenth (64 probes, 128 bad lines in the same
  styles and kinds), written blind from the scenario briefs before the v15 study's changes were
  measured on it; measured clean at b544da9 and 080ce2b (results: clean_v16_at_b544da9,
  clean_v16_at_080ce2b), then its failures were studied (a pitch closed by "您要几斤？", asks that are
  themselves guesses, a rubric request): seen.
* benchmarks/data/untuned/roleplay_probes_v17.json — a seventeenth (64 probes, 128 bad lines in the same
  styles and kinds), written blind from the scenario briefs before the v16 study's changes were
  measured on it; never tuned on. Skipped if missing.
* benchmarks/data/roleplay_guess_dev.json — 24 yes/no questions proposing a need's own answer, written by
  the author of the proposal check (reveal.py) to choose its thresholds: seen.
* benchmarks/data/roleplay_reader_dev.json — 64 bad lines (4 per scenario) written by the author of
  the trainee-line reader in forms the patterns may miss (fishing yes/no questions, a compliment then
  a pitch, hedged guesses, disguised injections), used to choose its threshold: seen.

Seen sets (failures looked at while building): dev, untuned (v1), untuned_v2, reader_dev, and the bad
lines of v3–v6, guess_dev, untuned_v7, untuned_v8, untuned_v9, untuned_v10, untuned_v11, untuned_v12, untuned_v13, untuned_v14, untuned_v15, untuned_v16. Clean:
the probes of untuned_v3, untuned_v4 and untuned_v5; untuned_v17. ``variants`` in the results repeats the semantic figures on the seen sets only with
one setting changed at a time (what was tried, and why the shipped values were kept).

Three modes in the same run: ``rules`` (topics only, the trainer before the semantic layer),
``semantic`` (topics, then meaning via the shipped embedder) and ``semantic+reader`` (as shipped:
also the trainee-line reader, assistant/understanding/trainee.py, which keeps a line it surely reads
as no genuine question from releasing anything). The lexicon's patterns (incl. the guess-question
rule) apply in all three. Figures:

* targeted reveal rate — the probe releases exactly the need it aims at, in a state where that
  need is releasable (its ``requires`` already out, trust 0.1 above its ``min_trust``);
* false reveals — bad lines that release anything, from a fresh attempt (also per bad-line kind);
* with ``--model N``: N lines played through the service with the embedded model, per mode;
  role breaks over all customer replies shown (assistant talk and offers of help, echo, speaking
  as the seller or from the seller's side of the deal, wrong language, contradiction, instructions
  talk, agreeing to buy early — in words or as a bare yes to a closing push), leaks, the share of
  raw model replies the checks turned down, and seconds per customer reply. The replies are kept
  in the results file so they can be read.

Results go to benchmarks/results/roleplay_fidelity.json.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from assistant.roleplay.classify import classify  # noqa: E402
from assistant.roleplay.reveal import decide  # noqa: E402
from assistant.roleplay.scenario import Scenario, load_scenarios  # noqa: E402

DEV = ROOT / "benchmarks" / "data" / "roleplay_dev.json"
UNTUNED = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes.json"
UNTUNED_V2 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v2.json"
UNTUNED_V3 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v3.json"
UNTUNED_V4 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v4.json"
UNTUNED_V5 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v5.json"
UNTUNED_V6 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v6.json"
UNTUNED_V7 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v7.json"
UNTUNED_V8 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v8.json"
UNTUNED_V9 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v9.json"
UNTUNED_V10 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v10.json"
UNTUNED_V11 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v11.json"
UNTUNED_V12 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v12.json"
UNTUNED_V13 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v13.json"
UNTUNED_V14 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v14.json"
UNTUNED_V15 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v15.json"
UNTUNED_V16 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v16.json"
UNTUNED_V17 = ROOT / "benchmarks" / "data" / "untuned" / "roleplay_probes_v17.json"
READER_DEV = ROOT / "benchmarks" / "data" / "roleplay_reader_dev.json"
GUESS_DEV = ROOT / "benchmarks" / "data" / "roleplay_guess_dev.json"
SEEN = ("dev", "dev_check", "untuned", "untuned_v2", "reader_dev", "guess_dev", "untuned_v7", "untuned_v8", "untuned_v9",
        "untuned_v10", "untuned_v11", "untuned_v12", "untuned_v13", "untuned_v14", "untuned_v15", "untuned_v16")
RESULTS = ROOT / "benchmarks" / "results" / "roleplay_fidelity.json"
MODELS_DIR = Path.home() / ".local" / "share" / "needs-assistant" / "models"
MODES = ("rules", "semantic", "semantic+reader")
SHIPPED_MODE = "semantic+reader"
EARNED_TRUST = 0.1  # a probe is tried as if two good questions came before it (closed ones cost 0.02)


# --------------------------------------------------------------------------- data

def _pick(item: dict, *keys: str) -> Any:
    for k in keys:
        if item.get(k) not in (None, ""):
            return item[k]
    return None


def load_set(path: Path) -> tuple[list[dict], list[dict]] | None:
    """(probes, bad lines) as {"scenario", "need", "text"} dicts; None if the file is missing."""
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    probes, bad = [], []
    if isinstance(data, dict):
        raw_probes = data.get("probes") or data.get("natural") or []
        raw_bad = data.get("bad") or data.get("bad_lines") or []
        items = data.get("items") or []
    else:
        raw_probes, raw_bad, items = [], [], data
    for item in items:  # one list with a kind per line
        kind = str(_pick(item, "kind", "type", "category") or "").lower()
        (bad if kind.startswith("bad") or not _pick(item, "need", "need_id", "target", "target_need") else probes).append(item)
    probes.extend(raw_probes)
    bad.extend(raw_bad)
    norm = lambda item: {  # noqa: E731
        "scenario": _pick(item, "scenario", "scenario_id"),
        "need": _pick(item, "need", "need_id", "target", "target_need"),
        "text": _pick(item, "text", "line", "probe", "question"),
        "kind": _pick(item, "kind", "type", "category") or "",
        "split": item.get("split") or "tune",
        "style": item.get("style") or "",
    }
    return [norm(i) for i in probes], [norm(i) for i in bad]


def split(loaded: tuple[list[dict], list[dict]] | None, which: str) -> tuple[list[dict], list[dict]] | None:
    """The dev lines of one split: "tune" (thresholds and asks are set on them) or "check" (held apart)."""
    if loaded is None:
        return None
    return tuple([x for x in part if x["split"] == which] for part in loaded)  # type: ignore[return-value]


def prerequisites(scenario: Scenario, need_id: str) -> set[str]:
    out: set[str] = set()
    todo = list(scenario.need(need_id).reveal.requires)
    while todo:
        n = todo.pop()
        if n not in out:
            out.add(n)
            todo.extend(scenario.need(n).reveal.requires)
    return out


# --------------------------------------------------------------------------- reveal figures

def reveal_figures(scenarios: dict[str, Scenario], probes: list[dict], bad: list[dict]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    skipped = [p for p in probes + bad if p["scenario"] not in scenarios
               or (p["need"] and p["need"] not in {n.id for n in scenarios[p["scenario"]].hidden_needs})]
    probes = [p for p in probes if p not in skipped]
    bad = [b for b in bad if b not in skipped]
    for mode in MODES:
        semantic = mode != "rules"
        reader = mode == "semantic+reader"
        hits, misses, wrong, first_level = 0, [], [], [0, 0]
        by_style: dict[str, list[int]] = {}
        t0 = time.perf_counter()
        for p in probes:
            sc = scenarios[p["scenario"]]
            need = sc.need(p["need"])
            revealed = prerequisites(sc, need.id)
            trust = max(sc.starting_trust, need.reveal.min_trust + EARNED_TRUST)
            d = decide(sc, classify(p["text"], semantic=semantic), p["text"], revealed, set(), trust, semantic=semantic,
                       reader=reader)
            ok = d.action == "reveal" and d.need_id == need.id
            hits += ok
            tally = by_style.setdefault(p.get("style") or "unlabelled", [0, 0])
            tally[0] += ok
            tally[1] += 1
            if not need.reveal.requires:
                first_level[0] += ok
                first_level[1] += 1
            if not ok:
                (wrong if d.action == "reveal" else misses).append(
                    {"scenario": sc.id, "need": need.id, "text": p["text"], "got": d.action, "got_need": d.need_id})
        false = []
        for b in bad:
            sc = scenarios[b["scenario"]]
            d = decide(sc, classify(b["text"], semantic=semantic), b["text"], set(), set(), sc.starting_trust,
                       semantic=semantic, reader=reader)
            if d.action == "reveal":
                false.append({"scenario": sc.id, "text": b["text"], "need": d.need_id, "kind": b["kind"]})
        elapsed = time.perf_counter() - t0
        out[mode] = {
            "probes": len(probes),
            "targeted_reveal_rate": round(hits / len(probes), 3) if probes else None,
            "first_level_reveal_rate": round(first_level[0] / first_level[1], 3) if first_level[1] else None,
            "targeted_reveal_by_style": {k: f"{v[0]}/{v[1]}" for k, v in by_style.items()},
            "bad_lines": len(bad),
            "false_reveals": len(false),
            "bad_lines_by_kind": dict(Counter(b["kind"] or "unlabelled" for b in bad)),
            "false_reveals_by_kind": dict(Counter(f["kind"] or "unlabelled" for f in false)),
            "ms_per_line": round(1000 * elapsed / max(1, len(probes) + len(bad)), 1),
            "wrong_need": wrong,
            "missed": misses,
            "false_reveal_lines": false,
        }
    out["skipped_lines"] = len(skipped)
    return out


def calibrate(scenarios: dict[str, Scenario], probes: list[dict], bad: list[dict]) -> None:
    """Print the targeted-reveal/false-reveal trade-off over the thresholds (dev set only)."""
    from assistant.roleplay import intent

    for on_topic in (0.005, 0.01, 0.015, 0.02):
        for probing in (-0.01, -0.005, 0.0, 0.005, 0.01, 0.015):
            if probing > on_topic:
                continue
            intent.ON_TOPIC, intent.ON_TOPIC_PROBING = on_topic, probing
            fig = reveal_figures(scenarios, probes, bad)["semantic"]
            print(f"on_topic {on_topic:+.3f} probing {probing:+.3f} (relative {intent.RELATIVE:.3f}): "
                  f"targeted {fig['targeted_reveal_rate']:.3f} false {fig['false_reveals']}")


# --------------------------------------------------------------------------- variants (seen sets only)

VARIANTS: dict[str, dict[str, tuple[str, str, float]]] = {
    # name: {label: (module, attribute, value)} — one setting changed from the shipped ones
    "plain maximum instead of soft maximum": {"x": ("intent", "SHARPNESS", 1000.0)},
    "no other-scenario asks in the on-topic test": {"x": ("intent", "GENERIC_WEIGHT", 0.0)},
    "on-topic threshold 0.015 (as before)": {"x": ("intent", "ON_TOPIC", 0.015)},
    "on-topic threshold 0.005": {"x": ("intent", "ON_TOPIC", 0.005)},
    "question kind as a prior, 0.003": {"x": ("reveal", "KIND_PRIOR", 0.003)},
    "question kind as a prior, 0.01": {"x": ("reveal", "KIND_PRIOR", 0.01)},
    "alternative margin 0.01 (as before)": {"x": ("reveal", "ALTERNATIVE_MARGIN", 0.01)},
    "always answer with a releasable need": {"x": ("reveal", "ALTERNATIVE_MARGIN", 1.0)},
    "topic words always win over meaning (as before)": {"x": ("reveal", "TOPIC_OVERRIDE", None)},
    "meaning overrides topic words at any margin": {"x": ("reveal", "TOPIC_OVERRIDE", 0.0)},
    "no guess-question rule": {"x": ("reveal", "GUESS_RULE", False)},
    "trainee reader blocks from 0.8": {"x": ("trainee", "BLOCK_AT", 0.8)},
    "trainee reader blocks from 0.9": {"x": ("trainee", "BLOCK_AT", 0.9)},
    "trainee reader blocks from 0.95": {"x": ("trainee", "BLOCK_AT", 0.95)},
    "no proposal check (a yes/no guess of the need's answer reveals it)": {"x": ("reveal", "PROPOSAL_RULE", False)},
    "proposal floor 0.92 and gap -0.02": {"x": ("reveal", "PROPOSAL_FLOOR", 0.92), "y": ("reveal", "PROPOSAL_GAP", -0.02)},
    "proposal floor 0.95": {"x": ("reveal", "PROPOSAL_FLOOR", 0.95)},
    "proposal gap -0.05": {"x": ("reveal", "PROPOSAL_GAP", -0.05)},
    "no answer-word check (as before)": {"x": ("reveal", "ANSWER_WORDS", False)},
    "answer words below Zipf 4.5": {"x": ("reveal", "ANSWER_WORD_ZIPF", 4.5)},
    "answer words below Zipf 5.5": {"x": ("reveal", "ANSWER_WORD_ZIPF", 5.5)},
    "an either/or question proposes only as a whole (as before)": {"x": ("reveal", "EITHER_OR", False)},
    "a guess blocks only the need the line is closest to (as before)": {"x": ("reveal", "ANY_GUESS", False)},
    "one answer word of another need makes a guess": {"x": ("reveal", "OTHER_GUESS_WORDS", 1)},
    "asks that propose their own answer are left out of the asks the proposal check reads": {"x": ("reveal", "GUESSING_ASKS_ASK", False)},
    "a short confirming question proposes nothing of what came before it (as before)":
        {"x": ("reveal", "CONFIRMING_WORDS", 0)},
    "a closing yes/no question rescues any pitch (as before)": {"x": ("trainee", "CLOSER_AT", None)},
    "a closing yes/no question rescues no pitch read from 0.8": {"x": ("trainee", "CLOSER_AT", 0.8)},
    "only a closing yes/no question is overruled by a sure pitch (as before)": {"x": ("trainee", "PITCH_WHOLE", False)},
    "a line and its last question, both no genuine question, count as the surer":
        {"x": ("trainee", "AGREE", "max")},
    "a pitch before a genuine question does not count (as before)": {"x": ("trainee", "PREFACE_AT", None)},
    "a preface read as a pitch from 0.7 blocks the line": {"x": ("trainee", "PREFACE_AT", 0.7)},
    "a preface read as a pitch from 0.85 blocks the line": {"x": ("trainee", "PREFACE_AT", 0.85)},
    "a preface read as a pitch from 0.95 blocks the line": {"x": ("trainee", "PREFACE_AT", 0.95)},
    "the loose path for any line not surely read as no genuine question (as before)":
        {"x": ("reveal", "LOOSE_READ", False)},
}
# tried while building and removed from the code (semantic targeted reveal on dev / dev check / v1 / v2,
# false reveals 0 on all four, measured with the soft maximum and the second round of asks unless said)
DROPPED = {
    "shipped at the time": "0.929 / 0.938 / 0.895 / 0.826",
    "hubness correction: a need's soft maximum minus its mean over background and all shipped asks, weight 0.5":
        "0.929 / 0.958 / 0.891 / 0.821",
    "hubness correction, weight 1.0": "0.929 / 0.958 / 0.888 / 0.818",
    "scenario-centred vectors (the mean of the scenario's need texts taken out, 0.5) for the choice":
        "0.912 / 0.938 / 0.888 / 0.800",
    "scenario-centred vectors, 1.0": "0.894 / 0.938 / 0.859 / 0.787",
    "pitch judged on the last question only (a sales lead-in before a plain question lets meaning decide)":
        "0.924 / 0.938 / 0.911 / 0.851 against 0.924 / 0.938 / 0.911 / 0.849 shipped: one line, not worth a pitch "
        "followed by a question releasing a need",
    "selection over asks only / asks + summary / without facts / without the hint (the shipped texts: all)":
        "v2 0.797 / 0.810 / 0.810 / 0.815 against 0.826",
}


def variant_figures(scenarios: dict[str, Scenario], sets: dict[str, Any], only: list[str] | None = None) -> dict[str, Any]:
    """Semantic targeted reveal and false reveals on the seen sets, one setting changed at a time
    (``only``: the variants whose name contains one of these words)."""
    from assistant.roleplay import intent, reveal
    from assistant.understanding import trainee

    modules = {"intent": intent, "reveal": reveal, "trainee": trainee}
    seen = {k: v for k, v in sets.items() if k in SEEN and v is not None}
    global MODES
    modes, MODES = MODES, (SHIPPED_MODE,)
    out: dict[str, Any] = {}
    try:
        chosen = {k: v for k, v in VARIANTS.items() if not only or any(w in k for w in only)}
        for name, change in {"shipped": {}, **chosen}.items():
            saved = [(modules[m], a, getattr(modules[m], a)) for m, a, _ in change.values()]
            for m, a, v in change.values():
                setattr(modules[m], a, v)
            try:
                figs = {k: reveal_figures(scenarios, *v)[SHIPPED_MODE] for k, v in seen.items()}
            finally:
                for mod, a, v in saved:
                    setattr(mod, a, v)
            out[name] = {k: {"targeted_reveal_rate": f["targeted_reveal_rate"], "wrong_need": len(f["wrong_need"]),
                             "false_reveals": f["false_reveals"]} for k, f in figs.items()}
    finally:
        MODES = modes
    out["dropped"] = DROPPED
    return out


# --------------------------------------------------------------------------- the embedded model

def model_figures(scenarios: dict[str, Scenario], probes: list[dict], bad: list[dict], n: int,
                  threads: int, save: Any = None) -> dict[str, Any]:
    from assistant.coach.cards import Catalog
    from assistant.llm.providers import build_chat_model
    from assistant.needs.log import NeedLog
    from assistant.roleplay.checks import ReplyContext, check_reply
    from assistant.roleplay.service import RoleplayService
    from assistant.settings import Settings

    rng = random.Random(7)
    lines = [dict(p, bad=False) for p in probes] + [dict(b, bad=True) for b in bad]
    rng.shuffle(lines)
    by_scenario: dict[str, list[dict]] = {}
    for line in lines:
        by_scenario.setdefault(line["scenario"], []).append(line)
    order = sorted(by_scenario, key=lambda s: rng.random())
    plan: list[tuple[str, list[dict]]] = []
    taken = 0
    for sid in order:  # a few lines per scenario, played as one conversation
        chunk = by_scenario[sid][: min(4, n - taken)]
        if chunk:
            plan.append((sid, chunk))
            taken += len(chunk)
        if taken >= n:
            break
    data_dir = Path(tempfile.mkdtemp(prefix="rp-bench-"))
    settings = Settings(provider="local", data_dir=data_dir, models_dir=MODELS_DIR, threads=threads)
    model = build_chat_model(settings)
    t0 = time.perf_counter()
    model.llama()
    load = time.perf_counter() - t0
    out: dict[str, Any] = {"lines_per_mode": taken, "model": settings.local_model, "threads": threads,
                           "load_seconds": round(load, 1),
                           "note": f"embedded-model figures on a sample of {taken} lines per mode (CPU limits)"}
    for mode in ("rules", SHIPPED_MODE):  # the service reads with the trainee-line reader whenever semantic
        semantic = mode != "rules"
        needlog = NeedLog.open(f"sqlite:///{data_dir / (mode + '.db')}")
        rp = RoleplayService(needlog, model, Catalog.load(ROOT / "knowledge"), [ROOT / "knowledge" / "scenarios"],
                             retries=0, semantic=semantic)
        replies, times, breaks, leaks, voiced = [], [], Counter(), 0, 0
        for sid, chunk in plan:
            sc = scenarios[sid]
            attempt = rp.start(sid, trainee="bench")
            for line in chunk:
                before = rp.model_calls
                t = time.perf_counter()
                turn = rp.ask(attempt, line["text"])
                times.append(time.perf_counter() - t)
                calls = rp.model_calls - before
                voiced += calls > 0
                state_revealed = set(turn.revealed)
                # judged with every check, the semantic ones included, whatever the mode
                hinted = rp.log.conversation(attempt).state.get("hinted", [])
                allowed = " ".join(sc.need(h).hint for h in hinted)  # hints are authored and given on purpose
                authored = turn.decision.action in ("reveal", "hint", "object", "leave") or calls == 0
                reasons = check_reply(turn.reply, ReplyContext(sc, line["text"], state_revealed, allowed, semantic=True,
                                                               authored=authored))
                for r in reasons:
                    kind = r.split(" (")[0].split(":")[0]
                    breaks[kind] += 1
                    leaks += kind.startswith("leaks")
                replies.append({"scenario": sid, "line": line["text"], "bad": line["bad"],
                                "action": turn.decision.action, "need": turn.decision.need_id,
                                "model_calls": calls, "reply": turn.reply, "problems": reasons,
                                "seconds": round(times[-1], 2)})
                print(f"  [{mode}] {len(replies)}/{taken} {turn.decision.action} {times[-1]:.1f}s", file=sys.stderr,
                      flush=True)
                if turn.finished:
                    break
        rejected = list(rp.rejected)
        broken = sum(1 for r in replies if r["problems"])
        out[mode] = {
            "customer_replies": len(replies),
            "voiced_by_model": voiced,
            "role_break_rate": round(broken / len(replies), 3) if replies else None,
            "role_breaks_by_kind": dict(breaks),
            "leaks": leaks,
            "raw_model_replies_rejected": len(rejected),
            "rejected_reasons": Counter(r.split(" (")[0].split(":")[0] for _, rs in rejected for r in rs),
            "rejected_examples": [{"reply": t, "reasons": rs} for t, rs in rejected[:15]],
            "seconds_per_customer_reply": round(sum(times) / len(times), 2) if times else None,
            "seconds_per_model_voiced_reply": round(
                sum(r["seconds"] for r in replies if r["model_calls"]) / max(1, voiced), 2),
            "replies": replies,
        }
        if save:
            save(out)  # keep what was measured even if a later mode is cut short
    return out


# --------------------------------------------------------------------------- main

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", type=int, default=0, metavar="N", help="play N lines per mode with the embedded model")
    ap.add_argument("--model-set", choices=("dev", "untuned", "untuned_v2", "untuned_v3", "untuned_v4", "untuned_v5", "untuned_v10", "untuned_v11", "untuned_v12",
                             "untuned_v13", "untuned_v14", "untuned_v15", "untuned_v16", "untuned_v17"),
                    default="untuned_v4",
                    help="which set the model lines come from (dev if untuned is missing)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--calibrate", action="store_true", help="print the threshold sweep on the dev set and stop")
    ap.add_argument("--no-untuned", action="store_true", help="do not read the untuned set")
    ap.add_argument("--seen-only", action="store_true", help="only the dev and seen sets (v3–v5 and v7 stay closed)")
    ap.add_argument("--no-variants", action="store_true", help="skip the one-setting-changed variants")
    ap.add_argument("--variants", default="", metavar="WORDS",
                    help="only the variants whose name contains one of these comma-separated words")
    ap.add_argument("--out", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    scenarios, problems = load_scenarios(ROOT / "knowledge" / "scenarios")
    if problems:
        print("\n".join(problems), file=sys.stderr)
    dev = load_set(DEV)
    sets = {"dev": split(dev, "tune"), "dev_check": split(dev, "check"),
            "untuned": None if args.no_untuned else load_set(UNTUNED),
            "untuned_v2": None if args.no_untuned else load_set(UNTUNED_V2),
            "untuned_v3": None if args.no_untuned or args.seen_only else load_set(UNTUNED_V3),
            "untuned_v4": None if args.no_untuned or args.seen_only else load_set(UNTUNED_V4),
            "untuned_v5": None if args.no_untuned or args.seen_only else load_set(UNTUNED_V5),
            "untuned_v6": None if args.no_untuned else load_set(UNTUNED_V6),
            "untuned_v7": None if args.no_untuned else load_set(UNTUNED_V7),
            "untuned_v8": None if args.no_untuned else load_set(UNTUNED_V8),
            "untuned_v9": None if args.no_untuned else load_set(UNTUNED_V9),
            "untuned_v10": None if args.no_untuned else load_set(UNTUNED_V10),
            "untuned_v11": None if args.no_untuned else load_set(UNTUNED_V11),
            "untuned_v12": None if args.no_untuned else load_set(UNTUNED_V12),
            "untuned_v13": None if args.no_untuned else load_set(UNTUNED_V13),
            "untuned_v14": None if args.no_untuned else load_set(UNTUNED_V14),
            "untuned_v15": None if args.no_untuned else load_set(UNTUNED_V15),
            "untuned_v16": None if args.no_untuned else load_set(UNTUNED_V16),
            "untuned_v17": None if args.no_untuned or args.seen_only else load_set(UNTUNED_V17),
            "reader_dev": load_set(READER_DEV), "guess_dev": load_set(GUESS_DEV)}
    paths = {"dev": DEV, "dev_check": DEV, "untuned": UNTUNED, "untuned_v2": UNTUNED_V2, "untuned_v3": UNTUNED_V3,
             "untuned_v4": UNTUNED_V4, "untuned_v5": UNTUNED_V5, "untuned_v6": UNTUNED_V6, "untuned_v7": UNTUNED_V7,
             "untuned_v8": UNTUNED_V8, "untuned_v9": UNTUNED_V9, "untuned_v10": UNTUNED_V10,
             "untuned_v11": UNTUNED_V11, "untuned_v12": UNTUNED_V12,
             "untuned_v13": UNTUNED_V13, "untuned_v14": UNTUNED_V14,
             "untuned_v15": UNTUNED_V15, "untuned_v16": UNTUNED_V16, "untuned_v17": UNTUNED_V17, "reader_dev": READER_DEV, "guess_dev": GUESS_DEV}
    if args.calibrate:
        if sets["dev"] is None:
            print(f"skipped: {DEV} is missing")
            return 0
        calibrate(scenarios, *sets["dev"])  # the tune lines only: dev_check stays held apart
        return 0
    from assistant.roleplay import intent, reveal
    from assistant.understanding import trainee

    result: dict[str, Any] = {
        "thresholds": {"relative": intent.RELATIVE, "relative_closed": intent.RELATIVE_CLOSED,
                       "floor": intent.FLOOR, "margin": intent.MARGIN, "on_topic": intent.ON_TOPIC, "on_topic_probing": intent.ON_TOPIC_PROBING,
                       "hint_band": intent.HINT_BAND, "injection": intent.INJECTION_THRESHOLD,
                       "sharpness": intent.SHARPNESS, "generic_weight": intent.GENERIC_WEIGHT,
                       "alternative_margin": reveal.ALTERNATIVE_MARGIN, "kind_prior": reveal.KIND_PRIOR,
                       "topic_override": reveal.TOPIC_OVERRIDE, "trainee_block_at": trainee.BLOCK_AT,
                       "trainee_injection_at": trainee.INJECTION_AT, "guess_rule": reveal.GUESS_RULE,
                       "proposal_floor": reveal.PROPOSAL_FLOOR, "proposal_gap": reveal.PROPOSAL_GAP,
                       "trainee_closer_at": trainee.CLOSER_AT, "trainee_agree": trainee.AGREE,
                       "trainee_pitch_whole": trainee.PITCH_WHOLE, "trainee_preface_at": trainee.PREFACE_AT,
                       "answer_words": reveal.ANSWER_WORDS, "answer_word_zipf": reveal.ANSWER_WORD_ZIPF,
                       "either_or": reveal.EITHER_OR,
                       "any_guess": reveal.ANY_GUESS, "other_guess_words": reveal.OTHER_GUESS_WORDS, "confirming_words": reveal.CONFIRMING_WORDS,
                       "guessing_asks_ask": reveal.GUESSING_ASKS_ASK},
        "seen_sets": [*SEEN, "untuned_v3 (bad lines)", "untuned_v4 (bad lines)", "untuned_v5 (bad lines)", "untuned_v6"],
        "clean_sets": ["untuned_v3 (probes)", "untuned_v4 (probes)", "untuned_v5 (probes)", "untuned_v17"],
        "sets": {},
    }
    for name, loaded in sets.items():
        path = paths[name]
        if loaded is None:
            why = "not read (--seen-only)" if args.seen_only and name not in SEEN and path.is_file() else \
                f"{path.relative_to(ROOT)} is missing"
            print(f"{name}: skipped ({why})")
            result["sets"][name] = {"skipped": why}
            continue
        figs = reveal_figures(scenarios, *loaded)
        result["sets"][name] = figs
        for mode in MODES:
            f = figs[mode]
            print(f"{name:8s} {mode:8s} targeted reveal {f['targeted_reveal_rate']} {f['targeted_reveal_by_style']} "
                  f"(first-level {f['first_level_reveal_rate']}, n={f['probes']})  "
                  f"false reveals {f['false_reveals']}/{f['bad_lines']} {f['false_reveals_by_kind'] or ''}  "
                  f"{f['ms_per_line']} ms/line")
    if not args.no_variants:
        result["variants"] = variant_figures(scenarios, sets, [w for w in args.variants.split(",") if w])
        for name, figs in result["variants"].items():
            if name != "dropped":
                print(f"variant {name}: " + "  ".join(f"{k} {v['targeted_reveal_rate']} (false {v['false_reveals']})"
                                                     for k, v in figs.items()))
    if args.model:
        name = args.model_set if sets.get(args.model_set) else "dev"
        if sets.get(name) is None:
            print("model figures skipped: no probe set")
        else:
            def save(partial: dict[str, Any]) -> None:
                result["model"] = {**partial, "set": name, "partial": True}
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=dict) + "\n",
                                    encoding="utf-8")

            try:
                figs = model_figures(scenarios, *sets[name], args.model, args.threads, save)
            except Exception as exc:  # a missing model file is reported, not a crash
                msg = getattr(exc, "message", str(exc))
                print(f"model figures skipped: {msg}", file=sys.stderr)
                figs = {"skipped": msg}
            figs["set"] = name
            result["model"] = figs
            for mode in MODES:
                if mode in figs:
                    f = figs[mode]
                    print(f"model {mode:8s} replies {f['customer_replies']} (voiced {f['voiced_by_model']})  "
                          f"role breaks {f['role_break_rate']} {f['role_breaks_by_kind']}  leaks {f['leaks']}  "
                          f"raw rejected {f['raw_model_replies_rejected']}  "
                          f"{f['seconds_per_customer_reply']} s/reply ({f['seconds_per_model_voiced_reply']} s voiced)")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=dict) + "\n", encoding="utf-8")
    print(f"→ {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

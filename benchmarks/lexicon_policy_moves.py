"""The coach policy's word lists (staff, vague people, a state of the person) moved into the one
lexicon: do the lexicon's cues match exactly what the policy's own patterns matched?

    .venv/bin/python benchmarks/lexicon_policy_moves.py [--out benchmarks/results/lexicon_policy_before_after.json]

The patterns below are the policy's, as they stood before the move (assistant/coach/policy.py,
``_STAFF``, ``_VAGUE_PEOPLE``, ``_STATE_WORDS``). Each is compared with the lexicon cue that
replaces it, the way the policy uses it (``search`` for staff and states, ``match`` for vague
people), on every sentence and clause of the labelled sentences and the dev sets, and on the
person words the coach's turn reader finds in them. Reported: sentences checked, and each one
where the match (span and text) differs.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "lexicon_policy_before_after.json"
BEFORE = {
    "staff": (re.compile(r"保洁|员工|工人|师傅|阿姨|同事|销售|客服|店员|前台|护士|医生|司机|厨师|staff|employee|worker|team|"
                         r"colleague", re.I), "search"),
    "vague_people": (re.compile(r"^(?:家人|家里人|朋友|同事|员工|family|friends?|colleagues?|staff|team)$", re.I), "match"),
    "state_of_person": (re.compile(r"怀孕|生病|住院|坐月子|上学|退休|年纪大|受伤|过敏|刚出生|pregnant|retired|injured|allergic",
                                   re.I), "search"),
}
CORPUS = [ROOT / "assistant" / "understanding" / "data" / "customer_sentences.jsonl",
          ROOT / "benchmarks" / "data" / "extraction_dev.json", ROOT / "benchmarks" / "data" / "coach_dev.json"]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def corpus() -> list[str]:
    from assistant.coach.reading import find_person
    from assistant.understanding import lexicon

    texts: list[str] = []
    for path in CORPUS:
        if path.suffix == ".jsonl":
            texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        else:
            texts += list(_strings(json.loads(path.read_text(encoding="utf-8"))))
    out = set()
    for text in texts:
        for sentence in lexicon.sentences(text):
            out.add(sentence)
            out.update(c.strip() for c in re.split(r"[，,；;：:]", sentence) if c.strip())
            person = find_person(sentence)
            if person:
                out.add(person)  # the policy tests vague people and staff on the person word
    return sorted(out)


def _matches(pattern: re.Pattern, how: str, text: str):
    if how == "match":
        m = pattern.match(text)
        return [(m.span(), m.group(0))] if m else []
    return [(m.span(), m.group(0)) for m in pattern.finditer(text)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--coach-before", type=Path, help="benchmarks/coach_moves.py --out of the code before the move")
    parser.add_argument("--coach-after", type=Path, help="the same run after the move")
    args = parser.parse_args()
    from assistant.understanding import lexicon

    texts = corpus()
    result = {"what": "coach/policy.py _STAFF, _VAGUE_PEOPLE and _STATE_WORDS replaced by the lexicon cues staff, "
                      "vague_people and state_of_person (the entry the coach's turn reader already used; the policy "
                      "had its own copy of it); dev sets and the labelled sentences",
              "sentences_and_clauses": len(texts), "cues": {}}
    for name, (old, how) in BEFORE.items():
        new = lexicon.cue(name)
        differ = [{"text": t, "before": _matches(old, how, t), "after": _matches(new, how, t)}
                  for t in texts if _matches(old, how, t) != _matches(new, how, t)]
        result["cues"][name] = {"use": how, "matched_before": sum(bool(_matches(old, how, t)) for t in texts),
                                "matched_after": sum(bool(_matches(new, how, t)) for t in texts),
                                "identical": not differ, "differences": differ}
        print(f"{name:16s} {how:6s} matched {result['cues'][name]['matched_before']} → "
              f"{result['cues'][name]['matched_after']}; differences {len(differ)}")
    if args.coach_before and args.coach_after:  # the coach's moves and wording, set by set
        before = json.loads(args.coach_before.read_text(encoding="utf-8"))["sets"]
        after = json.loads(args.coach_after.read_text(encoding="utf-8"))["sets"]
        result["coach_moves"] = {
            "provider": "fake", "sets": sorted(before),
            "identical": {name: before[name] == after.get(name) for name in before},
            "figures": {name: {k: before[name].get(k) for k in ("suggestions", "pain_dig_rate", "echo_rate", "ask_ok_rate")}
                        for name in before},
        }
        print("coach moves identical:", result["coach_moves"]["identical"])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

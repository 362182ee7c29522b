"""Reading a trainee question's SPIN stage by meaning, where the stage cues are unsure.

The rules in ``classify`` know a stage from its words (影响, 如果……能, problem, worth …); many
questions carry none of them: "机器一停，后面的工序是不是全都得干等着？" asks for a consequence
(implication), "省下这些时间，您最想做什么？" for the value of a fix (need-payoff). This reader
is a small linear reader (``understanding.linear.LinearReader``) over the shipped embedder's
sentence vectors plus the four stage cues, a pitch cue and a two-part-question cue, learnt from
``data/spin_lines.jsonl`` (salesperson lines in Chinese and English across many trades, the
stage read from what the line asks for whatever its words; a stacked turn takes its deepest
stage) together with the hand-labelled dev lines ``tests/data/questions_zh.json`` and
``questions_en.json`` and ``data/spin_examples.json`` — never a held-out set. It ships as ``data/spin_reader.npz`` and is
rebuilt by ``python -m assistant.roleplay.spin`` (which prints the 5-fold figures the
combination below was chosen on); it also relearns at first use when the lines changed.

How it combines with the rules (``combine``): a question no stage cue matched (the rules fall
back to "situation") takes the reader's stage when the reader is at least ``FALLBACK_AT`` sure;
a question a cue did match keeps the cue's stage unless the reader says another stage with at
least ``OVERRIDE_AT``.
"""

from __future__ import annotations

import re
from pathlib import Path

from assistant.understanding.linear import Cue, LinearReader, jsonl_rows

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).with_name("data")
LINES = DATA / "spin_lines.jsonl"
EXAMPLES = DATA / "spin_examples.json"  # the dev lines plus lines written for stages the cues miss
SHIPPED = DATA / "spin_reader.npz"
DEV_FILES = (ROOT / "tests" / "data" / "questions_zh.json", ROOT / "tests" / "data" / "questions_en.json")
STAGES = ("situation", "problem", "implication", "need_payoff", "none")

# chosen on 5-fold out-of-fold probabilities over spin_lines.jsonl (1040 lines) + the dev lines
# (247), ``python -m assistant.roleplay.spin`` prints the sweep. Reader settings tried: (l2, steps)
# 1e-4/400, 3e-5/600, 1e-5/400 → reader alone 0.813/0.822/0.822 on the lines; with 3e-5/600 the
# two-part-question cue took it to 0.851 (dev 0.891). Combined: where no cue matched, the
# reader's stage beats the rules' default at any floor (fallback 0/0.3 equal, 0.5 loses 0.04 of
# the lines); overriding a cue from 0.7: lines 0.832 → 0.845, dev 0.951 → 0.947 (0.5: 0.844 /
# 0.927; 0.8: 0.841 / 0.951). Rules alone: lines 0.358, dev 0.879.
FALLBACK_AT = 0.0
OVERRIDE_AT = 0.7
CUE_SCALE = 0.3
L2 = 3e-5
STEPS = 600


CUES = (Cue.of("spin_situation"), Cue.of("spin_problem"), Cue.of("spin_implication"), Cue.of("spin_need_payoff"),
        Cue.of("pitch"), Cue("question", re.compile(r"[？?]")), Cue.of("spin_two_clauses"))


def dev_rows() -> list[dict]:
    import json

    out: list[dict] = []
    for path in DEV_FILES:
        if path.is_file():
            out += [{"text": i["text"], "spin": i["spin"]} for i in json.loads(path.read_text(encoding="utf-8"))["items"]]
    return out


def training_rows() -> list[dict]:
    """spin_lines.jsonl, then the dev lines and the earlier labelled examples not already in it."""
    import json

    rows = jsonl_rows(LINES)
    extra = dev_rows()
    if EXAMPLES.is_file():
        extra += [{"text": i["text"], "spin": i["spin"]} for i in json.loads(EXAMPLES.read_text(encoding="utf-8"))["items"]]
    seen = {r["text"] for r in rows}
    for r in extra:
        if r["text"] not in seen:
            seen.add(r["text"])
            rows.append(r)
    return rows


READER = LinearReader("SPIN stage", training_rows, lambda r: r["spin"], SHIPPED, CUES, CUE_SCALE, l2=L2, steps=STEPS)


def read(text: str) -> tuple[str | None, float]:
    """(stage, probability) by meaning; (None, 0.0) when the embedder cannot run."""
    return READER.best(text)


def combine(rule_stage: str, cue_matched: bool, reader: tuple[str | None, float],
            fallback_at: float | None = None, override_at: float | None = None) -> str:
    """The stage of a question from the rules' stage and the reader's (see the module docstring)."""
    fallback_at = FALLBACK_AT if fallback_at is None else fallback_at
    override_at = OVERRIDE_AT if override_at is None else override_at
    stage, p = reader
    if stage is None:
        return rule_stage
    if not cue_matched:
        return stage if p >= fallback_at else rule_stage
    return stage if stage != rule_stage and p >= override_at else rule_stage


def build() -> Path:
    return READER.build()


def calibrate(folds: int = 5) -> dict:
    """5-fold out-of-fold figures: rules alone, the reader alone, and rules + reader over a grid of
    (fallback_at, override_at); the rows are the training rows, each read by a model not fitted on it."""
    import numpy as np

    from assistant.roleplay.classify import classify, rule_spin

    rows = training_rows()
    f = READER.cross_validate(folds)
    classes = f.classes
    ours = {r["text"] for r in jsonl_rows(LINES)}
    gold = [r["spin"] for r in rows]
    rule = []
    for r in rows:
        qc = classify(r["text"])
        rule.append(rule_spin(r["text"].strip(), qc.is_question, qc.pitch))
    best = [(classes[int(i)], float(p.max())) for i, p in zip(f.p.argmax(1), f.p)]

    def predict(fallback_at: float, override_at: float) -> list[str]:  # as ``classify._spin`` combines them
        return [stage if stage == "none" else combine(stage, sure, b, fallback_at, override_at)
                for (stage, sure), b in zip(rule, best)]

    def acc(pred: list[str], subset: str) -> float:
        idx = [i for i, r in enumerate(rows) if (r["text"] in ours) == (subset == "lines")]
        return round(float(np.mean([pred[i] == gold[i] for i in idx])), 4)

    report: dict = {"rows": len(rows), "lines": len(ours), "folds": folds,
                    "rules": {s: acc([r[0] for r in rule], s) for s in ("lines", "dev")},
                    "reader_alone": {s: acc([b[0] for b in best], s) for s in ("lines", "dev")},
                    "grid": []}
    for fa in (0.0, 0.3, 0.5):
        for oa in (0.5, 0.6, 0.7, 0.8, 1.01):
            pred = predict(fa, oa)
            report["grid"].append({"fallback_at": fa, "override_at": oa,
                                   "lines": acc(pred, "lines"), "dev": acc(pred, "dev")})
    return report


if __name__ == "__main__":  # pragma: no cover
    import json

    print(json.dumps(calibrate(), indent=1))
    print(f"wrote {build()}")

"""`needs roleplay --check FILE`: problems in a scenario file, each with its line and the fix.

Schema errors come from the same model the trainer loads (scenario.py). The ``asks`` are
checked the way the trainer will use them: each ask is matched, leaving itself out, against
the scenario's other asks, summaries, hints and facts (intent.py); an ask that does not reach its own need,
or reaches another one, would make the customer misunderstand a trainee who says it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from assistant.roleplay.classify import classify
from assistant.roleplay.intent import FLOOR, MARGIN, RELATIVE, _background, need_index, public_index, strip_address
from assistant.roleplay.reveal import guessing_asks
from assistant.roleplay.scenario import Scenario

MIN_ASKS = 3
CLASH = 0.02  # an ask this much closer to another need's examples than to its own need's is an error


@dataclass
class Problem:
    line: int
    message: str
    fix: str
    severity: str = "error"  # or "warning"

    def render(self, path: Path) -> str:
        return f"{path}:{self.line}: {self.severity}: {self.message} — fix: {self.fix}"


def _node_at(root: Any, loc: tuple) -> Any:
    """The YAML node at a pydantic error location (as deep as it exists)."""
    node = root
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            nxt = next((v for k, v in node.value if getattr(k, "value", None) == str(key)), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            nxt = node.value[key]
        else:
            nxt = None
        if nxt is None:
            break
        node = nxt
    return node


def _line(root: Any, loc: tuple) -> int:
    node = _node_at(root, loc) if root is not None else None
    return node.start_mark.line + 1 if node is not None else 1


def check_file(path: Path) -> list[Problem]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return [Problem(1, f"cannot read the file: {exc}", "save it as UTF-8 text")]
    try:
        root = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        return [Problem(mark.line + 1 if mark else 1, f"not valid YAML: {getattr(exc, 'problem', exc)}",
                        "fix the indentation or quoting on that line")]
    if not isinstance(data, dict):
        return [Problem(1, "the file is not a mapping of fields", "start from knowledge/scenarios/jujube-old-lady.yaml")]
    try:
        scenario = Scenario.model_validate({**data, "path": str(path)})
    except ValidationError as exc:
        out = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            where = ".".join(map(str, loc)) or "(top level)"
            fix = ("add the field" if err["type"] == "missing"
                   else "compare it with the same field in knowledge/scenarios/jujube-old-lady.yaml")
            out.append(Problem(_line(root, loc), f"{where}: {err['msg']}", fix))
        return out
    problems: list[Problem] = []
    if scenario.id != path.stem:
        problems.append(Problem(_line(root, ("id",)), f"id {scenario.id!r} does not match the file name {path.name}",
                                f"rename the file to {scenario.id}.yaml or the id to {path.stem}"))
    return problems + check_scenario(scenario, root)


def check_scenario(scenario: Scenario, root: Any = None) -> list[Problem]:
    problems: list[Problem] = []
    if not scenario.deflections:
        problems.append(Problem(_line(root, ("objections",)), "no deflections",
                                "add `deflections:` — 2–4 in-character lines that put a question off without denying anything",
                                "warning"))
    for i, need in enumerate(scenario.hidden_needs):
        at = ("hidden_needs", i)
        if len(need.asks) < MIN_ASKS:
            problems.append(Problem(_line(root, (*at, "asks") if need.asks else at),
                                    f"need {need.id} has {len(need.asks)} asks",
                                    f"add at least {MIN_ASKS} natural ways a trainee might ask about it under `asks:`",
                                    "warning"))
        guessed = set(guessing_asks(need))
        for k, ask in enumerate(need.asks):
            if ask in guessed:
                problems.append(Problem(_line(root, (*at, "asks", k)),
                                        f"ask {ask!r} of {need.id} proposes the need's own answer: it shows the customer "
                                        "a guess as a genuine way to ask",
                                        "ask about the situation instead of naming the answer "
                                        "(who, what happened, how it goes today)", "warning"))
        if not need.never_say:
            problems.append(Problem(_line(root, at), f"need {need.id} has no never_say",
                                    "add `never_say:` — short lines that would contradict its facts", "warning"))
    problems += _check_asks(scenario, root)
    return problems


def _check_asks(scenario: Scenario, root: Any) -> list[Problem]:
    index = need_index(scenario)
    if len(index) < 2:
        return []
    matrix = index.matrix
    sims = matrix @ matrix.T
    np.fill_diagonal(sims, -1.0)  # leave the ask itself out
    background = np.maximum((matrix @ _background.matrix.T).max(axis=1), (matrix @ public_index(scenario).matrix.T).max(axis=1))
    problems: list[Problem] = []
    position = {n.id: i for i, n in enumerate(scenario.hidden_needs)}
    offsets: dict[str, int] = {}
    for row, (text, label) in enumerate(zip(index.texts, index.labels)):
        need = scenario.need(label)
        if text not in map(strip_address, need.asks):
            continue  # summaries, hints and facts are targets, not trainee lines
        k = offsets.get(label, 0)
        offsets[label] = k + 1
        line = _line(root, ("hidden_needs", position[label], "asks", k))
        best: dict[str, float] = {}
        for col, other in enumerate(index.labels):
            best[other] = max(best.get(other, -1.0), float(sims[row, col]))
        ranked = sorted(best.items(), key=lambda kv: -kv[1])
        top, score = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        relative = score - float(background[row])
        qc = classify(text)
        if not qc.is_question or qc.pitch or qc.form == "leading":
            kind = "a pitch" if qc.pitch else ("a leading question" if qc.form == "leading" else "not a question")
            problems.append(Problem(line, f"ask {text!r} of {label} reads as {kind}, which never releases a need",
                                    "write it as a plain question a curious trainee would ask"))
        elif top != label and relative >= RELATIVE and score >= FLOOR and score - best[label] >= CLASH:
            problems.append(Problem(line, f"ask {text!r} of {label} reaches {top} instead "
                                          f"({score:.2f} against {best[label]:.2f})",
                                    f"reword it so it is only about {label}, or move it under {top}"))
        elif top == label and (relative < RELATIVE or score < FLOOR or score - runner < MARGIN):
            problems.append(Problem(line, f"ask {text!r} does not reach {label} on its own "
                                          f"(closest {score:.2f}, background {score - relative:.2f})",
                                    f"add another ask for {label} phrased differently, or make this one more specific",
                                    "warning"))
        elif top != label:
            problems.append(Problem(line, f"ask {text!r} of {label} is closest to {top}, though not enough to release it",
                                    f"add asks for {label} that say what only it is about", "warning"))
    return problems

"""Scenario files (YAML) and their schema. A team can add its own folder via settings."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, Field, ValidationError, model_validator

from assistant.errors import InputError

QuestionKind = Literal[
    "open", "purpose", "user", "situation", "problem", "implication", "need_payoff", "confirmation"
]


class Reveal(BaseModel):
    question_types: list[QuestionKind] = Field(min_length=1)
    topics: list[str] = Field(min_length=1, description="keywords a good question about this need contains")
    min_trust: float = Field(0.3, ge=0.0, le=1.0)
    requires: list[str] = Field(default_factory=list)


class HiddenNeed(BaseModel):
    id: str
    summary: str
    dimension: Literal["functional", "form", "emotional", "price", "business"]
    owner: Literal["buyer", "user", "decision_maker", "customer_of_customer"]
    facts: list[str] = Field(min_length=1, max_length=3)
    hint: str
    asks: list[str] = Field(
        default_factory=list,
        description="natural ways a trainee might aim at this need; a line close to one in meaning releases it")
    never_say: list[str] = Field(
        default_factory=list,
        description="what would contradict the hidden facts; a customer reply close to one is rejected")
    reveal: Reveal


class Scenario(BaseModel):
    id: str
    title: str
    language: Literal["zh", "en"] = "zh"
    segment: Literal["B2C", "B2B"] = "B2C"
    trade: str = ""
    difficulty: int = Field(1, ge=1, le=3)
    starting_trust: float = Field(0.5, ge=0.0, le=1.0)
    max_turns: int = Field(10, ge=3, le=30)
    persona: str
    profile: str
    stated_request: str
    opening_line: str
    small_talk: list[str] = Field(min_length=1)
    hidden_needs: list[HiddenNeed] = Field(min_length=1, max_length=6)
    objections: list[str] = Field(min_length=1)
    deflections: list[str] = Field(
        default_factory=list,
        description="in-character lines that put a question off without denying anything")
    ideal_questions: list[str] = Field(default_factory=list)
    knowledge_refs: list[str] = Field(default_factory=list)
    debrief: str = ""
    path: str = ""

    @model_validator(mode="after")
    def _check(self) -> "Scenario":
        self.knowledge_refs = list(dict.fromkeys(self.knowledge_refs))
        ids = [n.id for n in self.hidden_needs]
        if len(set(ids)) != len(ids):
            raise ValueError("hidden need ids must be unique")
        for need in self.hidden_needs:
            unknown = set(need.reveal.requires) - set(ids)
            if unknown:
                raise ValueError(f"hidden need {need.id} requires unknown ids {sorted(unknown)}")
        return self

    def need(self, need_id: str) -> HiddenNeed:
        return next(n for n in self.hidden_needs if n.id == need_id)


def load_scenario(path: Path) -> Scenario:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(f"Scenario file {path.name} cannot be read: {exc}", fix="fix the YAML") from exc
    if not isinstance(data, dict):
        raise InputError(f"Scenario file {path.name} is not a mapping.", fix="see knowledge/scenarios/*.yaml")
    try:
        scenario = Scenario.model_validate({**data, "path": str(path)})
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()[:5])
        raise InputError(f"Scenario {path.name} is invalid: {problems}",
                         fix="compare it with knowledge/scenarios/jujube-old-lady.yaml") from exc
    if scenario.id != path.stem:
        raise InputError(f"Scenario id {scenario.id!r} does not match its file name {path.name}.",
                         fix="rename the file or the id")
    return scenario


def load_scenarios(*folders: Path) -> tuple[dict[str, Scenario], list[str]]:
    """All valid scenarios from the folders (later folders override ids), plus problems found."""
    found: dict[str, Scenario] = {}
    problems: list[str] = []
    for folder in folders:
        if not folder or not folder.is_dir():
            continue
        for path in sorted(list(folder.glob("*.yaml")) + list(folder.glob("*.yml")) + list(folder.glob("*.json"))):
            try:
                scenario = load_scenario(path)
            except InputError as exc:
                problems.append(str(exc))
                continue
            found[scenario.id] = scenario
    return found, problems

"""The scorecard: which hidden needs were uncovered and by which question, how the trainee
asked, and three pieces of feedback that each cite the knowledge base.

The arithmetic is fixed and shown to the trainee as a rubric:
  needs uncovered      50 × uncovered / total
  open questions       20 × open questions / questions asked
  probing              10 × min(1, probing questions / 2)   (purpose, user, problem, implication, need-payoff)
  no premature pitch   10 − 5 × premature pitches (not below 0)
  efficiency           10 × (1 − turns used / max turns) when every need was uncovered, else 0
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.coach.cards import Catalog
from assistant.knowledge.citation import cite_entry
from assistant.roleplay.scenario import Scenario


class TurnLabel(BaseModel):
    turn: int
    text: str
    labels: list[str]
    premature_pitch: bool = False


class NeedResult(BaseModel):
    id: str
    summary: str
    uncovered: bool
    turn: int | None = None
    question: str = ""


class RubricLine(BaseModel):
    criterion: str
    points: float
    max_points: float


class Feedback(BaseModel):
    text: str
    citation_id: str
    citation_title: str = ""
    citation_source: str = ""


class Scorecard(BaseModel):
    scenario: str
    hidden_needs: list[NeedResult]
    uncovered: int
    total: int
    question_types: list[TurnLabel]
    type_counts: dict[str, int] = Field(default_factory=dict)
    questions: int
    open_ratio: float
    premature_pitches: int
    talk_ratio: float
    turns_used: int
    max_turns: int
    rubric: list[RubricLine]
    score: float
    feedback: list[Feedback]
    walked_away: bool = False


PROBING = {"purpose", "user", "problem", "implication", "need_payoff"}


def compute(
    scenario: Scenario,
    labels: list[TurnLabel],
    revealed: dict[str, dict],
    trainee_chars: int,
    customer_chars: int,
    catalog: Catalog | None = None,
    walked_away: bool = False,
) -> Scorecard:
    zh = scenario.language == "zh"
    results = [
        NeedResult(id=n.id, summary=n.summary, uncovered=n.id in revealed,
                   turn=revealed.get(n.id, {}).get("turn"), question=revealed.get(n.id, {}).get("question", ""))
        for n in scenario.hidden_needs
    ]
    uncovered = sum(r.uncovered for r in results)
    total = len(results)
    counts: dict[str, int] = {}
    for label in labels:
        for name in label.labels:
            counts[name] = counts.get(name, 0) + 1
    questions = sum(1 for lab in labels if lab.labels and lab.labels[0] != "statement")
    open_q = counts.get("open", 0)
    probing = sum(1 for lab in labels if PROBING & set(lab.labels))
    premature = sum(1 for lab in labels if lab.premature_pitch)
    turns_used = len(labels)
    open_ratio = open_q / questions if questions else 0.0
    rubric = [
        RubricLine(criterion="找到隐藏需求" if zh else "Hidden needs uncovered",
                   points=round(50 * uncovered / total, 2), max_points=50),
        RubricLine(criterion="开放式提问" if zh else "Open questions",
                   points=round(20 * open_ratio, 2), max_points=20),
        RubricLine(criterion="探询用途/使用者/影响" if zh else "Probing (purpose, user, impact)",
                   points=round(10 * min(1.0, probing / 2), 2), max_points=10),
        RubricLine(criterion="没有过早推销" if zh else "No premature pitch",
                   points=float(max(0, 10 - 5 * premature)), max_points=10),
        RubricLine(criterion="效率" if zh else "Efficiency",
                   points=round(10 * max(0.0, 1 - turns_used / scenario.max_turns), 2)
                   if uncovered == total else 0.0, max_points=10),
    ]
    score = round(sum(line.points for line in rubric), 1)
    talk = trainee_chars / (trainee_chars + customer_chars) if (trainee_chars + customer_chars) else 0.0
    card = Scorecard(
        scenario=scenario.id, hidden_needs=results, uncovered=uncovered, total=total,
        question_types=labels, type_counts=counts, questions=questions, open_ratio=round(open_ratio, 3),
        premature_pitches=premature, talk_ratio=round(talk, 3), turns_used=turns_used,
        max_turns=scenario.max_turns, rubric=rubric, score=score, feedback=[], walked_away=walked_away,
    )
    card.feedback = feedback(card, scenario, catalog)
    return card


def feedback(card: Scorecard, scenario: Scenario, catalog: Catalog | None) -> list[Feedback]:
    """Three lines, most important first, each tied to a knowledge entry."""
    zh = scenario.language == "zh"
    missing = [r for r in card.hidden_needs if not r.uncovered]
    found = [r for r in card.hidden_needs if r.uncovered]
    ref = scenario.knowledge_refs[0] if scenario.knowledge_refs else "implicit-needs-majority"
    lines: list[tuple[str, str]] = []
    if card.premature_pitches:
        lines.append((
            f"你在了解用途和使用者之前推销了 {card.premature_pitches} 次。像卖枣的故事里那些摊主一样，夸产品不如先问客户要来做什么。"
            if zh else f"You pitched {card.premature_pitches} time(s) before learning what it was for and who it was for — "
            "like the sellers in the jujube story. Ask first.", "jujube-story"))
    if missing:
        topics = scenario.need(missing[0].id).reveal.topics
        fitting = [q for q in scenario.ideal_questions if any(t in q for t in topics)]
        ideal = (fitting or scenario.ideal_questions or [""])[0]
        lines.append((
            f"还有 {len(missing)} 个需求没挖到（{missing[0].summary}）。试试这样问：{ideal}" if zh
            else f"{len(missing)} need(s) stayed hidden ({missing[0].summary}). Try: {ideal}", ref))
    if card.questions and card.open_ratio < 0.5:
        lines.append((
            "开放式问题不到一半。多问“什么、怎么、为什么、给谁”，让客户多说。" if zh
            else "Less than half of your questions were open. Ask what, how, why and who to let the customer talk.",
            "ask-open-start"))
    if card.type_counts.get("stacked"):
        lines.append(("有的回合一次问了好几个问题，客户只会回答其中一个：一次只问一个。" if zh
                      else "Some turns stacked several questions; the customer answers only one. Ask one at a time.",
                      "abstract-question-pitfall"))
    if scenario.segment == "B2B" and not card.type_counts.get("implication"):
        lines.append(("没有问“不解决会怎样”。对企业客户，影响和损失才让需求变得清楚、紧迫。" if zh
                      else "You never asked what happens if it stays unsolved; for business buyers that makes the need urgent.",
                      "ask-impact-if-unsolved"))
    if found:
        best = found[0]
        lines.append((
            f"做得好：第 {best.turn} 轮的问题“{best.question}”挖出了“{best.summary}”。" if zh
            else f"Well done: your question in turn {best.turn} (“{best.question}”) uncovered “{best.summary}”.",
            "buyer-vs-user" if best.id else ref))
    if card.talk_ratio > 0.6:
        lines.append(("你说得比客户多。少说多问，把时间留给客户。" if zh
                      else "You talked more than the customer. Talk less, ask more.", "implicit-needs-majority"))
    lines.append((scenario.debrief or ("先问后推荐。" if zh else "Ask before you pitch."), ref))
    out: list[Feedback] = []
    for text, cite in lines[:3]:
        entry = catalog.get(cite) if catalog else None
        out.append(Feedback(
            text=text, citation_id=cite,
            citation_title=entry.title(scenario.language) if entry else "",
            citation_source=cite_entry(entry, scenario.language).source_text if entry else "",
        ))
    return out

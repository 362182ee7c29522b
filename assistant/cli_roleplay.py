"""`needs roleplay`: practise uncovering hidden needs against a simulated customer."""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from assistant.errors import InputError, NeedsError

app = typer.Typer()
console = Console()
err = Console(stderr=True)


def _services():
    from assistant.settings import load_settings
    from assistant.services import Services

    return Services(load_settings())


@app.command()
def roleplay(
    scenario: Optional[str] = typer.Option(None, "--scenario", "-s", help="Scenario id (see --list)."),
    list_: bool = typer.Option(False, "--list", help="List the scenarios."),
    script: Optional[Path] = typer.Option(None, "--script", help="File with the trainee's lines, one per line."),
    as_json: bool = typer.Option(False, "--json", help="Print the attempt and scorecard as JSON."),
    trainee: str = typer.Option("", "--trainee", help="Your name, stored with the attempt."),
) -> None:
    """Role-play a customer with hidden needs; uncover them by asking. /score or /quit to finish."""
    services = _services()
    rp = services.roleplay
    if list_:
        table = Table(title="陪练场景 Scenarios")
        for col in ("id", "title", "lang", "segment", "trade", "difficulty", "needs"):
            table.add_column(col)
        for sc in rp.scenarios().values():
            table.add_row(sc.id, sc.title, sc.language, sc.segment, sc.trade, "★" * sc.difficulty,
                          str(len(sc.hidden_needs)))
        console.print(table)
        for problem in rp.problems:
            err.print(f"[yellow]{problem}[/]")
        return
    if not scenario:
        raise InputError("No scenario chosen.", fix="needs roleplay --list, then needs roleplay --scenario ID")
    sc = rp.scenario(scenario)
    attempt = rp.start(sc.id, trainee=trainee or getpass.getuser())
    if script is not None:
        try:
            lines = [line.strip() for line in script.read_text(encoding="utf-8").splitlines() if line.strip()]
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"Cannot read {script}: {exc}", fix="use a UTF-8 text file, one line per turn") from exc
        for line in lines:
            turn = rp.ask(attempt, line)
            if not as_json:
                console.print(f"[cyan]销售 ›[/] {line}\n[magenta]客户 ›[/] {turn.reply}")
            if turn.finished:
                break
        card = rp.finish(attempt)
        if as_json:
            turns = [{"role": t.role, "text": t.text} for t in services.needlog.turns(attempt)]
            payload = {
                "scenario": sc.id,
                "turns": turns,
                "hidden_needs": [{"id": r.id, "uncovered": r.uncovered, "turn": r.turn} for r in card.hidden_needs],
                "question_types": [lab.labels for lab in card.question_types],
                "premature_pitches": card.premature_pitches,
                "score": card.score,
                "feedback": [f.text for f in card.feedback],
                "scorecard": card.model_dump(mode="json"),
            }
            sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        else:
            print_scorecard(card)
        return
    console.print(f"[bold]{sc.title}[/] — {sc.profile.strip()}\n[dim]/score 结束并评分 · /quit 退出[/]")
    console.print(f"[magenta]客户 ›[/] {sc.opening_line}")
    while True:
        try:
            line = console.input("[cyan]销售 › [/]")
        except (EOFError, KeyboardInterrupt):
            break
        if line.strip() in ("/quit", "/q", "/score", "/exit"):
            break
        try:
            turn = rp.ask(attempt, line)
        except NeedsError as exc:
            err.print(f"[red]{exc}[/]")
            continue
        console.print(f"[magenta]客户 ›[/] {turn.reply}   [dim](信任 trust {turn.trust:.2f})[/]")
        if turn.finished:
            break
    print_scorecard(rp.finish(attempt))


def print_scorecard(card) -> None:
    console.print(f"\n[bold]得分 Score: {card.score}/100[/]  需求 {card.uncovered}/{card.total}  "
                  f"开放式 {card.open_ratio:.0%}  过早推销 {card.premature_pitches}  说话占比 {card.talk_ratio:.0%}")
    table = Table(title="隐藏需求 Hidden needs")
    for col in ("need", "uncovered", "turn", "question"):
        table.add_column(col, overflow="fold")
    for r in card.hidden_needs:
        table.add_row(r.summary, "✓" if r.uncovered else "✗", str(r.turn or ""), r.question)
    console.print(table)
    rubric = Table(title="评分标准 Rubric")
    for col in ("criterion", "points", "max"):
        rubric.add_column(col)
    for line in card.rubric:
        rubric.add_row(line.criterion, f"{line.points:g}", f"{line.max_points:g}")
    console.print(rubric)
    for i, f in enumerate(card.feedback, 1):
        cite = f"（{f.citation_title} · {f.citation_source}）" if f.citation_title else f"（{f.citation_id}）"
        console.print(f"{i}. {f.text} {cite}")

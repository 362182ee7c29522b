"""`needs chat`, `needs extract` and `needs log …`: the coach and the need log in a terminal."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Optional, get_args

import typer
from rich.console import Console
from rich.table import Table

from assistant.errors import InputError, NeedsError
from assistant.needs.records import (
    DIMENSION_LABELS,
    KIND_LABELS,
    OWNER_LABELS,
    STATUS_LABELS,
    NeedRecord,
    Source,
)

app = typer.Typer()
log_app = typer.Typer(help="Review and export the need log.", no_args_is_help=True)
app.add_typer(log_app, name="log")
user_app = typer.Typer(help="Web app users: salespeople, trainees, managers.", no_args_is_help=True)
app.add_typer(user_app, name="user")

console = Console()
err = Console(stderr=True)


def _services(**overrides):
    from assistant.services import Services
    from assistant.settings import load_settings

    settings = load_settings()
    if overrides:
        settings = settings.model_copy(update={k: v for k, v in overrides.items() if v is not None})
    return Services(settings)


def needs_table(needs: list[NeedRecord], language: str = "zh", title: str = "") -> Table:
    zh = language == "zh"
    table = Table(title=title or ("已记录的需求" if zh else "Needs logged"), show_lines=False)
    for col in (("需求", "need"), ("类型", "kind"), ("维度", "dimension"), ("归属", "owner"),
                ("状态", "status"), ("证据", "evidence")):
        table.add_column(col[0] if zh else col[1], overflow="fold")
    i = 0 if zh else 1
    for n in needs:
        table.add_row(
            n.statement, KIND_LABELS[n.kind][i], DIMENSION_LABELS[n.dimension][i],
            OWNER_LABELS[n.owner][i], STATUS_LABELS[n.status][i],
            " ".join(f"[{e.turn}]“{e.quote}”" for e in n.evidence),
        )
    return table


def slots_table(state) -> Table:
    from assistant.coach.state import SLOT_LABELS

    zh = state.language == "zh"
    table = Table(title="发现进度" if zh else "Discovery board")
    table.add_column("项" if zh else "slot")
    table.add_column("状态" if zh else "status")
    table.add_column("内容" if zh else "what we know", overflow="fold")
    marks = {"unknown": "·", "partial": "◐", "confirmed": "●"}
    for name in state.relevant_slots():
        slot = state.slots[name]
        table.add_row(SLOT_LABELS[name][0 if zh else 1], f"{marks[slot.status]} {slot.status}", slot.value)
    return table


CHAT_HELP = {
    "live": ("把客户说的话告诉我（/me 开头表示你自己说的话）。/plan 问题清单 · /needs 需求 · /board 进度 · /help 帮助 · /quit 退出",
             "Tell me what the customer said (/me for your own words). /plan · /needs · /board · /help · /quit"),
    "prep": ("说说这位客户和他要的东西，我先问你几个问题，再给你一份提问清单（/plan）。/help 帮助 · /quit 退出",
             "Describe the customer and the request; I'll ask what you know, then /plan gives a question plan. /help · /quit"),
}
COMMANDS = ("/me", "/plan", "/needs", "/board", "/help", "/quit", "/exit", "/q")


def conversation_language(lines: list[str]) -> str | None:
    """The language most of a conversation's lines are in (None for no words): a script or
    messages in English get an English coach whatever the interface language."""
    from assistant.understanding.lexicon import language_of

    said = [language_of(text) for text in lines if text.strip()]
    return max(("zh", "en"), key=said.count) if said else None


@app.command()
def chat(
    mode: str = typer.Option("live", "--mode", help="live: relay what the customer says; prep: plan a meeting."),
    account: Optional[str] = typer.Option(None, "--account", help="Customer or account name."),
    segment: str = typer.Option("", "--segment", help="B2B or B2C (guessed from the words if empty)."),
    author: str = typer.Option("", "--author", help="Your name, stored with the needs."),
    message: Optional[list[str]] = typer.Option(
        None, "--message", "-m", help="Relay these messages and exit (repeatable); omit to chat."
    ),
    script: Optional[Path] = typer.Option(
        None, "--script", help="Play a conversation turn by turn: lines 客户：…/销售：… or a JSON transcript."
    ),
    as_json: bool = typer.Option(False, "--json", help="With --script: print the turns, moves and needs as JSON."),
    language: Optional[str] = typer.Option(
        None, "--language", help="zh or en (default: the language of the script or messages, else NEEDS_UI_LANGUAGE)."),
) -> None:
    """Coach chat: type what the customer said; the coach suggests the next question and logs needs.

    Commands inside the chat: /me TEXT (what you said), /plan (question plan), /needs, /board, /help, /quit.
    With --script, each customer line gets the coach's suggestion; where two customer lines follow
    each other, the coach's suggestion in between is taken as what the salesperson said.
    """
    if mode not in ("live", "prep"):
        raise NeedsError(f"Unknown mode {mode!r}.", fix="use --mode live or --mode prep")
    if as_json and script is None:
        raise InputError("--json needs --script.", fix="needs chat --script FILE --json")
    transcript = None
    if script is not None:
        from assistant.needs.transcript import read_transcript

        transcript = read_transcript(script)  # a bad file is refused before anything is stored
        from assistant.coach.service import COMMAND

        for line in transcript.turns:
            if COMMAND.match(line.text.strip()):
                raise InputError(f"Turn {line.n} of {script.name} is a chat command, not words: "
                                 f"{line.text.strip()[:30]!r}.", fix="remove it (try /help in `needs chat`)")
    services = _services()
    said = [t.text for t in transcript.turns] if transcript is not None else list(message or [])
    lang = language or conversation_language(said) or services.settings.ui_language
    zh = lang == "zh"
    import getpass

    coach = services.coach
    cid = coach.start(mode=mode, account=account, author=author or getpass.getuser(), language=lang,
                      segment=segment.upper())

    def relay(text: str, speaker: str = "customer") -> None:
        turn = coach.relay(cid, text, speaker=speaker)  # type: ignore[arg-type]
        for piece in turn.reply():
            console.print(piece, end="", markup=False, highlight=False)
        console.print()
        if turn.new_needs:
            console.print(needs_table(turn.new_needs, lang, "新记录的需求" if zh else "New needs"))

    if transcript is not None:
        play_script(coach, cid, transcript, as_json=as_json, language=lang)
        return
    if message:
        for text in message:
            relay(text)
        console.print(slots_table(coach.state(cid)))
        return
    intro = CHAT_HELP[mode]
    console.print(f"[bold]需求洞察助手[/] #{cid} — {intro[0 if zh else 1]}")
    while True:
        try:
            text = console.input("[cyan]› [/]")
        except (EOFError, KeyboardInterrupt):
            console.print()
            break
        command = text.strip()
        try:
            if command in ("/quit", "/exit", "/q"):
                break
            if command == "/help":
                console.print(intro[0 if zh else 1], markup=False)
            elif command == "/needs":
                console.print(needs_table(coach.needs(cid), lang))
            elif command == "/board":
                console.print(slots_table(coach.state(cid)))
            elif command == "/plan":
                print_plan(coach.plan(cid), zh)
            elif command.startswith("/me "):
                relay(command[4:], speaker="sales")
            elif command.startswith("/"):
                name = command.split()[0]
                err.print(f"未知命令 {name}，输入 /help 查看可用命令" if zh else f"unknown command {name}, try /help",
                          markup=False)
            elif command:
                relay(text)
        except NeedsError as exc:
            err.print(f"[red]{exc}[/]")


def play_script(coach, cid: int, transcript, *, as_json: bool, language: str) -> None:
    """Play a transcript turn by turn: salesperson lines are relayed as said; each customer line
    gets the coach's move and suggestion (taken as said when the next line is the customer's too)."""
    zh = language == "zh"
    turns = []
    for line in transcript.turns:
        if line.role == "sales":
            coach.record_sales(cid, line.text)
            turns.append({"role": "sales", "text": line.text, "suggestion": None, "move": None})
            if not as_json:
                console.print(f"[dim]{'销售' if zh else 'Sales'}：{line.text}[/]", highlight=False)
            continue
        turn = coach.relay(cid, line.text, speaker="customer")
        text = "".join(turn.reply())
        move = turn.move
        turns.append({"role": "customer", "text": line.text, "suggestion": turn.suggestion,
                      "move": {"kind": move.kind, "slot": move.slot, "question_type": move.question_type,
                               "builds_on": move.builds_on}})
        if not as_json:
            console.print(f"{'客户' if zh else 'Customer'}：{line.text}", markup=False, highlight=False)
            console.print(text, markup=False, highlight=False)
    needs = coach.needs(cid)
    if as_json:
        payload = {"conversation": cid, "turns": turns, "needs": [n.model_dump(mode="json") for n in needs]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    console.print(needs_table(needs, language))


def print_plan(plan, zh: bool) -> None:
    table = Table(title="提问清单" if zh else "Question plan", show_lines=True)
    for col in (("#", "#"), ("问题", "question"), ("目的", "purpose"), ("为什么", "why"), ("依据", "source")):
        table.add_column(col[0] if zh else col[1], overflow="fold")
    for item in plan.questions:
        table.add_row(str(item.order), item.question, item.purpose, item.why, item.citation)
    console.print(table)
    if plan.hypotheses:
        console.print("[bold]" + ("待验证的隐性需求假设" if zh else "Implicit-need hypotheses to verify") + "[/]")
        for h in plan.hypotheses:
            console.print(f"  • {h}")


@app.command()
def extract(
    file: Optional[Path] = typer.Argument(None, help="Transcript: JSON {\"turns\": [...]} or lines 客户：/销售："),
    as_json: bool = typer.Option(False, "--json", help="Print {\"needs\": [...]} as JSON."),
    save: bool = typer.Option(False, "--save", help="Also log the needs (source: import)."),
    account: Optional[str] = typer.Option(None, "--account"),
    author: str = typer.Option("", "--author"),
    method: Optional[str] = typer.Option(None, "--method", help="hybrid | model | rules (default: setting)."),
    pending: bool = typer.Option(False, "--pending", help="Finish extraction of turns left pending."),
) -> None:
    """Extract needs from a transcript (every quote verified verbatim against customer turns)."""
    from assistant.needs.extract import NeedExtractor
    from assistant.needs.transcript import read_transcript

    services = _services(extraction=method)
    if pending:
        done = services.coach.complete_pending()
        console.print(f"{done} pending turn(s) processed.")
        return
    if file is None:
        raise InputError("No transcript file given.", fix="needs extract FILE [--json] (or --pending)")
    transcript = read_transcript(file)
    model = None if services.settings.extraction in ("rules", "semantic") else services.chat_model()
    outcome = NeedExtractor(model, method=services.settings.extraction, retries=services.settings.max_retries,
                            model_restate=True).extract(transcript)
    records: list[NeedRecord]
    if save:
        log = services.needlog
        cid = log.create_conversation(kind="import", mode="import", account=account, author=author,
                                      title=file.name)
        for turn in transcript.turns:
            log.add_turn(cid, turn.role, turn.text, extraction="done" if turn.role == "customer" else "none")
        records = log.record_needs(cid, outcome.needs, source="import", author=author, account=account)
        from assistant.accounts.open_items import after_conversation

        after_conversation(log, cid)  # open items, and the needs the customer agreed to
        records = [log.get_need(r.id) for r in records]
    else:
        records = [
            NeedRecord(statement=n.statement, kind=n.kind, dimension=n.dimension, owner=n.owner,
                       motive=n.motive, evidence=n.evidence, confidence=n.confidence, source="import",
                       status="stated", account=account, author=author)
            for n in outcome.needs
        ]
    if as_json:
        payload = {"needs": [r.model_dump(mode="json") for r in records], "method": outcome.method,
                   "dropped": [{"statement": s, "reason": r} for s, r in outcome.dropped]}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    console.print(needs_table(records))
    console.print(f"[dim]method: {outcome.method}; dropped: {len(outcome.dropped)}[/]")


@app.command()
def learn(as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON.")) -> None:
    """Retrain the sentence classifier with the managers' corrections from the need log."""
    from assistant.understanding.classifier import learn as retrain

    services = _services()
    corrections = services.needlog.corrections_as_examples()
    report = retrain(corrections, services.settings.data_dir)
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"{report['corrections']} correction(s); held-apart sentences: {report['held_apart']}")
    table.add_column("")
    table.add_column("before")
    table.add_column("after")
    for key in ("is_need", "kind", "dimension", "owner", "acts_f1", "slots_f1"):
        table.add_row(key, f"{report['before'].get(key, 0):.3f}", f"{report['after'].get(key, 0):.3f}")
    console.print(table)
    if "corrections_after" in report:
        b, a = report["corrections_before"], report["corrections_after"]
        console.print("corrected sentences read as corrected — "
                      + ", ".join(f"{k} {b.get(k, 0):.3f} → {a.get(k, 0):.3f}" for k in ("is_need", "dimension", "owner")))
    console.print(f"[dim]model saved to {report['path']}[/]")


def _filters(account, author, dimension, kind, status, source, since, until):
    from assistant.needs.log import NeedFilter

    def parse(value: Optional[str]) -> Optional[date]:
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InputError(f"Bad date {value!r}.", fix="use YYYY-MM-DD") from None

    allowed = {"dimension": list(DIMENSION_LABELS), "kind": list(KIND_LABELS), "status": list(STATUS_LABELS),
               "source": list(get_args(Source))}
    for option, value in (("dimension", dimension), ("kind", kind), ("status", status), ("source", source)):
        if value is not None and value not in allowed[option]:
            raise InputError(f"Unknown --{option} {value!r}.",
                             fix=f"use one of: {', '.join(allowed[option])}")
    return NeedFilter(account=account, author=author, dimension=dimension, kind=kind, status=status,
                      source=source, since=parse(since), until=parse(until))



_FILTER_HELP = {
    "account": "Only this account.", "author": "Only this salesperson.",
    "dimension": "functional | form | emotional | price | business", "kind": "explicit | implicit",
    "status": "hypothesis | confirmed | addressed", "source": "prep | live | roleplay | import",
    "since": "From date YYYY-MM-DD.", "until": "To date YYYY-MM-DD.",
}


@log_app.command("list")
def log_list(
    account: Optional[str] = typer.Option(None, help=_FILTER_HELP["account"]),
    author: Optional[str] = typer.Option(None, help=_FILTER_HELP["author"]),
    dimension: Optional[str] = typer.Option(None, help=_FILTER_HELP["dimension"]),
    kind: Optional[str] = typer.Option(None, help=_FILTER_HELP["kind"]),
    status: Optional[str] = typer.Option(None, help=_FILTER_HELP["status"]),
    source: Optional[str] = typer.Option(None, help=_FILTER_HELP["source"]),
    since: Optional[str] = typer.Option(None, help=_FILTER_HELP["since"]),
    until: Optional[str] = typer.Option(None, help=_FILTER_HELP["until"]),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List logged needs, newest first."""
    needs = _services().needlog.needs(_filters(account, author, dimension, kind, status, source, since, until))
    if as_json:
        sys.stdout.write(json.dumps({"needs": [n.model_dump(mode="json") for n in needs]},
                                    ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(title=f"{len(needs)} needs")
    for col in ("id", "account", "author", "need", "kind", "dimension", "status", "source", "date"):
        table.add_column(col, overflow="fold")
    for n in needs:
        table.add_row(n.id[:8], n.account or "", n.author, n.statement, n.kind, n.dimension, n.status,
                      n.source, n.created_at.date().isoformat())
    console.print(table)


@log_app.command("show")
def log_show(need_id: str = typer.Argument(..., help="Need id (the first 8 characters suffice).")) -> None:
    """One need with its evidence and its edit history."""
    services = _services()
    need = services.needlog.get_need(need_id)
    console.print_json(json.dumps(need.model_dump(mode="json"), ensure_ascii=False))
    edits = services.needlog.audit(need.id)
    if edits:
        table = Table(title="edits")
        for col in ("at", "editor", "field", "old", "new", "note"):
            table.add_column(col, overflow="fold")
        for e in edits:
            table.add_row(e.at.isoformat(timespec="seconds"), e.editor, e.field, e.old_value, e.new_value, e.note)
        console.print(table)


@log_app.command("export")
def log_export(
    fmt: str = typer.Option("csv", "--format", "-f", help="csv | json | xlsx"),
    out: Path = typer.Option(..., "--out", "-o", help="File to write."),
    account: Optional[str] = typer.Option(None, help=_FILTER_HELP["account"]),
    author: Optional[str] = typer.Option(None, help=_FILTER_HELP["author"]),
    dimension: Optional[str] = typer.Option(None, help=_FILTER_HELP["dimension"]),
    kind: Optional[str] = typer.Option(None, help=_FILTER_HELP["kind"]),
    status: Optional[str] = typer.Option(None, help=_FILTER_HELP["status"]),
    source: Optional[str] = typer.Option(None, help=_FILTER_HELP["source"]),
    since: Optional[str] = typer.Option(None, help=_FILTER_HELP["since"]),
    until: Optional[str] = typer.Option(None, help=_FILTER_HELP["until"]),
) -> None:
    """Export the (filtered) need log; spreadsheet formulas in cells are neutralised."""
    from assistant.needs.log import export_needs

    if fmt not in ("csv", "json", "xlsx"):
        raise InputError(f"Unknown format {fmt!r}.", fix="use --format csv, json or xlsx")
    needs = _services().needlog.needs(_filters(account, author, dimension, kind, status, source, since, until))
    export_needs(needs, fmt, out)  # type: ignore[arg-type]
    console.print(f"[green]✓[/] {len(needs)} needs → {out}")


@user_app.command("add")
def user_add(
    username: str = typer.Argument(..., help="Sign-in name."),
    role: str = typer.Option("sales", "--role", help="sales | trainee | manager"),
    name: str = typer.Option("", "--name", help="Display name."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
) -> None:
    """Create a user (the first manager is created this way)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    person = _services().users.add(username, password, role=role, display_name=name)
    console.print(f"[green]✓[/] {person.username} ({person.role})")


@user_app.command("list")
def user_list() -> None:
    """List users, their roles and whether sign-in is locked."""
    users = _services().users
    locked = {lock.username: lock for lock in users.locked()}
    table = Table()
    for col in ("user", "name", "role", "sign-in"):
        table.add_column(col)
    for p in users.all():
        lock = locked.get(p.username)
        state = f"locked until {lock.locked_until.astimezone():%H:%M}" if lock else "ok"
        table.add_row(p.username, p.display_name, p.role, state)
    console.print(table)


@user_app.command("unlock")
def user_unlock(username: str = typer.Argument(..., help="The locked user name.")) -> None:
    """Unlock a user name locked after failed sign-ins (its failures are forgotten)."""
    import getpass

    was_locked = _services().users.unlock(username, actor=getpass.getuser())
    console.print(f"[green]✓[/] {username} unlocked" if was_locked
                  else f"{username} was not locked; its failed sign-ins are cleared")


@user_app.command("password")
def user_password(
    username: str = typer.Argument(...),
    password_stdin: bool = typer.Option(False, "--password-stdin"),
) -> None:
    """Set a new password."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else typer.prompt(
        "New password", hide_input=True, confirmation_prompt=True)
    _services().users.set_password(username, password)
    console.print("[green]✓[/] password changed")

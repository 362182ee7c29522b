"""`needs brief`, `needs accounts …` and `needs log move`: account memory in a terminal."""

from __future__ import annotations

import json
import sys
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from assistant.cli_needs import _services, log_app
from assistant.errors import InputError

app = typer.Typer()
accounts_app = typer.Typer(help="Accounts: their needs over time and the manager's watch lists.",
                           no_args_is_help=True)
app.add_typer(accounts_app, name="accounts")

console = Console()

_AS_HELP = "See what this user may see (a salesperson: their own accounts). Default: the whole team."


def _person(services, username: Optional[str]):
    if not username:
        return None
    for person in services.users.all():
        if person.username == username:
            return person
    raise InputError(f"No user {username!r}.", fix="`needs user list` shows the users")


@log_app.command("move")
def log_move(
    need_id: str = typer.Argument(..., help="Need id (the first 8 characters suffice)."),
    state: str = typer.Argument(..., help="hypothesis | stated | confirmed | in_solution | proposed | won | "
                                          "lost | delivered | dropped"),
    reason: str = typer.Option("", "--reason", "-r", help="Why (required for dropped and lost)."),
    editor: str = typer.Option("cli", "--by", help="Who moves it (written to the audit trail)."),
) -> None:
    """Move a need through its life; the dated move is kept in the audit trail."""
    need = _services().needlog.move_need(need_id, state, actor=editor, reason=reason, via="cli")
    console.print(f"{need.id[:8]} {escape(need.statement)} → [bold]{need.lifecycle}[/] "
                  f"(status {need.status}, LTC {need.ltc_stage})")


@log_app.command("trail")
def log_trail(need_id: str = typer.Argument(..., help="Need id (the first 8 characters suffice).")) -> None:
    """A need's dated moves (hypothesis → confirmed → …)."""
    services = _services()
    need = services.needlog.get_need(need_id)
    table = Table(title=need.statement)
    for col in ("at", "from", "to", "by", "via", "reason"):
        table.add_column(col, overflow="fold")
    for t in services.needlog.transitions(need.id):
        table.add_row(t.at.isoformat(timespec="minutes"), t.from_state, t.to_state, t.actor, t.via, t.reason)
    console.print(table)


@app.command()
def brief(
    account: str = typer.Argument(..., help="The account's name as logged."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    as_user: Optional[str] = typer.Option(None, "--as", help=_AS_HELP),
    phrase: bool = typer.Option(True, "--phrase/--no-phrase",
                                help="Let the model phrase the questions (checked; cards otherwise)."),
    size: int = typer.Option(7, "--size", min=5, max=8, help="How many questions (5-8)."),
    language: str = typer.Option("zh", "--language", help="zh | en"),
) -> None:
    """A pre-meeting brief from what the team already knows about ACCOUNT."""
    from assistant.accounts.brief import build_brief
    from assistant.accounts.memory import AccountMemory

    services = _services()
    person = _person(services, as_user)
    result = build_brief(AccountMemory(services.needlog), account, person, services.catalog,
                         model=services.chat_model() if phrase else None, language=language, size=size,
                         retries=min(1, services.settings.max_retries))
    if as_json:
        sys.stdout.write(json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n")
        return
    zh = language == "zh"
    console.print(f"[bold]{escape(result.account)}[/] {escape(result.trade)} {result.segment}  "
                  + (f"上次联系 {result.last_contact:%Y-%m-%d}" if result.last_contact else ""))
    for title, items in ((("已知（已确认）" if zh else "Known"), result.known),
                         (("待验证" if zh else "To verify"), result.to_verify)):
        console.print(f"\n[bold]{title}[/]")
        for n in items:
            quotes = " ".join(f"“{e['quote']}”" for e in n.evidence[:2])
            console.print(f"  • {escape(n.statement)} [dim]{n.state} {escape(quotes)}[/]")
    if result.left_open:
        console.print("\n[bold]" + ("上次留下的" if zh else "Left open") + "[/]")
        for text in result.left_open:
            console.print(f"  • {escape(text)}")
    console.print("\n[bold]" + ("这次要问" if zh else "Questions") + "[/]")
    for i, q in enumerate(result.questions, 1):
        console.print(f"  {i}. {escape(q.question)}\n     [dim]{escape(q.why)} — {escape(q.citation)}[/]")
    if result.similar:
        console.print("\n[bold]" + ("同类客户还提到过…" if zh else "Similar accounts also mentioned…") + "[/]")
        for h in result.similar:
            who = ", ".join(h.accounts) + (f" +{h.hidden_accounts}" if h.hidden_accounts else "")
            said = "; ".join(f"{e['account']} {e['date']}：“{e['quote']}”" for e in h.evidence[:2] if e.get("quote"))
            console.print(f"  • {escape(h.statement)} [dim]({escape(who)}{'; ' + escape(said) if said else ''})[/]")
            if h.why:
                console.print(f"    [dim]{escape(h.why)}[/]")
    for h in result.from_knowledge:
        console.print(f"  • {escape(h.statement)} [dim]({escape(h.source)})[/]")


@accounts_app.command("list")
def accounts_list(as_user: Optional[str] = typer.Option(None, "--as", help=_AS_HELP)) -> None:
    """The accounts you can see."""
    from assistant.accounts.memory import AccountMemory

    services = _services()
    for name in AccountMemory(services.needlog).account_names(_person(services, as_user)):
        console.print(escape(name))


@accounts_app.command("trade")
def accounts_trade(account: str = typer.Argument(...), trade: str = typer.Argument(..., help="e.g. 酒店")) -> None:
    """Set an account's trade (similar accounts are found by it)."""
    _services().needlog.set_account_trade(account, trade)
    console.print(f"{escape(account)}: {escape(trade)}")


@accounts_app.command("watch")
def accounts_watch(
    days: int = typer.Option(14, "--days", min=0, help="Stuck / not contacted after this many days."),
    as_user: Optional[str] = typer.Option(None, "--as", help=_AS_HELP),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Accounts with unverified implicit needs, needs stuck in a stage, accounts not contacted."""
    from assistant.accounts.memory import AccountMemory

    services = _services()
    memory, person = AccountMemory(services.needlog), _person(services, as_user)
    payload = {"unverified_implicit": memory.unverified_implicit(person),
               "stuck": memory.stuck(days, person), "not_contacted": memory.not_contacted(days, person)}
    if as_json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    for key, rows in payload.items():
        console.print(f"\n[bold]{key}[/] ({len(rows)})")
        for row in rows[:50]:
            console.print("  " + escape(" · ".join(str(v) for v in row.values())))


@accounts_app.command("open")
def accounts_open(
    account: str = typer.Argument(..., help="The account's name as logged."),
    show_all: bool = typer.Option(False, "--all", help="Closed items too."),
    as_user: Optional[str] = typer.Option(None, "--as", help=_AS_HELP),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """What the account's conversations left open, with where each came from.

    Promises, unanswered questions, topics put off and unconfirmed hypotheses, each with its
    meeting, speaker and words."""
    from assistant.accounts.open_items import KIND_LABELS, OpenItems

    services = _services()
    items = OpenItems(services.needlog).of_account(account, _person(services, as_user),
                                                   status=None if show_all else "open", limit=500)
    if as_json:
        sys.stdout.write(json.dumps([i.as_dict() for i in items], ensure_ascii=False, indent=2) + "\n")
        return
    if not items:
        console.print("没有未了结的事项。/ Nothing left open.")
        return
    table = Table(title=account)
    for col in ("#", "kind", "said", "words", "context", "meeting", "status"):
        table.add_column(col, overflow="fold")
    for i in items:
        kind = " / ".join(KIND_LABELS.get(i.kind, (i.kind, i.kind)))
        status = i.status + (f" (#{i.closed_in}: {i.close_note})" if i.status == "closed" and i.close_note else "")
        table.add_row(str(i.id), kind, f"{i.speaker}: {i.text}", i.words, i.context,
                      f"{i.when:%Y-%m-%d} #{i.conversation_id} turn {i.turn}", status)
    console.print(table)


@accounts_app.command("close")
def accounts_close(
    item_id: int = typer.Argument(..., help="The open item's number (`needs accounts open ACCOUNT`)."),
    note: str = typer.Option("", "--note", "-n", help="How it was settled."),
    reopen: bool = typer.Option(False, "--reopen", help="Open a closed item again."),
    by: str = typer.Option("cli", "--by", help="Who closes it."),
    as_user: Optional[str] = typer.Option(None, "--as", help="Close as this user (a salesperson: their own items)."),
) -> None:
    """Close an open item by hand (or reopen it)."""
    from assistant.accounts.open_items import OpenItems

    services = _services()
    person = _person(services, as_user)
    item = OpenItems(services.needlog).close(item_id, actor=as_user or by, person=person, note=note, reopen=reopen)
    console.print(f"#{item.id} {escape(item.text)} → [bold]{item.status}[/]")

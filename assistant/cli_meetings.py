"""`needs import` and `needs review`: real meetings in, and the discovery review of any conversation."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.table import Table

from assistant.errors import InputError

app = typer.Typer()
console = Console()


def _services():
    from assistant.settings import load_settings
    from assistant.services import Services

    return Services(load_settings())


def _print_review(review, language: str) -> None:
    from assistant.meetings.report import _rows

    table = Table(title="会谈复盘" if language == "zh" else "Meeting review", show_header=False)
    table.add_column(overflow="fold")
    table.add_column(overflow="fold")
    for k, v in _rows(review, language):
        table.add_row(k, v)
    console.print(table)
    for m in review.missed_openings:
        console.print(f"  · [{m['turn']}] “{m['quote']}” → {m['suggested_question']}", markup=False, highlight=False)


@app.command("import")
def import_meeting(
    file: Path = typer.Argument(..., help="Transcript: meeting-tool export (.txt/.docx), .srt/.vtt, WeChat copy, "
                                          "客户：/销售： lines, or JSON."),
    customer_speaker: Optional[list[str]] = typer.Option(None, "--customer-speaker", help="A customer-side speaker (repeatable)."),
    sales_speaker: Optional[list[str]] = typer.Option(None, "--sales-speaker", help="A salesperson (repeatable)."),
    account: Optional[str] = typer.Option(None, "--account", help="Customer or account name."),
    author: str = typer.Option("", "--author", help="Your name, stored with the needs."),
    as_json: bool = typer.Option(False, "--json", help="Print the conversation, turns and review as JSON."),
) -> None:
    """Import a meeting transcript: turns, needs and the discovery review, logged in one go."""
    services = _services()
    meeting = services.meetings.read(file)
    result = services.meetings.import_meeting(meeting, customer=customer_speaker or [], sales=sales_speaker or [],
                                              account=account, author=author)
    if as_json:
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    lang = "en" if result.review and meeting.turns and _is_en(meeting) else "zh"
    console.print(f"#{result.conversation_id}: {len(meeting.turns)} turns ({meeting.format}, {meeting.encoding}), "
                  f"{len(result.needs)} needs", markup=False, highlight=False)
    for w in meeting.warnings:
        console.print(f"[yellow]{w}[/]")
    _print_review(result.review, lang)


def _is_en(meeting) -> bool:
    from assistant.meetings.service import _language

    return _language(meeting) == "en"


@app.command("review")
def review(
    conversation: int = typer.Argument(..., help="Conversation number (shown by `needs import` and the web app)."),
    as_json: bool = typer.Option(False, "--json", help="Print the turns and the review as JSON."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write the review to FILE (.md or .html)."),
) -> None:
    """The discovery review of any conversation: talk ratio, questions, pitches, needs, missed openings."""
    from assistant.meetings.report import to_html, to_markdown

    services = _services()
    conv = services.needlog.conversation(conversation)
    turns, rev = services.meetings.review(conversation)
    if output is not None:
        suffix = output.suffix.lower()
        if suffix not in (".md", ".markdown", ".html", ".htm"):
            raise InputError(f"Cannot export a review as {suffix or 'a file without a suffix'}.",
                             fix="name the output .md or .html")
        render = to_html if suffix in (".html", ".htm") else to_markdown
        output.write_text(render(turns, rev, title=conv.title, language=conv.language), encoding="utf-8")
        console.print(f"{output}", markup=False, highlight=False)
        return
    if as_json:
        payload = {"conversation": conversation,
                   "turns": [{"n": t.n, "role": t.role, "speaker": t.speaker, "text": t.text, "at": t.at}
                             for t in turns],
                   "review": rev.as_dict()}
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
        return
    _print_review(rev, conv.language)

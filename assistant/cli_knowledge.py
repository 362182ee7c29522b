"""`needs ingest`, `needs retrieve` and `needs ask`: the knowledge index in a terminal.

Merged into the main CLI with ``app.add_typer(cli_knowledge.app)``. ``build_app``
takes the settings loader and the chat-model factory as parameters, so tests pass
their own (e.g. the fake model) instead of patching.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable, Optional

import typer
from langchain_core.language_models.chat_models import BaseChatModel
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from assistant.settings import Settings

console = Console()
err = Console(stderr=True)

SettingsLoader = Callable[[], Settings]
ModelFactory = Callable[[Settings], BaseChatModel]


def _default_settings() -> Settings:
    from assistant.cli import load_settings  # late: assistant.cli imports this module

    return load_settings()


def _default_model(settings: Settings) -> BaseChatModel:
    from assistant.llm.providers import build_chat_model

    return build_chat_model(settings)


def _write_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    sys.stdout.flush()


class _ProgressBar:
    """Rich progress bars on stderr for ingest callbacks: files done / total, and for the
    file being indexed, chunks embedded / its chunks (``bar.chunks``)."""

    def __init__(self, label: str, enabled: bool = True):
        self.label = label
        self.enabled = enabled
        self.progress: Progress | None = None
        self.task: int | None = None
        self.chunk_task: int | None = None

    def __enter__(self) -> "_ProgressBar":
        if self.enabled:
            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TextColumn("{task.fields[file]}"), TimeElapsedColumn(), console=err,
                                     transient=True)
            self.progress.__enter__()
        return self

    def __call__(self, name: str, done: int, total: int) -> None:
        if self.progress is None:
            return
        if self.task is None:
            self.task = self.progress.add_task(self.label, total=total, file="")
        self.progress.update(self.task, completed=done, total=total, file=escape(name))

    def chunks(self, name: str, done: int, total: int) -> None:
        """Per-file progress: chunks embedded of the file's chunks."""
        if self.progress is None:
            return
        label = f"  {escape(Path(name).name)} 块 chunks"
        if self.chunk_task is None:
            self.chunk_task = self.progress.add_task(label, total=total, file="")
        self.progress.update(self.chunk_task, description=label, completed=done, total=total, file="")
        if done >= total:
            self.progress.update(self.chunk_task, visible=False)
            self.chunk_task = None

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.__exit__(None, None, None)


def _short(path: str) -> str:
    """A path relative to the working directory when it is inside it (as given when it cannot be
    resolved: a symbolic link loop, a vanished directory)."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd()))
    except (ValueError, OSError, RuntimeError):
        return path


def _ensure_shipped(kb, quiet: bool) -> None:
    """Index the shipped knowledge on first use, with a progress bar."""
    with _ProgressBar("首次使用：索引内置知识库 indexing the shipped knowledge", enabled=not quiet) as bar:
        report = kb.ensure_shipped(progress=bar)
    if report is not None and not quiet:
        err.print(f"[dim]内置知识库 shipped knowledge: {report.summary()} ({report.seconds:.0f} s)[/]")


def build_app(load_settings: SettingsLoader | None = None, chat_model: ModelFactory | None = None) -> typer.Typer:
    """The knowledge commands, with injectable settings and chat model."""
    load = load_settings or _default_settings
    make_model = chat_model or _default_model
    app = typer.Typer()

    def knowledge_base():
        from assistant.knowledge import KnowledgeBase

        return KnowledgeBase.from_settings(load())

    @app.command()
    def ingest(
        paths: list[Path] = typer.Argument(..., help="Files or folders (.md .txt .html .pdf .docx)."),
        prune: bool = typer.Option(False, "--prune", help="Remove indexed files under PATHS that no longer exist."),
        as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    ) -> None:
        """Add documents to the knowledge index (re-running is cheap: unchanged files are skipped)."""
        kb = knowledge_base()
        with _ProgressBar("索引 indexing", enabled=True) as bar:
            report = kb.ingest(paths, prune=prune, progress=bar, chunk_progress=bar.chunks)
        if as_json:
            _write_json(report.model_dump())
            return
        table = Table(title="导入结果 Ingest report", show_lines=False)
        table.add_column("文件 file", overflow="fold", ratio=3)
        table.add_column("结果 result", overflow="fold", ratio=2)
        table.add_column("块 chunks", justify="right")
        table.add_column("编码 encoding", overflow="fold", ratio=1)
        table.add_column("说明 detail", overflow="fold", ratio=3)
        for item in report.indexed:
            note = f"清理 {item.cleaned_lines} 行" if item.cleaned_lines else ""
            if item.pinyin_removed:
                note += f"{'，' if note else ''}去拼音标注 {item.pinyin_removed} 处"
            if item.detail:
                note += f"{'；' if note else ''}{escape(item.detail)}"
            table.add_row(escape(_short(item.path)), "[green]" + ("更新 replaced" if item.status == "replaced" else "新增 indexed") + "[/]",
                          str(item.chunks), item.encoding or item.format, note)
        for item in report.unchanged:
            table.add_row(escape(_short(item.path)), "[dim]未变 unchanged[/]", str(item.chunks), "", "")
        for item in report.skipped:
            table.add_row(escape(_short(item.path)), f"[yellow]跳过 skipped: {item.reason}[/]", "", "", escape(item.detail))
        for item in report.pruned:
            table.add_row(escape(_short(item.path)), "[red]移除 pruned[/]", str(item.chunks), "", escape(item.detail))
        console.print(table)
        console.print(report.summary() + f" ({report.seconds:.1f} s)")
        if any(item.reason == "unsupported" for item in report.skipped):
            from assistant.knowledge.loaders import SUPPORTED_SUFFIXES

            console.print(f"[dim]supported: {' '.join(sorted(SUPPORTED_SUFFIXES))}[/]")

    @app.command()
    def retrieve(
        question: str = typer.Argument(..., help="The question to look up."),
        k: Optional[int] = typer.Option(None, "--k", "-k", min=1, max=50, help="Passages (default NEEDS_RETRIEVAL_K)."),
        kind: Optional[list[str]] = typer.Option(None, "--kind", help="Only knowledge of this kind (repeatable), e.g. method."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON: {query, passages: [{text, source, title, score}]}."),
    ) -> None:
        """Show the passages that best match a question (no model call)."""
        kb = knowledge_base()
        _ensure_shipped(kb, quiet=as_json)
        passages = kb.retrieve(question, k=k, kinds=set(kind) if kind else None)
        if as_json:
            _write_json({"query": question, "passages": [
                {"text": p.text, "source": p.source, "title": p.title, "score": p.score, "section": p.section,
                 "doc_id": p.doc_id, "kind": p.kind, "citation": p.citation()} for p in passages]})
            return
        if not passages:
            console.print("索引里没有资料 / the index is empty — add documents with `needs ingest PATH`.")
            return
        for n, p in enumerate(passages, start=1):
            where = p.title + (f" · {p.section}" if p.section else "")
            console.print(f"[bold]\\[{n}] {escape(where)}[/]  {escape(p.citation())}  "
                          f"[dim]{escape(p.source)} · score {p.score:.3f}[/]")
            console.print(escape(p.text), highlight=False, soft_wrap=True)
            console.print()

    @app.command()
    def ask(
        question: str = typer.Argument(..., help="The question to answer from the knowledge."),
        k: Optional[int] = typer.Option(None, "--k", "-k", min=1, max=20, help="Passages to answer from."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of streaming."),
    ) -> None:
        """Answer from the knowledge with numbered citations; says so when the material does not cover it."""
        from assistant.knowledge.answer import citations, plan_answer, source_details, source_lines, stream_answer

        settings = load()
        from assistant.knowledge import KnowledgeBase

        kb = KnowledgeBase.from_settings(settings)
        _ensure_shipped(kb, quiet=as_json)
        plan = plan_answer(kb, question, k)
        if not plan.coverage.covered:
            if as_json:
                _write_json({"question": question, "covered": False, "answer": plan.not_covered_text(),
                             "reason": plan.coverage.reason,
                             "sources": source_lines(plan.passages, language=plan.language),
                             "details": source_details(plan.passages)})
                return
            console.print(f"[yellow]{escape(plan.not_covered_text())}[/]", soft_wrap=True)
            console.print(f"[dim]({escape(plan.coverage.reason)})[/]")
            for line in source_lines(plan.passages, language=plan.language):
                console.print("  " + escape(line), highlight=False, soft_wrap=True)
            return
        model = make_model(settings)
        pieces: list[str] = []
        if as_json:
            pieces = list(stream_answer(model, plan, retries=settings.max_retries))
        else:
            for piece in stream_answer(model, plan, retries=settings.max_retries):
                pieces.append(piece)
                console.print(piece, end="", markup=False, highlight=False)
            console.print()
        answer = "".join(pieces)
        cited, invalid = citations(answer, len(plan.passages))
        sources = source_lines(plan.passages, cited, language=plan.language)
        if as_json:
            _write_json({"question": question, "covered": True, "answer": answer, "cited": cited,
                         "invalid_citations": invalid, "sources": sources, "details": source_details(plan.passages)})
            return
        console.print("\n[bold]来源 Sources[/]")
        for line in sources:
            console.print("  " + escape(line), highlight=False, soft_wrap=True)
        if invalid:
            console.print(f"[yellow]注意：回答引用了不存在的编号 {invalid} / the answer cites passages that do not exist[/]")
        if not cited:
            console.print("[yellow]注意：回答没有标注出处 / the answer cites no passage; check it against the sources[/]")

    offerings_app = typer.Typer(help="The team's range: what you sell and what each item is for. A "
                                     "recommendation names the item that fits the confirmed need.",
                                no_args_is_help=True)
    app.add_typer(offerings_app, name="offerings")

    @offerings_app.command("import")
    def offerings_import(
        file: Path = typer.Argument(..., help="CSV (name,serves,reason or 名称,用途,理由) or JSON items."),
    ) -> None:
        """Check a range file and make it the team's range (it replaces the one before)."""
        from assistant.knowledge.offerings import OfferingError
        from assistant.services import Services

        try:
            data = file.read_bytes()
        except OSError as exc:
            raise OfferingError(f"cannot read {file}: {exc.strerror or exc}") from exc
        services = Services(load())
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=True) as bar:
            task = bar.add_task("正在为产品清单建立向量 / embedding the range", total=None)
            items = services.import_offerings(data, str(file),
                                              progress=lambda done, total: bar.update(task, completed=done,
                                                                                      total=total))
        console.print(f"已导入 {len(items)} 项 / imported {len(items)} items → {services.offerings_path()}")

    @offerings_app.command("list")
    def offerings_list(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
        """The team's range as the coach reads it."""
        from assistant.services import Services

        services = Services(load())
        path, items = services.offerings_path(), services.offerings()
        if as_json:
            _write_json({"file": str(path), "items": [i.model_dump() for i in items]})
            return
        if not items:
            console.print(f"还没有产品清单 / no range yet ({path}) → `needs offerings import FILE`")
            return
        table = Table(title=f"{len(items)} items · {path}")
        for col in ("name", "serves", "reason"):
            table.add_column(col, overflow="fold")
        for i in items:
            table.add_row(escape(i.name), escape(i.serves), escape(i.reason))
        console.print(table)

    @offerings_app.command("match")
    def offerings_match(
        need: str = typer.Argument(..., help="The confirmed need, in the customer's words."),
        requested: str = typer.Option("", "--requested", help="What the customer first asked for."),
        language: str = typer.Option("", "--language", help="zh | en (default: the need's)."),
    ) -> None:
        """Which items the coach would propose for NEED, and each item's similarity to it."""
        from assistant.knowledge.offerings import scores
        from assistant.services import Services
        from assistant.understanding.lexicon import language_of

        services = Services(load())
        lang = language or language_of(need)
        picked = {i.name for i in services.match_offerings(need, requested, lang)}
        pool = [i for i in services.offerings() if i.language == lang]
        for item, score in sorted(zip(pool, scores(pool, need, requested)), key=lambda p: -p[1]):
            console.print(f"{'→' if item.name in picked else ' '} {score:.3f}  {escape(item.name)}")

    return app


app = build_app()

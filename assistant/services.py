"""Builds the product's services from settings, once, lazily. The CLI and the web app
are callers of this; tests pass their own model (e.g. the fake) instead of patching."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.coach.cards import Catalog
from assistant.coach.service import CoachService
from assistant.needs.log import NeedLog
from assistant.settings import Settings

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from assistant.knowledge import KnowledgeBase
    from assistant.meetings.service import MeetingService


@dataclass(frozen=True)
class ModelCheck:
    """One question asked of the configured model: the answer and how fast it came."""

    provider: str
    question: str
    answer: str
    tokens: int
    first_token_s: float
    total_s: float

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / max(self.total_s - self.first_token_s, 1e-6)

    @property
    def in_chinese(self) -> bool:
        return any("\u4e00" <= ch <= "\u9fff" for ch in self.answer)


def _count_tokens(model, text: str, fallback: int) -> int:
    llama_loader = getattr(model, "llama", None)
    if callable(llama_loader):
        return len(llama_loader().tokenize(text.encode("utf-8"), add_bos=False))
    return fallback


class Services:
    def __init__(self, settings: Settings, *, model: BaseChatModel | None = None):
        self.settings = settings
        self._model = model
        self._lock = threading.Lock()
        self._range: tuple[int, list] | None = None  # (the range file's mtime, its items), read again when it changes

    def chat_model(self) -> BaseChatModel:
        """The configured chat model, built on first use (loading a local model takes seconds)."""
        with self._lock:
            if self._model is None:
                from assistant.llm.providers import build_chat_model

                self._model = build_chat_model(self.settings)
            return self._model

    def check_model(self, question: str, *, retries: int | None = None, max_tokens: int = 96,
                    on_piece: Callable[[str], None] | None = None) -> ModelCheck:
        """Load the configured model (timed from here) and ask it one question; ``on_piece``
        sees the answer as it streams. `needs model check` and the Settings page use this."""
        from assistant.llm.calls import stream
        from assistant.prompts import load_prompt

        started = time.perf_counter()
        model = self.chat_model()
        messages = load_prompt("model_check").messages(question=question)
        first: float | None = None
        pieces: list[str] = []
        retries = self.settings.max_retries if retries is None else retries
        for piece in stream(model, messages, retries=retries, max_tokens=max_tokens):
            if first is None:
                first = time.perf_counter() - started
            pieces.append(piece)
            if on_piece is not None:
                on_piece(piece)
        total = time.perf_counter() - started
        answer = "".join(pieces)
        return ModelCheck(self.settings.provider, question, answer, _count_tokens(model, answer, len(pieces)),
                          first or 0.0, total)

    @cached_property
    def needlog(self) -> NeedLog:
        return NeedLog.open(self.settings.database_url)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog.load(self.settings.knowledge_dir)

    @property
    def team_scenarios_dir(self):
        """Where the team's own role-play scenarios live (drafts from meetings are saved here)."""
        return self.settings.scenarios_dir or self.settings.data_dir / "scenarios"

    @cached_property
    def meetings(self) -> "MeetingService":
        from assistant.meetings.service import MeetingService

        def saved() -> None:  # a new team scenario: the trainer reads the folders again
            if "roleplay" in self.__dict__:
                self.roleplay._scenarios = None

        return MeetingService(self.needlog, scenarios_dir=self.team_scenarios_dir, on_scenario_saved=saved,
                              catalog=self.catalog, extraction=self.settings.extraction, model=self.chat_model,
                              retries=self.settings.max_retries)

    @cached_property
    def users(self) -> "Users":
        from assistant.users import ThrottlePolicy, Users

        return Users(self.needlog, ThrottlePolicy.from_settings(self.settings))

    @cached_property
    def roleplay(self) -> "RoleplayService":
        from assistant.roleplay.service import RoleplayService

        dirs = [self.settings.knowledge_dir / "scenarios", self.team_scenarios_dir]
        return RoleplayService(self.needlog, self.chat_model, self.catalog, dirs,
                               retries=min(1, self.settings.max_retries))

    @cached_property
    def knowledge(self) -> "KnowledgeBase":
        from assistant.knowledge import KnowledgeBase

        return KnowledgeBase.from_settings(self.settings)

    def _coach_passages(self, query: str) -> list:
        kinds = {"story", "case", "concept", "pitfall", "process"}
        return self.knowledge.retrieve(query, k=3, kinds=kinds)

    @cached_property
    def coach(self) -> CoachService:
        return CoachService(
            self.needlog, self.chat_model, self.catalog,
            extraction=self.settings.extraction, retries=self.settings.max_retries,
            retrieve=self._coach_passages if self.settings.coach_retrieval else None,
            offerings=self.offerings,
        )

    def offerings_path(self) -> Path:
        from assistant.knowledge.offerings import FILE_NAME

        return self.settings.offerings_file or self.settings.data_dir / FILE_NAME

    def import_offerings(self, data: bytes, name: str = "the file", *,
                         progress: Callable[[int, int], None] | None = None) -> list:
        """Check a range file's bytes and make them the team's range (replacing the one before),
        its items embedded once (``progress(done, total)``); an OfferingError naming the row and
        the fix otherwise, and nothing is replaced."""
        from assistant.errors import ConfigError
        from assistant.knowledge.offerings import parse, save

        items = parse(data, name)
        if self.settings.offerings_file is not None:
            raise ConfigError(f"the team's range is read from {self.settings.offerings_file} (NEEDS_OFFERINGS_FILE)",
                              fix="edit that file, or unset NEEDS_OFFERINGS_FILE to keep an imported range")
        save(items, self.offerings_path(), progress=progress)
        return items

    def match_offerings(self, need: str, requested: str = "", language: str = "") -> list:
        """The items of the team's range the coach would propose for ``need`` (by meaning)."""
        from assistant.knowledge.offerings import match
        from assistant.understanding.lexicon import language_of

        return match(self.offerings(), need, requested, language or language_of(need))

    def offerings(self) -> list:
        """The team's range (``knowledge.offerings``), read again when the file changes; [] when
        there is none. A broken file is reported once in the log and costs only the proposals."""
        from assistant.errors import NeedsError
        from assistant.knowledge.offerings import load

        path = self.offerings_path()
        try:
            stamp = path.stat().st_mtime_ns
        except OSError:
            return []
        if self._range is None or self._range[0] != stamp:
            try:
                self._range = (stamp, load(path))
            except NeedsError as exc:
                log.warning("the range file could not be read: %s", exc)
                self._range = (stamp, [])
        return self._range[1]

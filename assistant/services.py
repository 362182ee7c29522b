"""Builds the product's services from settings, once, lazily. The CLI and the web app
are callers of this; tests pass their own model (e.g. the fake) instead of patching."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING
from functools import cached_property

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.coach.cards import Catalog
from assistant.coach.service import CoachService
from assistant.needs.log import NeedLog
from assistant.settings import Settings

if TYPE_CHECKING:
    from assistant.knowledge import KnowledgeBase


class Services:
    def __init__(self, settings: Settings, *, model: BaseChatModel | None = None):
        self.settings = settings
        self._model = model
        self._lock = threading.Lock()

    def chat_model(self) -> BaseChatModel:
        """The configured chat model, built on first use (loading a local model takes seconds)."""
        with self._lock:
            if self._model is None:
                from assistant.llm.providers import build_chat_model

                self._model = build_chat_model(self.settings)
            return self._model

    @cached_property
    def needlog(self) -> NeedLog:
        return NeedLog.open(self.settings.database_url)

    @cached_property
    def catalog(self) -> Catalog:
        return Catalog.load(self.settings.knowledge_dir)

    @cached_property
    def users(self) -> "Users":
        from assistant.users import ThrottlePolicy, Users

        return Users(self.needlog, ThrottlePolicy.from_settings(self.settings))

    @cached_property
    def roleplay(self) -> "RoleplayService":
        from assistant.roleplay.service import RoleplayService

        dirs = [self.settings.knowledge_dir / "scenarios"]
        if self.settings.scenarios_dir is not None:
            dirs.append(self.settings.scenarios_dir)
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
        )

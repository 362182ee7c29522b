"""Prompts live as files in ``prompts/``; variables are named ``$like_this``.

A file is split into messages by marker lines ``=== system ===`` and ``=== user ===``.
A missing variable, an unknown variable or a missing file is a ``PromptError``:
prompts fail loudly instead of sending a half-filled template to the model.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from string import Template

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from assistant.errors import PromptError
from assistant.settings import PROJECT_ROOT

PROMPTS_DIR = PROJECT_ROOT / "prompts"
_MARKER = re.compile(r"^=== (system|user) ===\s*$", re.MULTILINE)


class PromptTemplate:
    def __init__(self, name: str, text: str):
        self.name = name
        parts = _MARKER.split(text)
        if len(parts) < 3:
            raise PromptError(
                f"Prompt {name} has no '=== system ===' or '=== user ===' section.",
                fix=f"add section markers to prompts/{name}.md",
            )
        self.sections: list[tuple[str, Template]] = [
            (parts[i], Template(parts[i + 1].strip("\n"))) for i in range(1, len(parts), 2)
        ]
        self.variables: set[str] = set()
        for _, template in self.sections:
            if not template.is_valid():
                raise PromptError(f"Prompt {name} has a malformed $variable.")
            self.variables.update(template.get_identifiers())

    def messages(self, **values: object) -> list[BaseMessage]:
        missing = self.variables - values.keys()
        extra = values.keys() - self.variables
        if missing or extra:
            detail = []
            if missing:
                detail.append(f"missing {sorted(missing)}")
            if extra:
                detail.append(f"unknown {sorted(extra)}")
            raise PromptError(
                f"Prompt {self.name}: " + "; ".join(detail) + ".",
                fix=f"pass exactly the variables used in prompts/{self.name}.md: "
                f"{sorted(self.variables)}",
            )
        text_values = {k: str(v) for k, v in values.items()}
        out: list[BaseMessage] = []
        for role, template in self.sections:
            content = template.substitute(text_values)
            out.append(SystemMessage(content) if role == "system" else HumanMessage(content))
        return out


@lru_cache(maxsize=64)
def _load(path: Path) -> PromptTemplate:
    return PromptTemplate(path.stem, path.read_text(encoding="utf-8"))


def load_prompt(name: str, directory: Path | None = None) -> PromptTemplate:
    path = (directory or PROMPTS_DIR) / f"{name}.md"
    if not path.is_file():
        raise PromptError(f"Prompt file {path} is missing.", fix="restore it from the repository")
    return _load(path)

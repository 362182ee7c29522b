"""Shared fixtures. Every test gets its own data directory; the pulled model files are
shared read-only from the default models directory (installed by scripts/setup.sh)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.llm.fake import FakeChatModel
from assistant.model_files import MODELS, is_verified, model_path
from assistant.settings import Settings, default_data_dir

# Tests must not pick up a developer's own configuration.
for _name in list(os.environ):
    if _name.startswith("NEEDS_"):
        os.environ.pop(_name)

SHARED_MODELS_DIR = default_data_dir() / "models"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Isolated settings: fake provider, a fresh data directory."""
    return Settings(provider="fake", data_dir=tmp_path / "data", models_dir=SHARED_MODELS_DIR,
                    coach_retrieval=False)


@pytest.fixture
def fake_model() -> FakeChatModel:
    return FakeChatModel()


def _installed_model(name: str) -> Path:
    spec = MODELS[name]
    path = model_path(spec, SHARED_MODELS_DIR)
    if not is_verified(spec, path):
        pytest.fail(
            f"The embedded model {name} is not installed at {path}; "
            f"run `bash scripts/setup.sh --dev` (it runs `needs model pull`)."
        )
    return path


@pytest.fixture(scope="session")
def local_model_path() -> Path:
    """The default embedded model file (the real GGUF)."""
    return _installed_model("qwen2.5-1.5b")


@pytest.fixture
def local_settings(tmp_path: Path, local_model_path: Path) -> Settings:
    return Settings(
        provider="local",
        data_dir=tmp_path / "data",
        models_dir=SHARED_MODELS_DIR,
        threads=max(1, min(2, os.cpu_count() or 1)),
        temperature=0.0,
    )


def has_chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# ---- the need log on both databases: SQLite in a temporary folder, and a throwaway PostgreSQL ----
@pytest.fixture(scope="module")
def pg_url():
    from tests.pg import postgres_server
    with postgres_server() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def needlog(request, tmp_path):
    from assistant.db.schema import Base
    from assistant.needs.log import NeedLog
    if request.param == "sqlite":
        yield NeedLog.open(f"sqlite:///{tmp_path / 'needs.db'}")
        return
    opened = NeedLog.open(request.getfixturevalue("pg_url"))
    yield opened
    Base.metadata.drop_all(opened.engine)
    with opened.engine.begin() as c:
        c.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


@pytest.fixture(scope="session")
def scenarios():
    """The shipped role-play scenarios by id (none may have a problem)."""
    from assistant.roleplay.scenario import load_scenarios

    found, problems = load_scenarios(Path(__file__).resolve().parents[1] / "knowledge" / "scenarios")
    assert not problems
    return found


def ready_for(scenario, need_id: str) -> tuple[set[str], float]:
    """(revealed, trust) with the need's prerequisites out and trust above its threshold, so that
    only the trainee's line decides whether the need is released."""
    need = scenario.need(need_id)
    revealed, todo = set(), list(need.reveal.requires)
    while todo:
        n = todo.pop()
        revealed.add(n)
        todo.extend(scenario.need(n).reveal.requires)
    return revealed, max(scenario.starting_trust, need.reveal.min_trust + 0.1)

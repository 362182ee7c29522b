import subprocess
import sys

import pytest
from pydantic import ValidationError

from assistant.settings import Settings


def test_defaults_are_offline(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = Settings(data_dir=tmp_path)
    assert s.provider == "local"
    assert s.threads == 1
    assert s.models_dir == tmp_path / "models"
    assert s.vector_dir == tmp_path / "chroma"
    assert s.database_url == f"sqlite:///{tmp_path / 'needs.db'}"


def test_every_field_has_a_description():
    missing = [n for n, d in Settings.describe().items() if not d.strip()]
    assert missing == []


def test_precedence_env_over_file_over_default(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    cfg = tmp_path / "custom.toml"
    cfg.write_text('threads = 3\ntemperature = 0.9\nui_language = "en"\n')
    monkeypatch.setenv("NEEDS_CONFIG", str(cfg))
    monkeypatch.setenv("NEEDS_THREADS", "2")
    s = Settings()
    assert s.threads == 2  # env beats file
    assert s.temperature == 0.9  # file beats default
    assert s.ui_language == "en"
    assert s.max_retries == 2  # default
    assert Settings(threads=4).threads == 4  # explicit argument beats env


def test_needs_toml_in_working_directory_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "needs.toml").write_text('provider = "openai"\nopenai_model = "qwen-plus"\n')
    s = Settings()
    assert s.provider == "openai" and s.openai_model == "qwen-plus"


def test_missing_config_file_named(tmp_path, monkeypatch):
    monkeypatch.setenv("NEEDS_CONFIG", str(tmp_path / "nope.toml"))
    with pytest.raises(FileNotFoundError, match="nope.toml"):
        Settings()


@pytest.mark.parametrize(
    "env,value",
    [("NEEDS_THREADS", "0"), ("NEEDS_PROVIDER", "gpt"), ("NEEDS_OPENAI_BASE_URL", "api.x.com")],
)
def test_bad_values_rejected(monkeypatch, env, value):
    monkeypatch.setenv(env, value)
    with pytest.raises(ValidationError):
        Settings()


def test_secrets_masked(tmp_path):
    s = Settings(
        data_dir=tmp_path,
        openai_api_key="sk-verysecretvalue123",
        database_url="postgresql+psycopg://bob:hunter2@db/needs",
    )
    masked = s.masked()
    assert "verysecret" not in str(masked)
    assert masked["openai_api_key"].startswith("sk-")
    assert "hunter2" not in masked["database_url"] and "bob" in masked["database_url"]


def _needs(*args, env=None, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "assistant", *args],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=120,
    )


def test_cli_config_masks_key_and_names_bad_setting(tmp_path):
    import os

    env = {**os.environ, "NEEDS_DATA_DIR": str(tmp_path), "NEEDS_OPENAI_API_KEY": "sk-abcdefghijklmnop",
           "COLUMNS": "200"}
    ok = _needs("config", "--json", env=env, cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    assert "abcdefghijklmnop" not in ok.stdout and "sk-" in ok.stdout
    bad = _needs("config", env={**env, "NEEDS_THREADS": "zero"}, cwd=tmp_path)
    assert bad.returncode == 1
    assert "NEEDS_THREADS" in bad.stderr

"""Hardening: no tracebacks for a person, secrets masked everywhere, stored text shown as
text, bounded settings and files, a web server that stops when told."""

from __future__ import annotations

import html
import io
import logging
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from openpyxl import load_workbook
from pydantic import ValidationError
from streamlit.testing.v1 import AppTest

from assistant.db.engine import make_engine
from assistant.errors import InputError, NeedsError, as_user_error, user_message
from assistant.masking import MaskingFormatter, mask_text
from assistant.needs.log import NeedLog, export_needs
from assistant.needs.records import Evidence, ExtractedNeed
from assistant.services import Services
from assistant.settings import Settings, load_settings
from assistant.users import Person
from ui import runtime

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "ui" / "app.py")


def needs_cli(*args: str, env: dict | None = None, cwd: Path | None = None, stdin: str | None = None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEEDS_")}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          env={**base, **(env or {})}, cwd=cwd or ROOT, input=stdin, timeout=120)


@pytest.fixture
def cli_env(tmp_path):
    (tmp_path / "none.toml").write_text("")
    return {"NEEDS_DATA_DIR": str(tmp_path / "data"), "NEEDS_PROVIDER": "fake",
            "NEEDS_CONFIG": str(tmp_path / "none.toml"), "COLUMNS": "200"}


# ---- 3. one place where exceptions become messages ------------------------------------------------------
@pytest.mark.parametrize("target, said", [
    ("/nonexistent/dir/x.csv", "No such file or folder: /nonexistent/dir/x.csv"),
    ("{tmp}", "is a folder, not a file"),
    ("{readonly}/x.csv", "{readonly_reason}"),
])
def test_export_to_a_bad_path_is_a_message_not_a_traceback(tmp_path, cli_env, target, said):
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(0o500)
    if os.geteuid() == 0:  # root writes into any folder: use a read-only file system instead
        readonly, reason = Path("/sys"), "Permission denied"
    else:
        reason = "Permission denied"
    target = target.format(tmp=tmp_path, readonly=readonly)
    said = said.format(readonly_reason=reason)
    done = needs_cli("log", "export", "-o", target, env=cli_env)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert said in " ".join(done.stderr.split()), done.stderr
    assert "→" in done.stderr  # the fix


def test_the_cli_shows_unexpected_errors_in_one_line_and_reraises_them_under_tests(monkeypatch, capsys):
    import typer

    from assistant import cli

    broken = typer.Typer()

    @broken.command()
    def boom() -> None:
        raise RuntimeError("database said sk-abcdefghijklmnop123")

    monkeypatch.setattr(cli, "app", broken)
    monkeypatch.setattr(sys, "argv", ["needs"])
    monkeypatch.delenv("NEEDS_TEST", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 1
    printed = capsys.readouterr().err
    assert "RuntimeError" in printed and "NEEDS_DEBUG=1" in printed and "Traceback" not in printed
    assert "abcdefghijklmnop" not in printed  # secrets masked in messages too
    monkeypatch.setenv("NEEDS_TEST", "1")
    with pytest.raises(RuntimeError):
        cli.main()


def test_file_errors_become_messages_that_name_the_path_and_the_fix():
    import errno

    for exc, words in [
        (PermissionError(errno.EACCES, "Permission denied", "/srv/out.csv"), "Permission denied: /srv/out.csv"),
        (OSError(errno.EROFS, "Read-only file system", "/mnt/ro/x.csv"), "read-only"),
        (OSError(errno.ENOSPC, "No space left on device", "/data/x"), "disk is full"),
        (IsADirectoryError(errno.EISDIR, "Is a directory", "/tmp"), "/tmp/needs.csv"),
    ]:
        known = as_user_error(exc)
        assert isinstance(known, InputError) and known.fix
        assert words in str(known)
    assert as_user_error(RuntimeError("bug")) is None  # a bug stays a bug


def _page_raising_oserror():
    from ui import runtime

    with runtime.guard():
        open("/nonexistent/folder/file.txt")


def test_a_page_shows_file_errors_as_messages_even_under_tests(monkeypatch):
    monkeypatch.setenv("NEEDS_TEST", "1")
    at = AppTest.from_function(_page_raising_oserror).run()
    assert not at.exception
    assert "/nonexistent/folder/file.txt" in at.error[0].value.replace("\\", "")


# ---- 4. one masking function ------------------------------------------------------------------------------
SECRET_URLS = {
    "NEEDS_OPENAI_BASE_URL": "http://alice:pa55word@127.0.0.1:9/v1",
    "NEEDS_CHROMA_URL": "https://tok3n-abcdef@chroma.example:8000/?token=qwerty123",
    "NEEDS_DATABASE_URL": "postgresql+psycopg://bob:hunter2@127.0.0.1/needs",
}
SECRETS = ("pa55word", "tok3n-abcdef", "qwerty123", "hunter2", "abcdefghijklmnop")


@pytest.mark.parametrize("text, hidden, kept", [
    ("http://user:pass@host:8000/v1", "pass", "http://user:****@host:8000/v1"),
    ("https://ghtoken123@api.example/v1", "ghtoken123", "https://****@api.example/v1"),
    ("https://x/v1?api_key=abc123&model=q", "abc123", "model=q"),
    ("Authorization: Bearer abcdefghijkl", "abcdefghijkl", "Authorization: Bearer ****"),
    ("key sk-proj-abcdefghijklmnop in a log line", "abcdefghijklmnop", "sk-…op"),
    ("NEEDS_OPENAI_API_KEY=sk-1234567890abc", "1234567890", "NEEDS_OPENAI_API_KEY="),
    ('{"password": "hunter22"}', "hunter22", '"password": "****"'),
])
def test_mask_text_hides_secrets_and_keeps_the_rest(text, hidden, kept):
    masked = mask_text(text)
    assert hidden not in masked and kept in masked


def test_plain_words_and_urls_without_secrets_are_unchanged():
    for text in ("http://127.0.0.1:8000", "basic information about tokens", "客户说价格太贵了",
                 "sqlite:////home/li/.local/share/needs-assistant/needs.db"):
        assert mask_text(text) == text


def test_needs_config_and_json_mask_every_url_with_credentials(cli_env):
    env = {**cli_env, **SECRET_URLS, "NEEDS_OPENAI_API_KEY": "sk-abcdefghijklmnop"}
    for args in (("config",), ("config", "--json")):
        done = needs_cli(*args, env=env)
        assert done.returncode == 0, done.stderr
        for secret in SECRETS:
            assert secret not in done.stdout, (args, secret)
        assert "alice" in done.stdout and "chroma.example" in done.stdout


def test_the_settings_page_masks_urls_with_credentials(tmp_path, monkeypatch):
    monkeypatch.setenv("NEEDS_TEST", "1")
    settings = Settings(provider="openai", data_dir=tmp_path / "data", openai_model="m",
                        openai_api_key="sk-abcdefghijklmnop", openai_base_url=SECRET_URLS["NEEDS_OPENAI_BASE_URL"],
                        chroma_url=SECRET_URLS["NEEDS_CHROMA_URL"], coach_retrieval=False)
    runtime.set_services(Services(settings))
    try:
        at = AppTest.from_file(APP, default_timeout=60)
        at.session_state["person"] = Person("li", "李", "sales")  # any salesperson can open the page
        at.run()
        at.switch_page("views/settings.py").run()
        assert not at.exception
        everything = " ".join(m.value for m in at.markdown) + " ".join(
            str(v) for d in at.dataframe for v in d.value.to_numpy().ravel())
        for secret in SECRETS:
            assert secret not in everything
        assert "alice" in everything.replace("\\", "")
    finally:
        runtime.set_services(None)


def test_log_lines_are_masked_tracebacks_included():
    record = logging.LogRecord("assistant", logging.WARNING, __file__, 1,
                               "could not reach %s", ("http://u:s3cretpw@host/v1",), None)
    try:
        raise ConnectionError("token=abcdef123456 refused")
    except ConnectionError:
        record.exc_info = sys.exc_info()
    line = MaskingFormatter().format(record)
    assert "s3cretpw" not in line and "abcdef123456" not in line and "Traceback" in line


def test_error_messages_are_masked():
    exc = ConnectionError("cannot reach http://u:s3cretpw@host/v1")
    assert "s3cretpw" not in user_message(exc)


# ---- 5. stored text is shown as text ----------------------------------------------------------------------
TRACKER = "![x](http://127.0.0.1:9/track.png)"
HOSTILE = f"客户说 {TRACKER} <img src=http://127.0.0.1:9/t2.png> [点我](http://127.0.0.1:9/) :red[红] **粗**"


def rendered_html(markdown: str) -> str:
    """The HTML a CommonMark renderer (like the browser's) makes of an element's Markdown."""
    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


def assert_only_text(at: AppTest) -> None:
    bodies = [e.value for e in (*at.markdown, *at.caption, *at.error, *at.info, *at.success, *at.warning)]
    assert any("track" in b for b in bodies), "the hostile text is on the page"
    for body in bodies:
        out = rendered_html(body)
        assert "<img" not in out and "<a " not in out and "<strong>粗" not in out, body
        assert not re.search(r"(^|[^\\]):red\[", body), body


@pytest.fixture
def hostile_log(settings, fake_model, monkeypatch):
    monkeypatch.setenv("NEEDS_TEST", "1")
    services = Services(settings, model=fake_model)
    runtime.set_services(services)
    log = services.needlog
    cid = log.create_conversation(account="王阿姨", author="li")
    log.add_turn(cid, "customer", HOSTILE)
    log.add_turn(cid, "coach", f"建议问客户：{TRACKER}")
    log.record_needs(cid, [ExtractedNeed(statement=f"想要酸的 {TRACKER}", kind="implicit", dimension="functional",
                                         owner="user", motive=f"动机 {TRACKER}",
                                         evidence=[Evidence(turn=1, quote=TRACKER)])], author="li")
    yield services, cid
    runtime.set_services(None)


def test_need_log_drill_down_cards_and_table_show_markdown_as_text(hostile_log):
    services, cid = hostile_log
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["person"] = Person("boss", "经理", "manager")
    at.run()
    at.switch_page("views/needlog.py").run()
    assert not at.exception
    assert_only_text(at)
    shown = "".join(html.unescape(re.sub(r"<[^>]+>", "", rendered_html(m.value))) for m in at.markdown)
    assert f"想要酸的 {TRACKER}" in shown  # the words are there, as typed
    assert TRACKER in " ".join(str(v) for v in at.data_editor[0].value["statement"])  # table cells are text
    # the transcript in the drill-down is HTML built from escaped text
    transcript = " ".join(h.proto.body for h in at.get("html"))
    assert "<img" not in transcript and "&lt;img" in transcript


def test_chat_history_and_need_cards_on_the_coach_page_show_markdown_as_text(hostile_log):
    services, cid = hostile_log
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["person"] = Person("li", "李", "sales")
    at.session_state["coach_cid"] = cid
    at.run()
    assert not at.exception
    assert at.chat_message, "the history is shown"
    assert_only_text(at)


# ---- 9. smaller holes ---------------------------------------------------------------------------------------
def test_unknown_filter_values_name_the_allowed_ones(cli_env):
    done = needs_cli("log", "list", "--dimension", "bogus", env=cli_env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    text = " ".join(done.stderr.split())
    assert "bogus" in text and "functional" in text and "business" in text
    done = needs_cli("log", "export", "-o", str(Path(cli_env["NEEDS_DATA_DIR"]) / "x.csv"), "--status", "nope",
                     env=cli_env)
    assert done.returncode == 1 and "hypothesis" in done.stderr


def test_a_missing_scenarios_dir_is_an_error_naming_the_fix(tmp_path, cli_env):
    with pytest.raises(ValidationError, match="NEEDS_SCENARIOS_DIR"):
        Settings(data_dir=tmp_path, scenarios_dir=tmp_path / "missing")
    with pytest.raises(NeedsError) as named:  # what every command and page shows
        load_settings(data_dir=tmp_path, scenarios_dir=tmp_path / "missing")
    assert "NEEDS_SCENARIOS_DIR" in str(named.value) and "create it" in str(named.value)
    (tmp_path / "mine").mkdir()
    assert Settings(data_dir=tmp_path, scenarios_dir=tmp_path / "mine").scenarios_dir == tmp_path / "mine"
    done = needs_cli("roleplay", "--list", env={**cli_env, "NEEDS_SCENARIOS_DIR": str(tmp_path / "missing")})
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "NEEDS_SCENARIOS_DIR" in done.stderr and "does not exist" in done.stderr


def test_postgresql_url_without_a_driver_means_psycopg(tmp_path):
    settings = Settings(data_dir=tmp_path, database_url="postgresql://bob:pw@127.0.0.1:5/needs")
    assert settings.database_url == "postgresql+psycopg://bob:pw@127.0.0.1:5/needs"
    assert make_engine("postgresql://bob:pw@127.0.0.1:5/needs").dialect.driver == "psycopg"
    assert make_engine("postgres://bob:pw@127.0.0.1:5/needs").dialect.driver == "psycopg"


def test_the_database_and_its_folder_are_private(tmp_path):
    data = tmp_path / "fresh" / "data"
    log = NeedLog.open(Settings(data_dir=data).database_url)
    log.create_conversation(author="li")
    mode = lambda p: stat.S_IMODE(p.stat().st_mode)  # noqa: E731
    assert mode(data / "needs.db") == 0o600
    assert mode(data) == 0o700
    for extra in (data / "needs.db-wal", data / "needs.db-shm"):
        if extra.exists():
            assert mode(extra) & 0o077 == 0
    # an existing database that others could read is tightened when opened
    (data / "needs.db").chmod(0o644)
    NeedLog.open(Settings(data_dir=data).database_url)
    assert mode(data / "needs.db") == 0o600


def test_neutralised_xlsx_cells_are_text_cells_without_a_visible_quote(tmp_path):
    log = NeedLog.open(f"sqlite:///{tmp_path / 'n.db'}")
    cid = log.create_conversation(author="li")
    log.record_needs(cid, [ExtractedNeed(statement="=1+1", kind="explicit", dimension="price", owner="buyer",
                                         evidence=[Evidence(turn=1, quote="-5 折")])], author="@li")
    sheet = load_workbook(io.BytesIO(export_needs(log.needs(), "xlsx")))["needs"]
    header = [c.value for c in sheet[1]]
    for column, text in (("statement", "=1+1"), ("author", "@li")):
        cell = sheet.cell(row=2, column=header.index(column) + 1)
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def test_needs_ui_stopped_with_sigterm_leaves_nothing_serving(tmp_path, cli_env):
    added = needs_cli("user", "add", "boss", "--role", "manager", "--password-stdin", env=cli_env,
                      stdin="a-long-password\n")
    assert added.returncode == 0, added.stderr
    port = _free_port()
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEEDS_")}
    proc = subprocess.Popen([sys.executable, "-m", "assistant", "ui", "--port", str(port)], cwd=tmp_path,
                            env={**base, **cli_env}, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        while not _answers(port):
            assert proc.poll() is None, "needs ui exited early"
            assert time.monotonic() < deadline, "the web app did not start"
            time.sleep(0.5)
        proc.send_signal(signal.SIGTERM)  # what a service manager does
        proc.wait(timeout=30)
        deadline = time.monotonic() + 15
        while _answers(port) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert not _answers(port), "a Streamlit server is still serving after SIGTERM"
    finally:
        # whatever this test started (a server left behind included) ends with its process group
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()

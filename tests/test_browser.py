"""The web app in a real browser: `streamlit run ui/app.py` with the embedded model, driven by
headless Chromium (the Debian package, through Playwright). Sign in, relay the customer's
first words, wait for the streamed coaching reply and the discovery board, keep a
screenshot in test-artifacts/coach.png."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import SHARED_MODELS_DIR

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
REPLY_TIMEOUT_MS = 300_000  # first use indexes the knowledge (~1-2 min on 2 cores), then the model replies

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, proc: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(url + "_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"streamlit did not answer within {seconds:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


@contextmanager
def serve(tmp_path: Path, **env_extra: str):
    """streamlit on a free 127.0.0.1 port with a fresh data dir and one manager (boss);
    ``env_extra`` adds or replaces NEEDS_… settings. Yields (url, log file, env)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEEDS_")}
    env.update({
        "NEEDS_DATA_DIR": str(tmp_path / "data"),
        "NEEDS_MODELS_DIR": str(SHARED_MODELS_DIR),
        "NEEDS_PROVIDER": "local",
        "NEEDS_THREADS": str(max(1, min(2, os.cpu_count() or 1))),
        "NEEDS_TEMPERATURE": "0",
        "NEEDS_CONFIG": str(tmp_path / "none.toml"),
        **env_extra,
    })
    (tmp_path / "none.toml").write_text("")  # no developer needs.toml leaks in
    added = subprocess.run(
        [sys.executable, "-m", "assistant", "user", "add", "boss", "--role", "manager", "--name", "李经理",
         "--password-stdin"],
        input="browser-test-pw\n", text=True, capture_output=True, cwd=ROOT, env=env, timeout=120,
    )
    assert added.returncode == 0, added.stderr
    port = _free_port()
    log = tmp_path / "streamlit.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "app.py"), "--server.address", "127.0.0.1",
             "--server.port", str(port), "--server.headless", "true", "--browser.gatherUsageStats", "false",
             "--client.toolbarMode", "minimal"],
            cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, proc, log)
        yield url, log, env
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture
def served_app(tmp_path: Path, local_model_path: Path):
    """streamlit on a free 127.0.0.1 port with the embedded model, a fresh data dir and one manager."""
    with serve(tmp_path) as (url, log, _env):
        yield url, log


def chromium(pw):
    if not CHROMIUM.is_file():
        pytest.fail("Chromium is missing at /usr/bin/chromium; run `bash scripts/setup.sh --dev` "
                    "(it installs the Debian package)")
    return pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)


def sign_in(page, url: str) -> None:
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("用户名").fill("boss")
    page.get_by_label("密码", exact=True).fill("browser-test-pw")
    page.get_by_role("button", name="登录").click()


def test_coach_in_a_real_browser(served_app):
    if not CHROMIUM.is_file():
        pytest.fail("Chromium is missing at /usr/bin/chromium; run `bash scripts/setup.sh --dev` "
                    "(it installs the Debian package)")
    from playwright.sync_api import expect, sync_playwright

    url, log = served_app
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1400}, locale="zh-CN")
            page.goto(url, wait_until="domcontentloaded")
            page.get_by_label("用户名").fill("boss")
            page.get_by_label("密码", exact=True).fill("browser-test-pw")
            page.get_by_role("button", name="登录").click()

            box = page.get_by_placeholder("客户说了什么？")
            box.wait_for(timeout=60_000)
            account = page.get_by_label("客户 / 账户")
            account.fill("王阿姨")
            account.press("Enter")  # commits the field (one short rerun) before the message is sent
            page.wait_for_timeout(1500)
            box.fill("我想买点枣子")
            box.press("Enter")

            sent = time.monotonic()
            assistant = page.locator('[data-testid="stChatMessage"]').nth(1)
            # the tail of the reply ("为什么…" with its sources) comes after the model's phrasing
            expect(assistant).to_contain_text("为什么", timeout=REPLY_TIMEOUT_MS)
            expect(assistant).to_contain_text("建议问客户")
            print(f"reply complete after {time.monotonic() - sent:.0f} s")
            # the discovery board and the need cards were drawn before the reply streamed
            expect(page.get_by_text("发现进度")).to_be_visible()
            expect(page.get_by_text("使用者（给谁用）")).to_be_visible()
            expect(page.get_by_text("已记录的需求")).to_be_visible()
            expect(page.get_by_text("我想买点枣子").first).to_be_visible()
            page.wait_for_timeout(1000)
            page.screenshot(path=str(ARTIFACTS / "coach.png"), full_page=True)
            reply = assistant.inner_text()
            assert any("\u4e00" <= ch <= "\u9fff" for ch in reply.split("为什么")[0].replace("建议问客户", ""))
        finally:
            browser.close()
    assert "Traceback" not in log.read_text(errors="replace")


def test_meeting_import_and_review_in_a_real_browser(served_app):
    """Upload a meeting export, keep the sides the page proposes, import, and read the review."""
    if not CHROMIUM.is_file():
        pytest.fail("Chromium is missing at /usr/bin/chromium; run `bash scripts/setup.sh --dev`")
    from playwright.sync_api import expect, sync_playwright

    url, log = served_app
    ARTIFACTS.mkdir(exist_ok=True)
    sample = ROOT / "tests" / "data" / "meetings" / "tencent_header.txt"
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 1600}, locale="zh-CN")
            page.goto(url, wait_until="domcontentloaded")
            page.get_by_label("用户名").fill("boss")
            page.get_by_label("密码", exact=True).fill("browser-test-pw")
            page.get_by_role("button", name="登录").click()
            page.get_by_placeholder("客户说了什么？").wait_for(timeout=60_000)
            page.get_by_role("link", name="会谈复盘").click()  # in-app navigation keeps the signed-in session
            page.locator('input[type="file"]').set_input_files(str(sample))
            expect(page.get_by_text("已读取 7 轮对话")).to_be_visible(timeout=60_000)
            expect(page.get_by_text("李明（销售）")).to_be_visible()
            page.get_by_role("button", name="导入并复盘").click()
            expect(page.get_by_text("已导入为对话")).to_be_visible(timeout=60_000)
            page.get_by_role("tab", name="复盘").click()
            expect(page.get_by_text("说话占比（字数）")).to_be_visible(timeout=30_000)
            expect(page.locator(":text(\"保洁阿姨招不到人\"):visible").first).to_be_visible()
            page.wait_for_timeout(800)
            page.screenshot(path=str(ARTIFACTS / "meeting-review.png"), full_page=True)
        finally:
            browser.close()
    assert "Traceback" not in log.read_text(errors="replace")


def test_markdown_in_stored_text_makes_the_browser_fetch_nothing(tmp_path):
    """A need statement, its evidence and the customer's words carrying Markdown images: the
    need log (table, drill-down, transcript) shows them as text, and the browser requests
    nothing from the image's host."""
    import http.server
    import threading

    from playwright.sync_api import expect, sync_playwright

    from assistant.needs.log import NeedLog
    from assistant.needs.records import Evidence, ExtractedNeed
    from assistant.settings import Settings

    hits: list[str] = []

    class Counter(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    tracker = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counter)
    threading.Thread(target=tracker.serve_forever, daemon=True).start()
    image = f"![x](http://127.0.0.1:{tracker.server_address[1]}/track.png)"
    log = NeedLog.open(Settings(data_dir=tmp_path / "data").database_url)
    cid = log.create_conversation(account="王阿姨", author="boss")
    log.add_turn(cid, "customer", f"想要酸的 {image}")
    log.record_needs(cid, [ExtractedNeed(statement=f"想吃酸的 {image}", kind="implicit", dimension="functional",
                                         owner="user", motive=image, evidence=[Evidence(turn=1, quote=image)])],
                     author="boss")
    try:
        with serve(tmp_path, NEEDS_PROVIDER="fake", NEEDS_COACH_RETRIEVAL="false") as (url, server_log, _env):
            with sync_playwright() as pw:
                browser = chromium(pw)
                try:
                    page = browser.new_page(viewport={"width": 1440, "height": 1400}, locale="zh-CN")
                    sign_in(page, url)
                    page.get_by_role("link", name="需求看板").click()
                    page.get_by_role("tab", name="对话详情").click()
                    expect(page.get_by_text("想吃酸的", exact=False).first).to_be_visible(timeout=60_000)
                    expect(page.get_by_text("track.png").first).to_be_visible()  # shown as the words typed
                    page.wait_for_timeout(3000)  # time for any image request to be made
                finally:
                    browser.close()
            assert "Traceback" not in server_log.read_text(errors="replace")
    finally:
        tracker.shutdown()
    assert hits == [], f"the browser fetched {hits}"

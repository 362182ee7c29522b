"""Nothing is lost: a killed process, concurrent writers."""

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from assistant.needs.log import NeedFilter, NeedLog
from assistant.needs.records import Evidence, ExtractedNeed
from assistant.services import Services
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]

KILLED_TURN = textwrap.dedent("""
    import pathlib, sys, time
    from assistant.llm.fake import FakeChatModel
    from assistant.services import Services
    from assistant.settings import Settings

    def hang(messages):
        pathlib.Path(sys.argv[2]).write_text("inside the model call")
        time.sleep(600)

    services = Services(Settings(provider="fake", data_dir=sys.argv[1], extraction="hybrid"),
                        model=FakeChatModel().enqueue(hang))
    cid = services.coach.start(author="li", account="王阿姨")
    "".join(services.coach.relay(cid, "其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。").reply())
""")


def test_kill_mid_turn_keeps_the_turn_and_pending_extraction_completes(tmp_path):
    marker = tmp_path / "in-model"
    proc = subprocess.Popen([sys.executable, "-c", KILLED_TURN, str(tmp_path / "data"), str(marker)], cwd=ROOT)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, "the turn finished or crashed before the model was called"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    settings = Settings(provider="fake", data_dir=tmp_path / "data", extraction="rules")
    log = NeedLog.open(settings.database_url)
    [turn] = log.pending_turns()
    assert turn.role == "customer" and "儿媳妇" in turn.text
    # the need the rules saw was committed before the model was called
    [early] = log.needs()
    assert early.owner == "user"

    env = {**os.environ, "NEEDS_DATA_DIR": str(tmp_path / "data"), "NEEDS_PROVIDER": "fake",
           "NEEDS_EXTRACTION": "rules"}
    done = subprocess.run([sys.executable, "-m", "assistant", "extract", "--pending"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert log.pending_turns() == []
    [need] = log.needs()  # completed, not duplicated
    assert need.id == early.id
    assert need.owner == "user" and need.author == "li" and need.account == "王阿姨"
    assert need.evidence[0].turn == turn.idx and need.evidence[0].quote in turn.text


def _writer(url: str, conversation: int, worker: int, count: int) -> None:
    log = NeedLog.open(url)
    own = log.create_conversation(author=f"w{worker}")
    for i in range(count):
        log.add_turn(conversation, "customer", f"worker {worker} line {i}")
        log.record_needs(own, [ExtractedNeed(
            statement=f"需求{worker}号第{i}条" + "甲乙丙丁戊己庚辛壬癸"[i % 10] * (i + 2),
            kind="implicit", dimension="functional", owner="user",
            evidence=[Evidence(turn=1, quote=f"line {i}")])], author=f"w{worker}")


def test_twenty_concurrent_processes_lose_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'needs.db'}"
    log = NeedLog.open(url)
    shared = log.create_conversation(author="all")
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(url, shared, w, 10)) for w in range(20)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
        assert p.exitcode == 0
    turns = log.turns(shared)
    assert len(turns) == 200
    assert sorted(t.idx for t in turns) == list(range(1, 201))
    assert len({t.text for t in turns}) == 200
    assert len(log.needs(NeedFilter())) == 200


def test_twenty_threads_on_one_log(tmp_path):
    import threading

    services = Services(Settings(provider="fake", data_dir=tmp_path, extraction="rules"))
    log = services.needlog
    cid = log.create_conversation(author="t")
    errors = []

    def work(k):
        try:
            for i in range(5):
                log.add_turn(cid, "sales", f"t{k}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(20)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert errors == []
    assert sorted(t.idx for t in log.turns(cid)) == list(range(1, 101))


@pytest.mark.slow
def test_a_reply_cut_by_a_closed_browser_tab_keeps_the_customers_words(tmp_path, local_model_path):
    """The web path: the customer's words are sent, the tab is closed while the embedded
    model is still replying; the words are in the log, nothing is left pending after
    `needs extract --pending`, and the need they carry is logged."""
    from playwright.sync_api import sync_playwright

    from tests.test_browser import chromium, serve, sign_in

    words = "其实是给我儿媳妇买的，她怀孕了，这阵子老想吃酸的。"
    with serve(tmp_path, NEEDS_COACH_RETRIEVAL="false", NEEDS_THREADS="1") as (url, server_log, env):
        with sync_playwright() as pw:
            browser = chromium(pw)
            try:
                page = browser.new_page(viewport={"width": 1280, "height": 1000}, locale="zh-CN")
                sign_in(page, url)
                box = page.get_by_placeholder("客户说了什么？")
                box.wait_for(timeout=60_000)
                box.fill(words)
                box.press("Enter")
                page.get_by_text(words).first.wait_for(timeout=60_000)  # sent, the reply under way
                page.wait_for_timeout(1500)
                page.close()  # the tab is closed mid-reply
            finally:
                browser.close()
        log = NeedLog.open(Settings(data_dir=tmp_path / "data").database_url)
        deadline = time.monotonic() + 60
        while not [t for t in _all_turns(log) if t.role == "customer"] and time.monotonic() < deadline:
            time.sleep(0.5)
        customer = [t for t in _all_turns(log) if t.role == "customer"]
        assert [t.text for t in customer] == [words]
        # the server may still be reading the words; the command finishes whatever it left pending
        done = subprocess.run([sys.executable, "-m", "assistant", "extract", "--pending"], cwd=ROOT,
                              env={**env, "NEEDS_EXTRACTION": "rules"}, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "Traceback" not in server_log.read_text(errors="replace")
    assert log.pending_turns() == []
    needs = log.needs()
    assert any(n.owner == "user" and any("儿媳妇" in e.quote for e in n.evidence) for n in needs), needs


def _all_turns(log: NeedLog) -> list:
    return [turn for conv in log.conversations() for turn in log.turns(conv.id)]

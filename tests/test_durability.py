"""Nothing is lost: a killed process, concurrent writers."""

import multiprocessing as mp
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

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

    services = Services(Settings(provider="fake", data_dir=sys.argv[1]), model=FakeChatModel().enqueue(hang))
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

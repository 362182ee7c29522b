"""Sign-in throttling: waits that double per user name and per client, a lockout with its
duration, failures recorded and logged without the password, and a manager's unlock
(command line and web)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from assistant.db.engine import table_names
from assistant.db.schema import SignInAttempt
from assistant.errors import SignInRefused
from assistant.needs.log import NeedLog
from assistant.services import Services
from assistant.settings import Settings
from assistant.users import Person, ThrottlePolicy, Users
from ui import runtime

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "ui" / "app.py")
RIGHT, WRONG = "correct-horse-battery", "wrong-password-1"


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def needlog(tmp_path):
    return NeedLog.open(f"sqlite:///{tmp_path / 'needs.db'}")


@pytest.fixture
def users(needlog, clock):
    users = Users(needlog, ThrottlePolicy(free_failures=3, base_delay=1.0, max_failures=10, lockout=900), clock)
    users.add("wang", RIGHT, role="sales")
    users.add("boss", RIGHT, role="manager")
    return users


def fail(users: Users, name: str = "wang", client: str = "10.0.0.1") -> None:
    assert users.sign_in(name, WRONG, client) is None


def test_the_migration_adds_the_attempts_table(needlog):
    assert "sign_in_attempts" in table_names(needlog.engine)


def test_waits_double_after_the_free_failures_and_refuse_even_the_right_password(users, clock):
    for _ in range(3):
        fail(users)  # free: no wait yet
    fail(users)  # the 4th failure: the next attempt waits 1 s
    waits = []
    for expected in (1, 2, 4, 8):
        with pytest.raises(SignInRefused) as refused:
            users.sign_in("wang", RIGHT, "10.0.0.1")  # not even checked
        assert not refused.value.locked and refused.value.retry_after == pytest.approx(expected)
        assert f"try again in {expected} s" in str(refused.value)
        waits.append(refused.value.retry_after)
        clock.advance(expected)
        fail(users)
    assert waits == [1, 2, 4, 8]
    clock.advance(16)
    assert users.sign_in("wang", RIGHT, "10.0.0.1").username == "wang"  # a success ends the streak
    fail(users)
    assert users.sign_in("wang", RIGHT, "10.0.0.1") is not None


def test_lockout_after_max_failures_names_its_duration_and_ends_by_itself(users, clock):
    policy = users.policy
    for i in range(policy.max_failures - 1):
        clock.advance(policy.wait_after(i))
        fail(users)
    clock.advance(policy.wait_after(policy.max_failures - 1))
    with pytest.raises(SignInRefused) as locked:  # the failure that locks says so
        users.sign_in("wang", WRONG, "10.0.0.1")
    assert locked.value.locked and "locked" in str(locked.value) and "15 more minute" in str(locked.value)
    assert "needs user unlock" in str(locked.value)
    clock.advance(600)
    with pytest.raises(SignInRefused) as still:  # from another client too, with the right password
        users.sign_in("wang", RIGHT, "192.0.2.7")
    assert still.value.locked and "5 more minute" in str(still.value)
    assert users.lock_state("wang").locked_until == clock.now + timedelta(seconds=300)
    assert [lock.username for lock in users.locked()] == ["wang"]
    clock.advance(301)
    assert users.sign_in("wang", RIGHT, "192.0.2.7").username == "wang"
    assert users.locked() == []


def test_a_user_name_that_does_not_exist_is_throttled_the_same_way(users, clock):
    for i in range(10):
        clock.advance(users.policy.wait_after(i))
        try:
            users.sign_in("nobody", WRONG, f"10.0.1.{i}")
        except SignInRefused as refused:
            assert i == 9 and refused.locked
    with pytest.raises(SignInRefused):
        users.sign_in("nobody", WRONG, "10.0.2.1")


def test_one_client_trying_many_user_names_must_wait_too(users, clock):
    for i in range(4):
        assert users.sign_in(f"guess{i}", WRONG, "203.0.113.9") is None
    with pytest.raises(SignInRefused):
        users.sign_in("boss", RIGHT, "203.0.113.9")  # this client waits, whatever the name
    assert users.sign_in("boss", RIGHT, "10.9.9.9").username == "boss"  # other clients do not


def test_attempts_are_recorded_and_failures_logged_without_the_password(users, needlog, caplog):
    caplog.set_level(logging.WARNING, logger="assistant.users")
    for _ in range(5):
        try:
            users.sign_in("wang", WRONG, "10.0.0.1")
        except SignInRefused:
            pass
    assert "wang" in caplog.text and "10.0.0.1" in caplog.text and "failed" in caplog.text
    assert WRONG not in caplog.text
    with needlog.sessions() as session:
        outcomes = [a.outcome for a in session.scalars(select(SignInAttempt).order_by(SignInAttempt.id))]
    assert outcomes == ["fail"] * 4 + ["refused"]


def test_a_manager_unlocks_a_locked_user_name(users, clock):
    for i in range(10):
        clock.advance(users.policy.wait_after(i))
        try:
            fail(users)
        except SignInRefused:
            pass
    assert users.lock_state("wang").locked_until is not None
    assert users.unlock("wang", actor="boss") is True
    assert users.lock_state("wang").locked_until is None and users.lock_state("wang").failures == 0
    assert users.sign_in("wang", RIGHT, "10.0.0.1").username == "wang"


# ---- the command line ------------------------------------------------------------------------------
def needs_cli(env, *args, stdin=None):
    base = {k: v for k, v in os.environ.items() if not k.startswith("NEEDS_")}
    return subprocess.run([sys.executable, "-m", "assistant", *args], capture_output=True, text=True,
                          env={**base, **env}, cwd=ROOT, input=stdin, timeout=120)


def test_needs_user_unlock_on_the_command_line(tmp_path):
    (tmp_path / "none.toml").write_text("")
    env = {"NEEDS_DATA_DIR": str(tmp_path / "data"), "NEEDS_PROVIDER": "fake", "NEEDS_CONFIG": str(tmp_path / "none.toml"),
           "NEEDS_SIGNIN_MAX_FAILURES": "2", "COLUMNS": "200"}
    assert needs_cli(env, "user", "add", "wang", "--password-stdin", stdin=RIGHT + "\n").returncode == 0
    settings = Settings(data_dir=tmp_path / "data", provider="fake", signin_max_failures=2)
    users = Services(settings).users
    fail(users)
    with pytest.raises(SignInRefused):
        fail(users)
    listed = needs_cli(env, "user", "list")
    assert "locked until" in listed.stdout, listed.stdout + listed.stderr
    done = needs_cli(env, "user", "unlock", "wang")
    assert done.returncode == 0 and "unlocked" in done.stdout, done.stderr
    assert users.sign_in("wang", RIGHT, "10.0.0.1").username == "wang"


# ---- the web app ----------------------------------------------------------------------------------------
@pytest.fixture
def web(tmp_path, monkeypatch):
    monkeypatch.setenv("NEEDS_TEST", "1")
    settings = Settings(provider="fake", data_dir=tmp_path / "data", coach_retrieval=False,
                        signin_free_failures=1, signin_max_failures=3)
    services = Services(settings)
    services.users.add("wang", RIGHT, role="sales")
    services.users.add("boss", RIGHT, role="manager")
    runtime.set_services(services)
    yield services
    runtime.set_services(None)


def try_sign_in(at: AppTest, name: str, password: str) -> AppTest:
    at.text_input(key="sign_in_user").input(name)
    at.text_input(key="sign_in_password").input(password)
    return at.form_submit_button[0].click().run()


def test_the_sign_in_page_says_wait_then_locked_with_its_duration_and_a_manager_unlocks(web):
    at = AppTest.from_file(APP, default_timeout=60).run()
    try_sign_in(at, "wang", WRONG)
    assert "用户名或密码不正确" in at.error[0].value
    try_sign_in(at, "wang", WRONG)  # 2nd failure: the next attempt waits 1 s
    try_sign_in(at, "wang", RIGHT)
    assert "秒后再试" in at.error[0].value and "person" not in at.session_state
    time.sleep(1.1)
    try_sign_in(at, "wang", WRONG)  # the 3rd failure locks
    assert "已被锁定" in at.error[0].value and "15 分钟" in at.error[0].value
    try_sign_in(at, "wang", RIGHT)
    assert "已被锁定" in at.error[0].value and "person" not in at.session_state

    manager = AppTest.from_file(APP, default_timeout=60)
    manager.session_state["person"] = Person("boss", "经理", "manager")
    manager.run()
    manager.switch_page("views/settings.py").run()
    assert not manager.exception
    assert any("wang" in m.value for m in manager.markdown)
    manager.button(key="unlock_wang").click().run()
    assert not manager.exception and web.users.locked() == []

    try_sign_in(at, "wang", RIGHT)
    assert at.session_state["person"].username == "wang"


def test_salespeople_do_not_see_the_locks(web):
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["person"] = Person("wang", "王", "sales")
    at.run()
    at.switch_page("views/settings.py").run()
    assert not at.exception and not [b for b in at.button if b.key and b.key.startswith("unlock_")]
    assert "被锁定的用户名" not in [h.value for h in at.subheader]

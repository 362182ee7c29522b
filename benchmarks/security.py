"""Brute-force sign-in attempts the product allows, measured against the real user store
(SQLite, scrypt, the default throttling settings).

Each attacker below tries passwords as fast as the product lets it: when an attempt is
refused it waits exactly the time it was told, then tries again. "checked" counts the
attempts whose password was actually compared (the ones that could have guessed right).

- one user name from one client, for ``--seconds`` of real time;
- one user name from a new client for every attempt (a botnet);
- one client trying a new user name every attempt (password spraying);
- the sustained rate over an hour for one user name, on a simulated clock (the same code,
  the waits are skipped instead of slept);
- the rate without any throttling (scrypt alone), for comparison.

Run: PYTHONPATH=$PWD .venv/bin/python benchmarks/security.py [--seconds 60]
Writes benchmarks/results/security.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, select

from assistant.db.schema import SignInAttempt
from assistant.errors import SignInRefused
from assistant.needs.log import NeedLog
from assistant.settings import Settings
from assistant.users import ThrottlePolicy, Users, check_password, hash_password

RESULTS = Path(__file__).resolve().parent / "results" / "security.json"
PASSWORD = "the-real-password-42"


def attack(users: Users, seconds: float, name_of, client_of, sleep=time.sleep, now=time.monotonic) -> dict:
    """Try wrong passwords for ``seconds``; counts come from the attempts the store recorded
    (``fail``: the password was checked; ``refused``: it was not)."""
    start = now()
    attempts = 0
    locked_after = None
    while now() - start < seconds:
        attempts += 1
        try:
            users.sign_in(name_of(attempts), f"guess-{attempts}", client_of(attempts))
        except SignInRefused as exc:
            if exc.locked and locked_after is None:
                locked_after = round(now() - start, 1)
            sleep(min(exc.retry_after, max(0.0, seconds - (now() - start))) + 0.001)
    elapsed = now() - start
    with users.sessions() as session:
        counts = dict(session.execute(select(SignInAttempt.outcome, func.count()).group_by(SignInAttempt.outcome)).all())
    checked = counts.get("fail", 0)
    return {"seconds": round(elapsed, 1), "attempts": attempts, "checked": checked,
            "refused": counts.get("refused", 0), "checked_per_minute": round(checked * 60 / elapsed, 2),
            "locked_after_s": locked_after}


class SimulatedClock:
    def __init__(self):
        self.t = 0.0
        self.base = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def monotonic(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds

    def __call__(self) -> datetime:
        return self.base + timedelta(seconds=self.t)


def fresh_users(folder: Path, name: str, clock=None) -> Users:
    settings = Settings(data_dir=folder / name, provider="fake")
    policy = ThrottlePolicy.from_settings(settings)
    users = Users(NeedLog.open(settings.database_url), policy, clock) if clock else Users(
        NeedLog.open(settings.database_url), policy)
    users.add("wang", PASSWORD, role="sales")
    return users


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="needs-security-"))
    policy = ThrottlePolicy.from_settings(Settings(data_dir=folder, provider="fake"))

    stored = hash_password(PASSWORD)
    started = time.perf_counter()
    for i in range(20):
        check_password(f"guess-{i}", stored)
    unthrottled = 20 * 60 / (time.perf_counter() - started)

    results = {
        "one_name_one_client": attack(fresh_users(folder, "a"), args.seconds, lambda i: "wang", lambda i: "198.51.100.7"),
        "one_name_new_client_each_try": attack(fresh_users(folder, "b"), args.seconds, lambda i: "wang",
                                               lambda i: f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"),
        "one_client_new_name_each_try": attack(fresh_users(folder, "c"), args.seconds, lambda i: f"user{i}",
                                               lambda i: "198.51.100.7"),
    }
    clock = SimulatedClock()
    hour = attack(fresh_users(folder, "d", clock), 3600, lambda i: "wang", lambda i: "198.51.100.7",
                  sleep=clock.sleep, now=clock.monotonic)
    results["one_name_one_client_simulated_hour"] = hour
    report = {
        "what": "wrong-password sign-in attempts whose password was checked, per minute, with the default "
                "throttling; attackers wait exactly the time they are told",
        "set": "synthetic attack loops against a fresh SQLite user store (no tuning data involved)",
        "policy": {"free_failures": policy.free_failures, "base_delay_s": policy.base_delay,
                   "max_failures": policy.max_failures, "lockout_s": policy.lockout},
        "unthrottled_checks_per_minute": round(unthrottled, 1),
        "results": results,
        "sustained_checked_per_hour_one_name": hour["checked"],
        "notes": "Before throttling every attempt was checked: the unthrottled figure (scrypt cost alone) is "
                 "what one client could try per minute. Many clients each trying many user names are limited "
                 "only per name (free failures, then doubling waits, then the lockout) — a reverse proxy's "
                 "rate limit is the defence against that.",
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()

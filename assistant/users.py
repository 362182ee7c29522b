"""Users of the web app: salespeople, trainees and managers. Passwords are stored as scrypt hashes.

Sign-in is throttled per user name and per client: after a few failures every further
attempt must wait, and the wait doubles with each failure; after ``max_failures`` in a row
the user name is locked for ``lockout`` seconds (a manager can unlock it). Attempts made
during a wait are refused without checking the password. Every attempt is recorded and
failures are logged — never the password.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import math
import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assistant.db.schema import SignInAttempt, User, utcnow
from assistant.errors import InputError, SignInRefused
from assistant.needs.log import NeedLog

log = logging.getLogger(__name__)

Role = Literal["sales", "trainee", "manager"]
ROLES: tuple[str, ...] = ("sales", "trainee", "manager")
_NAME = re.compile(r"^[\w.\-@\u4e00-\u9fff]{2,40}$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


_DUMMY_HASH = "scrypt$" + base64.b64encode(b"\0" * 16).decode() + "$" + base64.b64encode(b"\0" * 32).decode()


def check_password(password: str, stored: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode("utf-8"), salt=base64.b64decode(salt_b64), dklen=32, **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    role: str

    @property
    def is_manager(self) -> bool:
        return self.role == "manager"


@dataclass(frozen=True)
class ThrottlePolicy:
    """How failed sign-ins slow down the next attempt (see the module docstring)."""

    free_failures: int = 3
    base_delay: float = 1.0  # seconds
    max_failures: int = 10
    lockout: float = 900.0  # seconds

    @classmethod
    def from_settings(cls, settings) -> "ThrottlePolicy":
        return cls(free_failures=settings.signin_free_failures, base_delay=settings.signin_base_delay,
                   max_failures=settings.signin_max_failures, lockout=settings.signin_lockout_minutes * 60)

    def wait_after(self, failures: int) -> float:
        """Seconds the next attempt must wait after ``failures`` failures in a row."""
        if failures <= self.free_failures:
            return 0.0
        return min(self.base_delay * 2 ** (failures - self.free_failures - 1), self.lockout)


@dataclass(frozen=True)
class Lock:
    """A user name's sign-in state: failures in a row and until when it is locked."""

    username: str
    failures: int
    locked_until: datetime | None


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


class Users:
    def __init__(self, needlog: NeedLog, policy: ThrottlePolicy | None = None,
                 clock: Callable[[], datetime] = utcnow):
        self.sessions = needlog.sessions
        self.policy = policy or ThrottlePolicy()
        self.clock = clock

    def add(self, username: str, password: str, role: str = "sales", display_name: str = "") -> Person:
        username = username.strip()
        if not _NAME.match(username):
            raise InputError(f"Invalid user name {username!r}.", fix="use 2–40 letters, digits, . - _ @ or 汉字")
        if role not in ROLES:
            raise InputError(f"Unknown role {role!r}.", fix=f"use one of {', '.join(ROLES)}")
        if len(password) < 8:
            raise InputError("The password is too short.", fix="use at least 8 characters")
        with self.sessions() as session:
            user = User(username=username, display_name=display_name or username, role=role,
                        password_hash=hash_password(password))
            session.add(user)
            try:
                session.commit()
            except IntegrityError:
                raise InputError(f"User {username!r} already exists.", fix="choose another name") from None
            return Person(user.username, user.display_name, user.role)

    def set_password(self, username: str, password: str) -> None:
        if len(password) < 8:
            raise InputError("The password is too short.", fix="use at least 8 characters")
        with self.sessions() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise InputError(f"No user {username!r}.", fix="`needs user list` shows users")
            user.password_hash = hash_password(password)
            session.commit()

    # ---- sign-in -----------------------------------------------------------------------------
    def _streak(self, session: Session, now: datetime, *, username: str | None = None,
                client: str | None = None) -> tuple[int, datetime | None]:
        """(failures in a row, time of the newest) for a user name or a client. A success (for
        a user name also a manager's unlock) ends a streak; so does a quiet ``lockout`` period."""
        column = SignInAttempt.username if username is not None else SignInAttempt.client
        key = username if username is not None else client
        resets = ("ok", "unlock")  # a manager's unlock also clears the clients that failed on the name
        since = now - timedelta(seconds=self.policy.lockout)
        rows = session.execute(
            select(SignInAttempt.outcome, SignInAttempt.at)
            .where(column == key, SignInAttempt.at > since, SignInAttempt.outcome.in_(("fail", *resets)))
            .order_by(SignInAttempt.id.desc()).limit(max(self.policy.max_failures, self.policy.free_failures + 40))
        ).all()
        failures, newest = 0, None
        for outcome, at in rows:
            if outcome in resets:
                break
            if outcome == "fail":
                failures += 1
                newest = newest or _aware(at)
        return failures, newest

    def _refusal(self, session: Session, name: str, client: str, now: datetime) -> SignInRefused | None:
        p = self.policy
        user_failures, user_newest = self._streak(session, now, username=name)
        if user_failures >= p.max_failures and user_newest is not None:
            left = (user_newest + timedelta(seconds=p.lockout) - now).total_seconds()
            if left > 0:
                return SignInRefused(
                    f"The user name {name!r} is locked after {user_failures} failed sign-ins, "
                    f"for {_minutes(left)} more minute(s).",
                    fix="wait, or ask a manager to unlock it (`needs user unlock NAME` or Settings → Users)",
                    retry_after=left, locked=True)
        waits = []
        for failures, newest in (
            (user_failures, user_newest), self._streak(session, now, client=client),
        ):
            if newest is not None and failures > p.free_failures:
                waits.append((newest + timedelta(seconds=p.wait_after(failures)) - now).total_seconds())
        left = max(waits, default=0.0)
        if left > 0:
            return SignInRefused(
                f"Too many failed sign-ins: try again in {math.ceil(left)} s.",
                fix=f"check the user name and password; after {p.max_failures} failures in a row a user name "
                f"is locked for {_minutes(p.lockout)} minutes", retry_after=left, locked=False)
        return None

    def sign_in(self, username: str, password: str, client: str = "") -> Person | None:
        """The person for these credentials, or None when they are wrong. Raises SignInRefused,
        without checking the password, while the user name or the client must wait or is
        locked (and when this failure locks the user name)."""
        name, client = username.strip()[:80], (client or "")[:100]
        now = self.clock()
        with self.sessions() as session:
            refused = self._refusal(session, name, client, now)
            if refused is not None:
                session.add(SignInAttempt(username=name, client=client, outcome="refused", at=now))
                session.commit()
                log.warning("sign-in refused for user %r from %s: %s", name, client or "?", refused.message)
                raise refused
            user = session.scalar(select(User).where(User.username == name))
            # the same scrypt work for a user name that does not exist: no timing tells which do
            good = check_password(password, user.password_hash if user is not None else _DUMMY_HASH)
            if user is not None and good:
                session.add(SignInAttempt(username=name, client=client, outcome="ok", at=now))
                session.commit()
                return Person(user.username, user.display_name, user.role)
            session.add(SignInAttempt(username=name, client=client, outcome="fail", at=now))
            session.commit()
            failures, _ = self._streak(session, now, username=name)
            log.warning("sign-in failed for user %r from %s (%d in a row%s)", name, client or "?", failures,
                        "" if user is not None else ", no such user")
            if failures >= self.policy.max_failures:
                locked = self._refusal(session, name, client, now)
                if locked is not None:
                    log.warning("user name %r locked for %d minutes", name, _minutes(self.policy.lockout))
                    raise locked
            return None

    def authenticate(self, username: str, password: str, client: str = "") -> Person | None:
        """Like ``sign_in`` (throttled the same way), but a refused attempt is just None."""
        try:
            return self.sign_in(username, password, client)
        except SignInRefused:
            return None

    def lock_state(self, username: str) -> Lock:
        now = self.clock()
        with self.sessions() as session:
            failures, newest = self._streak(session, now, username=username)
        until = None
        if failures >= self.policy.max_failures and newest is not None:
            end = newest + timedelta(seconds=self.policy.lockout)
            until = end if end > now else None
        return Lock(username, failures, until)

    def locked(self) -> list[Lock]:
        """User names locked now (including names that belong to nobody)."""
        now = self.clock()
        since = now - timedelta(seconds=self.policy.lockout)
        with self.sessions() as session:
            names = session.scalars(select(SignInAttempt.username).where(
                SignInAttempt.outcome == "fail", SignInAttempt.at > since).distinct()).all()
        states = [self.lock_state(name) for name in sorted(names)]
        return [s for s in states if s.locked_until is not None]

    def unlock(self, username: str, actor: str = "") -> bool:
        """Clear a user name's failures (a manager's decision); True when it was locked."""
        name, now = username.strip(), self.clock()
        was_locked = self.lock_state(name).locked_until is not None
        since = now - timedelta(seconds=self.policy.lockout)
        with self.sessions() as session:
            clients = session.scalars(select(SignInAttempt.client).where(
                SignInAttempt.username == name, SignInAttempt.outcome == "fail", SignInAttempt.at > since)
                .distinct()).all()
            for client in sorted(set(clients)) or [""]:
                session.add(SignInAttempt(username=name, client=client, outcome="unlock", actor=actor, at=now))
            session.commit()
        log.warning("user name %r unlocked by %s", username, actor or "an administrator")
        return was_locked

    def all(self) -> list[Person]:
        with self.sessions() as session:
            return [Person(u.username, u.display_name, u.role)
                    for u in session.scalars(select(User).order_by(User.username))]

    def count(self) -> int:
        return len(self.all())

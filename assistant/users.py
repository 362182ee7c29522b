"""Users of the web app: salespeople, trainees and managers. Passwords are stored as scrypt hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from assistant.db.schema import User
from assistant.errors import InputError
from assistant.needs.log import NeedLog

Role = Literal["sales", "trainee", "manager"]
ROLES: tuple[str, ...] = ("sales", "trainee", "manager")
_NAME = re.compile(r"^[\w.\-@\u4e00-\u9fff]{2,40}$")
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


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


class Users:
    def __init__(self, needlog: NeedLog):
        self.sessions = needlog.sessions

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

    def authenticate(self, username: str, password: str) -> Person | None:
        with self.sessions() as session:
            user = session.scalar(select(User).where(User.username == username.strip()))
            if user is None or not check_password(password, user.password_hash):
                return None
            return Person(user.username, user.display_name, user.role)

    def all(self) -> list[Person]:
        with self.sessions() as session:
            return [Person(u.username, u.display_name, u.role)
                    for u in session.scalars(select(User).order_by(User.username))]

    def count(self) -> int:
        return len(self.all())

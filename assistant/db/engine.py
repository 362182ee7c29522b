"""Engine set-up (SQLite in WAL mode by default, PostgreSQL by URL) and migrations."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import ConfigError
from assistant.settings import normalize_database_url

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_migrate_lock = threading.Lock()


def private_file(path: Path) -> None:
    """Create ``path`` readable by its owner only (0600) in a folder only the owner can enter
    (0700, when the folder is new); tighten an existing file that others could read."""
    folder = path.parent
    if not folder.exists():
        old = os.umask(0o077)
        try:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        finally:
            os.umask(old)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
    os.close(fd)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def make_engine(url: str) -> Engine:
    url = normalize_database_url(url)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:" and not path.startswith("file:"):
            # the need log holds password hashes and customer words: owner only. SQLite gives
            # its -wal and -shm files the database file's permissions.
            private_file(Path(path))
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # noqa: ANN001
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

        return engine
    if url.startswith("postgres"):
        try:
            return create_engine(url, pool_pre_ping=True)
        except ModuleNotFoundError as exc:
            raise ConfigError(
                "PostgreSQL needs the psycopg driver.",
                fix="pip install 'psycopg[binary]' and use a postgresql+psycopg:// URL",
            ) from exc
    raise ConfigError(
        f"Unsupported database URL {url!r}.",
        fix="use sqlite:///path/needs.db or postgresql+psycopg://user:pass@host/db "
        "in NEEDS_DATABASE_URL",
    )


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return cfg


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest numbered migration (safe to call every start)."""
    with _migrate_lock:
        try:
            with engine.begin() as connection:
                cfg = alembic_config(engine)
                cfg.attributes["connection"] = connection
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            raise ConfigError(
                f"Cannot open the database at {engine.url.render_as_string(hide_password=True)}: "
                f"{exc.orig}",
                fix="check NEEDS_DATABASE_URL (server running? credentials?) or NEEDS_DATA_DIR "
                "(writable?)",
            ) from exc


def table_names(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)

"""`needs ui`: start the web app (Streamlit) on this machine."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import typer

from assistant.errors import ConfigError

app = typer.Typer()

APP_FILE = Path(__file__).resolve().parent.parent / "ui" / "app.py"


def streamlit_command(address: str, port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(APP_FILE),
        "--server.address", address, "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
        "--client.toolbarMode", "minimal",
    ]


@app.command()
def ui(
    port: int = typer.Option(8501, "--port", "-p", help="Port to listen on."),
    address: str = typer.Option(
        "127.0.0.1", "--address",
        help="Address to listen on. 127.0.0.1 keeps it on this machine; 0.0.0.0 opens it to the network.",
    ),
) -> None:
    """Start the web app (教练 · 陪练 · 需求看板 · 知识库 · 设置) on this machine and print its URL."""
    if not APP_FILE.is_file():
        raise ConfigError(f"The web app is missing: {APP_FILE}.", fix="restore ui/ from the repository")
    if importlib.util.find_spec("streamlit") is None:
        raise ConfigError("Streamlit is not installed.", fix="run `bash scripts/setup.sh` (or pip install -e .)")
    if not 1 <= port <= 65535:
        raise ConfigError(f"Port {port} is out of range.", fix="use --port between 1024 and 65535")
    ensure_first_manager()
    host = "127.0.0.1" if address in ("0.0.0.0", "::") else address
    typer.echo(f"需求洞察助手 web app: http://{host}:{port}   (Ctrl+C to stop)")
    if address not in ("127.0.0.1", "localhost", "::1"):
        typer.echo(f"Listening on {address}: anyone who can reach this machine can open the sign-in page.")
    command = streamlit_command(address, port)
    if os.name == "posix":
        # Streamlit replaces this process (same pid): a service manager's SIGTERM, or Ctrl+C,
        # reaches the server itself and nothing is left serving on the port.
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(command[0], command)
    try:
        code = subprocess.call(command, env=os.environ.copy())
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


def ensure_first_manager() -> None:
    """On a fresh installation nobody can sign in: offer to create the first manager."""
    from assistant.errors import NeedsError
    from assistant.services import Services
    from assistant.settings import load_settings

    users = Services(load_settings()).users
    if users.count() > 0:
        return
    if not sys.stdin.isatty():
        typer.echo("No users yet: create the first manager with "
                   "`.venv/bin/needs user add NAME --role manager`, then sign in.")
        return
    typer.echo("还没有任何用户。先创建第一位主管账号 / No users yet — create the first manager account:")
    while True:
        name = typer.prompt("用户名 user name", default="admin")
        password = typer.prompt("密码 password (8+)", hide_input=True, confirmation_prompt=True)
        try:
            person = users.add(name, password, role="manager")
        except NeedsError as exc:
            typer.echo(str(exc))
            continue
        typer.echo(f"✓ {person.username} (manager)")
        return


if __name__ == "__main__":  # pragma: no cover  (`needs ui` is the usual way in)
    app()

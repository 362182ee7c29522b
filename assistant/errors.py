"""Typed errors. Each carries a plain-language message and the fix to try.

The CLI and the web app show ``str(error)`` (message + fix); nothing else needs to
know about the exception's origin.
"""

from __future__ import annotations


class NeedsError(Exception):
    """Base of every error the product reports to a person."""

    fix: str = ""

    def __init__(self, message: str, fix: str | None = None):
        super().__init__(message)
        self.message = message
        if fix is not None:
            self.fix = fix

    def __str__(self) -> str:
        return f"{self.message}\n→ {self.fix}" if self.fix else self.message


class ConfigError(NeedsError):
    """Settings are missing or contradictory."""


class ModelNotInstalled(NeedsError):
    """The embedded model file is missing or does not match its checksum."""


class ModelError(NeedsError):
    """A model call failed for good (after retries)."""


class ModelTimeout(ModelError):
    """A model call took longer than the configured timeout on every try."""


class ModelUnavailable(ModelError):
    """The model endpoint could not be reached or refused the request."""


class PromptError(NeedsError):
    """A prompt file is missing or a named variable was not supplied."""


class InputError(NeedsError):
    """The user's input cannot be used as given (empty, too long, unreadable)."""


class SignInRefused(NeedsError):
    """A sign-in attempt refused before the password was checked: wait, or locked."""

    def __init__(self, message: str, fix: str, *, retry_after: float, locked: bool):
        super().__init__(message, fix)
        self.retry_after = retry_after
        self.locked = locked


# ---- the one place where exceptions become messages ------------------------------------
def strict() -> bool:
    """Under tests (NEEDS_TEST=1) unexpected errors re-raise instead of becoming messages."""
    import os

    return os.environ.get("NEEDS_TEST", "").lower() in ("1", "true", "yes")


def _os_error(exc: OSError) -> NeedsError:
    import errno
    from pathlib import Path

    path = exc.filename if exc.filename is not None else ""
    where = f" {path}" if path else ""
    parent = str(Path(str(path)).parent) if path else "the folder"
    code = exc.errno
    if isinstance(exc, IsADirectoryError):
        return InputError(f"{path or 'The path'} is a folder, not a file.",
                          fix=f"name a file inside it, e.g. {Path(str(path)) / 'needs.csv'}" if path
                          else "name a file, not a folder")
    if isinstance(exc, NotADirectoryError):
        return InputError(f"A part of the path{where} is a file, not a folder.",
                          fix="check the path: every part before the file name must be a folder")
    if isinstance(exc, FileNotFoundError):
        return InputError(f"No such file or folder:{where}.",
                          fix=f"check the path; to write a file there, create its folder first "
                          f"(mkdir -p {parent}) or choose an existing folder")
    if isinstance(exc, PermissionError):
        return InputError(f"Permission denied:{where}.",
                          fix="choose a file or folder you may use, or change its permissions")
    if code == errno.EROFS:
        return InputError(f"The file system is read-only:{where}.", fix="choose a folder on a writable disk")
    if code == errno.ENOSPC:
        return InputError(f"The disk is full:{where}.", fix="free some space or choose another disk")
    if code == errno.ELOOP:
        return InputError(f"Too many symbolic links (a link loop?):{where}.", fix="fix or remove the link")
    if code == errno.ENAMETOOLONG:
        return InputError(f"The file name is too long:{where}.", fix="use a shorter name")
    return InputError(f"Cannot use{where or ' the file'}: {exc.strerror or exc}.",
                      fix="check the path and that the disk is available")


def as_user_error(exc: BaseException) -> NeedsError | None:
    """The message a person should see for ``exc``, or None when it is unexpected (a bug)."""
    if isinstance(exc, NeedsError):
        return exc
    if isinstance(exc, ConnectionError):
        return NeedsError(f"A connection failed: {exc}.",
                          fix="check that the server named in the settings runs and that its URL is right "
                          "(`needs config` shows them)")
    if isinstance(exc, OSError) and exc.filename is not None:
        return _os_error(exc)
    return None


def user_message(exc: BaseException) -> str:
    """``exc`` as the text shown to a person (message and fix), secrets masked."""
    from assistant.masking import mask_text

    known = as_user_error(exc)
    return mask_text(str(known) if known is not None else f"{type(exc).__name__}: {exc}")

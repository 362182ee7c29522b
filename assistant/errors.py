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

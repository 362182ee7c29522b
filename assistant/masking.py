"""One masking function for anything that may carry a secret.

Settings (`needs config`, `--json`, the web Settings page), error messages and log lines
all pass through :func:`mask_text`, so a password inside a URL, an API key or a bearer
token never reaches a screen or a log file in clear. :func:`mask_secret` shortens a value
that is known to be secret (``sk-…23``) so a person can still tell two keys apart.
"""

from __future__ import annotations

import logging
import re

MASK = "****"

# scheme://user:password@host  ·  scheme://token@host
_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.\-]*://)(?P<info>[^\s/@?#]+)@", re.IGNORECASE)
# ?api_key=…&token=…  (also in fragments and form bodies)
_QUERY = re.compile(
    r"(?P<name>[?&#;]\s*(?:api[_-]?key|apikey|key|access[_-]?token|refresh[_-]?token|token|auth|secret|"
    r"client[_-]?secret|password|passwd|pwd|sig|signature)=)(?P<value>[^&#\s\"']+)",
    re.IGNORECASE,
)
# Authorization: Bearer …  ·  Bearer …
_BEARER = re.compile(
    r"(?P<name>\b(?:authorization\s*[:=]\s*(?:basic|bearer|token)?|bearer)\s*)(?P<value>[A-Za-z0-9._~+/=\-]{8,})",
    re.IGNORECASE,
)
# key=value / "key": "value" pairs whose name says secret
_PAIR = re.compile(
    r"(?P<name>\b[\w\-]*(?:api[_-]?key|secret|password|passwd|token)[\w\-]*[\"']?\s*[:=]\s*[\"']?)"
    r"(?P<value>[^\s\"',;&}]{4,})",
    re.IGNORECASE,
)
# provider key shapes: sk-…, sk-proj-…, pk-…, ghp_…, xoxb-…, AKIA…
_KEY = re.compile(
    r"\b(?P<value>(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}|gh[pousr]_[A-Za-z0-9]{16,}|xox[abpr]-[A-Za-z0-9\-]{10,}"
    r"|AKIA[0-9A-Z]{16})\b"
)


def mask_secret(secret: str) -> str:
    """A known secret shortened past use: the first three and last two characters stay."""
    return f"{secret[:3]}…{secret[-2:]}" if len(secret) > 8 else MASK


def _mask_userinfo(match: re.Match[str]) -> str:
    info = match.group("info")
    user, sep, _password = info.partition(":")
    if sep:
        return f"{match.group('scheme')}{user}:{MASK}@"
    return f"{match.group('scheme')}{MASK}@"  # a lone user part is often a token


def mask_text(text: str) -> str:
    """``text`` with every secret it may carry masked: passwords and tokens inside URLs,
    secret query parameters, bearer tokens, ``password=…`` pairs and API keys."""
    if not text:
        return text
    text = _USERINFO.sub(_mask_userinfo, text)
    text = _QUERY.sub(lambda m: m.group("name") + MASK, text)
    text = _BEARER.sub(lambda m: m.group("name") + MASK, text)
    text = _PAIR.sub(lambda m: m.group("name") + MASK, text)
    text = _KEY.sub(lambda m: mask_secret(m.group("value")), text)
    return text


class MaskingFormatter(logging.Formatter):
    """Formats a log record, traceback included, and masks secrets in the result."""

    def format(self, record: logging.LogRecord) -> str:
        return mask_text(super().format(record))


_HANDLER_NAME = "needs-masked"


def configure_logging(level: int = logging.WARNING) -> logging.Handler:
    """Send log records to stderr through the masking formatter (once per process)."""
    root = logging.getLogger()
    for handler in root.handlers:
        if handler.get_name() == _HANDLER_NAME:
            return handler
    handler = logging.StreamHandler()
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(MaskingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    if root.level > level or root.level == logging.NOTSET:
        root.setLevel(level)
    return handler

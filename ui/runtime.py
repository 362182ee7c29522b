"""The web app's seam to the core: one process-wide ``Services``, the signed-in person,
and the one place where errors become messages.

Pages never build a model, a store or a chain: they call ``get_services()``. Tests
inject their own services (e.g. with the fake model) with ``set_services(...)`` before
running the app with ``AppTest``; the override wins over the cached real one.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Iterator

import streamlit as st
from pydantic import ValidationError

from assistant.errors import NeedsError, as_user_error, user_message
from assistant.errors import strict as _strict
from assistant.masking import configure_logging, mask_text
from assistant.services import Services
from assistant.users import Person
from ui.i18n import t

log = logging.getLogger(__name__)

_override: Services | None = None


def set_services(services: Services | None) -> None:
    """Use these services instead of the ones built from settings (None: back to the real ones)."""
    global _override
    _override = services


@st.cache_resource(show_spinner=False)
def _real_services() -> Services:
    from assistant.settings import load_settings  # names the bad variable and its fix

    configure_logging()
    return Services(load_settings())


def get_services() -> Services:
    return _override if _override is not None else _real_services()


def strict() -> bool:
    """Re-raise unexpected errors (tests set NEEDS_TEST=1) instead of showing a message."""
    return _strict()


def show_error(exc: BaseException) -> None:
    """The error as a message (plain text, secrets masked): message and fix for a known
    error, one line for an unexpected one."""
    if isinstance(exc, ValidationError):
        details = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        st.error(plain_md(t("error.invalid", detail=mask_text(details))), icon="⚠️")
    elif as_user_error(exc) is not None:
        st.error(plain_md(user_message(exc)), icon="⚠️")
    else:
        st.error(plain_md(t("error.unexpected", detail=user_message(exc))), icon="🛑")


def plain_md(text: str) -> str:
    """Text shown through Markdown exactly as written (see ui.components.escape_md)."""
    from ui.components import escape_md

    return escape_md(text)


@contextmanager
def guard() -> Iterator[None]:
    """The one place where errors become messages on every page: a known error shows its
    message and fix, anything else a plain message (or re-raises under tests). Streamlit's
    own rerun/stop signals (BaseException) pass through."""
    try:
        yield
    except (NeedsError, ValidationError) as exc:
        show_error(exc)
    except Exception as exc:
        if as_user_error(exc) is not None:
            show_error(exc)
            return
        if strict():
            raise
        log.error("unexpected error in the web app", exc_info=exc)
        show_error(exc)


# ---- the signed-in person ----------------------------------------------------------------
def current_person() -> Person | None:
    person = st.session_state.get("person")
    return person if isinstance(person, Person) else None


def require_person() -> Person:
    """The signed-in person; a page reached without signing in stops here."""
    person = current_person()
    if person is None:
        st.warning(t("auth.title"))
        st.stop()
    return person


def client_id() -> str:
    """Who is signing in, for throttling: the browser's address as the server sees it
    (behind a reverse proxy every browser shares the proxy's address)."""
    try:
        address = st.context.ip_address
    except Exception:  # no browser connection (scripted runs)
        address = None
    return address if isinstance(address, str) and address else "web"


def sign_out() -> None:
    keep = {"lang"}
    for key in list(st.session_state.keys()):
        if key not in keep:
            del st.session_state[key]


def may_edit(person: Person, author: str) -> bool:
    """Managers correct anyone's needs; others only their own."""
    return person.is_manager or person.username == author


# ---- the knowledge base ------------------------------------------------------------------------
def knowledge_base(services: Services) -> tuple[Any | None, str]:
    """(the services' knowledge base, "") or (None, why) when its index cannot be opened
    (the page then falls back to browsing the shipped entries)."""
    try:
        return services.knowledge, ""
    except ImportError as exc:  # an installation without the vector index packages
        return None, str(exc)

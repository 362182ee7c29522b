"""需求洞察助手 web app — the entry point: `streamlit run ui/app.py` (or `needs ui`).

It signs a person in, then routes to the pages in ui/views/. The pages are a thin
adapter over the core services (assistant.services.Services); they build no model or
store themselves. The page folder is deliberately not called ``pages/``: Streamlit would
then also serve each file directly, past the sign-in below.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # a checkout that was not installed with `pip install -e`
    sys.path.insert(0, str(HERE.parent))

import streamlit as st  # noqa: E402

from assistant.errors import SignInRefused  # noqa: E402
from ui import runtime  # noqa: E402
from ui.components import escape_md  # noqa: E402
from ui.i18n import LANGUAGES, role_label, t  # noqa: E402

st.set_page_config(page_title="需求洞察助手", page_icon="🧭", layout="wide")

services = None
with runtime.guard():
    services = runtime.get_services()
if services is None:
    st.stop()

if "lang" not in st.session_state:
    st.session_state["lang"] = services.settings.ui_language

with st.sidebar:
    st.radio(t("app.language"), list(LANGUAGES), format_func=LANGUAGES.get, key="lang", horizontal=True)


def sign_in_page() -> None:
    st.title("🧭 " + t("app.name"))
    st.caption(t("app.tagline"))
    users = services.users
    if users.count() == 0:
        st.error(t("auth.no_users"), icon="🔒")
        st.code(".venv/bin/needs user add NAME --role manager", language="bash")
        return
    _, middle, _ = st.columns([1, 2, 1])
    with middle:
        with st.form("sign_in"):
            st.subheader(t("auth.title"))
            username = st.text_input(t("auth.username"), key="sign_in_user")
            password = st.text_input(t("auth.password"), type="password", key="sign_in_password")
            submitted = st.form_submit_button(t("auth.submit"), type="primary")
        if submitted:
            try:
                person = users.sign_in(username, password, client=runtime.client_id()) \
                    if username and password else None
            except SignInRefused as refused:
                if refused.locked:
                    st.error(t("auth.locked", name=escape_md(username.strip()),
                               minutes=max(1, math.ceil(refused.retry_after / 60))), icon="🔒")
                else:
                    st.error(t("auth.wait", seconds=math.ceil(refused.retry_after)), icon="⏳")
                person = None
            else:
                if person is None:
                    st.error(t("auth.wrong"))
            if person is not None:
                st.session_state["person"] = person
                st.rerun()
        st.caption(t("auth.ask_manager"))


person = runtime.current_person()
if person is None:
    with runtime.guard():
        sign_in_page()
    st.stop()

views = HERE / "views"
pages = [
    st.Page(views / "coach.py", title=t("nav.coach"), icon="🧭", url_path="coach", default=True),
]
if (views / "roleplay.py").is_file():
    pages.append(st.Page(views / "roleplay.py", title=t("nav.roleplay"), icon="🎭", url_path="roleplay"))
pages += [
    st.Page(views / "needlog.py", title=t("nav.needs"), icon="📋", url_path="needs"),
    st.Page(views / "accounts.py", title=t("nav.accounts"), icon="🗂️", url_path="accounts"),
    st.Page(views / "meetings.py", title=t("nav.meetings"), icon="🎙️", url_path="meetings"),
    st.Page(views / "knowledge.py", title=t("nav.knowledge"), icon="📚", url_path="knowledge"),
    st.Page(views / "settings.py", title=t("nav.settings"), icon="⚙️", url_path="settings"),
]
page = st.navigation(pages)

with st.sidebar:
    st.divider()
    st.markdown(t("auth.signed_in_as", name=escape_md(person.display_name), role=role_label(person.role)))
    if st.button(t("auth.sign_out"), icon="🚪"):
        runtime.sign_out()
        st.rerun()

with runtime.guard():  # the one place where a page's errors become messages
    page.run()

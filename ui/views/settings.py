"""设置 Settings: what the app runs with (secrets masked), a connection test, the offline
models, and how to change settings (environment variables or needs.toml)."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from assistant.model_files import MODELS, is_verified, model_path
from assistant.settings import Settings, config_file_path
from ui import runtime
from ui.components import escape_md, local_time, show_text
from ui.i18n import t

person = runtime.require_person()
services = runtime.get_services()
settings = services.settings
values = settings.masked()

st.title("⚙️ " + t("set.title"))

if settings.provider == "openai":
    endpoint, model_name = values.get("openai_base_url") or "—", values.get("openai_model") or "—"
elif settings.provider == "local":
    endpoint = t("set.embedded")
    model_name = str(settings.local_model_path) if settings.local_model_path else settings.local_model
else:
    endpoint, model_name = t("set.fake"), "fake"
with st.container(border=True):
    c = st.columns([1, 2, 2])
    for column, title, value in zip(c, (t("set.provider"), t("set.endpoint"), t("set.model")),
                                    (settings.provider, endpoint, model_name)):
        column.caption(title)
        show_text(str(value), bold=True)

if st.button(t("set.test"), type="primary", key="settings_test"):
    with runtime.guard():
        with st.spinner(t("set.testing")):
            check = services.check_model(t("set.test_prompt"), retries=min(1, settings.max_retries))
        st.success(t("set.test_ok", s=check.total_s))
        show_text(check.answer.strip(), prefix="> ")

st.subheader(t("set.offline"))
with runtime.guard():
    rows = []
    for spec in MODELS.values():
        path = model_path(spec, settings.models_dir)
        ok = is_verified(spec, path)
        in_use = settings.provider == "local" and spec.name == settings.local_model and settings.local_model_path is None
        rows.append({
            t("set.model"): spec.name + (" " + t("set.in_use") if in_use else ""),
            "": spec.description,
            t("set.installed"): "✅ " + t("set.installed") if ok else "❌ " + t("set.missing"),
            "path": str(path),
        })
    if settings.local_model_path is not None:
        rows.append({t("set.model"): "local_model_path " + t("set.in_use"), "": "", t("set.installed"):
                     "✅" if settings.local_model_path.is_file() else "❌", "path": str(settings.local_model_path)})
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption(t("set.pull_hint"))

if person.is_manager:
    st.subheader(t("set.locks"))
    with runtime.guard():
        users = services.users
        locks = users.locked()
        if not locks:
            st.caption(t("set.locks_none"))
        for lock in locks:
            row = st.container(horizontal=True, vertical_alignment="center")
            row.markdown(f"🔒 **{escape_md(lock.username)}** — "
                         + t("set.lock_row", n=lock.failures, until=local_time(lock.locked_until, "%H:%M")))
            if row.button(t("set.unlock"), key=f"unlock_{lock.username}"):
                users.unlock(lock.username, actor=person.username)
                st.toast(t("set.unlocked", name=escape_md(lock.username)))
                st.rerun()

st.subheader(t("set.all"))
descriptions = Settings.describe()
rows = [
    {t("set.name"): f"NEEDS_{name.upper()}", t("set.value"): "" if value is None else str(value),
     t("set.meaning"): descriptions.get(name, "")}
    for name, value in values.items()
]
st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", height=35 * (len(rows) + 1) + 3)

st.subheader(t("set.how"))
path = config_file_path()
st.markdown(t("set.how_body", path=f"`{path}`" if path else t("set.no_file")))
st.code('export NEEDS_PROVIDER=openai\nexport NEEDS_OPENAI_BASE_URL=https://api.deepseek.com/v1\n'
        'export NEEDS_OPENAI_API_KEY=sk-...\nexport NEEDS_OPENAI_MODEL=deepseek-chat\n.venv/bin/needs ui', language="bash")
st.code('# needs.toml\nprovider = "local"\nlocal_model = "qwen2.5-1.5b"\nthreads = 1\nui_language = "zh"', language="toml")

"""知识库 Knowledge: browse the curated entries and method cards, search, add documents."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pandas as pd
import streamlit as st

from assistant.knowledge.citation import cite_entry, cite_passage
from assistant.knowledge.ingest import FileResult
from assistant.knowledge.loaders import MAX_FILE_BYTES, too_large
from ui import runtime
from ui.components import escape_md, progress_reporter, show_text
from ui.i18n import labels, lang, maybe, t

person = runtime.require_person()
services = runtime.get_services()
catalog = services.catalog

UPLOAD_TYPES = ["md", "txt", "html", "pdf", "docx"]

st.title("📚 " + t("kb.title"))
st.caption(t("kb.caption"))

kb, kb_missing = None, ""
with runtime.guard():
    kb, kb_missing = runtime.knowledge_base(services)


def body_without_title(body: str) -> str:
    """The entry's Markdown without its title line, headings shrunk to fit inside an expander."""
    body = re.sub(r"\A\s*#\s+[^\n]*\n", "", body).strip()
    return re.sub(r"^(#{1,4})\s", lambda m: "#" * min(6, len(m.group(1)) + 3) + " ", body, flags=re.M)


def entry_view(entry) -> None:
    with st.expander(entry.title(lang()), icon="🧩" if entry.kind == "method" else "📄"):
        meta = []
        if entry.tags:
            meta.append(f"{t('kb.tags')}：" + "、".join(entry.tags))
        cited = cite_entry(entry, lang())
        if cited.source_text:
            meta.append(f"{t('kb.source')}：" + escape_md(cited.source_text))
        if meta:
            st.caption("　·　".join(meta))
        if cited.files:
            st.caption(f"{t('kb.file')}：{escape_md(cited.files)}")
        if lang() == "en" and entry.summary_en:
            st.info(entry.summary_en)
        st.markdown(body_without_title(entry.body))


def substring_search(query: str) -> list:
    terms = [w.lower() for w in query.split() if w.strip()]
    hits = []
    for entry in catalog.entries.values():
        haystack = " ".join([entry.title_zh, entry.title_en, " ".join(entry.tags), entry.summary_en,
                             entry.body]).lower()
        if terms and all(term in haystack for term in terms):
            in_title = sum(term in (entry.title_zh + entry.title_en).lower() for term in terms)
            hits.append((in_title, haystack.count(terms[0]), entry))
    hits.sort(key=lambda h: (-h[0], -h[1]))
    return [h[2] for h in hits]


def show_report(report) -> None:
    summary = report.summary() if hasattr(report, "summary") else str(report)
    st.success(f"{t('kb.ingested')} {summary}")
    rows = []
    for group in ("indexed", "unchanged", "skipped", "pruned"):
        for item in getattr(report, group, []) or []:
            rows.append({t("kb.file"): Path(item.path).name, t("kb.status"): item.status,
                         t("kb.chunks"): item.chunks,
                         t("kb.reason"): "：".join(x for x in (item.reason, item.detail) if x)})
    if rows:
        st.markdown(f"**{t('kb.report')}**")
        st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def safe_name(name: str) -> str:
    stem = re.sub(r"[^\w.\-\u4e00-\u9fff]+", "_", Path(name).name).strip("._") or "upload"
    return stem[:120]


tab_browse, tab_search, tab_upload, tab_range = st.tabs([t("kb.tab.browse"), t("kb.tab.search"), t("kb.tab.upload"),
                                                         t("kb.tab.range")])

with tab_browse:
    kinds: dict[str, list] = {}
    for entry in catalog.entries.values():
        kinds.setdefault(entry.kind or "concept", []).append(entry)
    order = sorted(kinds, key=lambda k: (-len(kinds[k]), k))
    kind = st.radio(t("kb.kind"), order, horizontal=True, key="kb_kind",
                    format_func=labels(order, lambda k: f"{maybe('kind', k)} ({len(kinds[k])})"))
    for entry in sorted(kinds.get(kind, []), key=lambda e: e.title(lang())):
        entry_view(entry)

with tab_search:
    query = st.text_input(t("kb.query"), key="kb_query", placeholder=t("kb.query_ph"))
    if query.strip():
        with runtime.guard():
            if kb is not None:
                if hasattr(kb, "ensure_shipped"):  # first use: the shipped knowledge is indexed once
                    slot = st.empty()
                    kb.ensure_shipped(progress=progress_reporter(slot, "kb.indexing"))
                    slot.empty()
                with st.spinner(t("kb.searching")):
                    passages = kb.retrieve(query.strip(), services.settings.retrieval_k)
                st.caption(t("kb.results", n=len(passages)))
                for p in passages:
                    with st.container(border=True):
                        heading = p.title + (f" › {p.section}" if getattr(p, "section", "") else "")
                        show_text(heading, bold=True)
                        cited = cite_passage(p, lang())
                        st.caption(f"{t('kb.source')}：{escape_md(cited.source_text)}　·　{t('kb.score', s=float(p.score))}")
                        show_text(p.text)  # passages may come from uploaded documents: text, not Markdown
                        st.caption(f"{t('kb.file')}：{escape_md(p.source)}")
                if not passages:
                    st.info(t("kb.no_results"))
            else:
                hits = substring_search(query)
                st.caption(t("kb.results", n=len(hits)) + " " + t("kb.substring_note"))
                for entry in hits[:20]:
                    entry_view(entry)
                if not hits:
                    st.info(t("kb.no_results"))


with tab_upload:
    if kb is None:
        st.info(t("kb.upload_unavailable"), icon="🚧")
        st.caption(kb_missing)
    elif not person.is_manager:
        st.info(t("kb.upload_managers"), icon="🔒")
    else:
        files = st.file_uploader(t("kb.upload"), type=UPLOAD_TYPES, accept_multiple_files=True, key="kb_files")
        if st.button(t("kb.ingest"), type="primary", disabled=not files, key="kb_ingest"):
            with runtime.guard():
                folder = services.settings.data_dir / "uploads"
                folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # customers' documents: owner only
                paths = []
                refused = []  # over the size limit: not even written to disk
                for f in files:
                    size = getattr(f, "size", None) or len(f.getvalue())
                    if size > MAX_FILE_BYTES:
                        skip = too_large(size)
                        refused.append(FileResult(path=f.name, status="skipped", reason=skip.reason, detail=skip.detail))
                        continue
                    path = folder / safe_name(f.name)
                    path.write_bytes(f.getvalue())
                    paths.append(path)
                bar = st.progress(0.0, text=t("kb.ingesting"))
                options = {}
                if "chunk_progress" in inspect.signature(kb.ingest).parameters:
                    chunk_bar = st.progress(0.0)
                    options["chunk_progress"] = lambda name, done, total: chunk_bar.progress(
                        done / total if total else 1.0, text=f"{Path(name).name}: {done}/{total} {t('kb.chunks')}")
                report = kb.ingest(paths, prune=False, progress=progress_reporter(bar), **options)
                bar.progress(1.0, text=t("kb.ingested"))
                if refused and hasattr(report, "skipped"):
                    report.skipped.extend(refused)
                show_report(report)


with tab_range:
    st.caption(t("kb.range_caption"))
    items = []
    with runtime.guard():
        items = services.offerings()
    if items:
        st.dataframe(pd.DataFrame([{t("kb.range_name"): i.name, t("kb.range_serves"): i.serves,
                                    t("kb.range_reason"): i.reason} for i in items]),
                     hide_index=True, use_container_width=True)
        need = st.text_input(t("kb.range_try"), key="kb_range_need", placeholder=t("kb.range_try_ph"))
        if need.strip():
            with runtime.guard():
                picked = services.match_offerings(need)
                if picked:
                    st.success(t("kb.range_picked", items="、".join(i.name for i in picked)))
                else:
                    st.info(t("kb.range_none"))
    else:
        st.info(t("kb.range_empty"))
    if person.is_manager:
        upload = st.file_uploader(t("kb.range_upload"), type=["csv", "json"], key="kb_range_file")
        if st.button(t("kb.range_import"), disabled=upload is None, key="kb_range_import"):
            with runtime.guard():
                bar = st.progress(0.0, text=t("kb.range_embedding"))
                imported = services.import_offerings(
                    upload.getvalue(), upload.name,
                    progress=lambda done, total: bar.progress(done / total if total else 1.0,
                                                              text=t("kb.range_embedding")))
                bar.progress(1.0, text=t("kb.range_imported", n=len(imported)))
                st.success(t("kb.range_imported", n=len(imported)))
    else:
        st.caption(t("kb.range_managers"))

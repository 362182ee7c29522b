"""The need log page's data work, without any widgets: who may see what, the table,
the diff of an edited table into need-log updates, and the export files."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from typing import Any, Sequence

import pandas as pd

from assistant.errors import InputError
from assistant.needs.log import NeedFilter, NeedLog, export_needs
from assistant.needs.records import NeedRecord
from assistant.users import Person

EDITABLE_COLUMNS = ("statement", "dimension", "kind", "owner", "status", "ltc_stage", "review_state")
TABLE_COLUMNS = ("created", "author", "account", *EDITABLE_COLUMNS, "source", "evidence")
EXPORT_MIME = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
}


def scope(person: Person) -> NeedFilter:
    """What a person may see: a manager the team's needs, anyone else only their own."""
    return NeedFilter() if person.is_manager else NeedFilter(authors=[person.username])


def narrowed(person: Person, **criteria: Any) -> NeedFilter:
    """The person's scope narrowed by the page's filters (empty values mean 'all')."""
    base = scope(person)
    values = {k: (v or None) for k, v in criteria.items()}
    if not person.is_manager:
        values.pop("author", None)  # a salesperson cannot widen or change the author
    return replace(base, **values)


def needs_frame(needs: Sequence[NeedRecord]) -> pd.DataFrame:
    rows = []
    for n in needs:
        created = n.created_at if n.created_at.tzinfo else n.created_at.replace(tzinfo=timezone.utc)
        rows.append({
            "id": n.id,
            "created": created.astimezone().replace(tzinfo=None),
            "author": n.author,
            "account": n.account or "",
            "statement": n.statement,
            "dimension": n.dimension,
            "kind": n.kind,
            "owner": n.owner,
            "status": n.status,
            "ltc_stage": n.ltc_stage,
            "review_state": n.review_state,
            "source": n.source,
            "evidence": " | ".join(f"[{e.turn}] {e.quote}" for e in n.evidence),
        })
    frame = pd.DataFrame(rows, columns=["id", *TABLE_COLUMNS])
    return frame.set_index("id")


def changed_fields(original: pd.DataFrame, edited: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """need id -> {field: new value} for every editable cell that differs."""
    changes: dict[str, dict[str, Any]] = {}
    for need_id in edited.index:
        if need_id not in original.index:
            continue
        for column in EDITABLE_COLUMNS:
            old, new = original.at[need_id, column], edited.at[need_id, column]
            if new is None or (not isinstance(new, str) and pd.isna(new)):
                new = ""
            if isinstance(new, str):
                new = new.strip()
            if new != old:
                changes.setdefault(str(need_id), {})[column] = new
    return changes


def save_changes(log: NeedLog, changes: dict[str, dict[str, Any]], editor: str) -> int:
    """One ``update_need`` per changed need (each writes its audit rows); nothing is saved
    when a statement was emptied."""
    for need_id, fields in changes.items():
        if "statement" in fields and not str(fields["statement"]).strip():
            raise InputError(f"The statement of need {need_id[:8]} is empty.",
                             fix="write the need in a short sentence, or reject the need instead")
    for need_id, fields in changes.items():
        log.update_need(need_id, fields, editor=editor, note="corrected in the need log")
    return len(changes)


def export_name(fmt: str, today: date | None = None) -> str:
    return f"needs-{(today or datetime.now().date()).strftime('%Y%m%d')}.{fmt}"


def export_file(needs: Sequence[NeedRecord], fmt: str, today: date | None = None) -> tuple[bytes, str, str]:
    """(content, file name, MIME type) of the needs in one format, via the core exporter
    (which neutralises spreadsheet formulas)."""
    data = export_needs(needs, fmt)  # type: ignore[arg-type]
    return data, export_name(fmt, today), EXPORT_MIME[fmt]

"""The team's own range: the products and services it sells, each with what it is for.

A seller recommends from what they have: the jujube seller had sour jujubes and kiwis. When a
customer's need is confirmed, the coach looks for the better fit in this range first — by
meaning, with the shipped embedder: the confirmed need's words against each item's name and
``serves`` line — before it asks the model to name one. An item is proposed only when it stands
clearly above the rest of the range for this need (``match``), never the product first asked
for, never the option the customer is already weighing.

The range is a CSV or JSON file (``load``): one row per item with ``name``, ``serves`` (what need
or situation it is for, in the shop's own words) and ``reason`` (why it helps, said to a
customer, a few words); Chinese headers (名称 / 用途 / 理由) are read too. `needs offerings
import FILE` checks a file and copies it into the data directory, where the coach finds it.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field, ValidationError, field_validator

from assistant.errors import NeedsError

log = logging.getLogger(__name__)

FILE_NAME = "offerings.json"  # where `needs offerings import` keeps the range, in the data directory
MAX_ITEMS = 2000
MAX_BYTES = 2_000_000  # a range of 2000 items with long lines stays far below this

# calibrated on the dev stories' ranges (benchmarks/offerings.py; the held-out ranges reported beside)
STAND_OUT_Z = 1.0  # how far above the range's mean similarity (in its spread) a proposed item must stand
NEAR_TOP = 0.03  # a second item is proposed only this close to the first
REQUEST_WEIGHT = 0.3  # how much likeness to the request counts against an item

_HEADERS = {"name": "name", "名称": "name", "产品": "name", "serves": "serves", "用途": "serves",
            "适用": "serves", "reason": "reason", "理由": "reason", "卖点": "reason"}


class Offering(BaseModel):
    """One item of the range."""

    name: str = Field(min_length=1, max_length=40, description="the product or service as the team lists it")
    serves: str = Field(min_length=1, max_length=200, description="what need or situation it is for")
    reason: str = Field("", max_length=80, description="why it helps, said to a customer in a few words")

    @field_validator("name", "serves", "reason", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    @property
    def language(self) -> str:
        return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in self.name + self.serves) else "en"

    def text(self) -> str:
        """What the item is matched by: everything the team wrote about it."""
        if self.language == "zh":
            return f"{self.name}：{self.serves}" + (f"；{self.reason}" if self.reason else "")
        return f"{self.name}: {self.serves}" + (f"; {self.reason}" if self.reason else "")


class OfferingError(NeedsError):
    fix = ("each row needs a name and a serves line (what need it is for), and may have a reason; "
           "CSV with a header row (name,serves,reason or 名称,用途,理由) or JSON "
           '({"items": [{"name": …, "serves": …, "reason": …}]}), UTF-8')


def parse(data: bytes, source: str = "the file") -> list[Offering]:
    """The items of a range file's bytes; an OfferingError naming the row and the fix otherwise."""
    if len(data) > MAX_BYTES:
        raise OfferingError(f"{source} is {len(data) / 1e6:.1f} MB; a range file may be at most "
                            f"{MAX_BYTES / 1e6:.0f} MB ({MAX_ITEMS} items)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OfferingError(f"{source} is not UTF-8 text (byte {exc.start})") from exc
    stripped = text.lstrip()
    if not stripped:
        raise OfferingError(f"{source} is empty")
    rows: list[dict]
    if stripped[0] in "[{":
        try:
            loaded = json.loads(stripped)
        except json.JSONDecodeError as exc:
            raise OfferingError(f"{source} is not valid JSON (line {exc.lineno}: {exc.msg})") from exc
        rows = loaded.get("items") if isinstance(loaded, dict) else loaded
        if not isinstance(rows, list):
            raise OfferingError(f'{source} has no list of items ("items": [...])')
    else:
        reader = csv.DictReader(io.StringIO(text))
        missing = {"name", "serves"} - {_HEADERS.get((h or "").strip().lower(), "") for h in reader.fieldnames or []}
        if missing:
            raise OfferingError(f"{source}'s header row lacks {', '.join(sorted(missing))}")
        rows = [{_HEADERS.get((k or "").strip().lower(), k): v for k, v in row.items()} for row in reader]
    if len(rows) > MAX_ITEMS:
        raise OfferingError(f"{source} has {len(rows)} items; at most {MAX_ITEMS} are read")
    items: list[Offering] = []
    for number, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise OfferingError(f"{source}, item {number}: not a row of name / serves / reason")
        try:
            items.append(Offering.model_validate({k: row.get(k) or "" for k in ("name", "serves", "reason")}))
        except ValidationError as exc:
            problem = "; ".join(_problem(e) for e in exc.errors())
            raise OfferingError(f"{source}, item {number}: {problem}") from exc
    return items


def _problem(error: dict) -> str:
    field = ".".join(map(str, error.get("loc") or ())) or "the row"
    if error.get("type") == "string_too_short":
        return f"{field} is empty"
    if error.get("type") == "string_too_long":
        return f"{field} is longer than {(error.get('ctx') or {}).get('max_length', '?')} characters"
    return f"{field}: {error.get('msg', 'not valid')}"


def vectors_path(path: Path) -> Path:
    return path.with_name(path.stem + ".vectors.npz")


def load(path: Path) -> list[Offering]:
    """The range in a file; its items' vectors, when ``save`` kept them beside it, go back into the
    embedder's cache (a range of 2000 items is not embedded again in every process)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OfferingError(f"cannot read the range file {path}: {exc.strerror or exc}") from exc
    items = parse(data, str(path))
    kept = vectors_path(path)
    if kept.is_file():
        try:
            from assistant.understanding.semantic import SPACE, keep

            with np.load(kept, allow_pickle=False) as saved:
                if str(saved["space"]) == SPACE:
                    keep([str(t) for t in saved["texts"]], saved["vectors"])
        except Exception as exc:  # a stale or broken vector file costs time, never the range
            log.info("the range's saved vectors were not used: %s", exc)
    return items


def save(items: list[Offering], path: Path, *, progress=None) -> None:
    """Write the range, and its items' vectors beside it (``progress(done, total)`` while embedding)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"items": [i.model_dump() for i in items]}, ensure_ascii=False, indent=1),
                   encoding="utf-8")
    tmp.replace(path)
    texts = list(dict.fromkeys([*(i.text() for i in items), *(i.name for i in items)]))  # what ``scores`` embeds
    try:
        from assistant.understanding.semantic import SPACE, raw_vectors

        parts = []
        for start in range(0, len(texts), 64):
            parts.append(raw_vectors(texts[start:start + 64]))
            if progress is not None:
                progress(min(start + 64, len(texts)), len(texts))
        vectors = np.vstack(parts) if parts else np.zeros((0, 384), dtype=np.float32)
        kept = vectors_path(path)
        with open(kept.with_suffix(".tmp"), "wb") as out:
            np.savez_compressed(out, space=np.array(SPACE), texts=np.array(texts), vectors=vectors)
        kept.with_suffix(".tmp").replace(kept)
    except Exception as exc:  # the range is saved; it is embedded at first use instead
        log.warning("the range's vectors could not be saved: %s", exc)


def _same(a: str, b: str) -> bool:
    """The two names the same thing: one holds the other, or (Chinese) they end in the same
    three-character head (往里加水的冷风机 / 蒸发式冷风机). English names share head words too often
    ("comfort bike", "electric bike") for the head alone to say they are one thing."""
    from assistant.coach.phrasing import normalise

    a, b = normalise(a), normalise(b)
    if not (a and b):
        return False
    if a == b or a in b or b in a:
        return True
    if any("\u4e00" <= ch <= "\u9fff" for ch in a + b):
        return len(a) >= 3 and len(b) >= 3 and a[-3:] == b[-3:]
    return False


def scores(items: list[Offering], need: str, requested: str = "") -> np.ndarray:
    """How well each item answers the need rather than the request, by the shipped embedder: its
    similarity to the need, less REQUEST_WEIGHT times its name's similarity to the request (a
    better fit is near the need, not another of the thing first asked for). ``requested`` may be
    the customer's whole first request ("老板，有没有那种大一点的猫爬架？要结实的。"): no product
    name has to be cut out of it."""
    from assistant.understanding.semantic import similarity

    if not items:
        return np.zeros(0, dtype=np.float32)
    found = similarity(need, [i.text() for i in items])
    if requested.strip():
        found = found - REQUEST_WEIGHT * similarity(requested, [i.name for i in items])
    return found


def _serves(item: Offering, need: str) -> bool:
    """The item is about this need at all: nearer to it than to needs of other trades (the
    check options named by the model pass, ``coach.options.related``)."""
    from assistant.coach.options import related

    return related(item.text(), need)


def match(items: list[Offering], need: str, requested: str, language: str, *, exclude: tuple[str, ...] = (),
          request: str = "", limit: int = 2) -> list[Offering]:
    """The items of the range that fit ``need`` better than ``requested``: in the conversation's
    language, not the request, not an option already excluded; the first standing STAND_OUT_Z
    spreads above the range's mean similarity to the need, a second only when it is as near as the
    first (NEAR_TOP); and each nearer to the need than to needs of other trades. ``request``: the
    customer's first request as said, weighed against (``scores``) in place of ``requested``.
    [] when nothing stands out: the coach then asks what would fit."""
    pool = [i for i in items if i.language == language]
    if len(pool) < 3 or not need.strip():  # too few items to tell which stands out
        return []
    try:
        found = scores(pool, need, request or requested)
    except Exception as exc:  # an embedder failure costs the proposal, never the turn
        log.warning("could not match the range: %s", exc)
        return []
    mean, spread = float(found.mean()), max(float(found.std()), 1e-3)
    ranked = sorted(range(len(pool)), key=lambda k: -found[k])
    out: list[Offering] = []
    top = None
    for k in ranked:
        item = pool[k]
        if (requested and _same(item.name, requested)) or any(_same(item.name, x) for x in exclude if x):
            continue
        if (found[k] - mean) / spread < STAND_OUT_Z:
            break
        if top is not None and found[k] < top - NEAR_TOP:
            break
        if not _serves(item, need):
            continue
        top = found[k] if top is None else top
        out.append(item)
        if len(out) >= limit:
            break
    return out

"""A review as Markdown or HTML (exported from the CLI and the web app). Customer words are
data: HTML output escapes every text; Markdown output escapes Markdown's markup."""

from __future__ import annotations

import html
import re
from typing import Any, Sequence

from assistant.meetings.review import Review, ReviewTurn

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>])")

_LABELS = {
    "zh": {"title": "会谈复盘", "talk": "说话占比（按字数）", "talk_time": "说话占比（按时长）", "sales": "销售",
           "customer": "客户", "questions": "销售提问数", "rate": "每轮销售发言的提问数", "qpm": "每分钟提问数",
           "monologue": "最长的一段销售发言", "forms": "提问形式", "spin": "SPIN 类型", "premature": "过早推销",
           "needs": "发现的需求", "missed": "错过的追问机会", "timeline": "对话时间线", "turn": "第 {n} 轮",
           "suggest": "可以这样追问", "why": "原因", "source": "出处", "chars": "{chars} 字"},
    "en": {"title": "Meeting review", "talk": "Talk ratio (characters)", "talk_time": "Talk ratio (time)",
           "sales": "Sales", "customer": "Customer", "questions": "Questions asked", "rate": "Questions per sales turn",
           "qpm": "Questions per minute", "monologue": "Longest sales monologue", "forms": "Question forms",
           "spin": "SPIN mix", "premature": "Premature pitches", "needs": "Needs found",
           "missed": "Missed openings", "timeline": "Timeline", "turn": "turn {n}", "suggest": "Could have asked",
           "why": "Why", "source": "Source", "chars": "{chars} characters"},
}


def _md(text: Any) -> str:
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def _pct(value: float) -> str:
    return f"{value * 100:.0f}%"


def _rows(review: Review, language: str) -> list[tuple[str, str]]:
    lb = _LABELS[language]
    rows = [(lb["talk"], f"{lb['sales']} {_pct(review.talk_ratio['sales'])} · {lb['customer']} "
                         f"{_pct(review.talk_ratio['customer'])}")]
    if review.talk_ratio_time:
        rows.append((lb["talk_time"], f"{lb['sales']} {_pct(review.talk_ratio_time['sales'])} · {lb['customer']} "
                                      f"{_pct(review.talk_ratio_time['customer'])}"))
    rows.append((lb["questions"], str(review.questions)))
    rows.append((lb["rate"], f"{review.question_rate:.2f}"))
    if review.questions_per_minute is not None:
        rows.append((lb["qpm"], f"{review.questions_per_minute:.2f}"))
    if review.longest_monologue:
        m = review.longest_monologue
        rows.append((lb["monologue"], lb["turn"].format(n=m["turn"]) + " · " + lb["chars"].format(chars=m["chars"])
                     + (f" · {m['seconds']:.0f} s" if m.get("seconds") is not None else "")))
    rows.append((lb["forms"], " · ".join(f"{k} {v}" for k, v in review.question_forms.items())))
    rows.append((lb["spin"], " · ".join(f"{k} {v}" for k, v in review.spin.items())))
    rows.append((lb["premature"], str(review.premature_pitches)))
    return rows


def to_markdown(turns: Sequence[ReviewTurn], review: Review, *, title: str = "", language: str = "zh") -> str:
    lb = _LABELS["en" if language == "en" else "zh"]
    language = "en" if language == "en" else "zh"
    out = [f"# {lb['title']}" + (f": {_md(title)}" if title else ""), ""]
    out += ["| | |", "|---|---|"] + [f"| {k} | {_md(v)} |" for k, v in _rows(review, language)] + [""]
    if review.needs:
        out += [f"## {lb['needs']}", ""]
        for n in review.needs:
            quotes = " ".join(f"[{e['turn']}] “{_md(e['quote'])}”" for e in n.get("evidence", []))
            out.append(f"- {_md(n['statement'])} ({n['kind']}, {n['dimension']}, {n['owner']}) — {quotes}")
        out.append("")
    if review.missed_openings:
        out += [f"## {lb['missed']}", ""]
        for m in review.missed_openings:
            out.append(f"- {lb['turn'].format(n=m['turn'])}: “{_md(m['quote'])}” — {lb['why']}: {_md(m['why'])}; "
                       f"{lb['suggest']}: {_md(m['suggested_question'])}"
                       + (f" ({lb['source']}: {_md(m['citation'])})" if m.get("citation") else ""))
        out.append("")
    out += [f"## {lb['timeline']}", ""]
    for t in turns:
        who = _md(t.speaker or lb[t.role])
        at = f" `{_fmt_time(t.at)}`" if t.at is not None else ""
        out.append(f"{t.n}. **{who}**{at}: {_md(t.text)}")
    return "\n".join(out) + "\n"


def _fmt_time(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def to_html(turns: Sequence[ReviewTurn], review: Review, *, title: str = "", language: str = "zh") -> str:
    language = "en" if language == "en" else "zh"
    lb = _LABELS[language]
    e = html.escape
    need_turns = {ev["turn"] for n in review.needs for ev in n.get("evidence", [])}
    missed = {m["turn"]: m for m in review.missed_openings}
    parts = [
        "<!doctype html>", f'<html lang="{language}"><head><meta charset="utf-8">',
        f"<title>{e(lb['title'])}{(' · ' + e(title)) if title else ''}</title>",
        "<style>body{font-family:system-ui,'Noto Sans CJK SC',sans-serif;max-width:860px;margin:2em auto;"
        "line-height:1.5}td{padding:2px 10px}.customer{background:#f4f7fb}.need{border-left:4px solid #2e7d32}"
        ".missed{border-left:4px solid #e65100}.turn{padding:4px 8px;margin:2px 0}small{color:#666}</style>",
        "</head><body>", f"<h1>{e(lb['title'])}{(': ' + e(title)) if title else ''}</h1><table>",
    ]
    parts += [f"<tr><th align=left>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _rows(review, language)]
    parts.append("</table>")
    if review.needs:
        parts.append(f"<h2>{e(lb['needs'])}</h2><ul>")
        for n in review.needs:
            quotes = " ".join(f"[{ev['turn']}] “{e(ev['quote'])}”" for ev in n.get("evidence", []))
            parts.append(f"<li>{e(n['statement'])} <small>{e(n['kind'])} · {e(n['dimension'])} · "
                         f"{e(n['owner'])}</small><br><small>{quotes}</small></li>")
        parts.append("</ul>")
    parts.append(f"<h2>{e(lb['timeline'])}</h2>")
    for t in turns:
        classes = ["turn", t.role] + (["need"] if t.role == "customer" and t.n in need_turns else []) + (
            ["missed"] if t.n in missed else [])
        at = f" <small>{_fmt_time(t.at)}</small>" if t.at is not None else ""
        parts.append(f'<div class="{" ".join(classes)}"><b>{t.n}. {e(t.speaker or lb[t.role])}</b>{at}: '
                     f"{e(t.text)}")
        if t.n in missed:
            m = missed[t.n]
            parts.append(f"<br><small>{e(lb['suggest'])}: {e(m['suggested_question'])} — {e(m['why'])}"
                         + (f" ({e(lb['source'])}: {e(m['citation'])})" if m.get("citation") else "")
                         + "</small>")
        parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"

"""Cleaning of web captures before chunking.

Pages saved from portals, document-sharing sites and forums carry text that is not
part of the article: site navigation ("VIP标识欢迎光临…| 手机版", "当前位置: 首页 » …"),
tool rows ("[ 打印本文 ] [ 关闭窗口 ]", "放大字体 缩小字体"), comment boxes
("评论 0/150 提交评论"), footer link rows ("网站首页 | 关于我们 | …"), and lists of
unrelated documents under a heading such as "最新文档" or "温馨提示". Some sites also
print a pinyin annotation after every other character: 業(yè).

``clean_text`` removes those and returns the article text (original script) plus a
count of what it removed. Lines are matched on their simplified form, so 最新文檔
and 最新文档 are the same rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant.knowledge.normalize import PINYIN_ANNOTATION, strip_pinyin, to_simplified

# Whole lines that are site chrome (matched against the simplified, stripped line).
_CHROME_LINE = [
    re.compile(p)
    for p in (
        r"欢迎光临.*(\||手机版)",
        r"^(VIP)?标识?欢迎光临",
        r"^当前位置\s*[:：]",
        r"^您(现在)?的位置\s*[:：]",
        r"^\[?\s*打印本文\s*\]?",
        r"^\[?\s*关闭窗口\s*\]?",
        r"^\[?\s*返回顶部\s*\]?$",
        r"^\d*\s*相关评论$",
        r"^(发表|提交|查看|全部)?评论$",
        r"^提交评论$",
        r"^\d+\s*/\s*\d+$",  # the "0/150" counter of a comment box
        r"^(推荐图文|推荐营销|点击排行|热门标签|热点排行|相关文章|相关阅读|延伸阅读|猜你喜欢|热门推荐|精彩推荐)$",
        r"^(上一篇|下一篇)\s*[:：]",
        r"^分享到\s*[:：]?",
        r"^文档简介$",
        r"^版权(说明|声明)\s*[:：].*(上传|侵权|举报)",
        r"^-?\s*该话题包含\s*\d+\s*个?回复",
        r"^Author\s*帖子$",
        r"^-?\s*哎呀.*登录",
        r"回复话题必需登录",
        r"^[-–—·•]+$",
        r"^(字号|字体)\s*[:：]?\s*(大|中|小)",
        r"^(扫一扫|扫码)(关注|分享)",
        r"^标签\s*[:：]",
    )
]

# Phrases removed from inside a line that also holds useful text
# ("放大字体  缩小字体 发布日期:2018-10-08 作者:李桂花 浏览次数:534").
_CHROME_PHRASE = re.compile(r"放大字体|缩小字体|浏览次数\s*[:：]\s*\d+|阅读次数\s*[:：]\s*\d+|点击\s*[:：]\s*\d+次")

# A forum "username参与者" prefix glued to the first post.
_FORUM_AUTHOR = re.compile(r"^[A-Za-z0-9_.\-]{2,32}参与者(?=\S)")

# Headings that introduce a block of site-wide links or notices, not article text.
_FOOTER_HEADINGS = re.compile(
    r"^(温馨提示|最新文档|相关文档|热门文档|推荐文档|精品文档|猜你喜欢|相关推荐|热门推荐|相关资源|"
    r"最新上传|本类热门|下载排行|相关搜索|精选文档)\s*[:：]?$"
)
_LIST_ITEM = re.compile(r"^\s*([-*•·●◆]|\d{1,3}[.、)]|[（(]\d{1,3}[)）])\s*")
_SENTENCE_END = "。！？!?；;…"
_SEPARATOR = re.compile(r"\s*[|｜]\s*")


@dataclass
class CleaningReport:
    """What cleaning removed (counts, for the ingest report and tests)."""

    lines_removed: int = 0
    pinyin_removed: int = 0
    footer_blocks: int = 0
    samples: list[str] = field(default_factory=list)

    def note(self, line: str) -> None:
        self.lines_removed += 1
        if len(self.samples) < 8 and line.strip():
            self.samples.append(line.strip()[:60])


def _is_link_row(simple: str) -> bool:
    """A footer/nav row of short items separated by | (网站首页 | 关于我们 | …)."""
    parts = [p for p in _SEPARATOR.split(simple) if p.strip()]
    if len(parts) < 3:
        return False
    return all(len(p.strip()) <= 12 for p in parts)


def _is_menu_word(simple: str) -> bool:
    """A short label without sentence punctuation (a menu entry)."""
    s = simple.strip()
    return 0 < len(s) <= 8 and not any(ch in s for ch in _SENTENCE_END + "，,：:") and not _LIST_ITEM.match(s) \
        and not s.startswith("#")


def clean_text(text: str, *, web: bool = True) -> tuple[str, CleaningReport]:
    """Article text without site chrome, footer lists and pinyin annotations.

    ``web=False`` (curated Markdown) only strips pinyin annotations and trailing
    whitespace; the line rules are for captured pages and plain-text dumps.
    """
    report = CleaningReport()
    report.pinyin_removed = len(PINYIN_ANNOTATION.findall(text))
    stripped = strip_pinyin(text)
    lines = stripped.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not web:
        return "\n".join(line.rstrip() for line in lines).strip(), report

    kept: list[str] = []
    i = 0
    n = len(lines)
    while i < n:
        line = lines[i].replace("\u3000", " ").rstrip()
        simple = to_simplified(line.strip())
        if not simple:
            kept.append("")
            i += 1
            continue
        if _FOOTER_HEADINGS.match(simple):
            # Drop the heading and the list that follows it, up to the next line that
            # reads like article text (a long line that is not a list item).
            report.footer_blocks += 1
            report.note(line)
            i += 1
            while i < n:
                nxt = to_simplified(lines[i].strip())
                if nxt and not _LIST_ITEM.match(nxt) and len(nxt) > 60 and not _FOOTER_HEADINGS.match(nxt):
                    break
                if nxt and _FOOTER_HEADINGS.match(nxt):
                    report.footer_blocks += 1
                report.note(lines[i])
                i += 1
            continue
        if any(p.search(simple) for p in _CHROME_LINE) or _is_link_row(simple):
            report.note(line)
            i += 1
            continue
        # A run of 3+ menu words (商务中心 / 发布信息 / 排名推广 …) is navigation.
        if _is_menu_word(simple):
            j = i
            while j < n and (not lines[j].strip() or _is_menu_word(to_simplified(lines[j].strip()))):
                j += 1
            words = [x for x in lines[i:j] if x.strip()]
            if len(words) >= 3:
                for x in words:
                    report.note(x)
                i = j
                continue
        cleaned = _CHROME_PHRASE.sub("", line)
        cleaned = _FORUM_AUTHOR.sub("", cleaned.strip()) if _FORUM_AUTHOR.match(cleaned.strip()) else cleaned
        if cleaned.strip() != line.strip() and not cleaned.strip():
            report.note(line)
            i += 1
            continue
        kept.append(re.sub(r"[ \t]{2,}", " ", cleaned).rstrip() if cleaned != line else line)
        i += 1
    text_out = "\n".join(kept)
    text_out = re.sub(r"\n\s*\n(\s*\n)+", "\n\n", text_out)
    return text_out.strip(), report

"""Documents made by the knowledge tests: every format and failure the ingest
pipeline must handle, written fresh into a temporary folder (nothing copied)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "seeds"

GB_TEXT = (
    "客户拜访笔记\n\n"
    "客户一开口就说要买一批保温杯。我没有马上报价，而是先问：这些杯子是给谁用的？"
    "原来是给工地上的工人冬天带热水用，他们最在意的是摔不坏、盖子不漏水。"
    "于是我推荐了不锈钢加厚款，而不是最贵的礼品款。\n"
)
BIG5_TEXT = (
    "老太太買棗子的故事\n\n"
    "老太太連走了好幾個攤位，攤主都誇自家的棗子又甜又脆，她只是搖頭。"
    "年輕攤主先問她要什麼樣的棗子，才知道兒媳婦懷孕了想吃酸的，於是推薦了酸棗和獼猴桃。"
    "第二天老太太又來買獼猴桃。\n"
)
UTF8_MD = """---
title: 电话回访清单
kind: checklist
tags: [回访, 售后]
---
# 电话回访清单

## 回访前
先查看客户上次提出的问题有没有解决，准备好工单编号。

## 回访时
先问使用感受，再问有没有新的困扰；客户抱怨时先记录原话，不急着解释。
"""
HTML_PAGE = """<!DOCTYPE html>
<html><head><meta charset="gb2312"><title>先问用途再推荐 - 某某营销网</title>
<script>var tracker = "不应出现的脚本文字";</script><style>.x{color:red}</style></head>
<body>
<div class="top-nav">首页 | 营销 | 管理 | 手机版</div>
<div id="breadcrumb">当前位置: 首页 » 营销 » 正文</div>
<article>
<h1>先问用途再推荐</h1>
<p>放大字体  缩小字体 发布日期:2024-05-06  作者:王明  浏览次数:321</p>
<p>很多销售一听到客户报出产品名，就开始介绍卖点。更好的做法是先问清楚客户买来做什么、给谁用。</p>
<h2>三个常用问题</h2>
<p>您这次买主要是用在什么场合？用的人最在意什么？以前用过的产品哪里不满意？</p>
</article>
<div class="tools">[ 打印本文 ]  [ 关闭窗口 ]</div>
<div class="box">评论</div><div class="box">0/150</div><div class="box">提交评论</div>
<footer>网站首页 | 关于我们 | 版权隐私 | 联系方式 | 广告服务</footer>
</body></html>
"""
# A web capture in the style of seed 003: pinyin annotations, a notice block and a
# list of unrelated document titles after the article.
WEB_CAPTURE = """版權(quán)說明:本文檔由用戶提供并上傳,若內容存在侵權,請進行舉報
文檔簡介
以客戶為中心的企業(yè)管理:銷售要先理解客戶的業(yè)務(wù),再談產品。客戶說要買設備,背後往往是產能不夠或者質量不穩定。
溫馨提示
- 1. 本站所有資源如無特殊說明,都需要本地電腦安裝OFFICE2007和PDF閱讀器。
- 2. 本站的文檔不包含任何第三方提供的附件圖紙等。
最新文檔
- 食品安全法律法規知識培訓考核試題及答案
- 2026年大學心理學課程教案(完整版)
- 北京版四年級勞動技術教案
評論
0/150
提交評論
"""


def make_pdf(path: Path, lines: list[str], title: str = "") -> Path:
    """A small valid PDF (Helvetica, ASCII text) written by hand with a correct xref."""
    def esc(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    ops = ["BT", "/F1 12 Tf", "72 720 Td"]
    for n, line in enumerate(lines):
        if n:
            ops.append("0 -16 Td")
        ops.append(f"({esc(line)}) Tj")
    ops.append("ET")
    content = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    info = f"<< /Title ({esc(title)}) >>".encode("latin-1") if title else None
    if info:
        objects.append(info)
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = b"<< /Size %d /Root 1 0 R" % (len(objects) + 1) + (b" /Info 6 0 R" if info else b"") + b" >>"
    out += b"trailer\n" + trailer + b"\nstartxref\n%d\n%%%%EOF\n" % xref
    path.write_bytes(bytes(out))
    return path


def make_docx(path: Path) -> Path:
    import docx

    document = docx.Document()
    document.core_properties.title = "大客户需求访谈纪要"
    document.add_heading("大客户需求访谈纪要", level=1)
    document.add_paragraph("采购经理说想换一套新的排产系统，但真正用系统的是车间主任。")
    document.add_heading("使用者的顾虑", level=2)
    document.add_paragraph("车间主任担心换系统期间停产，希望分批上线，并且要有人驻场培训。")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "决策人"
    table.cell(0, 1).text = "采购经理"
    table.cell(1, 0).text = "使用人"
    table.cell(1, 1).text = "车间主任"
    document.save(str(path))
    return path


def make_corpus(folder: Path) -> dict[str, Path]:
    """Every kind of file the pipeline meets, good and bad."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "gb18030": folder / "拜访笔记-gb.txt",
        "big5": folder / "棗子-big5.txt",
        "markdown": folder / "回访清单.md",
        "html": folder / "article.html",
        "docx": folder / "访谈纪要.docx",
        "pdf": folder / "guide.pdf",
        "empty": folder / "empty.txt",
        "blank": folder / "blank.md",
        "binary": folder / "blob.txt",
        "corrupt_pdf": folder / "broken.pdf",
        "unsupported": folder / "photo.png",
    }
    files["gb18030"].write_bytes(GB_TEXT.encode("gb18030"))
    files["big5"].write_bytes(BIG5_TEXT.encode("big5"))
    files["markdown"].write_text(UTF8_MD, encoding="utf-8")
    files["html"].write_bytes(HTML_PAGE.encode("gb18030"))
    make_docx(files["docx"])
    make_pdf(files["pdf"], [
        "Discovery call guide.",
        "Before recommending a product, ask what the customer will use it for",
        "and who will use it. Write down the answer in the customer's words.",
    ], title="Discovery call guide")
    files["empty"].write_bytes(b"")
    files["blank"].write_text("   \n\n  \n", encoding="utf-8")
    files["binary"].write_bytes(bytes(range(256)) * 8)
    files["corrupt_pdf"].write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n\x00\xff garbage")
    files["unsupported"].write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    return files


def user_settings(tmp_path: Path, **extra: object) -> Settings:
    """Settings for an index of the test's own documents (no shipped knowledge)."""
    return Settings(provider="fake", data_dir=tmp_path / "data", knowledge_dir=tmp_path / "no-knowledge", **extra)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, timeout: float = 60.0) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with code {proc.returncode} before answering {url}")
        try:
            if httpx.get(url, timeout=2.0).status_code < 500:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s ({last})")


def start_process(args: list[str], log: Path) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    handle = log.open("wb")
    return subprocess.Popen(args, stdout=handle, stderr=subprocess.STDOUT, env=env, cwd=str(log.parent))


def stop_process(proc: subprocess.Popen) -> None:
    """Stop a server this test started, by its PID."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


PYTHON = sys.executable

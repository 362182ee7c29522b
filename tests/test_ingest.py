"""The ingest pipeline on real files made here: encodings, formats, skip reasons,
cleaning, idempotent re-ingest, replacement of changed files, prune, restart."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assistant.knowledge import KnowledgeBase
from assistant.knowledge.chunking import chunk_text, split_sentences
from assistant.knowledge.cleaning import clean_text
from assistant.knowledge.loaders import SkipFile, decode_bytes, load_document
from assistant.knowledge.normalize import compact, normalise, strip_pinyin
from tests.knowledge_fixtures import (
    BIG5_TEXT,
    GB_TEXT,
    ROOT,
    SEEDS,
    WEB_CAPTURE,
    make_corpus,
    user_settings,
)

# --- reading and cleaning (no index) ------------------------------------------------------


def test_encodings_are_detected_and_decoded(tmp_path):
    files = make_corpus(tmp_path / "docs")
    gb = load_document(files["gb18030"])
    assert gb.encoding == "gb18030"
    assert "保温杯" in gb.text and "工地上的工人" in gb.text
    big5 = load_document(files["big5"])
    assert big5.encoding == "big5"
    assert "獼猴桃" in big5.text  # the original script is kept for display
    assert "猕猴桃" in normalise(big5.text)  # …and indexed simplified
    md = load_document(files["markdown"])
    assert md.encoding == "utf-8" and md.title == "电话回访清单"
    # The same Chinese text in each encoding decodes to itself.
    for codec in ("utf-8", "gb18030", "big5"):
        text = BIG5_TEXT if codec == "big5" else GB_TEXT
        assert decode_bytes(text.encode(codec)) == (text, codec)


@pytest.mark.parametrize(
    "text, codec",
    [("老太太买枣子", "gb18030"), ("客户需求", "gb18030"), ("客戶的客戶", "gb18030"), ("以客戶為中心", "gb18030"),
     ("客戶的客戶", "big5"), ("以客戶為中心", "big5"), ("價格需求", "big5"), ("鐵三角由哪些角色組成", "big5")],
)
def test_short_chinese_texts_are_not_mistaken_for_korean(text, codec):
    """charset-normalizer alone reads several of these as cp949 or as the other Chinese codec."""
    assert decode_bytes(text.encode(codec)) == (text, codec)


def test_each_format_is_extracted(tmp_path):
    files = make_corpus(tmp_path / "docs")
    html = load_document(files["html"])
    assert html.format == "html" and html.encoding == "gb18030"  # declared gb2312, read as its superset
    assert html.title == "先问用途再推荐"
    assert "先问清楚客户买来做什么" in html.text and "## 三个常用问题" in html.text
    for junk in ("当前位置", "手机版", "打印本文", "关闭窗口", "提交评论", "关于我们", "不应出现的脚本文字",
                 "放大字体", "浏览次数"):
        assert junk not in html.text, junk
    assert "作者:王明" in html.text  # the useful part of the tool line stays
    docx = load_document(files["docx"])
    assert docx.format == "docx" and docx.title == "大客户需求访谈纪要"
    assert "## 使用者的顾虑" in docx.text and "驻场培训" in docx.text and "使用人 | 车间主任" in docx.text
    pdf = load_document(files["pdf"])
    assert pdf.format == "pdf" and pdf.title == "Discovery call guide"
    assert "ask what the customer will use it for" in pdf.text


@pytest.mark.parametrize(
    "name, reason",
    [("empty", "empty"), ("blank", "empty"), ("binary", "binary"), ("corrupt_pdf", "unreadable"),
     ("unsupported", "unsupported")],
)
def test_unusable_files_raise_skip_with_reason(tmp_path, name, reason):
    files = make_corpus(tmp_path / "docs")
    with pytest.raises(SkipFile) as info:
        load_document(files[name])
    assert info.value.reason == reason


def test_corrupt_docx_and_not_a_pdf(tmp_path):
    fake_docx = tmp_path / "notes.docx"
    fake_docx.write_bytes(b"PK\x03\x04 this is not really a zip")
    with pytest.raises(SkipFile) as info:
        load_document(fake_docx)
    assert info.value.reason == "unreadable" and "docx" in info.value.detail
    fake_pdf = tmp_path / "scan.pdf"
    fake_pdf.write_text("just text", encoding="utf-8")
    with pytest.raises(SkipFile) as info:
        load_document(fake_pdf)
    assert info.value.reason == "unreadable"


def test_cleaning_removes_pinyin_notices_and_footer_lists():
    cleaned, report = clean_text(WEB_CAPTURE)
    assert "企業管理" in cleaned and "業務" in cleaned  # 業(yè) → 業, 務(wù) → 務
    assert "(yè)" not in cleaned and "(wù)" not in cleaned and report.pinyin_removed >= 3
    for junk in ("版權說明", "文檔簡介", "溫馨提示", "本站所有資源", "最新文檔", "食品安全法律法規", "心理學課程",
                 "勞動技術", "0/150", "提交評論"):
        assert junk not in cleaned, junk
    assert report.footer_blocks == 2
    # Real parentheses are not pinyin.
    assert strip_pinyin("华为(huawei)和客户关系管理(CRM)") == "华为(huawei)和客户关系管理(CRM)"
    assert strip_pinyin("關(guān)系") == "關系"


def test_cleaning_keeps_ordinary_text_and_lists():
    text = "需求的四个维度\n\n- 功能需求\n- 形式需求\n- 外延需求\n- 价格需求\n\n客户说“随便看看”，其实心里有事。"
    cleaned, report = clean_text(text)
    assert cleaned == text and report.lines_removed == 0
    nav = "首页\n新闻\n产品\n联系我们\n正文第一句话，讲的是客户需求。"
    cleaned, _ = clean_text(nav)
    assert cleaned == "正文第一句话，讲的是客户需求。"


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"{SEEDS} is not present")
def test_seed_captures_are_cleaned():
    seed3 = load_document(next(SEEDS.glob("003_*.txt")))
    raw = next(SEEDS.glob("003_*.txt")).read_text(encoding="utf-8")
    assert "(yè)" in raw and "最新文檔" in raw  # the raw capture has them…
    assert "(yè)" not in seed3.text and "(guān)" not in seed3.text  # …the cleaned text not
    for junk in ("最新文檔", "溫馨提示", "未成年人保護制度", "食品安全法律法規", "尼康相機說明書", "提交評論", "版權說明"):
        assert junk not in seed3.text, junk
    assert "以客戶為中心的企業管理理念解讀" in seed3.text  # the article itself stays
    assert seed3.cleaning.pinyin_removed > 400 and seed3.cleaning.footer_blocks == 2
    seed2 = load_document(next(SEEDS.glob("002_*.txt")))
    for junk in ("VIP标识", "当前位置", "打印本文", "关闭窗口", "放大字体", "相关评论", "网站首页", "商务中心"):
        assert junk not in seed2.text, junk
    assert seed2.text.startswith("以客户为中心,企业家需打破二元思维")
    assert "客户的客户" in seed2.text


# --- chunking ----------------------------------------------------------------------------


def test_sentence_chunks_with_overlap_and_sections():
    sentence = "客户说想买枣子，销售先问了一句买来做什么。"  # 21 chars
    body = "\n".join(sentence.replace("枣子", f"枣子{i}") for i in range(40))
    text = f"# 标题\n\n## 第一节\n{body}\n\n## 第二节\n最后一段在第二节里，讲的是复购：老太太第二天又来买猕猴桃，因为儿媳妇说比枣子更舒服。"
    chunks = chunk_text(text, chunk_chars=120, overlap=30, markdown=True, title="标题")
    assert [c.section for c in chunks][-1] == "第二节"
    first = [c for c in chunks if c.section == "第一节"]
    assert len(first) >= 6
    for c in first:
        assert len(c.text) <= 120
        assert c.text.endswith("。")  # cut after a sentence, never inside one
    for a, b in zip(first, first[1:]):
        assert b.text.split("\n")[0] in a.text  # neighbours share a whole sentence
    all_text = "".join(c.text for c in first)
    for i in range(40):
        assert f"枣子{i}" in all_text
    assert split_sentences("一句。两句！三句？四；五" * 1, 100) == ["一句。", "两句！", "三句？", "四；", "五\n"]


def test_knowledge_markdown_chunks_keep_front_matter():
    doc = load_document(ROOT / "knowledge" / "base" / "jujube-story.md")
    assert doc.front.doc_id == "jujube-story" and doc.front.kind == "story" and doc.front.title_en
    assert doc.title == doc.front.title and doc.authored_title
    chunks = chunk_text(doc.text, markdown=True, title=doc.title)
    assert chunks[0].section and all(c.section for c in chunks)
    assert not any("---" in c.text or "title_en" in c.text for c in chunks)


# --- the pipeline into a real index --------------------------------------------------------


def _by_name(items):
    return {Path(i.path).name: i for i in items}


def _chunk_texts(kb: KnowledgeBase, source: str) -> list[str]:
    got = kb.store.collection.get(where={"source": source}, include=["metadatas"])
    return [m["text"] for m in got["metadatas"]]


@pytest.mark.slow
def test_ingest_report_idempotence_replace_prune_and_restart(tmp_path):
    docs = tmp_path / "docs"
    files = make_corpus(docs)
    kb = KnowledgeBase.from_settings(user_settings(tmp_path), shipped=False)
    seen_progress: list[tuple[int, int]] = []
    report = kb.ingest([docs], progress=lambda name, done, total: seen_progress.append((done, total)))

    indexed = _by_name(report.indexed)
    assert set(indexed) == {files[k].name for k in ("gb18030", "big5", "markdown", "html", "docx", "pdf")}
    assert indexed[files["gb18030"].name].encoding == "gb18030"
    assert indexed[files["big5"].name].encoding == "big5"
    assert indexed[files["html"].name].encoding == "gb18030"
    skipped = {Path(i.path).name: i.reason for i in report.skipped}
    assert skipped == {
        files["empty"].name: "empty", files["blank"].name: "empty", files["binary"].name: "binary",
        files["corrupt_pdf"].name: "unreadable", files["unsupported"].name: "unsupported",
    }
    assert seen_progress[-1] == (11, 11)
    count = kb.count()
    assert count == report.total_chunks == sum(i.chunks for i in report.indexed) > 0
    json.dumps(report.model_dump())  # the --json report is plain data

    # Traditional text is found by a simplified question; the PDF by an English one.
    top = kb.retrieve("老太太买枣子，摊主推荐了猕猴桃", k=1)[0]
    assert top.source == files["big5"].name and "獼猴桃" in top.text
    assert kb.retrieve("what should I ask before recommending a product?", k=1)[0].source == "guide.pdf"

    # Second run: nothing changes.
    again = kb.ingest([docs])
    assert not again.indexed and len(again.unchanged) == 6 and kb.count() == count
    assert again.total_chunks == count

    # A changed file replaces its chunks; its old text is gone from the index.
    files["gb18030"].write_bytes(GB_TEXT.replace("保温杯", "电热水壶").encode("gb18030"))
    changed = kb.ingest([docs])
    assert [Path(i.path).name for i in changed.indexed] == [files["gb18030"].name]
    assert changed.indexed[0].status == "replaced" and changed.chunks_removed >= 1
    texts = _chunk_texts(kb, files["gb18030"].name)
    assert texts and all("保温杯" not in t for t in texts) and any("电热水壶" in t for t in texts)
    assert kb.count() == count
    top = kb.retrieve("工地工人冬天带热水用的电热水壶", k=1)[0]
    assert "电热水壶" in top.text

    # A removed file is pruned only with --prune.
    files["docx"].unlink()
    kept = kb.ingest([docs])
    assert not kept.pruned and _chunk_texts(kb, files["docx"].name)
    pruned = kb.ingest([docs], prune=True)
    assert [Path(i.path).name for i in pruned.pruned] == [files["docx"].name]
    assert not _chunk_texts(kb, files["docx"].name)
    assert kb.count() == count - pruned.pruned[0].chunks

    # A file that becomes empty loses its old chunks.
    files["markdown"].write_text("", encoding="utf-8")
    emptied = kb.ingest([files["markdown"]])
    assert emptied.skipped[0].reason == "empty" and "removed" in emptied.skipped[0].detail
    assert not _chunk_texts(kb, files["markdown"].name)

    # After a restart (a new process), the same index gives the same answers.
    question = "老太太买枣子，摊主推荐了猕猴桃"
    here = [(p.id, p.source) for p in kb.retrieve(question, k=3)]
    script = textwrap.dedent(f"""
        import json
        from pathlib import Path
        from assistant.knowledge import KnowledgeBase
        from assistant.settings import Settings
        s = Settings(provider="fake", data_dir=Path({str(tmp_path / 'data')!r}),
                     knowledge_dir=Path({str(tmp_path / 'no-knowledge')!r}))
        kb = KnowledgeBase.from_settings(s, shipped=False)
        print(json.dumps({{"count": kb.count(),
                          "hits": [[p.id, p.source] for p in kb.retrieve({question!r}, k=3)]}}))
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert out.returncode == 0, out.stderr
    there = json.loads(out.stdout.strip().splitlines()[-1])
    assert there["count"] == kb.count()
    assert [tuple(h) for h in there["hits"]] == here


def test_missing_path_is_reported_and_prune_is_scoped(tmp_path):
    a = tmp_path / "a"
    b = tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "one.txt").write_text("甲文件：客户要的是解决方案，不是产品。", encoding="utf-8")
    (b / "two.txt").write_text("乙文件：先问用途，再推荐产品。", encoding="utf-8")
    kb = KnowledgeBase.from_settings(user_settings(tmp_path), shipped=False)
    kb.ingest([a, b])
    (b / "two.txt").unlink()
    report = kb.ingest([a, tmp_path / "nowhere"], prune=True)
    assert [(Path(i.path).name, i.reason) for i in report.skipped] == [("nowhere", "not found")]
    assert not report.pruned  # b/two.txt is gone, but b was not among the paths
    assert _chunk_texts(kb, "two.txt")
    report = kb.ingest([b], prune=True)
    assert [Path(i.path).name for i in report.pruned] == ["two.txt"]
    assert not _chunk_texts(kb, "two.txt") and _chunk_texts(kb, "one.txt")


@pytest.mark.slow
@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"{SEEDS} is not present")
def test_seed_003_is_indexed_clean_and_found_in_either_script(tmp_path):
    kb = KnowledgeBase.from_settings(user_settings(tmp_path), shipped=False)
    seed = next(SEEDS.glob("003_*.txt"))
    report = kb.ingest([seed])
    assert report.indexed[0].pinyin_removed > 400 and report.indexed[0].encoding == "utf-8"
    texts = _chunk_texts(kb, seed.name)
    joined = "".join(texts)
    assert "(yè)" not in joined and "最新文檔" not in joined and "溫馨提示" not in joined
    assert "食品安全法律法規" not in joined
    for question in ("铁三角由哪些角色组成？", "鐵三角由哪些角色組成？"):
        passages = kb.retrieve(question, k=3)
        assert any("客户经理+解决方案经理+交付经理" in compact(p.text) for p in passages), question


# --- bounded input, repaired text, progress (hardening) ----------------------------------


def test_size_limit_applies_to_bytes_passed_in(tmp_path, monkeypatch):
    from assistant.knowledge import loaders

    monkeypatch.setattr(loaders, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.txt"
    with pytest.raises(SkipFile) as info:
        load_document(path, ("客户想买枣子。" * 100).encode())  # 2,100 bytes handed over, no file read
    assert info.value.reason == "too large" and "split it" in info.value.detail
    load_document(path, "客户想买枣子。".encode())  # under the limit: read


def test_ingest_refuses_a_file_over_the_limit_before_reading_it(tmp_path, monkeypatch):
    from assistant.knowledge import loaders

    monkeypatch.setattr(loaders, "MAX_FILE_BYTES", 2000)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "big.txt").write_text("客户说想买枣子，销售先问用途。" * 200, encoding="utf-8")  # ~9 KB
    (docs / "small.txt").write_text("客户说想买枣子，销售先问用途和给谁用。", encoding="utf-8")
    kb = KnowledgeBase.from_settings(user_settings(tmp_path), shipped=False)
    report = kb.ingest([docs])
    assert [Path(i.path).name for i in report.indexed] == ["small.txt"]
    (skipped,) = report.skipped
    assert Path(skipped.path).name == "big.txt" and skipped.reason == "too large"
    assert "MB limit" in skipped.detail and "split it" in skipped.detail
    assert {p.source for p in kb.retrieve("买枣子", k=5)} == {"small.txt"}


def test_text_whose_last_byte_cuts_a_character_is_read_and_the_report_says_so(tmp_path):
    text = "客户说想买枣子，销售先问用途：您买来给谁吃？原来是给怀孕的儿媳妇买酸的。"
    path = tmp_path / "cut.txt"
    path.write_bytes(text.encode("utf-8")[:-1])  # the final "。" loses its last byte
    doc = load_document(path)
    assert doc.encoding == "utf-8" and doc.text == text[:-1]
    assert doc.notes and "cut off" in doc.notes[0]
    md = tmp_path / "cut.md"
    md.write_bytes(b"\xef\xbb\xbf" + ("# 标题\n\n" + text).encode("utf-8")[:-2])  # with a BOM, 2 bytes missing
    assert load_document(md).text.endswith(text[:-1])
    kb = KnowledgeBase.from_settings(user_settings(tmp_path), shipped=False)
    report = kb.ingest([path])
    (item,) = report.indexed
    assert item.encoding == "utf-8" and "cut off" in item.detail
    # A file that is not UTF-8 at all is still decoded by its own encoding, not "repaired".
    gb = tmp_path / "gb.txt"
    gb.write_bytes(GB_TEXT.encode("gb18030"))
    assert load_document(gb).notes == []


def test_ingest_cli_survives_a_symlink_loop(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli_knowledge import build_app

    monkeypatch.chdir(tmp_path)
    Path("good.md").write_text("# 回访\n\n回访时先问使用感受，再问有没有新的困扰。", encoding="utf-8")
    Path("l1").symlink_to("l1")
    app = build_app(load_settings=lambda: user_settings(tmp_path))
    result = CliRunner().invoke(app, ["ingest", "good.md", "l1"])
    assert result.exit_code == 0, result.output
    assert result.exception is None
    assert "good.md" in result.stdout and "l1" in result.stdout and "link loop" in result.stdout
    data = json.loads(CliRunner().invoke(app, ["ingest", "good.md", "l1", "--json"]).stdout)
    assert data["skipped"][0]["reason"] == "not found" and data["unchanged"][0]["path"] == "good.md"


def test_chunk_progress_per_file_and_large_documents(tmp_path, monkeypatch):
    from assistant.knowledge import ingest

    docs = tmp_path / "docs"
    docs.mkdir()
    body = "\n\n".join(f"## 第{i}节\n" + f"第{i}节讲的是拜访客户时先问用途、再问给谁用，最后复述确认。" * 8 for i in range(12))
    (docs / "long.md").write_text("# 拜访手册\n\n" + body, encoding="utf-8")
    (docs / "short.txt").write_text("回访时先问使用感受。", encoding="utf-8")
    monkeypatch.setattr(ingest, "EMBED_BATCH", 4)
    monkeypatch.setattr(ingest, "LARGE_TEXT_CHARS", 2000)
    seen: list[tuple[str, int, int]] = []
    kb = KnowledgeBase.from_settings(user_settings(tmp_path), shipped=False)
    report = kb.ingest([docs], chunk_progress=lambda name, done, total: seen.append((Path(name).name, done, total)))
    by_name = _by_name(report.indexed)
    long_chunks = by_name["long.md"].chunks
    long_steps = [(d, t) for n, d, t in seen if n == "long.md"]
    assert long_steps[0] == (0, long_chunks) and long_steps[-1] == (long_chunks, long_chunks)
    assert len(long_steps) >= long_chunks // 4  # one report per batch of 4
    assert [d for d, _ in long_steps] == sorted(d for d, _ in long_steps)
    assert "large document" in by_name["long.md"].detail and by_name["short.txt"].detail == ""
    # BM25 still sees a large document's every word; the dense side its chunks' heads.
    assert kb.retrieve("第11节讲的是什么", k=1)[0].source == "long.md"


def test_a_list_stays_in_one_chunk():
    items = "\n".join(f"{i}. 第{i}条：客户说出口的只是请求，背后的需求要靠提问去找，先问用途再问给谁用。" for i in range(1, 9))
    text = "## 八条要点\n拜访时要记住的八条要点：\n" + items + "\n\n列表之后的正文，讲别的事情。" * 3
    chunks = chunk_text(text, chunk_chars=360, overlap=60, markdown=True)
    holding = [c for c in chunks if "1. 第1条" in c.text]
    assert len(holding) == 1 and all(f"{i}. 第{i}条" in holding[0].text for i in range(1, 9))
    assert "拜访时要记住的八条要点" in holding[0].text
    assert len(holding[0].text) > 360  # allowed to grow past chunk_chars to keep the list
    plain = chunk_text("正文句子，没有列表。" * 80, chunk_chars=360, overlap=60)
    assert max(len(c.text) for c in plain) <= 360

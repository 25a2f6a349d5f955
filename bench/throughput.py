"""Throughput of the whole bot over the in-process fake Bot API: 100 simulated users asking 20
questions each (2,000), each user's next question as soon as its answer arrives; then a paced
run at 100 questions per second (open loop). Rate limiter off.

Configurations (see bench/botharness.py):

* ``as shipped``: the Application as ``build_application`` makes it. ``BotSettings`` has no
  concurrent_updates setting, so PTB handles one update at a time.
* ``concurrent``: the same Application with ``concurrent_updates=256`` (harness-only); engine
  calls then overlap in PTB's worker threads (``asyncio.to_thread``).
* ``concurrent + micro-batching``: as above, with concurrent ``engine.ask`` calls gathered into
  one ``engine.ask_many`` (harness-only; the engine and the bot are unchanged).
* ``concurrent, engine cached``: answers computed beforehand: the bot and fake alone, the
  ceiling the Telegram side gives on this machine.

Goals: >= 300 answers/s on 2 cores; p95 <= 50 ms at 100 answers/s.

    .venv/bin/python bench/throughput.py [--quick] [--users N] [--per-user N] [--rate R]
"""

from __future__ import annotations

import asyncio

import botharness
import common
import numpy as np

CONCURRENT = 256
PACED = ("as shipped (one update at a time)", "concurrent_updates=256", "concurrent + micro-batching")
GOALS = {"answers_per_s": 300, "paced_rate": 100, "paced_p95_ms": 50}


def configurations(engine, questions) -> dict:
    """name -> (engine stand-in factory, concurrent_updates)."""
    return {
        "as shipped (one update at a time)": (lambda: engine, None),
        "concurrent_updates=256": (lambda: engine, CONCURRENT),
        "concurrent + micro-batching": (lambda: botharness.BatchingEngine(engine), CONCURRENT),
        "concurrent, engine cached (bot + fake only)":
            (lambda: botharness.CachedEngine(engine, [q for q, _ in questions]), CONCURRENT),
    }


async def one_run(make_engine, concurrent, questions, pattern: str, args) -> dict:
    stand_in = make_engine()
    try:
        async with botharness.running_bot(stand_in, concurrent=concurrent) as (api, _):
            await botharness.sequential(api, questions[:5], users=5)  # warm
            if pattern == "closed":
                out = await botharness.closed_loop(api, questions, args.users, args.per_user)
            else:
                out = await botharness.paced(api, questions, args.rate, args.users * args.per_user)
            extra = api.extra_messages
    finally:
        if isinstance(stand_in, botharness.BatchingEngine):
            stand_in.stop()
    result = {k: round(v, 3) for k, v in out.items() if k != "latencies"}
    result.update(latency=common.percentiles(out["latencies"]), extra_messages=extra, load=common.load_average())
    result["p95_all_ms"] = p95_all(out["latencies"], out.get("unanswered", 0))
    if isinstance(stand_in, botharness.BatchingEngine) and stand_in.batch_sizes:
        sizes = stand_in.batch_sizes
        result["batch_size"] = {"mean": round(sum(sizes) / len(sizes), 2), "max": max(sizes)}
    return result


def p95_all(latencies: list[float], unanswered: int) -> float | None:
    """p95 in ms over every question asked, an unanswered one counting as later than any answer;
    None when more than 5% went unanswered."""
    value = float(np.percentile(latencies + [float("inf")] * unanswered, 95)) if latencies else float("inf")
    return round(value * 1000, 3) if np.isfinite(value) else None


def main() -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--users", type=int, default=100)
    p.add_argument("--per-user", type=int, default=20)
    p.add_argument("--rate", type=float, default=100.0, help="paced run: questions per second (default 100)")
    args = p.parse_args()
    if args.quick:
        args.users, args.per_user = 10, 3
    run = common.Run.start("throughput", args)
    engine = common.warm_engine()
    questions = common.question_stream(args.users * args.per_user)
    configs = configurations(engine, questions)

    results = {"users": args.users, "per_user": args.per_user, "rate": args.rate, "goals": GOALS,
               "closed": {}, "paced": {}}
    plan = [("closed", name) for name in configs] + [("paced", name) for name in PACED]
    for pattern, name in plan:
        print(f"[bench] {pattern}{f' {args.rate:g}/s' if pattern == 'paced' else ''}: {name}", flush=True)
        make, concurrent = configs[name]
        try:
            results[pattern][name] = asyncio.run(one_run(make, concurrent, questions, pattern, args))
        except Exception as exc:  # keep the other configurations' numbers
            print(f"[bench]   failed: {exc!r}", flush=True)
            results[pattern][name] = {"error": repr(exc)}

    rows = []
    for pattern, name in plan:
        r = results[pattern][name]
        label = "closed loop" if pattern == "closed" else f"paced {args.rate:g}/s (offered {r.get('offered_per_s', 0):.0f}/s)"
        if "error" in r:
            rows.append([label, name, "failed", "", "", "", "", ""])
            continue
        rows.append([label, name, f"{r['answers_per_s']:.1f}", r["latency"]["p50"], r["latency"]["p95"], r["latency"]["p99"],
                     r.get("unanswered", ""), r.get("batch_size", {}).get("mean", "")])
    print(common.table(["load", "configuration", "answers/s", "p50 ms", "p95 ms", "p99 ms", "unanswered", "mean batch"], rows))
    run.save(results)


if __name__ == "__main__":
    main()

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

CONCURRENT = 256
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
    if isinstance(stand_in, botharness.BatchingEngine) and stand_in.batch_sizes:
        sizes = stand_in.batch_sizes
        result["batch_size"] = {"mean": round(sum(sizes) / len(sizes), 2), "max": max(sizes)}
    return result


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
    for name, (make, concurrent) in configs.items():
        print(f"[bench] closed loop: {name}", flush=True)
        results["closed"][name] = asyncio.run(one_run(make, concurrent, questions, "closed", args))
    for name in ("as shipped (one update at a time)", "concurrent_updates=256", "concurrent + micro-batching"):
        print(f"[bench] paced {args.rate:g}/s: {name}", flush=True)
        make, concurrent = configs[name]
        results["paced"][name] = asyncio.run(one_run(make, concurrent, questions, "paced", args))

    rows = [["closed loop", name, f"{r['answers_per_s']:.1f}", r["latency"]["p50"], r["latency"]["p95"],
             r["latency"]["p99"], r.get("batch_size", {}).get("mean", "")] for name, r in results["closed"].items()]
    rows += [[f"paced {args.rate:g}/s (offered {r['offered_per_s']:.0f}/s)", name, f"{r['answers_per_s']:.1f}",
              r["latency"]["p50"], r["latency"]["p95"], r["latency"]["p99"], r.get("batch_size", {}).get("mean", "")]
             for name, r in results["paced"].items()]
    print(common.table(["load", "configuration", "answers/s", "p50 ms", "p95 ms", "p99 ms", "mean batch"], rows))
    run.save(results)


if __name__ == "__main__":
    main()

"""Memory of the running bot over a long run: 10,000 questions through the real Application and
the in-process fake Bot API (settings as shipped, rate limiter off), a few users at a time.
VmRSS (and the number of Python objects the GC tracks) is sampled every 500 questions; the fake
Telegram's own record of calls and messages is dropped at each sample, since it is not the bot's
memory. Reports the series, the peak, and the linear trend after the warm-up half.

    .venv/bin/python bench/memory.py [--quick] [--questions N] [--every N]
"""

from __future__ import annotations

import asyncio
import gc

import botharness
import common

USERS = 2000  # questions rotate over this many users (the flood guard allows 20 a minute each)
IN_FLIGHT = 20  # questions waiting in the bot's queue at any time
GROWTH_LIMIT_MB_PER_1000 = 0.5  # a slope below this after warm-up counts as "no growth trend"


async def measure(engine, total: int, every: int) -> list[dict]:
    questions = common.question_stream(total)
    samples = [{"questions": 0, "rss_mb": common.rss_mb(), "gc_objects": len(gc.get_objects())}]
    async with botharness.running_bot(engine) as (api, _):
        for start in range(0, total, every):
            chunk = list(range(start, min(total, start + every)))

            async def lane(k: int) -> None:
                for i in chunk[k::IN_FLIGHT]:
                    q, lang = questions[i]
                    await api.latency(botharness.FIRST_USER + i % USERS, q, lang)

            await asyncio.gather(*(lane(k) for k in range(IN_FLIGHT)))
            api.forget()
            samples.append({"questions": chunk[-1] + 1, "rss_mb": common.rss_mb(), "gc_objects": len(gc.get_objects())})
            print(f"[bench] {samples[-1]}", flush=True)
    return samples


def trend(samples: list[dict]) -> dict:
    late = samples[len(samples) // 2:]
    xs = [s["questions"] / 1000 for s in late]
    slope = common.linear_slope(xs, [s["rss_mb"] for s in late])
    objects = common.linear_slope(xs, [s["gc_objects"] for s in late])
    return {"from_question": late[0]["questions"], "rss_mb_per_1000_questions": round(slope, 3),
            "gc_objects_per_1000_questions": round(objects, 1),
            "no_growth_trend": slope < GROWTH_LIMIT_MB_PER_1000, "limit_mb_per_1000": GROWTH_LIMIT_MB_PER_1000}


def main() -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--questions", type=int, default=10_000)
    p.add_argument("--every", type=int, default=500, help="sample RSS every N questions")
    args = p.parse_args()
    if args.quick:
        args.questions, args.every = 200, 50
    run = common.Run.start("memory", args)
    engine = common.warm_engine()
    samples = asyncio.run(measure(engine, args.questions, args.every))
    results = {"samples": samples, "peak_rss_mb": common.peak_rss_mb(), "max_sampled_rss_mb": max(s["rss_mb"] for s in samples),
               "trend": trend(samples), "target_peak_rss_mb": 600}
    t = results["trend"]
    print(common.table(["questions", "RSS MB", "GC objects"], [[s["questions"], s["rss_mb"], s["gc_objects"]] for s in samples]))
    print(f"peak RSS {results['peak_rss_mb']:.0f} MB; after {t['from_question']} questions RSS trend "
          f"{t['rss_mb_per_1000_questions']:+.2f} MB / 1000 questions, {t['gc_objects_per_1000_questions']:+.0f} objects / 1000 "
          f"-> {'no growth trend' if t['no_growth_trend'] else 'GROWING'}")
    run.save(results)


if __name__ == "__main__":
    main()

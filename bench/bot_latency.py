"""One answer through the whole bot: a user's message queued for getUpdates on the in-process fake
Bot API, the real Application (long polling, rate limiter off, settings as shipped), until the
bot's sendMessage reaches the fake. Questions one at a time, cycled from the eval files.

Reports the end-to-end percentiles, the engine's share (``engine.ask`` timed inside the bot) and
the rest (PTB, handlers, formatting, the fake).

    .venv/bin/python bench/bot_latency.py [--quick] [--questions N]
"""

from __future__ import annotations

import asyncio

import botharness
import common


async def measure(engine, n: int) -> dict:
    timed = botharness.TimedEngine(engine)
    questions = common.question_stream(n)
    async with botharness.running_bot(timed) as (api, _):
        await botharness.sequential(api, questions[:10])  # warm: first polls, first handler calls
        timed.seconds.clear()
        latencies = await botharness.sequential(api, questions)
        extra = api.extra_messages
    overhead = [total - inside for total, inside in zip(latencies, timed.seconds)]
    return {"end_to_end": common.percentiles(latencies), "engine_ask": common.percentiles(timed.seconds),
            "bot_and_fake": common.percentiles(overhead), "extra_messages": extra}


def main() -> None:
    p = common.parser(__doc__.splitlines()[0])
    p.add_argument("--questions", type=int, default=1000, help="questions (default 1000; --quick 40)")
    args = p.parse_args()
    run = common.Run.start("bot_latency", args)
    engine = common.warm_engine()
    results = asyncio.run(measure(engine, 40 if args.quick else args.questions))
    print(common.table(["part", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], [
        [name, s["n"], s["p50"], s["p95"], s["p99"], s["max"]]
        for name, s in (("end to end (enqueue -> sendMessage)", results["end_to_end"]),
                        ("  engine.ask inside the bot", results["engine_ask"]),
                        ("  bot + fake Telegram (the rest)", results["bot_and_fake"]))]))
    run.save(results)


if __name__ == "__main__":
    main()
